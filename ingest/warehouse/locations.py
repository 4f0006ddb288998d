"""Where a build keeps its history: light on purpose (`parks build` needs it before its imports)."""

from __future__ import annotations

from pathlib import Path


def default_state_dir(warehouse: Path) -> Path:
    """Beside the serving file, hidden: <folder>/.<name>.state (one history per serving file)."""
    stem = warehouse.name[: -len(".duckdb")] if warehouse.name.endswith(".duckdb") else warehouse.name
    return warehouse.parent / f".{stem}.state"


# inside the state folder (StateStore): the build's copy of the history, and dbt's folders
WORK_FILE = "work.duckdb"
DBT_DIR = "dbt"
