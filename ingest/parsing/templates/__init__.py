"""Template recognition and parsing of one sheet: pure functions, Sheet in, records out.

One module per template, behind the registry PARSERS (docs/spreadsheets.md):
  eip_form     A. 对照考核表 (HJ 274-2015 assessment form; one park, one data year)
  plan         B. 主要指标表 (five-year plan main indicators; one park)
  statistics   C. 统计数据表 (yearly statistics, long or wide by year; one or more parks)
  targets      D. 年度目标表 (yearly targets of a government work report)
  review       R. 规划完成情况表 (the review of a finished plan)
  registry     E. 园区登记表 (a park registry)
Recognition reads the title and header text only, never the file or sheet name. The header words
come from seeds/spreadsheets/template_headers.csv.
"""

from __future__ import annotations

from collections.abc import Callable

from ..cells import squash
from ..records import Finding, SheetResult
from ..sheet import Sheet, a1, col_letters
from ..vocabulary import VOCABULARY
from .common import (
    HEADER_SCAN_ROWS,
    SheetError,
    W,
    _find_header,
    _row_texts,
    _text,
    _year_of,
    _year_suffix_matcher,
    label_key,
)
from .form import _form_header, parse_eip_form
from .plan import _plan_header, parse_plan
from .registry import REGISTRY_ROLES, parse_registry
from .review import _review_header, parse_review
from .statistics import parse_statistics_long, parse_statistics_wide
from .targets import parse_targets

# ---------------------------------------------------------------- recognition


def recognise(sheet: Sheet) -> tuple[str, int, dict[str, int]] | None:
    """Which template a sheet is in, from its title and header text; None when it is none of them."""
    top = " ".join(
        squash(_text(v))
        for r in range(1, min(sheet.max_row, HEADER_SCAN_ROWS) + 1)
        for v in sheet.rows[r - 1]
        if v is not None and v != ""
    )
    form_title = W("eip_form", "title")
    if any(c in top for c in form_title.contains) or (
        any(p in top for p in W("eip_form", "selection").prefix)
        and any(e in top for e in W("eip_form", "requirement").exact)
    ):
        found = _find_header(sheet, _form_header())
        if found:
            return ("eip_form", *found)
    found = _review_header(sheet)
    if found:
        return ("review", *found)
    found = _plan_header(sheet)
    if found:
        return ("plan", *found)
    park = W("any", "park").matches
    found = _find_header(
        sheet,
        {
            "park": park,
            "year": W("targets", "year").matches,
            "label": W("targets", "label").matches,
            "target": W("targets", "target").matches,
        },
    )
    if found:
        return ("targets", *found)
    found = _find_header(
        sheet,
        {
            "park": park,
            "year": W("statistics", "year").matches,
            "label": W("statistics", "label").matches,
            "value": W("statistics", "value").matches,
        },
    )
    if found:
        return ("statistics_long", *found)
    found = _find_header(
        sheet, {"park": park, "label": W("statistics", "label").matches, "year": lambda t: _year_of(t) is not None}
    )
    if found:
        return ("statistics_wide", *found)
    registry_attrs = [W("registry", role).matches for role in REGISTRY_ROLES]
    found = _find_header(
        sheet, {"park": W("registry", "park_name").matches, "attribute": lambda t: any(m(t) for m in registry_attrs)}
    )
    if found:
        return ("registry", *found)
    return None


PARSERS = {
    "eip_form": parse_eip_form,
    "plan": parse_plan,
    "review": parse_review,
    "targets": parse_targets,
    "statistics_long": parse_statistics_long,
    "statistics_wide": parse_statistics_wide,
    "registry": parse_registry,
}


def _headers_wanted() -> list[tuple[str, str, dict[str, Callable[[str], bool]]]]:
    """Each template's header columns, as recognise() looks for them: (template, its name, roles)."""
    park = W("any", "park").matches
    return [
        ("eip_form", "对照考核表 (eip_form)", _form_header()),
        (
            "review",
            "规划完成情况表 (review)",
            {
                "label": W("review", "label").matches,
                "base": W("review", "base").matches,
                "end": W("review", "end").matches,
                "growth": W("review", "growth").matches,
            },
        ),
        (
            "plan",
            "主要指标表 (plan)",
            {
                "category": W("plan", "category").matches,
                "label": W("plan", "label").matches,
                "base": _year_suffix_matcher(W("plan", "base")),
                "target": _year_suffix_matcher(W("plan", "target")),
            },
        ),
        (
            "targets",
            "年度目标表 (targets)",
            {
                "park": park,
                "year": W("targets", "year").matches,
                "label": W("targets", "label").matches,
                "target": W("targets", "target").matches,
            },
        ),
        (
            "statistics",
            "统计数据表, long layout (statistics)",
            {
                "park": park,
                "year": W("statistics", "year").matches,
                "label": W("statistics", "label").matches,
                "value": W("statistics", "value").matches,
            },
        ),
        (
            "statistics",
            "统计数据表, wide layout (statistics)",
            {"park": park, "label": W("statistics", "label").matches, "year": lambda t: _year_of(t) is not None},
        ),
    ]


def _role_word(template: str, role: str) -> str:
    w = W(template, role)
    if role == "year" and template == "statistics":
        return "年份 (or YYYY年 columns)"
    return w.first() or ("YYYY年" + w.year_suffix[0] if w.year_suffix else role)


def closest(sheet: Sheet) -> str:
    """Which template the sheet comes closest to, and what of its header is missing, for a person."""
    best: tuple[int, str, str, int, list[str]] | None = None
    for template, name, want in _headers_wanted():
        for row in range(1, min(sheet.max_row, HEADER_SCAN_ROWS) + 1):
            texts = _row_texts(sheet, row)
            found = [role for role, match in want.items() if any(match(t) for t in texts.values())]
            if best is None or len(found) > best[0]:
                missing = [_role_word(template, r) for r in want if r not in found]
                best = (len(found), template, name, row, missing)
    if best is None or best[0] == 0:
        return "matches no template (title and header not recognised): no header row names any template's columns"
    _, _, name, row, missing = best
    return (
        f"matches no template (title and header not recognised); closest: {name}, header row {row} "
        f"lacks {', '.join(missing)}"
    )


def _unused_columns(
    sheet: Sheet, result: SheetResult, template: str, header_row: int, cols: dict[str, int]
) -> list[Finding]:
    """A header the template has no place for: named, so that no printed column is dropped silently."""
    texts = _row_texts(sheet, header_row)
    used = set(cols.values())
    if result.batch is not None and len(result.batch):
        used |= set(result.batch.cols["col_no"])
    elif result.table is not None and "col_no" in result.table.column_names:
        used |= set(result.table.column("col_no").unique().to_pylist())
    family = "statistics" if template.startswith("statistics") else template
    known = [w for (t, _), w in VOCABULARY.headers.items() if t in (family, "any")]
    out = []
    for c, t in sorted(texts.items()):
        if c in used or not t or any(w.matches(t) for w in known) or _year_of(t) is not None:
            continue
        out.append(
            Finding(
                sheet.name,
                a1(header_row, c),
                "warning",
                "column_not_loaded",
                f"column {t!r} ({col_letters(c)}) not loaded: the {family} template has no place for it",
            )
        )
    return out


def parse_sheet(sheet: Sheet) -> SheetResult:
    """Recognise and parse one sheet. A sheet in no template comes back with template None."""
    if sheet.is_empty:
        return SheetResult(sheet.name, None, message="empty sheet", index=sheet.index)
    found = recognise(sheet)
    if found is None:
        return SheetResult(sheet.name, None, message=closest(sheet), index=sheet.index)
    template, header_row, cols = found
    try:
        result = PARSERS[template](sheet, header_row, cols)
    except SheetError as exc:
        where = f"cell {exc.cell}" if exc.cell else "sheet"
        result = SheetResult(sheet.name, None, message=f"{template} sheet, {where}: {exc}", index=sheet.index)
        result.findings.append(Finding(sheet.name, exc.cell, "error", "sheet_error", str(exc)))
        return result
    result.index = sheet.index
    if template != "eip_form":  # the form's raw-data rows and notes carry no extra columns
        result.findings += _unused_columns(sheet, result, template, header_row, cols)
    keys = result.batch.cols["label_key"]
    if result.table is None and not any(keys):
        labels, templates = result.batch.cols["label"], result.batch.cols["template"]
        result.batch.cols["label_key"] = [label_key(lb, t) if lb else None for lb, t in zip(labels, templates)]
    return result
