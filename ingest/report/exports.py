"""EXPORTS/: what other tools and people take away from a published build.

    EXPORTS/parquet/<mart>.parquet        every mart, for other tools
    EXPORTS/assessment/<park>.xlsx        the assessment workbook of each park (workbook.py)
    EXPORTS/overview.html                 the assessment overview (overview.py), on `parks export`

A nightly build rewrites the workbooks of the parks it changed; `parks export` rewrites all of them.
Every file is written beside its final name and renamed into place.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from . import overview, workbook


class ExportError(Exception):
    pass


def write_all(marts: Path, target: Path, parks: Iterable[str] | None = None, run_id: str = "",
              with_overview: bool = False, overview_parks: int = 20, workbook_limit: int | None = None,
              skipped: list[str] | None = None) -> list[Path]:
    """Write the exports from ``marts`` (a file holding the published marts, opened read-only). With
    more than ``workbook_limit`` workbooks to rewrite, none is written and ``skipped`` says why."""
    if not marts.is_file():
        raise ExportError(f"{marts} does not exist: run `make build` first")
    written: list[Path] = []
    con = duckdb.connect(str(marts), read_only=True)
    try:
        written += parquet(con, target / "parquet")
        try:
            written += workbook.write(con, target / "assessment", parks, run_id, workbook_limit)
        except workbook.TooMany as exc:
            if skipped is not None:
                skipped.append(f"assessment workbooks not rewritten by the build: {exc.n:,} parks changed, more "
                               f"than EXPORT_PARKS={exc.limit:,}; run `parks export` (or `make export`) to write them "
                               f"(about {exc.n / 4 / 60:.0f} min)")
        if with_overview:
            written.append(overview.write(con, target / "overview.html", None, overview_parks, run_id))
    finally:
        con.close()
    return written


def parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """One Parquet file per mart."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    names = con.execute("select table_name from duckdb_tables() where schema_name = 'marts' union "
                        "select view_name from duckdb_views() where schema_name = 'marts' order by 1").fetchall()
    for (table,) in names:
        path = folder / f"{table}.parquet"
        tmp = folder / f".{table}.parquet.tmp"
        con.execute(f"copy (select * from marts.\"{table}\") to '{str(tmp).replace(chr(39), chr(39) * 2)}' "
                    f"(format parquet)")
        tmp.replace(path)
        out.append(path)
    return out
