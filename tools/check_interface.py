"""Check a published warehouse file against the interface the issues name, on the sample workbooks.

Usage (from the project root, with the project's Python; `make check` runs it):
    python tools/check_interface.py warehouse/parks.duckdb

It opens the file read-only, as a BI tool would, and prints one line per check. Tables that a stage
has not reached yet are reported as missing, not as errors in what exists. Exit status 0 when every
check on the tables present holds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

INTERFACE = {
    "raw.observations": [
        "file_name",
        "file_sha256",
        "sheet",
        "cell",
        "template",
        "park_name",
        "year",
        "label",
        "unit",
        "value_text",
        "value",
    ],
    "audit.files": ["file_name", "file_sha256", "status", "message"],
    "marts.indicator_values": [
        "park_name",
        "year",
        "indicator_name",
        "unit",
        "value",
        "value_text",
        "is_computed",
        "source_file",
        "source_sheet",
        "source_cell",
    ],
    "marts.eip_assessment": [
        "park_name",
        "year",
        "seq_no",
        "category",
        "indicator_name",
        "unit",
        "requirement",
        "mandatory",
        "selected",
        "reported_value",
        "computed_value",
        "value",
        "passed",
        "note",
    ],
    "marts.eip_verdict": [
        "park_name",
        "year",
        "passed",
        "mandatory_total",
        "mandatory_passed",
        "optional_selected",
        "optional_passed",
        "failed_seq_nos",
    ],
    "marts.reconciliation": [
        "park_name",
        "year",
        "seq_no",
        "reported_value",
        "computed_value",
        "difference",
        "within_tolerance",
    ],
    "marts.plan_progress": [
        "park_name",
        "plan_name",
        "indicator_name",
        "unit",
        "attribute",
        "base_year",
        "base_value",
        "target_year",
        "target_value",
        "target_text",
        "latest_year",
        "latest_value",
        "progress",
        "achieved_rate",
        "required_rate",
        "status",
        "note",
    ],
    "marts.target_tracking": [
        "park_name",
        "year",
        "indicator_name",
        "target_text",
        "target_kind",
        "comparator",
        "target_value",
        "actual_value",
        "met",
        "note",
    ],
    "audit.runs": [],
    "audit.dq_results": ["run_id", "suite", "expectation", "success"],
}
EXPECTED = Path(__file__).resolve().parent.parent / "tests" / "data" / "expected_zhangjiagang_2019.json"


def main(path: str) -> int:
    con = duckdb.connect(path, read_only=True)
    have = {
        f"{s}.{t}": None for s, t in con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    }
    bad = 0

    def say(ok: bool, text: str) -> None:
        nonlocal bad
        bad += not ok
        print(("ok   " if ok else "FAIL ") + text)

    for table, cols in INTERFACE.items():
        if table not in have:
            print(f"--   {table}: not present yet")
            continue
        s, t = table.split(".")
        got = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema=? and table_name=?", [s, t]
            ).fetchall()
        }
        missing = [c for c in cols if c not in got]
        say(not missing, f"{table}: columns" + (f" missing {missing}" if missing else ""))

    if "marts.eip_assessment" in have:
        exp = json.loads(EXPECTED.read_text(encoding="utf-8"))
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "select seq_no, value, passed from marts.eip_assessment where park_name=? and year=?",
                [exp["park"], exp["year"]],
            ).fetchall()
        }
        say(len(rows) == 32, f"Zhangjiagang 2019: {len(rows)} of 32 indicators")
        for no, e in exp["indicators"].items():
            g = rows.get(int(no))
            if g is None:
                continue
            v = e["value"]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ok = g[0] is not None and abs(g[0] - v) <= max(1e-9, 1e-6 * abs(v))
                say(ok, f"indicator {no} value {g[0]} (expected {v:.6g})")
            say(g[1] == e["passed"], f"indicator {no} passed={g[1]} (expected {e['passed']})")
    if "marts.eip_verdict" in have:
        exp = json.loads(EXPECTED.read_text(encoding="utf-8"))
        v = con.execute(
            "select passed, failed_seq_nos from marts.eip_verdict where park_name=? and year=?", [exp["park"], exp["year"]]
        ).fetchall()
        say(len(v) == 1 and bool(v[0][0]) == exp["passed"], f"Zhangjiagang 2019 verdict {v} (expected {exp['passed']})")
    print(f"{bad} failing check(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "warehouse/parks.duckdb"))
