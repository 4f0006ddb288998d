"""Publication of the serving file (WAREHOUSE) from the committed history.

The serving file is a whole-file copy of the history store, with the build's private schemas
dropped, renamed over WAREHOUSE. Readers keep the file they opened and see the new one when they
reconnect. A client that holds WAREHOUSE open for writing would replay its write-ahead log onto the
new file (deleting rows, dropping marts): publication then waits, and refuses when the writer stays.
While the rename happens the build holds a shared lock on the old file, so that no writer can open
it in between; readers are never blocked.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("raw", "audit", "reference", "marts")


class ForeignWriter(Exception):
    """A client holds WAREHOUSE open for writing; publication was refused."""


@dataclass
class Published:
    identity: str
    seconds: float
    warnings: list[str] = field(default_factory=list)


def identity(path: Path) -> str | None:
    """What tells the file we published from any other: device, inode, size and mtime."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def check_target(warehouse: Path) -> None:
    """Fail before any work when WAREHOUSE cannot be a file (raises OSError with errno set)."""
    if warehouse.is_dir():
        raise IsADirectoryError(
            21, "WAREHOUSE is a directory; point it at a file such as warehouse/parks.duckdb", str(warehouse)
        )


def clean_leftovers(warehouse: Path) -> None:
    """Temporary files of a publication that was killed (the build lock is held: nobody else's)."""
    for p in warehouse.parent.glob(f".{warehouse.name}.*.tmp*"):
        p.unlink()


def publish(history: Path, warehouse: Path, run_id: str, wait_s: float, discarded_dir: Path) -> Published:
    t0 = time.perf_counter()
    check_target(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    tmp = warehouse.with_name(f".{warehouse.name}.{run_id}.tmp")
    try:
        shutil.copyfile(history, tmp)
        _strip_private(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        warnings = _replace_guarded(tmp, warehouse, run_id, wait_s, discarded_dir)
    finally:
        for p in (tmp, tmp.with_name(tmp.name + ".wal")):
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass
    return Published(identity(warehouse) or "", time.perf_counter() - t0, warnings)


def _strip_private(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        for (schema,) in con.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database() and not internal"
        ).fetchall():
            if schema not in PUBLISHED_SCHEMAS and schema != "main":
                con.execute(f'drop schema "{schema}" cascade')
        for name, kind in con.execute("""select table_name, 'table' from duckdb_tables() where schema_name='main'
                                           and database_name = current_database()
                                           union all select view_name, 'view' from duckdb_views()
                                           where schema_name='main' and not internal and database_name = current_database()""").fetchall():
            con.execute(f'drop {kind} main."{name}"')
        con.execute("checkpoint")
    finally:
        con.close()


def _replace_guarded(tmp: Path, warehouse: Path, run_id: str, wait_s: float, discarded_dir: Path) -> list[str]:
    warnings: list[str] = []
    fd = None
    if warehouse.exists():
        fd = os.open(warehouse, os.O_RDONLY)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise ForeignWriter(
                        f"a client holds {warehouse} open for writing (DBeaver's default mode, or read_only=False); "
                        f"publishing now would let its write-ahead log damage the new file. The build is committed "
                        f"to the history store; close the client (or reopen it read-only) and run the build again "
                        f"to publish"
                    ) from None
                time.sleep(0.5)
    try:
        wal = warehouse.with_name(warehouse.name + ".wal")
        if wal.exists():
            # No writer holds the file (we hold a shared lock), so this log is left by a client that
            # crashed. Replayed onto the new file it would damage it: it goes, with a warning.
            discarded_dir.mkdir(parents=True, exist_ok=True)
            kept = discarded_dir / f"{warehouse.name}.wal.{run_id}"
            shutil.move(str(wal), kept)
            warnings.append(
                f"{wal} was left by a client that wrote to the serving file and did not close it: "
                f"moved to {kept} (the serving file is rebuilt from the history store)"
            )
        os.replace(tmp, warehouse)
        dir_fd = os.open(warehouse.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        if fd is not None:
            os.close(fd)
    return warnings
