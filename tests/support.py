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
) -> subprocess.CompletedProcess:
    reports = reports or wh.parent.parent / "reports"
    cmd = build_cmd(inbox, wh, reports, *extra)
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]  # numeric ids
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


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
