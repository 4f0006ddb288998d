"""What a build is asked to do (BuildConfig) and what it did (BuildResult)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import exitcodes
from .parsing.limits import DEFAULT_LIMITS, Limits
from .warehouse.locations import default_state_dir

if TYPE_CHECKING:
    from .warehouse.loader import IngestReport


@dataclass
class BuildConfig:
    inbox: Path
    warehouse: Path
    reports: Path
    state_dir: Path | None = None
    exports: Path | None = None
    lock_timeout_s: float = 60.0
    publish_wait_s: float = 10.0
    move_rejected: bool = True
    run_dbt: bool = True
    report_retention: int = 30
    write_exports: bool = True
    limits: Limits = DEFAULT_LIMITS
    registry: Path | None = None  # PARKS_REGISTRY: parks registered outside the repository
    overview_parks: int = 20  # OVERVIEW_PARKS: parks detailed on the overview page of a run
    export_parks: int = 200  # EXPORT_PARKS: most assessment workbooks a build rewrites (parks export: all)

    def __post_init__(self) -> None:
        # absolute: dbt runs in the project folder, not in the caller's
        for name in ("inbox", "warehouse", "reports", "state_dir", "exports", "registry"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, Path(value).absolute())
        if self.state_dir is None:
            self.state_dir = default_state_dir(self.warehouse)

    @classmethod
    def from_env(cls, **overrides: Any) -> BuildConfig:
        env = os.environ
        values: dict[str, Any] = dict(
            inbox=Path(env.get("INBOX", "data/inbox")),
            warehouse=Path(env.get("WAREHOUSE", "warehouse/parks.duckdb")),
            reports=Path(env.get("REPORTS", "reports")),
            state_dir=Path(env["STATE_DIR"]) if env.get("STATE_DIR") else None,
            exports=Path(env.get("EXPORTS", "exports")),
            lock_timeout_s=float(env.get("LOCK_TIMEOUT", "60")),
            publish_wait_s=float(env.get("PUBLISH_WAIT", "10")),
            report_retention=int(env.get("REPORT_RETENTION", "30")),
            registry=Path(env["PARKS_REGISTRY"]) if env.get("PARKS_REGISTRY") else None,
            overview_parks=int(env.get("OVERVIEW_PARKS", "20")),
            export_parks=int(env.get("EXPORT_PARKS", "200")),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


@dataclass
class BuildResult:
    run_id: str
    exit_code: int = exitcodes.OK
    status: str = "running"
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    ingest: IngestReport | None = None
    published: bool = False
    full_refresh: bool = False
    refresh_systems: list[str] = field(default_factory=list)  # systems whose seeds changed
    refresh_seeds: list[str] = field(
        default_factory=list
    )  # those seed files (under seeds/): what depends on them is rebuilt whole
    quarantined: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    rejected_late: dict[str, str] = field(default_factory=dict)  # file name -> why (rejected after loading)
    failures: list[str] = field(default_factory=list)  # why blocked / not published / faulted
    warnings: list[str] = field(default_factory=list)
    report_path: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    t0: float = field(default_factory=time.perf_counter)  # the build's clock: timings["build_s"]
    checks: list[Any] = field(default_factory=list)  # CheckResult of every gate pass, with .pass_no
    counts: dict[str, int] = field(default_factory=dict)  # rows per published table
    previous_counts: dict[str, int] = field(default_factory=dict)
    codes: list[int] = field(default_factory=list)
    log_path: Path | None = None
    changed_parks: list[str] | None = None  # the parks this build recomputed; None: every park
    rebuilt: set[str] | None = None  # the relations dbt wrote ('marts.parks'); None: dbt did not run
    unregistered: list[dict[str, Any]] = field(default_factory=list)  # marts.unregistered_parks, published

    @property
    def expectations(self) -> int:
        return len(self.checks)

    @property
    def expectations_failed(self) -> int:
        return sum(not c.success for c in self.checks)

    def finish(self, status: str) -> None:
        self.status = status
        self.exit_code = exitcodes.worst(self.codes)
