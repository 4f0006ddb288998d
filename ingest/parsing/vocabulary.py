"""What the spreadsheets say, read from the seeds (seeds/spreadsheets/): the words of cells
(markers, 'not reported') and the header texts that identify each template. A new header variant
or marker is a line in a CSV, not a change here."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "spreadsheets"


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Words:
    """Header texts of one role in one template (or 'any')."""

    exact: frozenset[str] = frozenset()
    prefix: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    year_suffix: tuple[str, ...] = ()
    regex: tuple[re.Pattern[str], ...] = ()

    def matches(self, text: str) -> bool:
        return text in self.exact or any(text.startswith(p) for p in self.prefix) or any(c in text for c in self.contains)

    def first(self) -> str:
        return next(iter(sorted(self.exact)), next(iter(self.prefix), next(iter(self.contains), "")))


@dataclass
class Vocabulary:
    cell_kinds: dict[str, str] = field(default_factory=dict)  # normalised phrase -> kind
    headers: dict[tuple[str, str], Words] = field(default_factory=dict)

    def words(self, template: str, role: str) -> Words:
        own = self.headers.get((template, role), Words())
        common = self.headers.get(("any", role), Words())
        return Words(
            own.exact | common.exact,
            own.prefix + common.prefix,
            own.contains + common.contains,
            own.year_suffix + common.year_suffix,
            own.regex + common.regex,
        )

    def phrases(self, kind: str) -> frozenset[str]:
        return frozenset(p for p, k in self.cell_kinds.items() if k == kind)


def load() -> Vocabulary:
    v = Vocabulary()
    for row in _rows("cell_vocabulary.csv"):
        v.cell_kinds[_norm(row["phrase"])] = row["kind"]
    grouped: dict[tuple[str, str], dict[str, list]] = {}
    for row in _rows("template_headers.csv"):
        g = grouped.setdefault(
            (row["template"], row["role"]), {"exact": [], "prefix": [], "contains": [], "year_suffix": [], "regex": []}
        )
        text = row["text"] if row["match"] == "regex" else _norm(row["text"])
        g[row["match"]].append(text)
    for key, g in grouped.items():
        v.headers[key] = Words(
            frozenset(g["exact"]),
            tuple(g["prefix"]),
            tuple(g["contains"]),
            tuple(g["year_suffix"]),
            tuple(re.compile(r) for r in g["regex"]),
        )
    return v


VOCABULARY = load()
NOT_REPORTED = VOCABULARY.phrases("not_reported")
NOT_APPLICABLE = VOCABULARY.phrases("not_applicable")
MARKERS = VOCABULARY.phrases("marker")
