"""EXPORTS/assessment/<park>.xlsx: what a park files and reads in Excel or WPS.

One workbook per park with something to assess (an indicator system's figures, a plan or
targets; a park with yearly statistics only has none). For each indicator system and data year, a sheet in the official layout of
the 对照考核表 (template A of docs/spreadsheets.md): title, park and year lines, the header
分类 | 序号 | 指标 | 单位 | 要求 | 是否选为考核指标, categories and indicators in merged cells, the
raw-data rows of each indicator above it. Beside the reported value (数值) it adds the recomputed
value, the verdict (conditional formatting), the gap to pass, and a note; under the table, the
verdict of the park-year. Then a plan-progress sheet and a target-tracking sheet.

Everything is read from the published serving file; every word comes from export_labels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
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

from . import xlsx
from .labels import Labels, formats, load
from .phrases import zh

FORM_COLUMNS = [
    "category",
    "seq_no",
    "indicator",
    "unit",
    "requirement",
    "selection",
    "reported",
    "computed",
    "status",
    "gap",
    "gap_detail",
    "note",
]
# digit widths: about 175 in all, which an A4 landscape page prints at ~85 %
FORM_WIDTHS = [8, 5, 28, 10, 22, 8, 12, 12, 8, 12, 22, 30]
PLAN_COLUMNS = [
    ("plan", 7),
    ("category", 8),
    ("seq_no", 5),
    ("indicator", 24),
    ("unit", 8),
    ("attribute", 7),
    ("base_year", 6),
    ("base", 10),
    ("target_year", 6),
    ("target", 10),
    ("latest_year", 6),
    ("latest", 10),
    ("progress", 8),
    ("elapsed", 8),
    ("path", 10),
    ("remaining", 9),
    ("achieved_rate", 9),
    ("required_rate", 9),
    ("status", 8),
    ("note", 30),
]
TARGET_COLUMNS = [
    ("year", 6),
    ("indicator", 26),
    ("target", 18),
    ("target_value", 10),
    ("unit", 8),
    ("actual", 11),
    ("met", 9),
    ("note", 44),
]
HEADER_ROW = 5  # title, intro, park and date, year line, header (the layout of the filed form)

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
GOOD = PatternFill("solid", fgColor="C6EFCE")
BAD = PatternFill("solid", fgColor="FFC7CE")
UNSURE = PatternFill("solid", fgColor="FFEB9C")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
FRACTION_PCT = "0.0%"  # a fraction (0.45) shown as 45.0 %
RATE_PCT = "0.00%"  # a compound rate (0.062) shown as 6.20 %
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
MAX_BYTES = 180  # of the name before the suffix: file systems allow 255 bytes, a CJK character takes 3


def _plain_name(park: str) -> str:
    # no leading dash either: a file name must never read as an option to a shell command
    name = UNSAFE.sub("_", park).strip(". ")
    return ("_" + name[1:] if name.startswith("-") else name) or "_"


def _cut(name: str) -> str:
    return name.encode("utf-8")[:MAX_BYTES].decode("utf-8", "ignore")


def _needs_suffix(park: str) -> bool:
    """A name a file system would change or refuse: its file name gets a suffix of its own."""
    base = _plain_name(park)
    return base != park or _cut(base) != base or base.split(".")[0].upper() in RESERVED


def _suffixed(park: str) -> str:
    digest = hashlib.sha256(park.encode("utf-8")).hexdigest()[:8]
    return f"{_cut(_plain_name(park))}~{digest}.xlsx"


def file_name(park: str) -> str:
    """A park's workbook name: its own name where a file system keeps it as it is; otherwise the
    name with what file systems refuse replaced, cut to 180 bytes, and ~ plus 8 hex digits of the
    name's SHA-256, so that 甲/乙园区 and 甲_乙园区 never share a file. The suffix depends on the
    name alone: a park's file keeps its name from one build to the next."""
    return _suffixed(park) if _needs_suffix(park) else f"{park}.xlsx"


def _why_renamed(park: str) -> str:
    base = _plain_name(park)
    if base != park:
        return "its name has characters file systems refuse"
    if _cut(base) != base:
        return "its name is longer than a file name may be"
    if base.split(".")[0].upper() in RESERVED:
        return "its name is reserved on Windows"
    return "its name differs from another park's only in case"


def file_names(parks: Iterable[str]) -> dict[str, str]:
    """file_name() of every park, and where two names differ only in case (one file on Windows and
    macOS, where the exports are often copied), both get the suffix."""
    names = {p: file_name(p) for p in parks}
    by_fold: dict[str, list[str]] = defaultdict(list)
    for p, n in names.items():
        by_fold[unicodedata.normalize("NFC", n).casefold()].append(p)
    for group in by_fold.values():
        if len(group) > 1:
            for p in group:
                names[p] = _suffixed(p)
    return names


class TooMany(Exception):
    """More workbooks to write than a build may spend time on; ``parks export`` writes them all."""

    def __init__(self, n: int, limit: int):
        super().__init__(f"{n:,} parks to rewrite, more than {limit:,}")
        self.n, self.limit = n, limit


def write(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    parks: Iterable[str] | None = None,
    run_id: str = "",
    limit: int | None = None,
    notices: list[str] | None = None,
) -> list[Path]:
    """Write the workbooks of ``parks`` (all parks when None) into ``folder``, each beside and renamed
    into place, so a reader never opens half a file. Raises TooMany, before writing anything, when
    more than ``limit`` parks have something to assess. ``notices`` receives a line for every park
    whose file name is not its name as it is."""
    labels = load()
    every = [r[0] for r in _query(con, TODO_SQL, None).fetchall()]
    names = file_names(every)
    if parks is None:
        todo = every
    else:
        # a park whose file name changed because another park arrived is rewritten with it
        asked = set(parks)
        folds = {names[p].split("~")[0].casefold() for p in asked if p in names}
        todo = [p for p in every if p in asked or ("~" in names[p] and names[p].split("~")[0].casefold() in folds)]
    if limit is not None and len(todo) > limit:
        raise TooMany(len(todo), limit)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    starred = _starred(con)
    out = []
    for i in range(0, len(todo), BATCH):  # the rows of a batch of parks in memory, not of all of them
        data = _fetch(con, todo[i : i + BATCH], starred)
        for park in todo[i : i + BATCH]:
            wb = build_workbook(park, data, labels, stamp, run_id)
            path = folder / names[park]
            tmp = folder / f".{path.name}.tmp"
            wb.save(tmp)
            tmp.replace(path)
            out.append(path)
            if names[park] != f"{park}.xlsx":
                if notices is not None:
                    notices.append(f"the workbook of {park!r} is {names[park]!r}: {_why_renamed(park)}")
                stale = folder / f"{park}.xlsx"  # written before another park's name collided with it
                if not _needs_suffix(park) and stale.is_file():
                    stale.unlink()
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
    return {"by_park": by_park, "base_year": {r["park_name"]: r["planning_base_year"] for r in registry}, "starred": starred}


def _starred(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(system, indicator) the official table marks with *: judged against the clean-production level
    when one industry dominates (seed <system>__indicators, clean_production_star)."""
    seeds = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'reference' "
        "and table_name like '%\\_\\_indicators' escape '\\'"
    ).fetchall()
    out: set[tuple[str, str]] = set()
    for (table,) in seeds:
        cols = {
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'reference' and table_name = ?", [table]
            ).fetchall()
        }
        if {"system_code", "indicator_code", "clean_production_star"} <= cols:
            out |= set(
                con.execute(
                    f'select system_code, indicator_code from reference."{table}" where clean_production_star'
                ).fetchall()
            )
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
        _form(
            ws,
            park,
            year,
            system,
            sheets[(system, year)],
            verdicts.get((system, year)),
            components if system == "hj274_2015" else {},
            data["base_year"].get(park),
            labels,
            stamp,
            run_id,
            data["starred"],
        )
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


def _form(
    ws: Worksheet,
    park: str,
    year: int,
    system: str,
    items: list[dict[str, Any]],
    verdict: dict | None,
    components: dict[tuple[int, int], list[dict[str, Any]]],
    registry_base: int | None,
    labels: Labels,
    stamp: str,
    run_id: str,
    starred: set[tuple[str, str]] = frozenset(),
) -> None:
    n = len(FORM_COLUMNS)
    last = get_column_letter(n)
    fmt = formats()
    xlsx.append(ws, [labels.get(f"form.title.{system}", system)])
    xlsx.append(ws, [labels("form.intro")])
    xlsx.append(ws, [labels("form.park", park=park)] + [None] * 5 + [labels("form.exported", date=stamp, run=run_id)])
    base = next((r["base_year"] for r in items if r.get("base_year")), None) or registry_base
    year_line = labels("form.year", year=year) + (" " + labels("form.base_year", base_year=base) if base else "")
    # the verdict of the park-year sits at the top, beside the year: under the table it would read
    # as one more indicator row to anyone (or any parser) reading the form
    status = verdict["verdict"] if verdict else None
    failed = [str(it["seq_no"]) for it in items if it.get("counted") and it["status"] == "fail"]
    detail = labels(
        "verdict.detail",
        failed=verdict["failed_indicators"] if verdict else 0,
        unjudged=verdict["unjudged_indicators"] if verdict else 0,
        optional=verdict["optional_selected"] if verdict else 0,
    )
    if failed:
        detail += f"（{labels('header.seq_no')} {', '.join(failed)}）"
    xlsx.append(
        ws, [year_line] + [None] * 5 + [labels("verdict.label"), labels.get(f"verdict.{status}", status or ""), detail]
    )
    xlsx.append(ws, [labels(f"header.{c}") for c in FORM_COLUMNS])
    for rng in (f"A1:{last}1", f"A2:{last}2", "A3:F3", f"G3:{last}3", "A4:F4", f"I4:{last}4"):
        ws.merge_cells(rng)
    for cell in ("G4", "H4", "I4"):
        ws[cell].font, ws[cell].border = Font(bold=True), BORDER
    ws["I4"].alignment = WRAP
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = CENTER
    ws["A2"].alignment = WRAP
    for cell in ws[HEADER_ROW]:
        cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), HEAD_FILL, CENTER, BORDER

    mark = labels("form.component_mark")
    first_body = HEADER_ROW + 1
    spans: list[list[Any]] = []  # [category, first row, last row]: the rows are in seq_no order
    units: dict[int, tuple[str | None, str | None]] = {}  # row → unit of the value, unit of the gap
    for it in items:
        start = ws.max_row + 1
        for c in sorted(components.get((year, it["seq_no"]), []), key=lambda c: _row_of(c["source_cell"])):
            if c["indicator_name"] == it["indicator_name"]:
                continue  # the indicator's own reported row is the indicator line below
            r = xlsx.append(
                ws,
                [
                    it["category"],
                    it["seq_no"],
                    c["indicator_name"],
                    c["unit"],
                    mark,
                    mark,
                    _value(c["value"], c["value_text"]),
                    None,
                    None,
                    None,
                    None,
                    labels("note.source", file=c["source_file"], sheet=c["source_sheet"], cell=c["source_cell"]),
                ],
            )
            units[r] = (c["unit"], None)
        gap = gap_detail = None
        if it.get("gap_pass_value") is not None and it.get("gap_current_value") is not None:
            gap = it["gap_pass_value"] - it["gap_current_value"]
            gap_detail = labels(
                "gap.detail",
                component=it["gap_component"],
                unit=it["gap_unit"] or "",
                current=fmt.show(it["gap_current_value"], it["gap_unit"], sign=False),
                target=fmt.show(it["gap_pass_value"], it["gap_unit"], sign=False),
            )
        source = (
            labels("note.source", file=it["source_file"], sheet=it["source_sheet"], cell=it["source_cell"])
            if it.get("source_cell")
            else None
        )
        not_counted = labels("note.not_counted") if it.get("counted") is False and it.get("role") == "optional" else None
        note = "；".join(x for x in (not_counted, zh(it.get("note")), source) if x)
        name = it["indicator_name"] + ("*" if (system, it["indicator_code"]) in starred else "")
        r = xlsx.append(
            ws,
            [
                it["category"],
                it["seq_no"],
                name,
                it["unit"],
                it["requirement_as_written"],
                it["selection"],
                _value(it["reported_value"], it["value_text"]),
                it["computed_value"],
                labels.get(f"status.{it['status']}", it["status"] or ""),
                gap,
                gap_detail,
                note or None,
            ],
        )
        units[r] = (it["unit"], it.get("gap_unit"))
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
            xlsx.style(cell, border=BORDER, alignment=CENTER if cell.column in (1, 2, 6, 9) else WRAP)
        unit, gap_unit = units.get(row[0].row, (None, None))
        for i in (6, 7):
            if isinstance(row[i].value, int | float):
                xlsx.style(row[i], number_format=fmt.excel(unit, row[i].value), alignment=RIGHT)
        if isinstance(row[9].value, int | float):
            xlsx.style(row[9], number_format=fmt.excel(gap_unit, row[9].value), alignment=RIGHT)

    if verdict and verdict.get("note"):  # after the table: the parser of template A stops at 注
        xlsx.append(ws, [])
        xlsx.append(ws, [labels("note.prefix") + (zh(verdict["note"]) or "")])
        ws.merge_cells(start_row=ws.max_row, end_row=ws.max_row, start_column=1, end_column=n)
        ws.cell(ws.max_row, 1).alignment = WRAP

    _verdict_colours(ws, f"I{first_body}:I{last_body}", labels, "status")
    _verdict_colours(ws, "H4", labels, "verdict")
    xlsx.printable(ws, FORM_WIDTHS, f"{HEADER_ROW}:{HEADER_ROW}")
    xlsx.fit_rows(ws, FORM_WIDTHS, 1)


def _verdict_colours(ws: Worksheet, rng: str, labels: Labels, prefix: str) -> None:
    for key, fill in (("pass", GOOD), ("fail", BAD), ("not_assessable", UNSURE)):
        word = labels(f"{prefix}.{key}").replace('"', '""')
        ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill))


def _table_sheet(
    ws: Worksheet,
    title: str,
    columns: list[tuple[str, int]],
    prefix: str,
    labels: Labels,
    rows: list[list[Any]],
    empty: str,
    summary: str | None = None,
) -> tuple[int, int]:
    """A titled table: the title (and a summary line) merged across, the header, the rows."""
    xlsx.append(ws, [title])
    ws.merge_cells(start_row=1, end_row=1, start_column=1, end_column=len(columns))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = CENTER
    if summary:
        xlsx.append(ws, [summary])
        ws.merge_cells(start_row=2, end_row=2, start_column=1, end_column=len(columns))
        ws["A2"].font = Font(bold=True)
    header = ws.max_row + 1
    xlsx.append(ws, [labels(f"{prefix}.header.{c}") for c, _ in columns])
    for cell in ws[header]:
        cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), HEAD_FILL, CENTER, BORDER
    for r in rows:
        xlsx.append(ws, r)
    if not rows:
        xlsx.append(ws, [empty])
    for row in ws.iter_rows(min_row=header + 1, max_row=ws.max_row):
        for cell in row:
            xlsx.style(cell, border=BORDER, alignment=WRAP)
    widths = [w for _, w in columns]
    xlsx.printable(ws, widths, f"{header}:{header}")
    return header + 1, max(ws.max_row, header + 1)


def _plan_sheet(ws: Worksheet, park: str, plan: list[dict[str, Any]], labels: Labels) -> None:
    fmt = formats()
    rows = [
        [
            p["plan_name"],
            p["category"],
            p["seq_no"],
            p["indicator_name"],
            p["unit"],
            p["attribute"],
            p["base_year"],
            p["base_value"],
            p["target_year"],
            p["target_text"],
            p["latest_year"],
            p["latest_value"],
            p["progress"],
            p["time_elapsed"],
            p.get("path_value"),
            p.get("remaining"),
            p["achieved_rate"],
            p["required_rate"],
            labels.get(f"plan.status.{p['status']}", p["status"] or ""),
            zh(p["note"]),
        ]
        for p in plan
    ]
    first, last = _table_sheet(ws, labels("plan.title", park=park), PLAN_COLUMNS, "plan", labels, rows, labels("plan.empty"))
    if rows:
        for p, row in zip(plan, ws.iter_rows(min_row=first, max_row=last)):
            for i in (7, 11, 14):
                xlsx.style(row[i], number_format=fmt.excel(p["unit"], row[i].value), alignment=RIGHT)
            # the distance to the target of a rate is in percentage points: no % sign after it
            unit = None if p["unit"] == "%" else p["unit"]
            xlsx.style(row[15], number_format=fmt.excel(unit, row[15].value), alignment=RIGHT)
            for i in (12, 13):
                xlsx.style(row[i], number_format=FRACTION_PCT, alignment=RIGHT)
            for i in (16, 17):
                xlsx.style(row[i], number_format=RATE_PCT, alignment=RIGHT)
        ws.conditional_formatting.add(
            f"M{first}:M{last}", DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color="5B9BD5")
        )
        for key, fill in (("achieved", GOOD), ("on_track", GOOD), ("behind", BAD), ("not_assessable", UNSURE)):
            word = labels(f"plan.status.{key}").replace('"', '""')
            ws.conditional_formatting.add(
                f"S{first}:S{last}", CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill)
            )
    xlsx.fit_rows(ws, [w for _, w in PLAN_COLUMNS], 1)


def target_counts(targets: list[dict[str, Any]]) -> dict[str, int]:
    """Met, not met and cannot be judged, counted apart."""
    return {
        "met": sum(1 for t in targets if t["met"] is True),
        "missed": sum(1 for t in targets if t["met"] is False),
        "unjudged": sum(1 for t in targets if t["met"] is None),
    }


def _target_sheet(ws: Worksheet, park: str, targets: list[dict[str, Any]], labels: Labels) -> None:
    fmt = formats()

    def met(v: bool | None) -> str:
        return labels("target.met.null" if v is None else f"target.met.{str(v).lower()}")

    rows = [
        [
            t["year"],
            t["indicator_name"],
            t["target_text"],
            t["target_value"],
            t["target_unit"],
            t["actual_value"],
            met(t["met"]),
            zh(t["note"]),
        ]
        for t in targets
    ]
    summary = labels("target.counts", **target_counts(targets)) if targets else None
    first, last = _table_sheet(
        ws, labels("target.title", park=park), TARGET_COLUMNS, "target", labels, rows, labels("target.empty"), summary
    )
    if rows:
        for t, row in zip(targets, ws.iter_rows(min_row=first, max_row=last)):
            # a growth target's value and actual are rates in percentage points
            for i in (3, 5):
                xlsx.style(row[i], number_format=fmt.excel(t["target_unit"], row[i].value), alignment=RIGHT)
        for key, fill in (("true", GOOD), ("false", BAD), ("null", UNSURE)):
            word = labels(f"target.met.{key}").replace('"', '""')
            ws.conditional_formatting.add(
                f"G{first}:G{last}", CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill)
            )
    xlsx.fit_rows(ws, [w for _, w in TARGET_COLUMNS], 1)
