"""Hostile files and file-system entries in one inbox: each is rejected (or loaded with findings)
with a reason naming the file, sheet and cell; nothing else is lost; the next night is quiet."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests import hostile
from tests.support import copy_samples, out, q, run_build

IS_ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory, samples_dir):
    tmp = tmp_path_factory.mktemp("hostile")
    inbox = copy_samples(tmp / "inbox")
    h = inbox / "hostile"
    hostile.inflating_sheet(h / "bomb_1g.xlsx", int(1.1 * 2**30))
    hostile.inflating_sheet(h / "bomb_200m.xlsx", 200 * 2**20)
    hostile.lying_size_bomb(h / "lying_size.xlsx")
    hostile.stray_cell(h / "stray_cell.xlsx")
    hostile.stray_cell_xls(h / "stray_cell.xls")
    hostile.whole_grid_dimension(h / "whole_grid_dimension.xlsx")
    hostile.repeated_year_columns(h / "repeated_years.xlsx")
    hostile.duplicate_sheet_names(h / "two_sheets_one_name.xlsx")
    hostile.long_masked_cells(h / "long_masked.xlsx")
    hostile.nan_and_inf(h / "nan_inf.xlsx")
    hostile.billion_laughs(h / "laughs.xlsx")
    hostile.xxe(h / "xxe.xlsx")
    hostile.injection_names(h / "injection.xlsx")
    hostile.with_vba(h / "macro.xlsm")
    wh = tmp / "wh" / "parks.duckdb"
    proc = run_build(inbox, wh, None, "--json")
    return inbox, wh, proc, tmp


def _files(proc) -> dict[str, dict]:
    return {f["file"]: f for f in json.loads(proc.stdout)["files"]}


def test_one_build_rejects_each_hostile_file_with_its_reason_and_publishes_the_rest(hostile_build):
    inbox, wh, proc, _ = hostile_build
    assert proc.returncode == 10, out(proc)
    files = _files(proc)
    rejected = {name: f["reason"] for name, f in files.items() if f["status"] == "rejected"}
    assert set(rejected) == {
        f"hostile/{n}"
        for n in (
            "bomb_1g.xlsx",
            "bomb_200m.xlsx",
            "lying_size.xlsx",
            "stray_cell.xlsx",
            "stray_cell.xls",
            "two_sheets_one_name.xlsx",
            "laughs.xlsx",
            "xxe.xlsx",
        )
    }
    assert "decompression bomb" in rejected["hostile/bomb_1g.xlsx"] and "sheet 's'" in rejected["hostile/bomb_1g.xlsx"]
    assert "sheet '统计', cell XFD1048576" in rejected["hostile/stray_cell.xlsx"]
    assert "sheet '统计', cell IV65536" in rejected["hostile/stray_cell.xls"]
    assert "both named '统计'" in rejected["hostile/two_sheets_one_name.xlsx"]
    for name, reason in rejected.items():
        assert reason.startswith(name + ":"), reason  # every reason names the file
        assert (inbox / "rejected" / Path(name).name).exists()
        assert (inbox / "rejected" / (Path(name).name + ".reason.txt")).exists()
    # everything else is published: the samples and the hostile files that are only odd
    assert q(wh, "select count(distinct file_name) from raw.observations") == [(11,)]
    assert q(wh, "select count(*) from marts.eip_assessment") == [(32,)]


def test_odd_content_loads_with_findings_at_the_cell(hostile_build):
    _, wh, _, _ = hostile_build
    findings = q(
        wh, "select file_name, sheet, cell, code from audit.findings where file_name like 'hostile/%' order by 1, 3"
    )
    codes = {(f, c) for f, _, _, c in findings}
    assert ("hostile/nan_inf.xlsx", "not_finite") in codes
    assert ("hostile/repeated_years.xlsx", "duplicate_figure") in codes
    assert ("hostile/long_masked.xlsx", "not_a_number") in codes
    # one figure per (park, year, indicator) however often a file repeats it
    assert q(wh, "select year, value from marts.indicator_values where park_name='重园区' order by year") == [
        (2019, 100.0),
        (2020, 106.0),
    ]
    assert q(wh, "select count(*) from raw.observations where file_name='hostile/repeated_years.xlsx'") == [(16000,)]
    # the declared whole-grid dimension is only a hint: the two stored rows load
    assert q(wh, "select count(*) from marts.indicator_values where park_name='维园区'") == [(2,)]


def test_names_are_data_never_markup_or_sql(hostile_build):
    _, wh, _, tmp = hostile_build
    park = "<script>alert(1)</script>'; drop table raw.observations; --"
    assert q(wh, "select count(*) from raw.observations where park_name = ?", [park]) == [(2,)]
    page = (tmp / "reports" / "latest" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>表</b>" not in page


def test_the_next_night_is_quiet(hostile_build):
    inbox, wh, _, _ = hostile_build
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)
    assert "nothing new" in proc.stdout


def test_file_system_entries_each_handled_without_stopping_the_others(tmp_path, samples_dir):
    inbox = copy_samples(tmp_path / "inbox")
    outside = tmp_path / "outside"
    outside.mkdir()
    hostile.good_statistics(outside / "secret.xlsx", "外园区")
    os.symlink(outside / "secret.xlsx", inbox / "link_outside.xlsx")
    os.symlink(tmp_path / "nowhere.xlsx", inbox / "dangling.xlsx")
    os.mkfifo(inbox / "pipe.xlsx")
    (inbox / "folder.xlsx").mkdir()
    hostile.good_statistics(inbox / "folder.xlsx" / "inside.xlsx", "夹园区")
    long_name = "长" * 80 + ".xlsx"  # 245 bytes
    (inbox / long_name).write_bytes(b"not a workbook")
    bad_name = os.fsencode(inbox) + b"/caf\xe9.xlsx"  # not UTF-8
    with open(bad_name, "wb") as fh:
        fh.write(b"not a workbook either")
    wh = tmp_path / "wh" / "parks.duckdb"
    proc = run_build(inbox, wh, None, "--json")
    assert proc.returncode == 10, out(proc)
    files = _files(proc)
    assert files["link_outside.xlsx"]["status"] == "rejected" and "link" in files["link_outside.xlsx"]["reason"]
    assert files["dangling.xlsx"]["status"] == "rejected" and "does not exist" in files["dangling.xlsx"]["reason"]
    assert files["pipe.xlsx"]["status"] == "rejected" and "FIFO" in files["pipe.xlsx"]["reason"]
    assert files["folder.xlsx/inside.xlsx"]["status"] == "loaded"  # a folder, whatever its name
    assert files[long_name]["status"] == "rejected"
    assert files["caf\\xe9.xlsx"]["status"] == "rejected"
    # nothing from outside INBOX was read; the link itself was set aside, its target untouched
    assert q(wh, "select count(*) from raw.observations where park_name='外园区'") == [(0,)]
    assert (outside / "secret.xlsx").exists() and os.path.islink(inbox / "rejected" / "link_outside.xlsx")
    # every reason file is written, the long name's under a shortened name
    reasons = [p.name for p in (inbox / "rejected").iterdir() if p.name.endswith(".reason.txt")]
    assert len(reasons) == 5 and all(len(os.fsencode(r)) <= 255 for r in reasons)
    assert os.path.exists(os.fsencode(inbox) + b"/rejected/caf\xe9.xlsx")
    assert q(wh, "select count(*) from raw.observations") == [(169 + 2,)]
    again = run_build(inbox, wh)
    assert again.returncode == 0 and "nothing new" in again.stdout, out(again)


@pytest.mark.skipif(
    not IS_ROOT or not shutil.which("setpriv") or not os.path.exists("/usr/bin/python3"),
    reason="needs root to drop to another user",
)
def test_unreadable_file_is_a_reason_not_a_crash(tmp_path):
    """Mode 000 under a user that cannot read it: the scan gives a reason (stdlib only, so the
    system Python runs it as nobody). Everything nobody needs is copied into a folder of its own
    under /tmp that nobody may enter: the checkout and pytest's folders may be 0700 (a root home, a
    mktemp -d), and no mode outside that folder is changed."""
    work = Path(tempfile.mkdtemp(prefix="parks-nobody-", dir="/tmp"))
    try:
        code_dir = work / "code"
        shutil.copytree(
            Path(__file__).resolve().parents[2] / "ingest", code_dir / "ingest", ignore=shutil.ignore_patterns("__pycache__")
        )
        inbox = work / "inbox"
        hostile.good_statistics(inbox / "locked.xlsx")
        hostile.good_statistics(inbox / "open.xlsx", "开园区")
        for d, _, files in os.walk(work):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(Path(d) / f, 0o644)
        os.chmod(inbox / "locked.xlsx", 0)
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
            "from ingest.warehouse import inbox; "
            "print([(e.name, e.problem) for e in inbox.scan(Path(sys.argv[2]), 1 << 26)])"
        )
        r = subprocess.run(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "/usr/bin/python3",
                "-c",
                code,
                str(code_dir),
                str(inbox),
            ],
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    entries = dict(eval(r.stdout))
    assert entries["open.xlsx"] is None
    assert "permission denied" in entries["locked.xlsx"]
