"""Template C, 统计数据表: yearly statistics of one or more parks, long or wide by year
(docs/spreadsheets.md, template C). Whole columns become Arrow arrays: no Python object per value cell."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..cells import parse_cell, squash
from ..records import FIELDS, Batch, Finding, SheetResult
from ..sheet import Sheet, a1
from .common import SheetError, W, _clean, _row_texts, _text, _unit_in_name, _year_of, label_key, value_findings

# ---------------------------------------------------------------- template C: 统计数据表


def _statistics_rows(sheet: Sheet, header_row: int, cols: dict[str, int]) -> tuple[list[int], dict[str, list[Any]]]:
    """Body rows of a statistics sheet (either layout) and their per-row fields."""
    texts = _row_texts(sheet, header_row)
    unit_col = next((c for c, t in texts.items() if W("statistics", "unit").matches(t)), None)
    note_col = next((c for c, t in texts.items() if W("statistics", "note").matches(t)), None)
    body = sheet.rows[header_row:]
    first = header_row + 1

    def column(c: int | None) -> list[Any]:
        if c is None:
            return [None] * len(body)
        j = c - 1
        seen: dict[Any, str | None] = {}  # a park or a unit repeats down the rows: cleaned once
        out = []
        for r in body:
            v = r[j] if j < len(r) else ""
            if v == "" or v is None:
                out.append(None)
                continue
            k = (v.__class__, v)  # 1, 1.0 and True are equal keys but different texts
            try:
                out.append(seen[k])
            except KeyError:
                out.append(seen.setdefault(k, _clean(v)))
        return out

    labels = column(cols["label"])
    keep = [i for i, label in enumerate(labels) if label is not None]
    park_c = cols["park"]
    parks_raw = column(park_c)
    if sheet.merged:  # a park merged down its rows shows in each of them
        parks_raw = [_clean(sheet.merged_value(first + i, park_c)) for i in range(len(body))]
    parks: list[Any] = []
    park = None
    for i in range(len(body)):  # a park written once above its rows carries down
        park = parks_raw[i] or park
        parks.append(park)
    units, notes = column(unit_col), column(note_col)
    # no unit written beside the figure: the unit in the indicator's name is the unit ('…比重(%)')
    named: dict[str, str | None] = {}
    for i, u in enumerate(units):
        if u is None and labels[i] is not None:
            if labels[i] not in named:
                named[labels[i]] = _unit_in_name(labels[i])
            units[i] = named[labels[i]]
    return [first + i for i in keep], {
        "park_name": [parks[i] for i in keep],
        "label": [labels[i] for i in keep],
        "unit": [units[i] for i in keep],
        "note": [notes[i] for i in keep],
    }


def _values(sheet: Sheet, rows: list[int], body: list[list[Any]], shortest: int, col: int) -> tuple[pa.Array, ...]:
    """value, value_text, value_kind, number_format of one column over ``rows`` (``body``: their
    cells). A column of plain numbers (the bulk of a statistics export) is classified as a whole;
    other cells one by one."""
    j = col - 1
    cells = [r[j] for r in body] if j < shortest else [r[j] if j < len(r) else None for r in body]
    n = len(cells)
    plain = not (sheet.formats or sheet.no_cache) or not any(
        (r, col) in sheet.formats or (r, col) in sheet.no_cache for r in rows
    )
    if plain and set(map(type, cells)) == {float}:
        values = pa.array(cells, type=pa.float64())
        if not pc.all(pc.is_finite(values)).as_py():  # NaN or infinity: not a number a person wrote
            return _values_cellwise(sheet, rows, col, cells)
        return (values, pa.nulls(n, pa.string()), constant("number", n), pa.nulls(n, pa.string()))
    return _values_cellwise(sheet, rows, col, cells)


def _values_cellwise(sheet: Sheet, rows: list[int], col: int, cells: list[Any]) -> tuple[pa.Array, ...]:
    values: list[Any] = []
    texts: list[Any] = []
    kinds: list[str] = []
    formats: list[Any] = []
    for r, v in zip(rows, cells):
        if type(v) is float and math.isfinite(v) and (r, col) not in sheet.formats:
            values.append(v)
            texts.append(None)  # a number cell: its text is the number (rendered in the warehouse)
            kinds.append("number")
            formats.append(None)
            continue
        fmt = sheet.formats.get((r, col))
        p = parse_cell(None if v == "" else v, fmt, (r, col) in sheet.no_cache)
        values.append(p.value)
        texts.append(p.value_text)
        kinds.append(p.kind)
        formats.append(fmt)
    # value_kind as a dictionary array, like the plain columns: a few kinds, millions of cells
    return (
        pa.array(values, pa.float64()),
        pa.array(texts, pa.string()),
        pa.array(kinds, pa.string()).dictionary_encode(),
        pa.array(formats, pa.string()),
    )


def _statistics(
    sheet: Sheet, header_row: int, cols: dict[str, int], layout: str, year_cols: dict[int, int] | None
) -> SheetResult:
    rows, per_row = _statistics_rows(sheet, header_row, cols)
    # once per label and unit: a bracketed unit that is the figure's unit is not part of the indicator
    keys = {(label, unit): _statistics_key(label, unit) for label, unit in set(zip(per_row["label"], per_row["unit"]))}
    per_row["label_key"] = [keys[(label, unit)] for label, unit in zip(per_row["label"], per_row["unit"])]
    n_rows = len(rows)
    if layout == "long":
        years = []
        for r in rows:
            y = _year_of(sheet.merged_value(r, cols["year"]))
            if y is None:
                raise SheetError(a1(r, cols["year"]), f"年份 {_text(sheet.value(r, cols['year']))[:40]!r} is not a year")
            years.append(y)
        columns = [(cols["value"], years)]
    else:
        columns = [(col, [year] * n_rows) for col, year in (year_cols or {}).items()]
    # per-row fields are built once and repeated for every value column, in Arrow
    # per-row text fields repeat for every value column: dictionary arrays (the row's value once,
    # an index per cell), so that nothing is copied per cell
    tile = pa.array(np.tile(np.arange(n_rows, dtype=np.int32), len(columns)))
    out: dict[str, Any] = {
        f: pa.DictionaryArray.from_arrays(tile, pa.array(v, type=pa.string())) for f, v in per_row.items()
    }
    out["row_no"] = pa.array(np.tile(np.array(rows, dtype=np.int32), len(columns)))
    body = [sheet.rows[i - 1] for i in rows]
    shortest = min(map(len, body), default=0)
    parts = [_values(sheet, rows, body, shortest, col) for col, _ in columns]
    n = n_rows * len(columns)
    out["value"] = pa.concat_arrays([p[0] for p in parts]) if parts else pa.nulls(0, pa.float64())
    out["value_text"] = pa.concat_arrays([p[1] for p in parts]) if parts else pa.nulls(0, pa.string())
    out["value_kind"] = pa.concat_arrays([p[2] for p in parts]) if parts else pa.nulls(0, pa.string())
    out["number_format"] = pa.concat_arrays([p[3] for p in parts]) if parts else pa.nulls(0, pa.string())
    out["col_no"] = pa.array(np.repeat(np.array([c for c, _ in columns], dtype=np.int32), n_rows))
    out["year"] = pa.array(
        np.concatenate([np.array(y, dtype=np.int32) for _, y in columns]) if columns else np.zeros(0, np.int32)
    )
    constants = {"sheet": sheet.name, "template": "statistics", "layout": layout, "value_role": "actual"}
    # only the columns a statistics sheet fills; the others are NULL in raw.observations
    table = pa.table({f: out[f] if f in out else constant(constants[f], n) for f in FIELDS if f in out or f in constants})
    parks = per_row["park_name"]
    result = SheetResult(sheet.name, "statistics", table=table, park_name=parks[-1] if parks else None)
    result.findings = _table_findings(sheet.name, table)
    return result


def constant(value: Any, n: int) -> pa.DictionaryArray:
    """One value for n rows, as a dictionary array: no Python object per row."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], pa.string()))


def _table_findings(sheet: str, table: pa.Table) -> list[Finding]:
    """value_findings for the rows of an Arrow table that are not plain numbers."""
    odd = table.filter(
        pc.invert(
            pc.is_in(
                table.column("value_kind"), pa.array(["number", "blank", "marker", "not_reported", "not_applicable", "date"])
            )
        )
    )
    if odd.num_rows == 0:
        return []
    b = Batch()
    for f in ("row_no", "col_no", "label", "value_text", "value_kind"):
        b.cols[f] = odd.column(f).to_pylist()
    b.n = odd.num_rows
    return value_findings(sheet, b, "statistics")


def parse_statistics_long(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    return _statistics(sheet, header_row, cols, "long", None)


def parse_statistics_wide(sheet: Sheet, header_row: int, cols: dict[str, int]) -> SheetResult:
    years = {c: y for c, v in enumerate(sheet.rows[header_row - 1], start=1) if (y := _year_of(v)) is not None}
    return _statistics(sheet, header_row, cols, "wide", years)


def _statistics_key(label: str, unit: str | None) -> str:
    """'地区生产总值（亿元）' in 亿元 -> '地区生产总值': the same series as one written with a unit column."""
    key = label_key(label, "statistics")
    in_name = _unit_in_name(key)
    if in_name is not None and unit is not None and squash(in_name) == squash(unit):
        key = key[: max(key.rfind("("), key.rfind("（"))]
    return key
