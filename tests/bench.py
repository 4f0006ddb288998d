"""Ingest speed and memory on a generated statistics workbook: `make bench` (figures, not a test).

    python -m tests.bench [rows]      default 200000 rows (long layout, 6 columns)

The workbook is generated once (~75 s for 200k rows) and kept in the system temp folder.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from ingest import store
from ingest.loader import ingest_file, parse_workbook
from ingest.readers import _read_xlsx, _read_xlsx_fast


def write_long_statistics(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("统计")
    ws.append(["园区名称", "年份", "指标", "单位", "数值", "备注"])
    for i in range(rows):
        year = 2000 + (i // 500) % 24
        # each park's indicator grows 5 % a year, as real series do (no unit slips for the gate to find)
        ws.append([f"园区{i % 500}", year, f"指标{i % 97}", "万元", round((1 + i % 500 + i % 97) * 100 * 1.05 ** (year - 2000), 2), None])
    wb.save(path)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label: str, fn) -> object:
    before = rss_mib()
    t0 = time.perf_counter()
    out = fn()
    print(f"{label:<40} {time.perf_counter() - t0:8.2f} s   max RSS {rss_mib():7.0f} MiB (+{rss_mib() - before:.0f})")
    return out


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    path = Path(tempfile.gettempdir()) / f"parks_bench_v2_{rows}.xlsx"
    if not path.exists():
        measure(f"generate {rows} rows (openpyxl write-only)", lambda: write_long_statistics(path, rows))
    data = path.read_bytes()
    print(f"workbook {path} {len(data) / 2**20:.1f} MiB, {rows} rows x 6 columns")
    measure("python-calamine reader alone", lambda: _read_xlsx_fast(data))
    sheets = measure("parse_workbook (reader + template)", lambda: parse_workbook(data))
    print(f"observations: {sum(len(s.observations) for s in sheets)}")
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(str(Path(tmp) / "bench.duckdb"))
        measure("ingest_file (parse + insert into DuckDB)", lambda: ingest_file(con, "stats.xlsx", data, "bench", {}))
        con.close()
    if rows <= 50_000:
        measure("openpyxl reader alone (small-file path)", lambda: _read_xlsx(data))


if __name__ == "__main__":
    main()
