"""Loading an inbox into a history store: duplicates, rejected files set aside with reasons,
in-file duplicates, idempotency. (Which figures are current is decided in dbt: tests/e2e.)"""

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.parsing.limits import DEFAULT_LIMITS
from ingest.warehouse import inbox as inbox_mod
from ingest.warehouse.loader import load_entries
from ingest.warehouse.state import StateStore
from tests import hostile
from tests.support import q
from tests.workbooks import form_rows, small_form_body, write_xlsx


def _run(db_dir: Path, inbox: Path, run_id: str = "r1", move: bool = True):
    store = StateStore(db_dir)
    if not store.history.exists():
        store.create()
    con = duckdb.connect(str(store.history))
    try:
        entries = inbox_mod.scan(inbox, DEFAULT_LIMITS.max_file_bytes)
        return load_entries(con, inbox, entries, run_id, DEFAULT_LIMITS, move_rejected=move)
    finally:
        con.close()


def test_samples_load_then_rerun_changes_nothing(tmp_path, samples_dir):
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox)
    first = _run(tmp_path / "s", inbox)
    assert first.count("loaded") == 5 and first.observations == 169 and not first.rejected
    db = tmp_path / "s" / "history.duckdb"
    before = q(db, "select * exclude (loaded_at, run_id) from raw.observations order by all")
    second = _run(tmp_path / "s", inbox, "r2")
    assert second.count("known") == 5 and second.count("loaded") == 0
    assert q(db, "select * exclude (loaded_at, run_id) from raw.observations order by all") == before
    assert q(db, "select count(*) from audit.files") == [(5,)]
    # raw keeps the park names exactly as written
    assert q(db, "select distinct park_name from raw.observations order by 1") == [
        ("吴江区",),
        ("张家港经济技术开发区",),
        ("示例高新区",),
    ]


def test_same_bytes_under_another_name_is_a_duplicate(tmp_path, samples_dir):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    src = samples_dir / "对照考核表_张家港经开区_2019.xlsx"
    shutil.copy(src, inbox / "a.xlsx")
    _run(tmp_path / "s", inbox)
    shutil.copy(src, inbox / "copy of a.xlsx")
    report = _run(tmp_path / "s", inbox, "r2")
    assert report.count("duplicate") == 1
    db = tmp_path / "s" / "history.duckdb"
    assert q(db, "select status from audit.files order by load_seq nulls last") == [("loaded",), ("duplicate",)]
    assert q(db, "select count(*) from raw.observations") == [(66,)]
    _run(tmp_path / "s", inbox, "r3")  # and again: no second duplicate row
    assert q(db, "select count(*) from audit.files") == [(2,)]


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("corrupt.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "damaged or truncated"),
        ("notes.xlsx", "这不是表格\n".encode() * 10, "not a spreadsheet"),
        ("empty.xls", b"", "empty"),
        ("legacy.xls", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600, "cannot read an Excel 97-2003 workbook"),
        (
            "locked.xlsx",
            bytes.fromhex("D0CF11E0A1B11AE1") + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 600,
            "password-protected",
        ),
    ],
)
def test_unreadable_files_are_rejected_set_aside_and_others_load(tmp_path, samples_dir, name, content, reason):
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox)
    (inbox / name).write_bytes(content)
    report = _run(tmp_path / "s", inbox)
    assert report.count("loaded") == 5 and len(report.rejected) == 1
    msg = report.rejected[0].message
    assert name in msg and reason in msg
    db = tmp_path / "s" / "history.duckdb"
    assert q(db, "select status, set_aside_as from audit.files where file_name=?", [name]) == [
        ("rejected", f"rejected/{name}")
    ]
    assert not (inbox / name).exists() and (inbox / "rejected" / name).exists()
    assert reason in (inbox / "rejected" / f"{name}.reason.txt").read_text(encoding="utf-8")
    assert q(db, "select count(*) from raw.observations") == [(169,)]


def test_truncated_xlsx_is_rejected_and_kept_in_place_when_asked(tmp_path, samples_dir):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = (samples_dir / "对照考核表_张家港经开区_2019.xlsx").read_bytes()
    (inbox / "cut.xlsx").write_bytes(data[: len(data) // 2])
    report = _run(tmp_path / "s", inbox, move=False)
    assert report.rejected and "cut.xlsx" in report.rejected[0].message
    assert (inbox / "cut.xlsx").exists()


def test_workbook_without_any_template_is_rejected_with_sheet_reasons(tmp_path):
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "memo.xlsx", {"封面": [["会议纪要"]]})
    report = _run(tmp_path / "s", inbox)
    assert "sheet '封面' skipped" in report.rejected[0].message


def test_a_figure_repeated_in_one_file_is_a_finding_and_used_once(tmp_path):
    inbox = tmp_path / "inbox"
    hostile.repeated_year_columns(inbox / "repeated.xlsx", columns=400)
    report = _run(tmp_path / "s", inbox)
    assert report.count("loaded") == 1
    db = tmp_path / "s" / "history.duckdb"
    # raw keeps every cell; all but the first of each (park, year, indicator) point at the first
    assert q(db, "select count(*), count(*) filter (where duplicate_of is null) from raw.observations") == [(400, 2)]
    assert q(db, "select year, cell from raw.observations where duplicate_of is null order by year") == [
        (2019, "D2"),
        (2020, "E2"),
    ]
    assert q(db, "select duplicate_of from raw.observations where cell = 'F2'") == [("统计!D2",)]
    msgs = [m for (m,) in q(db, "select message from audit.findings where code = 'duplicate_figure' order by message")]
    assert any("统计!F2 repeats 统计!D2" in m for m in msgs)
    assert any("398 repeated figures" in m for m in msgs)  # the rest are counted, not listed one by one


def test_nan_and_inf_are_findings_at_their_cells(tmp_path):
    inbox = tmp_path / "inbox"
    hostile.nan_and_inf(inbox / "nan.xlsx")
    report = _run(tmp_path / "s", inbox)
    assert report.count("loaded") == 1
    db = tmp_path / "s" / "history.duckdb"
    assert q(db, "select sheet, cell, code from audit.findings order by cell") == [
        ("统计", "D2", "not_finite"),
        ("统计", "E2", "not_finite"),
        ("统计", "E3", "not_finite"),
    ]
    assert q(db, "select count(*) from raw.observations where value_kind = 'invalid' and value is null") == [(3,)]
    assert q(db, "select value from raw.observations where cell = 'D3'") == [(5.0,)]


def test_forms_keep_their_components_and_lineage(tmp_path):
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "f.xlsx", {"s": form_rows("张家港经开区", 2019, small_form_body())})
    _run(tmp_path / "s", inbox)
    db = tmp_path / "s" / "history.duckdb"
    assert q(db, "select park_name, cell, value, value_text from raw.observations where label='工业增加值'") == [
        ("张家港经开区", "G7", 985600.0, "985600")
    ]
