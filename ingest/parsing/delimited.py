"""A CSV (or tab-separated) file as one sheet: the layouts are the templates' own, only the
container differs. Pure: bytes in, a Sheet out.

The encoding comes from the bytes (formats.text_encoding: UTF-8 with or without BOM, else
GB18030, which covers GBK and GB2312). The delimiter is the one of comma, tab and semicolon that
splits the first lines most consistently. Cells stay text, except plain numbers ("1250.6", "2024"),
which become numbers as a spreadsheet program would read them; "1,270,000" or "52.3%" stay text and
are read by the cell parser like any typed number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from .limits import LimitExceeded, Limits, col_name
from .sheet import Sheet

SHEET_NAME = "Sheet1"  # what LibreOffice and Excel call the one sheet of a CSV file
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_DELIMITERS = (",", "\t", ";")


def read_csv(data: bytes, encoding: str, limits: Limits) -> list[Sheet]:
    text = data.decode(encoding, errors="replace")
    delimiter = _delimiter(text[:65536])
    rows: list[list[Any]] = []
    cells = 0
    width = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for line in reader:
            row = [_value(v) for v in line]
            while row and row[-1] is None:
                row.pop()
            rows.append(row)
            cells += len(row)
            width = max(width, len(row))
            if any(len(v) > limits.max_text_bytes for v in line):
                raise LimitExceeded(
                    f"a field of more than {limits.max_text_bytes:,} characters",
                    sheet=SHEET_NAME,
                    cell=f"{col_name(1)}{len(rows)}",
                )
            if cells > limits.max_cells_per_sheet or len(rows) * max(width, 1) > limits.max_extent_cells:
                raise LimitExceeded(
                    f"more than {limits.max_cells_per_sheet:,} cells or a table wider than the "
                    f"limit of {limits.max_extent_cells:,} cells",
                    sheet=SHEET_NAME,
                    cell=f"{col_name(max(width, 1))}{len(rows)}",
                )
    except csv.Error as exc:
        raise LimitExceeded(
            f"the text cannot be split into fields: {exc}", sheet=SHEET_NAME, cell=f"A{reader.line_num}"
        ) from None
    while rows and not rows[-1]:
        rows.pop()
    if width <= 1:
        raise NotATable("plain text without columns (a CSV table has commas or tabs between its fields)")
    return [Sheet(SHEET_NAME, rows, index=1)]


class NotATable(Exception):
    """Text that is no table: what it is, for a person."""


def _delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    best, score = ",", -1.0
    for d in _DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=d))) for ln in lines] or [1]
        # most fields on the lines that agree with the most common count
        common = max(set(counts), key=counts.count)
        s = counts.count(common) * (common - 1)
        if s > score:
            best, score = d, s
    return best


def _value(text: str) -> Any:
    v = text.strip()
    if v == "":
        return None
    if len(v) <= 24 and _PLAIN_NUMBER.fullmatch(v):
        return float(v)  # as the workbook readers give every number
    m = _ISO_DATE.fullmatch(v)
    if m:  # a date as spreadsheet programs export one: read as the date a workbook holds
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return text
    return text
