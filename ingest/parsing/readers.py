"""Workbook bytes to Sheets: bytes in, sheets out, nothing else touched.

Every .xlsx goes through the limit checks of ``limits`` and then python-calamine, which is about 20x
faster than openpyxl and returns plain rows. Calamine does not see number formats or formulas, so
the percent formats and the formulas saved without a value come from the limit scan. .xls files go
through xlrd (ragged rows, so a stray cell costs nothing), with their number formats.
"""
from __future__ import annotations

import io
import math
import zipfile
from typing import Any

from .limits import DEFAULT_LIMITS, LimitExceeded, Limits, col_name, human, inspect_xlsx
from .sheet import Sheet

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


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
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        # An encrypted .xlsx is an OLE2 container holding an 'EncryptedPackage' stream.
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "encrypted"
        return "xls"
    return "unknown"


def read_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Sheet]:
    """Every sheet of the workbook. Raises UnreadableFile with the reason (and sheet and cell)."""
    kind = sniff(data)
    if kind == "encrypted":
        raise UnreadableFile("the workbook is password-protected (encrypted); save it without a password")
    if kind == "unknown":
        if not data:
            raise UnreadableFile("the file is empty")
        raise UnreadableFile("not a spreadsheet (neither .xlsx nor .xls content)")
    try:
        return _read_xls(data, limits) if kind == "xls" else _read_xlsx(data, limits)
    except UnreadableFile:
        raise
    except LimitExceeded as exc:
        raise UnreadableFile(f"over a safety limit: {exc}", exc.sheet, exc.cell) from None
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"damaged or truncated .xlsx ({exc})") from None
    except MemoryError:
        raise UnreadableFile("the workbook needs more memory than a workbook may use") from None
    except Exception as exc:  # every reader has its own error zoo; the reason is what matters
        raise UnreadableFile(f"cannot read the {kind} workbook: {type(exc).__name__}: {str(exc)[:300]}") from None


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
            raise LimitExceeded(f"{len(merged):,} merged ranges, over the limit of {limits.max_merged_ranges:,}",
                                sheet=sp.name)
        sheet = Sheet(sp.name, rows, [(s[0] + 1, s[1] + 1, e[0] + 1, e[1] + 1) for s, e in merged],
                      dict(sp.percent_cells), set(sp.no_cache_cells), index=i + 1)
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
            raise LimitExceeded(f"sheets {seen[name.casefold()]} and {i} are both named {name!r}: rename one",
                                sheet=name)
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
