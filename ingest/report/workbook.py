"""EXPORTS/assessment/<park>.xlsx: what a park files and reads in Excel or WPS.

One workbook per park with something to assess (an indicator system's figures, a plan or
targets; a park with yearly statistics only has none). For each indicator system and data year, a sheet in the official layout of
the 对照考核表 (shared/docs/spreadsheets.md, template A): title, park and year lines, the header
分类 | 序号 | 指标 | 单位 | 要求 | 是否选为考核指标, categories and indicators in merged cells, the
raw-data rows of each indicator above it. Beside the reported value (数值) it adds the recomputed
value, the verdict (conditional formatting), the gap to pass, and a note; under the table, the
verdict of the park-year. Then a plan-progress sheet and a target-tracking sheet.

Everything is read from the published serving file; every word comes from export_labels.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, DataBarRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .labels import Labels, load

FORM_COLUMNS = ["category", "seq_no", "indicator", "unit", "requirement", "selection", "reported", "computed",
                "status", "gap", "gap_detail", "note"]
FORM_WIDTHS = [10, 6, 44, 14, 30, 10, 14, 14, 10, 14, 36, 40]
PLAN_COLUMNS = [("plan", 8), ("category", 10), ("seq_no", 6), ("indicator", 34), ("unit", 12), ("attribute", 9),
                ("base_year", 8), ("base", 12), ("target_year", 8), ("target", 16), ("latest_year", 9),
                ("latest", 12), ("progress", 11), ("elapsed", 10), ("achieved_rate", 12), ("required_rate", 12),
                ("status", 10), ("note", 40)]
TARGET_COLUMNS = [("year", 7), ("indicator", 30), ("target", 22), ("target_value", 11), ("unit", 10),
                  ("actual", 12), ("met", 10), ("note", 50)]
HEADER_ROW = 5  # title, intro, park and date, year line, header (spreadsheets.md A.1–A.5)

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
GOOD = PatternFill("solid", fgColor="C6EFCE")
BAD = PatternFill("solid", fgColor="FFC7CE")
UNSURE = PatternFill("solid", fgColor="FFEB9C")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
NUMBER = "#,##0.00"
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def file_name(park: str) -> str:
    """A park's workbook name: its name, with what file systems refuse replaced."""
    return (UNSAFE.sub("_", park).strip(". ") or "_")[:120] + ".xlsx"


class TooMany(Exception):
    """More workbooks to write than a build may spend time on; ``parks export`` writes them all."""

    def __init__(self, n: int, limit: int):
        super().__init__(f"{n:,} parks to rewrite, more than {limit:,}")
        self.n, self.limit = n, limit


def write(con: duckdb.DuckDBPyConnection, folder: Path, parks: Iterable[str] | None = None,
          run_id: str = "", limit: int | None = None) -> list[Path]:
    """Write the workbooks of ``parks`` (all parks when None) into ``folder``, each beside and renamed
    into place, so a reader never opens half a file. Raises TooMany, before writing anything, when
    more than ``limit`` parks have something to assess."""
    labels = load()
    # which parks, decided in SQL before anything is fetched: a national rebuild has thousands
    todo = [r[0] for r in _query(con, TODO_SQL, None if parks is None else sorted(set(parks))).fetchall()]
    # (statistics only: nothing to assess; its figures are in the marts and Parquet)
    if limit is not None and len(todo) > limit:
        raise TooMany(len(todo), limit)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    starred = _starred(con)
    out = []
    for i in range(0, len(todo), BATCH):  # the rows of a batch of parks in memory, not of all of them
        data = _fetch(con, todo[i:i + BATCH], starred)
        for park in todo[i:i + BATCH]:
            wb = build_workbook(park, data, labels, stamp, run_id)
            path = folder / file_name(park)
            tmp = folder / f".{path.name}.tmp"
            wb.save(tmp)
            tmp.replace(path)
            out.append(path)
    return out


BATCH = 100
# parks with something to assess: an indicator system, a plan or targets
TODO_SQL = """select park_name from marts.parks where {parks} and (
    park_name in (select park_name from marts.system_assessment)
    or park_name in (select park_name from marts.plan_progress)
    or park_name in (select park_name from marts.target_tracking)) order by 1"""


def _query(con: duckdb.DuckDBPyConnection, sql: str, parks: list[str] | None) -> duckdb.DuckDBPyConnection:
    """``sql`` with {parks} replaced by the filter on the parks asked for."""
    flt = "true" if parks is None else "park_name in (select unnest(?::varchar[]))"
    return con.execute(sql.format(parks=flt), [] if parks is None else [parks])


def _rows(con: duckdb.DuckDBPyConnection, sql: str, parks: list[str] | None) -> list[dict[str, Any]]:
    cur = _query(con, sql, parks)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


QUERIES = {
    "assessment": "select * from marts.system_assessment where {parks} order by system_code, year, seq_no",
    "verdict": "select * from marts.system_verdict where {parks}",
    "components": """select park_name, year, seq_no, indicator_name, unit, value, value_text,
                            source_file, source_sheet, source_cell
                     from marts.indicator_values
                     where {parks} and template = 'eip_form' and not is_computed and seq_no is not null""",
    "plan": "select * from marts.plan_progress where {parks} order by plan_name, seq_no nulls last, indicator_name",
    "targets": "select * from marts.target_tracking where {parks} order by year, indicator_name",
}


def _fetch(con: duckdb.DuckDBPyConnection, parks: list[str], starred: set[tuple[str, str]]) -> dict[str, Any]:
    by_park: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for key, sql in QUERIES.items():
        for r in _rows(con, sql, parks):
            by_park[r["park_name"]][key].append(r)
    registry = _rows(con, "select park_name, planning_base_year from marts.parks where {parks} order by 1", parks)
    return {"by_park": by_park, "base_year": {r["park_name"]: r["planning_base_year"] for r in registry},
            "starred": starred}


def _starred(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(system, indicator) the official table marks with *: judged against the clean-production level
    when one industry dominates (seed <system>__indicators, clean_production_star)."""
    seeds = con.execute("select table_name from duckdb_tables() where schema_name = 'reference' "
                        "and table_name like '%\\_\\_indicators' escape '\\'").fetchall()
    out: set[tuple[str, str]] = set()
    for (table,) in seeds:
        cols = {c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = 'reference' "
                                          "and table_name = ?", [table]).fetchall()}
        if {"system_code", "indicator_code", "clean_production_star"} <= cols:
            out |= set(con.execute(f'select system_code, indicator_code from reference."{table}" '
                                   "where clean_production_star").fetchall())
    return out


def build_workbook(park: str, data: dict[str, Any], labels: Labels, stamp: str, run_id: str) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    rows = data["by_park"][park]
    sheets: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows["assessment"]:
        sheets[(r["system_code"], r["year"])].append(r)
    verdicts = {(v["system_code"], v["year"]): v for v in rows["verdict"]}
    components: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for c in rows["components"]:
        components[(c["year"], c["seq_no"])].append(c)
    # HJ 274 first (the official form), then the other systems; years ascending
    for system, year in sorted(sheets, key=lambda k: (k[0] != "hj274_2015", k[0], k[1])):
        ws = wb.create_sheet(_sheet_title(labels.get(f"form.sheet.{system}", f"{system} {{year}}", year=year)))
        _form(ws, park, year, system, sheets[(system, year)], verdicts.get((system, year)),
              components if system == "hj274_2015" else {}, data["base_year"].get(park), labels, stamp, run_id,
              data["starred"])
    _plan_sheet(wb.create_sheet(_sheet_title(labels("plan.sheet"))), park, rows["plan"], labels)
    _target_sheet(wb.create_sheet(_sheet_title(labels("target.sheet"))), park, rows["targets"], labels)
    return wb


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", text)[:31]


def _row_of(cell: str | None) -> int:
    m = re.search(r"\d+", cell or "")
    return int(m.group()) if m else 0


def _value(number: Any, text: Any) -> Any:
    return number if number is not None else (text if text not in (None, "") else None)


def _form(ws: Worksheet, park: str, year: int, system: str, items: list[dict[str, Any]], verdict: dict | None,
          components: dict[tuple[int, int], list[dict[str, Any]]], registry_base: int | None, labels: Labels,
          stamp: str, run_id: str, starred: set[tuple[str, str]] = frozenset()) -> None:
    n = len(FORM_COLUMNS)
    last = get_column_letter(n)
    ws.append([labels.get(f"form.title.{system}", system)])
    ws.append([labels("form.intro")])
    ws.append([labels("form.park", park=park)] + [None] * 5 + [labels("form.exported", date=stamp, run=run_id)])
    base = next((r["base_year"] for r in items if r.get("base_year")), None) or registry_base
    year_line = labels("form.year", year=year) + (" " + labels("form.base_year", base_year=base) if base else "")
    # the verdict of the park-year sits at the top, beside the year: under the table it would read
    # as one more indicator row to anyone (or any parser) reading the form
    status = verdict["verdict"] if verdict else None
    failed = [str(it["seq_no"]) for it in items if it.get("counted") and it["status"] == "fail"]
    detail = labels("verdict.detail", failed=verdict["failed_indicators"] if verdict else 0,
                    unjudged=verdict["unjudged_indicators"] if verdict else 0,
                    optional=verdict["optional_selected"] if verdict else 0)
    if failed:
        detail += f"（{labels('header.seq_no')} {', '.join(failed)}）"
    ws.append([year_line] + [None] * 5 + [labels("verdict.label"), labels.get(f"verdict.{status}", status or ""), detail])
    ws.append([labels(f"header.{c}") for c in FORM_COLUMNS])
    for rng in (f"A1:{last}1", f"A2:{last}2", "A3:F3", f"G3:{last}3", "A4:F4", f"I4:{last}4"):
        ws.merge_cells(rng)
    for cell in ("G4", "H4", "I4"):
        ws[cell].font, ws[cell].border = Font(bold=True), BORDER
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = CENTER
    for cell in ws[HEADER_ROW]:
        cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), HEAD_FILL, CENTER, BORDER

    mark = labels("form.component_mark")
    first_body = HEADER_ROW + 1
    spans: list[list[Any]] = []  # [category, first row, last row]: the rows are in seq_no order
    for it in items:
        start = ws.max_row + 1
        for c in sorted(components.get((year, it["seq_no"]), []), key=lambda c: _row_of(c["source_cell"])):
            if c["indicator_name"] == it["indicator_name"]:
                continue  # the indicator's own reported row is the indicator line below
            ws.append([it["category"], it["seq_no"], c["indicator_name"], c["unit"], mark, mark,
                       _value(c["value"], c["value_text"]), None, None, None, None,
                       labels("note.source", file=c["source_file"], sheet=c["source_sheet"], cell=c["source_cell"])])
        gap = gap_detail = None
        if it.get("gap_pass_value") is not None and it.get("gap_current_value") is not None:
            gap = it["gap_pass_value"] - it["gap_current_value"]
            gap_detail = labels("gap.detail", component=it["gap_component"], unit=it["gap_unit"] or "",
                                current=_fmt(it["gap_current_value"]), target=_fmt(it["gap_pass_value"]))
        note = "; ".join(x for x in (it.get("note"), labels("note.source", file=it["source_file"],
                                     sheet=it["source_sheet"], cell=it["source_cell"]) if it.get("source_cell") else None)
                         if x)
        name = it["indicator_name"] + ("*" if (system, it["indicator_code"]) in starred else "")
        ws.append([it["category"], it["seq_no"], name, it["unit"], it["requirement_as_written"],
                   it["selection"], _value(it["reported_value"], it["value_text"]), it["computed_value"],
                   labels.get(f"status.{it['status']}", it["status"] or ""), gap, gap_detail, note or None])
        end = ws.max_row
        if end > start:
            ws.merge_cells(start_row=start, end_row=end, start_column=2, end_column=2)
        if spans and spans[-1][0] == it["category"]:
            spans[-1][2] = end
        else:
            spans.append([it["category"], start, end])
    last_body = ws.max_row
    for _, start, end in spans:
        if end > start:
            ws.merge_cells(start_row=start, end_row=end, start_column=1, end_column=1)
    for row in ws.iter_rows(min_row=first_body, max_row=last_body):
        for cell in row:
            cell.border = BORDER
            cell.alignment = CENTER if cell.column in (1, 2, 6, 9) else WRAP
        row[7].number_format = row[9].number_format = NUMBER

    if verdict and verdict.get("note"):  # after the table: the parser of template A stops at 注
        ws.append([])
        ws.append([labels("note.prefix") + verdict["note"]])
        ws.merge_cells(start_row=ws.max_row, end_row=ws.max_row, start_column=1, end_column=n)

    _verdict_colours(ws, f"I{first_body}:I{last_body}", labels, "status")
    _verdict_colours(ws, "H4", labels, "verdict")
    _layout(ws, FORM_WIDTHS, HEADER_ROW)


def _verdict_colours(ws: Worksheet, rng: str, labels: Labels, prefix: str) -> None:
    for key, fill in (("pass", GOOD), ("fail", BAD), ("not_assessable", UNSURE)):
        word = labels(f"{prefix}.{key}").replace('"', '""')
        ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill))


def _layout(ws: Worksheet, widths: list[int], header_row: int) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def _fmt(x: float) -> str:
    return f"{x:,.2f}"


def _table_sheet(ws: Worksheet, title: str, columns: list[tuple[str, int]], prefix: str, labels: Labels,
                 rows: list[list[Any]], empty: str) -> tuple[int, int]:
    ws.append([title])
    ws.merge_cells(start_row=1, end_row=1, start_column=1, end_column=len(columns))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = CENTER
    ws.append([labels(f"{prefix}.header.{c}") for c, _ in columns])
    for cell in ws[2]:
        cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), HEAD_FILL, CENTER, BORDER
    for r in rows:
        ws.append(r)
    if not rows:
        ws.append([empty])
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in row:
            cell.border, cell.alignment = BORDER, WRAP
    _layout(ws, [w for _, w in columns], 2)
    return 3, max(ws.max_row, 3)


def _plan_sheet(ws: Worksheet, park: str, plan: list[dict[str, Any]], labels: Labels) -> None:
    rows = [[p["plan_name"], p["category"], p["seq_no"], p["indicator_name"], p["unit"], p["attribute"],
             p["base_year"], p["base_value"], p["target_year"], p["target_text"], p["latest_year"], p["latest_value"],
             p["progress"], p["time_elapsed"], p["achieved_rate"], p["required_rate"],
             labels.get(f"plan.status.{p['status']}", p["status"] or ""), p["note"]] for p in plan]
    first, last = _table_sheet(ws, labels("plan.title", park=park), PLAN_COLUMNS, "plan", labels, rows,
                               labels("plan.empty"))
    if not rows:
        return
    for row in ws.iter_rows(min_row=first, max_row=last):
        row[7].number_format = row[11].number_format = NUMBER
        row[12].number_format = row[13].number_format = "0.0%"
        row[14].number_format = row[15].number_format = "0.00"
    ws.conditional_formatting.add(f"M{first}:M{last}", DataBarRule(start_type="num", start_value=0, end_type="num",
                                                                    end_value=1, color="5B9BD5"))
    for key, fill in (("achieved", GOOD), ("on_track", GOOD), ("behind", BAD), ("not_assessable", UNSURE)):
        word = labels(f"plan.status.{key}").replace('"', '""')
        ws.conditional_formatting.add(f"Q{first}:Q{last}", CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill))


def _target_sheet(ws: Worksheet, park: str, targets: list[dict[str, Any]], labels: Labels) -> None:
    def met(v: bool | None) -> str:
        return labels("target.met.null" if v is None else f"target.met.{str(v).lower()}")

    rows = [[t["year"], t["indicator_name"], t["target_text"], t["target_value"], t["target_unit"], t["actual_value"],
             met(t["met"]), t["note"]] for t in targets]
    first, last = _table_sheet(ws, labels("target.title", park=park), TARGET_COLUMNS, "target", labels, rows,
                               labels("target.empty"))
    if not rows:
        return
    for row in ws.iter_rows(min_row=first, max_row=last):
        row[5].number_format = NUMBER
    for key, fill in (("true", GOOD), ("false", BAD), ("null", UNSURE)):
        word = labels(f"target.met.{key}").replace('"', '""')
        ws.conditional_formatting.add(f"G{first}:G{last}", CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill))
