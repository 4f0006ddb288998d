"""Write-Audit-Publish under faults: impossible values, blocked publication, killed builds, readers
holding the serving file, two builds at once."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT
from tests.workbooks import form_rows, write_xlsx


def cmd(inbox: Path, wh: Path, reports: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "ingest", "build", "--inbox", str(inbox), "--warehouse", str(wh),
            "--reports", str(reports), *extra]


def run_build(inbox, wh, reports, *extra, env=None, timeout=900):
    return subprocess.run(cmd(inbox, wh, reports, *extra), cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def q(path: Path, sql: str):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def new_form(inbox: Path, park: str = "新园区", year: int = 2021, green: float = 30.0) -> Path:
    return write_xlsx(inbox / f"{park}_{year}.xlsx", {"s": form_rows(park, year, [
        ["经济发展", 2, "年末从业人口", "人", "-", "-", 1000],
        [None, None, "工业增加值", "万元", "-", "-", 20000],
        [None, None, "人均工业增加值", "万元/人", "≥15", "是", 20],
        ["环境保护", 29, "绿化覆盖率", "%", "≥15", "必选", green]])})


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, samples_dir):
    """A warehouse published from the samples, copied by each test."""
    tmp = tmp_path_factory.mktemp("baseline")
    inbox = tmp / "inbox"
    shutil.copytree(samples_dir, inbox)
    wh = tmp / "wh" / "parks.duckdb"
    proc = run_build(inbox, wh, tmp / "reports")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return inbox, wh


@pytest.fixture
def copy(baseline, tmp_path):
    inbox, wh = baseline
    shutil.copytree(inbox, tmp_path / "inbox")
    (tmp_path / "wh").mkdir()
    shutil.copy(wh, tmp_path / "wh" / "parks.duckdb")
    return tmp_path / "inbox", tmp_path / "wh" / "parks.duckdb", tmp_path / "reports"


def test_impossible_value_is_quarantined_and_reported(copy):
    inbox, wh, reports = copy
    new_form(inbox, "坏园区", 2020, green=138)
    new_form(inbox, "好园区", 2020, green=40)
    proc = run_build(inbox, wh, reports)
    assert proc.returncode == 11, proc.stdout + proc.stderr[-3000:]
    assert "quarantined 坏园区 2020" in proc.stdout and "绿化覆盖率 = 138" in proc.stdout
    for table in ("eip_assessment", "eip_verdict", "indicator_values"):
        assert q(wh, f"select count(*) from marts.{table} where park_name='坏园区'") == [(0,)], table
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='好园区'") == [(1,)]
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='张家港经济技术开发区'") == [(1,)]
    # present in the report: audit tables, summary.json and the Data Docs HTML
    run_id = q(wh, "select run_id from audit.runs order by started_at desc limit 1")[0][0]
    assert q(wh, f"select park_name, year from audit.quarantine where run_id='{run_id}'") == [("坏园区", 2020)]
    failed = q(wh, f"select suite, failing_rows_sample from audit.dq_results where run_id='{run_id}' and not success "
                   "and level = 'row'")
    assert len(failed) == 1 and failed[0][0] == "indicator_values" and "138" in failed[0][1]
    assert q(wh, f"select status, exit_code, quarantined_park_years from audit.runs where run_id='{run_id}'") == [
        ("published", 11, 1)]
    report = reports / run_id
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["quarantined"][0]["park_name"] == "坏园区"
    assert all(p["data_docs_complete"] for p in summary["passes"])
    assert "坏园区" in (report / "index.html").read_text(encoding="utf-8")
    # Data Docs has one validation page per suite validated, in each pass (it can omit pages silently)
    pages = list((report / "pass1" / "validations").rglob("*.html"))
    assert len(pages) == len({r["suite"] for r in summary["passes"][0]["results"]}) == 10
    assert any("138" in p.read_text(encoding="utf-8") for p in pages)
    # the raw figure stays, with its lineage, for whoever fixes the file
    assert q(wh, "select value, cell from raw.observations where park_name='坏园区' and label='绿化覆盖率'") == [(138.0, "G9")]


def test_unit_slip_between_years_is_quarantined(copy):
    inbox, wh, reports = copy
    header = ["园区名称", "年份", "指标", "单位", "数值", "备注"]
    write_xlsx(inbox / "slip.xlsx", {"s": [header, ["滑园区", 2021, "工业增加值", "亿元", 120.5, None],
                                           ["滑园区", 2022, "工业增加值", "亿元", 1320000, None]]})
    proc = run_build(inbox, wh, reports)
    assert proc.returncode == 11, proc.stdout + proc.stderr[-3000:]
    assert "quarantined 滑园区 2022" in proc.stdout and "unit slip" in proc.stdout
    assert q(wh, "select year from marts.indicator_values where park_name='滑园区'") == [(2021,)]


def test_gx_row_count_collapse_blocks(copy):
    inbox, wh, reports = copy
    # pretend the last published file had far more verdicts than this build will have
    with duckdb.connect(str(wh)) as con:
        con.execute("insert into marts.eip_verdict select v.* replace (v.year + t.i as year) from marts.eip_verdict v, range(1, 10) t(i)")
    before = sha(wh)
    new_form(inbox)
    proc = run_build(inbox, wh, reports)
    assert proc.returncode == 12, proc.stdout + proc.stderr[-3000:]
    assert "BLOCKED" in proc.stdout and "expect_table_row_count_to_be_between" in proc.stdout
    assert q(wh, "select count(*) from marts.eip_verdict") == [(10,)]            # old marts kept
    assert sha(wh) != before                                                    # … with this run recorded
    run = q(wh, "select run_id, status, exit_code from audit.runs order by started_at desc limit 1")[0]
    assert run[1:] == ("blocked", 12)
    assert q(wh, f"select suite from audit.dq_results where run_id='{run[0]}' and not success and level='table'") == [
        ("eip_verdict",)]
    # the new file's rows were not published, and it is not registered either: the next good run loads it
    assert q(wh, "select count(*) from raw.observations where park_name='新园区'") == [(0,)]
    assert q(wh, "select count(*) from audit.files where park_names='新园区'") == [(0,)]
    with duckdb.connect(str(wh)) as con:
        con.execute("delete from marts.eip_verdict where year > 2019")
    proc = run_build(inbox, wh, reports)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='新园区'") == [(1,)]


@pytest.mark.parametrize("point", ["after_ingest", "after_dbt", "after_gate", "before_rename"])
def test_killed_build_leaves_the_serving_file_unchanged_and_no_stuck_lock(copy, point):
    inbox, wh, reports = copy
    before = sha(wh)
    new_form(inbox)
    proc = run_build(inbox, wh, reports, env={"PARKS_FAULT": point})
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr[-2000:]
    assert sha(wh) == before
    assert q(wh, "select count(*) from raw.observations where park_name='新园区'") == [(0,)]
    proc = run_build(inbox, wh, reports, "--lock-timeout", "5")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='新园区'") == [(1,)]
    assert not list((wh.parent / ".build").glob("*.duckdb*"))


def test_build_killed_from_outside_during_dbt(copy):
    inbox, wh, reports = copy
    before = sha(wh)
    new_form(inbox)
    p = subprocess.Popen(cmd(inbox, wh, reports), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((wh.parent / ".build").glob("*.duckdb")):
        time.sleep(0.1)
    time.sleep(4)  # inside dbt by now
    os.killpg(p.pid, signal.SIGKILL)
    p.wait(timeout=60)
    assert sha(wh) == before
    assert q(wh, "select count(*) from marts.eip_verdict") == [(1,)]
    assert run_build(inbox, wh, reports, "--lock-timeout", "5").returncode == 0


def test_reader_holding_the_file_is_never_blocked_nor_sees_a_partial_state(copy):
    inbox, wh, reports = copy
    reader = duckdb.connect(str(wh), read_only=True)
    try:
        assert reader.execute("select count(*) from marts.eip_verdict").fetchone() == (1,)
        new_form(inbox)
        t0 = time.time()
        proc = run_build(inbox, wh, reports)
        assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
        # the open connection keeps reading the file it opened, consistently
        assert reader.execute("select count(*) from marts.eip_verdict").fetchone() == (1,)
        assert reader.execute("select count(*) from marts.eip_assessment").fetchone() == (32,)
        assert time.time() - t0 < 300
    finally:
        reader.close()
    assert q(wh, "select count(*) from marts.eip_verdict") == [(2,)]   # a new connection sees the new build


def test_two_builds_at_once(copy):
    inbox, wh, reports = copy
    new_form(inbox)
    a = subprocess.Popen(cmd(inbox, wh, reports), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lock = wh.with_name(wh.name + ".lock")
    deadline = time.time() + 60
    while time.time() < deadline and not (lock.exists() and lock.read_text().startswith(f"pid {a.pid} ")):
        time.sleep(0.05)  # a holds the lock
    b = subprocess.Popen(cmd(inbox, wh, reports), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    c = subprocess.Popen(cmd(inbox, wh, reports, "--lock-timeout", "0.2"), cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    out_c, _ = c.communicate(timeout=600)
    assert c.returncode == 13 and "another build" in out_c           # refuses with a clear message
    assert a.wait(timeout=600) == 0 and b.wait(timeout=600) == 0       # the second waited its turn
    assert q(wh, "select count(*) from raw.observations where park_name='新园区'") == [(4,)]  # nothing doubled
    assert q(wh, "select count(*) from audit.files where park_names='新园区'") == [(1,)]
