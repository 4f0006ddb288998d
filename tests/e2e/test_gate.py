"""The quality gate end to end: impossible values are quarantined, unit slips caught, a collapse
blocks, and quarantines end when new figures arrive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.support import copy_samples, out, q, run_build, sha
from tests.workbooks import form_rows, write_xlsx


def new_form(inbox: Path, park: str = "新园区", year: int = 2021, green: float = 30.0, name: str | None = None) -> Path:
    return write_xlsx(
        inbox / (name or f"{park}_{year}.xlsx"),
        {
            "s": form_rows(
                park,
                year,
                [
                    ["经济发展", 2, "年末从业人口", "人", "-", "-", 1000],
                    [None, None, "工业增加值", "万元", "-", "-", 20000],
                    [None, None, "人均工业增加值", "万元/人", "≥15", "是", 20],
                    ["环境保护", 29, "绿化覆盖率", "%", "≥15", "必选", green],
                ],
            )
        },
    )


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, samples_dir):
    """A warehouse published from the samples, copied by each test."""
    tmp = tmp_path_factory.mktemp("baseline")
    inbox = copy_samples(tmp / "inbox")
    wh = tmp / "wh" / "parks.duckdb"
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)
    return inbox, wh


@pytest.fixture
def copy(baseline, tmp_path):
    inbox, wh = baseline
    shutil.copytree(inbox, tmp_path / "inbox")
    shutil.copytree(wh.parent, tmp_path / "wh")
    return tmp_path / "inbox", tmp_path / "wh" / "parks.duckdb"


def history(wh: Path) -> Path:
    return wh.parent / ".parks.state" / "history.duckdb"


def test_impossible_value_is_quarantined_and_reported_until_fixed(copy, tmp_path):
    inbox, wh = copy
    new_form(inbox, "坏园区", 2020, green=138)
    new_form(inbox, "好园区", 2020, green=40)
    proc = run_build(inbox, wh)
    assert proc.returncode == 11, out(proc)
    assert "quarantined 坏园区 2020" in proc.stdout and "绿化覆盖率 = 138" in proc.stdout
    for table in ("eip_assessment", "eip_verdict", "indicator_values"):
        assert q(wh, f"select count(*) from marts.{table} where park_name='坏园区'") == [(0,)], table
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='好园区'") == [(1,)]
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='张家港经济技术开发区'") == [(1,)]
    run_id = q(wh, "select run_id from audit.runs order by started_at desc limit 1")[0][0]
    assert q(wh, f"select park_name, year, released_run_id from audit.quarantine where run_id='{run_id}'") == [
        ("坏园区", 2020, None)
    ]
    failed = q(
        wh,
        f"select suite, failing_rows_sample from audit.dq_results where run_id='{run_id}' and not success and level = 'row'",
    )
    assert len(failed) == 1 and failed[0][0] == "indicator_values"
    sample = json.loads(failed[0][1])
    assert sample[0]["value"] == 138 and sample[0]["location"].endswith("!s!G9")  # named: value and file!sheet!cell
    assert q(wh, f"select status, exit_code, quarantined_park_years from audit.runs where run_id='{run_id}'") == [
        ("published", 11, 1)
    ]
    summary = json.loads((tmp_path / "reports" / run_id / "summary.json").read_text(encoding="utf-8"))
    assert summary["quarantined"][0]["park_name"] == "坏园区"
    assert "坏园区" in (tmp_path / "reports" / run_id / "index.html").read_text(encoding="utf-8")
    # the raw figure stays, with its lineage, for whoever fixes the file
    assert q(wh, "select value, cell from raw.observations where park_name='坏园区' and label='绿化覆盖率'") == [
        (138.0, "G9")
    ]

    # a night with nothing new keeps the quarantine (the park-year is not judged again for nothing)
    assert run_build(inbox, wh).returncode == 0
    # the corrected form arrives: judged again, the quarantine ends, the park-year is published
    new_form(inbox, "坏园区", 2020, green=38, name="坏园区_2020_fixed.xlsx")
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)
    assert q(wh, "select value from marts.indicator_values where park_name='坏园区' and indicator_name='绿化覆盖率'") == [
        (38.0,)
    ]
    assert q(wh, "select count(*) from audit.quarantine where park_name='坏园区' and released_run_id is not null") == [(1,)]


def test_unit_slip_between_years_is_quarantined(copy):
    inbox, wh = copy
    header = ["园区名称", "年份", "指标", "单位", "数值", "备注"]
    write_xlsx(
        inbox / "slip.xlsx",
        {
            "s": [
                header,
                ["滑园区", 2021, "工业增加值", "亿元", 120.5, None],
                ["滑园区", 2022, "工业增加值", "亿元", 1320000, None],
            ]
        },
    )
    proc = run_build(inbox, wh)
    assert proc.returncode == 11, out(proc)
    assert "quarantined 滑园区 2022" in proc.stdout and "unit slip" in proc.stdout
    assert q(wh, "select year from marts.indicator_values where park_name='滑园区'") == [(2021,)]


def test_row_count_collapse_blocks_and_keeps_everything(copy):
    inbox, wh = copy
    # pretend the last build had far more verdicts than this one will have
    with duckdb.connect(str(history(wh))) as con:
        con.execute("update audit.table_counts set row_count = 1000 where table_name = 'marts.eip_verdict'")
    before = sha(wh)
    new_form(inbox)
    proc = run_build(inbox, wh)
    assert proc.returncode == 12, out(proc)
    assert "table-level checks failed" in proc.stdout and "eip_verdict" in proc.stdout
    assert sha(wh) == before  # the serving file is untouched
    run = q(history(wh), "select run_id, status, exit_code from audit.runs order by started_at desc limit 1")[0]
    assert run[1:] == ("blocked", 12)
    assert q(
        history(wh), f"select suite from audit.dq_results where run_id='{run[0]}' and not success and level='table'"
    ) == [("table_metrics",)]
    # the new file was not committed: the next good build loads it
    assert q(history(wh), "select count(*) from raw.observations where park_name='新园区'") == [(0,)]
    with duckdb.connect(str(history(wh))) as con:
        con.execute("update audit.table_counts set row_count = 1 where table_name = 'marts.eip_verdict'")
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='新园区'") == [(1,)]


def test_reader_holding_the_file_is_never_blocked_nor_sees_a_partial_state(copy):
    inbox, wh = copy
    reader = duckdb.connect(str(wh), read_only=True)
    try:
        assert reader.execute("select count(*) from marts.eip_verdict").fetchall() == [(1,)]
        new_form(inbox)
        proc = run_build(inbox, wh)
        assert proc.returncode == 0, out(proc)
        # the open connection keeps reading the file it opened, consistently
        assert reader.execute("select count(*) from marts.eip_verdict").fetchall() == [(1,)]
        assert reader.execute("select count(*) from marts.eip_assessment").fetchall() == [(32,)]
    finally:
        reader.close()
    assert q(wh, "select count(*) from marts.eip_verdict") == [(2,)]  # a new connection sees the new build
