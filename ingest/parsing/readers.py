"""Workbook bytes to Sheets: bytes in, sheets out, nothing else touched.

What a file is comes from its bytes (formats.sniff), never from its name; each kind has its reader:

    xlsx  the limit checks of ``limits``, then python-calamine (about 20x faster than openpyxl). The
          scan also gives what calamine cannot: percent formats, formulas saved without a value,
          cells holding a formula error (#DIV/0!), which calamine reads as empty
    xls   xlrd (ragged rows, so a stray cell costs nothing), with its number formats
    ods   ods.py: content.xml streamed under the same caps
    csv   delimited.py: UTF-8 (with or without BOM) or GB18030/GBK text

A file of any other kind is refused with what it is ("a PDF", "an OpenDocument text document").
"""

from __future__ import annotations

import io
import math
import zipfile
from typing import Any

from . import formats
from .delimited import NotATable, read_csv
from .limits import DEFAULT_LIMITS, LimitExceeded, Limits, col_name, human, inspect_xlsx
from .ods import read_ods
from .sheet import Sheet


class UnreadableFile(Exception):
    """The file is not a workbook we can read; the message says why, for a person, and where."""

    def __init__(self, message: str, sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.sheet = sheet
        self.cell = cell

    def where(self) -> str:
        parts = [f"sheet {self.sheet!r}" if self.sheet else "", f"cell {self.cell}" if self.cell else ""]
        return ", ".join(p for p in parts if p)


def sniff(data: bytes) -> str:
    return formats.sniff(data).name


def read_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Sheet]:
    """Every sheet of the workbook. Raises UnreadableFile with the reason (and sheet and cell)."""
    kind = formats.sniff(data)
    if kind.name == "encrypted":
        raise UnreadableFile("the workbook is password-protected (encrypted); save it without a password")
    if kind.name == "empty":
        raise UnreadableFile("the file is empty")
    if kind.name not in formats.READABLE:
        raise UnreadableFile(f"not a spreadsheet: the file is {kind.what}; send it as .xlsx, .xls, .ods or .csv")
    try:
        if kind.name == "xls":
            return _read_xls(data, limits)
        if kind.name == "ods":
            return read_ods(data, limits)
        if kind.name == "csv":
            return read_csv(data, kind.encoding, limits)
        return _read_xlsx(data, limits)
    except UnreadableFile:
        raise
    except NotATable as exc:
        raise UnreadableFile(f"not a spreadsheet: the file is {exc}") from None
    except LimitExceeded as exc:
        raise UnreadableFile(f"over a safety limit: {exc}", exc.sheet, exc.cell) from None
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"damaged or truncated {kind.what} ({exc})") from None
    except MemoryError:
        raise UnreadableFile("the workbook needs more memory than a workbook may use") from None
    except Exception as exc:  # every reader has its own error zoo; the reason is what matters
        raise UnreadableFile(f"cannot read {kind.what}: {type(exc).__name__}: {str(exc)[:300]}") from None


def _read_xlsx(data: bytes, limits: Limits) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    plan = inspect_xlsx(data, limits)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    if len(wb.sheet_names) != len(plan.sheets):
        raise UnreadableFile(f"the workbook lists {len(plan.sheets)} sheets but {len(wb.sheet_names)} can be read")
    sheets = []
    for i, sp in enumerate(plan.sheets):
        if sp.kind != "worksheet":
            sheets.append(Sheet(sp.name, index=i + 1))  # a chart sheet: no cells
            continue
        ws = wb.get_sheet_by_index(i)
        rows = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
        if len(merged) > limits.max_merged_ranges:
            raise LimitExceeded(
                f"{len(merged):,} merged ranges, over the limit of {limits.max_merged_ranges:,}", sheet=sp.name
            )
        for (r, c), text in sp.error_cells.items():  # calamine reads a formula error as empty: put it back
            while len(rows) < r:
                rows.append([])
            while len(rows[r - 1]) < c:
                rows[r - 1].append(None)
            rows[r - 1][c - 1] = text
        sheet = Sheet(
            sp.name,
            rows,
            [(s[0] + 1, s[1] + 1, e[0] + 1, e[1] + 1) for s, e in merged],
            dict(sp.percent_cells),
            set(sp.no_cache_cells),
            index=i + 1,
        )
        sheets.append(sheet)
    wb.close()
    return sheets


def _read_xls(data: bytes, limits: Limits) -> list[Sheet]:
    import xlrd

    if len(data) > limits.max_xls_bytes:
        raise LimitExceeded(f"the .xls file is {human(len(data))}, over the limit of {human(limits.max_xls_bytes)}")
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True, on_demand=True)
    except NotImplementedError:  # formatting_info is not supported for every BIFF version
        book = xlrd.open_workbook(file_contents=data, ragged_rows=True, on_demand=True)
    names = book.sheet_names()
    if len(names) > limits.max_sheets:
        raise LimitExceeded(f"{len(names)} sheets, over the limit of {limits.max_sheets}")
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name.casefold() in seen:
            raise LimitExceeded(f"sheets {seen[name.casefold()]} and {i} are both named {name!r}: rename one", sheet=name)
        seen[name.casefold()] = i
    sheets = []
    total = 0
    for i, name in enumerate(names):
        sh = book.sheet_by_index(i)
        cells = sum(sh.row_len(r) for r in range(sh.nrows))
        total += cells
        width = max((sh.row_len(r) for r in range(sh.nrows)), default=0)
        where = f"{col_name(width)}{sh.nrows}" if width else None
        if cells > limits.max_cells_per_sheet or sh.nrows * width > limits.max_extent_cells:
            raise LimitExceeded(f"{cells:,} stored cells reaching {where}, over the limits", sheet=name, cell=where)
        if total > limits.max_cells_per_file:
            raise LimitExceeded(f"more than {limits.max_cells_per_file:,} stored cells in the workbook", sheet=name)
        rows: list[list[Any]] = []
        formats: dict[tuple[int, int], str] = {}
        for r in range(sh.nrows):
            row: list[Any] = []
            for c in range(sh.row_len(r)):
                cell = sh.cell(r, c)
                value: Any = cell.value
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                elif cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                    except (ValueError, OverflowError):
                        value = str(value)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    value = xlrd.error_text_from_code.get(value, "#ERR")
                elif cell.ctype == xlrd.XL_CELL_NUMBER and not math.isfinite(value):
                    value = "NaN" if math.isnan(value) else ("-INF" if value < 0 else "INF")
                if value is not None and book.formatting_info and cell.xf_index is not None:
                    xf = book.xf_list[cell.xf_index]
                    fmt = book.format_map.get(xf.format_key)
                    if fmt is not None and "%" in fmt.format_str:
                        formats[(r + 1, c + 1)] = fmt.format_str
                row.append(value)
            rows.append(row)
        merged = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in sh.merged_cells]
        if len(merged) > limits.max_merged_ranges:
            raise LimitExceeded(f"{len(merged):,} merged ranges, over the limit", sheet=name)
        sheets.append(Sheet(name, rows, merged, formats, index=i + 1))
        book.unload_sheet(i)
    return sheets
