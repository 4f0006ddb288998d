"""The words and number formats of the workbook, the overview page and the load report, read from
seeds/exports/: a title, a verdict word or the decimals of a unit are a line in a seed, not a
literal here."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "exports"
SEED = SEEDS / "export_labels.csv"


class Labels:
    def __init__(self, table: dict[str, str]):
        self.table = table

    def __call__(self, key: str, **fill: object) -> str:
        text = self.table[key]
        return text.format(**fill) if fill else text

    def get(self, key: str, default: str = "", **fill: object) -> str:
        return self(key, **fill) if key in self.table else default


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def load(path: Path = SEED) -> Labels:
    return Labels({r["key"]: r["label"] for r in _read(path)})


class Formats:
    """Decimals and a printed sign per unit (seed number_formats; the empty unit is the default)."""

    def __init__(self, rows: list[dict[str, str]]):
        self.rows = {r["unit"]: (int(r["decimals"]), r["suffix"] or "") for r in rows}
        self.default = self.rows.get("", (2, ""))

    def of(self, unit: str | None, value: Any = None) -> tuple[int, str]:
        """Decimals and sign of ``unit``; a unit of whole counts (个, 家) shows a fraction that is
        not whole (a per-capita ratio written in 人) with the default decimals."""
        decimals, suffix = self.rows.get(unit or "", self.default) if unit else self.default
        if decimals == 0 and isinstance(value, float) and not value.is_integer():
            decimals = self.default[0]
        return decimals, suffix

    def excel(self, unit: str | None, value: Any = None) -> str:
        """The Excel number format: thousands separators, the unit's decimals, the sign after it."""
        decimals, suffix = self.of(unit, value)
        core = "#,##0" + ("." + "0" * decimals if decimals else "")
        return core + (f'"{suffix}"' if suffix else "")

    def show(self, value: Any, unit: str | None, sign: bool = True) -> str:
        """The value as text, rounded to the unit's decimals (for pages and notes)."""
        if value is None:
            return ""
        if not isinstance(value, int | float) or isinstance(value, bool):
            return str(value)
        if value != value:  # NaN
            return ""
        decimals, suffix = self.of(unit, value)
        return f"{value:,.{decimals}f}" + (suffix if sign else "")


@lru_cache(maxsize=1)
def formats(path: Path = SEEDS / "number_formats.csv") -> Formats:
    return Formats(_read(path))
