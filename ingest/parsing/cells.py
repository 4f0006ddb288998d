"""Parsing of one spreadsheet value cell: pure, no IO.

A hand-filled cell can hold a number, a number typed as text (with thousands separators,
full-width digits or a trailing %), a marker (达标, 具备, —), masked digits (**.*) or free text.
Everything is kept as written in ``value_text``; ``value`` is only set when the cell is a number.
Every check here runs in time linear in the cell's length (a cell may hold 32,767 characters).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .vocabulary import MARKERS, NOT_APPLICABLE, NOT_REPORTED

# No nested or overlapping quantifiers: linear on any input.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_MASK_CHARS = frozenset("0123456789*.,+-%")
_NON_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
# what Excel, WPS, LibreOffice and gnumeric show for a formula that failed
CELL_ERRORS = frozenset(
    {
        "#div/0!",
        "#n/a",
        "#ref!",
        "#value!",
        "#name?",
        "#num!",
        "#null!",
        "#spill!",
        "#calc!",
        "#getting_data",
        "#field!",
        "#blocked!",
        "#connect!",
        "#busy!",
        "#unknown!",
        "#err",
    }
)
_LIBREOFFICE_ERROR = re.compile(r"err:\d{3}")
_SPACE = re.compile(r"\s+")
KINDS = (
    "number",
    "marker",
    "not_reported",
    "not_applicable",
    "blank",
    "masked",
    "text",
    "date",
    "formula_no_cache",
    "invalid",
)


@dataclass(frozen=True)
class ParsedValue:
    value_text: str | None
    value: float | None
    kind: str  # one of KINDS
    percent_scaled: bool = False  # a fraction shown as percent, stored as percentage points


def normalize_text(text: str) -> str:
    """Full-width to half-width (digits, commas, colons, %), then trim.

    NFKC keeps CJK ideographs and the em dash as they are, which is what we want."""
    return unicodedata.normalize("NFKC", text).strip()


def squash(text: str) -> str:
    """Header text without any whitespace: '要 求' and '是否选为\\n考核指标' match their names."""
    return _SPACE.sub("", normalize_text(text))


def number_text(value: float) -> str:
    """A number as a person would write it: 52300 rather than 52300.0."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def is_percent_format(number_format: str | None) -> bool:
    if not number_format:
        return False
    # Literal text in quotes or escaped with a backslash is not a percent format.
    fmt = re.sub(r'"[^"]*"|\\.', "", number_format)
    return "%" in fmt


def is_cell_error(text: str) -> bool:
    """A formula error as a spreadsheet program shows it: #DIV/0!, #N/A, Err:502."""
    t = text.strip().lower()
    return t in CELL_ERRORS or bool(_LIBREOFFICE_ERROR.fullmatch(t))


def parse_cell(raw: Any, number_format: str | None = None, formula_without_value: bool = False) -> ParsedValue:
    """Parse one cell's cached value; ``number_format`` is the cell's Excel format code."""
    if formula_without_value:
        return ParsedValue(None, None, "formula_no_cache")
    if raw is None:
        return ParsedValue(None, None, "blank")
    if isinstance(raw, bool):
        return ParsedValue(str(raw), None, "text")
    if isinstance(raw, dt.datetime) and raw.time() == dt.time(0):
        raw = raw.date()  # a date, whichever reader saw it (.xls gives a datetime, .xlsx a date)
    if isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return ParsedValue(str(raw) if isinstance(raw, dt.timedelta) else raw.isoformat(), None, "date")
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            return ParsedValue(str(raw), None, "invalid")
        text = number_text(raw)
        if is_percent_format(number_format):
            return ParsedValue(text, round(float(raw) * 100, 12), "number", percent_scaled=True)
        return ParsedValue(text, float(raw), "number")
    return parse_text(str(raw))


def parse_text(text: str) -> ParsedValue:
    norm = normalize_text(text)
    compact = _SPACE.sub("", norm)
    if compact == "":
        return ParsedValue(text if text else None, None, "blank")
    if compact in NOT_REPORTED:
        return ParsedValue(text, None, "not_reported")
    if compact in NOT_APPLICABLE:
        return ParsedValue(text, None, "not_applicable")
    if compact.lower() in _NON_FINITE or is_cell_error(compact):
        return ParsedValue(text, None, "invalid")
    percent = compact.endswith("%")
    body = compact[:-1] if percent else compact
    if len(body) <= 64 and _NUMBER.fullmatch(body):
        return ParsedValue(text, float(body.replace(",", "")), "number")
    if "*" in compact and _MASK_CHARS.issuperset(compact):
        return ParsedValue(text, None, "masked")
    if compact in MARKERS:
        return ParsedValue(text, None, "marker")
    return ParsedValue(text, None, "text")
