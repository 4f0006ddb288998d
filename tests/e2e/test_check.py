"""`parks check`: what a park reads before it sends its files. Real files, the real command, a real
build in a temporary folder; the bureau's warehouse is never touched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.hostile import nan_and_inf
from tests.support import ROOT, SAMPLES, out, run_build, sha
from tests.workbooks import form_rows, write_xlsx

FORM = SAMPLES / "对照考核表_张家港经开区_2019.xlsx"


def parks_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest", "check", *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )


def form(path: Path, park: str, year: int, green: object) -> Path:
    return write_xlsx(
        path,
        {
            "s": form_rows(
                park,
                year,
                [
                    ["经济发展", 2, "年末从业人口", "人", "-", "-", 1000],
                    [None, None, "工业增加值", "万元", "-", "-", 20000],
                    [None, None, "人均工业增加值", "万元/人", "≥15", "是", 20],
                    ["环境保护", 29, "绿化覆盖率", "%", "≥15", "必选", green],
                ],
            )
        },
    )


def test_a_good_form_says_it_can_be_sent_with_its_verdict_and_a_copy_annotated(tmp_path):
    proc = parks_check(str(FORM), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, out(proc)
    text = proc.stdout
    assert "结论：可以载入" in text and "对照考核表（HJ 274）" in text and "园区 张家港经济技术开发区，年份 2019" in text
    assert "国家生态工业示范园区对照考核表 张家港经济技术开发区 2019年：达标" in text
    assert "2019年!G51" in text  # the unit '-' the sample writes, at its cell
    assert "总结：全部可以发送（退出码 0）" in text
    copy = tmp_path / "out" / "对照考核表_张家港经开区_2019.检查结果.xlsx"
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "检查结果" and "2019年" in wb.sheetnames
    assert wb["2019年"]["G51"].comment is not None and "单位" in wb["2019年"]["G51"].comment.text
    assert sha(FORM) == sha(SAMPLES / FORM.name)  # the original as it was


def test_a_broken_file_is_rejected_with_its_reason(tmp_path):
    bad = tmp_path / "报表.xlsx"
    bad.write_bytes(b"%PDF-1.4 a scan")
    proc = parks_check(str(bad))
    assert proc.returncode == 10, out(proc)
    assert "结论：将被拒收" in proc.stdout and "不是电子表格：该文件是PDF文件" in proc.stdout
    assert (tmp_path / "报表.检查结果.xlsx").is_file()  # beside the file, the original untouched
    assert bad.read_bytes() == b"%PDF-1.4 a scan"


def test_cell_findings_are_marked_at_their_cells(tmp_path):
    f = nan_and_inf(tmp_path / "非数.xlsx")
    proc = parks_check(str(f), "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, out(proc)
    assert "统计!D2" in proc.stdout and "不是有限数值" in proc.stdout
    ws = openpyxl.load_workbook(tmp_path / "o" / "非数.检查结果.xlsx")["统计"]
    assert ws["D2"].comment is not None and ws["E2"].comment is not None


def test_an_impossible_value_would_be_quarantined(tmp_path):
    f = form(tmp_path / "坏园区_2020.xlsx", "坏园区", 2020, 138)
    proc = parks_check(str(f), "--out", str(tmp_path / "o"))
    assert proc.returncode == 11, out(proc)
    assert "坏园区 2020 将被隔离" in proc.stdout and "s!G9" in proc.stdout
    assert "有园区年度将被隔离（退出码 11）" in proc.stdout


def test_the_history_of_a_warehouse_is_used_read_only(tmp_path):
    """With the published warehouse given, a 2020 form of a park is judged with what the warehouse
    knows, and the warehouse's bytes do not change."""
    wh = tmp_path / "wh" / "parks.duckdb"
    assert run_build(SAMPLES, wh, tmp_path / "r").returncode == 0
    before = sha(wh)
    f = form(tmp_path / "张家港经开区_2020.xlsx", "张家港经开区", 2020, 40)
    proc = parks_check(str(f), "--warehouse", str(wh), "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, out(proc)
    assert "张家港经济技术开发区 2020年" in proc.stdout  # the registry's name, from the warehouse
    assert sha(wh) == before


@pytest.mark.parametrize("what", ["duplicate"])
def test_the_same_content_twice_says_it_would_not_load_twice(tmp_path, what):
    wb = openpyxl.load_workbook(FORM)
    wb.save(tmp_path / "again.xlsx")
    proc = parks_check(str(FORM), str(tmp_path / "again.xlsx"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, out(proc)
    assert "结论：重复：不会重复载入" in proc.stdout and "内容相同" in proc.stdout
