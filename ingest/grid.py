"""The in-memory shape of one worksheet, shared by the readers (IO) and the template parsers (pure)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class RawCell:
    value: Any
    number_format: str | None = None
    formula_without_value: bool = False


@dataclass
class Grid:
    """A worksheet: ``cells[(row, col)]`` with 1-based indices, as Excel counts."""

    name: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col

    # Cached: the parsers ask for them in loops; a Grid is not changed once a reader has filled it.
    @cached_property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @cached_property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=0)

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))

    def value(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def merged_value(self, row: int, col: int) -> Any:
        """The value shown in a cell: a merged range shows its top-left cell everywhere."""
        for r1, c1, r2, c2 in self.merged:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return self.value(r1, c1)
        return self.value(row, col)

    @classmethod
    def from_rows(cls, name: str, rows: list[list[Any]], merged: list[tuple[int, int, int, int]] | None = None,
                  formats: dict[tuple[int, int], str] | None = None) -> "Grid":
        formats = formats or {}
        cells = {}
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None and v != "":
                    cells[(r, c)] = RawCell(v, formats.get((r, c)))
        return cls(name, cells, list(merged or []))


def a1(row: int, col: int) -> str:
    """(3, 7) -> 'G3'."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"
