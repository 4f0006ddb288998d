"""Template A, 对照考核表: the HJ 274-2015 assessment form of one park and one data year
(docs/spreadsheets.md, template A)."""

from __future__ import annotations

from collections.abc import Callable

from ..cells import normalize_text, squash
from ..records import Batch, Finding, SheetResult
from ..sheet import Sheet, a1
from ..vocabulary import Words
from .common import (
    _YEAR,
    YEAR_MARK,
    SheetError,
    W,
    _add,
    _clean,
    _park_from_top,
    _parse_date,
    _text,
    _top_texts,
    value_findings,
)

# ---------------------------------------------------------------- template A: 对照考核表


def _form_header() -> dict[str, Callable[[str], bool]]:
    return {
        role: W("eip_form", role).matches
        for role in ("category", "seq_no", "label", "unit", "requirement", "selection", "value")
    }


def _year_after(compact: str, words: Words) -> int | None:
    for p in words.prefix:
        i = compact.find(p)
        if i >= 0:
            m = _YEAR.match(compact[i + len(p) :].lstrip("为是:"))
            if m:
                return int(m.group(1))
    return None


def parse_eip_form(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    top = _top_texts(sheet, header_row)
    park, park_cell = _park_from_top(top, sheet)
    title = next((t for _, _, t in top if W("eip_form", "title").matches(squash(t))), "")
    if park is None and title:
        suffix = W("eip_form", "title_park_suffix").contains
        prefix = title.split(suffix[0])[0].strip() if suffix and suffix[0] in title else ""
        park = prefix or None
    if not park:
        raise SheetError(None, f"no park name: expected a '{W('any', 'park').first()}:…' line above the header")
    year = planning_base = None
    report_date = None
    data_year_words, base_words, date_words = (
        W("eip_form", "data_year"),
        W("eip_form", "planning_base_year"),
        W("any", "report_date"),
    )
    for r, c, t in top:
        compact = squash(t)
        year = _year_after(compact, data_year_words) or year
        planning_base = _year_after(compact, base_words) or planning_base
        for p in date_words.prefix:
            if p in compact:
                report_date = _parse_date(compact.split(p, 1)[1]) or _parse_date(sheet.value(r, c + 1))
    if year is None:
        raise SheetError(None, f"no data year: expected '{data_year_words.first()}为YYYY{YEAR_MARK}' above the header")

    batch = Batch()
    category = None
    seq_no: int | None = None
    end_words, no_value = W("eip_form", "end"), W("any", "no_value")
    for row in range(header_row + 1, sheet.max_row + 1):
        cells = sheet.rows[row - 1]
        first = squash(_text(next((v for v in cells if v is not None and v != ""), "")))
        if any(first.startswith(p) for p in end_words.prefix):
            break
        label = _clean(sheet.value(row, cols["label"]))
        if label is None:
            continue
        category = _clean(sheet.merged_value(row, cols["category"])) or category
        seq_raw = sheet.merged_value(row, cols["seq_no"])
        if seq_raw is not None and _text(seq_raw).strip():
            try:
                seq_no = int(float(normalize_text(_text(seq_raw))))
            except (ValueError, OverflowError):
                raise SheetError(a1(row, cols["seq_no"]), f"序号 {_text(seq_raw)[:40]!r} is not a number") from None
        requirement = _clean(sheet.value(row, cols["requirement"]))
        selection = _clean(sheet.value(row, cols["selection"]))
        is_component = squash(requirement or "") in no_value.exact | {""} and squash(selection or "") in no_value.exact | {
            ""
        }
        _add(
            batch,
            sheet,
            row,
            cols["value"],
            "eip_form",
            park_name=park,
            year=year,
            label=label,
            unit=_clean(sheet.value(row, cols["unit"])),
            category=category,
            seq_no=seq_no,
            row_kind="component" if is_component else "indicator",
            requirement=requirement,
            selection=selection,
            planning_base_year=planning_base,
            report_date=report_date,
        )
    if not len(batch):
        raise SheetError(a1(header_row, 1), "the form has a header but no indicator rows")
    result = SheetResult(sheet.name, "eip_form", batch, value_findings(sheet.name, batch, "eip_form"), park, year)
    if park_cell is None:
        result.findings.append(
            Finding(sheet.name, None, "info", "park_from_title", f"park name {park!r} taken from the title")
        )
    return result


# ---------------------------------------------------------------- template B: 主要指标表
