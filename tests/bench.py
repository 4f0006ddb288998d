"""Ingest speed and memory on generated workbooks: `make bench` (figures, not a test).

    python -m tests.bench [rows]      default 200000 statistics rows (long layout)
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from ingest.loader import parse_workbook
from ingest.readers import _read_xlsx


def write_long_statistics(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("统计")
    ws.append(["园区名称", "年份", "指标", "单位", "数值", "备注"])
    for i in range(rows):
        ws.append([f"园区{i % 500}", 2000 + (i // 500) % 24, f"指标{i % 97}", "万元", i * 1.5, None])
    wb.save(path)


def measure(label: str, fn) -> object:
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<44} {seconds:8.2f} s   peak Python memory {peak / 2**20:8.1f} MiB")
    return out


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stats.xlsx"
        measure(f"write {rows} rows (openpyxl write-only)", lambda: write_long_statistics(path, rows))
        data = path.read_bytes()
        print(f"file size {len(data) / 2**20:.1f} MiB")
        sheets = measure("parse_workbook (fast reader: calamine)", lambda: parse_workbook(data))
        print(f"observations: {sum(len(s.observations) for s in sheets)}")
        if rows <= 50_000:
            measure("openpyxl reader alone (small-file path)", lambda: _read_xlsx(data))
    print(f"max RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
