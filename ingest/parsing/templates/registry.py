"""Template E, 园区登记表: a park registry sheet (docs/spreadsheets.md, template E)."""

from __future__ import annotations

from ..cells import squash
from ..records import Batch, SheetResult
from ..sheet import Sheet, a1
from ..vocabulary import VOCABULARY
from .common import SheetError, W, _clean, _row_texts, _year_of

# ---------------------------------------------------------------- template E: 园区登记表

REGISTRY_ROLES = ("aliases", "park_type", "planning_base_year", "region_class", "dominant_industry")


def parse_registry(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    """A park registry sheet: one row per park, its attributes as observations (label = the
    attribute), merged in dbt with seeds/common/park_registry.csv. A bad value names its cell."""
    texts = _row_texts(sheet, header_row)
    attr_cols = {role: c for role in REGISTRY_ROLES for c, t in texts.items() if W("registry", role).matches(t)}
    regions = VOCABULARY.phrases("region_class")
    batch = Batch()
    for row in range(header_row + 1, sheet.max_row + 1):
        park = _clean(sheet.value(row, cols["park"]))
        if park is None:
            continue
        for role, col in attr_cols.items():
            raw = sheet.value(row, col)
            if raw is None or _clean(raw) is None:
                continue
            text = _clean(raw)
            value = None
            if role == "planning_base_year":
                value = _year_of(raw)
                if value is None:
                    raise SheetError(a1(row, col), f"{park}: 规划基准年 {text[:40]!r} is not a year")
            if role == "aliases":  # one list separator, whatever the sheet used (seed cell_vocabulary)
                for sep in VOCABULARY.phrases("list_separator"):
                    text = text.replace(sep, "|")
            if role == "region_class" and squash(text) not in regions:
                raise SheetError(a1(row, col), f"{park}: 地区类型 {text[:40]!r} is not one of {', '.join(sorted(regions))}")
            batch.append(
                sheet=sheet.name,
                row_no=row,
                col_no=col,
                template="registry",
                park_name=park,
                label=role,
                label_key=role,
                value_text=text,
                value=None if value is None else float(value),
                value_kind="number" if value is not None else "text",
            )
    if not len(batch):
        raise SheetError(a1(header_row, 1), "the registry sheet has a header but no park rows")
    return SheetResult(sheet.name, "registry", batch, [], None)
