"""`make build`: inbox -> build database -> dbt -> quality gate -> atomic publish of WAREHOUSE."""
from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import exitcodes, publish, store
from .loader import IngestReport, ingest_inbox
from .parks import load_aliases

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass
class BuildConfig:
    inbox: Path
    warehouse: Path
    reports: Path
    lock_timeout_s: float = 60.0
    move_rejected: bool = True
    run_dbt: bool = True
    dbt_args: list[str] = field(default_factory=list)

    @property
    def build_dir(self) -> Path:
        return self.warehouse.parent / ".build"


@dataclass
class BuildResult:
    run_id: str
    exit_code: int
    ingest: IngestReport | None = None
    published: bool = False
    lines: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def new_run_id() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else "dbt"


def run_dbt(build_db: Path, command: list[str], extra: list[str] | None = None) -> int:
    """dbt in its own process: dbt-duckdb keeps its connection open while it lives."""
    env = dict(os.environ, DBT_DUCKDB_PATH=str(build_db))
    args = [dbt_executable(), *command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            *(extra or [])]
    return subprocess.run(args, env=env, cwd=PROJECT_DIR).returncode


def build(cfg: BuildConfig) -> BuildResult:
    run_id = new_run_id()
    result = BuildResult(run_id, exitcodes.OK)
    try:
        with publish.build_lock(cfg.warehouse, cfg.lock_timeout_s):
            _build_locked(cfg, result)
    except publish.LockBusy as exc:
        result.exit_code = exitcodes.LOCKED
        result.lines.append(f"refused: {exc}")
    return result


def _build_locked(cfg: BuildConfig, result: BuildResult) -> None:
    cfg.build_dir.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(cfg.build_dir)
    build_db = cfg.build_dir / f"{result.run_id}.duckdb"
    codes: list[int] = []

    t0 = time.perf_counter()
    con = store.connect(str(build_db))
    try:
        copied = publish.copy_history(con, cfg.warehouse)
        say(f"run {result.run_id}: build file {build_db} ({copied} history rows from {cfg.warehouse})")
        report = ingest_inbox(con, cfg.inbox, result.run_id, load_aliases(PROJECT_DIR / "seeds" / "park_registry.csv"),
                              move_rejected=cfg.move_rejected)
    finally:
        con.close()
    result.ingest = report
    result.timings["ingest_s"] = time.perf_counter() - t0
    result.lines.append(
        f"ingest: {report.count('loaded')} loaded ({report.observations} observations), "
        f"{report.count('duplicate')} duplicate, {report.count('rejected')} rejected, "
        f"{report.count('known')} already loaded")
    for bad in report.rejected:
        result.lines.append(f"  rejected: {bad.message}")
    if report.rejected:
        codes.append(exitcodes.REJECTED)

    if cfg.run_dbt:
        t1 = time.perf_counter()
        rc = run_dbt(build_db, ["build"], cfg.dbt_args)
        result.timings["dbt_s"] = time.perf_counter() - t1
        if rc != 0:
            result.lines.append(f"dbt build failed (exit {rc}): publication blocked, {cfg.warehouse} unchanged")
            result.exit_code = exitcodes.worst(codes + [exitcodes.BLOCKED])
            return

    t2 = time.perf_counter()
    staged = cfg.build_dir / f"{result.run_id}.publish.duckdb"
    publish.write_serving_copy(build_db, staged)
    publish.atomic_replace(staged, cfg.warehouse)
    build_db.unlink(missing_ok=True)
    result.timings["publish_s"] = time.perf_counter() - t2
    result.published = True
    result.lines.append(f"published {cfg.warehouse}")
    result.exit_code = exitcodes.worst(codes)


def _clean_leftovers(build_dir: Path) -> None:
    """Files of builds that were killed: we hold the lock, so no one else is using them."""
    for path in build_dir.glob("*.duckdb*"):
        path.unlink(missing_ok=True)
