"""One worksheet as read: the shape the readers fill and the template parsers read.

Rows are kept as the reader returns them (a list per row, '' or None for an empty cell), so a large
sheet costs one Python object per stored value and nothing more. Number formats are only kept where
the parsers need them (percent cells); formula cells without a cached value are listed apart.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawCell:
    value: Any
    number_format: str | None = None
    formula_without_value: bool = False


@dataclass
class Sheet:
    """A worksheet with 1-based ``value(row, col)`` as Excel counts."""

    name: str
    rows: list[list[Any]] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # number formats the parsers need
    no_cache: set[tuple[int, int]] = field(default_factory=set)  # formulas saved without a value
    index: int = 0  # position in the workbook (1-based)
    _merged_by_col: dict[int, tuple[list[int], list[tuple[int, int, int]]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.max_row = len(self.rows)
        self.max_col = max((len(r) for r in self.rows), default=0)

    @property
    def is_empty(self) -> bool:
        return not self.no_cache and all(v is None or v == "" for row in self.rows for v in row)

    def value(self, row: int, col: int) -> Any:
        if row < 1 or col < 1 or row > self.max_row:
            return None
        r = self.rows[row - 1]
        if col > len(r):
            return None
        v = r[col - 1]
        return None if v == "" else v

    def get(self, row: int, col: int) -> RawCell | None:
        v = self.value(row, col)
        no_cache = (row, col) in self.no_cache
        if v is None and not no_cache:
            return None
        return RawCell(v, self.formats.get((row, col)), no_cache)

    def merged_value(self, row: int, col: int) -> Any:
        """The value shown in a cell: a merged range shows its top-left cell everywhere."""
        if not self.merged:
            return self.value(row, col)
        if col not in self._merged_by_col:
            # per column, ranges sorted by first row: a lookup is a bisection, not a scan of every range
            spans = sorted((r1, r2, c1) for r1, c1, r2, c2 in self.merged if c1 <= col <= c2)
            self._merged_by_col[col] = ([s[0] for s in spans], spans)
        starts, spans = self._merged_by_col[col]
        # merged ranges never overlap in a valid sheet: only the last range starting above can hold the row
        i = bisect.bisect_right(starts, row) - 1
        if i >= 0:
            r1, r2, c1 = spans[i]
            if row <= r2:
                return self.value(r1, c1)
        return self.value(row, col)

    @classmethod
    def from_rows(
        cls,
        name: str,
        rows: list[list[Any]],
        merged: list[tuple[int, int, int, int]] | None = None,
        formats: dict[tuple[int, int], str] | None = None,
    ) -> Sheet:
        return cls(name, [list(r) for r in rows], list(merged or []), dict(formats or {}))


def a1(row: int, col: int) -> str:
    """(3, 7) -> 'G3'."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def col_letters(col: int) -> str:
    return a1(1, col)[:-1]
