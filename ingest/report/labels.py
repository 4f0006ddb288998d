"""The words of the workbook and the overview page, read from seeds/exports/export_labels.csv:
a title or a verdict word is a line in that seed, not a literal here."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "seeds" / "exports" / "export_labels.csv"


class Labels:
    def __init__(self, table: dict[str, str]):
        self.table = table

    def __call__(self, key: str, **fill: object) -> str:
        text = self.table[key]
        return text.format(**fill) if fill else text

    def get(self, key: str, default: str = "", **fill: object) -> str:
        return self(key, **fill) if key in self.table else default


@lru_cache(maxsize=1)
def load(path: Path = SEED) -> Labels:
    with path.open(encoding="utf-8", newline="") as fh:
        return Labels({r["key"]: r["label"] for r in csv.DictReader(fh)})
