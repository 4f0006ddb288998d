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

from .. import exitcodes
from ..outcome import BuildResult
from ..warehouse.state import connect
from . import charts, overview
from .labels import load
from .phrases import zh
from .summary import summary

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em;overflow-wrap:anywhere}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}th,td{overflow-wrap:normal;min-width:2.5em}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#17692d}.bad{color:#a4161a}.warn{color:#8a5a00}.badge{display:inline-block;padding:.1em .6em;border-radius:.8em;color:#fff}
.badge.ok{background:#17692d}.badge.bad{background:#a4161a}.badge.warn{background:#b7791f}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}pre{white-space:pre-wrap;margin:0}
.muted{color:#777}.scroll{overflow-x:auto;max-width:100%}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def _table(headers: list[str], rows: list[list[Any]], empty: str) -> str:
    if not rows:
        return f"<p class='muted'>{_e(empty)}</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{_e(c)}</td>"
            if isinstance(c, (int, float)) and not isinstance(c, bool)
            else f"<td>{c if isinstance(c, Markup) else _e(c)}</td>"
            for c in r
        )
        + "</tr>"
        for r in rows
    )
    return f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


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


def render(
    result: BuildResult, history_svg: str = "", findings: list[dict[str, Any]] | None = None, with_overview: bool = False
) -> str:
    """The page, in Chinese: words from seeds/exports/export_labels.csv (report.*), reasons and
    findings through phrases.zh. The same facts in English: the console, summary.json, --json."""
    L = load()
    s = summary(result)

    def h(*keys: str) -> list[str]:
        return [L(f"report.header.{k}") for k in keys]

    status_class = (
        "ok" if result.exit_code == 0 else ("warn" if result.exit_code in exitcodes.PUBLISHED_WITH_NOTES else "bad")
    )
    files = [
        [
            f["file"],
            Markup(
                f"<span class='{'bad' if f['status'] == 'rejected' else 'ok'}'>"
                f"{_e(L.get('report.file.status.' + f['status'], f['status']))}</span>"
            ),
            f["observations"],
            zh(f["reason"]) or "",
        ]
        for f in s["files"]
    ]
    failing = []
    for c in result.checks:
        if c.success:
            continue
        rows = c.failing_rows[:10]
        named = [
            [
                r.get("park_name") or r.get("table") or "",
                r.get("year") or "",
                r.get("indicator_name") or r.get("rule") or "",
                r.get("value") if r.get("value") is not None else r.get("n") or "",
                _location(r),
            ]
            for r in rows
        ]
        inner = _table(h("park", "year", "indicator", "value", "location"), named, L("report.no_rows"))
        failing.append(
            [
                getattr(c, "pass_no", 1),
                L.get(f"report.level.{c.level}", c.level),
                c.suite,
                c.expectation,
                c.column or "",
                zh(c.observed) or "",
                Markup(inner),
            ]
        )
    quarantine = [[p, y, zh(" | ".join(v))] for (p, y), v in sorted(result.quarantined.items())]
    counts = [
        [
            t,
            v["rows"],
            v["previous"] if v["previous"] is not None else "",
            (v["rows"] - v["previous"]) if v["previous"] is not None else "",
        ]
        for t, v in s["row_counts"].items()
    ]
    finding_rows = [
        [
            f.get("file_name"),
            f.get("sheet") or "",
            f.get("cell") or "",
            L.get(f"report.severity.{f.get('severity')}", f.get("severity") or ""),
            zh(f.get("message")),
        ]
        for f in (findings or [])[:200]
    ]
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    unregistered = [
        [u["park_name"], zh(u["missing"]), u["unjudged_indicators"] or "", zh(u["finding"])] for u in result.unregistered
    ]
    overview_link = f"<p><a href='overview.html'>{_e(L('report.overview_link'))}</a></p>" if with_overview else ""
    none = L("report.none")
    c = s["counts"]
    title = L("report.title", run=result.run_id)
    badge = f"{L.get('report.status.' + result.status, result.status)} · {L('report.exit', code=result.exit_code)}"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{CSS}</style></head><body>
<h1>{_e(title)} <span class="badge {status_class}">{_e(badge)}</span></h1>
<p>{_e(L.get(f"report.meaning.{result.exit_code}", s["meaning"]))}。{
        _e(
            L(
                "report.counts",
                loaded=c["files_loaded"],
                observations=f"{c['observations_loaded']:,}",
                duplicate=c["files_duplicate"],
                rejected=c["files_rejected"],
                expectations=result.expectations,
                failed=result.expectations_failed,
            )
        )
    }</p>
{"".join(f"<p class='bad'>{_e(zh(f))}</p>" for f in result.failures)}
{overview_link}
<h2>{_e(L("report.section.history"))}</h2>{history_svg or f"<p class='muted'>{_e(L('report.no_history'))}</p>"}
<h2>{_e(L("report.section.files"))}</h2>{_table(h("file", "status", "observations", "reason"), files, L("report.no_files"))}
<h2>{_e(L("report.section.failing"))}</h2>{
        _table(h("pass", "level", "suite", "expectation", "column", "observed", "rows"), failing, none)
    }
<h2>{_e(L("report.section.quarantine"))}</h2>{_table(h("park", "year", "why"), quarantine, none)}
<h2>{_e(L("report.section.warnings"))}</h2>{
        "".join(f"<p class='warn'>{_e(zh(w))}</p>" for w in result.warnings) or f"<p class='muted'>{_e(none)}</p>"
    }
<h2>{_e(L("report.section.findings"))}</h2>{_table(h("file", "sheet", "cell", "severity", "finding"), finding_rows, none)}
<h2>{_e(L("report.section.unregistered"))}</h2>{_table(h("park", "missing", "unjudged", "finding"), unregistered, none)}
<h2>{_e(L("report.section.counts"))}</h2>{_table(h("table", "count", "previous", "change"), counts, none)}
<p class="muted">{_e(L("report.timings", timings=timings))}<a href="summary.json">summary.json</a></p>
</body></html>"""


def write_run(
    reports: Path,
    history: Path,
    result: BuildResult,
    retention: int,
    findings: list[dict[str, Any]] | None = None,
    marts: Path | None = None,
    overview_parks: int = 20,
) -> Path:
    """The report of one run: the expectation history from the history store's audit.runs; when the
    build published, the overview page and the unregistered parks from ``marts`` (a file holding the
    published marts, opened read-only); then index.html and summary.json."""
    root = reports / result.run_id
    root.mkdir(parents=True, exist_ok=True)
    words = load()
    history_svg = charts.expectation_history(
        _recent_runs(history, result),
        words=lambda total, failed, status: words(
            "report.history.tip", total=total, failed=failed, status=words.get(f"report.status.{status}", status)
        ),
    )
    if marts is not None:
        con = connect(marts, read_only=True)
        try:
            cur = con.execute(
                "select park_name, missing, unjudged_indicators, finding from marts.unregistered_parks order by park_name"
            )
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
            recent = con.execute(
                """select run_id, expectations_evaluated, expectations_failed, status from audit.runs
                                    where status <> 'nothing new' order by started_at desc limit ?""",
                [n],
            ).fetchall()
        finally:
            con.close()
    now = (result.run_id, result.expectations, result.expectations_failed, result.status)
    return list(reversed([now] + [r for r in recent if r[0] != result.run_id][: n - 1]))


def write(
    reports: Path, result: BuildResult, retention: int, history_svg: str = "", findings: list[dict[str, Any]] | None = None
) -> Path:
    root = reports / result.run_id
    root.mkdir(parents=True, exist_ok=True)
    result.report_path = root / "index.html"
    (root / "summary.json").write_text(
        json.dumps(summary(result), ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    result.report_path.write_text(render(result, history_svg, findings, (root / "overview.html").exists()), encoding="utf-8")
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
