"""Charts as inline SVG, drawn here: no script, no stylesheet, no network asset.

Every colour is an attribute of the element it paints, so the chart looks the same in any page, in
any browser, from file:// and printed (a chart that needs a stylesheet turns black when the sheet is
lost). Texts go through html.escape. Each chart scales down to the width it is given (viewBox).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

FONT = "system-ui,&quot;Noto Sans CJK SC&quot;,&quot;Microsoft YaHei&quot;,&quot;PingFang SC&quot;,sans-serif"
INK, GRID, AXIS = "#333333", "#e2e8f0", "#718096"
VALUE, THRESHOLD, PASS_BAND = "#2b6cb0", "#c53030", "#e6f4ea"
ELAPSED = "#1a202c"
SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "≈": "≈"}


def _e(v: object) -> str:
    return html.escape(str(v), quote=True)


def _open(width: int, height: int, label: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" style="max-width:100%;height:auto" role="img" aria-label="{_e(label)}" '
        f'font-family="{FONT}" font-size="11" fill="{INK}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f"<title>{_e(label)}</title>",
    ]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high]."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high - low < 1e-12:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(low / step) * step
    ticks, t = [], first
    while t <= high + step * 0.5 and len(ticks) < 20:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _tick_text(v: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    return f"{v:,.{min(decimals, 4)}f}"


def trend(
    years: Sequence[int],
    values: Sequence[float | None],
    thresholds: Sequence[float | None],
    comparator: str | None,
    label: str,
    unit: str = "",
    value_name: str = "数值",
    threshold_name: str = "门槛",
    show: Callable[[float], str] = lambda v: f"{v:,.2f}",
    width: int = 320,
    height: int = 190,
) -> str:
    """A value over the years against its threshold. The threshold is a dashed line across the
    whole plot (one year too: a line, not a dot), and the side that passes is a light green band,
    so a reader sees at once where the value stands. Axes carry the years and the unit."""
    pts = [(y, v) for y, v in zip(years, values) if v is not None and math.isfinite(v)]
    thr = [(y, t) for y, t in zip(years, thresholds) if t is not None and math.isfinite(t)]
    if not pts:
        return ""
    left, right, top, bottom = 52, 12, 22, 30
    pw, ph = width - left - right, height - top - bottom
    span = [v for _, v in pts] + [t for _, t in thr]
    pad = (max(span) - min(span)) * 0.12 or abs(max(span)) * 0.1 or 1.0  # nothing sits on the frame
    ticks = nice_ticks(min(span) - pad, max(span) + pad)
    lo, hi = ticks[0], ticks[-1]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    n = len(years)

    def x(i: int) -> float:  # one year sits in the middle; several spread over the width
        return left + (pw / 2 if n == 1 else pw * (0.06 + 0.88 * i / (n - 1)))

    def y(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo if hi > lo else 1))

    index = {yr: i for i, yr in enumerate(years)}
    sign = SIGNS.get(comparator or "", comparator or "")
    out = _open(width, height, label)
    out.append(f'<text x="{left}" y="13" font-size="10" fill="{AXIS}">{_e(unit)}</text>' if unit else "")
    # the side of the threshold that passes, from a constant threshold (the usual case)
    if thr and comparator in (">=", ">", "<=", "<") and len({t for _, t in thr}) == 1:
        ty = y(thr[0][1])
        band_top, band_h = (top, ty - top) if comparator in (">=", ">") else (ty, top + ph - ty)
        out.append(f'<rect x="{left}" y="{band_top:.1f}" width="{pw}" height="{max(band_h, 0):.1f}" fill="{PASS_BAND}"/>')
    for t in ticks:
        out.append(
            f'<line x1="{left}" y1="{y(t):.1f}" x2="{left + pw}" y2="{y(t):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 5}" y="{y(t) + 3.5:.1f}" text-anchor="end" font-size="10" fill="{AXIS}">'
            f"{_e(_tick_text(t, step))}</text>"
        )
    out.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="{AXIS}"/>'
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="{AXIS}"/>'
    )
    every = max(1, math.ceil(n / 8))
    for i, yr in enumerate(years):
        if i % every == 0 or i == n - 1:
            out.append(
                f'<text x="{x(i):.1f}" y="{top + ph + 14}" text-anchor="middle" font-size="10" fill="{AXIS}">{_e(yr)}</text>'
            )
    if thr:
        if len({t for _, t in thr}) == 1:
            segs = [(left, thr[0][1]), (left + pw, thr[0][1])]
        else:
            segs = [(x(index[yr]), t) for yr, t in thr]
        path = " ".join(f"{px:.1f},{y(t):.1f}" for px, t in segs)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{THRESHOLD}" stroke-width="1.5" '
            f'stroke-dasharray="5,4"><title>{_e(threshold_name)} {_e(sign)}{_e(show(thr[-1][1]))}</title></polyline>'
        )
        ty = y(thr[-1][1])
        out.append(
            f'<text x="{left + pw - 2}" y="{ty - 4 if ty - top > 14 else ty + 12:.1f}" text-anchor="end" '
            f'font-size="10" fill="{THRESHOLD}">{_e(threshold_name)} {_e(sign)}{_e(show(thr[-1][1]))}</text>'
        )
    if len(pts) > 1:
        path = " ".join(f"{x(index[yr]):.1f},{y(v):.1f}" for yr, v in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{VALUE}" stroke-width="2"/>')
    for yr, v in pts:
        out.append(
            f'<circle cx="{x(index[yr]):.1f}" cy="{y(v):.1f}" r="3.5" fill="{VALUE}">'
            f"<title>{_e(yr)} {_e(value_name)} {_e(show(v))}</title></circle>"
        )
    last_year, last = pts[-1]
    anchor = "end" if index[last_year] == n - 1 and n > 1 else "middle"
    out.append(
        f'<text x="{x(index[last_year]) - (4 if anchor == "end" else 0):.1f}" y="{y(last) - 7:.1f}" '
        f'text-anchor="{anchor}" font-size="10" fill="{VALUE}">{_e(show(last))}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def progress_bars(
    items: Sequence[tuple[str, float, float | None]], label: str, progress_name: str, elapsed_name: str, width: int = 640
) -> str:
    """Horizontal bars of progress towards each target (0 to 100 %, an arrow beyond), with a dark
    tick at the share of the period elapsed. items: (indicator, progress, elapsed) as fractions."""
    if not items:
        return ""
    row, top, name_w, right = 26, 26, 190, 56
    height = top + row * len(items) + 10
    pw = width - name_w - right
    out = _open(width, height, label)
    out.append(
        f'<rect x="{name_w}" y="6" width="14" height="10" fill="{VALUE}"/>'
        f'<text x="{name_w + 18}" y="15" font-size="10">{_e(progress_name)}</text>'
        f'<line x1="{name_w + 110}" y1="4" x2="{name_w + 110}" y2="18" stroke="{ELAPSED}" stroke-width="2"/>'
        f'<text x="{name_w + 116}" y="15" font-size="10">{_e(elapsed_name)}</text>'
    )
    for q in (0, 0.5, 1):
        gx = name_w + pw * q
        out.append(
            f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{height - 8}" stroke="{GRID}"/>'
            f'<text x="{gx:.1f}" y="{height - 0.5}" text-anchor="middle" font-size="9" fill="{AXIS}">'
            f"{int(q * 100)}%</text>"
        )
    for i, (name, progress, elapsed) in enumerate(items):
        cy = top + row * i + row / 2
        short = name if len(name) <= 14 else name[:13] + "…"
        out.append(f'<text x="{name_w - 6}" y="{cy + 4:.1f}" text-anchor="end"><title>{_e(name)}</title>{_e(short)}</text>')
        shown = min(max(progress, 0.0), 1.0)
        out.append(
            f'<rect x="{name_w}" y="{cy - 7:.1f}" width="{pw * shown:.1f}" height="14" fill="{VALUE}">'
            f"<title>{_e(name)} {_e(progress_name)} {progress * 100:.1f}%</title></rect>"
        )
        if progress > 1:
            tip = name_w + pw
            out.append(
                f'<polygon points="{tip:.1f},{cy - 7:.1f} {tip + 8:.1f},{cy:.1f} {tip:.1f},{cy + 7:.1f}" fill="{VALUE}"/>'
            )
        out.append(
            f'<text x="{name_w + pw * shown + (12 if progress > 1 else 4):.1f}" y="{cy + 4:.1f}" '
            f'font-size="10">{progress * 100:.1f}%</text>'
        )
        if elapsed is not None:
            ex = name_w + pw * min(max(elapsed, 0.0), 1.0)
            out.append(
                f'<line x1="{ex:.1f}" y1="{cy - 10:.1f}" x2="{ex:.1f}" y2="{cy + 10:.1f}" stroke="{ELAPSED}" '
                f'stroke-width="2"><title>{_e(elapsed_name)} {elapsed * 100:.0f}%</title></line>'
            )
    out.append("</svg>")
    return "".join(out)


def expectation_history(
    runs: list[tuple[str, int, int, str]],
    width: int = 720,
    height: int = 160,
    words: Callable[[int, int, str], str] | None = None,
) -> str:
    """Stacked bars of expectations passed (green) and failed (red) per run, oldest first."""
    runs = [r for r in runs if (r[1] or 0) > 0]
    if not runs:
        return ""
    top = max(r[1] or 0 for r in runs) or 1
    pad_l, pad_b, pad_t = 40, 28, 10
    plot_w, plot_h = width - pad_l - 10, height - pad_b - pad_t
    step = plot_w / len(runs)
    bar = max(2.0, step * 0.7)
    parts = _open(width, height, "expectations passed and failed per run")
    parts += [
        f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 10}" y2="{pad_t + plot_h}" stroke="#999"/>',
        f'<text x="{pad_l - 6}" y="{pad_t + 8}" font-size="10" text-anchor="end">{top}</text>',
        f'<text x="{pad_l - 6}" y="{pad_t + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    for i, (run_id, total, failed, status) in enumerate(runs):
        total, failed = total or 0, failed or 0
        x = pad_l + i * step + (step - bar) / 2
        h_ok = plot_h * (total - failed) / top
        h_bad = plot_h * failed / top
        y_ok = pad_t + plot_h - h_ok
        tip = words(total, failed, status) if words else f"{total} expectations, {failed} failed ({status})"
        title = html.escape(f"{run_id}: {tip}")
        parts.append(
            f"<g><title>{title}</title>"
            f'<rect x="{x:.1f}" y="{y_ok:.1f}" width="{bar:.1f}" height="{h_ok:.1f}" fill="#2f855a"/>'
            f'<rect x="{x:.1f}" y="{y_ok - h_bad:.1f}" width="{bar:.1f}" height="{h_bad:.1f}" fill="#c53030"/></g>'
        )
    parts.append(f'<text x="{pad_l}" y="{height - 8}" font-size="10">{html.escape(runs[0][0][:15])}</text>')
    parts.append(
        f'<text x="{width - 10}" y="{height - 8}" font-size="10" text-anchor="end">{html.escape(runs[-1][0][:15])}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
