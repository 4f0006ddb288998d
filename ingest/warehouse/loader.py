"""Loading the inbox's new files into the build's copy of the history store.

Each file is parsed on its own (bytes in, columns out), appended to raw.observations (the tables behind
it) in one transaction with its audit rows, and its parks are noted in build.pending_files so that dbt
recomputes only them. A file that cannot be loaded is set aside with its reason; the others load.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ..parsing import ParsedFile, SheetInfo, parse_file
from ..parsing.limits import Limits
from ..parsing.records import Finding
from . import audit, schema
from .inbox import Entry, set_aside

MAX_DUPLICATE_FINDINGS = 20  # per file; the rest are counted in one more finding
STATISTICS = "statistics"  # the template whose cells are stored narrow (schema.py)

# In-file duplicates: the same figure twice in one file (a repeated year column, a sheet copied).
# The first cell in sheet, row, column order is used; the others point at it.
DUPLICATE_KEY = {
    "statistics": "park_name, year, label_key",
    "targets": "park_name, year, label_key",
    "plan": "park_name, plan_name, label_key, value_role",
    "eip_form": "park_name, year, seq_no, row_kind, label_key",
}


@dataclass
class FileOutcome:
    name: str
    status: str  # loaded | duplicate | rejected | known
    message: str = ""
    n_observations: int = 0
    sha256: str = ""
    entry: Entry | None = None
    parks: list[str] = field(default_factory=list)


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

    @property
    def new(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status != "known"]


FLUSH_ROWS = 400_000  # parsed figures written together (one transaction, one pass of the duplicate check)


@dataclass
class _Parsed:
    outcome: FileOutcome
    table: pa.Table
    sheets: list[SheetInfo]
    findings: list[Finding]
    size: int
    content: str = ""
    scope: str = ""


@dataclass
class _Pending:
    """Files parsed and not written yet: the work copy is only committed at the end of the build,
    so files are written in batches, not one transaction each."""

    parsed: list[_Parsed] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)  # audit.files rows of rejected and duplicate files
    findings: list[tuple] = field(default_factory=list)
    pending: list[tuple] = field(default_factory=list)  # build.pending_files rows
    rows: int = 0


PARALLEL_BYTES = 4 << 20  # below this much new data a second process costs more than it saves
WORKERS = 2


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphan when the build dies
    except OSError:
        pass


def _parsed_in_order(entries: list[Entry], limits: Limits) -> Iterator[ParsedFile | None]:
    """ParsedFile of each entry in order (None for entries not to parse). Large inboxes are parsed by
    worker processes, a few files ahead, while this process writes to DuckDB."""
    todo = [e for e in entries if e.data is not None]
    if sum(len(e.data or b"") for e in todo) < PARALLEL_BYTES:
        for e in entries:
            yield parse_file(e.data, limits) if e.data is not None else None
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx, initializer=_die_with_parent) as pool:
        window: deque[Future | None] = deque()
        it = iter(entries)
        for e in it:
            window.append(pool.submit(parse_file, e.data, limits) if e.data is not None else None)
            if len(window) >= WORKERS * 4:
                break
        while window:
            fut = window.popleft()
            nxt = next(it, None)
            if nxt is not None:
                window.append(pool.submit(parse_file, nxt.data, limits) if nxt.data is not None else None)
            yield fut.result() if fut is not None else None


def load_entries(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    entries: list[Entry],
    run_id: str,
    limits: Limits,
    move_rejected: bool = True,
    progress: Callable[[int, int, FileOutcome, int], None] | None = None,
) -> IngestReport:
    """Parse and write the entries not loaded yet; ``progress(i, n, outcome, observations so far)``
    after each file."""
    tick = progress or (lambda *_args: None)
    report = IngestReport()
    known = audit.known_files(con)
    work = [e for e in entries if not _is_known(e, known)]
    report.outcomes += [
        FileOutcome(e.name, "known", "already loaded", sha256=e.sha256, entry=e) for e in entries if _is_known(e, known)
    ]
    # files with the bytes of another file are not parsed (decided before parsing, in order)
    firsts: dict[str, str] = dict(known.live_shas)
    to_parse = []
    for e in work:
        if e.problem or e.sha256 in firsts:
            to_parse.append(Entry(e.rel, e.name, e.mtime, e.size, None, e.sha256, e.problem))
        else:
            firsts[e.sha256] = e.name
            to_parse.append(e)
    pending = _Pending()
    next_seq = audit.next_load_seq(con)
    if sum(len(e.data or b"") for e in to_parse) >= PARALLEL_BYTES:
        # the parsing processes take both cores: a second DuckDB thread would only contend with them
        con.execute("set threads = 1")
    try:
        _load(con, inbox, work, to_parse, limits, run_id, move_rejected, known, pending, next_seq, report, tick)
    finally:
        con.execute("reset threads")
    return report


def _load(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    work: list[Entry],
    to_parse: list[Entry],
    limits: Limits,
    run_id: str,
    move_rejected: bool,
    known: audit.KnownFiles,
    pending: _Pending,
    next_seq: int,
    report: IngestReport,
    tick: Callable[[int, int, FileOutcome, int], None],
) -> None:
    observations = 0
    firsts: dict[str, FileOutcome] = {}  # bytes seen in this build -> what became of the first file with them
    for i, (entry, parsed) in enumerate(zip(work, _parsed_in_order(to_parse, limits)), start=1):
        entry.data = None  # the bytes are no longer needed: keep memory flat over a long inbox
        outcome = _outcome(entry, parsed, known, pending, next_seq, firsts)
        if entry.sha256:
            firsts.setdefault(entry.sha256, outcome)
        if outcome.status == "loaded":
            next_seq += 1
        if outcome.status == "rejected" and move_rejected:
            where = set_aside(inbox, entry, outcome.message)
            pending.files[-1]["set_aside_as"] = where
            outcome.message += f" (set aside in {where})" if where else " (could not be moved out of INBOX)"
        report.outcomes.append(outcome)
        observations += outcome.n_observations
        tick(i, len(work), outcome, observations)
        if pending.rows >= FLUSH_ROWS:
            _flush(con, pending, run_id)
            pending = _Pending()
    _flush(con, pending, run_id)


def _constant(value: str, n: int) -> pa.Array:
    """One value for n rows, as a dictionary array: no Python object per row."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], pa.string()))


def _is_known(e: Entry, known: audit.KnownFiles) -> bool:
    if e.problem or not e.sha256:
        return False
    return (e.sha256, e.name) in known.live or (e.sha256, e.name) in known.rejected_and_gone


def _outcome(
    entry: Entry,
    parsed: ParsedFile | None,
    known: audit.KnownFiles,
    pending: _Pending,
    load_seq: int,
    firsts: dict[str, FileOutcome] | None = None,
) -> FileOutcome:
    def refuse(status: str, msg: str, findings: list[Finding] = ()) -> FileOutcome:
        pending.files.append(dict(name=entry.name, sha=entry.sha256, size=entry.size, status=status, message=msg))
        pending.findings += [(entry.name, entry.sha256, f) for f in findings]
        return FileOutcome(entry.name, status, msg, sha256=entry.sha256, entry=entry)

    if entry.problem:
        return refuse("rejected", f"{entry.name}: {entry.problem}")
    sha = entry.sha256
    if sha in known.live_shas:
        known.live[(sha, entry.name)] = "duplicate"
        return refuse("duplicate", f"same bytes as {known.live_shas[sha]}: nothing loaded twice")
    if parsed is None:
        # a file with the bytes of an earlier file of this build, which was not loaded: the same fate
        first = (firsts or {}).get(sha)
        if first is not None and first.status == "duplicate":
            return refuse("duplicate", f"same bytes as {first.name}: {first.message}")
        why = (
            re.sub(r" \((?:set aside in .*|could not be moved out of INBOX)\)$", "", first.message.split(": ", 1)[-1])
            if first is not None
            else "not read"
        )
        return refuse(
            "rejected",
            f"{entry.name}: same bytes as {first.name if first else 'another file'}, rejected in this build: {why}",
        )
    if parsed.error is not None:
        where = parsed.error_where
        return refuse("rejected", f"{entry.name}: {where + ': ' if where else ''}{parsed.error}")
    skipped = [s for s in parsed.sheets if not (s.template and s.n)]
    skipped_text = "; ".join(f"sheet {s.sheet!r} skipped: {s.message or 'no rows'}" for s in skipped)
    if parsed.table is None:
        return refuse(
            "rejected", f"{entry.name}: no sheet in a known template ({skipped_text or 'no sheets'})", parsed.findings
        )
    latest = known.latest_by_scope.get(parsed.scope_sha256)
    if latest is not None and latest[0] == parsed.content_sha256:
        # the same form re-saved or re-exported: new bytes, the same figures as the latest file for them
        known.live[(sha, entry.name)] = "duplicate"
        when = f"loaded {latest[2]}" if latest[2] else "loaded in this build"
        return refuse(
            "duplicate",
            f"same content as {latest[1]} ({when}): nothing loaded twice",
        )
    n = parsed.table.num_rows
    table = (
        parsed.table.append_column("file_name", _constant(entry.name, n))
        .append_column("file_sha256", _constant(sha, n))
        .append_column("load_seq", pa.array(np.full(n, load_seq, dtype=np.int64)))
    )
    outcome = FileOutcome(entry.name, "loaded", skipped_text, n, sha256=sha, entry=entry)
    pending.parsed.append(
        _Parsed(outcome, table, parsed.sheets, parsed.findings, entry.size, parsed.content_sha256, parsed.scope_sha256)
    )
    pending.rows += n
    known.live[(sha, entry.name)] = "loaded"
    known.live_shas[sha] = entry.name
    if parsed.scope_sha256:
        known.latest_by_scope[parsed.scope_sha256] = (parsed.content_sha256, entry.name, "")
    return outcome


def _insert(con: duckdb.DuckDBPyConnection, incoming: pa.Table, run_id: str, now: dt.datetime) -> None:
    """Rows of raw.observations into the tables behind it (schema.py): statistics cells narrow, with
    their sheets once; every other template whole."""
    have = set(incoming.column_names)
    templates = set(incoming.column("template").unique().to_pylist())
    # a batch of statistics workbooks alone (the national case) is written without a filter per row
    stats = "true" if templates == {STATISTICS} else f"template = '{STATISTICS}'"
    con.register("incoming", incoming)
    try:
        if templates - {STATISTICS}:
            con.execute(
                "insert into raw.form_cells by name select *, ? as run_id, ? as loaded_at from incoming "
                f"where template <> '{STATISTICS}'",
                [run_id, now],
            )
        if STATISTICS not in templates:
            return
        cells = ", ".join(f'"{c}"' for c in schema.STATISTICS_CELL_COLUMNS if c in have)
        con.execute(f"insert into raw.statistics_cells by name select {cells} from incoming where {stats}")
        # a sheet is (load_seq, sheet_index): grouped on those two integers, the rest is constant over it
        sheets = ", ".join(
            f'any_value("{c}") as "{c}"'
            for c in schema.STATISTICS_SHEET_COLUMNS
            if c in have and c not in ("load_seq", "sheet_index")
        )
        con.execute(
            f"insert into raw.statistics_sheets by name select load_seq, sheet_index, {sheets}, ? as run_id, "
            f"? as loaded_at from incoming where {stats} group by load_seq, sheet_index",
            [run_id, now],
        )
    finally:
        con.unregister("incoming")


def _flush(con: duckdb.DuckDBPyConnection, pending: _Pending, run_id: str) -> None:
    """Write the parsed files and the audit rows of the batch in one transaction."""
    if not pending.parsed and not pending.files:
        return
    con.execute("begin transaction")
    try:
        if pending.parsed:
            # files of one shape are written together (Arrow cannot mix dictionary and plain columns)
            by_schema: dict[pa.Schema, list[pa.Table]] = {}
            for p in pending.parsed:
                by_schema.setdefault(p.table.schema, []).append(p.table)
            now = dt.datetime.now()
            # FSST trains a symbol table per segment: the slowest part of writing raw, for little gain on
            # labels that dictionary compression already shrinks
            con.execute("set disabled_compression_methods = 'fsst'")
            for tables in by_schema.values():
                _insert(con, pa.concat_tables(tables), run_id, now)
            sheets = []
            for p in pending.parsed:
                sha = p.outcome.sha256
                parks = p.table.column("park_name").unique().drop_null().to_pylist()
                p.outcome.parks = sorted(parks)
                sheets += [(p.outcome.name, sha, s) for s in p.sheets]
                pending.findings += [(p.outcome.name, sha, f) for f in p.findings]
                used = [s for s in p.sheets if s.template is not None and s.n]
                pending.files.append(
                    dict(
                        name=p.outcome.name,
                        sha=sha,
                        size=p.size,
                        status="loaded",
                        message=p.outcome.message,
                        load_seq=int(p.table.column("load_seq")[0].as_py()),
                        templates=",".join(sorted({s.template for s in used if s.template})),
                        park_names=",".join(p.outcome.parks),
                        n_sheets=len(used),
                        n_observations=p.outcome.n_observations,
                        content=p.content,
                        scope=p.scope,
                    )
                )
                pending.pending += [(sha, park, "loaded") for park in p.outcome.parks] or [(sha, None, "loaded")]
            audit.insert_sheets_of(con, sheets)
            audit.note_pending_many(con, pending.pending)
        audit.insert_findings_of(con, run_id, pending.findings)
        audit.record_files(con, run_id, pending.files)
        con.execute("commit")
        con.execute("reset disabled_compression_methods")
    except Exception:
        con.execute("rollback")
        raise
