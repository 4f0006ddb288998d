"""An OpenDocument spreadsheet (.ods: LibreOffice's and WPS's own format) as Sheets. Pure.

content.xml is read as a stream, inflated under the same caps as an .xlsx part, and parsed one row
at a time (an element is dropped as soon as its row is read). Repeated rows and cells
(table:number-rows-repeated, number-columns-repeated) are expanded only where they carry a value: the
trailing run of a million empty rows LibreOffice writes costs nothing, while a value repeated over a
million cells is caught by the same extent limit as an .xlsx. What calamine cannot tell apart is read
here: a percent-typed cell (stored as a fraction, shown as a percent), a cell holding a formula
error (#DIV/0!), merged ranges, and dates.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import IO, Any
from xml.etree.ElementTree import XMLPullParser

from .limits import LimitExceeded, Limits, col_name, human
from .sheet import Sheet

T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TX = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
CALC = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
PERCENT = "0.00%"  # the percent cells' format for the cell parser (any format with % reads as percent)
CHUNK = 1 << 20


def read_ods(data: bytes, limits: Limits) -> list[Sheet]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise LimitExceeded(f"the zip container holds {len(infos)} entries, over the limit of {limits.max_entries}")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_bytes:
        raise LimitExceeded(
            f"the spreadsheet declares {human(declared)} uncompressed, over the limit of {human(limits.max_total_bytes)}"
        )
    try:
        info = zf.getinfo("content.xml")
    except KeyError:
        raise zipfile.BadZipFile("no content.xml: not an OpenDocument spreadsheet") from None
    with zf.open(info) as raw:
        return _parse(raw, limits)


def _parse(raw: IO[bytes], limits: Limits) -> list[Sheet]:
    parser = XMLPullParser(events=("start", "end"))
    sheets: list[Sheet] = []
    state = _State(limits)
    inflated = 0
    while True:
        chunk = raw.read(CHUNK)
        if not chunk:
            break
        inflated += len(chunk)
        if inflated > limits.max_part_bytes:
            raise LimitExceeded(f"content.xml inflates to more than {human(limits.max_part_bytes)} (a decompression bomb?)")
        if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
            raise LimitExceeded("content.xml declares a DOCTYPE or entities, which a spreadsheet never needs")
        parser.feed(chunk)
        for event, elem in parser.read_events():
            state.event(event, elem, sheets)
    parser.close()
    for event, elem in parser.read_events():
        state.event(event, elem, sheets)
    return sheets


class _State:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.sheet: Sheet | None = None
        self.row_no = 0
        self.cells = 0
        self.total = 0
        self.names: dict[str, int] = {}

    def event(self, event: str, elem: Any, sheets: list[Sheet]) -> None:
        tag = elem.tag
        if event == "start" and tag == T + "table":
            name = elem.get(T + "name") or f"Sheet{len(sheets) + 1}"
            if name.casefold() in self.names:
                raise LimitExceeded(
                    f"sheets {self.names[name.casefold()]} and {len(sheets) + 1} are both named "
                    f"{name!r}: rename one and send the file again",
                    sheet=name,
                )
            self.names[name.casefold()] = len(sheets) + 1
            if len(sheets) + 1 > self.limits.max_sheets:
                raise LimitExceeded(f"more than {self.limits.max_sheets} sheets")
            self.sheet = Sheet(name, index=len(sheets) + 1)
            self.row_no = 0
            self.cells = 0
            sheets.append(self.sheet)
        elif event == "end" and tag == T + "table-row" and self.sheet is not None:
            self._row(elem)
            elem.clear()
        elif event == "end" and tag == T + "table" and self.sheet is not None:
            s = self.sheet
            while s.rows and not any(v is not None for v in s.rows[-1]):
                s.rows.pop()
            s.max_row = len(s.rows)
            s.max_col = max((len(r) for r in s.rows), default=0)
            self.sheet = None
            elem.clear()

    def _row(self, row: Any) -> None:
        s = self.sheet
        assert s is not None
        repeat = int(row.get(T + "number-rows-repeated", "1") or 1)
        values: list[Any] = []
        percent: list[int] = []
        merges: list[tuple[int, int, int]] = []
        col = 0
        for cell in row:
            if cell.tag not in (T + "table-cell", T + "covered-table-cell"):
                continue
            n = int(cell.get(T + "number-columns-repeated", "1") or 1)
            value = _value(cell) if cell.tag == T + "table-cell" else None
            if value is None:
                col += n
                continue
            if n * repeat > self.limits.max_extent_cells:
                raise LimitExceeded(
                    f"a value repeated over {n * repeat:,} cells, over the limit of {self.limits.max_extent_cells:,}",
                    sheet=s.name,
                    cell=f"{col_name(col + 1)}{self.row_no + 1}",
                )
            while len(values) < col:
                values.append(None)
            for k in range(n):
                values.append(value)
                if cell.get(OFFICE + "value-type") == "percentage":
                    percent.append(col + k + 1)
            spanned_c = int(cell.get(T + "number-columns-spanned", "1") or 1)
            spanned_r = int(cell.get(T + "number-rows-spanned", "1") or 1)
            if spanned_c > 1 or spanned_r > 1:
                merges.append((col + 1, spanned_c, spanned_r))
            col += n
        if not values:
            self.row_no += repeat  # empty rows: counted, not stored (the trailing run costs nothing)
            return
        for _ in range(repeat):
            # a gap of empty rows before this one is stored as empty lists
            while len(s.rows) < self.row_no:
                s.rows.append([])
            self.row_no += 1
            s.rows.append(list(values))
            for c in percent:
                s.formats[(self.row_no, c)] = PERCENT
            for c, sc, sr in merges:
                s.merged.append((self.row_no, c, self.row_no + sr - 1, c + sc - 1))
            self.cells += len(values)
            self.total += len(values)
            where = f"{col_name(len(values))}{self.row_no}"
            if self.cells > self.limits.max_cells_per_sheet:
                raise LimitExceeded(f"more than {self.limits.max_cells_per_sheet:,} stored cells", sheet=s.name, cell=where)
            if self.total > self.limits.max_cells_per_file:
                raise LimitExceeded(
                    f"more than {self.limits.max_cells_per_file:,} stored cells in the workbook", sheet=s.name
                )
            if self.row_no * max(len(values), 1) > self.limits.max_extent_cells:
                raise LimitExceeded(
                    f"stored cells reach {where}, over the limit of {self.limits.max_extent_cells:,} "
                    "cells; delete the stray cells beyond the table",
                    sheet=s.name,
                    cell=where,
                )


def _text(cell: Any) -> str:
    """The text of a cell as shown: its paragraphs, with text:s spaces, tabs and line breaks."""
    paragraphs = []
    for p in cell.iter(TX + "p"):
        parts: list[str] = []
        _walk(p, parts)
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _walk(elem: Any, parts: list[str]) -> None:
    if elem.text:
        parts.append(elem.text)
    for child in elem:
        if child.tag == TX + "s":
            parts.append(" " * int(child.get(TX + "c", "1") or 1))
        elif child.tag == TX + "tab":
            parts.append("\t")
        elif child.tag == TX + "line-break":
            parts.append("\n")
        else:
            _walk(child, parts)
        if child.tail:
            parts.append(child.tail)


def _value(cell: Any) -> Any:
    kind = cell.get(OFFICE + "value-type")
    if cell.get(CALC + "value-type") == "error":
        return _text(cell) or "#ERR"  # shown as LibreOffice shows it (#DIV/0!, #N/A, Err:502)
    if kind in ("float", "percentage", "currency"):
        v = cell.get(OFFICE + "value")
        try:
            return float(v) if v is not None else (_text(cell) or None)
        except ValueError:
            return _text(cell) or None
    if kind == "date":
        v = cell.get(OFFICE + "date-value") or ""
        try:
            d = dt.datetime.fromisoformat(v)
            return d.date() if len(v) <= 10 or (d.hour, d.minute, d.second) == (0, 0, 0) else d
        except ValueError:
            return v or None
    if kind == "boolean":
        return (cell.get(OFFICE + "boolean-value") or "").lower() == "true"
    if kind == "time":
        return cell.get(OFFICE + "time-value") or _text(cell) or None
    text = _text(cell)
    return text if text != "" else None
