"""Template recognition and parsing of one sheet: pure functions, Sheet in, records out.

Templates (docs/spreadsheets.md):
  eip_form     A. 对照考核表 (HJ 274-2015 assessment form; one park, one data year)
  plan         B. 主要指标表 (five-year plan main indicators; one park)
  statistics   C. 统计数据表 (yearly statistics, long or wide by year; one or more parks)
  targets      D. 年度目标表 (yearly targets of a government work report)
Recognition reads the title and header text only, never the file or sheet name. The header words
come from seeds/spreadsheets/template_headers.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .cells import ParsedValue, is_cell_error, normalize_text, parse_cell, squash
from .records import FIELDS, Batch, Finding, SheetResult
from .sheet import Sheet, a1, col_letters
from .vocabulary import SEEDS as SPREADSHEET_SEEDS
from .vocabulary import VOCABULARY, Words

HEADER_SCAN_ROWS = 30
TEXT_CAP = 512  # header and title texts are short; a longer cell is cut before any pattern sees it
W = VOCABULARY.words
YEAR_MARK = W("any", "year_mark").first()
MONTH_MARK = W("any", "month_mark").first()
DAY_MARK = W("any", "day_mark").first()
_YEAR = re.compile(r"((?:19|20)\d{2})")
_YEAR_CELL = re.compile(rf"((?:19|20)\d{{2}})(?:{re.escape(YEAR_MARK)})?(?:\.0)?")
_DATE = re.compile(rf"((?:19|20)\d{{2}})[{re.escape(YEAR_MARK)}\-/.](\d{{1,2}})[{re.escape(MONTH_MARK)}\-/.](\d{{1,2}})")


class SheetError(Exception):
    def __init__(self, cell: str | None, message: str):
        super().__init__(message)
        self.cell = cell


# ---------------------------------------------------------------- helpers


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)[:TEXT_CAP] if isinstance(v, str) else str(v)


def _clean(v: Any) -> str | None:
    """A label as written, minus surrounding whitespace; None when empty."""
    if v is None:
        return None
    t = (v if isinstance(v, str) else _text(v)).strip()
    return t or None


def _year_of(v: Any) -> int | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return int(v) if float(v).is_integer() and 1900 <= v <= 2099 else None
    m = _YEAR_CELL.fullmatch(squash(_text(v)))
    return int(m.group(1)) if m else None


def _row_texts(sheet: Sheet, row: int) -> dict[int, str]:
    cells = sheet.rows[row - 1] if 0 < row <= sheet.max_row else []
    return {c: squash(_text(v)) for c, v in enumerate(cells, start=1) if v is not None and v != ""}


def _find_header(sheet: Sheet, want: dict[str, Callable[[str], bool]]) -> tuple[int, dict[str, int]] | None:
    """First row (within the top rows) holding a cell for every wanted column; returns the columns."""
    for row in range(1, min(sheet.max_row, HEADER_SCAN_ROWS) + 1):
        texts = _row_texts(sheet, row)
        cols: dict[str, int] = {}
        for name, match in want.items():
            for c, t in texts.items():
                if c not in cols.values() and match(t):
                    cols[name] = c
                    break
        if len(cols) == len(want):
            return row, cols
    return None


def _top_texts(sheet: Sheet, until_row: int) -> list[tuple[int, int, str]]:
    return [
        (r, c, normalize_text(_text(v)))
        for r in range(1, min(until_row, sheet.max_row + 1))
        for c, v in enumerate(sheet.rows[r - 1], start=1)
        if v is not None and v != ""
    ]


def _park_from_top(top: list[tuple[int, int, str]], sheet: Sheet) -> tuple[str | None, str | None]:
    park_words = W("any", "park")
    for r, c, t in top:
        compact = squash(t)
        for word in sorted(park_words.exact, key=len, reverse=True):
            if compact.startswith(word + ":"):
                value = re.split(r"\s{2,}", t.split(":", 1)[1].strip() if ":" in t else "", maxsplit=1)[0]
                value = _cut_at(value, W("any", "report_date"))
                if value:
                    return value, a1(r, c)
            if compact in (word, word + ":"):
                nxt = _clean(sheet.value(r, c + 1))
                if nxt:
                    return nxt, a1(r, c + 1)
    return None, None


def _cut_at(text: str, words: Words) -> str:
    for p in words.prefix:
        i = text.find(p)
        if i >= 0:
            text = text[:i]
    return text.strip()


def _parse_date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    m = _DATE.search(squash(_text(v)))
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _unit_in_name(name: str) -> str | None:
    """'地区生产总值（亿元）' -> '亿元'; the unit is the last bracketed part of the name."""
    name = name.rstrip()
    if not name.endswith((")", "）")):
        return None
    open_at = max(name.rfind("("), name.rfind("（"))
    if open_at < 0:
        return None
    inner = name[open_at + 1 : -1]
    return None if any(ch in inner for ch in "()（）") else inner.strip()


def _parsed(sheet: Sheet, row: int, col: int) -> tuple[ParsedValue, str | None]:
    cell = sheet.get(row, col)
    if cell is None:
        return ParsedValue(None, None, "blank"), None
    return parse_cell(cell.value, cell.number_format, cell.formula_without_value), cell.number_format


def _add(batch: Batch, sheet: Sheet, row: int, col: int, template: str, **fields: Any) -> None:
    p, fmt = _parsed(sheet, row, col)
    batch.append(
        sheet=sheet.name,
        row_no=row,
        col_no=col,
        template=template,
        value_text=p.value_text,
        value=p.value,
        value_kind=p.kind,
        number_format=fmt,
        **fields,
    )


def value_findings(sheet: str, batch: Batch, template: str) -> list[Finding]:
    """Cells a person should look at: masked digits, formulas without a value, text or NaN where a
    number belongs."""
    out = []
    kinds, texts, labels = batch.cols["value_kind"], batch.cols["value_text"], batch.cols["label"]
    rows, cols = batch.cols["row_no"], batch.cols["col_no"]
    for i, kind in enumerate(kinds):
        if kind in ("number", "blank", "marker", "not_reported", "not_applicable", "date"):
            continue
        cell = a1(rows[i], cols[i])
        label, text = labels[i], texts[i]
        shown = text if text is None or len(text) <= 40 else text[:40] + f"… ({len(text):,} characters)"
        if kind == "masked":
            out.append(
                Finding(sheet, cell, "warning", "masked", f"masked digits {shown!r} for {label!r}: loaded as not reported")
            )
        elif kind == "formula_no_cache":
            out.append(
                Finding(
                    sheet,
                    cell,
                    "warning",
                    "formula_no_cache",
                    f"formula without a cached value for {label!r} (open and save the file in Excel)",
                )
            )
        elif kind == "invalid" and text is not None and is_cell_error(text):
            out.append(
                Finding(
                    sheet,
                    cell,
                    "warning",
                    "cell_error",
                    f"formula error {shown!r} for {label!r}: loaded as not reported (fix the formula)",
                )
            )
        elif kind == "invalid":
            out.append(
                Finding(
                    sheet,
                    cell,
                    "warning",
                    "not_finite",
                    f"{shown!r} for {label!r} is not a finite number: loaded as not reported",
                )
            )
        elif kind == "text" and template in ("eip_form", "statistics"):
            out.append(
                Finding(sheet, cell, "warning", "not_a_number", f"text {shown!r} where a number was expected for {label!r}")
            )
    return out


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


def _year_suffix_matcher(words: Words) -> Callable[[str], bool]:
    pattern = re.compile(rf"(?:19|20)\d{{2}}(?:{re.escape(YEAR_MARK)})?(?:{'|'.join(map(re.escape, words.year_suffix))})")
    return lambda t: bool(pattern.fullmatch(t))


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


# ---------------------------------------------------------------- template C: 统计数据表


def _statistics_rows(sheet: Sheet, header_row: int, cols: dict[str, int]) -> tuple[list[int], dict[str, list[Any]]]:
    """Body rows of a statistics sheet (either layout) and their per-row fields."""
    texts = _row_texts(sheet, header_row)
    unit_col = next((c for c, t in texts.items() if W("statistics", "unit").matches(t)), None)
    note_col = next((c for c, t in texts.items() if W("statistics", "note").matches(t)), None)
    body = sheet.rows[header_row:]
    first = header_row + 1

    def column(c: int | None) -> list[Any]:
        if c is None:
            return [None] * len(body)
        j = c - 1
        seen: dict[Any, str | None] = {}  # a park or a unit repeats down the rows: cleaned once
        out = []
        for r in body:
            v = r[j] if j < len(r) else ""
            if v == "" or v is None:
                out.append(None)
                continue
            k = (v.__class__, v)  # 1, 1.0 and True are equal keys but different texts
            try:
                out.append(seen[k])
            except KeyError:
                out.append(seen.setdefault(k, _clean(v)))
        return out

    labels = column(cols["label"])
    keep = [i for i, label in enumerate(labels) if label is not None]
    park_c = cols["park"]
    parks_raw = column(park_c)
    if sheet.merged:  # a park merged down its rows shows in each of them
        parks_raw = [_clean(sheet.merged_value(first + i, park_c)) for i in range(len(body))]
    parks: list[Any] = []
    park = None
    for i in range(len(body)):  # a park written once above its rows carries down
        park = parks_raw[i] or park
        parks.append(park)
    units, notes = column(unit_col), column(note_col)
    # no unit written beside the figure: the unit in the indicator's name is the unit ('…比重(%)')
    named: dict[str, str | None] = {}
    for i, u in enumerate(units):
        if u is None and labels[i] is not None:
            if labels[i] not in named:
                named[labels[i]] = _unit_in_name(labels[i])
            units[i] = named[labels[i]]
    return [first + i for i in keep], {
        "park_name": [parks[i] for i in keep],
        "label": [labels[i] for i in keep],
        "unit": [units[i] for i in keep],
        "note": [notes[i] for i in keep],
    }


def _values(sheet: Sheet, rows: list[int], body: list[list[Any]], shortest: int, col: int) -> tuple[pa.Array, ...]:
    """value, value_text, value_kind, number_format of one column over ``rows`` (``body``: their
    cells). A column of plain numbers (the bulk of a statistics export) is classified as a whole;
    other cells one by one."""
    j = col - 1
    cells = [r[j] for r in body] if j < shortest else [r[j] if j < len(r) else None for r in body]
    n = len(cells)
    plain = not (sheet.formats or sheet.no_cache) or not any(
        (r, col) in sheet.formats or (r, col) in sheet.no_cache for r in rows
    )
    if plain and set(map(type, cells)) == {float}:
        values = pa.array(cells, type=pa.float64())
        if not pc.all(pc.is_finite(values)).as_py():  # NaN or infinity: not a number a person wrote
            return _values_cellwise(sheet, rows, col, cells)
        return (values, pa.nulls(n, pa.string()), constant("number", n), pa.nulls(n, pa.string()))
    return _values_cellwise(sheet, rows, col, cells)


def _values_cellwise(sheet: Sheet, rows: list[int], col: int, cells: list[Any]) -> tuple[pa.Array, ...]:
    values: list[Any] = []
    texts: list[Any] = []
    kinds: list[str] = []
    formats: list[Any] = []
    for r, v in zip(rows, cells):
        if type(v) is float and math.isfinite(v) and (r, col) not in sheet.formats:
            values.append(v)
            texts.append(None)  # a number cell: its text is the number (rendered in the warehouse)
            kinds.append("number")
            formats.append(None)
            continue
        fmt = sheet.formats.get((r, col))
        p = parse_cell(None if v == "" else v, fmt, (r, col) in sheet.no_cache)
        values.append(p.value)
        texts.append(p.value_text)
        kinds.append(p.kind)
        formats.append(fmt)
    # value_kind as a dictionary array, like the plain columns: a few kinds, millions of cells
    return (
        pa.array(values, pa.float64()),
        pa.array(texts, pa.string()),
        pa.array(kinds, pa.string()).dictionary_encode(),
        pa.array(formats, pa.string()),
    )


def _statistics(
    sheet: Sheet, header_row: int, cols: dict[str, int], layout: str, year_cols: dict[int, int] | None
) -> SheetResult:
    rows, per_row = _statistics_rows(sheet, header_row, cols)
    # once per label and unit: a bracketed unit that is the figure's unit is not part of the indicator
    keys = {(label, unit): _statistics_key(label, unit) for label, unit in set(zip(per_row["label"], per_row["unit"]))}
    per_row["label_key"] = [keys[(label, unit)] for label, unit in zip(per_row["label"], per_row["unit"])]
    n_rows = len(rows)
    if layout == "long":
        years = []
        for r in rows:
            y = _year_of(sheet.merged_value(r, cols["year"]))
            if y is None:
                raise SheetError(a1(r, cols["year"]), f"年份 {_text(sheet.value(r, cols['year']))[:40]!r} is not a year")
            years.append(y)
        columns = [(cols["value"], years)]
    else:
        columns = [(col, [year] * n_rows) for col, year in (year_cols or {}).items()]
    # per-row fields are built once and repeated for every value column, in Arrow
    # per-row text fields repeat for every value column: dictionary arrays (the row's value once,
    # an index per cell), so that nothing is copied per cell
    tile = pa.array(np.tile(np.arange(n_rows, dtype=np.int32), len(columns)))
    out: dict[str, Any] = {
        f: pa.DictionaryArray.from_arrays(tile, pa.array(v, type=pa.string())) for f, v in per_row.items()
    }
    out["row_no"] = pa.array(np.tile(np.array(rows, dtype=np.int32), len(columns)))
    body = [sheet.rows[i - 1] for i in rows]
    shortest = min(map(len, body), default=0)
    parts = [_values(sheet, rows, body, shortest, col) for col, _ in columns]
    n = n_rows * len(columns)
    out["value"] = pa.concat_arrays([p[0] for p in parts]) if parts else pa.nulls(0, pa.float64())
    out["value_text"] = pa.concat_arrays([p[1] for p in parts]) if parts else pa.nulls(0, pa.string())
    out["value_kind"] = pa.concat_arrays([p[2] for p in parts]) if parts else pa.nulls(0, pa.string())
    out["number_format"] = pa.concat_arrays([p[3] for p in parts]) if parts else pa.nulls(0, pa.string())
    out["col_no"] = pa.array(np.repeat(np.array([c for c, _ in columns], dtype=np.int32), n_rows))
    out["year"] = pa.array(
        np.concatenate([np.array(y, dtype=np.int32) for _, y in columns]) if columns else np.zeros(0, np.int32)
    )
    constants = {"sheet": sheet.name, "template": "statistics", "layout": layout, "value_role": "actual"}
    # only the columns a statistics sheet fills; the others are NULL in raw.observations
    table = pa.table({f: out[f] if f in out else constant(constants[f], n) for f in FIELDS if f in out or f in constants})
    parks = per_row["park_name"]
    result = SheetResult(sheet.name, "statistics", table=table, park_name=parks[-1] if parks else None)
    result.findings = _table_findings(sheet.name, table)
    return result


def constant(value: Any, n: int) -> pa.DictionaryArray:
    """One value for n rows, as a dictionary array: no Python object per row."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], pa.string()))


def _table_findings(sheet: str, table: pa.Table) -> list[Finding]:
    """value_findings for the rows of an Arrow table that are not plain numbers."""
    odd = table.filter(
        pc.invert(
            pc.is_in(
                table.column("value_kind"), pa.array(["number", "blank", "marker", "not_reported", "not_applicable", "date"])
            )
        )
    )
    if odd.num_rows == 0:
        return []
    b = Batch()
    for f in ("row_no", "col_no", "label", "value_text", "value_kind"):
        b.cols[f] = odd.column(f).to_pylist()
    b.n = odd.num_rows
    return value_findings(sheet, b, "statistics")


def parse_statistics_long(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    return _statistics(sheet, header_row, cols, "long", None)


def parse_statistics_wide(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    years = {c: y for c, v in enumerate(sheet.rows[header_row - 1], start=1) if (y := _year_of(v)) is not None}
    return _statistics(sheet, header_row, cols, "wide", years)


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


def _statistics_key(label: str, unit: str | None) -> str:
    """'地区生产总值（亿元）' in 亿元 -> '地区生产总值': the same series as one written with a unit column."""
    key = label_key(label, "statistics")
    in_name = _unit_in_name(key)
    if in_name is not None and unit is not None and squash(in_name) == squash(unit):
        key = key[: max(key.rfind("("), key.rfind("（"))]
    return key


def label_key(label: str, template: str) -> str:
    """'千人拥有执业（助理）医师数（人）' -> '千人拥有执业(助理)医师数'; '工业用水重复利用率*' -> '工业用水重复利用率'."""
    key = squash(label).rstrip("*＊")
    if template in ("plan", "review") and _unit_in_name(key) is not None:
        key = key[: max(key.rfind("("), key.rfind("（"))]
    return key
