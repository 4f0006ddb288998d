"""Park names: one canonical spelling per park, from the registry seed (seeds/park_registry.csv)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from .cells import normalize_text


def normalize_park(name: str) -> str:
    """Trim, full-width to half-width, inner whitespace removed (Chinese names have none)."""
    return re.sub(r"\s+", "", normalize_text(name))


def load_aliases(registry_csv: Path | None) -> dict[str, str]:
    """alias or canonical name (normalised) -> canonical name."""
    if registry_csv is None or not registry_csv.exists():
        return {}
    out: dict[str, str] = {}
    with registry_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            canonical = normalize_park(row["park_name"])
            out[canonical] = canonical
            for alias in (row.get("aliases") or "").split("|"):
                if alias.strip():
                    out[normalize_park(alias)] = canonical
    return out


def canonical_park(name: str, aliases: dict[str, str]) -> str:
    norm = normalize_park(name)
    return aliases.get(norm, norm)
