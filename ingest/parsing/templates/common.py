"""What the template parsers share: the header words (seeds/spreadsheets/), text and year
helpers, header search, cell parsing into a Batch, the findings on odd cells, the label key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from ..cells import ParsedValue, is_cell_error, normalize_text, parse_cell, squash
from ..records import Batch, Finding
from ..sheet import Sheet, a1
from ..vocabulary import VOCABULARY, Words

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


def _year_suffix_matcher(words: Words) -> Callable[[str], bool]:
    pattern = re.compile(rf"(?:19|20)\d{{2}}(?:{re.escape(YEAR_MARK)})?(?:{'|'.join(map(re.escape, words.year_suffix))})")
    return lambda t: bool(pattern.fullmatch(t))


def label_key(label: str, template: str) -> str:
    """'千人拥有执业（助理）医师数（人）' -> '千人拥有执业(助理)医师数'; '工业用水重复利用率*' -> '工业用水重复利用率'."""
    key = squash(label).rstrip("*＊")
    if template in ("plan", "review") and _unit_in_name(key) is not None:
        key = key[: max(key.rfind("("), key.rfind("（"))]
    return key
