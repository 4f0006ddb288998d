"""Write-Audit-Publish around the serving file (WAREHOUSE) that BI tools hold open.

The serving file is never opened for writing. A build copies the history it needs (schemas raw and
audit) out of it into a private build file, works there, and publication writes a fresh file beside
the serving file and renames it over it: readers see the old file or the new one, never a mix.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from pathlib import Path
from typing import Iterator

import duckdb

# Written in the storage format of DuckDB 1.0 so that BI tools bundling any DuckDB >= 0.10 can open it.
SERVING_STORAGE_VERSION = "v1.0.0"
PUBLISHED_SCHEMAS = ("raw", "audit", "reference", "marts")
HISTORY_SCHEMAS = ("raw", "audit")


class LockBusy(Exception):
    pass


@contextlib.contextmanager
def build_lock(warehouse: Path, timeout_s: float) -> Iterator[None]:
    """One build at a time per serving file. flock dies with its process: a killed build leaves
    nothing that blocks the next one."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    path = warehouse.with_name(warehouse.name + ".lock")
    fh = open(path, "a+")
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise LockBusy(f"another build of {warehouse} is running ({holder}); "
                                   f"waited {timeout_s:g}s") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        yield
    finally:
        fh.close()  # releases the lock


def tables_in(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name=? and schema_name=? order by 1",
        [database, schema]).fetchall()]


def copy_history(con: duckdb.DuckDBPyConnection, warehouse: Path) -> int:
    """Bring raw and audit of the last published file into the build database (by column name, so a
    column added since then is simply NULL in old rows). Returns the rows copied."""
    if not warehouse.exists():
        return 0
    con.execute(f"attach '{_q(warehouse)}' as serving (read_only)")
    copied = 0
    try:
        for schema in HISTORY_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
            have = set(tables_in(con, _current_db(con), schema))
            for table in tables_in(con, "serving", schema):
                if table in have:
                    con.execute(f"insert into {schema}.{table} by name select * from serving.{schema}.{table}")
                else:
                    con.execute(f"create table {schema}.{table} as select * from serving.{schema}.{table}")
                copied += con.execute(f"select count(*) from serving.{schema}.{table}").fetchone()[0]
    finally:
        con.execute("detach serving")
    return copied


def write_serving_copy(source: Path, target: Path, sources_by_schema: dict[str, Path] | None = None) -> None:
    """Write ``target`` (a new file) with the published schemas of ``source`` and their comments.
    ``sources_by_schema`` lets a schema come from another database file (used when publication is
    blocked: the old marts with the new audit)."""
    if target.exists():
        target.unlink()
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_q(target)}' as pub (storage_version '{SERVING_STORAGE_VERSION}')")
        attached: dict[Path, str] = {}
        for schema in PUBLISHED_SCHEMAS:
            src_path = (sources_by_schema or {}).get(schema, source)
            if src_path not in attached:
                alias = f"src{len(attached)}"
                con.execute(f"attach '{_q(src_path)}' as {alias} (read_only)")
                attached[src_path] = alias
            alias = attached[src_path]
            con.execute(f"create schema if not exists pub.{schema}")
            for table in tables_in(con, alias, schema):
                con.execute(f"create table pub.{schema}.{table} as select * from {alias}.{schema}.{table}")
                _copy_comments(con, alias, "pub", schema, table)
        con.execute("checkpoint pub")
        con.execute("detach pub")
    finally:
        con.close()


def append_audit(target: Path, build_db: Path, tables: tuple[str, ...]) -> None:
    """Add the rows of ``audit.<table>`` that ``target`` lacks (this run's) from the build file."""
    con = duckdb.connect(str(target))
    try:
        con.execute(f"attach '{_q(build_db)}' as b (read_only)")
        have = set(tables_in(con, _current_db(con), "audit"))
        for table in tables:
            if table not in have:
                con.execute(f"create table audit.{table} as select * from b.audit.{table}")
                continue
            con.execute(f"insert into audit.{table} by name select * from b.audit.{table} "
                        f"where run_id not in (select distinct run_id from audit.{table})")
        con.execute("detach b")
        con.execute("checkpoint")
    finally:
        con.close()


def atomic_replace(new_file: Path, warehouse: Path) -> None:
    with open(new_file, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(new_file, warehouse)
    dir_fd = os.open(warehouse.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _copy_comments(con: duckdb.DuckDBPyConnection, src: str, dst: str, schema: str, table: str) -> None:
    row = con.execute("select comment from duckdb_tables() where database_name=? and schema_name=? and table_name=?",
                      [src, schema, table]).fetchone()
    if row and row[0]:
        con.execute(f"comment on table {dst}.{schema}.{table} is {_lit(row[0])}")
    for column, comment in con.execute(
            "select column_name, comment from duckdb_columns() where database_name=? and schema_name=? "
            "and table_name=? and comment is not null and comment <> ''", [src, schema, table]).fetchall():
        con.execute(f'comment on column {dst}.{schema}.{table}."{column}" is {_lit(comment)}')


def _current_db(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchone()[0]


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
