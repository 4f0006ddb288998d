"""The file registry: duplicates, supersession, rejection of unreadable files, idempotency."""
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from ingest import store
from ingest.loader import ingest_inbox
from ingest.parks import load_aliases
from tests.conftest import ROOT
from tests.workbooks import form_rows, small_form_body, write_xlsx

ALIASES = load_aliases(ROOT / "seeds" / "park_registry.csv")


def _run(db: Path, inbox: Path, run_id: str = "r1", move: bool = True):
    con = store.connect(str(db))
    try:
        return ingest_inbox(con, inbox, run_id, ALIASES, move_rejected=move, progress=lambda _: None)
    finally:
        con.close()


def _q(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _touch_later(path: Path, seconds: int) -> None:
    t = time.time() + seconds
    os.utime(path, (t, t))


def test_samples_load_then_rerun_changes_nothing(tmp_path, samples_dir):
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox)
    db = tmp_path / "b.duckdb"
    first = _run(db, inbox)
    assert first.count("loaded") == 5 and first.observations == 169 and not first.rejected
    before = _q(db, "select * from raw.observations order by all")
    second = _run(db, inbox, "r2")
    assert second.count("known") == 5 and second.count("loaded") == 0
    assert _q(db, "select * from raw.observations order by all") == before
    assert _q(db, "select count(*) from audit.files") == [(5,)]
    assert _q(db, "select park_name from raw.parks order by 1") == [("吴江区",), ("张家港经济技术开发区",), ("示例高新区",)]


def test_same_bytes_under_another_name_is_a_duplicate(tmp_path, samples_dir):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    src = samples_dir / "对照考核表_张家港经开区_2019.xlsx"
    shutil.copy(src, inbox / "a.xlsx")
    db = tmp_path / "b.duckdb"
    _run(db, inbox)
    shutil.copy(src, inbox / "copy of a.xlsx")
    report = _run(db, inbox, "r2")
    assert report.count("duplicate") == 1
    assert _q(db, "select status from audit.files order by load_seq nulls last") == [("loaded",), ("duplicate",)]
    assert _q(db, "select count(*) from raw.observations") == [(66,)]
    _run(db, inbox, "r3")  # and again: no second duplicate row
    assert _q(db, "select count(*) from audit.files") == [(2,)]


def test_later_form_for_same_park_year_supersedes(tmp_path):
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "march.xlsx", {"s": form_rows("张家港经济技术开发区", 2019, small_form_body(staff=50000))})
    db = tmp_path / "b.duckdb"
    _run(db, inbox)
    # corrected form, park written by its alias and with full-width spaces: same park
    fixed = write_xlsx(inbox / "april.xlsx", {"s": form_rows("　张家港经开区 ", 2019, small_form_body(staff=52300))})
    _touch_later(fixed, 60)
    _run(db, inbox, "r2")
    assert _q(db, "select file_name, status, superseded_by from audit.files order by load_seq") == [
        ("march.xlsx", "superseded", "april.xlsx"), ("april.xlsx", "loaded", None)]
    assert _q(db, "select value from raw.observations where label='年末从业人口' and is_current") == [(52300.0,)]
    # the earlier figures stay queryable as history
    assert _q(db, "select value from raw.observations where label='年末从业人口' and not is_current") == [(50000.0,)]
    # another data year does not supersede
    other = write_xlsx(inbox / "2020.xlsx", {"s": form_rows("张家港经开区", 2020, small_form_body())})
    _touch_later(other, 120)
    _run(db, inbox, "r3")
    assert _q(db, "select count(*) from audit.files where status='loaded'") == [(2,)]


def test_statistics_are_superseded_figure_by_figure(tmp_path):
    inbox = tmp_path / "inbox"
    header = ["园区名称", "年份", "指标", "单位", "数值", "备注"]
    write_xlsx(inbox / "prelim.xlsx", {"s": [header, ["甲园区", 2023, "地区生产总值", "亿元", 100, "预计"],
                                             ["甲园区", 2023, "常住人口", "万人", 50, None]]})
    db = tmp_path / "b.duckdb"
    _run(db, inbox)
    final = write_xlsx(inbox / "final.xlsx", {"s": [header, ["甲园区", 2023, "地区生产总值", "亿元", 101.5, None]]})
    _touch_later(final, 60)
    _run(db, inbox, "r2")
    assert _q(db, "select label, value, file_name from raw.observations where is_current order by 1") == [
        ("地区生产总值", 101.5, "final.xlsx"), ("常住人口", 50.0, "prelim.xlsx")]
    assert _q(db, "select status from audit.files order by load_seq") == [("loaded",), ("loaded",)]


@pytest.mark.parametrize("name, content, reason", [
    ("corrupt.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "damaged or truncated"),
    ("notes.xlsx", "这不是表格\n".encode() * 10, "not a spreadsheet"),
    ("empty.xls", b"", "empty"),
    ("legacy.xls", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600, "cannot read the xls workbook"),
    ("locked.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 600,
     "password-protected"),
])
def test_unreadable_files_are_rejected_set_aside_and_others_load(tmp_path, samples_dir, name, content, reason):
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox)
    (inbox / name).write_bytes(content)
    db = tmp_path / "b.duckdb"
    report = _run(db, inbox)
    assert report.count("loaded") == 5 and len(report.rejected) == 1
    msg = report.rejected[0].message
    assert name in msg and reason in msg
    assert _q(db, "select status from audit.files where file_name=?".replace("?", f"'{name}'")) == [("rejected",)]
    assert not (inbox / name).exists() and (inbox / "rejected" / name).exists()
    assert reason in (inbox / "rejected" / f"{name}.reason.txt").read_text(encoding="utf-8")
    assert _q(db, "select count(*) from raw.observations") == [(169,)]


def test_truncated_xlsx_is_rejected(tmp_path, samples_dir):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = (samples_dir / "对照考核表_张家港经开区_2019.xlsx").read_bytes()
    (inbox / "cut.xlsx").write_bytes(data[: len(data) // 2])
    report = _run(tmp_path / "b.duckdb", inbox, move=False)
    assert report.rejected and "cut.xlsx" in report.rejected[0].message
    assert (inbox / "cut.xlsx").exists()  # --keep-rejected leaves it where it was


def test_workbook_without_any_template_is_rejected_with_sheet_reasons(tmp_path):
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "memo.xlsx", {"封面": [["会议纪要"]]})
    report = _run(tmp_path / "b.duckdb", inbox)
    assert "sheet '封面' skipped" in report.rejected[0].message
