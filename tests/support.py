"""Helpers shared by the tests: run the real `parks build`, query a DuckDB file read-only."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "inbox"  # the bundled sample workbooks
PARKS = [sys.executable, "-m", "ingest"]


def build_cmd(inbox: Path, wh: Path, reports: Path, *extra: str) -> list[str]:
    return [
        *PARKS,
        "build",
        "--inbox",
        str(inbox),
        "--warehouse",
        str(wh),
        "--reports",
        str(reports),
        "--exports",
        str(wh.parent.parent / "exports"),
        *extra,
    ]


def run_build(
    inbox: Path,
    wh: Path,
    reports: Path | None = None,
    *extra: str,
    env: dict[str, str] | None = None,
    timeout: float = 900,
    user: str | None = None,
    cwd: Path = ROOT,
) -> subprocess.CompletedProcess:
    """`parks build`; ``cwd`` a copy of the project (project_copy) runs that copy's models and seeds."""
    reports = reports or wh.parent.parent / "reports"
    cmd = build_cmd(inbox, wh, reports, *extra)
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]  # numeric ids
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def project_copy(dest: Path) -> Path:
    """The project without its virtualenv and outputs: a place to correct a threshold."""
    shutil.rmtree(dest, ignore_errors=True)
    skip = {".venv", ".git", "target", "logs", "warehouse", "reports", "exports"}
    shutil.copytree(
        ROOT, dest, ignore=lambda d, names: [n for n in names if n == "__pycache__" or (Path(d) == ROOT and n in skip)]
    )
    return dest


# what differs between two builds of the same figures: when and by which run they were loaded
RUN_COLUMNS = ("run_id", "load_seq", "superseded_by_seq")


def assert_same_marts(a: Path, b: Path, skip_tables: tuple[str, ...] = (), skip_columns: set[str] | None = None) -> int:
    """Every mart of ``a`` holds the same rows as in ``b`` (both ways, duplicates counted), the run's
    columns and times aside; returns how many marts were compared."""
    with duckdb.connect() as con:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        marts = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where database_name = 'a' and schema_name = 'marts' order by 1"
            ).fetchall()
            if t not in skip_tables
        ]
        for t in marts:
            cols = ", ".join(
                f'"{c}"'
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'a' and schema_name = 'marts' "
                    "and table_name = ? order by column_index",
                    [t],
                ).fetchall()
                if c not in RUN_COLUMNS and not c.endswith("_at") and c not in (skip_columns or set())
            )
            for x, y in (("a", "b"), ("b", "a")):
                diff = con.execute(
                    f'select {cols} from {x}.marts."{t}" except all select {cols} from {y}.marts."{t}"'
                ).fetchall()
                assert diff == [], f"marts.{t}: rows of {x} not in {y}: {diff[:3]}"
    return len(marts)


def q(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_samples(dest: Path) -> Path:
    shutil.copytree(SAMPLES, dest)
    return dest


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout + "\n--- stderr ---\n" + proc.stderr[-4000:]
