"""The console command `parks` (also `python -m ingest`): arguments, output, exit codes.

parks build   INBOX -> history store -> dbt -> quality gate -> WAREHOUSE (exit codes: README)
parks parse   what a workbook yields, one JSON line per value cell
parks export  the assessment workbooks, overview page and Parquet of the published marts
parks check   what the build would do with these files, in Chinese, with an annotated copy of each
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import exitcodes


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="parks", description="Park Indicator Warehouse")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="INBOX -> history store -> dbt -> quality gate -> publish WAREHOUSE")
    b.add_argument("--inbox", type=Path, help="folder of workbooks (env INBOX, default data/inbox)")
    b.add_argument("--warehouse", type=Path, help="the serving file (env WAREHOUSE, default warehouse/parks.duckdb)")
    b.add_argument("--reports", type=Path, help="report folder (env REPORTS, default reports)")
    b.add_argument("--exports", type=Path, help="export folder (env EXPORTS, default exports)")
    b.add_argument("--state-dir", type=Path, help="history store folder (env STATE_DIR, default beside WAREHOUSE)")
    b.add_argument("--lock-timeout", type=float, help="seconds to wait for another build (env LOCK_TIMEOUT, default 60)")
    b.add_argument(
        "--publish-wait",
        type=float,
        help="seconds to wait for a client writing to WAREHOUSE to close it (env PUBLISH_WAIT, default 10)",
    )
    b.add_argument("--keep-rejected", action="store_true", help="leave rejected files in the inbox")
    b.add_argument("--no-dbt", action="store_true", help="ingest and publish raw/audit only")
    b.add_argument("--no-exports", action="store_true", help="do not write EXPORTS after publishing")
    b.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    b.add_argument("--quiet", action="store_true", help="print nothing but the summary line (or the JSON)")
    b.add_argument("--verbose", action="store_true", help="print a line per file loaded and every dbt line")

    r = sub.add_parser("parse", help="print what a workbook yields, one JSON line per value cell")
    r.add_argument("file", type=Path)

    e = sub.add_parser("export", help="write the assessment workbooks, overview page and Parquet from WAREHOUSE")
    e.add_argument("--warehouse", type=Path)
    e.add_argument("--exports", type=Path)

    c = sub.add_parser(
        "check",
        help="what the build would do with these files (nothing of the warehouse changes); "
        "writes an annotated copy <name>.检查结果.xlsx of each",
    )
    c.add_argument("files", type=Path, nargs="+")
    c.add_argument("--warehouse", type=Path, help="a published warehouse whose history the check uses (read only)")
    c.add_argument("--out", type=Path, help="folder for the annotated copies (default: beside each file)")
    return p


def console() -> None:
    """The `parks` command: main(), then an exit without the interpreter's teardown. A build has
    imported Great Expectations, dbt's helpers and pandas, and unloading them took 0.3–0.4 s after
    the work was done; every file is closed and every thread joined by then."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        return _build(args)
    if args.command == "parse":
        return _parse(args.file)
    if args.command == "export":
        return _export(args)
    if args.command == "check":
        return _check(args)
    return exitcodes.USAGE


def _check(args: argparse.Namespace) -> int:
    from . import errors
    from .check import check, print_report

    missing = [f for f in args.files if not f.is_file()]
    if missing:
        print(f"check: {', '.join(str(m) for m in missing)}: no such file", file=sys.stderr)
        return exitcodes.NO_INBOX
    registry = Path(os.environ["PARKS_REGISTRY"]) if os.environ.get("PARKS_REGISTRY") else None
    try:
        code, checks = check([f.absolute() for f in args.files], args.warehouse, args.out, registry)
    except OSError as exc:
        fault = errors.describe(exc, "checking the files")
        print(f"check: {fault or exc}", file=sys.stderr)
        return exitcodes.FAULT
    print(print_report(code, checks))
    return code


def _export(args: argparse.Namespace) -> int:
    """Every export from the serving file, opened read-only: what users see is what is exported."""
    import duckdb

    from . import errors
    from .report import exports

    warehouse = args.warehouse or Path(os.environ.get("WAREHOUSE", "warehouse/parks.duckdb"))
    target = args.exports or Path(os.environ.get("EXPORTS", "exports"))
    notices: list[str] = []
    try:
        written = exports.write_all(
            warehouse, target, overview_parks=int(os.environ.get("OVERVIEW_PARKS", "20")), skipped=notices
        )
    except exports.ExportError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return exitcodes.FAULT
    except (OSError, duckdb.Error) as exc:
        fault = errors.describe(exc, f"writing the exports under {target}")
        print(f"export: {fault.after(None) if fault else exc}", file=sys.stderr)
        return exitcodes.FAULT
    print(f"exports: {len(written)} files in {target}" + "".join(f"\n  {n}" for n in notices))
    return exitcodes.OK


def _build(args: argparse.Namespace) -> int:
    from .console import Output
    from .outcome import BuildConfig
    from .warehouse.dbt import DbtProcess

    cfg = BuildConfig.from_env(
        inbox=args.inbox,
        warehouse=args.warehouse,
        reports=args.reports,
        exports=args.exports,
        state_dir=args.state_dir,
        lock_timeout_s=args.lock_timeout,
        publish_wait_s=args.publish_wait,
    )
    cfg.move_rejected = not args.keep_rejected
    cfg.run_dbt = not args.no_dbt
    cfg.write_exports = not args.no_exports
    out = Output(
        quiet=args.quiet or args.json, verbose=args.verbose, color=sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    )
    # dbt's process first, before the build's own imports: importing dbt and reading the project take
    # 2–3 s of every night, and nothing else can hide them (build() ends it when a night needs no dbt)
    assert cfg.state_dir is not None
    dbt = DbtProcess.for_build(cfg.state_dir, color=out.color and out.verbose) if cfg.run_dbt else None
    from .report.summary import summary
    from .run import build

    result = build(cfg, out, dbt)
    if args.json:
        print(json.dumps(summary(result), ensure_ascii=False, indent=1, default=str))
        return result.exit_code
    lines = [
        f"== build {result.run_id}: {result.status}, exit {result.exit_code} ({exitcodes.MEANING.get(result.exit_code, '')})"
    ]
    ing = result.ingest
    if ing is not None:
        lines.append(
            f"ingest: {ing.count('loaded')} loaded ({ing.observations:,} observations), {ing.count('duplicate')} "
            f"duplicate, {ing.count('rejected')} rejected, {ing.count('known')} already loaded"
        )
        lines += [f"  rejected: {o.message}" for o in ing.rejected]
    lines += [f"  {f}" for f in result.failures]
    if result.checks:
        lines.append(
            f"quality gate: {result.expectations} expectations evaluated, {result.expectations_failed} failed"
            f" ({len(result.warnings)} warning(s), listed in the report)"
        )
    lines += [f"  warning {w[:300]}" for w in result.warnings]
    lines += [f"  quarantined {p} {y}: {r[0]}" for (p, y), r in sorted(result.quarantined.items())]
    if result.published:
        lines.append(f"published {cfg.warehouse}")
    if result.timings:
        lines.append("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    if result.report_path:
        lines.append(f"report: {result.report_path}")
    if args.quiet:
        lines = lines[:1]
    print("\n".join(lines))
    return result.exit_code


def _parse(path: Path) -> int:
    from .parsing import parse_workbook
    from .parsing.readers import UnreadableFile

    try:
        sheets = parse_workbook(path.read_bytes())
    except (UnreadableFile, OSError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return exitcodes.REJECTED
    for s in sheets:
        print(f"# sheet {s.sheet!r}: {s.template or 'skipped'} {s.park_name or ''} {s.message}", file=sys.stderr)
        for o in s.observations:
            print(json.dumps(o.as_dict(), ensure_ascii=False, default=str))
    return exitcodes.OK
