"""`make dbt`: a scratch copy of the history store for running dbt by hand.

Only a build opens the history store (STATE_DIR/history.duckdb) and nobody writes the serving file,
so a developer's `dbt build -s plan_progress` runs on warehouse/dev.duckdb: a copy of the history
(refreshed when the history is newer), or an empty warehouse with the raw, audit and build schemas
when no build has run yet. Every park counts as changed, as in a full rebuild.

    python -m ingest.warehouse.devcopy WAREHOUSE DEV_FILE
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb

from . import schema
from .locations import default_state_dir


def prepare(warehouse: Path, dev: Path) -> str:
    history = default_state_dir(warehouse.absolute()) / "history.duckdb"
    dev.parent.mkdir(parents=True, exist_ok=True)
    if history.is_file() and (not dev.exists() or dev.stat().st_mtime < history.stat().st_mtime):
        shutil.copy2(history, dev)
        said = f"{dev}: a copy of {history}"
    else:
        said = f"{dev}: {'kept' if dev.exists() else 'created empty'}"
    with duckdb.connect(str(dev)) as con:
        schema.ensure(con)
        con.execute("delete from build.context")
        con.execute("insert into build.context values ('dev', true)")
    return said


def main(argv: list[str]) -> int:
    print(prepare(Path(argv[0]), Path(argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
