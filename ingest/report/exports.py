"""EXPORTS/: what other tools and people take away from a published build.

    EXPORTS/parquet/<mart>/part-*.parquet every mart, for other tools (read the folder)
    EXPORTS/assessment/<park>.xlsx        the assessment workbook of each park (workbook.py)
    EXPORTS/overview.html                 the assessment overview of every park (overview.py)

A nightly build rewrites the workbooks of the parks it changed, the Parquet parts that hold them
(a mart with a park_name is split in 16 parts by the first hex digit of md5(park_name)) and the
overview; `parks export` rewrites all of them. An empty mart is one Parquet file with its columns
and no rows, so that a query of the folder finds a file.
Every file is written beside its final name and renamed into place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import duckdb

from ..warehouse.state import connect
from . import overview, workbook


class ExportError(Exception):
    pass


def write_all(
    source: Path,
    target: Path,
    parks: Iterable[str] | None = None,
    marts: set[str] | None = None,
    run_id: str = "",
    overview_parks: int = 20,
    workbook_limit: int | None = None,
    skipped: list[str] | None = None,
) -> list[Path]:
    """Write the exports from ``source`` (a file holding the published marts, opened read-only): of
    the ``parks`` changed (None: every park), in the ``marts`` a build rewrote (None: every mart).
    With more than ``workbook_limit`` workbooks to rewrite, none is written and ``skipped`` says why;
    ``skipped`` also receives a line for every workbook whose file name is not its park's name."""
    if not source.is_file():
        raise ExportError(f"{source} does not exist: run `make build` first")
    written: list[Path] = []
    con = connect(source, read_only=True)  # bounded like the build: Parquet of a national mart spills
    try:
        # the workbooks and the overview first: they are Python (the interpreter's lock), and a
        # build writes them while it publishes (a file copy); the Parquet files are DuckDB's work,
        # beside the report the build then writes
        try:
            written += workbook.write(con, target / "assessment", parks, run_id, workbook_limit, skipped)
        except workbook.TooMany as exc:
            if skipped is not None:
                skipped.append(
                    f"assessment workbooks not rewritten by the build: {exc.n:,} parks changed, more "
                    f"than EXPORT_PARKS={exc.limit:,}; run `parks export` (or `make export`) to write them "
                    f"(about {exc.n / 4 / 60:.0f} min)"
                )
        # every park, as `parks export` writes it (the report's copy details the parks the build changed)
        written.append(overview.write(con, target / "overview.html", None, overview_parks, run_id))
        written += parquet(con, target / "parquet", parks, marts)
    finally:
        con.close()
    return written


PARTS = "0123456789abcdef"
PART_SQL = "substr(md5(coalesce(park_name, '')), 1, 1)"  # the same digit as part_of() below


def part_of(park: str) -> str:
    """The Parquet part of a park: the first hex digit of the MD5 of its name (as DuckDB's md5)."""
    return hashlib.md5(park.encode("utf-8")).hexdigest()[0]


def parquet(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    parks: Iterable[str] | None = None,
    marts: set[str] | None = None,
) -> list[Path]:
    """Every mart as a folder of Parquet files. A mart with a park_name is split in 16 parts by
    part_of(park_name), so that a night that changed a few parks rewrites only their parts; the other
    marts are one part. ``parks``: the parks changed (None: every park); ``marts``: the marts the
    build rewrote (None: every mart; a corrected threshold leaves the national figures as they were)."""
    folder.mkdir(parents=True, exist_ok=True)
    touched = None if parks is None else {part_of(p) for p in parks}
    out = []
    names = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' union "
        "select view_name from duckdb_views() where schema_name = 'marts' order by 1"
    ).fetchall()
    for (table,) in names:
        if marts is not None and table not in marts and (folder / table).is_dir():
            continue
        cols = {
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ?", [table]
            ).fetchall()
        }
        (folder / f"{table}.parquet").unlink(missing_ok=True)  # the single-file layout of earlier versions
        d = folder / table
        d.mkdir(exist_ok=True)
        if "park_name" not in cols:
            out.append(_copy(con, f'select * from marts."{table}"', d / "part-all.parquet"))
            continue
        empty = d / "part-empty.parquet"
        if not con.execute(f'select exists (select 1 from marts."{table}")').fetchone()[0]:
            # no rows: one file with the columns, so that `select * from '<folder>/*.parquet'` answers
            for stale in d.glob("part-*.parquet"):
                stale.unlink()
            out.append(_copy(con, f'select * from marts."{table}" limit 0', empty))
            continue
        empty.unlink(missing_ok=True)
        for part in PARTS if touched is None else sorted(touched):
            path = d / f"part-{part}.parquet"
            if _copy(con, f"select * from marts.\"{table}\" where {PART_SQL} = '{part}'", path, keep_empty=False):
                out.append(path)
    return out


def _copy(con: duckdb.DuckDBPyConnection, sql: str, path: Path, keep_empty: bool = True) -> Path | None:
    """Write ``sql`` to ``path`` (beside it, then renamed). Without ``keep_empty``, a query with no
    rows removes ``path`` instead (COPY says how many rows it wrote: no second scan to count them)."""
    tmp = path.with_name(f".{path.name}.tmp")
    (n,) = con.execute(f"copy ({sql}) to '{str(tmp).replace(chr(39), chr(39) * 2)}' (format parquet)").fetchone()
    if not n and not keep_empty:
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        return None
    tmp.replace(path)
    return path
