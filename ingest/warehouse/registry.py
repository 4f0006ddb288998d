"""PARKS_REGISTRY: parks registered outside the repository, in a CSV file with the columns of
seeds/common/park_registry.csv. Read and checked before the build starts; a bad row is named."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from ..parsing.vocabulary import VOCABULARY

COLUMNS = [
    "park_name",
    "aliases",
    "park_type",
    "planning_base_year",
    "region_class",
    "dominant_industry",
    "currency",
    "source",
]


class RegistryError(Exception):
    pass


def read(path: Path) -> list[dict[str, object]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            if "park_name" not in header:
                raise RegistryError(f"PARKS_REGISTRY {path}: no park_name column (expected {', '.join(COLUMNS)})")
            unknown = [h for h in header if h not in COLUMNS]
            if unknown:
                raise RegistryError(
                    f"PARKS_REGISTRY {path}: unknown column(s) {', '.join(unknown)} (expected {', '.join(COLUMNS)})"
                )
            rows = [dict(r) for r in reader]
    except OSError as exc:
        raise RegistryError(f"PARKS_REGISTRY {path} cannot be read ({exc.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RegistryError(f"PARKS_REGISTRY {path} is not a UTF-8 CSV file ({exc})") from None
    regions = VOCABULARY.phrases("region_class")
    out = []
    for i, r in enumerate(rows, start=2):  # line 1 is the header
        where = f"PARKS_REGISTRY {path} line {i}"
        name = (r.get("park_name") or "").strip()
        if not name:
            raise RegistryError(f"{where}: park_name is empty")
        year = (r.get("planning_base_year") or "").strip()
        if year and not (year.isdigit() and 1900 <= int(year) <= 2100):
            raise RegistryError(f"{where} ({name}): planning_base_year {year!r} is not a year")
        region = (r.get("region_class") or "").strip()
        if region and region not in regions:
            raise RegistryError(f"{where} ({name}): region_class {region!r} is not one of {', '.join(sorted(regions))}")
        out.append(
            {c: (r.get(c) or "").strip() or None for c in COLUMNS}
            | {
                "park_name": name,
                "planning_base_year": int(year) if year else None,
                "source": (r.get("source") or "").strip() or f"{path.name} line {i}",
            }
        )
    return out


def load(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    con.execute("delete from build.park_registry_extra")
    if rows:
        con.executemany(
            f"insert into build.park_registry_extra ({', '.join(COLUMNS)}) values ({', '.join('?' for _ in COLUMNS)})",
            [[r[c] for c in COLUMNS] for r in rows],
        )
