"""Which tables the table metrics cover: raw, audit and every published mart. Light on purpose (no
Great Expectations import): the build records their row counts even on a night the gate is not run."""

from __future__ import annotations

import duckdb

# keys that repeat or are missing, where a file can cause it (a key repeated by a file traces back
# to that file, which is rejected); the marts' keys are invariants of our code, tested by dbt
TABLE_KEYS: dict[str, tuple[list[str], list[str]]] = {
    "raw.observations": (["file_sha256", "sheet", "cell"], ["file_name", "file_sha256", "sheet", "cell", "template"]),
    "audit.files": ([], ["file_name", "file_sha256", "status"]),
}
# Where a key can have gone wrong this build: a file's cells are keyed by its own digest, so only the
# files loaded now can repeat or miss a key. Checking those alone keeps the check's cost that of the
# night's files (the whole national history is 5.7M cells).
LOADED_NOW = "(select file_sha256 from build.pending_files where reason = 'loaded')"
# The cells of the files loaded now. Their load order (load_seq) is filtered first: cells are stored
# in load order, so DuckDB skips the row groups of earlier loads instead of joining 5.7M cells to
# their sheets to read each one's file (0.035 s a query against 0.004).
NIGHT_CELLS = (
    f"load_seq in (select load_seq from audit.files where file_sha256 in {LOADED_NOW}) and file_sha256 in {LOADED_NOW}"
)
NEW_ROWS: dict[str, str] = {"raw.observations": NIGHT_CELLS}


def tables_of(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of a file (raw.observations is a view over the tables of cells)."""
    return [
        f"{s}.{t}"
        for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
            "union all select schema_name, view_name from duckdb_views() where database_name = current_database() "
            "and not internal"
        ).fetchall()
    ]


def metric_tables(tables: list[str]) -> list[str]:
    """raw.observations, audit.files and every table of the marts schema among ``tables``."""
    return [t for t in TABLE_KEYS if t in tables] + sorted(t for t in tables if t.startswith("marts."))
