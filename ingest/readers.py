"""Reading workbook bytes into Grids: the IO edge of the ingest.

.xlsx through openpyxl (number formats, merged cells and formulas without a cached value are
visible there); .xls through xlrd. Large .xlsx files go through python-calamine, which is ~15x
faster but blind to number formats (see README, "Large workbooks").
"""
from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any

from .grid import Grid, RawCell

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
FAST_READER_BYTES = 512 * 1024  # hand-filled forms are ~10 KiB; statistics exports go much larger


class UnreadableFile(Exception):
    """The file is not a workbook we can read; the message says why, for a person."""


def sniff(data: bytes) -> str:
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        # An encrypted .xlsx is an OLE2 container holding an 'EncryptedPackage' stream.
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "encrypted"
        return "xls"
    return "unknown"


def read_workbook(data: bytes, fast_reader_bytes: int = FAST_READER_BYTES) -> list[Grid]:
    kind = sniff(data)
    if kind == "encrypted":
        raise UnreadableFile("the workbook is password-protected (encrypted); save it without a password")
    if kind == "unknown":
        if not data:
            raise UnreadableFile("the file is empty")
        raise UnreadableFile("not a spreadsheet (neither .xlsx nor .xls content)")
    try:
        if kind == "xls":
            return _read_xls(data)
        if len(data) > fast_reader_bytes:
            return _read_xlsx_fast(data)
        return _read_xlsx(data)
    except UnreadableFile:
        raise
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"damaged or truncated .xlsx ({exc})") from exc
    except Exception as exc:  # every reader has its own error zoo; the reason is what matters
        raise UnreadableFile(f"cannot read the {kind} workbook: {type(exc).__name__}: {exc}") from exc


def _read_xlsx(data: bytes) -> list[Grid]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about data validation, headers, etc.
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        # a second read, with formulas, only to tell "formula without a cached value" from "blank"
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False) if _has_formulas(data) else None
    grids = []
    for ws in values.worksheets:
        fws = formulas[ws.title] if formulas is not None else None
        grid = Grid(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                formula = fws.cell(row=cell.row, column=cell.column).value if fws is not None and cell.value is None else None
                no_cache = cell.value is None and isinstance(formula, str) and formula.startswith("=")
                if cell.value is None and not no_cache:
                    continue
                if isinstance(cell.value, str) and cell.value == "":
                    continue
                grid.cells[(cell.row, cell.column)] = RawCell(cell.value, cell.number_format, no_cache)
        grid.merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        grids.append(grid)
    return grids


def _has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with zf.open(name) as fh:
                    if b"<f>" in (xml := fh.read()) or b"<f " in xml:
                        return True
    return False


def _read_xlsx_fast(data: bytes) -> list[Grid]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = []
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        grid = _grid_from_rows(name, sheet.to_python(skip_empty_area=False))
        grid.merged = [((s[0] + 1), (s[1] + 1), (e[0] + 1), (e[1] + 1)) for s, e in (sheet.merged_cell_ranges or [])]
        grids.append(grid)
    return grids


def _grid_from_rows(name: str, rows: list[list[Any]]) -> Grid:
    grid = Grid(name)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v is None or v == "":
                continue
            grid.cells[(r, c)] = RawCell(v)
    return grid


def _read_xls(data: bytes) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except NotImplementedError:  # formatting_info is not supported for every BIFF version
        book = xlrd.open_workbook(file_contents=data)
    grids = []
    for sheet in book.sheets():
        grid = Grid(sheet.name)
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                value: Any = cell.value
                if cell.ctype == xlrd.XL_CELL_TEXT and value == "":
                    continue
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    value = xlrd.error_text_from_code.get(value, "#ERR")
                fmt = None
                if book.formatting_info and cell.xf_index is not None:
                    xf = book.xf_list[cell.xf_index]
                    fmt_obj = book.format_map.get(xf.format_key)
                    fmt = fmt_obj.format_str if fmt_obj else None
                grid.cells[(r + 1, c + 1)] = RawCell(value, fmt)
        grid.merged = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in sheet.merged_cells]
        grids.append(grid)
    return grids
