"""Writing cells a reader opens in Excel, WPS or LibreOffice: inert text, printable pages.

Every text we write came, at some point, from a park's spreadsheet (a label, a unit, a note, a park
name in a title). openpyxl stores a string that starts with ``=`` as a formula, so a label typed
``=HYPERLINK(…)`` would become a live link in the bureau's copy (formula injection). Here every
string is written as an inline string with the quote prefix set (Excel and LibreOffice keep it text
even when someone edits the cell), and characters XML cannot carry are replaced.

Row heights: neither openpyxl nor LibreOffice sizes a row to its wrapped text when the file has no
heights, so a three-line requirement prints as its middle line over the rows around it. The height
is estimated from the text and the column widths (a CJK character is two digit widths).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# what the XML of a sheet cannot hold (openpyxl raises on it): C0 controls but tab and newline
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
LINE_PT = 15.0  # one line of 11 pt text, CJK fonts included (Noto Sans CJK, SimSun, DengXian)
PAD_PT = 3.0  # above and below the text
A4 = 9  # the paper size code of A4 in SpreadsheetML (9), Letter is 1


def text(value: str) -> str:
    """A string as a cell can carry it: XML-illegal characters replaced by U+FFFD."""
    return ILLEGAL.sub("\ufffd", value)


def put(cell: Cell, value: Any) -> Cell:
    """Set a cell's value; a string is inert text, whatever it starts with."""
    if isinstance(value, str):
        cell.value = text(value)
        cell.data_type = "s"  # never 'f': the writer then emits an inline string
        if value[:1] in "=+-@\t\r":
            cell.quotePrefix = True  # and an edit in Excel or LibreOffice keeps it text
    else:
        cell.value = value
    return cell


def style(cell: Cell, **attrs: Any) -> None:
    """Set style attributes of a cell (border=, alignment=, number_format=, font=, fill=). openpyxl
    registers a style by hashing every style object at each assignment: about half the time of a
    park's workbook. A combination (the cell's style before, and these objects) seen before in the
    same workbook is copied instead. The objects are kept with it, so that their ids stay theirs."""
    cache = cell.parent.parent.__dict__.setdefault("_style_combinations", {})
    before = None if cell._style is None else tuple(cell._style)  # None: a cell merged into another
    key = (before, *((k, id(v)) for k, v in attrs.items()))
    hit = cache.get(key)
    if hit is None:
        for k, v in attrs.items():
            setattr(cell, k, v)
        cache[key] = (copy(cell._style), tuple(attrs.values()))
    else:
        cell._style = copy(hit[0])


def append(ws: Worksheet, values: Sequence[Any]) -> int:
    """Append a row with put() on every cell; returns the row number."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for col, v in enumerate(values, start=1):
        if v is not None:
            put(ws.cell(row=row, column=col), v)
    return row


def width(s: str) -> int:
    """Display width in digit widths: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def lines(value: Any, chars: float) -> int:
    """How many lines ``value`` wraps to in a column ``chars`` digit widths wide."""
    if value is None or value == "":
        return 1
    s = value if isinstance(value, str) else f"{value:,.2f}" if isinstance(value, float) else str(value)
    room = max(chars - 1.5, 1.0)  # the cell's own margins
    return sum(max(1, math.ceil(width(part) / room)) for part in s.split("\n"))


def fit_rows(
    ws: Worksheet, widths: Sequence[float], first: int, last: int | None = None, skip_columns: Iterable[int] = ()
) -> None:
    """Set each row's height to its tallest wrapped cell. Cells merged across columns count the
    width of the whole range; cells merged down several rows are left out (they have the room)."""
    last = ws.max_row if last is None else last
    span: dict[tuple[int, int], float] = {}
    tall: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        if rng.min_row != rng.max_row:
            tall |= {(r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)}
        else:
            span[(rng.min_row, rng.min_col)] = sum(
                widths[c - 1] for c in range(rng.min_col, rng.max_col + 1) if c <= len(widths)
            )
            tall |= {(rng.min_row, c) for c in range(rng.min_col + 1, rng.max_col + 1)}
    skip = set(skip_columns)
    for r in range(first, last + 1):
        n = 1
        for c in range(1, len(widths) + 1):
            if c in skip or (r, c) in tall:
                continue
            v = ws.cell(row=r, column=c).value
            if v is not None:
                n = max(n, lines(v, span.get((r, c), widths[c - 1])))
        ws.row_dimensions[r].height = n * LINE_PT + PAD_PT


def printable(ws: Worksheet, widths: Sequence[float], header_rows: str) -> None:
    """Column widths, frozen header, and the page: A4 landscape, one page wide, as many pages
    tall as it takes, the header rows repeated on every page, centred, with page numbers."""
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    last_header = int(header_rows.split(":")[-1])
    ws.freeze_panes = ws.cell(row=last_header + 1, column=1)
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"
