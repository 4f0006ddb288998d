"""What the parsers return: observations as columns (one list per field), findings, sheet results.

Columns rather than one object per cell: a national statistics workbook holds ~200,000 value cells,
and the loader hands the columns to DuckDB as they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from .sheet import a1

FIELDS = (
    "sheet",
    "row_no",
    "col_no",
    "template",
    "layout",
    "park_name",
    "year",
    "category",
    "seq_no",
    "row_kind",
    "label",
    "label_key",
    "unit",
    "value_text",
    "value",
    "value_kind",
    "number_format",
    "requirement",
    "selection",
    "planning_base_year",
    "report_date",
    "plan_name",
    "base_year",
    "target_year",
    "value_role",
    "attribute",
    "target_text",
    "note",
)
# A statistics cell's key equal to its name (the usual case) is stored NULL, so that a file's
# all-NULL key column is not written at all; the warehouse's view gives the name back.
KEY_OF_NAME = {"park_key": "park_name", "label_key": "label"}


@dataclass
class Observation:
    """One value cell (a view over a batch row, for tests and the `parks parse` command)."""

    sheet: str
    row_no: int
    col_no: int
    template: str
    park_name: str | None
    year: int | None
    label: str | None
    unit: str | None
    value_text: str | None
    value: float | None
    value_kind: str
    layout: str | None = None
    category: str | None = None
    seq_no: int | None = None
    row_kind: str | None = None  # eip_form: component | indicator
    requirement: str | None = None
    selection: str | None = None
    planning_base_year: int | None = None
    report_date: dt.date | None = None
    plan_name: str | None = None
    base_year: int | None = None
    target_year: int | None = None
    value_role: str | None = None  # actual | base | target
    attribute: str | None = None
    target_text: str | None = None
    note: str | None = None
    label_key: str | None = None
    number_format: str | None = None

    @property
    def cell(self) -> str:
        return a1(self.row_no, self.col_no)

    def as_dict(self) -> dict[str, Any]:
        d = {f: getattr(self, f) for f in FIELDS}
        d["cell"] = self.cell
        return d


class Batch:
    """Observations as columns: ``cols[field]`` is a list, all of one length."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {f: [] for f in FIELDS}
        self.n = 0

    def __len__(self) -> int:
        return self.n

    def append(self, **values: Any) -> None:
        for f in FIELDS:
            self.cols[f].append(values.get(f))
        self.n += 1

    def extend(self, n: int, columns: dict[str, list[Any]], constants: dict[str, Any]) -> None:
        """Add ``n`` rows: ``columns`` holds lists of length n, ``constants`` one value for all."""
        for f in FIELDS:
            if f in columns:
                col = columns[f]
                assert len(col) == n, f
                self.cols[f].extend(col)
            else:
                self.cols[f].extend([constants.get(f)] * n)
        self.n += n

    def observations(self) -> Iterator[Observation]:
        for i in range(self.n):
            yield Observation(**{f: self.cols[f][i] for f in FIELDS})


@dataclass
class Finding:
    """Something a person should look at; ``cell`` is an A1 reference or None for the whole sheet."""

    sheet: str | None
    cell: str | None
    severity: str  # info | warning | error
    code: str
    message: str


ARROW_TYPES = {
    "row_no": pa.int32(),
    "col_no": pa.int32(),
    "year": pa.int32(),
    "seq_no": pa.int32(),
    "planning_base_year": pa.int32(),
    "base_year": pa.int32(),
    "target_year": pa.int32(),
    "value": pa.float64(),
    "report_date": pa.date32(),
}


def arrow_type(f: str) -> pa.DataType:
    return ARROW_TYPES.get(f, pa.string())


@dataclass
class SheetResult:
    sheet: str
    template: str | None
    batch: Batch = field(default_factory=Batch)
    findings: list[Finding] = field(default_factory=list)
    park_name: str | None = None
    year: int | None = None
    plan_name: str | None = None
    message: str = ""
    index: int = 0
    table: pa.Table | None = None  # the large-sheet path builds its columns in Arrow directly

    def __len__(self) -> int:
        return self.table.num_rows if self.table is not None else len(self.batch)

    def to_arrow(self) -> pa.Table:
        if self.table is not None:
            return self.table
        return pa.table({f: pa.array(self.batch.cols[f], type=arrow_type(f)) for f in FIELDS})

    @property
    def observations(self) -> list[Observation]:
        if self.table is None:
            return list(self.batch.observations())
        n = self.table.num_rows
        cols = {f: self.table.column(f).to_pylist() if f in self.table.column_names else [None] * n for f in FIELDS}
        return [Observation(**{f: cols[f][i] for f in FIELDS}) for i in range(self.table.num_rows)]
