"""Template D, 年度目标表: the yearly targets of a government work report (docs/spreadsheets.md,
template D)."""

from __future__ import annotations

from ..records import Batch, SheetResult
from ..sheet import Sheet, a1
from .common import SheetError, W, _clean, _parsed, _row_texts, _text, _year_of

# ---------------------------------------------------------------- template D: 年度目标表


def parse_targets(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    texts = _row_texts(sheet, header_row)
    unit_col = next((c for c, t in texts.items() if W("targets", "unit").matches(t)), None)
    batch = Batch()
    park = year = None
    for row in range(header_row + 1, sheet.max_row + 1):
        label = _clean(sheet.value(row, cols["label"]))
        if label is None:
            continue
        park = _clean(sheet.merged_value(row, cols["park"])) or park
        year = _year_of(sheet.merged_value(row, cols["year"])) or year
        if year is None:
            raise SheetError(a1(row, cols["year"]), f"年份 {_text(sheet.value(row, cols['year']))[:40]!r} is not a year")
        p, fmt = _parsed(sheet, row, cols["target"])
        batch.append(
            sheet=sheet.name,
            row_no=row,
            col_no=cols["target"],
            template="targets",
            park_name=park,
            year=year,
            label=label,
            unit=_clean(sheet.value(row, unit_col)) if unit_col else None,
            value_role="target",
            value_text=p.value_text,
            value=p.value,
            value_kind=p.kind,
            number_format=fmt,
            target_text=p.value_text,
        )
    return SheetResult(sheet.name, "targets", batch, [], park, year)
