"""The inbox as it is on disk: which entries are workbooks to read, which are set aside and why.

Nothing outside INBOX is ever read: links are not followed (a link is set aside, never opened),
FIFOs and devices are never opened, a file is opened with O_NOFOLLOW and checked to be a regular
file before a byte is read. File names are handled as bytes, so a name that is not UTF-8 is moved
like any other and shown with \\x escapes. One bad entry never stops the others.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

REJECTED_DIR = "rejected"
REASON_SUFFIX = ".reason.txt"
NAME_MAX = 255  # bytes, on every file system we run on


@dataclass
class Entry:
    rel: bytes  # path relative to INBOX, as bytes
    name: str  # the same for people and the database (undecodable bytes as \x..)
    mtime: float
    size: int
    data: bytes | None = None  # the file's bytes when it is a readable regular file
    sha256: str = ""
    problem: str | None = None  # why it cannot be loaded (link, FIFO, unreadable, too large)

    @property
    def path_bytes(self) -> bytes:
        return self.rel


def display(rel: bytes) -> str:
    return rel.decode("utf-8", errors="backslashreplace")


class InboxMissing(Exception):
    pass


def scan(inbox: Path, max_bytes: int) -> list[Entry]:
    """Every entry of INBOX (sub-folders too) except the set-aside folder, hidden entries, Excel lock
    files and reason files; oldest first, so that a later correction supersedes what it corrects."""
    root = os.fsencode(inbox)
    try:
        st = os.stat(root)
    except FileNotFoundError:
        raise InboxMissing(f"INBOX {inbox} does not exist: create it or point INBOX at the folder of workbooks") from None
    except OSError as exc:
        raise InboxMissing(f"INBOX {inbox} cannot be read ({exc.strerror})") from None
    if not stat.S_ISDIR(st.st_mode):
        raise InboxMissing(f"INBOX {inbox} is not a folder")
    entries: list[Entry] = []
    _walk(root, b"", entries, max_bytes, top=True)
    entries.sort(key=lambda e: (e.mtime, e.rel))
    return entries


def _walk(root: bytes, rel_dir: bytes, out: list[Entry], max_bytes: int, top: bool) -> None:
    here = os.path.join(root, rel_dir) if rel_dir else root
    try:
        with os.scandir(here) as it:
            items = sorted(it, key=lambda d: d.name)
    except OSError as exc:
        out.append(Entry(rel_dir, display(rel_dir), 0.0, 0, problem=f"folder cannot be read ({exc.strerror})"))
        return
    for d in items:
        name = d.name
        if name.startswith(b".") or name.startswith(b"~$") or name.endswith(REASON_SUFFIX.encode()):
            continue
        if top and name == REJECTED_DIR.encode():
            continue
        rel = os.path.join(rel_dir, name) if rel_dir else name
        try:
            st = d.stat(follow_symlinks=False)
        except OSError as exc:
            out.append(Entry(rel, display(rel), 0.0, 0, problem=f"cannot be examined ({exc.strerror})"))
            continue
        if stat.S_ISLNK(st.st_mode):
            target = _link_target(os.path.join(root, rel))
            out.append(
                Entry(
                    rel,
                    display(rel),
                    st.st_mtime,
                    0,
                    problem=(
                        f"a link (to {target}), not a file: links are never followed, so that nothing outside "
                        f"INBOX is read; copy the workbook itself into INBOX"
                    ),
                )
            )
        elif stat.S_ISDIR(st.st_mode):
            _walk(root, rel, out, max_bytes, top=False)
        elif not stat.S_ISREG(st.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device"
            out.append(Entry(rel, display(rel), st.st_mtime, 0, problem=f"{kind}, not a file: it was not opened"))
        else:
            out.append(_read(root, rel, st, max_bytes))


def _link_target(path: bytes) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        return "?"
    exists = os.path.exists(path)
    return display(target) + ("" if exists else ", which does not exist")


def _read(root: bytes, rel: bytes, st: os.stat_result, max_bytes: int) -> Entry:
    entry = Entry(rel, display(rel), st.st_mtime, st.st_size)
    if st.st_size > max_bytes:
        entry.problem = (
            f"the file is {st.st_size / 2**20:.0f} MiB, over the limit of {max_bytes / 2**20:.0f} MiB for a workbook"
        )
        return entry
    try:
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        why = "permission denied" if exc.errno in (errno.EACCES, errno.EPERM) else exc.strerror
        entry.problem = f"cannot be read ({why}): give the build read access and send it again"
        return entry
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode):  # replaced between the scan and the open
            entry.problem = "not a regular file: it was not read"
            return entry
        chunks = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        entry.problem = f"cannot be read ({exc.strerror})"
        return entry
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        entry.problem = f"the file is over the limit of {max_bytes / 2**20:.0f} MiB for a workbook"
        return entry
    entry.data = data
    entry.size = len(data)
    entry.sha256 = hashlib.sha256(data).hexdigest()
    return entry


def set_aside(inbox: Path, entry: Entry, reason: str) -> str | None:
    """Move a rejected entry (the link itself, never its target) into INBOX/rejected/ with its reason
    beside it. Returns where it went (relative to INBOX), or None when it could not be moved; the
    reason file is written in every case, under a shortened name when the name is too long."""
    root = os.fsencode(inbox)
    target_dir = os.path.join(root, REJECTED_DIR.encode())
    base = os.path.basename(entry.rel)
    moved_to: bytes | None = None
    try:
        os.makedirs(target_dir, exist_ok=True)
        dest = _free_name(target_dir, base)
        os.rename(os.path.join(root, entry.rel), os.path.join(target_dir, dest))
        moved_to = dest
    except OSError:
        moved_to = None
    reason_dir = target_dir if os.path.isdir(target_dir) else os.path.dirname(os.path.join(root, entry.rel))
    reason_name = _fit(moved_to or base, REASON_SUFFIX.encode())
    text = reason if moved_to else reason + " (it could not be moved out of INBOX: check the folder's permissions)"
    try:
        with open(os.path.join(reason_dir, reason_name), "w", encoding="utf-8") as fh:
            fh.write(f"{entry.name}\n{text}\n")
    except OSError:
        pass  # the reason is in audit.files and the report as well
    return None if moved_to is None else display(os.path.join(REJECTED_DIR.encode(), moved_to))


def _fit(name: bytes, suffix: bytes) -> bytes:
    """name + suffix within NAME_MAX bytes; a long name is cut and made unique with a short hash."""
    if len(name) + len(suffix) <= NAME_MAX:
        return name + suffix
    tag = b"~" + hashlib.sha256(name).hexdigest()[:8].encode()
    keep = NAME_MAX - len(suffix) - len(tag)
    cut = name[:keep]
    while cut and (cut[-1] & 0xC0) == 0x80:  # do not split a UTF-8 character
        cut = cut[:-1]
    if cut and cut[-1] >= 0xC0:
        cut = cut[:-1]
    return cut + tag + suffix


def _free_name(folder: bytes, name: bytes) -> bytes:
    candidate = name
    n = 1
    while os.path.lexists(os.path.join(folder, candidate)) or os.path.lexists(
        os.path.join(folder, _fit(candidate, REASON_SUFFIX.encode()))
    ):
        n += 1
        stem, dot, ext = name.rpartition(b".")
        candidate = _fit(stem if dot else name, f"-{n}".encode() + (dot + ext if dot else b""))
    return candidate
