"""dbt in its own process group, so that a signal to the build ends dbt too and nothing is orphaned.
The process (dbt_child) starts with the build and reads the project before it gets its command.

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

from .locations import DBT_DIR, WORK_FILE

PROJECT_DIR = Path(__file__).resolve().parents[2]
PR_SET_PDEATHSIG = 1


@dataclass
class DbtRun:
    ok: bool
    seconds: float
    failures: list[dict] = field(default_factory=list)  # failed nodes, from the summary dbt prints
    log_tail: list[str] = field(default_factory=list)
    built: set[str] = field(default_factory=set)  # the relations dbt wrote ('marts.system_assessment')


def _die_with_parent() -> None:
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


class DbtProcess:
    """The build's dbt process (dbt_child): started early, it imports dbt and parses the project
    while the build copies the history and ingests; ``run`` gives it its one command."""

    def __init__(self, db: Path, dbt_dir: Path, color: bool = False):
        db, dbt_dir = db.absolute(), dbt_dir.absolute()  # dbt runs in the project folder
        env = dict(os.environ, DBT_DUCKDB_PATH=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
        options = [
            "--vars",
            json.dumps(indicator_systems()),
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(dbt_dir / "target"),
            "--log-path",
            str(dbt_dir / "logs"),
            "--use-colors" if color else "--no-use-colors",
            # manifest.json and run_results.json cost seconds a night to write and nothing reads them: the
            # failures come from dbt's own summary (failures_in), timings from its log (model_seconds)
            "--no-write-json",
            # the log file at info: a line per node with its time (model_seconds), not every statement
            # (the SQL is under target/run); writing the debug lines cost 0.6 s of a 7 s night
            "--log-level-file",
            "info",
        ]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.warehouse.dbt_child", *options],
            env=env,
            cwd=PROJECT_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            preexec_fn=_die_with_parent,
        )

    @classmethod
    def for_build(cls, state_dir: Path, color: bool = False) -> DbtProcess:
        """The process of a build whose history is in ``state_dir`` (its copy is what dbt opens)."""
        return cls(state_dir / WORK_FILE, state_dir / DBT_DIR, color)

    def run(self, command: list[str], say: Callable[[str], None]) -> DbtRun:
        """Run ``dbt <command>``; its lines go to ``say``. The seconds count from this call."""
        proc, t0 = self.proc, time.perf_counter()
        tail: list[str] = []
        built: set[str] = set()
        try:
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(json.dumps(command) + "\n")
                proc.stdin.close()
            except BrokenPipeError:
                pass  # dbt ended before its command (it could not start): its output says why
            for line in proc.stdout:
                line = line.rstrip("\n")
                tail.append(line)
                if len(tail) > 400:
                    del tail[:200]
                relation = built_relation(line)
                if relation:
                    built.add(relation)
                say(line)
            proc.wait()
        except BaseException:
            stop(proc)
            raise
        failures = failures_in(tail) if proc.returncode else []
        return DbtRun(proc.returncode == 0, time.perf_counter() - t0, failures, tail[-40:], built)

    def close(self) -> None:
        """End the process if it never ran its command (the build stopped before dbt)."""
        stop(self.proc)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()


def run(db: Path, dbt_dir: Path, args: list[str], say: Callable[[str], None], color: bool = False) -> DbtRun:
    """Run ``dbt <args>`` on ``db`` in a process of its own; lines go to ``say``."""
    dbt = DbtProcess(db, dbt_dir, color)
    try:
        return dbt.run(args, say)
    finally:
        dbt.close()


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


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BUILT = re.compile(r"\d+ of \d+ OK created sql \w+ model (\S+)")
_FAILURE = re.compile(r"^(?:\S+\s+)?(Failure|Error) in (\w+) (\S+) \(([^)]*)\)")
_TIMING = re.compile(r"\d+ of \d+ (?:OK|PASS|ERROR|FAIL|WARN)\b.*?(\S+)\s+\.*\s*\[[^\]]* in ([\d.]+)s\]")


def built_relation(line: str) -> str | None:
    """The relation a line of dbt's progress says it wrote ('… OK created sql table model marts.x')."""
    m = _BUILT.search(_ANSI.sub("", line))
    return m.group(1) if m else None


def failures_in(lines: list[str]) -> list[dict]:
    """The failed nodes of a dbt run, from the summary it prints at the end ('Failure in test X (path)'
    followed by the indented message)."""
    out: list[dict] = []
    for i, line in enumerate(lines):
        text = _ANSI.sub("", line)
        m = _FAILURE.search(text)
        if not m:
            continue
        message = []
        for follow in lines[i + 1 : i + 12]:
            follow = _ANSI.sub("", follow)
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
# The rules recorded by a build that ran no dbt (--no-dbt): no rules match it, the next build with
# dbt rebuilds the marts whole.
MARTS_BEHIND = "marts-behind"
SYSTEMS_MARK = "|systems:"


def _hash_files(h: hashlib._Hash, files: list[Path]) -> None:
    for f in files:
        if f.is_file():
            h.update(str(f.relative_to(PROJECT_DIR)).encode())
            h.update(f.read_bytes())


def rules_hash(registry: Path | None) -> str:
    """What the marts are computed from, in two parts: everything but the indicator systems' seeds
    (models, macros, the other seeds, the project, an outside registry), and one hash per seed file
    of each system folder. A change of the first rebuilds the marts whole; a change of a system's
    seed file (a corrected threshold) rebuilds what depends on that file only (refresh_scope)."""
    systems = indicator_systems()["indicator_systems"]
    seeds = PROJECT_DIR / "seeds"
    system_dirs = {seeds / s for s in systems}
    h = hashlib.sha256()
    for name in RULE_INPUTS:
        p = PROJECT_DIR / name
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        _hash_files(h, [f for f in files if not any(d in f.parents for d in system_dirs)])
    if registry is not None and registry.is_file():
        h.update(registry.read_bytes())
    parts = {
        f.relative_to(seeds).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()[:12]
        for s in systems
        for f in sorted((seeds / s).rglob("*"))
        if f.is_file()
    }
    return h.hexdigest()[:16] + SYSTEMS_MARK + json.dumps(parts, ensure_ascii=False, sort_keys=True)


def refresh_scope(previous: str | None, current: str) -> str | list[str] | None:
    """What a build rebuilds whole: "all" (the first build, or a change of models, macros, shared
    seeds or of the files of the systems), the system seed files whose content changed (paths under
    seeds/), or None (nothing: incremental)."""
    if previous is None or previous == MARTS_BEHIND:
        return "all"
    if previous == current:
        return None
    prev_base, _, prev_files = previous.partition(SYSTEMS_MARK)
    cur_base, _, cur_files = current.partition(SYSTEMS_MARK)
    try:
        before, now = json.loads(prev_files), json.loads(cur_files)
    except ValueError:  # recorded by a version that hashed whole folders: rebuild once
        return "all"
    if prev_base != cur_base or set(before) != set(now):
        return "all"
    return sorted(f for f in now if before[f] != now[f])


def dbt_args(scope: str | list[str] | None) -> list[str]:
    """The arguments of `dbt build` for a refresh scope. A night's build runs the models that read
    the raw data and their data tests only (the seeds are loaded, the unit tests cannot change their
    verdict); a system whose
    seed file changed is reloaded and everything downstream of that file rebuilt whole, with every
    park marked changed (a threshold re-judges; it does not recompute the values); a change of
    anything else rebuilds everything."""
    args = ["build"]  # the project's variables come with the process (DbtProcess)
    if scope == "all":
        return args + ["--full-refresh"]
    if scope:
        seeds = [f"path:seeds/{f}+" for f in scope]
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
