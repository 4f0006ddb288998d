"""Parsing of one spreadsheet value cell: pure, no IO.

A hand-filled cell can hold a number, a number typed as text (with thousands separators,
full-width digits or a trailing %), a marker (达标, 具备, —), masked digits (**.*) or free text.
Everything is kept as written in ``value_text``; ``value`` is only set when the cell is a number.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# Cells that say "not reported"; '-' and '—' are by far the most common in the forms.
NOT_REPORTED = {"-", "—", "–", "−", "——", "--", "/", "／", "\\", "－", "无数据", "不适用"}
# Words that carry a verdict or a yes/no instead of a number.
MARKERS = {"达标", "不达标", "完成", "全部完成", "未完成", "具备", "不具备", "是", "否", "有", "无"}

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$")
_MASKED = re.compile(r"^[+-]?[\d*.,]*\*[\d*.,]*%?$")


@dataclass(frozen=True)
class ParsedValue:
    value_text: str | None
    value: float | None
    kind: str  # number | marker | not_reported | blank | masked | text | date | formula_no_cache
    percent_scaled: bool = False  # a fraction shown as percent, stored as percentage points


def normalize_text(text: str) -> str:
    """Full-width to half-width (digits, commas, colons, %), then trim.

    NFKC keeps CJK ideographs and the em dash as they are, which is what we want."""
    return unicodedata.normalize("NFKC", text).strip()


def squash(text: str) -> str:
    """Header text without any whitespace: '要 求' and '是否选为\\n考核指标' match their names."""
    return re.sub(r"\s+", "", normalize_text(text))


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


def parse_cell(raw: Any, number_format: str | None = None, formula_without_value: bool = False) -> ParsedValue:
    """Parse one cell's cached value; ``number_format`` is the cell's Excel format code."""
    if formula_without_value:
        return ParsedValue(None, None, "formula_no_cache")
    if raw is None:
        return ParsedValue(None, None, "blank")
    if isinstance(raw, bool):
        return ParsedValue(str(raw), None, "text")
    if isinstance(raw, (dt.datetime, dt.date)):
        return ParsedValue(raw.isoformat(), None, "date")
    if isinstance(raw, (int, float)):
        text = number_text(raw)
        if is_percent_format(number_format):
            return ParsedValue(text, round(float(raw) * 100, 12), "number", percent_scaled=True)
        return ParsedValue(text, float(raw), "number")
    text = str(raw)
    return parse_text(text)


def parse_text(text: str) -> ParsedValue:
    norm = normalize_text(text)
    compact = re.sub(r"\s+", "", norm)
    if compact == "":
        return ParsedValue(text if text else None, None, "blank")
    if compact in NOT_REPORTED:
        return ParsedValue(text, None, "not_reported")
    percent = compact.endswith("%")
    body = compact[:-1] if percent else compact
    if _NUMBER.match(body):
        return ParsedValue(text, float(body.replace(",", "")), "number")
    if "*" in compact and _MASKED.match(compact):
        return ParsedValue(text, None, "masked")
    if compact in MARKERS:
        return ParsedValue(text, None, "marker")
    return ParsedValue(text, None, "text")
