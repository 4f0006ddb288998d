"""EXPORTS/: files for other tools, written from the published serving file (read-only)."""
from __future__ import annotations

from pathlib import Path

import duckdb


class ExportError(Exception):
    pass


def write_all(warehouse: Path, target: Path) -> list[Path]:
    if not warehouse.is_file():
        raise ExportError(f"{warehouse} does not exist: run `make build` first")
    written: list[Path] = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        written += parquet(con, target / "parquet")
    finally:
        con.close()
    return written


def parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """One Parquet file per mart, written beside and renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for (table,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall():
        path = folder / f"{table}.parquet"
        tmp = folder / f".{table}.parquet.tmp"
        con.execute(f"copy marts.\"{table}\" to '{str(tmp).replace(chr(39), chr(39) * 2)}' (format parquet)")
        tmp.replace(path)
        out.append(path)
    return out
