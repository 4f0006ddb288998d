"""Loading an inbox of workbooks into the build database: registry, parsing, set-aside of bad files."""
from __future__ import annotations

import hashlib
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from . import store
from .parks import canonical_park
from .readers import UnreadableFile, read_workbook
from .templates import SheetResult, parse_sheet

REJECTED_DIR = "rejected"
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


@dataclass
class FileOutcome:
    name: str
    status: str  # loaded | duplicate | rejected | known (seen before: nothing to do)
    message: str = ""
    n_observations: int = 0


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def rejected(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    @property
    def observations(self) -> int:
        return sum(o.n_observations for o in self.outcomes)


def inbox_files(inbox: Path) -> list[Path]:
    """Every file under the inbox except the set-aside folder, hidden files and Excel lock files,
    oldest first so that a later correction supersedes the file it corrects."""
    files = [p for p in inbox.rglob("*") if p.is_file()
             and REJECTED_DIR not in p.relative_to(inbox).parts[:1]
             and not any(part.startswith(".") for part in p.relative_to(inbox).parts)
             and not p.name.startswith("~$") and not p.name.endswith(".reason.txt")]
    return sorted(files, key=lambda p: (p.stat().st_mtime, str(p)))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_workbook(data: bytes) -> list[SheetResult]:
    """Bytes in, one result per sheet out. Raises UnreadableFile."""
    return [parse_sheet(grid) for grid in read_workbook(data)]


def ingest_file(con: duckdb.DuckDBPyConnection, name: str, data: bytes, run_id: str,
                aliases: dict[str, str]) -> FileOutcome:
    sha = sha256(data)
    state = store.file_state(con, sha, name)
    if state == "known":
        return FileOutcome(name, "known", "already loaded")
    if state == "duplicate":
        first = con.execute("select min(file_name) from audit.files where file_sha256=? and status<>'rejected'",
                            [sha]).fetchone()[0]
        msg = f"same bytes as {first}: nothing loaded twice"
        store.record_file(con, run_id=run_id, name=name, sha=sha, size=len(data), status="duplicate", message=msg)
        return FileOutcome(name, "duplicate", msg)
    try:
        sheets = parse_workbook(data)
    except UnreadableFile as exc:
        msg = f"{name}: {exc}"
        store.record_file(con, run_id=run_id, name=name, sha=sha, size=len(data), status="rejected", message=msg)
        return FileOutcome(name, "rejected", msg)

    used = [s for s in sheets if s.template is not None and s.observations]
    skipped = [s for s in sheets if s not in used]
    skipped_text = "; ".join(f"sheet {s.sheet!r} skipped: {s.message or 'no rows'}" for s in skipped)
    findings = [f for s in sheets for f in s.findings]
    if not used:
        msg = f"{name}: no sheet in a known template ({skipped_text or 'no sheets'})"
        store.record_file(con, run_id=run_id, name=name, sha=sha, size=len(data), status="rejected", message=msg)
        store.insert_findings(con, run_id, name, sha, findings)
        return FileOutcome(name, "rejected", msg)

    observations = [o for s in used for o in s.observations]
    written = {o.park_name for o in observations if o.park_name}
    as_written = {w: canonical_park(w, aliases) for w in written}
    load_seq = store.next_load_seq(con)
    con.execute("begin transaction")
    try:
        store.insert_observations(con, name, sha, load_seq, observations, as_written)
        store.insert_sheets(con, [(name, sha, s.sheet, s.template, as_written.get(s.park_name, s.park_name),
                                   s.year, s.plan_name, "loaded" if s in used else "skipped",
                                   s.message, len(s.observations)) for s in sheets])
        store.insert_findings(con, run_id, name, sha, findings)
        store.register_parks(con, name, as_written)
        store.record_file(con, run_id=run_id, name=name, sha=sha, size=len(data), status="loaded",
                          message=skipped_text, load_seq=load_seq,
                          templates=",".join(sorted({s.template for s in used})),
                          park_names=",".join(sorted(set(as_written.values()))),
                          n_sheets=len(used), n_observations=len(observations))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return FileOutcome(name, "loaded", skipped_text, len(observations))


def set_aside(inbox: Path, path: Path, reason: str) -> Path:
    """Move a rejected file out of the inbox's way, with its reason beside it."""
    target_dir = inbox / REJECTED_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    shutil.move(str(path), target)
    (target_dir / (path.name + ".reason.txt")).write_text(reason + "\n", encoding="utf-8")
    return target


def ingest_inbox(con: duckdb.DuckDBPyConnection, inbox: Path, run_id: str, aliases: dict[str, str],
                 move_rejected: bool = True, progress: Callable[[str], None] | None = None) -> IngestReport:
    say = progress or (lambda text: print(text, file=sys.stderr, flush=True))
    report = IngestReport()
    files = inbox_files(inbox) if inbox.exists() else []
    for i, path in enumerate(files, start=1):
        name = path.relative_to(inbox).as_posix()
        outcome = ingest_file(con, name, path.read_bytes(), run_id, aliases)
        if outcome.status == "rejected" and move_rejected:
            where = set_aside(inbox, path, outcome.message)
            outcome.message += f" (set aside in {where.relative_to(inbox).as_posix()})"
        report.outcomes.append(outcome)
        if outcome.status != "known":
            detail = f"{outcome.n_observations} observations" if outcome.status == "loaded" else outcome.message
            say(f"[{i}/{len(files)}] {name}: {outcome.status}, {detail}")
    store.refresh_currency(con)
    return report
