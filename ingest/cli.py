"""The one command-line entry point: `python -m ingest {build,load,parse}`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import exitcodes, store
from .loader import ingest_inbox, parse_workbook
from .parks import load_aliases
from .pipeline import PROJECT_DIR, BuildConfig, build, new_run_id
from .readers import UnreadableFile


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ingest", description="Park Indicator Warehouse pipeline")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="inbox -> build file -> dbt -> quality gate -> publish WAREHOUSE")
    b.add_argument("--inbox", type=Path, default=Path(os.environ.get("INBOX", "data/inbox")))
    b.add_argument("--warehouse", type=Path, default=Path(os.environ.get("WAREHOUSE", "warehouse/parks.duckdb")))
    b.add_argument("--reports", type=Path, default=Path(os.environ.get("REPORTS", "reports")))
    b.add_argument("--lock-timeout", type=float, default=float(os.environ.get("LOCK_TIMEOUT", "60")),
                   help="seconds to wait for another build to finish (default 60)")
    b.add_argument("--keep-rejected", action="store_true", help="leave rejected files in the inbox")
    b.add_argument("--no-dbt", action="store_true", help="ingest and publish raw/audit only")

    l = sub.add_parser("load", help="ingest an inbox into a database file (no dbt, no publication)")
    l.add_argument("--inbox", type=Path, required=True)
    l.add_argument("--db", type=Path, required=True)
    l.add_argument("--keep-rejected", action="store_true")

    r = sub.add_parser("parse", help="print what a workbook yields, one JSON line per observation")
    r.add_argument("file", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        cfg = BuildConfig(inbox=args.inbox, warehouse=args.warehouse, reports=args.reports,
                          lock_timeout_s=args.lock_timeout, move_rejected=not args.keep_rejected,
                          run_dbt=not args.no_dbt)
        result = build(cfg)
        print(f"\n== build {result.run_id}: {result.status}, exit {result.exit_code}")
        for line in result.lines:
            print(line)
        if result.expectations:
            print(f"quality gate: {result.expectations} expectations evaluated, {result.expectations_failed} failed"
                  f" ({len(result.warnings)} warning(s), listed in the report)")
        for warning in result.warnings:
            print(f"  warning {warning[:300]}")
        for (park, year), reasons in sorted(result.quarantined.items()):
            print(f"  quarantined {park} {year}: {reasons[0]}")
        if result.timings:
            print("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
        if result.report_path:
            print(f"report: {result.report_path}")
        return result.exit_code
    if args.command == "load":
        args.db.parent.mkdir(parents=True, exist_ok=True)
        con = store.connect(str(args.db))
        try:
            report = ingest_inbox(con, args.inbox, new_run_id(), load_aliases(PROJECT_DIR / "seeds" / "park_registry.csv"),
                                  move_rejected=not args.keep_rejected)
        finally:
            con.close()
        print(f"{report.count('loaded')} loaded, {report.observations} observations, "
              f"{report.count('rejected')} rejected")
        return exitcodes.REJECTED if report.rejected else exitcodes.OK
    if args.command == "parse":
        try:
            sheets = parse_workbook(args.file.read_bytes())
        except UnreadableFile as exc:
            print(f"{args.file}: {exc}", file=sys.stderr)
            return exitcodes.REJECTED
        for s in sheets:
            print(f"# sheet {s.sheet!r}: {s.template or 'skipped'} {s.park_name or ''} {s.message}", file=sys.stderr)
            for o in s.observations:
                print(json.dumps(o.as_dict(), ensure_ascii=False, default=str))
        return exitcodes.OK
    return exitcodes.USAGE
