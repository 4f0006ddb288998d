"""Faults of the machine, not of the data: a full disk, a read-only folder, a missing permission,
DuckDB's memory cap. Each becomes one line for the operator (what happened, where, what to do) and a
documented exit code; the traceback goes to the build's log file, never to the operator."""

from __future__ import annotations

import errno

import duckdb

from .warehouse.state import MEMORY_LIMIT

KEPT = "the last published file was kept"  # a fault before publication
PUBLISHED = "the data was published"  # a fault after it (the report, the exports)


class Fault(Exception):
    """A fault with a one-line reason and its consequence for the data, said after it. The
    consequence depends on when the fault happens: before publication the last good serving file
    stays (KEPT); after it, the data is out and only a report or an export is missing (PUBLISHED);
    a command that publishes nothing says none."""

    def __init__(self, reason: str, consequence: str | None = KEPT):
        super().__init__(reason)
        self.reason = reason
        self.consequence = consequence

    def __str__(self) -> str:
        return f"{self.reason}; {self.consequence}" if self.consequence else self.reason

    def after(self, consequence: str | None) -> Fault:
        """The same fault, with the consequence of where it happened."""
        return Fault(self.reason, consequence)


class Interrupted(BaseException):
    """SIGTERM or SIGINT: the build stops, its children end, the lock is released."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_ERRNO_TEXT = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EISDIR: "it is a directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EIO: "an input/output error of the device",
    errno.EFBIG: "the file is too large for the file system",
    errno.ENOENT: "it does not exist",
}
_ADVICE = {
    errno.ENOSPC: "free some space and run the build again",
    errno.EDQUOT: "free some space and run the build again",
    errno.EROFS: "mount it read-write, or point the variable at a writable place, and run again",
    errno.EACCES: "give the build's user write access, and run again",
    errno.EPERM: "give the build's user write access, and run again",
    errno.EISDIR: "point the variable at a file path",
}
_DUCKDB_HINTS = [
    ("no space left", errno.ENOSPC),
    ("disk quota", errno.EDQUOT),
    ("read-only file system", errno.EROFS),
    ("permission denied", errno.EACCES),
    ("is a directory", errno.EISDIR),
]


def out_of_memory(where: str) -> Fault:
    """DuckDB reached its cap: a setting of the machine, not a fault of the data."""
    return Fault(
        f"DuckDB reached its memory cap (PARKS_DUCKDB_MEMORY={MEMORY_LIMIT}) while {where}: raise "
        f"PARKS_DUCKDB_MEMORY, or give the machine more memory, and run the build again"
    )


def describe(exc: BaseException, where: str) -> Fault | None:
    """A Fault for an error of the machine, or None when the error is something else (a bug). The
    errors it was raised while handling count too: a clean-up that fails after the real cause (DuckDB
    refuses every statement of a transaction that ran out of memory) must not hide it."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        fault = _describe_one(e, where)
        if fault is not None:
            return fault
        e = e.__cause__ or e.__context__
    return None


def _describe_one(exc: BaseException, where: str) -> Fault | None:
    if isinstance(exc, Fault):
        return exc
    if isinstance(exc, duckdb.OutOfMemoryException):
        return out_of_memory(where)
    code = None
    path = where
    if isinstance(exc, OSError) and exc.errno in _ERRNO_TEXT:
        code = exc.errno
        path = exc.filename or where
    elif isinstance(exc, duckdb.Error):
        text = str(exc).lower()
        code = next((c for hint, c in _DUCKDB_HINTS if hint in text), None)
    elif isinstance(exc, MemoryError):
        return Fault(f"out of memory while {where}: give the build more memory (PARKS_DUCKDB_MEMORY lowers DuckDB's share)")
    if code is None:
        return None
    advice = _ADVICE.get(code, "fix the cause and run the build again")
    return Fault(f"{_ERRNO_TEXT[code]} at {path} while {where}: {advice}")
