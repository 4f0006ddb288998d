"""A byte-level .xlsx writer for the tests and the benchmark generator.

openpyxl cannot write what hostile files contain (a declared dimension that lies, two sheets with one
name, NaN in a value cell, a stray cell at XFD1048576) and is slow for national-scale workbooks, so
this module writes the OOXML parts itself. Cells: numbers, strings (shared), ``Raw("<v>NaN</v>")``
for literal XML, ``Formula("1+1")`` for a formula without a cached value.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PERCENT_STYLE = 1  # cellXfs index of the '0.00%' style this writer declares


@dataclass(frozen=True)
class Raw:
    """Literal XML for the inside of a <c> element (for example '<v>NaN</v>')."""

    xml: str
    attrs: str = ""


@dataclass(frozen=True)
class Formula:
    text: str


@dataclass(frozen=True)
class Percent:
    """A number shown with a percent format (a fraction 0.523 shows as 52.30%)."""

    value: float


@dataclass
class SheetSpec:
    name: str
    rows: Iterable[tuple[int, Iterable[tuple[int, Any]]]] | None = None  # (row, [(col, value)]) 1-based
    grid: list[list[Any]] | None = None  # or plain rows from A1
    merges: list[str] = field(default_factory=list)
    dimension: str | None = None
    extra_xml: str = ""  # appended inside <sheetData> (hostile tests)


def col_letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def add(self, text: str) -> int:
        self.count += 1
        if text not in self.index:
            self.index[text] = len(self.index)
        return self.index[text]

    def xml(self) -> bytes:
        items = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in self.index)
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" '
            f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'
        ).encode()


def _cell(ref: str, value: Any, strings: _Strings) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return f'<c r="{ref}"{value.attrs}>{value.xml}</c>'
    if isinstance(value, Formula):
        return f'<c r="{ref}"><f>{escape(value.text)}</f></c>'
    if isinstance(value, Percent):
        return f'<c r="{ref}" s="{PERCENT_STYLE}"><v>{value.value!r}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="s"><v>{strings.add(str(value))}</v></c>'


def _rows_of(spec: SheetSpec) -> Iterator[tuple[int, Iterable[tuple[int, Any]]]]:
    if spec.grid is not None:
        for r, row in enumerate(spec.grid, start=1):
            yield r, [(c, v) for c, v in enumerate(row, start=1) if v is not None and v != ""]
    if spec.rows is not None:
        yield from spec.rows


def _sheet_chunks(spec: SheetSpec, strings: _Strings) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    if spec.dimension:
        yield f'<dimension ref="{spec.dimension}"/>'
    yield "<sheetData>"
    for r, cells in _rows_of(spec):
        body = "".join(_cell(f"{col_letters(c)}{r}", v, strings) for c, v in cells)
        yield f'<row r="{r}">{body}</row>'
    yield spec.extra_xml
    yield "</sheetData>"
    if spec.merges:
        yield (
            f'<mergeCells count="{len(spec.merges)}">'
            + "".join(f'<mergeCell ref="{m}"/>' for m in spec.merges)
            + "</mergeCells>"
        )
    yield "</worksheet>"


STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.00%"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)


def write(path: Path, sheets: list[SheetSpec], *, compresslevel: int = 6) -> Path:
    """Write a workbook; sheet names may repeat (hostile tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    strings = _Strings()
    n = len(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        for i, spec in enumerate(sheets, start=1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                buf: list[str] = []
                size = 0
                for chunk in _sheet_chunks(spec, strings):
                    buf.append(chunk)
                    size += len(chunk)
                    if size > 1 << 20:
                        fh.write("".join(buf).encode())
                        buf, size = [], 0
                fh.write("".join(buf).encode())
        z.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(1, n + 1)
                )
                + "</Types>"
            ),
        )
        z.writestr(
            "_rels/.rels",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
        )
        z.writestr(
            "xl/workbook.xml",
            (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
                + "".join(
                    f'<sheet name="{escape(s.name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                    for i, s in enumerate(sheets, start=1)
                )
                + "</sheets></workbook>"
            ),
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(
                    f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                    for i in range(1, n + 1)
                )
                + f'<Relationship Id="rId{n + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
                + f'<Relationship Id="rId{n + 2}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
                + "</Relationships>"
            ),
        )
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("xl/sharedStrings.xml", strings.xml())
    return path


def grid_sheet(name: str, rows: list[list[Any]], **kw: Any) -> SheetSpec:
    return SheetSpec(name, grid=rows, **kw)
