"""REPORTS/<run>/: the load report of one build (index.html, self-contained, and summary.json),
REPORTS/latest pointing at the newest, and the last REPORT_RETENTION runs kept."""
from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from ..outcome import BuildResult
from ..warehouse.state import connect
from . import charts, overview
from .summary import summary

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#17692d}.bad{color:#a4161a}.warn{color:#8a5a00}.badge{display:inline-block;padding:.1em .6em;border-radius:.8em;color:#fff}
.badge.ok{background:#17692d}.badge.bad{background:#a4161a}.badge.warn{background:#b7791f}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}pre{white-space:pre-wrap;margin:0}
.muted{color:#777}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def _table(headers: list[str], rows: list[list[Any]], empty: str = "none") -> str:
    if not rows:
        return f"<p class='muted'>{_e(empty)}</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td class='num'>{_e(c)}</td>" if isinstance(c, (int, float)) and not isinstance(c, bool)
                                   else f"<td>{c if isinstance(c, Markup) else _e(c)}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Markup(str):
    """Text already escaped."""


def _location(row: dict[str, Any]) -> str:
    if row.get("location"):
        return str(row["location"])
    parts = [row.get(k) for k in ("source_file", "source_sheet", "source_cell")]
    if any(parts):
        return "!".join(str(p) for p in parts if p)
    parts = [row.get(k) for k in ("file_name", "sheet", "cell")]
    return "!".join(str(p) for p in parts if p)


def render(result: BuildResult, history_svg: str = "", findings: list[dict[str, Any]] | None = None,
           with_overview: bool = False) -> str:
    s = summary(result)
    status_class = "ok" if result.exit_code == 0 else ("warn" if result.exit_code in (10, 11) else "bad")
    files = [[f["file"], Markup(f"<span class='{'bad' if f['status'] == 'rejected' else 'ok'}'>{_e(f['status'])}</span>"),
              f["observations"], f["reason"] or ""] for f in s["files"]]
    failing = []
    for c in result.checks:
        if c.success:
            continue
        rows = c.failing_rows[:10]
        named = [[r.get("park_name") or r.get("table") or "", r.get("year") or "", r.get("indicator_name") or r.get("rule") or "",
                  r.get("value") if r.get("value") is not None else r.get("n") or "", _location(r)] for r in rows]
        inner = _table(["park", "year", "indicator", "value", "file!sheet!cell"], named, "no rows (a table metric)")
        failing.append([getattr(c, "pass_no", 1), c.level, c.suite, c.expectation, c.column or "", c.observed or "",
                        Markup(inner)])
    quarantine = [[p, y, " | ".join(v)] for (p, y), v in sorted(result.quarantined.items())]
    counts = [[t, v["rows"], v["previous"] if v["previous"] is not None else "", (v["rows"] - v["previous"]) if v["previous"] is not None else ""]
              for t, v in s["row_counts"].items()]
    finding_rows = [[f.get("file_name"), f.get("sheet") or "", f.get("cell") or "", f.get("severity"), f.get("message")]
                    for f in (findings or [])[:200]]
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    unregistered = [[u["park_name"], u["missing"], u["unjudged_indicators"] or "", u["finding"]] for u in result.unregistered]
    overview_link = ("<p><a href='overview.html'>Assessment overview</a>: verdicts, trends against thresholds, "
                     "plan progress.</p>" if with_overview else "")
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Load {_e(result.run_id)}</title><style>{CSS}</style></head><body>
<h1>Load {_e(result.run_id)} <span class="badge {status_class}">{_e(result.status)} · exit {result.exit_code}</span></h1>
<p>{_e(s['meaning'])}. Files: {s['counts']['files_loaded']} loaded ({s['counts']['observations_loaded']:,} observations),
{s['counts']['files_duplicate']} duplicate, {s['counts']['files_rejected']} rejected.
Expectations: {result.expectations} evaluated, {result.expectations_failed} failed.</p>
{''.join(f"<p class='bad'>{_e(f)}</p>" for f in result.failures)}
{overview_link}
<h2>Expectations over the recent runs</h2>{history_svg or "<p class='muted'>no earlier runs</p>"}
<h2>Files of this run</h2>{_table(["file", "status", "observations", "reason"], files, "no new files")}
<h2>Failing expectations</h2>{_table(["pass", "level", "suite", "expectation", "column", "observed", "rows"], failing)}
<h2>Quarantined park-years (kept out of the marts)</h2>{_table(["park", "year", "why"], quarantine)}
<h2>Warnings</h2>{''.join(f"<p class='warn'>{_e(w)}</p>" for w in result.warnings) or "<p class='muted'>none</p>"}
<h2>Cell findings of the files loaded</h2>{_table(["file", "sheet", "cell", "severity", "finding"], finding_rows)}
<h2>Unregistered parks (judged without their registry facts)</h2>{_table(["park", "missing", "indicators left unjudged", "finding"], unregistered)}
<h2>Row counts against the previous build</h2>{_table(["table", "rows", "previous", "change"], counts)}
<p class="muted">Timings: {_e(timings)}. Summary: <a href="summary.json">summary.json</a>.</p>
</body></html>"""


def write_run(reports: Path, history: Path, result: BuildResult, retention: int,
              findings: list[dict[str, Any]] | None = None, marts: Path | None = None, overview_parks: int = 20) -> Path:
    """The report of one run: the expectation history from the history store's audit.runs; when the
    build published, the overview page and the unregistered parks from ``marts`` (a file holding the
    published marts, opened read-only); then index.html and summary.json."""
    root = reports / result.run_id
    root.mkdir(parents=True, exist_ok=True)
    history_svg = charts.expectation_history(_recent_runs(history, result))
    if marts is not None:
        con = connect(marts, read_only=True)
        try:
            cur = con.execute("select park_name, missing, unjudged_indicators, finding from marts.unregistered_parks "
                              "order by park_name")
            names = [d[0] for d in cur.description]
            result.unregistered = [dict(zip(names, r)) for r in cur.fetchall()]
            overview.write(con, root / "overview.html", result.changed_parks, overview_parks, result.run_id)
        finally:
            con.close()
    return write(reports, result, retention, history_svg, findings)


def _recent_runs(history: Path, result: BuildResult, n: int = 30) -> list[tuple[str, int, int, str]]:
    """This run and the n − 1 before it that did something, oldest first."""
    recent: list[tuple[str, int, int, str]] = []
    if history.exists():
        con = duckdb.connect(str(history), read_only=True)
        try:
            recent = con.execute("""select run_id, expectations_evaluated, expectations_failed, status from audit.runs
                                    where status <> 'nothing new' order by started_at desc limit ?""", [n]).fetchall()
        finally:
            con.close()
    now = (result.run_id, result.expectations, result.expectations_failed, result.status)
    return list(reversed([now] + [r for r in recent if r[0] != result.run_id][: n - 1]))


def write(reports: Path, result: BuildResult, retention: int, history_svg: str = "",
          findings: list[dict[str, Any]] | None = None) -> Path:
    root = reports / result.run_id
    root.mkdir(parents=True, exist_ok=True)
    result.report_path = root / "index.html"
    (root / "summary.json").write_text(json.dumps(summary(result), ensure_ascii=False, indent=1, default=str),
                                       encoding="utf-8")
    result.report_path.write_text(render(result, history_svg, findings, (root / "overview.html").exists()),
                                  encoding="utf-8")
    _point_latest(reports, result.run_id)
    prune(reports, retention)
    return result.report_path


def _point_latest(reports: Path, run_id: str) -> None:
    link = reports / "latest"
    tmp = reports / f".latest.{run_id}"
    tmp.unlink(missing_ok=True)
    os.symlink(run_id, tmp)
    os.replace(tmp, link)


def prune(reports: Path, keep: int) -> list[str]:
    """Keep the newest ``keep`` run folders (run ids sort by time)."""
    runs = sorted(p for p in reports.iterdir() if p.is_dir() and not p.is_symlink() and p.name[:8].isdigit())
    removed = []
    for old in runs[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old.name)
    return removed
