"""Template R, 规划完成情况表: the review of a finished plan (docs/spreadsheets.md, template R)."""

from __future__ import annotations

import csv
import functools
import re

from ..cells import normalize_text, squash
from ..records import Batch, Finding, SheetResult
from ..sheet import Sheet, a1
from ..vocabulary import SEEDS as SPREADSHEET_SEEDS
from .common import (
    _YEAR,
    SheetError,
    W,
    _add,
    _clean,
    _find_header,
    _park_from_top,
    _row_texts,
    _text,
    _top_texts,
    _unit_in_name,
    _year_suffix_matcher,
    value_findings,
)

# ---------------------------------------------------------------- template R: 规划完成情况 (plan review)


def _review_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    base, end = W("review", "base"), W("review", "end")
    return _find_header(
        sheet,
        {
            "label": W("review", "label").matches,
            "base": lambda t: base.matches(t) or _year_suffix_matcher(base)(t),
            "end": lambda t: end.matches(t) or _year_suffix_matcher(end)(t),
            "growth": W("review", "growth").matches,
        },
    )


@functools.lru_cache(maxsize=1)
def _plan_periods() -> dict[str, tuple[int, int]]:
    with (SPREADSHEET_SEEDS / "plan_periods.csv").open(encoding="utf-8", newline="") as fh:
        return {r["plan_name"]: (int(r["base_year"]), int(r["end_year"])) for r in csv.DictReader(fh)}


def parse_review(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    """A review of a finished plan (上一个五年规划完成情况): per indicator its base-year and end-year
    actuals and the annual growth as printed (a number, '提高2.1个百分点' for a share, or a verdict
    '完成上级下达目标'). Kept as written; dbt recomputes what is printed (marts.printed_figures)."""
    top = _top_texts(sheet, header_row)
    park, park_cell = _park_from_top(top, sheet)
    title = next((t for _, _, t in top if W("review", "title").matches(squash(t))), "") or (top[0][2] if top else "")
    plan_name = next((m.group(0) for pattern in W("plan", "plan_name").regex if (m := pattern.search(title))), None)
    findings: list[Finding] = []
    if not park:
        # '苏州工业园区“十三五”规划完成情况': the park is what the title says before the plan's name
        before = re.split(r"[“\"'「『]|十[一二三四五六七八九]五", re.sub(r"^表\s*\d+\s*", "", title), maxsplit=1)[0].strip()
        park = before or None
        if park:
            findings.append(Finding(sheet.name, None, "info", "park_from_title", f"park name {park!r} taken from the title"))
    if not park:
        raise SheetError(None, f"no park name: expected a '{W('any', 'park').first()}：…' line or the park in the title")
    years = {role: _YEAR.match(squash(_text(sheet.value(header_row, cols[role])))) for role in ("base", "end")}
    base_year = int(years["base"].group(1)) if years["base"] else None
    end_year = int(years["end"].group(1)) if years["end"] else None
    if (base_year is None or end_year is None) and plan_name in _plan_periods():
        base_year = base_year or _plan_periods()[plan_name][0]
        end_year = end_year or _plan_periods()[plan_name][1]
    if base_year is None or end_year is None or end_year <= base_year:
        raise SheetError(
            a1(header_row, cols["base"]), "no years: the header names none and the title names no plan period (十三五, …)"
        )
    texts = _row_texts(sheet, header_row)
    attr_col = next((c for c, t in texts.items() if W("review", "attribute").matches(t)), None)
    unit_col = next((c for c, t in texts.items() if W("review", "unit").matches(t)), None)
    batch = Batch()
    for row in range(header_row + 1, sheet.max_row + 1):
        label = _clean(sheet.value(row, cols["label"]))
        if label is None or any(squash(label).startswith(p) for p in W("plan", "end").prefix):
            continue
        unit = (_clean(sheet.value(row, unit_col)) if unit_col else None) or _unit_in_name(normalize_text(label))
        common = dict(
            park_name=park,
            label=label,
            unit=unit,
            plan_name=plan_name or f"{base_year}-{end_year}",
            base_year=base_year,
            target_year=end_year,
            attribute=(squash(_text(sheet.value(row, attr_col))) or None) if attr_col else None,
        )
        _add(batch, sheet, row, cols["base"], "review", year=base_year, value_role="base", **common)
        _add(batch, sheet, row, cols["end"], "review", year=end_year, value_role="end", **common)
        _add(batch, sheet, row, cols["growth"], "review", year=end_year, value_role="growth", **common)
    if not len(batch):
        raise SheetError(a1(header_row, 1), "the review table has a header but no indicator rows")
    return SheetResult(
        sheet.name, "review", batch, findings + value_findings(sheet.name, batch, "review"), park, None, plan_name
    )
