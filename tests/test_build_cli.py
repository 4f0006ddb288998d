"""`python -m ingest build` end to end on the samples: exit codes, publication, idempotency."""
import shutil
import subprocess
import sys

import duckdb

from tests.conftest import ROOT


def build(tmp_path, inbox, *extra):
    wh = tmp_path / "wh" / "parks.duckdb"
    proc = subprocess.run([sys.executable, "-m", "ingest", "build", "--inbox", str(inbox), "--warehouse", str(wh),
                           "--reports", str(tmp_path / "reports"), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    return proc, wh


def test_rejected_file_exits_10_and_the_rest_is_published(tmp_path, samples_dir):
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox)
    (inbox / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    proc, wh = build(tmp_path, inbox, "--no-dbt")
    assert proc.returncode == 10, proc.stdout + proc.stderr
    assert "broken.xlsx" in proc.stdout and "rejected" in proc.stdout
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("select count(*) from raw.observations").fetchone()[0] == 169
        assert con.execute("select status from audit.files where file_name='broken.xlsx'").fetchall() == [("rejected",)]
    # second run: the bad file was set aside, nothing new: exit 0 and the same rows
    proc2, _ = build(tmp_path, inbox, "--no-dbt")
    assert proc2.returncode == 0, proc2.stdout + proc2.stderr
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("select count(*) from raw.observations").fetchone()[0] == 169
        assert con.execute("select count(*) from audit.files").fetchone()[0] == 6
