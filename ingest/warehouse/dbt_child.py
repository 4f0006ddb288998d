"""The dbt process of a build: `python -m ingest.warehouse.dbt_child <project options>`.

Importing dbt, registering the adapter and reading the project cost about 3.5 s before dbt runs
its first model, whatever the night holds. The build starts this process before it copies the
history and ingests the night's files: it imports dbt and parses the project (partial parsing, no
database opened) meanwhile, then reads the arguments of its one dbt command as a JSON list on
stdin, runs it on the manifest it parsed, and exits as the dbt command line does (0 ok, 1 a node
failed, 2 dbt could not run). An empty stdin (the build needed no dbt) ends it with 0.
"""

from __future__ import annotations

import json
import os
import sys


def main(options: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    # quiet: the parse's own lines would interleave with the build's progress; its log file has them
    parsed = dbtRunner().invoke(["--quiet", "parse", *options])
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    command = json.loads(line)
    manifest = parsed.result if parsed.success else None  # a failed parse is repeated, and reported, by the build
    result = dbtRunner(manifest=manifest).invoke([*command, *options])
    if result.success:
        return 0
    return 2 if result.exception is not None else 1


def exit_now(code: int) -> None:
    """End without tearing the interpreter down. dbt leaves its DuckDB database open, and closing it
    at exit checkpoints a write-ahead log the build opens next anyway; with Python's teardown that
    cost 0.45 s of every night. The log holds every committed model: DuckDB replays it on open."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main(sys.argv[1:]))
