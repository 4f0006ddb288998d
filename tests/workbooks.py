"""Writers of real .xlsx / .xls files for the tests, in the templates of spreadsheets.md."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl

FORM_HEADER = ["分类", "序号", "指标", "单位", "要 求", "是否选为\n考核指标", "数值"]


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    formats: dict[tuple[str, str], str] | None = None,
    merges: dict[str, list[str]] | None = None,
    as_text: bool = False,
) -> Path:
    """sheets: name -> rows; formats: (sheet, 'G8') -> number format; merges: sheet -> ['A6:A9'];
    as_text: every string is a text cell, also one that starts with = (as a park types it after ')."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
            if as_text:
                for cell in ws[ws.max_row]:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    for (sheet, ref), fmt in (formats or {}).items():
        wb[sheet][ref].number_format = fmt
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list[Any]]], percent_cells: Iterable[tuple[str, int, int]] = ()) -> Path:
    """Legacy Excel 97-2003; percent_cells: (sheet, row0, col0) written with a 0.00% format."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    pct = xlwt.easyxf(num_format_str="0.00%")
    percent = set(percent_cells)
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if (name, r, c) in percent:
                    ws.write(r, c, v, pct)
                else:
                    ws.write(r, c, v)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def form_rows(
    park: str,
    year: int,
    body: list[list[Any]],
    *,
    note: bool = True,
    planning_base: int | None = None,
    title: str = "国家生态工业示范园区对照考核表",
    date: str = "填报时间：2020年3月15日",
) -> list[list[Any]]:
    """A 对照考核表 with its title, optional note line, park/date line and data-year line."""
    rows: list[list[Any]] = [[title]]
    if note:
        rows.append(["表内指标数据需全部填报,选择为考核指标的将考核其达标情况。"])
    rows.append([f"园区名称：{park}", None, None, date])
    year_line = f"考核指标 数据基准年为{year}年"
    if planning_base:
        year_line += f"，规划基准年为{planning_base}年"
    rows.append([year_line])
    rows.append(FORM_HEADER)
    rows.extend(body)
    rows.append(["注:1.数据来源:园区统计部门。"])
    return rows


def small_form_body(value_added: Any = 985600, staff: Any = 52300) -> list[list[Any]]:
    return [
        ["经济发展", 2, "年末从业人口", "人", "-", "-", staff],
        [None, None, "工业增加值", "万元", "-", "-", value_added],
        [None, None, "人均工业增加值", "万元/人", "≥15", "是", 18.85],
        ["环境保护", 29, "绿化覆盖率", "%", "≥15", "必选", 41.35],
    ]
