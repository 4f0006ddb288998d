"""Every file a statistician sends: formats recognised by their bytes, the same content sent twice,
twins in one build, names and units as people write them, nothing dropped without a word. Real
files, re-saved by LibreOffice where it is installed; real builds."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests import clients
from tests.support import SAMPLES, assert_same_marts, out, q, run_build
from tests.workbooks import write_xlsx

FORM = "对照考核表_张家港经开区_2019.xlsx"
TARGETS = "年度目标_吴江区_2024.xlsx"


def resave_with_openpyxl(src: Path, dest: Path) -> Path:
    """The same workbook saved again by another program: new bytes, the same figures."""
    wb = openpyxl.load_workbook(src)
    wb.properties.creator = "another program"
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def to_csv(src: Path, dest: Path, encoding: str) -> Path:
    ws = openpyxl.load_workbook(src, data_only=True).worksheets[0]
    buf = io.StringIO()
    import csv

    w = csv.writer(buf)
    for row in ws.iter_rows(values_only=True):
        w.writerow(["" if v is None else (int(v) if isinstance(v, float) and v.is_integer() else v) for v in row])
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(buf.getvalue().encode(encoding))
    return dest


# a plan review table (上一个五年规划完成情况) with two printed growth rates that disagree with their figures
REVIEW = [
    ["复查园区“十三五”规划主要指标完成情况"],
    ["指标", "基期完成", "末期完成", "年均增长(%)", "指标属性"],
    ["地区生产总值（亿元）", 100, 150, "8.4", "预期性"],  # (1.5^(1/5) − 1) × 100 = 8.4472: agrees
    ["一般公共预算收入（亿元）", 100, 150, "12.0", "预期性"],  # disagrees: C4
    ["规上工业总产值（亿元）", 200, 300, "9.1", "预期性"],  # 8.4472 against 9.1 ± 0.05: disagrees
    ["服务业增加值占地区生产总值比重（%）", 42, 52.3, "提高10.3个百分点", "预期性"],  # 52.3 − 42 = 10.3: agrees
    ["单位地区生产总值能耗降低（%）", None, None, "完成上级下达目标", "约束性"],
]


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("files")
    inbox = tmp / "inbox"
    shutil.copytree(SAMPLES, inbox)
    wh = tmp / "wh" / "parks.duckdb"
    first = run_build(inbox, wh, tmp / "reports", "--json")
    assert first.returncode == 0, out(first)
    # the next night: the same forms again in other bytes and formats, twins, odd files
    later = inbox / "later"
    resave_with_openpyxl(SAMPLES / FORM, later / "对照考核表_重发.xlsx")
    to_csv(SAMPLES / TARGETS, later / "年度目标_导出.csv", "gbk")
    (later / "junk.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    shutil.copy(later / "junk.csv", later / "junk(1).csv")
    write_xlsx(later / "x.xlsx", {"s": [["什么", "都不是"], [1, 2]]})
    shutil.copy(later / "x.xlsx", later / "x(1).xlsx")
    (later / "report.xlsx").write_bytes(b"%PDF-1.5\n% a report saved under the wrong name\n")
    write_xlsx(
        later / "stats.xlsx",
        {
            "统计": [
                ["园区名称", "指标", "2022年", "2023年", "年均增长(%)"],
                ["零\u200b宽园区", "服务业增加值占地区生产总值比重(%)", 50.0, 52.1, 4.2],
                ["零宽园区", "地区生产总值（亿元）", 100, 110, 10.0],
            ]
        },
    )
    write_xlsx(later / "close.xlsx", {"目标": [["园区名称", "年份", "指标", "单位"], ["甲", 2024, "GDP", "%"]]})
    write_xlsx(later / "review.xlsx", {"十三五": REVIEW})
    second = run_build(inbox, wh, tmp / "reports", "--json")
    assert second.returncode == 10, out(second)
    files = {f["file"]: f for f in json.loads(second.stdout)["files"]}
    return {"wh": wh, "tmp": tmp, "files": files, "summary": json.loads(second.stdout)}


def test_the_same_form_in_new_bytes_or_another_format_is_a_duplicate_by_content(builds):
    f = builds["files"]
    assert f["later/对照考核表_重发.xlsx"]["status"] == "duplicate"
    assert f"same content as {FORM} (loaded " in f["later/对照考核表_重发.xlsx"]["reason"]
    assert f["later/年度目标_导出.csv"]["status"] == "duplicate"  # GBK CSV of the targets table
    assert f"same content as {TARGETS}" in f["later/年度目标_导出.csv"]["reason"]
    # the lineage stays with the files first loaded
    assert q(builds["wh"], "select distinct source_file from marts.eip_assessment") == [(FORM,)]


def test_twins_in_one_build_share_the_fate_of_the_first_and_each_is_recorded(builds):
    f = builds["files"]
    for a, b in (("later/junk.csv", "later/junk(1).csv"), ("later/x.xlsx", "later/x(1).xlsx")):
        assert f[a]["status"] == f[b]["status"] == "rejected"
        assert f"same bytes as {a}, rejected in this build" in f[b]["reason"]
        assert "set aside in" not in f[b]["reason"].split("rejected in this build:")[1].rsplit("(set aside", 1)[0]
    recorded = {n for (n,) in q(builds["wh"], "select file_name from audit.files where status = 'rejected'")}
    assert {"later/junk.csv", "later/junk(1).csv", "later/x.xlsx", "later/x(1).xlsx"} <= recorded


def test_a_file_that_is_no_spreadsheet_is_named_for_what_it_is(builds):
    assert "the file is a PDF" in builds["files"]["later/report.xlsx"]["reason"]


def test_a_rejection_says_which_template_came_closest_and_what_it_lacked(builds):
    reason = builds["files"]["later/close.xlsx"]["reason"]
    assert "closest: 年度目标表 (targets), header row 1 lacks 目标" in reason


def test_names_units_and_columns_as_people_write_them(builds):
    wh = builds["wh"]
    # a zero-width space in a park name: one park, with a finding that shows both spellings
    assert q(wh, "select count(*) from marts.parks where park_name like '%零%宽园区%'") == [(1,)]
    spelling = q(wh, "select message from audit.findings where code = 'park_spelling'")
    assert spelling and "U+200B" in spelling[0][0]
    # the unit in the indicator's name is the unit when no column gives one: a share changes in pp
    trends = dict(
        q(
            wh,
            """select indicator_name, unit from marts.indicator_trends where park_name = '零宽园区'
                           and year = 2023""",
        )
    )
    assert trends == {"服务业增加值占地区生产总值比重": "%", "地区生产总值": "亿元"}
    pp = q(
        wh,
        """select yoy_pp, yoy_pct from marts.indicator_trends where park_name = '零宽园区' and year = 2023
                  and indicator_name = '服务业增加值占地区生产总值比重'""",
    )
    assert pp[0][0] == pytest.approx(2.1) and pp[0][1] is None
    # a printed column the template has no place for is named
    unused = q(wh, "select cell, message from audit.findings where code = 'column_not_loaded'")
    assert unused == [("E1", "column '年均增长(%)' (E) not loaded: the statistics template has no place for it")]


@clients.needs_libreoffice
def test_workbooks_resaved_by_libreoffice_in_every_format_give_the_same_marts(tmp_path):
    """Each sample re-saved as .ods, .xlsx and .xls by LibreOffice (a new inbox each): the marts equal
    those of the originals, file names and times aside."""
    original = tmp_path / "orig" / "wh" / "parks.duckdb"
    assert run_build(SAMPLES, original, tmp_path / "orig" / "r").returncode == 0
    skip = {
        "value_id",
        "source_file",
        "source_sheet",
        "source_cell",
        "derived_from",
        "input_cells",
        "note",
        "latest_source",
        "actual_source",
        "source_cells",
        "first_file",
        "first_seen_at",
        "source",
    }
    for fmt in ("ods", "xlsx", "xls"):
        inbox = tmp_path / fmt / "inbox"
        inbox.mkdir(parents=True)
        for f in SAMPLES.iterdir():
            subprocess.run(
                [
                    clients.SOFFICE,
                    f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless",
                    "--convert-to",
                    fmt,
                    "--outdir",
                    str(inbox),
                    str(f),
                ],
                capture_output=True,
                timeout=300,
            )
        assert len(list(inbox.iterdir())) == 5, fmt
        wh = tmp_path / fmt / "wh" / "parks.duckdb"
        proc = run_build(inbox, wh, tmp_path / fmt / "r")
        assert proc.returncode == 0, out(proc)
        assert_same_marts(original, wh, skip_tables=("submissions", "parks"), skip_columns=skip)


def test_a_plan_review_table_is_loaded_and_its_printed_growth_recomputed(builds):
    wh = builds["wh"]
    rows = {
        r[0]: r[1:]
        for r in q(
            wh,
            """select indicator_name, printed_kind, printed_value, recomputed_value, agrees,
                                             source_cell, base_year, end_year
                                      from marts.printed_figures where park_name = '复查园区'""",
        )
    }
    growth = ((150 / 100) ** (1 / 5) - 1) * 100
    assert rows["地区生产总值"][:4] == ("annual_growth", 8.4, pytest.approx(growth), True)
    assert rows["一般公共预算收入"][3] is False and rows["一般公共预算收入"][4] == "D4"
    assert rows["规上工业总产值"][3] is False and rows["规上工业总产值"][4] == "D5"
    assert rows["服务业增加值占地区生产总值比重"][:4] == ("pp_change", 10.3, pytest.approx(10.3), True)
    assert rows["单位地区生产总值能耗降低"][0] == "verdict" and rows["单位地区生产总值能耗降低"][3] is None
    assert rows["地区生产总值"][5:] == (2015, 2020)  # 十三五: 2015 → 2020
    warning = next(w for w in builds["summary"]["warnings"] if w.startswith("printed_figures"))
    assert "later/review.xlsx!十三五!D4" in warning and "later/review.xlsx!十三五!D5" in warning
