"""`make build`: inbox -> build file -> dbt -> quality gate -> atomic publish of WAREHOUSE.

Write-Audit-Publish: everything is written to a private build file; the serving file is only ever
replaced whole by a rename, and only when the gate passes. A row-level failure quarantines its
park-year (kept out of the marts, dbt rebuilt without it); a table-level failure blocks publication
and the last good serving file stays, with this run's audit rows added to it.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import exitcodes, publish, store
from .loader import IngestReport, ingest_inbox
from .parks import load_aliases

PROJECT_DIR = Path(__file__).resolve().parent.parent
MAX_GATE_PASSES = 3
AUDIT_OF_RUN = ("runs", "dq_results", "quarantine")  # what a blocked run still records in WAREHOUSE


@dataclass
class BuildConfig:
    inbox: Path
    warehouse: Path
    reports: Path
    lock_timeout_s: float = 60.0
    move_rejected: bool = True
    run_dbt: bool = True

    @property
    def build_dir(self) -> Path:
        return self.warehouse.parent / ".build"


@dataclass
class BuildResult:
    run_id: str
    exit_code: int = exitcodes.OK
    status: str = "running"
    ingest: IngestReport | None = None
    published: bool = False
    quarantined: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    report_path: Path | None = None
    lines: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    expectations: int = 0
    expectations_failed: int = 0
    warnings: list[str] = field(default_factory=list)


def new_run_id() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def fault_point(name: str) -> None:
    """Fault injection for the tests: PARKS_FAULT=<name> kills the build here, as a crash or
    `kill -9` would."""
    if os.environ.get("PARKS_FAULT") == name:
        say(f"PARKS_FAULT={name}: killing the build")
        os.kill(os.getpid(), signal.SIGKILL)


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else "dbt"


def run_dbt(build_db: Path, command: list[str], run_id: str) -> int:
    """dbt in its own process: dbt-duckdb keeps its connection open while it lives."""
    env = dict(os.environ, DBT_DUCKDB_PATH=str(build_db))
    args = [dbt_executable(), *command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--vars", json.dumps({"run_id": run_id})]
    return subprocess.run(args, env=env, cwd=PROJECT_DIR, stdout=sys.stderr).returncode


def build(cfg: BuildConfig) -> BuildResult:
    result = BuildResult(new_run_id())
    try:
        with publish.build_lock(cfg.warehouse, cfg.lock_timeout_s):
            _build_locked(cfg, result)
    except publish.LockBusy as exc:
        result.exit_code, result.status = exitcodes.LOCKED, "locked"
        result.lines.append(f"refused: {exc}")
    return result


def _build_locked(cfg: BuildConfig, result: BuildResult) -> None:
    from expectations import gate  # GX is slow to import: only when a build runs

    started = dt.datetime.now()
    t0 = time.perf_counter()
    cfg.build_dir.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(cfg.build_dir)
    build_db = cfg.build_dir / f"{result.run_id}.duckdb"
    previous = gate.table_counts(cfg.warehouse)
    codes: list[int] = []

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
    result.lines += [f"  rejected: {bad.message}" for bad in report.rejected]
    if report.rejected:
        codes.append(exitcodes.REJECTED)
    fault_point("after_ingest")

    report_root = cfg.reports / result.run_id
    result.report_path = report_root / "index.html"
    blocked = None
    passes: list[tuple[int, "gate.GateResult"]] = []
    t1 = time.perf_counter()
    if cfg.run_dbt and run_dbt(build_db, ["build"], result.run_id) != 0:
        blocked = "dbt build failed (a model or a dbt test): see the dbt log above"
    result.timings["dbt_s"] = time.perf_counter() - t1
    fault_point("after_dbt")

    validation_s = 0.0
    for gate_pass in range(1, MAX_GATE_PASSES + 1):
        if blocked:
            break
        g = gate.validate(build_db, report_root / f"pass{gate_pass}", previous)
        validation_s += g.seconds
        passes.append((gate_pass, g))
        with store.connect(str(build_db)) as con:
            gate.record(con, result.run_id, g, gate_pass)
        if g.table_failures:
            blocked = "table-level checks failed: " + "; ".join(
                f"{r.suite}.{r.column or ''} {r.expectation} (observed {r.observed})" for r in g.table_failures)
            break
        new = {k: v for k, v in g.row_failures.items() if k not in result.quarantined}
        if not new:
            break
        if gate_pass == MAX_GATE_PASSES or not cfg.run_dbt:
            blocked = f"row-level failures remain after quarantine: {sorted(new)}"
            break
        result.quarantined.update(new)
        _write_quarantine(build_db, result.run_id, new)
        say(f"quarantined {len(new)} park-year(s): {sorted(new)}; rebuilding the marts without them")
        t2 = time.perf_counter()
        if run_dbt(build_db, ["build"], result.run_id) != 0:
            blocked = "dbt build failed after quarantine"
        result.timings["dbt_s"] += time.perf_counter() - t2
    result.timings["validation_s"] = validation_s
    fault_point("after_gate")

    all_results = [r for _, g in passes for r in g.results]
    result.expectations = len(all_results)
    result.expectations_failed = sum(not r.success for r in all_results)
    if passes:
        result.warnings = [f"{w.suite} ({w.observed}): " + "; ".join(
            f"{row.get('indicator_name')} unit {row.get('unit')!r} at "
            f"{row.get('source_file')}!{row.get('source_sheet')}!{row.get('source_cell')}" for row in w.failing_rows[:3])
            for w in passes[-1][1].warnings]
    if result.quarantined:
        codes.append(exitcodes.QUARANTINED)
    if blocked:
        codes.append(exitcodes.BLOCKED)
        result.failures.append(blocked)
    result.exit_code = exitcodes.worst(codes)
    result.status = "blocked" if blocked else "published"
    result.timings["build_s"] = time.perf_counter() - t0
    with store.connect(str(build_db)) as con:
        findings = con.execute("select file_name, sheet, cell, severity, code, message from audit.findings "
                               "where run_id = ? order by all", [result.run_id]).fetchall()
    _write_report(report_root, result, passes, findings)
    _write_run(build_db, result, started)

    staged = cfg.build_dir / f"{result.run_id}.publish.duckdb"
    if blocked:
        result.lines.append(f"publication BLOCKED: {blocked}")
        if cfg.warehouse.exists():
            # keep the last good marts; record this run's audit rows beside them
            publish.write_serving_copy(cfg.warehouse, staged)
            publish.append_audit(staged, build_db, AUDIT_OF_RUN)
            fault_point("before_rename")
            publish.atomic_replace(staged, cfg.warehouse)
            result.lines.append(f"{cfg.warehouse}: last good marts kept, this run recorded in audit.runs")
        return  # the build file stays in .build/ for inspection until the next build
    publish.write_serving_copy(build_db, staged)
    fault_point("before_rename")
    publish.atomic_replace(staged, cfg.warehouse)
    build_db.unlink(missing_ok=True)
    result.published = True
    result.lines.append(f"published {cfg.warehouse}")


def _write_quarantine(build_db: Path, run_id: str, found: dict[tuple[str, int], list[str]]) -> None:
    now = dt.datetime.now()
    with store.connect(str(build_db)) as con:
        con.executemany("insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?)",
                        [(run_id, park, year, reasons[0].split(":")[0], "row-level", " | ".join(reasons), now)
                         for (park, year), reasons in found.items()])


def _write_run(build_db: Path, r: BuildResult, started: dt.datetime) -> None:
    ing = r.ingest
    with store.connect(str(build_db)) as con:
        con.execute("insert into audit.runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            r.run_id, started, dt.datetime.now(), r.status, r.exit_code,
            ing.count("loaded") if ing else 0, ing.count("duplicate") if ing else 0,
            ing.count("rejected") if ing else 0, ing.observations if ing else 0,
            len(r.quarantined), r.expectations, r.expectations_failed,
            round(r.timings.get("validation_s", 0.0), 3), round(r.timings.get("build_s", 0.0), 3),
            str(r.report_path) if r.report_path else None, "; ".join(r.failures) or None])


def _write_report(root: Path, r: BuildResult, passes: list, findings: list[tuple]) -> None:
    """REPORTS/<run>/index.html: the run at a glance, linking each gate pass's Data Docs."""
    import html

    root.mkdir(parents=True, exist_ok=True)
    ing = r.ingest
    items = []
    for gate_pass, g in passes:
        bad = [x for x in g.results if not x.success]
        docs = "" if g.docs_complete else f" <b>Data Docs shows {g.docs_pages} validation pages; see summary.json</b>"
        items.append(f"<li><a href='pass{gate_pass}/index.html'>gate pass {gate_pass}</a>: "
                     f"{len(g.results)} expectations, {len(bad)} failed, {g.seconds:.1f}s{docs}<ul>"
                     + "".join(f"<li>[{x.level}] {html.escape(x.suite)} · {html.escape(x.expectation)} · "
                               f"{html.escape(x.column or '')}: {html.escape(x.observed or '')}<pre>"
                               f"{html.escape(json.dumps(x.failing_rows[:5], ensure_ascii=False, indent=1))}</pre></li>"
                               for x in bad) + "</ul></li>")
    quarantine = "".join(f"<li>{html.escape(p)} {y}: {html.escape(' | '.join(reasons))}</li>"
                         for (p, y), reasons in sorted(r.quarantined.items()))
    rejected = "".join(f"<li>{html.escape(o.message)}</li>" for o in (ing.rejected if ing else []))
    body = f"""<!doctype html><meta charset="utf-8"><title>Load {r.run_id}</title>
<h1>Load {html.escape(r.run_id)}: {html.escape(r.status)} (exit {r.exit_code})</h1>
<p>Files: {ing.count('loaded') if ing else 0} loaded ({ing.observations if ing else 0} observations),
{ing.count('duplicate') if ing else 0} duplicate, {ing.count('rejected') if ing else 0} rejected.</p>
<h2>Rejected files</h2><ul>{rejected or '<li>none</li>'}</ul>
<h2>Quarantined park-years (kept out of the marts)</h2><ul>{quarantine or '<li>none</li>'}</ul>
<h2>Cell findings of the files loaded</h2><ul>{''.join(
        f"<li>{html.escape(f[0])} · {html.escape(f[1] or '')}!{html.escape(f[2] or '')} [{f[3]}] {html.escape(f[5])}</li>"
        for f in findings) or '<li>none</li>'}</ul>
<h2>Blocking failures</h2><ul>{''.join(f'<li>{html.escape(f)}</li>' for f in r.failures) or '<li>none</li>'}</ul>
<h2>Validation</h2><ul>{''.join(items) or '<li>not run</li>'}</ul>
<p>Timings: {html.escape(', '.join(f'{k} {v:.1f}s' for k, v in r.timings.items()))}</p>"""
    (root / "index.html").write_text(body, encoding="utf-8")
    (root / "summary.json").write_text(json.dumps({
        "run_id": r.run_id, "status": r.status, "exit_code": r.exit_code,
        "quarantined": [{"park_name": p, "year": y, "reasons": v} for (p, y), v in sorted(r.quarantined.items())],
        "blocking_failures": r.failures,
        "warnings": r.warnings,
        "cell_findings": [dict(zip(("file_name", "sheet", "cell", "severity", "code", "message"), f)) for f in findings],
        "passes": [{"pass": n, "seconds": round(g.seconds, 3), "expectations": len(g.results),
                    "data_docs_pages": g.docs_pages, "data_docs_complete": g.docs_complete,
                    "results": [dict(suite=x.suite, expectation=x.expectation, column=x.column, level=x.level,
                                     success=x.success, observed=x.observed, failing_rows_sample=x.failing_rows)
                                for x in g.results]} for n, g in passes],
    }, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _clean_leftovers(build_dir: Path) -> None:
    """Files of builds that were killed or blocked: we hold the lock, so no one else is using them."""
    for path in build_dir.glob("*.duckdb*"):
        path.unlink(missing_ok=True)
