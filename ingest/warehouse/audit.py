"""Every write to the audit schema, in one place: files, sheets, findings, quarantine, runs, checks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..parsing import SheetInfo
from ..parsing.records import Finding
from .state import connect


@dataclass
class KnownFiles:
    live: dict[tuple[str, str], str] = field(default_factory=dict)  # (sha, name) -> status, loaded or duplicate
    live_shas: dict[str, str] = field(default_factory=dict)  # sha -> first name loaded
    rejected_and_gone: set[tuple[str, str]] = field(default_factory=set)  # rejected, never to retry as is
    # scope (templates, parks, years) -> (content, name, when) of the latest file loaded for it
    latest_by_scope: dict[str, tuple[str, str, str]] = field(default_factory=dict)


def known_files(con: duckdb.DuckDBPyConnection) -> KnownFiles:
    k = KnownFiles()
    for sha, name, status, moved, content, scope, loaded_at in con.execute(
        "select file_sha256, file_name, status, set_aside_as, content_sha256, scope_sha256, loaded_at "
        "from audit.files order by load_seq nulls last, first_seen_at"
    ).fetchall():
        if status in ("loaded", "duplicate"):
            k.live[(sha, name)] = status
            if status == "loaded":
                k.live_shas.setdefault(sha, name)
                if content and scope:
                    k.latest_by_scope[scope] = (content, name, f"{loaded_at:%Y-%m-%d %H:%M}" if loaded_at else "")
        elif status == "rejected" and sha and moved is None:
            # a rejected file still in the inbox (it could not be moved) is not parsed again every night
            k.rejected_and_gone.add((sha, name))
    return k


def next_load_seq(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(load_seq), 0) + 1 from audit.files").fetchall()[0][0]


def record_file(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    name: str,
    sha: str,
    size: int,
    status: str,
    message: str,
    load_seq: int | None = None,
    templates: str | None = None,
    park_names: str | None = None,
    n_sheets: int | None = None,
    n_observations: int | None = None,
) -> None:
    now = dt.datetime.now()
    con.execute(
        """insert into audit.files by name
                   select ? as load_seq, ? as file_name, ? as file_sha256, ? as file_size, ? as status, ? as message,
                          ? as templates, ? as park_names, ? as n_sheets, ? as n_observations, ? as run_id,
                          ? as first_seen_at, ? as loaded_at""",
        [
            load_seq,
            name,
            sha or "",
            size,
            status,
            message,
            templates,
            park_names,
            n_sheets,
            n_observations,
            run_id,
            now,
            now if status == "loaded" else None,
        ],
    )


def _bulk(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Many rows in one statement (executemany costs a round trip per row)."""
    if not rows:
        return
    import pyarrow as pa

    data = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(columns)})
    con.register("_bulk_rows", data)
    try:
        cols = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"insert into {table} ({cols}) select {cols} from _bulk_rows")
    finally:
        con.unregister("_bulk_rows")


FILE_COLUMNS = [
    "load_seq",
    "file_name",
    "file_sha256",
    "file_size",
    "status",
    "message",
    "templates",
    "park_names",
    "n_sheets",
    "n_observations",
    "set_aside_as",
    "run_id",
    "first_seen_at",
    "loaded_at",
    "content_sha256",
    "scope_sha256",
]


def record_files(con: duckdb.DuckDBPyConnection, run_id: str, files: list[dict]) -> None:
    now = dt.datetime.now()
    _bulk(
        con,
        "audit.files",
        FILE_COLUMNS,
        [
            (
                f.get("load_seq"),
                f["name"],
                f.get("sha") or "",
                f.get("size"),
                f["status"],
                f.get("message"),
                f.get("templates"),
                f.get("park_names"),
                f.get("n_sheets"),
                f.get("n_observations"),
                f.get("set_aside_as"),
                run_id,
                now,
                now if f["status"] == "loaded" else None,
                f.get("content"),
                f.get("scope"),
            )
            for f in files
        ],
    )


def insert_findings_of(con: duckdb.DuckDBPyConnection, run_id: str, findings: list[tuple[str, str, Finding]]) -> None:
    now = dt.datetime.now()
    _bulk(
        con,
        "audit.findings",
        ["run_id", "file_name", "file_sha256", "sheet", "cell", "severity", "code", "message", "found_at"],
        [(run_id, name, sha, f.sheet, f.cell, f.severity, f.code, f.message, now) for name, sha, f in findings],
    )


def set_aside(con: duckdb.DuckDBPyConnection, sha: str, name: str, where: str | None) -> None:
    con.execute(
        "update audit.files set set_aside_as = ? where file_sha256 = ? and file_name = ? and status = 'rejected'",
        [where, sha or "", name],
    )


def insert_sheets(con: duckdb.DuckDBPyConnection, name: str, sha: str, sheets: list[SheetInfo]) -> None:
    rows = [
        (
            name,
            sha,
            s.sheet,
            s.index,
            s.template,
            s.park_name,
            s.year,
            s.plan_name,
            "loaded" if s.template and s.n else "skipped",
            s.message,
            s.n,
        )
        for s in sheets
    ]
    if rows:
        con.executemany(
            """insert into audit.sheets (file_name, file_sha256, sheet, sheet_index, template, park_name,
                           year, plan_name, status, message, n_observations) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )


def insert_sheets_of(con: duckdb.DuckDBPyConnection, sheets: list[tuple[str, str, SheetInfo]]) -> None:
    _bulk(
        con,
        "audit.sheets",
        [
            "file_name",
            "file_sha256",
            "sheet",
            "sheet_index",
            "template",
            "park_name",
            "year",
            "plan_name",
            "status",
            "message",
            "n_observations",
        ],
        [
            (
                name,
                sha,
                s.sheet,
                s.index,
                s.template,
                s.park_name,
                s.year,
                s.plan_name,
                "loaded" if s.template and s.n else "skipped",
                s.message,
                s.n,
            )
            for name, sha, s in sheets
        ],
    )


def note_pending_many(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    _bulk(con, "build.pending_files", ["file_sha256", "park_name", "reason"], rows)


def insert_findings(con: duckdb.DuckDBPyConnection, run_id: str, name: str, sha: str, findings: Iterable[Finding]) -> None:
    now = dt.datetime.now()
    rows = [(run_id, name, sha, f.sheet, f.cell, f.severity, f.code, f.message, now) for f in findings]
    if rows:
        con.executemany(
            """insert into audit.findings (run_id, file_name, file_sha256, sheet, cell, severity, code,
                           message, found_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )


def note_pending(con: duckdb.DuckDBPyConnection, sha: str, parks: list[str], reason: str) -> None:
    """Parks (as written) whose figures this run changed: dbt recomputes them."""
    con.executemany(
        "insert into build.pending_files values (?, ?, ?)", [(sha, p, reason) for p in parks] or [(sha, None, reason)]
    )


def begin_run(con: duckdb.DuckDBPyConnection, run_id: str, full_refresh: bool) -> None:
    con.execute("delete from build.context")
    con.execute("delete from build.pending_files")
    con.execute("insert into build.context values (?, ?)", [run_id, full_refresh])


def reject_loaded_file(con: duckdb.DuckDBPyConnection, sha: str, reason: str) -> list[str]:
    """A loaded file that a later stage traced a failure to: its figures leave raw (this run's copy),
    it becomes rejected with the reason, and its parks are recomputed. Returns its parks."""
    parks = [
        r[0]
        for r in con.execute(
            "select distinct park_name from raw.observations where file_sha256 = ? and park_name is not null", [sha]
        ).fetchall()
    ]
    con.execute("begin transaction")
    con.execute("delete from raw.form_cells where file_sha256 = ?", [sha])
    con.execute(
        "delete from raw.statistics_cells where load_seq in "
        "(select load_seq from raw.statistics_sheets where file_sha256 = ?)",
        [sha],
    )
    con.execute("delete from raw.statistics_sheets where file_sha256 = ?", [sha])
    con.execute("delete from audit.sheets where file_sha256 = ?", [sha])
    con.execute(
        """update audit.files set status = 'rejected', message = ?, load_seq = null, n_observations = 0
                   where file_sha256 = ? and status = 'loaded'""",
        [reason, sha],
    )
    note_pending(con, sha, parks, "rejected")
    con.execute("commit")
    return parks


def quarantine(con: duckdb.DuckDBPyConnection, run_id: str, found: dict[tuple[str, int], list[str]]) -> None:
    now = dt.datetime.now()
    con.executemany(
        "insert into audit.quarantine (run_id, park_name, year, suite, expectation, reason, quarantined_at) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, park, year, reasons[0].split(":")[0], "row-level", " | ".join(reasons), now)
            for (park, year), reasons in found.items()
        ],
    )


def release_quarantine(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Earlier quarantines of park-years that received new figures this run end here: the gate has
    judged the new figures (a failing one was quarantined again by this run)."""
    rows = con.execute(
        """
        update audit.quarantine q set released_run_id = ?
        where q.released_run_id is null and q.run_id <> ?
          and exists (select 1 from build.changed_park_years c where c.park_name = q.park_name and c.year = q.year)
        returning 1""",
        [run_id, run_id],
    ).fetchall()
    return len(rows)


def record_results(con: duckdb.DuckDBPyConnection, run_id: str, results: list[Any], gate_pass: int) -> None:
    rows = [
        (
            run_id,
            r.suite,
            r.expectation,
            r.column,
            r.level,
            r.success,
            r.observed,
            r.unexpected_count,
            json.dumps(r.failing_rows, ensure_ascii=False, default=str) if r.failing_rows else None,
            r.kwargs_text(),
            gate_pass,
        )
        for r in results
    ]
    if rows:
        con.executemany(
            """insert into audit.dq_results (run_id, suite, expectation, "column", level, success, observed,
                           unexpected_count, failing_rows_sample, kwargs, pass) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )


def record_run(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    cols = list(row)
    con.execute(
        f"insert into audit.runs ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})", [row[c] for c in cols]
    )


def mark_published(con: duckdb.DuckDBPyConnection, run_id: str, identity: str) -> None:
    con.execute("update audit.runs set published_file = ? where run_id = ?", [identity, run_id])


def record_table_counts(con: duckdb.DuckDBPyConnection, run_id: str, counts: dict[str, int]) -> None:
    con.executemany("insert into audit.table_counts values (?, ?, ?)", [(run_id, t, n) for t, n in counts.items()])


def last_table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute("""select table_name, row_count from audit.table_counts
                          where run_id = (select run_id from audit.table_counts order by rowid desc limit 1)""").fetchall()
    return dict(rows)


def findings_of(db: Path, run_id: str) -> list[dict]:
    """The cell findings a build wrote, for its report."""
    con = connect(db, read_only=True)
    try:
        cur = con.execute(
            "select file_name, sheet, cell, severity, code, message from audit.findings "
            "where run_id = ? order by file_name, sheet, cell",
            [run_id],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, exit_code: int, timings: dict[str, float], failures: list[str]
) -> None:
    con.execute(
        "update audit.runs set status = ?, exit_code = ?, build_seconds = ?, timings = ?, message = ? where run_id = ?",
        [
            status,
            exit_code,
            round(timings.get("build_s", 0.0), 3),
            json.dumps({k: round(v, 3) for k, v in timings.items()}),
            "; ".join(failures) or None,
            run_id,
        ],
    )


def set_report_path(con: duckdb.DuckDBPyConnection, run_id: str, path: str) -> None:
    con.execute("update audit.runs set report_path = ? where run_id = ?", [path, run_id])


def keep_rejections_of(con: duckdb.DuckDBPyConnection, work: Path, run_id: str) -> None:
    """A blocked build commits nothing but its own record: its check results, and the files it
    rejected (set aside already) with their findings, so that the reasons are not lost."""
    con.execute(f"attach '{str(work).replace(chr(39), chr(39) * 2)}' as w (read_only)")
    try:
        con.execute("insert into audit.dq_results select * from w.audit.dq_results where run_id = ?", [run_id])
        con.execute(
            "insert into audit.files by name select * from w.audit.files where run_id = ? and status = 'rejected'",
            [run_id],
        )
        con.execute(
            "insert into audit.findings by name select * from w.audit.findings where run_id = ? "
            "and file_sha256 in (select file_sha256 from w.audit.files where run_id = ? and status = 'rejected')",
            [run_id, run_id],
        )
    finally:
        con.execute("detach w")


def changed_parks(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """The parks dbt recomputed (build.changed_parks); None when dbt did not run."""
    try:
        return [r[0] for r in con.execute("select park_name from build.changed_parks order by 1").fetchall()]
    except duckdb.CatalogException:
        return None


def table_counts(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int]:
    out = {}
    for t in tables:
        try:
            out[t] = con.execute(f"select count(*) from {t}").fetchall()[0][0]
        except duckdb.CatalogException:
            continue
    return out
