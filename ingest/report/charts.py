"""Charts as inline SVG, drawn in Python: no script, no network asset, readable from file://."""
from __future__ import annotations

import html


def expectation_history(runs: list[tuple[str, int, int, str]], width: int = 720, height: int = 160) -> str:
    """Stacked bars of expectations passed (green) and failed (red) per run, oldest first."""
    runs = [r for r in runs if (r[1] or 0) > 0]
    if not runs:
        return ""
    top = max(r[1] or 0 for r in runs) or 1
    pad_l, pad_b, pad_t = 40, 28, 10
    plot_w, plot_h = width - pad_l - 10, height - pad_b - pad_t
    step = plot_w / len(runs)
    bar = max(2.0, step * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="expectations passed and failed per run">',
             f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 10}" y2="{pad_t + plot_h}" stroke="#999"/>',
             f'<text x="{pad_l - 6}" y="{pad_t + 8}" font-size="10" text-anchor="end">{top}</text>',
             f'<text x="{pad_l - 6}" y="{pad_t + plot_h}" font-size="10" text-anchor="end">0</text>']
    for i, (run_id, total, failed, status) in enumerate(runs):
        total, failed = total or 0, failed or 0
        x = pad_l + i * step + (step - bar) / 2
        h_ok = plot_h * (total - failed) / top
        h_bad = plot_h * failed / top
        y_ok = pad_t + plot_h - h_ok
        title = html.escape(f"{run_id}: {total} expectations, {failed} failed ({status})")
        parts.append(f'<g><title>{title}</title>'
                     f'<rect x="{x:.1f}" y="{y_ok:.1f}" width="{bar:.1f}" height="{h_ok:.1f}" fill="#2f855a"/>'
                     f'<rect x="{x:.1f}" y="{y_ok - h_bad:.1f}" width="{bar:.1f}" height="{h_bad:.1f}" fill="#c53030"/></g>')
    parts.append(f'<text x="{pad_l}" y="{height - 8}" font-size="10">{html.escape(runs[0][0][:15])}</text>')
    parts.append(f'<text x="{width - 10}" y="{height - 8}" font-size="10" text-anchor="end">{html.escape(runs[-1][0][:15])}</text>')
    parts.append("</svg>")
    return "".join(parts)
