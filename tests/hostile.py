"""Hostile workbooks, generated in the tests (none is kept in the repository): every class of
hostile input (bombs, absurd extents, pathological content) plus the ones that hold already (XXE,
billion laughs, injection in names, VBA)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.xlsx_raw import Raw, SheetSpec, write

STATS_HEADER = ["园区名称", "指标", "单位", "2019年", "2020年"]
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def good_statistics(path: Path, park: str = "良园区") -> Path:
    return write(path, [SheetSpec("统计", grid=[STATS_HEADER, [park, "工业增加值", "亿元", 100.0, 106.0]])])


def inflating_sheet(path: Path, inflated_bytes: int) -> Path:
    """A valid-looking sheet whose XML inflates to ``inflated_bytes`` (whitespace compresses ~1000:1)."""
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>园区名称</t></is></c></row>'
    ).encode()
    tail = b"</sheetData></worksheet>"
    pad = b" " * (1 << 20)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        _skeleton(z, ["s"])
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            left = inflated_bytes - len(head) - len(tail)
            while left > 0:
                fh.write(pad[: min(left, len(pad))])
                left -= len(pad)
            fh.write(tail)
    return path


def lying_size_bomb(path: Path, real_bytes: int = 64 << 20) -> Path:
    """A sheet that declares a tiny uncompressed size but inflates to ``real_bytes``."""
    inflating_sheet(path, real_bytes)
    data = bytearray(path.read_bytes())
    # patch the central directory's uncompressed size of the sheet entry to 1000 bytes
    zf = zipfile.ZipFile(path)
    info = zf.getinfo("xl/worksheets/sheet1.xml")
    zf.close()
    marker = b"xl/worksheets/sheet1.xml"
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(marker))
    if cd >= 0 and info.file_size < 0xFFFFFFFF:
        data[cd + 24 : cd + 28] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def stray_cell(path: Path) -> Path:
    """A normal statistics sheet with one stray cell at XFD1048576."""
    return write(
        path,
        [
            SheetSpec(
                "统计", grid=[STATS_HEADER, ["散园区", "工业增加值", "亿元", 1.0, 2.0]], rows=[(1048576, [(16384, "x")])]
            )
        ],
    )


def whole_grid_dimension(path: Path) -> Path:
    """Cells in A1:E2 but a declared dimension covering the whole grid."""
    return write(
        path, [SheetSpec("统计", grid=[STATS_HEADER, ["维园区", "工业增加值", "亿元", 1.0, 2.0]], dimension="A1:XFD1048576")]
    )


def repeated_year_columns(path: Path, columns: int = 16_000) -> Path:
    """A wide sheet whose year columns repeat 2019, 2020, 2019, 2020, … for ``columns`` columns."""
    years = ["2019年", "2020年"] * (columns // 2)
    rows = [["园区名称", "指标", "单位", *years], ["重园区", "工业增加值", "亿元", *([100.0, 106.0] * (columns // 2))]]
    return write(path, [SheetSpec("统计", grid=rows)])


def duplicate_sheet_names(path: Path) -> Path:
    return write(
        path,
        [
            SheetSpec("统计", grid=[STATS_HEADER, ["同名园区", "工业增加值", "亿元", 1.0, 2.0]]),
            SheetSpec("统计", grid=[STATS_HEADER, ["同名园区", "工业增加值", "亿元", 3.0, 4.0]]),
        ],
    )


def long_masked_cells(path: Path, n: int = 50) -> Path:
    """Cells of 32,767 characters that look masked (stars and digits) but end in something else."""
    text = "*" * 32_000 + "1" * 766 + "x"
    rows = [STATS_HEADER] + [[f"长园区{i}", "工业增加值", "亿元", text, text] for i in range(n)]
    return write(path, [SheetSpec("统计", grid=rows)])


def nan_and_inf(path: Path) -> Path:
    """Value cells holding NaN and INF (a number a person never wrote)."""
    return write(
        path,
        [
            SheetSpec(
                "统计",
                grid=[
                    STATS_HEADER,
                    ["非数园区", "工业增加值", "亿元", Raw("<v>NaN</v>"), Raw("<v>INF</v>")],
                    ["非数园区", "能源消费量", "万吨标准煤", 5.0, Raw("<v>-INF</v>")],
                ],
            )
        ],
    )


def billion_laughs(path: Path) -> Path:
    entities = "".join(
        f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">'
        for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">{entities}]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
        f"</sheetData></worksheet>"
    )
    return _raw_sheet(path, xml)


def xxe(path: Path) -> Path:
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
        f"</sheetData></worksheet>"
    )
    return _raw_sheet(path, xml)


def injection_names(path: Path) -> Path:
    park = "<script>alert(1)</script>'; drop table raw.observations; --"
    return write(path, [SheetSpec("<b>表</b>", grid=[STATS_HEADER, [park, "工业增加值<img src=x>", "亿元", 1.0, 1.05]])])


def with_vba(path: Path) -> Path:
    good_statistics(path, "宏园区")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 512)
    return path


def _raw_sheet(path: Path, xml: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        _skeleton(z, ["s"])
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return path


def _skeleton(z: zipfile.ZipFile, names: list[str]) -> None:
    z.writestr(
        "[Content_Types].xml",
        (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Types>"
        ),
    )
    z.writestr(
        "_rels/.rels",
        (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
    )
    z.writestr(
        "xl/workbook.xml",
        (
            f'<?xml version="1.0"?><workbook xmlns="{MAIN_NS}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
            + "</sheets></workbook>"
        ),
    )
    z.writestr(
        "xl/_rels/workbook.xml.rels",
        (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Relationships>"
        ),
    )


def big_xls(path: Path, rows: int) -> Path:
    """A legacy .xls with many rows (xlwt caps a sheet at 65,536 rows)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("统计")
    for c, h in enumerate(STATS_HEADER):
        ws.write(0, c, h)
    for r in range(1, rows):
        ws.write(r, 0, f"园区{r % 100}")
        ws.write(r, 1, f"指标{r}")
        ws.write(r, 2, "万元")
        ws.write(r, 3, float(r))
        ws.write(r, 4, float(r) * 1.05)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def stray_cell_xls(path: Path) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("统计")
    for c, h in enumerate(STATS_HEADER):
        ws.write(0, c, h)
    for c, v in enumerate(["散园区", "工业增加值", "亿元", 1.0, 2.0]):
        ws.write(1, c, v)
    ws.write(65535, 255, "x")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


# Text a park may type that a spreadsheet program would run: formulas, a link, DDE.
LINK = '=HYPERLINK("http://example.invalid/y","点我")'
ACTIVE = [LINK, "=1+1", "=100", "+cmd|' /C calc'!A0", "@SUM(1,1)", "-2+3"]


def active_content_park(folder: Path, park: str = LINK) -> list[Path]:
    """A form, a plan table and a targets table of a park named like a formula, with formulas typed
    as text in its labels, units, requirements, values and targets."""
    from tests.workbooks import form_rows, write_xlsx

    body = [
        ["经济发展", 2, "年末从业人口", "人", "-", "-", 52300],
        [None, None, "工业增加值", "万元", "-", "-", 985600],
        [None, None, "人均工业增加值", "万元/人", "=1+1", "是", "=100"],
        ["环境保护", 29, "绿化覆盖率", "%", "≥15", "必选", 41.35],
        [None, 30, "重点企业环境信息公开率", "%", "100", "必选", "@SUM(1,1)"],
        [None, 31, "生态工业信息平台完善程度", "=2+2", "100", "必选", "+cmd|' /C calc'!A0"],
    ]
    plan = [
        [f'表1 {park}"十四五"主要指标'],
        [f"园区名称：{park}"],
        ["类别", "序号", "指    标", "2020年\n完成值", "2025年\n目标值", "指标\n属性"],
        ["=1+1", 1, "地区生产总值（亿元）", 1250.6, "=100", "预期性"],
        [None, 2, f"{LINK}（%）", 3.6, "5以上", "预期性"],
    ]
    targets = [
        ["园区名称", "年份", "指标", "目标", "单位"],
        [park, 2019, "地区生产总值", "=1+1", "%"],
        [park, 2019, LINK, "增长5%以上", "%"],
    ]
    return [
        write_xlsx(folder / "form.xlsx", {"2019年": form_rows(park, 2019, body, planning_base=2014)}, as_text=True),
        write_xlsx(folder / "plan.xlsx", {"十四五主要指标": plan}, as_text=True),
        write_xlsx(folder / "targets.xlsx", {"2019年主要预期目标": targets}, as_text=True),
    ]


def colliding_parks(folder: Path) -> list[Path]:
    """Parks whose names a file system would fold into one file name."""
    from tests.workbooks import form_rows, small_form_body, write_xlsx

    names = ["甲/乙园区", "甲_乙园区", "甲:乙园区", "ABC园区", "abc园区", "长" * 130 + "园区"]
    # each also writes '-' as a unit, as the sample form does in G51: one warning names every cell
    body = [*small_form_body(), [None, 24, "工业固体废物(含危险废物)处置利用率", "-", "100", "必选", 100]]
    return [
        write_xlsx(folder / f"collide_{i}.xlsx", {"2019年": form_rows(n, 2019, body, planning_base=2014)})
        for i, n in enumerate(names)
    ]
