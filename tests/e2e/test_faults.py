"""Faults made by real conditions: signals, SIGKILL at each stage, a full disk, a read-only
folder, WAREHOUSE being a directory, a damaged serving file, a client writing to it, two builds
at once, a DuckDB memory cap too small for the work. Each ends in a one-line reason and a
documented code, keeps the last good serving file, and the next build (the cause removed)
succeeds with no manual clean-up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.test_gate import new_form
from tests.support import ROOT, build_cmd, copy_samples, out, q, run_build, sha

IS_ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, samples_dir):
    tmp = tmp_path_factory.mktemp("faults")
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


def state(wh: Path) -> Path:
    return wh.parent / ".parks.state"


def dbt_processes(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (our dbt children carry the state folder)."""
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmd and "ingest.warehouse.dbt_child" in cmd:
                pids.append(int(p.name))
    return pids


def wait_for(check, timeout: float = 180.0, step: float = 0.02) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


def assert_recovers(inbox: Path, wh: Path, park: str = "新园区") -> None:
    proc = run_build(inbox, wh, None, "--lock-timeout", "5")
    assert proc.returncode == 0, out(proc)
    assert q(wh, "select count(*) from marts.eip_verdict where park_name=?", [park]) == [(1,)]
    assert not (state(wh) / "work.duckdb").exists()
    assert not list(wh.parent.glob(".parks.duckdb.*.tmp"))


@pytest.mark.parametrize("moment", ["ingest", "dbt", "publish"])
def test_sigkill_at_each_stage_keeps_everything(copy, moment):
    inbox, wh = copy
    before, history_before = sha(wh), sha(state(wh) / "history.duckdb")
    new_form(inbox)
    marker = str(state(wh))
    p = subprocess.Popen(
        build_cmd(inbox, wh, wh.parent.parent / "reports"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    if moment == "ingest":
        seen = wait_for(lambda: (state(wh) / "work.duckdb").exists(), step=0.001)
    elif moment == "dbt":
        seen = wait_for(lambda: bool(dbt_processes(marker)))
        time.sleep(2)
    else:
        seen = wait_for(lambda: bool(list(wh.parent.glob(".parks.duckdb.*.tmp"))), step=0.0005)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait(timeout=60)
    if moment != "publish":
        assert seen
        assert sha(wh) == before and sha(state(wh) / "history.duckdb") == history_before
    else:
        # killed between commit and rename: the history has the new data, the serving file is whole (old or new)
        assert q(wh, "select count(*) from marts.eip_verdict")[0][0] in (1, 2)
    assert wait_for(lambda: not dbt_processes(marker), timeout=30)  # no orphan dbt
    assert_recovers(inbox, wh)


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_ends_the_whole_tree_and_releases_the_lock(copy, sig, code):
    inbox, wh = copy
    before = sha(wh)
    new_form(inbox)
    marker = str(state(wh))
    p = subprocess.Popen(
        build_cmd(inbox, wh, wh.parent.parent / "reports"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(lambda: bool(dbt_processes(marker)))
    time.sleep(1.5)
    p.send_signal(sig)
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == code, stdout + stderr[-2000:]
    assert "interrupted" in stdout and "Traceback" not in stdout + stderr
    assert not dbt_processes(marker)  # dbt ended with the build
    assert sha(wh) == before
    assert_recovers(inbox, wh)  # the lock was released


def test_warehouse_being_a_directory(copy, tmp_path):
    inbox, _ = copy
    wh = tmp_path / "dir.duckdb"
    wh.mkdir()
    proc = run_build(inbox, wh)
    assert proc.returncode == 15, out(proc)
    assert "is a directory" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    assert wh.is_dir() and not any(wh.iterdir())
    wh.rmdir()
    assert run_build(inbox, wh).returncode == 0


def test_damaged_serving_file_is_rebuilt_from_the_history(copy):
    inbox, wh = copy
    wh.write_bytes(b"\0" * 4096 + b"garbage")
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)  # nothing new, but republished
    assert q(wh, "select count(*) from marts.eip_assessment") == [(32,)]


def test_damaged_history_store_is_a_fault_with_a_reason(copy):
    inbox, wh = copy
    before = sha(wh)
    (state(wh) / "history.duckdb").write_bytes(b"not a database at all" * 100)
    proc = run_build(inbox, wh)
    assert proc.returncode == 15, out(proc)
    assert "history store" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    assert sha(wh) == before


def test_client_writing_to_the_serving_file_blocks_publication_not_the_data(copy):
    inbox, wh = copy
    before = sha(wh)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb, sys, time\n"
                f"c = duckdb.connect({str(wh)!r})\n"
                "c.execute('delete from marts.eip_assessment')\n"
                "print('holding', flush=True)\n"
                "sys.stdin.readline()\n"
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout.readline().strip() == "holding"
    new_form(inbox)
    proc = run_build(inbox, wh, None, "--publish-wait", "1")
    assert proc.returncode == 14, out(proc)
    assert "open for writing" in proc.stdout
    assert sha(wh) == before  # not replaced under the writer
    # the data is committed in the history store: nothing is lost
    assert q(state(wh) / "history.duckdb", "select count(*) from raw.observations where park_name='新园区'") == [(4,)]
    writer.kill()  # dies without closing: its log stays
    writer.wait()
    assert Path(str(wh) + ".wal").exists()
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)  # published now; the stale log set aside
    assert not Path(str(wh) + ".wal").exists()
    assert "left by a client" in proc.stdout
    assert q(wh, "select count(*) from marts.eip_assessment") == [(64,)]  # nothing deleted by a replayed log
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='新园区'") == [(1,)]


def test_two_builds_at_once(copy):
    inbox, wh = copy
    new_form(inbox)
    lock = state(wh) / "build.lock"
    a = subprocess.Popen(
        build_cmd(inbox, wh, wh.parent.parent / "reports"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert wait_for(lambda: lock.exists() and lock.read_text().startswith(f"pid {a.pid} "), step=0.01)
    b = subprocess.Popen(
        build_cmd(inbox, wh, wh.parent.parent / "reports"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    c = subprocess.Popen(
        build_cmd(inbox, wh, wh.parent.parent / "reports", "--lock-timeout", "0.2"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    out_c, _ = c.communicate(timeout=600)
    assert c.returncode == 13 and "another build" in out_c
    assert a.wait(timeout=600) == 0 and b.wait(timeout=600) == 0
    assert q(wh, "select count(*) from raw.observations where park_name='新园区'") == [(4,)]  # nothing doubled
    assert q(wh, "select count(*) from audit.files where park_names='新园区'") == [(1,)]


needs_mount = pytest.mark.skipif(not IS_ROOT or not shutil.which("mount"), reason="needs root to mount a tmpfs")


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs mounted for the test (real ENOSPC), unmounted after."""
    mounted = []

    def make(path: Path, size: str) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
        if r.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode()[:200]}")
        mounted.append(path)
        return path

    yield make
    for p in reversed(mounted):
        subprocess.run(["umount", "-l", str(p)], capture_output=True)


@needs_mount
def test_full_disk_under_warehouse(copy, tmpfs):
    inbox, wh = copy
    disk = tmpfs(wh.parent.parent / "small", "120m")  # room for the history, its copy and two serving files
    target = disk / "wh"
    shutil.copytree(wh.parent, target)
    wh = target / "parks.duckdb"
    before = sha(wh)
    filler = disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "count=200"], capture_output=True)  # fills the disk
    new_form(inbox)
    proc = run_build(inbox, wh)
    assert proc.returncode == 15, out(proc)
    assert "no space left" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    assert sha(wh) == before
    filler.unlink()
    assert_recovers(inbox, wh)


@needs_mount
def test_full_disk_under_reports_publishes_and_says_so(copy, tmpfs):
    inbox, wh = copy
    reports = tmpfs(wh.parent.parent / "reports_small", "1m")
    subprocess.run(["dd", "if=/dev/zero", f"of={reports / 'filler'}", "bs=64k", "count=64"], capture_output=True)
    new_form(inbox)
    proc = run_build(inbox, wh, reports)
    assert proc.returncode == 15, out(proc)
    assert "no space left" in proc.stdout and "the data was published" in proc.stdout
    assert q(wh, "select count(*) from marts.eip_verdict where park_name='新园区'") == [(1,)]


@needs_mount
def test_read_only_warehouse_folder(copy):
    inbox, wh = copy
    folder = wh.parent
    before = sha(wh)
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        new_form(inbox)
        proc = run_build(inbox, wh)
        assert proc.returncode == 15, out(proc)
        assert "read-only" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
        assert sha(wh) == before
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    assert_recovers(inbox, wh)


@pytest.mark.parametrize("cap", ["2MB", "16MB"])
def test_memory_cap_too_small_is_a_fault_that_names_the_setting(copy, cap):
    inbox, wh = copy
    before = sha(wh)
    new_form(inbox)
    files = sorted(p.name for p in inbox.rglob("*") if p.is_file())
    proc = run_build(inbox, wh, env={"PARKS_DUCKDB_MEMORY": cap})
    assert proc.returncode == 15, out(proc)
    assert f"memory cap (PARKS_DUCKDB_MEMORY={cap})" in proc.stdout, out(proc)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert sha(wh) == before
    assert sorted(p.name for p in inbox.rglob("*") if p.is_file()) == files  # no file blamed or moved
    assert_recovers(inbox, wh)
