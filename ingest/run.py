"""`parks build`: the orchestrator. It sequences the stages and nothing else:

    INBOX ─ scan ─ ingest ─► the build's copy of the history store (STATE_DIR/work.duckdb)
          ─ dbt build (incremental: the parks this run changed) ─ quality gate (GX)
          ─ commit (rename over STATE_DIR/history.duckdb) ─ publish WAREHOUSE ─ report, exports

A failure that traces back to a file rejects that file and the rest goes on; a row-level failure
quarantines its park-year; anything else blocks, and the last good serving file stays. A night with
nothing new records one line in audit.runs and stops.
"""

from __future__ import annotations

import importlib
import json
import signal
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from expectations.tables import metric_tables, tables_of

from . import errors, exitcodes
from .console import Output
from .outcome import BuildConfig, BuildResult, new_run_id
from .warehouse import audit, inbox, publish, registry
from .warehouse import dbt as dbt_runner
from .warehouse.loader import load_entries
from .warehouse.state import LockBusy, StateFault, StateStore, connect

MAX_GATE_PASSES = 4


def build(cfg: BuildConfig, out: Output | None = None, dbt: dbt_runner.DbtProcess | None = None) -> BuildResult:
    """One build. ``dbt``: its dbt process, started by the caller as early as it could (else here,
    first thing); a night that needs no dbt ends it unused."""
    out = out or Output()
    result = BuildResult(new_run_id())
    assert cfg.state_dir is not None
    if dbt is None and cfg.run_dbt:
        dbt = dbt_runner.DbtProcess.for_build(cfg.state_dir, color=out.color and out.verbose)
    store = StateStore(cfg.state_dir)
    result.log_path = store.logs / f"{result.run_id}.log"
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

    def interrupted(signum: int, _frame: object) -> None:
        raise errors.Interrupted(signum)

    for s in previous:
        signal.signal(s, interrupted)
    try:
        publish.check_target(cfg.warehouse)
        with store.lock(cfg.lock_timeout_s):
            _build_locked(cfg, store, result, out, dbt)
    except LockBusy as exc:
        result.codes.append(exitcodes.LOCKED)
        result.failures.append(f"refused: {exc}")
        result.finish("locked")
    except registry.RegistryError as exc:
        result.codes.append(exitcodes.FAULT)
        result.failures.append(f"{exc}: fix the file and run again; nothing was done")
        result.finish("failed")
    except inbox.InboxMissing as exc:
        result.codes.append(exitcodes.NO_INBOX)
        result.failures.append(str(exc))
        result.finish("failed")
    except errors.Interrupted as exc:
        store.discard()
        result.failures.append(f"interrupted by {signal.Signals(exc.signum).name}: nothing was committed; {errors.KEPT}")
        result.finish("interrupted")
        result.exit_code = exitcodes.INTERRUPTED_INT if exc.signum == signal.SIGINT else exitcodes.INTERRUPTED_TERM
    except Exception as exc:
        store.discard()
        fault = errors.describe(exc, "building") if not isinstance(exc, StateFault) else errors.Fault(str(exc))
        _log(result, traceback.format_exc())
        if fault is not None:
            result.codes.append(exitcodes.FAULT)
            result.failures.append(str(fault))
            result.finish("failed")
        else:
            result.failures.append(
                f"unexpected error: {type(exc).__name__}: {str(exc)[:300]} (details in {result.log_path}); {errors.KEPT}"
            )
            result.finish("failed")
            result.exit_code = exitcodes.ERROR
    finally:
        if dbt is not None:
            dbt.close()
        for s, h in previous.items():
            signal.signal(s, h)
    return result


def _log(result: BuildResult, text: str) -> None:
    try:
        assert result.log_path is not None
        result.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(result.log_path, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    except OSError:
        pass


def _timed(result: BuildResult, name: str) -> Callable[[], None]:
    t0 = time.perf_counter()

    def done() -> None:
        result.timings[name] = result.timings.get(name, 0.0) + time.perf_counter() - t0

    return done


def _build_locked(
    cfg: BuildConfig, store: StateStore, result: BuildResult, out: Output, dbt: dbt_runner.DbtProcess | None
) -> None:
    result.t0 = time.perf_counter()
    extra_parks = registry.read(cfg.registry) if cfg.registry is not None else []  # a bad row stops here
    store.prepare()
    publish.clean_leftovers(cfg.warehouse)
    snap = store.snapshot()
    done = _timed(result, "scan_s")
    entries = inbox.scan(cfg.inbox, cfg.limits.max_file_bytes)
    done()
    code = dbt_runner.rules_hash(cfg.registry)
    scope = dbt_runner.refresh_scope(snap.code_hash if snap.exists else None, code)
    new = [e for e in entries if e.problem or (e.sha256, e.name) not in (snap.known or set())]
    if isinstance(scope, list) and any(not e.problem for e in new):
        # new figures and a corrected system the same night: a system's rebuild reads the figures as
        # the last build left them, so the marts are rebuilt whole (one dbt run, correct for both)
        scope = "all"
    result.full_refresh = scope == "all"
    result.refresh_seeds = scope if isinstance(scope, list) else []
    result.refresh_systems = sorted({f.split("/", 1)[0] for f in result.refresh_seeds})
    stale = snap.published_file is None or publish.identity(cfg.warehouse) != snap.published_file
    out.say(
        f"run {result.run_id}: {len(entries)} entries in {cfg.inbox}, {len(new)} new"
        + ("; rules changed: the marts are rebuilt whole" if result.full_refresh and snap.exists else "")
        + (
            f"; rules of {', '.join(result.refresh_systems)} changed: their assessments are rebuilt"
            if result.refresh_systems
            else ""
        )
    )

    if snap.exists and not new and not result.full_refresh and not result.refresh_systems:
        if stale:
            _publish(cfg, store, result, out)
        result.finish("nothing new" if not stale else "published")
        result.timings["build_s"] = time.perf_counter() - result.t0
        with store.in_place() as con:
            audit.record_run(con, _run_row(result, code, published=result.published and publish.identity(cfg.warehouse)))
        return

    # ---- ingest into the build's copy of the history, while dbt's process reads the project
    _ingest_and_build(cfg, store, result, out, code, new, extra_parks, dbt)


def _ingest_and_build(
    cfg: BuildConfig,
    store: StateStore,
    result: BuildResult,
    out: Output,
    code: str,
    new: list[inbox.Entry],
    extra_parks: list[dict[str, object]],
    dbt: dbt_runner.DbtProcess | None,
) -> None:
    # Great Expectations takes seconds to import: it is imported while the history is copied and dbt
    # starts, not while dbt's models run on the same two cores
    if dbt is not None:
        threading.Thread(target=importlib.import_module, args=("expectations.gate",), daemon=True).start()
    done = _timed(result, "copy_s")
    work = store.begin()
    done()
    done = _timed(result, "ingest_s")
    con = connect(work)
    try:
        audit.begin_run(con, result.run_id, result.full_refresh or bool(result.refresh_systems))
        registry.load(con, extra_parks)
        result.previous_counts = audit.last_table_counts(con)
        out.start()
        result.ingest = load_entries(con, cfg.inbox, new, result.run_id, cfg.limits, cfg.move_rejected, out.file_done)
    finally:
        con.close()
    done()
    ing = result.ingest
    out.say(
        f"ingest: {ing.count('loaded')} loaded ({ing.observations:,} observations), {ing.count('duplicate')} duplicate, "
        f"{ing.count('rejected')} rejected [{result.timings['ingest_s']:.1f} s]"
    )
    if ing.rejected:
        result.codes.append(exitcodes.REJECTED)

    # ---- dbt and the quality gate, until nothing more is quarantined or rejected
    blocked = _transform_and_validate(cfg, store, work, result, out, dbt)
    result.timings["build_s"] = time.perf_counter() - result.t0
    findings = audit.findings_of(work, result.run_id)
    if blocked:
        result.codes.append(exitcodes.BLOCKED)
        result.failures.append(blocked)
        result.finish("blocked")
        _record_blocked(store, work, result, code)
        store.discard()
        _report(cfg, store, result, findings, out)
        return

    # ---- commit, publish
    if result.quarantined:
        result.codes.append(exitcodes.QUARANTINED)
    result.finish("published")
    done = _timed(result, "commit_s")
    con = connect(work)
    try:
        audit.release_quarantine(con, result.run_id)
        result.changed_parks = None if result.full_refresh or result.refresh_systems else audit.changed_parks(con)
        tables = metric_tables(tables_of(con))  # raw, audit and every mart: their rows, for the next build's floor
        result.counts = audit.table_counts(con, tables)
        audit.record_table_counts(con, result.run_id, result.counts)
        # without dbt (--no-dbt) the marts do not show the files just loaded: recorded with no rules,
        # the next build with dbt rebuilds them whole (refresh_scope)
        audit.record_run(con, _run_row(result, code if dbt is not None else dbt_runner.MARTS_BEHIND, published=None))
        con.execute("checkpoint")
    finally:
        con.close()
    store.commit()
    done()
    # The exports read the committed history while it is published and the report written, side by
    # side (none of them writes it; audit.runs is written once all are done). They follow the
    # commit: a serving file held open by another program is published by the next build, and the
    # exports already show what it will hold.
    exporting = None
    if cfg.write_exports and cfg.exports is not None:
        exporting = threading.Thread(target=_exports, args=(cfg, store, result, out), daemon=True)
        exporting.start()
    try:
        _publish(cfg, store, result, out)
        result.timings["build_s"] = time.perf_counter() - result.t0
        _report(cfg, store, result, findings, out, record=False)
    finally:
        if exporting is not None:
            exporting.join()
    result.exit_code = exitcodes.worst(result.codes)  # each may have added a code
    with store.in_place() as con:
        audit.finish_run(con, result.run_id, result.status, result.exit_code, result.timings, result.failures)
        if result.published:
            audit.mark_published(con, result.run_id, publish.identity(cfg.warehouse) or "")
        if result.report_path is not None:
            audit.set_report_path(con, result.run_id, str(result.report_path))


def _report(
    cfg: BuildConfig, store: StateStore, result: BuildResult, findings: list[dict], out: Output, record: bool = True
) -> None:
    """Write the run's report; ``record``: note its path in audit.runs now (else the caller does)."""
    from .report import load_report

    done = _timed(result, "report_s")
    try:
        # the marts are read from the history store the build holds, never back from the serving file
        load_report.write_run(
            cfg.reports,
            store.history,
            result,
            cfg.report_retention,
            findings,
            marts=store.history if result.published else None,
            overview_parks=cfg.overview_parks,
        )
        if record:
            with store.in_place() as con:
                audit.set_report_path(con, result.run_id, str(result.report_path))
        out.say(
            f"report: {result.report_path}"
            + (f"; {len(result.unregistered)} unregistered park(s) listed" if result.unregistered else "")
        )
    except Exception as exc:
        fault = errors.describe(exc, f"writing the report under {cfg.reports}")
        if fault is None:
            raise
        _log(result, traceback.format_exc())
        result.codes.append(exitcodes.FAULT)
        result.failures.append(str(fault.after(errors.PUBLISHED)))
        result.exit_code = exitcodes.worst(result.codes)
    finally:
        done()


def _exports(cfg: BuildConfig, store: StateStore, result: BuildResult, out: Output) -> None:
    from .report import exports

    done = _timed(result, "exports_s")
    try:
        assert cfg.exports is not None
        t0 = time.perf_counter()
        skipped: list[str] = []
        written = exports.write_all(
            store.history,
            cfg.exports,
            parks=result.changed_parks,
            marts=None if result.rebuilt is None else {r.split(".", 1)[1] for r in result.rebuilt if r.startswith("marts.")},
            run_id=result.run_id,
            workbook_limit=cfg.export_parks,
            skipped=skipped,
        )
        result.warnings += skipped
        out.say(
            f"exports: {len(written)} files in {cfg.exports} [{time.perf_counter() - t0:.1f} s]"
            + "".join(f"\n  {s}" for s in skipped)
        )
    except Exception as exc:
        fault = errors.describe(exc, f"writing the exports under {cfg.exports}")
        if fault is None:
            raise
        result.codes.append(exitcodes.FAULT)
        result.failures.append(str(fault.after(errors.PUBLISHED)))
        result.exit_code = exitcodes.worst(result.codes)
    finally:
        done()


def _transform_and_validate(
    cfg: BuildConfig, store: StateStore, work: Path, result: BuildResult, out: Output, dbt: dbt_runner.DbtProcess | None
) -> str | None:
    if dbt is None:
        return None
    gate = None
    for gate_pass in range(1, MAX_GATE_PASSES + 1):
        done = _timed(result, "dbt_s")
        # With the rules unchanged, the seeds are loaded already and the macros' unit tests cannot
        # change their verdict: a night's build runs the models and the data tests only.
        args = dbt_runner.dbt_args("all" if result.full_refresh else result.refresh_seeds or None)
        out.start()
        if gate_pass == 1:  # the process started with the build; a pass after a quarantine starts its own
            run = dbt.run(args, out.dbt)
        else:
            run = dbt_runner.run(work, store.dbt_dir, args, out.dbt, color=out.color and out.verbose)
        done()
        result.rebuilt = (result.rebuilt or set()) | run.built
        tally = next((t.split("Done.", 1)[1].strip() for t in reversed(run.log_tail) if "Done." in t), "")
        out.say(f"dbt: {'ok' if run.ok else 'FAILED'}{', ' + tally if tally else ''} [{run.seconds:.1f} s]")
        if not run.ok:
            oom = next((f for f in run.failures if "out of memory" in f["message"].lower()), None)
            if oom is not None:  # the machine's setting, not the data: no file or park-year to blame
                raise errors.out_of_memory(f"dbt built {(oom['unique_id'] or 'a model').rsplit('.', 1)[-1]}")
            failed = "; ".join(f"{f['unique_id']}: {f['message'][:200]}" for f in run.failures[:5])
            return f"dbt build failed ({failed or 'see the dbt log above'})"
        done = _timed(result, "validation_s")
        gate = gate or importlib.import_module("expectations.gate")
        g = gate.validate(work, result.previous_counts)
        done()
        for c in g.results:
            c.pass_no = gate_pass
        result.checks += g.results
        con = connect(work)
        try:
            audit.record_results(con, result.run_id, g.results, gate_pass)
        finally:
            con.close()
        failed = sum(not c.success for c in g.results)
        out.say(f"quality gate pass {gate_pass}: {len(g.results)} expectations, {failed} failed [{g.seconds:.1f} s]")
        files = g.file_failures
        if files:
            _reject_late(cfg, work, result, files, out)
            continue
        if g.blocking:
            return "table-level checks failed: " + "; ".join(_check_text(r) for r in g.blocking)
        new = {k: v for k, v in g.row_failures.items() if k not in result.quarantined}
        if not new:
            result.warnings = [_warning_text(w) for w in g.warnings]
            return None
        if gate_pass == MAX_GATE_PASSES:
            return f"row-level failures remain after quarantine: {sorted(new)}"
        result.quarantined.update(new)
        con = connect(work)
        try:
            audit.quarantine(con, result.run_id, new)
        finally:
            con.close()
        out.say(f"quarantined {len(new)} park-year(s): {sorted(new)[:5]}; rebuilding their parks without them")
    return "the quality gate did not settle"


def _reject_late(cfg: BuildConfig, work: Path, result: BuildResult, files: dict[str, list[str]], out: Output) -> None:
    """Files a table-level failure traced back to: out of this build, set aside with the reason."""
    assert result.ingest is not None
    by_sha = {o.sha256: o for o in result.ingest.outcomes if o.status == "loaded"}
    con = connect(work)
    try:
        for sha, whys in files.items():
            o = by_sha.get(sha)
            name = o.name if o else sha[:12]
            reason = f"{name}: rejected by the quality gate: {whys[0]}"
            audit.reject_loaded_file(con, sha, reason)
            if o is not None:
                o.status, o.message, o.n_observations = "rejected", reason, 0
                if cfg.move_rejected and o.entry is not None:
                    where = inbox.set_aside(cfg.inbox, o.entry, reason)
                    audit.set_aside(con, sha, o.name, where)
            result.rejected_late[name] = reason
            out.say(f"rejected {name}: {whys[0]}")
    finally:
        con.close()
    if exitcodes.REJECTED not in result.codes:
        result.codes.append(exitcodes.REJECTED)


def _check_text(r: object) -> str:
    """A failed check in one line: what failed, and the first rows behind it."""
    rows = getattr(r, "failing_rows", [])[:3]
    named = " | ".join(", ".join(f"{k}={v}" for k, v in row.items() if v is not None) for row in rows)
    return f"{r.suite}.{r.column or ''} {r.expectation} (observed {r.observed}){': ' + named if named else ''}"


def _warning_text(w: object) -> str:
    """A warning in one line, naming every cell behind it (up to five per unit and indicator)."""
    rows = getattr(w, "failing_rows", [])[:10]

    def cells(r: dict) -> str:
        n = int(r.get("n") or 1)
        more = f" and {n - 5} more" if n > 5 else ""
        return f"{n} cell{'s' if n > 1 else ''}: {r.get('location')}{more}"

    if w.suite == "printed_figures":
        where = "; ".join(
            f"{r.get('plan_name')} {r.get('indicator_name')} printed {r.get('printed_text')}, "
            f"recomputed {r.get('recomputed')} at {r.get('location')}"
            for r in rows
        )
    else:
        where = "; ".join(f"unit {r.get('unit')!r} for {r.get('indicator_name')} in {cells(r)}" for r in rows)
    return f"{w.suite} ({w.observed}): {where}"


def _publish(cfg: BuildConfig, store: StateStore, result: BuildResult, out: Output) -> None:
    done = _timed(result, "publish_s")
    try:
        p = publish.publish(store.history, cfg.warehouse, result.run_id, cfg.publish_wait_s, store.dir / "discarded")
    except publish.ForeignWriter as exc:
        result.codes.append(exitcodes.WRITER)
        result.failures.append(str(exc))
        result.status = "not published"
        result.exit_code = exitcodes.worst(result.codes)
        out.say(f"publication refused: {exc}")
        return
    except Exception as exc:
        fault = errors.describe(exc, f"publishing {cfg.warehouse}")
        if fault is None:
            raise
        _log(result, traceback.format_exc())
        result.codes.append(exitcodes.FAULT)
        result.failures.append(f"{fault} (the build is committed to the history store: the next build publishes it)")
        result.status = "not published"
        result.exit_code = exitcodes.worst(result.codes)
        return
    finally:
        done()
    result.published = True
    result.warnings += p.warnings
    out.say(f"published {cfg.warehouse} [{p.seconds:.1f} s]")


def _run_row(result: BuildResult, code: str, published: str | None | bool) -> dict:
    ing = result.ingest
    return {
        "run_id": result.run_id,
        "started_at": result.started_at,
        "finished_at": __import__("datetime").datetime.now(),
        "status": result.status,
        "exit_code": result.exit_code,
        "files_loaded": ing.count("loaded") if ing else 0,
        "files_duplicate": ing.count("duplicate") if ing else 0,
        "files_rejected": ing.count("rejected") if ing else 0,
        "observations_loaded": ing.observations if ing else 0,
        "quarantined_park_years": len(result.quarantined),
        "expectations_evaluated": result.expectations,
        "expectations_failed": result.expectations_failed,
        "validation_seconds": round(result.timings.get("validation_s", 0.0), 3),
        "build_seconds": round(result.timings.get("build_s", 0.0), 3),
        "report_path": str(result.report_path) if result.report_path else None,
        "message": "; ".join(result.failures) or None,
        "code_hash": code,
        "full_refresh": result.full_refresh,
        "timings": json.dumps({k: round(v, 3) for k, v in result.timings.items()}),
        "published_file": published if isinstance(published, str) else None,
    }


def _record_blocked(store: StateStore, work: Path, result: BuildResult, code: str) -> None:
    """A blocked build commits nothing but its own record: the run, its check results, and the
    files it rejected (set aside already), so that the reasons are not lost."""
    with store.in_place() as con:
        audit.keep_rejections_of(con, work, result.run_id)
        row = _run_row(result, code, published=None)
        row["code_hash"] = None  # the marts were not rebuilt with these rules
        audit.record_run(con, row)
