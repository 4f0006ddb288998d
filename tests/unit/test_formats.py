"""What a file is, from its bytes, and the readers of .ods and .csv: real files, written here with
the libraries the project uses or byte by byte where no library writes the format."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from ingest.parsing import parse_file
from ingest.parsing.cells import parse_cell
from ingest.parsing.formats import sniff
from ingest.parsing.limits import DEFAULT_LIMITS, LimitExceeded
from ingest.parsing.ods import read_ods
from ingest.parsing.readers import UnreadableFile, read_workbook

ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0">'
    "<office:body><office:spreadsheet>"
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def ods(tables: str, mimetype: bytes = b"application/vnd.oasis.opendocument.spreadsheet") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        z.writestr("content.xml", ODS_HEAD + tables + ODS_TAIL)
    return buf.getvalue()


def cell(value: str, kind: str = "string", extra: str = "") -> str:
    if kind == "string":
        return f'<table:table-cell office:value-type="string" {extra}><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="{kind}" office:value="{value}" {extra}><text:p>{value}</text:p></table:table-cell>'


STATS = (
    '<table:table table:name="统计">'
    "<table:table-row>" + "".join(cell(h) for h in ("园区名称", "年份", "指标", "单位", "数值")) + "</table:table-row>"
    "<table:table-row>"
    + cell("甲园区")
    + cell("2023", "float")
    + cell("工业增加值")
    + cell("亿元")
    + cell("12.5", "float")
    + "</table:table-row>"
    "<table:table-row>"
    + cell("甲园区")
    + cell("2023", "float")
    + cell("绿化覆盖率")
    + cell("%")
    + cell("0.4135", "percentage")
    + "</table:table-row>"
    "<table:table-row>"
    + cell("甲园区")
    + cell("2023", "float")
    + cell("单位能耗")
    + cell("吨/万元")
    + '<table:table-cell table:formula="of:=1/0" office:value-type="string" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
    "</table:table-row>"
    '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    "</table:table>"
)


@pytest.mark.parametrize(
    "data, name, what",
    [
        (b"%PDF-1.7\n...", "other", "a PDF"),
        (b"\x89PNG\r\n\x1a\n", "other", "a PNG image"),
        (ods("", b"application/vnd.oasis.opendocument.text"), "other", "OpenDocument text document"),
        (ods(STATS), "ods", "OpenDocument spreadsheet"),
        ("园区名称,年份\n甲,2020\n".encode(), "csv", "delimited text"),
        ("园区名称,年份\n甲,2020\n".encode("gb18030"), "csv", "delimited text"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "other", "an HTML page"),
        (b"", "empty", "an empty file"),
    ],
)
def test_a_file_is_what_its_bytes_say(data, name, what):
    kind = sniff(data)
    assert kind.name == name and what in kind.what


def test_a_word_document_named_like_a_workbook_is_refused_with_what_it_is():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UnreadableFile, match=r"the file is a Word document \(.docx\)"):
        read_workbook(buf.getvalue())
    with pytest.raises(UnreadableFile, match="the file is a PDF"):
        read_workbook(b"%PDF-1.4 not a table")


def test_csv_in_utf8_with_bom_and_in_gbk_reads_the_same():
    text = "园区名称,年份,指标,单位,数值\n甲园区,2023,工业增加值,亿元,12.5\n甲园区,2023,绿化覆盖率,%,41.35%\n"
    utf8 = read_workbook(text.encode("utf-8-sig"))[0]
    gbk = read_workbook(text.encode("gbk"))[0]
    tabs = read_workbook(text.replace(",", "\t").encode("gb18030"))[0]
    assert utf8.rows == gbk.rows == tabs.rows
    assert utf8.rows[1] == ["甲园区", 2023.0, "工业增加值", "亿元", 12.5]
    assert utf8.rows[2][4] == "41.35%"  # read by the cell parser like a typed percent


def test_ods_reads_percent_error_cells_and_skips_the_trailing_empty_rows():
    sheet = read_ods(ods(STATS), DEFAULT_LIMITS)[0]
    assert sheet.name == "统计" and sheet.max_row == 4
    assert sheet.rows[2][4] == pytest.approx(0.4135) and (3, 5) in sheet.formats
    assert sheet.rows[3][4] == "#DIV/0!"
    parsed = parse_file(ods(STATS))
    rows = {r["label"]: r for r in parsed.table.to_pylist()}
    assert rows["绿化覆盖率"]["value"] == pytest.approx(41.35)  # percentage points
    assert rows["单位能耗"]["value_kind"] == "invalid"
    assert any(f.code == "cell_error" and f.cell == "E4" for f in parsed.findings)


def test_an_ods_bomb_is_refused():
    repeated = (
        '<table:table table:name="s"><table:table-row table:number-rows-repeated="100000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row></table:table>"
    )
    with pytest.raises(LimitExceeded, match="repeated over 100,000,000 cells"):
        read_ods(ods(repeated), DEFAULT_LIMITS)
    with pytest.raises(LimitExceeded, match="DOCTYPE"):
        read_ods(ods('<!DOCTYPE x [<!ENTITY a "aaaa">]>' + STATS), DEFAULT_LIMITS)


def test_formula_errors_in_xlsx_are_invalid_with_a_finding_at_their_cell():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append(["园区名称", "年份", "指标", "单位", "数值"])
    ws.append(["甲园区", 2023, "工业增加值", "亿元", 12.5])
    ws.append(["甲园区", 2023, "单位能耗", "吨/万元", None])
    ws["E3"].value, ws["E3"].data_type = "#DIV/0!", "e"
    buf = io.BytesIO()
    wb.save(buf)
    parsed = parse_file(buf.getvalue())
    rows = {r["label"]: r for r in parsed.table.to_pylist()}
    assert rows["单位能耗"]["value_kind"] == "invalid" and rows["单位能耗"]["value_text"] == "#DIV/0!"
    assert [f.cell for f in parsed.findings if f.code == "cell_error"] == ["E3"]


def test_a_date_reads_the_same_from_every_reader():
    assert parse_cell(dt.datetime(2020, 3, 15)).value_text == parse_cell(dt.date(2020, 3, 15)).value_text == "2020-03-15"
    assert parse_cell(dt.datetime(2020, 3, 15, 8, 30)).value_text == "2020-03-15T08:30:00"
