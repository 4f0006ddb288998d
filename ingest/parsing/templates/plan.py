"""Template B, 主要指标表: a five-year plan's main indicators of one park (docs/spreadsheets.md,
template B)."""

from __future__ import annotations

from ..cells import normalize_text, squash
from ..records import Batch, SheetResult
from ..sheet import Sheet, a1
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


def _plan_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    return _find_header(
        sheet,
        {
            "category": W("plan", "category").matches,
            "label": W("plan", "label").matches,
            "base": _year_suffix_matcher(W("plan", "base")),
            "target": _year_suffix_matcher(W("plan", "target")),
        },
    )


def parse_plan(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    top = _top_texts(sheet, header_row)
    park, _ = _park_from_top(top, sheet)
    title = next((t for _, _, t in top if W("plan", "title").matches(squash(t))), "")
    if not park:
        raise SheetError(
            None, f"no park name: expected a '{W('any', 'park').first()}：…' line between the title and the header"
        )
    plan_name = None
    for pattern in W("plan", "plan_name").regex:
        if m := pattern.search(title):
            plan_name = m.group(0)
    if plan_name is None:
        stripped = title
        for pattern in W("plan", "table_number").regex:
            stripped = pattern.sub("", stripped)
        plan_name = stripped.strip() or sheet.name
    base_year = _YEAR.match(squash(_text(sheet.value(header_row, cols["base"]))))
    target_year = _YEAR.match(squash(_text(sheet.value(header_row, cols["target"]))))
    base_year, target_year = int(base_year.group(1)), int(target_year.group(1))  # the header matched a year
    texts = _row_texts(sheet, header_row)
    seq_col = next((c for c, t in texts.items() if W("plan", "seq_no").matches(t)), None)
    attr_col = next((c for c, t in texts.items() if W("plan", "attribute").matches(t)), None)

    batch = Batch()
    category = None
    end_words = W("plan", "end")
    for row in range(header_row + 1, sheet.max_row + 1):
        label = _clean(sheet.value(row, cols["label"]))
        if label is None:
            continue
        if any(squash(label).startswith(p) for p in end_words.prefix):
            break
        category = _clean(sheet.merged_value(row, cols["category"])) or category
        seq = None
        if seq_col:
            try:
                seq = int(float(normalize_text(_text(sheet.merged_value(row, seq_col)))))
            except (ValueError, OverflowError):
                seq = None
        common = dict(
            park_name=park,
            label=label,
            unit=_unit_in_name(normalize_text(label)),
            category=category.replace("\n", "") if category else None,
            seq_no=seq,
            plan_name=plan_name,
            base_year=base_year,
            target_year=target_year,
            attribute=(squash(_text(sheet.value(row, attr_col))) or None) if attr_col else None,
        )
        _add(batch, sheet, row, cols["base"], "plan", year=base_year, value_role="base", **common)
        _add(batch, sheet, row, cols["target"], "plan", year=target_year, value_role="target", **common)
    if not len(batch):
        raise SheetError(a1(header_row, 1), "the plan table has a header but no indicator rows")
    return SheetResult(sheet.name, "plan", batch, value_findings(sheet.name, batch, "plan"), park, None, plan_name)
