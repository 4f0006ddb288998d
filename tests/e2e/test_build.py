"""`parks build` end to end: exit codes, publication, nothing new, the JSON summary, corrections."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time

from tests.support import ROOT, assert_same_marts, copy_samples, out, project_copy, q, run_build, sha
from tests.workbooks import form_rows, small_form_body, write_xlsx


def _later(path, seconds=60):
    t = time.time() + seconds
    os.utime(path, (t, t))


def test_samples_publish_then_nothing_new(tmp_path, samples_dir):
    inbox = copy_samples(tmp_path / "inbox")
    wh = tmp_path / "wh" / "parks.duckdb"
    first = run_build(inbox, wh)
    assert first.returncode == 0, out(first)
    assert "published" in first.stdout
    assert q(wh, "select count(*) from raw.observations") == [(169,)]
    report = tmp_path / "reports" / "latest"
    assert (report / "index.html").exists() and (report / "summary.json").exists()
    published = sha(wh)
    reports_before = sorted(p.name for p in (tmp_path / "reports").iterdir())

    again = run_build(inbox, wh)
    assert again.returncode == 0, out(again)
    assert "nothing new" in again.stdout
    assert sha(wh) == published  # not rewritten
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == reports_before  # no report folder
    history = wh.parent / ".parks.state" / "history.duckdb"
    assert q(history, "select status from audit.runs order by started_at") == [("published",), ("nothing new",)]


def test_rejected_file_exits_10_and_the_rest_is_published(tmp_path, samples_dir):
    inbox = copy_samples(tmp_path / "inbox")
    (inbox / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    wh = tmp_path / "wh" / "parks.duckdb"
    proc = run_build(inbox, wh, None, "--json")
    assert proc.returncode == 10, out(proc)
    summary = json.loads(proc.stdout)
    assert summary["exit_code"] == 10 and summary["status"] == "published"
    rejected = [f for f in summary["files"] if f["status"] == "rejected"]
    assert [f["file"] for f in rejected] == ["broken.xlsx"] and "damaged" in rejected[0]["reason"]
    on_disk = json.loads((tmp_path / "reports" / "latest" / "summary.json").read_text(encoding="utf-8"))
    assert on_disk["files"] == summary["files"]
    assert q(wh, "select count(*) from raw.observations") == [(169,)]
    assert q(wh, "select status from audit.files where file_name='broken.xlsx'") == [("rejected",)]
    # next night: the bad file was set aside, nothing new
    proc2 = run_build(inbox, wh)
    assert proc2.returncode == 0, out(proc2)
    assert "nothing new" in proc2.stdout


def test_make_build_prints_the_code_and_parks_returns_it(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "x.xlsx").write_bytes(b"not a workbook")
    env = {
        **os.environ,
        "INBOX": str(inbox),
        "WAREHOUSE": str(tmp_path / "wh" / "parks.duckdb"),
        "REPORTS": str(tmp_path / "r"),
        "EXPORTS": str(tmp_path / "e"),
    }
    parks = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "parks"), "build", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert parks.returncode == 10, out(parks)
    assert parks.stdout.count("\n") == 1 and "exit 10" in parks.stdout  # --quiet: the summary line only
    (inbox / "y.xlsx").write_bytes(b"not a workbook either")
    make = subprocess.run(["make", "-s", "build"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert make.returncode == 2 and "exit code 10" in make.stdout  # make's own 2, the real code printed


def test_relative_paths_from_another_folder_and_clean_operator_output(tmp_path, samples_dir):
    """A scheduler's cron line: relative paths, run from its own folder (dbt runs in the project)."""
    shutil.copytree(samples_dir, tmp_path / "in")
    proc = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "parks"),
            "build",
            "--inbox",
            "in",
            "--warehouse",
            "wh/parks.duckdb",
            "--reports",
            "r",
            "--exports",
            "e",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    assert proc.returncode == 0, out(proc)
    assert q(tmp_path / "wh" / "parks.duckdb", "select count(*) from marts.system_verdict")[0][0] >= 1
    assert (tmp_path / "e" / "assessment").is_dir() and (tmp_path / "r" / "latest" / "overview.html").is_file()
    log = proc.stderr
    assert "\x1b[" not in log  # not a terminal: no ANSI code
    assert re.search(r"^ingest: 5 loaded \(169 observations\), 0 duplicate, 0 rejected \[[\d.]+ s\]$", log, re.M)
    assert re.search(r"^dbt: ok, PASS=\d+ .*\[[\d.]+ s\]$", log, re.M)
    assert re.search(r"^quality gate pass 1: \d+ expectations, \d+ failed \[[\d.]+ s\]$", log, re.M)
    assert len(log.splitlines()) < 20, log  # dbt's node lines stay in its log


def test_missing_inbox_is_an_error(tmp_path):
    proc = run_build(tmp_path / "nowhere", tmp_path / "wh" / "parks.duckdb")
    assert proc.returncode == 16, out(proc)
    assert "does not exist" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "wh" / "parks.duckdb").exists()


def test_corrections_supersede_form_by_park_year_and_statistics_figure_by_figure(tmp_path):
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "march.xlsx", {"s": form_rows("张家港经济技术开发区", 2019, small_form_body(staff=50000))})
    header = ["园区名称", "年份", "指标", "单位", "数值", "备注"]
    write_xlsx(
        inbox / "prelim.xlsx",
        {
            "s": [
                header,
                ["甲园区", 2023, "地区生产总值", "亿元", 100, "预计"],
                ["甲园区", 2023, "常住人口", "万人", 50, None],
            ]
        },
    )
    wh = tmp_path / "wh" / "parks.duckdb"
    assert run_build(inbox, wh).returncode == 0
    # the corrected form names the park by its alias, with full-width spaces: the same park
    fixed = write_xlsx(inbox / "april.xlsx", {"s": form_rows("　张家港经开区 ", 2019, small_form_body(staff=52300))})
    final = write_xlsx(inbox / "final.xlsx", {"s": [header, ["甲园区", 2023, "地区生产总值", "亿元", 101.5, None]]})
    _later(fixed)
    _later(final)
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)
    assert q(wh, "select file_name, status, superseded_by from marts.submissions order by load_seq") == [
        ("march.xlsx", "superseded", "april.xlsx"),
        ("prelim.xlsx", "partly_superseded", "final.xlsx"),
        ("april.xlsx", "current", None),
        ("final.xlsx", "current", None),
    ]
    assert q(
        wh,
        "select value from marts.indicator_values where park_name='张家港经济技术开发区' and indicator_name='年末从业人口'",
    ) == [(52300.0,)]
    assert q(
        wh,
        "select indicator_name, value, source_file, is_preliminary from marts.indicator_values "
        "where park_name='甲园区' order by 1",
    ) == [("地区生产总值", 101.5, "final.xlsx", False), ("常住人口", 50.0, "prelim.xlsx", False)]
    # raw keeps both forms with the park as written (the alias, taken out of its '园区名称：' line);
    # the park registry shows the spellings seen
    assert q(wh, "select distinct park_name from raw.observations where template='eip_form' order by 1") == [
        ("张家港经开区",),
        ("张家港经济技术开发区",),
    ]
    assert q(wh, "select names_as_written from marts.parks where park_name='张家港经济技术开发区'") == [
        ("张家港经开区|张家港经济技术开发区",)
    ]


def test_an_incremental_build_equals_a_full_build_of_the_same_files(tmp_path, samples_dir):
    """The incremental models replace the changed parks' rows only: after a night with a new park
    and a new form of a park with history, every mart equals a build of all files at once."""
    import duckdb

    from tests.e2e.test_gate import new_form

    inbox = copy_samples(tmp_path / "inbox")
    nightly = tmp_path / "nightly" / "parks.duckdb"
    assert run_build(inbox, nightly).returncode == 0
    new_form(inbox, park="新园区", year=2021)
    new_form(inbox, park="张家港经济技术开发区", year=2020, green=41.5, name="对照考核表_张家港经开区_2020.xlsx")
    # a new data year of a park with a plan and statistics, and targets of a new park (plans, targets)
    write_xlsx(
        inbox / "统计_2024.xlsx",
        {
            "s": [
                ["园区名称", "年份", "指标", "单位", "数值", "备注"],
                ["示例高新区", 2024, "地区生产总值", "亿元", 1601.0, None],
                ["示例高新区", 2024, "地区生产总值增速", "%", 6.1, None],
                ["新园区", 2024, "地区生产总值增速", "%", 4.0, None],
            ]
        },
    )
    write_xlsx(
        inbox / "年度目标_新园区_2024.xlsx",
        {"目标": [["园区名称", "年份", "指标", "目标", "单位"], ["新园区", 2024, "地区生产总值", "增长5%以上", "%"]]},
    )
    proc = run_build(inbox, nightly)
    assert proc.returncode == 0, out(proc)
    whole = tmp_path / "whole" / "parks.duckdb"
    proc = run_build(inbox, whole)
    assert proc.returncode == 0, out(proc)
    assert assert_same_marts(nightly, whole) > 10
    with duckdb.connect() as con:
        con.execute(f"attach '{nightly}' as a (read_only)")
        assert con.execute("select count(*) from a.marts.system_assessment where park_name = '新园区'").fetchone()[0] > 0
        assert con.execute("select met from a.marts.target_tracking where park_name = '新园区'").fetchall() == [(False,)]
        assert con.execute(
            "select latest_year from a.marts.plan_progress where park_name = '示例高新区' "
            "and indicator_name = '地区生产总值'"
        ).fetchall() == [(2024,)]


def test_files_loaded_without_dbt_reach_the_marts_with_the_next_build(tmp_path, samples_dir):
    """`parks build --no-dbt` commits raw data the marts do not show; the next build with dbt
    rebuilds the marts whole, so that they equal a build of all the files at once."""
    from tests.e2e.test_gate import new_form

    inbox = copy_samples(tmp_path / "inbox")
    nightly = tmp_path / "nightly" / "parks.duckdb"
    assert run_build(inbox, nightly).returncode == 0
    new_form(inbox, park="新园区", year=2021)
    proc = run_build(inbox, nightly, None, "--no-dbt", "--json")
    assert proc.returncode == 0, out(proc)
    new_form(inbox, park="新园区", year=2022, name="对照考核表_新园区_2022.xlsx")
    proc = run_build(inbox, nightly, None, "--json")
    assert proc.returncode == 0, out(proc)
    assert json.loads(proc.stdout)["full_refresh"] is True
    whole = tmp_path / "whole" / "parks.duckdb"
    assert run_build(inbox, whole).returncode == 0
    assert assert_same_marts(nightly, whole) > 10
    assert q(nightly, "select year from marts.eip_verdict where park_name = '新园区' order by 1") == [(2021,), (2022,)]


def test_a_corrected_threshold_rebuilds_its_system_and_equals_a_full_build(tmp_path, samples_dir):
    """A corrected threshold is a one-line change in a seed, and applies to every year already loaded:
    in a copy of the project, the next build reloads that system's seeds and rebuilds what depends on
    them (not the rest), and its marts equal a full build of the same files under the corrected rules."""
    project = project_copy(tmp_path / "project")
    inbox = copy_samples(tmp_path / "inbox")
    nightly = tmp_path / "nightly" / "parks.duckdb"
    assert run_build(inbox, nightly, cwd=project).returncode == 0
    assert q(nightly, "select passed from marts.eip_assessment where seq_no = 2") == [(True,)]  # 18.85 ≥ 15
    seed = project / "seeds" / "hj274_2015" / "hj274_2015__thresholds.csv"
    text = seed.read_text(encoding="utf-8")
    assert "hj274_2015,hj02,always,,,,>=,15," in text
    # indicator 2, 人均工业增加值: ≥15 corrected to ≥20 (Zhangjiagang's 18.85 now fails)
    seed.write_text(text.replace("hj274_2015,hj02,always,,,,>=,15,", "hj274_2015,hj02,always,,,,>=,20,"), encoding="utf-8")
    parquet = tmp_path / "exports" / "parquet"
    written = {m: {f: f.stat().st_mtime_ns for f in (parquet / m).iterdir()} for m in ("indicator_trends", "eip_assessment")}
    proc = run_build(inbox, nightly, cwd=project)
    assert proc.returncode == 0, out(proc)
    assert "rules of hj274_2015 changed: their assessments are rebuilt" in proc.stderr
    summary = json.loads((tmp_path / "reports" / "latest" / "summary.json").read_text(encoding="utf-8"))
    assert summary["refresh_systems"] == ["hj274_2015"] and summary["full_refresh"] is False
    assert summary["refresh_seeds"] == ["hj274_2015/hj274_2015__thresholds.csv"]
    assert q(nightly, "select passed from marts.eip_assessment where seq_no = 2") == [(False,)]
    # a threshold re-judges: the growth series and their Parquet stay as they were, the assessment is rewritten
    assert {f: f.stat().st_mtime_ns for f in (parquet / "indicator_trends").iterdir()} == written["indicator_trends"]
    assert {f: f.stat().st_mtime_ns for f in (parquet / "eip_assessment").iterdir()} != written["eip_assessment"]
    whole = tmp_path / "whole" / "parks.duckdb"
    assert run_build(inbox, whole, cwd=project).returncode == 0
    assert_same_marts(nightly, whole)


def test_a_corrected_threshold_and_new_figures_the_same_night_are_both_applied(tmp_path, samples_dir):
    """A system's rebuild alone would read the figures as the last build left them: with new files the
    same night the marts are rebuilt whole, and hold both the new figures and the corrected rule."""
    project = project_copy(tmp_path / "project")
    inbox = copy_samples(tmp_path / "inbox")
    held = [p.name for p in inbox.iterdir() if p.name.startswith("对照考核表_张家港")]
    assert held
    for name in held:
        (inbox / name).rename(tmp_path / name)
    nightly = tmp_path / "nightly" / "parks.duckdb"
    assert run_build(inbox, nightly, cwd=project).returncode == 0
    assert q(nightly, "select count(*) from marts.eip_assessment where park_name like '张家港%'") == [(0,)]
    seed = project / "seeds" / "hj274_2015" / "hj274_2015__thresholds.csv"
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("hj274_2015,hj02,always,,,,>=,15,", "hj274_2015,hj02,always,,,,>=,20,"), encoding="utf-8")
    for name in held:
        (tmp_path / name).rename(inbox / name)
    proc = run_build(inbox, nightly, cwd=project)
    assert proc.returncode == 0, out(proc)
    assert "rules changed: the marts are rebuilt whole" in proc.stderr
    assert q(nightly, "select passed from marts.eip_assessment where park_name like '张家港%' and seq_no = 2") == [(False,)]
    whole = tmp_path / "whole" / "parks.duckdb"
    assert run_build(inbox, whole, cwd=project).returncode == 0
    assert_same_marts(nightly, whole)
