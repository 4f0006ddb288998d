"""overview.html: the assessment at a glance, per park, for parks and bureaus (in Chinese).

A self-contained page (no script, no network asset, readable from file:// and on a phone): a table
of every park's latest verdicts, plan status and yearly targets; for the parks it details, the
verdict matrix (indicators × years, marking which indicators count), a chart of each indicator
against its threshold, plan progress and the yearly targets. Charts are SVG drawn in charts.py;
numbers are rounded to their unit's decimals (seed number_formats); notes are translated by
phrases.py; every other word comes from seeds/exports/export_labels.csv.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from . import charts
from .labels import Formats, Labels, formats, load
from .phrases import zh
from .workbook import QUERIES, _rows, target_counts

CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:1.5em auto;max-width:1200px;color:#222;padding:0 1em;overflow-wrap:anywhere}
h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #ccd;padding-bottom:.2em}h3{font-size:1.05em}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f1f4f8;white-space:nowrap}th,td{overflow-wrap:normal}td.c{text-align:center}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pass{background:#c6efce}.fail{background:#ffc7ce}.not_assessable{background:#ffeb9c}.not_applicable{background:#eeeeee}
.none{color:#aaa}tr.nc td{color:#888}tr.nc td.pass,tr.nc td.fail,tr.nc td.not_assessable{background:#f3f3f3}
.grid{display:flex;flex-wrap:wrap;gap:10px}.grid figure{margin:0;width:320px;max-width:100%}
.grid figcaption{font-size:12px;color:#444}.muted{color:#777}.note{font-size:12px;color:#555}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def write(
    con: duckdb.DuckDBPyConnection, path: Path, detail: Iterable[str] | None = None, limit: int = 20, run_id: str = ""
) -> Path:
    """Write the page to ``path``: every park in the summary table; the parks of ``detail`` (all when
    None) in detail, at most ``limit`` of them, so the page stays readable at national scale (the
    workbooks in EXPORTS hold every park)."""
    labels, fmt = load(), formats()
    all_parks = [r["park_name"] for r in _rows(con, "select park_name from marts.parks where {parks} order by 1", None)]
    chosen = sorted(set(detail)) if detail is not None else all_parks
    shown = chosen[:limit]
    verdicts = _rows(con, QUERIES["verdict"], None)
    plan_counts = _rows(
        con, "select park_name, status, count(*) as n from marts.plan_progress where {parks} group by all", None
    )
    target_rows = _rows(
        con,
        "select park_name, met, count(*) as n from marts.target_tracking where {parks} "
        "and year = (select max(year) from marts.target_tracking t where t.park_name = "
        "target_tracking.park_name) group by all",
        None,
    )
    data: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for key in ("assessment", "plan", "targets"):
        for r in _rows(con, QUERIES[key], shown):
            data[r["park_name"]][key].append(r)
    body = [_summary(all_parks, verdicts, plan_counts, target_rows, labels, shown)]
    for park in shown:
        body.append(_park(park, data[park], labels, fmt))
    if len(chosen) > len(shown):
        body.append(f"<p class='muted'>{_e(labels('overview.more_parks', n=len(chosen) - len(shown)))}</p>")
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    title = _e(labels("overview.title"))
    page = (
        f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{title}</title>"
        f"<style>{CSS}</style></head><body><h1>{title}</h1>"
        f"<p class='muted'>{_e(labels('overview.stamp', date=stamp, run=run_id))}</p>{''.join(body)}</body></html>"
    )
    tmp = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def _table(head: list[str], rows: list[str]) -> str:
    return (
        "<div class='scroll'><table><tr>"
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr>"
        + "".join(rows)
        + "</table></div>"
    )


def _system_order(s: str) -> tuple[bool, str]:
    return (s != "hj274_2015", s)


def _summary(
    parks: list[str],
    verdicts: list[dict[str, Any]],
    plan_counts: list[dict[str, Any]],
    target_rows: list[dict[str, Any]],
    labels: Labels,
    shown: list[str],
) -> str:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for v in verdicts:
        key = (v["park_name"], v["system_code"])
        if key not in latest or v["year"] > latest[key]["year"]:
            latest[key] = v
    systems = sorted({s for _, s in latest}, key=_system_order)
    plans: dict[str, dict[str, int]] = defaultdict(dict)
    for r in plan_counts:
        plans[r["park_name"]][r["status"]] = r["n"]
    targets: dict[str, dict[str, int]] = defaultdict(lambda: {"met": 0, "missed": 0, "unjudged": 0})
    for r in target_rows:
        targets[r["park_name"]]["met" if r["met"] is True else "missed" if r["met"] is False else "unjudged"] += r["n"]
    statuses = ["achieved", "on_track", "behind", "not_assessable", "not_numeric"]
    head = (
        [labels("overview.park")]
        + [labels.get(f"form.title.{s}", s) for s in systems]
        + [labels(f"plan.status.{s}") for s in statuses]
        + [labels("overview.targets")]
    )
    rows = []
    for p in parks:
        name = f"<a href='#{_anchor(p)}'>{_e(p)}</a>" if p in shown else _e(p)
        cells = []
        for s in systems:
            v = latest.get((p, s))
            cells.append(
                "<td class='none'>–</td>"
                if v is None
                else f"<td class='c {_e(v['verdict'])}'>{_e(labels('overview.year', year=v['year']))} "
                f"{_e(labels.get('verdict.' + v['verdict'], v['verdict']))}</td>"
            )
        cells += [f"<td class='c'>{plans[p].get(s, '')}</td>" for s in statuses]
        cells.append(f"<td>{_e(labels('target.counts', **targets[p]))}</td>" if p in targets else "<td class='none'>–</td>")
        rows.append(f"<tr><td>{name}</td>{''.join(cells)}</tr>")
    return _table(head, rows)


def _anchor(park: str) -> str:
    return "p-" + park.encode("utf-8").hex()[:40]


def _park(park: str, d: dict[str, list[dict[str, Any]]], labels: Labels, fmt: Formats) -> str:
    parts = [f"<h2 id='{_anchor(park)}'>{_e(park)}</h2>"]
    by_system: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in d["assessment"]:
        by_system[r["system_code"]].append(r)
    for system in sorted(by_system, key=_system_order):
        rows = by_system[system]
        parts.append(f"<h3>{_e(labels.get(f'form.title.{system}', system))} · {_e(labels('overview.matrix'))}</h3>")
        parts.append(_matrix(rows, labels, fmt))
        parts.append(f"<h3>{_e(labels('overview.trends'))}</h3>{_trends(rows, labels, fmt)}")
    if d["plan"]:
        parts.append(f"<h3>{_e(labels('overview.plan'))}</h3>{_plan(d['plan'], labels, fmt)}")
    if d["targets"]:
        parts.append(f"<h3>{_e(labels('overview.targets'))}</h3>{_targets(d['targets'], labels, fmt)}")
    return "".join(parts)


def _matrix(rows: list[dict[str, Any]], labels: Labels, fmt: Formats) -> str:
    years = sorted({r["year"] for r in rows})
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    names: dict[int, str] = {}
    counted: dict[int, bool] = {}
    for r in rows:
        cells[(r["seq_no"], r["year"])] = r
        names[r["seq_no"]] = r["indicator_name"]
        counted[r["seq_no"]] = counted.get(r["seq_no"], False) or bool(r["counted"])
    head = ["#", labels("header.indicator"), labels("overview.counted")] + [str(y) for y in years]
    body = []
    for seq in sorted(names):
        tds = []
        for y in years:
            r = cells.get((seq, y))
            if r is None:
                tds.append("<td class='none'>–</td>")
                continue
            value = fmt.show(r["value"], r["unit"]) if r["value"] is not None else (r["value_text"] or "")
            threshold = fmt.show(r["threshold"], r["unit"]) if r["threshold"] is not None else ""
            tip = f"{value} {charts.SIGNS.get(r['comparator'] or '', r['comparator'] or '')}{threshold}".strip()
            tds.append(
                f"<td class='c {_e(r['status'])}' title='{_e(tip)}'>"
                f"{_e(labels.get('status.' + r['status'], r['status']))}</td>"
            )
        word = labels("overview.counted.true" if counted[seq] else "overview.counted.false")
        body.append(
            f"<tr class='{'' if counted[seq] else 'nc'}'><td>{seq}</td><td>{_e(names[seq])}</td>"
            f"<td class='c'>{_e(word)}</td>{''.join(tds)}</tr>"
        )
    legend = f"<p class='note'>{_e(labels('overview.counted.legend'))}</p>" if not all(counted.values()) else ""
    return _table(head, body) + legend


def _trends(rows: list[dict[str, Any]], labels: Labels, fmt: Formats) -> str:
    years = sorted({r["year"] for r in rows})
    series: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        series[r["seq_no"]][r["year"]] = r
    figures = []
    for seq in sorted(series):
        points = series[seq]
        if not any(p["value"] is not None for p in points.values()):
            continue
        last = points[max(points)]
        unit = last["unit"] or ""

        def show(v: float, unit: str = unit) -> str:
            return fmt.show(v, unit)

        svg = charts.trend(
            years,
            [points[y]["value"] if y in points else None for y in years],
            [points[y]["threshold"] if y in points else None for y in years],
            last["comparator"],
            f"{seq}. {last['indicator_name']}",
            labels("overview.unit", unit=unit) if unit else "",
            labels("overview.value"),
            labels("overview.threshold"),
            show,
        )
        sign = charts.SIGNS.get(last["comparator"] or "", last["comparator"] or "")
        threshold = f" {sign}{show(last['threshold'])}" if last["threshold"] is not None else ""
        caption = f"{seq}. {last['indicator_name']}{threshold}"
        figures.append(f"<figure><figcaption>{_e(caption)}</figcaption>{svg}</figure>")
    return f"<div class='grid'>{''.join(figures)}</div>" if figures else "<p class='muted'>–</p>"


def _plan(plan: list[dict[str, Any]], labels: Labels, fmt: Formats) -> str:
    """Bars of progress for the quantity targets; then every indicator with its value against the
    target (rates and 'about' targets are judged on the value: no progress ratio)."""
    items = [(p["indicator_name"], p["progress"], p["time_elapsed"]) for p in plan if p["progress"] is not None]
    bars = charts.progress_bars(
        items, labels("overview.plan"), labels("plan.header.progress"), labels("plan.header.elapsed")
    )
    head = [
        labels(f"plan.header.{k}")
        for k in ("indicator", "unit", "base", "target", "latest", "progress", "path", "remaining", "status", "note")
    ]
    rows = []
    for p in plan:
        latest = fmt.show(p["latest_value"], p["unit"], sign=False)
        if latest and p["latest_year"]:
            latest += f"（{p['latest_year']}）"
        progress = f"{p['progress'] * 100:.1f}%" if p["progress"] is not None else ""
        rows.append(
            f"<tr><td>{_e(p['indicator_name'])}</td><td>{_e(p['unit'])}</td>"
            f"<td class='n'>{_e(fmt.show(p['base_value'], p['unit'], sign=False))}</td><td>{_e(p['target_text'])}</td>"
            f"<td class='n'>{_e(latest)}</td><td class='n'>{_e(progress)}</td>"
            f"<td class='n'>{_e(fmt.show(p.get('path_value'), p['unit'], sign=False))}</td>"
            f"<td class='n'>{_e(fmt.show(p.get('remaining'), p['unit'], sign=False))}</td>"
            f"<td class='c {_plan_class(p['status'])}'>{_e(labels.get('plan.status.' + p['status'], p['status']))}</td>"
            f"<td class='note'>{_e(zh(p['note']))}</td></tr>"
        )
    return bars + _table(head, rows)


def _plan_class(status: str) -> str:
    return {"achieved": "pass", "on_track": "pass", "behind": "fail", "not_assessable": "not_assessable"}.get(status, "")


def _targets(targets: list[dict[str, Any]], labels: Labels, fmt: Formats) -> str:
    head = [labels(f"target.header.{k}") for k in ("year", "indicator", "target", "actual", "met", "note")]
    rows = []
    for t in targets:
        met = "target.met.null" if t["met"] is None else f"target.met.{str(t['met']).lower()}"
        cls = {True: "pass", False: "fail"}.get(t["met"], "not_assessable")
        rows.append(
            f"<tr><td>{t['year']}</td><td>{_e(t['indicator_name'])}</td><td>{_e(t['target_text'])}</td>"
            f"<td class='n'>{_e(fmt.show(t['actual_value'], t['target_unit']))}</td>"
            f"<td class='c {cls}'>{_e(labels(met))}</td><td class='note'>{_e(zh(t['note']))}</td></tr>"
        )
    return f"<p><b>{_e(labels('target.counts', **target_counts(targets)))}</b></p>" + _table(head, rows)
