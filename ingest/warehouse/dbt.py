"""dbt in its own process group, so that a signal to the build ends dbt too and nothing is orphaned.

The child also asks the kernel to kill it when the build process dies (PR_SET_PDEATHSIG), which
covers a build killed with SIGKILL.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
PR_SET_PDEATHSIG = 1


@dataclass
class DbtRun:
    ok: bool
    seconds: float
    failures: list[dict] = field(default_factory=list)  # failed nodes, from the summary dbt prints
    log_tail: list[str] = field(default_factory=list)


def _die_with_parent() -> None:
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else "dbt"


def run(db: Path, dbt_dir: Path, args: list[str], say: Callable[[str], None], color: bool = False) -> DbtRun:
    """Run ``dbt <args>`` on ``db``; lines go to ``say``."""
    db, dbt_dir = db.absolute(), dbt_dir.absolute()  # dbt runs in the project folder
    env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    target = dbt_dir / "target"
    cmd = [
        executable(),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(dbt_dir / "logs"),
        "--use-colors" if color else "--no-use-colors",
        # manifest.json and run_results.json cost seconds a night to write and nothing reads them: the
        # failures come from dbt's own summary (failures_in), timings from its log (model_seconds)
        "--no-write-json",
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        preexec_fn=_die_with_parent,
    )
    tail: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            if len(tail) > 400:
                del tail[:200]
            say(line)
        proc.wait()
    except BaseException:
        stop(proc)
        raise
    failures = failures_in(tail) if proc.returncode else []
    return DbtRun(proc.returncode == 0, time.perf_counter() - t0, failures, tail[-40:])


def stop(proc: subprocess.Popen) -> None:
    """End dbt and everything it started: SIGTERM to the group, SIGKILL after a grace period."""
    if proc.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


_FAILURE = re.compile(r"^(?:\S+\s+)?(Failure|Error) in (\w+) (\S+) \(([^)]*)\)")
_TIMING = re.compile(r"\d+ of \d+ (?:OK|PASS|ERROR|FAIL|WARN)\b.*?(\S+)\s+\.*\s*\[[^\]]* in ([\d.]+)s\]")


def failures_in(lines: list[str]) -> list[dict]:
    """The failed nodes of a dbt run, from the summary it prints at the end ('Failure in test X (path)'
    followed by the indented message)."""
    out: list[dict] = []
    for i, line in enumerate(lines):
        text = re.sub(r"\x1b\[[0-9;]*m", "", line)
        m = _FAILURE.search(text)
        if not m:
            continue
        message = []
        for follow in lines[i + 1 : i + 12]:
            follow = re.sub(r"\x1b\[[0-9;]*m", "", follow)
            body = re.sub(r"^\d\d:\d\d:\d\d\s*", "", follow)
            if _FAILURE.search(follow) or body.startswith("Done.") or (message and not body.strip()):
                break
            if body.strip():
                message.append(body.strip())
        out.append(
            {
                "unique_id": f"{m.group(2)}.park_indicators.{m.group(3)}",
                "status": "fail" if m.group(1) == "Failure" else "error",
                "message": "\n".join(message)[:500],
                "relation": None,
            }
        )
    return out


def model_seconds(log: Path) -> dict[str, float]:
    """Seconds of each node of the last dbt run, from dbt's log file ('… OK created sql table model
    marts.x … [OK in 0.23s]'): the bench reports the slowest."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    last = text.rfind("Running with dbt=")
    out: dict[str, float] = {}
    for line in text[last if last > 0 else 0 :].splitlines():
        m = _TIMING.search(line)
        if m:
            out[m.group(1).rsplit(".", 1)[-1]] = float(m.group(2))
    return out


# ---------------------------------------------------------------- what dbt builds from

RULE_INPUTS = ("models", "macros", "seeds", "dbt_project.yml", "profiles.yml")
SYSTEMS_MARK = "|systems:"


def _hash_files(h: hashlib._Hash, files: list[Path]) -> None:
    for f in files:
        if f.is_file():
            h.update(str(f.relative_to(PROJECT_DIR)).encode())
            h.update(f.read_bytes())


def rules_hash(registry: Path | None) -> str:
    """What the marts are computed from, in two parts: everything but the indicator systems' seeds
    (models, macros, the other seeds, the project, an outside registry), and one hash per system
    folder. A change of the first rebuilds the marts whole; a change of one system's seeds (a
    corrected threshold) rebuilds that system's assessments only (refresh_scope)."""
    systems = indicator_systems()["indicator_systems"]
    system_dirs = {PROJECT_DIR / "seeds" / s for s in systems}
    h = hashlib.sha256()
    for name in RULE_INPUTS:
        p = PROJECT_DIR / name
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        _hash_files(h, [f for f in files if not any(d in f.parents for d in system_dirs)])
    if registry is not None and registry.is_file():
        h.update(registry.read_bytes())
    parts = []
    for s in systems:
        hs = hashlib.sha256()
        _hash_files(hs, sorted((PROJECT_DIR / "seeds" / s).rglob("*")))
        parts.append(f"{s}={hs.hexdigest()[:12]}")
    return h.hexdigest()[:16] + SYSTEMS_MARK + ",".join(parts)


def refresh_scope(previous: str | None, current: str) -> str | list[str] | None:
    """What a build rebuilds whole: "all" (the first build, or a change of models, macros, shared
    seeds or the set of systems), the systems whose seeds changed, or None (nothing: incremental)."""
    if previous is None:
        return "all"
    if previous == current:
        return None
    prev_base, _, prev_systems = previous.partition(SYSTEMS_MARK)
    cur_base, _, cur_systems = current.partition(SYSTEMS_MARK)
    before = dict(p.split("=", 1) for p in prev_systems.split(",") if "=" in p)
    now = dict(p.split("=", 1) for p in cur_systems.split(",") if "=" in p)
    if prev_base != cur_base or set(before) != set(now):
        return "all"
    return sorted(s for s in now if before[s] != now[s])


def dbt_args(scope: str | list[str] | None) -> list[str]:
    """The arguments of `dbt build` for a refresh scope. A night's build runs the models that read
    the raw data and their data tests only (the seeds are loaded, the unit tests cannot change their
    verdict); a system whose
    seeds changed is reloaded and everything downstream of its seeds rebuilt whole, with every park
    marked changed; a change of anything else rebuilds everything."""
    args = ["build", "--vars", json.dumps(indicator_systems())]
    if scope == "all":
        return args + ["--full-refresh"]
    if scope:
        seeds = [f"path:seeds/{s}+" for s in scope]
        return args + [
            "--full-refresh",
            "--select",
            "changed_parks",
            "changed_park_years",
            *seeds,
            "--exclude",
            "resource_type:unit_test",
        ]
    # a night with new files and no rule change: what reads the raw data, nothing else. Models that
    # read seeds only, the views (their SQL is unchanged, their rows live) and the exposures are
    # as the last build left them; each node costs dbt about 0.1 s however small it is
    return args + [
        "--select",
        "source:*+",
        "--exclude",
        "resource_type:unit_test",
        "resource_type:seed",
        "resource_type:exposure",
        "config.materialized:view",
    ]


OPTIONAL_SYSTEM_SEEDS = ("thresholds", "component_terms", "groups", "grades")


def indicator_systems() -> dict[str, list[str]]:
    """The indicator systems to evaluate: every folder of seeds/ holding <folder>__indicators.csv, and
    the optional seed files they have (adding a system is adding a folder)."""
    seeds = PROJECT_DIR / "seeds"
    systems = sorted(d.name for d in seeds.iterdir() if d.is_dir() and (d / f"{d.name}__indicators.csv").exists())
    optional = sorted(
        f.stem for s in systems for kind in OPTIONAL_SYSTEM_SEEDS for f in (seeds / s).glob(f"{s}__{kind}.csv")
    )
    return {"indicator_systems": systems, "system_seed_files": optional}
