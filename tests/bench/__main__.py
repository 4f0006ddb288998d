"""`make bench SCALE=1.0`: the national-scale benchmark (targets in docs/performance.md). Figures, not a test.

    python -m tests.bench --scale 0.1        # a quick look (~2 minutes)
    python -m tests.bench --scale 1.0        # national scale (~15 minutes, the inbox generated once)

It generates (once, kept in the temp folder) a deterministic national-scale inbox, then measures,
each in its own process, with the peak RSS of the whole process tree sampled every 50 ms:
  anchors  pandas.read_excel(openpyxl) + melt, python-calamine alone, and our ingest, on the same
           31 wide workbooks; plain DuckDB window queries for growth / YoY / CAGR over all facts
           (the bare query, with lineage, with the mart's columns), under the build's memory cap
  builds   a full build from empty, a build with one more form, a build with nothing new,
           with the split by stage from the build's own JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ingest.warehouse.dbt import model_seconds
from ingest.warehouse.state import MEMORY_LIMIT
from tests.bench.national import generate, new_year_form, one_more_form
from tests.support import project_copy

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
SHAPE = 2  # forms of 100 parks over six years, provincial target tables of every park
TARGETS = {  # national scale, 2 cores (docs/performance.md)
    "build: full from empty": 120.0,
    "build: nothing new": 2.0,
    "build: one new form (a new data year)": 12.0,
    "build: a re-filed park-year": 12.0,
    "build: a corrected threshold in one system": 45.0,
}
PEAK_TARGET = 2 * 2**30


def slowest_models(log: Path, n: int = 5) -> str:
    """The n slowest dbt nodes of the last build, from dbt's log."""
    top = sorted(model_seconds(log).items(), key=lambda kv: kv[1], reverse=True)[:n]
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in top)


def tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            children.setdefault(int(fields[1]), []).append(int(p.name))
            rss[int(p.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        q = todo.pop()
        total += rss.get(q, 0)
        todo += children.get(q, [])
    return total


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[float, int, str, int]:
    """Wall seconds, peak tree RSS, stdout and exit code of a command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, **(env or {})}
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    done.set()
    t.join()
    return time.perf_counter() - t0, peak, out, proc.returncode


ANCHOR_PANDAS = """
import sys, pandas as pd, glob
n = 0
for f in sorted(glob.glob(sys.argv[1] + '/*.xlsx')):
    df = pd.read_excel(f, engine='openpyxl')
    n += len(df.melt(id_vars=list(df.columns[:3])))
print(n)
"""
ANCHOR_CALAMINE = """
import sys, glob
from python_calamine import CalamineWorkbook
n = 0
for f in sorted(glob.glob(sys.argv[1] + '/*.xlsx')):
    wb = CalamineWorkbook.from_path(f)
    for i in range(len(wb.sheet_names)):
        n += sum(len(r) for r in wb.get_sheet_by_index(i).to_python())
print(n)
"""
OURS = """
import sys, tempfile, duckdb
from pathlib import Path
from ingest.parsing.limits import DEFAULT_LIMITS
from ingest.warehouse import inbox
from ingest.warehouse.loader import load_entries
from ingest.warehouse.state import StateStore
scratch = tempfile.TemporaryDirectory()  # removed at exit: a national history is ~800 MB
store = StateStore(Path(scratch.name))
store.create()
con = duckdb.connect(str(store.history))
entries = inbox.scan(Path(sys.argv[1]), DEFAULT_LIMITS.max_file_bytes)
r = load_entries(con, Path(sys.argv[1]), entries, 'bench', DEFAULT_LIMITS, move_rejected=False)
con.close()
print(r.observations)
"""
WINDOW_SQL = """
select park_name, indicator_name, year, value,
       value / lag(value) over w - 1 as yoy,
       pow(value / first_value(value) over w, 1.0 / nullif(year - first_value(year) over w, 0)) - 1 as cagr_base,
       pow(value / lag(value, 3) over w, 1.0 / 3) - 1 as cagr_3y,
       pow(value / lag(value, 5) over w, 1.0 / 5) - 1 as cagr_5y
from intermediate.int_statistics_current
where value is not null
window w as (partition by park_name, indicator_name order by year)
"""
# the anchor carrying what every row of indicator_trends carries besides its numbers: where it came from
WINDOW_SQL_LINEAGE = WINDOW_SQL.replace(
    "select park_name, indicator_name, year, value,",
    "select park_name, indicator_name, year, value, source_file || '!' || source_sheet || '!' || source_cell as source,",
)
# the same columns as the mart (the 18 the mart is asked to hold, unit_family and the lineage text), computed the plain
# way: positional lags, the first year as base, no unit conversion, no registry, no gap rule. What a
# statistician would write in DuckDB for that table; the comparison for the dbt model that also
# follows every rule of docs/domain.md#growth
WINDOW_SQL_SAME_COLUMNS = """
with rates as (
    select k.indicator_name, k.unit,
           exists (select 1 from reference.rate_indicators r
                   where (r.match = 'unit' and k.unit = r.text)
                      or (r.match = 'name_suffix' and ends_with(k.indicator_name, r.text))) as is_rate
    from (select distinct indicator_name, unit from intermediate.int_statistics_current) k
)
select s.park_name, s.indicator_name, s.unit, s.year, s.value,
       lag(s.value) over w as prev_value,
       case when not r.is_rate then round(100 * (s.value / lag(s.value) over w - 1), 10) end as yoy_pct,
       case when r.is_rate then round(s.value - lag(s.value) over w, 10) end as yoy_pp,
       first_value(s.year) over w as base_year,
       first_value(s.value) over w as base_value,
       case when not r.is_rate then s.value / first_value(s.value) over w end as vs_base_ratio,
       s.value - first_value(s.value) over w as vs_base_diff,
       case when not r.is_rate then round(100 * (pow(s.value / first_value(s.value) over w,
            1.0 / nullif(s.year - first_value(s.year) over w, 0)) - 1), 10) end as cagr_base_pct,
       case when not r.is_rate then round(100 * (pow(s.value / lag(s.value, 3) over w, 1.0 / 3) - 1), 10) end as cagr_3y_pct,
       case when not r.is_rate then round(100 * (pow(s.value / lag(s.value, 5) over w, 1.0 / 5) - 1), 10) end as cagr_5y_pct,
       r.is_rate,
       s.is_preliminary or lag(s.is_preliminary) over w as is_preliminary,
       case when r.is_rate then 'a rate or share: changes in percentage points, no growth rates' end as note,
       s.unit as unit_family,
       s.source_file || '!' || s.source_sheet || '!' || s.source_cell as source
from intermediate.int_statistics_current s
join rates r on r.indicator_name = s.indicator_name and r.unit is not distinct from s.unit
where s.value is not null
window w as (partition by s.park_name, s.indicator_name, s.unit order by s.year)
"""
# Anchors run under the build's DuckDB memory cap (argv[3], PARKS_DUCKDB_MEMORY), as the model does,
# and write into a scratch file that is removed afterwards.
ANCHOR_WINDOW = """
import os, sys, time, tempfile, duckdb
scratch = tempfile.TemporaryDirectory()
# a scratch file to write into, the facts attached read-only (as in the build: one database file)
con = duckdb.connect(os.path.join(scratch.name, 'anchor.duckdb'))
con.execute(f"attach '{sys.argv[1]}' as facts (read_only)")
con.execute('use facts')
con.execute(f"set memory_limit='{sys.argv[3]}'"); con.execute('set enable_progress_bar=false')
con.execute('set preserve_insertion_order=false')
t = time.perf_counter()
# a hash of every row: DuckDB computes every column (a bare count(*) would skip the window)
n = con.execute("select count(*), sum(hash(t)) from (" + sys.argv[2] + ") t").fetchall()
query_s = time.perf_counter() - t
# the same query written as a table, as dbt writes a model
t = time.perf_counter()
con.execute("create table anchor.main.trends as " + sys.argv[2])
print(query_s, n[0][0], time.perf_counter() - t)
con.close()
"""
# no computation at all: the 18 columns asked of indicator_trends, copied from the finished mart
# into a new table (what writing that table costs, whatever computes it)
ANCHOR_WRITE = """
import os, sys, time, tempfile, duckdb
scratch = tempfile.TemporaryDirectory()
con = duckdb.connect(os.path.join(scratch.name, 'anchor.duckdb'))
con.execute(f"attach '{sys.argv[1]}' as facts (read_only)")
con.execute(f"set memory_limit='{sys.argv[2]}'"); con.execute('set enable_progress_bar=false')
con.execute('set preserve_insertion_order=false')
t = time.perf_counter()
con.execute("create table anchor.main.trends as select park_name, indicator_name, unit, year, value, prev_value, "
            "yoy_pct, yoy_pp, base_year, base_value, vs_base_ratio, vs_base_diff, cagr_base_pct, cagr_3y_pct, "
            "cagr_5y_pct, is_rate, is_preliminary, note from facts.marts.indicator_trends")
print(time.perf_counter() - t)
con.close()
"""


def model_alone(history: Path, work: Path, model: str) -> float:
    """Seconds of one dbt model rebuilt alone (full refresh) on a copy of the built history: the
    model under the anchor's conditions (in a build, other models run beside it)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "history.duckdb"
    shutil.copyfile(history, db)
    subprocess.run(
        [
            str(Path(PY).parent / "dbt"),
            "run",
            "--select",
            model,
            "--full-refresh",
            "--quiet",
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DBT_DUCKDB_PATH": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    seconds = model_seconds(work / "logs" / "dbt.log").get(model, 0.0)
    shutil.rmtree(work, ignore_errors=True)
    return seconds


def gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    a = ap.parse_args()
    base = a.work / f"parks_bench_{a.scale:g}"
    inbox = base / "inbox"
    info_now = json.loads((base / ".generated").read_text()) if (base / ".generated").exists() else {}
    if info_now.get("shape") != SHAPE:  # an inbox of an earlier shape is generated again
        shutil.rmtree(base, ignore_errors=True)
        t0 = time.perf_counter()
        info = {**generate(inbox, a.scale), "shape": SHAPE}
        (base / ".generated").write_text(json.dumps(info))
        print(f"generated {inbox} in {time.perf_counter() - t0:.0f} s: {info}")
    info = json.loads((base / ".generated").read_text())
    for extra in inbox.glob("extra_*"):  # the form an earlier run added
        extra.unlink()
    size = sum(p.stat().st_size for p in inbox.rglob("*") if p.is_file())
    files = sum(1 for p in inbox.rglob("*") if p.is_file())
    print(f"inbox: {files} files, {size / 2**20:.1f} MiB, {info['figures']:,} statistics figures (scale {a.scale:g})\n")

    rows: list[tuple[str, float, int, str]] = []
    stats = str(inbox / "statistics")
    for label, code in [
        ("anchor: pandas.read_excel(openpyxl) + melt", ANCHOR_PANDAS),
        ("anchor: python-calamine to_python", ANCHOR_CALAMINE),
        ("ours: ingest into the history store", OURS),
    ]:
        wall, peak, out, rc = measure([PY, "-c", code, stats])
        rows.append(
            (f"{label} (31 wide workbooks)", wall, peak, out.strip().splitlines()[-1] if out.strip() else f"exit {rc}")
        )
        print(f"{rows[-1][0]:<62} {wall:8.1f} s {gib(peak):>10}  {rows[-1][3]}", flush=True)

    wh = base / "wh" / "parks.duckdb"
    shutil.rmtree(base / "wh", ignore_errors=True)
    shutil.rmtree(base / "reports", ignore_errors=True)
    build = [
        PY,
        "-m",
        "ingest",
        "build",
        "--inbox",
        str(inbox),
        "--warehouse",
        str(wh),
        "--reports",
        str(base / "reports"),
        "--exports",
        str(base / "exports"),
        "--json",
    ]
    splits = {}
    trends_s = 0.0
    dbt_log = wh.parent / ".parks.state" / "dbt" / "logs" / "dbt.log"
    corrected = project_copy(base / "project")
    steps = [
        ("build: full from empty", None),
        ("build: nothing new", None),
        ("build: one new form (a new data year)", "new_year"),
        ("build: a re-filed park-year", "refiled"),
        ("build: a corrected threshold in one system", "threshold"),
    ]
    for label, prepare in steps:
        cwd = ROOT
        if prepare == "new_year":
            new_year_form(inbox, a.scale)
        elif prepare == "refiled":
            one_more_form(inbox, a.scale)
        elif prepare == "threshold":
            seed = corrected / "seeds" / "hj274_2015" / "hj274_2015__thresholds.csv"
            seed.write_text(
                seed.read_text(encoding="utf-8").replace(
                    "hj274_2015,hj02,always,,,,>=,15,", "hj274_2015,hj02,always,,,,>=,16,"
                ),
                encoding="utf-8",
            )
            cwd = corrected
        wall, peak, out, rc = measure(build, cwd=cwd)
        try:
            s = json.loads(out)
            t = s["timings_s"]
            splits[label] = t
            note = f"exit {rc} {s['status']}; " + ", ".join(f"{k[:-2]} {v:.1f}" for k, v in t.items() if v >= 0.05)
            if rc:  # a failed build is no figure: say why, as the operator reads it
                note += "\n    reason: " + "; ".join(s.get("failures") or [s.get("meaning", "")])[:400]
        except ValueError:
            note, t = f"exit {rc}", {}
        models = slowest_models(dbt_log) if "dbt_s" in t else ""  # a night without dbt has no nodes of its own
        target = TARGETS.get(label)
        met = rc == 0 and wall <= target and peak <= PEAK_TARGET if target else False
        verdict = f"target ≤ {target:g} s: {'met' if met else 'MISSED'}" if target else ""
        rows.append((label, wall, peak, note))
        print(
            f"{label:<62} {wall:8.1f} s {gib(peak):>10}  {verdict}\n    split: {note}"
            + (f"\n    slowest dbt nodes: {models}" if models else ""),
            flush=True,
        )
        if label.startswith("build: full"):
            trends_s = model_seconds(dbt_log).get("indicator_trends", 0.0)

    history = wh.parent / ".parks.state" / "history.duckdb"
    alone_s = model_alone(history, base / "alone", "indicator_trends")
    anchors: dict[str, float] = {}
    for key, label, sql in [
        ("plain", "anchor: plain DuckDB window query, YoY/CAGR over all facts", WINDOW_SQL),
        ("lineage", "anchor: the same, with the lineage text file!sheet!cell", WINDOW_SQL_LINEAGE),
        ("same", "anchor: plain window query, the mart's 20 columns", WINDOW_SQL_SAME_COLUMNS),
    ]:
        wall, peak, out, rc = measure([PY, "-c", ANCHOR_WINDOW, str(history), sql, MEMORY_LIMIT])
        q = out.split()
        if len(q) > 2:
            anchors[key] = float(q[2])
            print(f"{label:<62} {float(q[0]):8.1f} s {gib(peak):>10}  {q[1]} rows; written as a table {float(q[2]):.1f} s")
        else:
            print(f"{label:<62} exit {rc}")
    wall, peak, out, rc = measure([PY, "-c", ANCHOR_WRITE, str(history), MEMORY_LIMIT])
    if out.strip():
        print(f"{'anchor: only writing the 18 asked columns, no computation':<62} {float(out.split()[-1]):8.1f} s")
    print(f"{'ours: dbt model indicator_trends in the full build (a table)':<62} {trends_s:8.1f} s")
    ratios = ", ".join(
        f"{alone_s / anchors[k]:.2f}x the {name} table"
        for k, name in [
            ("plain", "plain query's"),
            ("lineage", "plain query with lineage"),
            ("same", "same-columns query's"),
        ]
        if anchors.get(k)
    )
    print(f"{'ours: dbt model indicator_trends alone, full refresh (a table)':<62} {alone_s:8.1f} s  {ratios}")
    print(f"(DuckDB memory cap for the model and every anchor: {MEMORY_LIMIT})")
    sizes = {p.name: p.stat().st_size for p in (history, wh) if p.exists()}
    print("\nfiles: " + ", ".join(f"{k} {v / 2**20:.0f} MiB" for k, v in sizes.items()))
    peak_all = max(r[2] for r in rows if r[0].startswith("build"))
    print(f"peak RSS of any build's process tree: {gib(peak_all)}")


if __name__ == "__main__":
    main()
