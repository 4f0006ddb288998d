"""The history store: the system of record, in a folder only the build opens.

    STATE_DIR/history.duckdb   raw and audit (the record), reference and marts (what was published)
    STATE_DIR/work.duckdb      this build's copy; renamed over history.duckdb when the build commits
    STATE_DIR/build.lock       one build at a time (flock: it dies with its process)
    STATE_DIR/dbt/             dbt's target and log folders (partial parsing survives between builds)
    STATE_DIR/logs/            one log per build (tracebacks of unexpected errors go here)

A build works on a copy and commits by rename, so a build killed at any point leaves the history
as it was; the next build deletes the leftover copy. The serving file (WAREHOUSE) is made from the
committed history and is never read back.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import schema
from .locations import DBT_DIR, WORK_FILE

# Written in the storage format of DuckDB 1.0, so that the serving file copied from it opens in
# every client from DuckDB 1.0 on.
STORAGE_VERSION = "v1.0.0"


# DuckDB's share of one process (it spills to disk beyond it). At 1 GB the national full build
# takes about 110 s with its process tree at 1.6 GiB (dbt's process holds this plus ~0.2 GiB of
# Python, while the build's own waits at ~0.4 GiB); at 512 MB the tree stays near 1.2 GiB but the
# models that read every statistics figure spill, and the build takes 130–150 s. The national build
# also passes at 384 MB: a smaller machine sets PARKS_DUCKDB_MEMORY lower and waits longer.
# profiles.yml gives dbt the same default.
MEMORY_LIMIT = os.environ.get("PARKS_DUCKDB_MEMORY", "1GB")


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection of the build: bounded memory (DuckDB spills to disk beyond it), two threads."""
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
    con.execute("set preserve_insertion_order = false")
    return con


class LockBusy(Exception):
    pass


class StateFault(Exception):
    """The history store cannot be used; the message says what happened and what to do."""


@dataclass
class Snapshot:
    """What the committed history says, read without copying it."""

    exists: bool
    code_hash: str | None = None
    published_file: str | None = None  # identity of the serving file the last build published
    last_run_status: str | None = None
    known: set[tuple[str, str]] | None = None  # (sha, name) of files already handled
    bytes: int = 0


class StateStore:
    def __init__(self, state_dir: Path):
        self.dir = state_dir
        self.history = state_dir / "history.duckdb"
        self.work = state_dir / WORK_FILE
        self.lock_path = state_dir / "build.lock"
        self.dbt_dir = state_dir / DBT_DIR
        self.logs = state_dir / "logs"

    # ------------------------------------------------------------ lock

    @contextlib.contextmanager
    def lock(self, timeout_s: float) -> Iterator[None]:
        """One build at a time per history store."""
        self.dir.mkdir(parents=True, exist_ok=True)
        fh = open(self.lock_path, "a+")
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
                        raise LockBusy(
                            f"another build of this warehouse is running ({holder}); waited {timeout_s:g}s"
                        ) from None
                    time.sleep(0.2)
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            fh.flush()
            yield
        finally:
            fh.close()  # releases the lock

    # ------------------------------------------------------------ lifecycle

    def prepare(self) -> None:
        """Make the folders, drop what a killed build left, and fold a crash's WAL into the history
        (a file copy does not carry the WAL). Called with the lock held."""
        for d in (self.dir, self.dbt_dir, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        for leftover in (self.work, self.work.with_name(self.work.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
        if not self.history.exists():
            return
        self._refuse_foreign_writer(self.history)
        wal = self.history.with_name(self.history.name + ".wal")
        if wal.exists():
            con = self._connect(self.history)
            con.execute("checkpoint")
            con.close()

    def create(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        con.execute(f"attach '{_q(self.history)}' as h (storage_version '{STORAGE_VERSION}')")
        con.execute("use h")
        schema.ensure(con)
        con.execute("use memory")
        con.execute("detach h")
        con.close()

    def snapshot(self) -> Snapshot:
        if not self.history.exists():
            return Snapshot(False)
        con = self._connect(self.history, read_only=True)
        try:
            row = con.execute("""select code_hash, published_file, status from audit.runs
                                 where code_hash is not null order by started_at desc limit 1""").fetchall()
            last = con.execute("select status from audit.runs order by started_at desc limit 1").fetchall()
            published = con.execute("""select published_file from audit.runs where published_file is not null
                                       order by started_at desc limit 1""").fetchall()
            # handled already: loaded, duplicates, and rejected files still in the inbox because they could
            # not be moved (a rejected file that was moved and sent again is judged again)
            known = {
                (s, n)
                for s, n in con.execute(
                    """select file_sha256, file_name from audit.files where file_sha256 <> ''
                   and (status in ('loaded', 'duplicate') or (status = 'rejected' and set_aside_as is null))"""
                ).fetchall()
            }
        except duckdb.OutOfMemoryException:
            raise  # the memory cap, not a damaged store (the build names the setting)
        except duckdb.Error as exc:
            raise StateFault(
                f"the history store {self.history} cannot be read ({_first_line(exc)}); "
                f"restore it from a backup, or move it away to rebuild from the inbox"
            ) from None
        finally:
            con.close()
        return Snapshot(
            True,
            row[0][0] if row else None,
            published[0][0] if published else None,
            last[0][0] if last else None,
            known,
            self.history.stat().st_size,
        )

    def begin(self) -> Path:
        """This build's copy of the history (made fresh when there is none yet)."""
        if not self.history.exists():
            self.create()
        shutil.copyfile(self.history, self.work)
        con = self._connect(self.work)
        schema.ensure(con)  # a history written by an older version gains the columns added since
        con.close()
        return self.work

    def commit(self) -> None:
        _fsync(self.work)
        os.replace(self.work, self.history)
        _fsync_dir(self.dir)

    def discard(self) -> None:
        """Drop this build's copy; best effort (the next build drops a leftover anyway)."""
        for p in (self.work, self.work.with_name(self.work.name + ".wal")):
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass

    @contextlib.contextmanager
    def in_place(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection on the committed history, for the few rows a build records without
        committing a copy (a blocked run, a night with nothing new, the publish marker)."""
        if not self.history.exists():
            self.create()
        con = self._connect(self.history)
        try:
            yield con
            con.execute("checkpoint")
        finally:
            con.close()

    # ------------------------------------------------------------ helpers

    def _connect(self, path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        try:
            return connect(path, read_only=read_only)
        except duckdb.OutOfMemoryException:
            raise  # the memory cap, not a damaged store (the build names the setting)
        except duckdb.Error as exc:
            raise StateFault(
                f"the history store {path} cannot be opened ({_first_line(exc)}); restore it from a "
                f"backup, or move it away to rebuild from the inbox"
            ) from None

    def _refuse_foreign_writer(self, path: Path) -> None:
        if foreign_writer(path):
            raise StateFault(
                f"another program holds the history store {path} open for writing; only the build "
                f"may open it: close that program and run again"
            )


def foreign_writer(path: Path) -> bool:
    """Does a DuckDB client hold ``path`` open for writing? (DuckDB takes an exclusive fcntl lock on
    a file it opens read-write, and a shared one read-only: a shared probe fails only on a writer.)"""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
