"""overview.html: the assessment at a glance, per park, beside the load report.

A self-contained page (no script, no network asset, readable from file://): a table of every park's
latest verdicts, and for the parks it details, the verdict matrix (indicators × years), a trend chart
of each indicator against its threshold, and plan-progress bars. The charts are SVG drawn by pygal
in Python; its inline configuration script is removed, since nothing on the page runs.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pygal
from pygal.style import Style

from .labels import Labels, load
from .workbook import QUERIES, _rows

FONT = 'system-ui,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif'
CHART_STYLE = Style(font_family=FONT, background="white", plot_background="white",
                    colors=("#2b6cb0", "#c53030", "#718096"), label_font_size=10, major_label_font_size=10,
                    legend_font_size=10, title_font_size=12, value_font_size=9)
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
STYLE = re.compile(r"<style\b.*?</style>", re.S)
CHART_ID = re.compile(r'id="(chart-[0-9a-f-]+)"')
CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #ccd;padding-bottom:.2em}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f1f4f8}td.c{text-align:center}.pass{background:#c6efce}.fail{background:#ffc7ce}
.not_assessable{background:#ffeb9c}.none{color:#aaa}.grid{display:flex;flex-wrap:wrap;gap:8px}
.grid figure{margin:0;width:300px}.grid figcaption{font-size:12px;color:#444}.muted{color:#777}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def write(con: duckdb.DuckDBPyConnection, path: Path, detail: Iterable[str] | None = None, limit: int = 20,
          run_id: str = "") -> Path:
    """Write the page to ``path``: every park in the summary table; the parks of ``detail`` (all when
    None) in detail, at most ``limit`` of them, so the page stays readable at national scale (the
    workbooks in EXPORTS hold every park)."""
    labels = load()
    all_parks = [r["park_name"] for r in _rows(con, "select park_name from marts.parks where {parks} order by 1", None)]
    chosen = sorted(set(detail)) if detail is not None else all_parks
    shown = chosen[:limit]
    verdicts = _rows(con, QUERIES["verdict"], None)
    plan_counts = _rows(con, "select park_name, status, count(*) as n from marts.plan_progress where {parks} "
                             "group by all", None)
    data: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for key in ("assessment", "plan", "targets"):
        for r in _rows(con, QUERIES[key], shown):
            data[r["park_name"]][key].append(r)
    body = [_summary(all_parks, verdicts, plan_counts, labels, shown)]
    styles: set[str] = set()
    for park in shown:
        body.append(_park(park, data[park], labels, styles))
    if len(chosen) > len(shown):
        body.append(f"<p class='muted'>{len(chosen) - len(shown)} more parks are not detailed here; "
                    f"their workbooks are in EXPORTS/assessment/.</p>")
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    page = (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{_e(labels('overview.title'))}"
            f"</title><style>{CSS}</style>{''.join(sorted(styles))}</head><body><h1>{_e(labels('overview.title'))}</h1>"
            f"<p class='muted'>{_e(stamp)} · {_e(run_id)}</p>{''.join(body)}</body></html>")
    tmp = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def _summary(parks: list[str], verdicts: list[dict[str, Any]], plan_counts: list[dict[str, Any]], labels: Labels,
             shown: list[str]) -> str:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for v in verdicts:
        key = (v["park_name"], v["system_code"])
        if key not in latest or v["year"] > latest[key]["year"]:
            latest[key] = v
    systems = sorted({s for _, s in latest}, key=lambda s: (s != "hj274_2015", s))
    plans: dict[str, dict[str, int]] = defaultdict(dict)
    for r in plan_counts:
        plans[r["park_name"]][r["status"]] = r["n"]
    statuses = ["achieved", "on_track", "behind", "not_assessable", "not_numeric"]
    head = ("<tr><th></th>" + "".join(f"<th>{_e(labels.get(f'form.title.{s}', s))}</th>" for s in systems)
            + "".join(f"<th>{_e(labels(f'plan.status.{s}'))}</th>" for s in statuses) + "</tr>")
    rows = []
    for p in parks:
        name = f"<a href='#{_anchor(p)}'>{_e(p)}</a>" if p in shown else _e(p)
        cells = []
        for s in systems:
            v = latest.get((p, s))
            cells.append("<td class='none'>–</td>" if v is None else
                         f"<td class='c {v['verdict']}'>{v['year']} {_e(labels.get('verdict.' + v['verdict'], v['verdict']))}</td>")
        cells += [f"<td class='c'>{plans[p].get(s, '')}</td>" for s in statuses]
        rows.append(f"<tr><td>{name}</td>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _anchor(park: str) -> str:
    return "p-" + park.encode("utf-8").hex()[:40]


def _park(park: str, d: dict[str, list[dict[str, Any]]], labels: Labels, styles: set[str]) -> str:
    parts = [f"<h2 id='{_anchor(park)}'>{_e(park)}</h2>"]
    by_system: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in d["assessment"]:
        by_system[r["system_code"]].append(r)
    for system in sorted(by_system, key=lambda s: (s != "hj274_2015", s)):
        rows = by_system[system]
        parts.append(f"<h3>{_e(labels.get(f'form.title.{system}', system))} · {_e(labels('overview.matrix'))}</h3>")
        parts.append(_matrix(rows, labels))
        parts.append(f"<h3>{_e(labels('overview.trends'))}</h3>{_trends(rows, labels, styles)}")
    if d["plan"]:
        parts.append(f"<h3>{_e(labels('overview.plan'))}</h3>{_plan_chart(d['plan'], labels, styles)}")
    if d["targets"]:
        met = sum(1 for t in d["targets"] if t["met"])
        parts.append(f"<h3>{_e(labels('overview.targets'))}</h3><p>{met} / {len(d['targets'])} "
                     f"{_e(labels('target.met.true'))}</p>")
    return "".join(parts)


def _matrix(rows: list[dict[str, Any]], labels: Labels) -> str:
    years = sorted({r["year"] for r in rows})
    cells: dict[tuple[int, str], dict[str, Any]] = {}
    names: dict[int, str] = {}
    for r in rows:
        cells[(r["seq_no"], str(r["year"]))] = r
        names[r["seq_no"]] = r["indicator_name"]
    head = "<tr><th>#</th><th></th>" + "".join(f"<th>{y}</th>" for y in years) + "</tr>"
    body = []
    for seq in sorted(names):
        tds = []
        for y in years:
            r = cells.get((seq, str(y)))
            if r is None:
                tds.append("<td class='none'>–</td>")
                continue
            tip = f"{r['value'] if r['value'] is not None else (r['value_text'] or '')} {r['unit'] or ''} {r['comparator'] or ''} {r['threshold'] if r['threshold'] is not None else ''}"
            tds.append(f"<td class='c {r['status']}' title='{_e(tip)}'>{_e(labels.get('status.' + r['status'], r['status']))}</td>")
        body.append(f"<tr><td>{seq}</td><td>{_e(names[seq])}</td>{''.join(tds)}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _svg(chart: pygal.graph.graph.Graph, styles: set[str]) -> str:
    """The chart without pygal's script, and without its stylesheet: pygal scopes one copy per chart
    by the chart's id; the page carries each distinct sheet once, scoped by the class every chart has."""
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    chart_id, style = CHART_ID.search(svg), STYLE.search(svg)
    if chart_id and style:
        styles.add(style.group(0).replace(f"#{chart_id.group(1)}", ".pygal-chart"))
        svg = svg.replace(style.group(0), "")
    return svg


def _trends(rows: list[dict[str, Any]], labels: Labels, styles: set[str]) -> str:
    years = sorted({r["year"] for r in rows})
    series: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        series[r["seq_no"]][r["year"]] = r
    figures = []
    for seq in sorted(series):
        points = series[seq]
        if not any(p["value"] is not None for p in points.values()):
            continue
        first = next(iter(points.values()))
        chart = pygal.Line(js=[], disable_xml_declaration=True, width=300, height=170, style=CHART_STYLE,
                           show_legend=False, margin=6, show_y_guides=True, dots_size=3, explicit_size=True)
        chart.x_labels = [str(y) for y in years]
        chart.add(labels("overview.value"), [points[y]["value"] if y in points else None for y in years])
        if any(p["threshold"] is not None for p in points.values()):
            chart.add(labels("overview.threshold"), [points[y]["threshold"] if y in points else None for y in years],
                      stroke_style={"dasharray": "5,4", "width": 1.5}, show_dots=False)
        caption = f"{seq}. {first['indicator_name']} ({first['unit'] or ''}) {first['comparator'] or ''} {first['threshold'] if first['threshold'] is not None else ''}"
        figures.append(f"<figure>{_svg(chart, styles)}<figcaption>{_e(caption)}</figcaption></figure>")
    return f"<div class='grid'>{''.join(figures)}</div>" if figures else "<p class='muted'>–</p>"


def _plan_chart(plan: list[dict[str, Any]], labels: Labels, styles: set[str]) -> str:
    """Bars of progress towards each numeric plan target beside the share of the period elapsed."""
    items = [p for p in plan if p["progress"] is not None]
    if not items:
        return "<p class='muted'>–</p>"
    chart = pygal.HorizontalBar(js=[], disable_xml_declaration=True, width=900, height=60 + 34 * len(items),
                                style=CHART_STYLE, legend_at_bottom=True, explicit_size=True,
                                value_formatter=lambda v: f"{v:.0f}%", truncate_label=40)
    chart.x_labels = [p["indicator_name"] for p in items]
    chart.add(labels("plan.header.progress"), [round(100 * p["progress"], 1) for p in items])
    chart.add(labels("plan.header.elapsed"),
              [round(100 * p["time_elapsed"], 1) if p["time_elapsed"] is not None else None for p in items])
    rows = "".join(f"<tr><td>{_e(p['indicator_name'])}</td><td>{_e(p['target_text'])}</td>"
                   f"<td>{_e(p['latest_value'])}</td><td>{_e(labels.get('plan.status.' + p['status'], p['status']))}</td></tr>"
                   for p in plan)
    head = "".join(f"<th>{_e(labels(f'plan.header.{k}'))}</th>" for k in ("indicator", "target", "latest", "status"))
    return f"{_svg(chart, styles)}<table><tr>{head}</tr>{rows}</table>"
