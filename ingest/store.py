"""The raw and audit schemas of the build database, and the file registry rules."""
from __future__ import annotations

import datetime as dt
from dataclasses import fields
from typing import Any, Iterable

import duckdb
import pandas as pd

from .templates import Finding, Observation

DDL = """
create schema if not exists raw;
create schema if not exists audit;
create table if not exists audit.files (
    load_seq bigint,
    file_name varchar not null,
    file_sha256 varchar not null,
    file_size bigint,
    status varchar not null,          -- loaded | duplicate | superseded | rejected
    message varchar,
    templates varchar,
    park_names varchar,
    n_sheets integer,
    n_observations integer,
    superseded_by varchar,
    run_id varchar,
    first_seen_at timestamp,
    loaded_at timestamp,
    status_changed_at timestamp
);
create table if not exists audit.sheets (
    file_name varchar, file_sha256 varchar, sheet varchar, template varchar, park_name varchar,
    year integer, plan_name varchar, status varchar, message varchar, n_observations integer
);
create table if not exists audit.findings (
    run_id varchar, file_name varchar, file_sha256 varchar, sheet varchar, cell varchar,
    severity varchar, code varchar, message varchar, found_at timestamp
);
create table if not exists audit.quarantine (
    run_id varchar, park_name varchar, year integer, suite varchar, expectation varchar, reason varchar,
    quarantined_at timestamp
);
create table if not exists audit.runs (
    run_id varchar, started_at timestamp, finished_at timestamp, status varchar, exit_code integer,
    files_loaded integer, files_duplicate integer, files_rejected integer, observations_loaded integer,
    quarantined_park_years integer, expectations_evaluated integer, expectations_failed integer,
    validation_seconds double, build_seconds double, report_path varchar, message varchar
);
create table if not exists audit.dq_results (
    run_id varchar, suite varchar, expectation varchar, "column" varchar, level varchar, success boolean,
    observed varchar, unexpected_count bigint, failing_rows_sample varchar, kwargs varchar, pass integer
);
create table if not exists raw.parks (
    park_name varchar primary key, first_seen_file varchar, first_seen_at timestamp, names_as_written varchar[]
);
create table if not exists raw.observations (
    file_name varchar not null,
    file_sha256 varchar not null,
    sheet varchar not null,
    cell varchar not null,
    row_no integer,
    col_no integer,
    template varchar not null,
    layout varchar,
    park_name varchar,
    park_name_as_written varchar,
    year integer,
    category varchar,
    seq_no integer,
    row_kind varchar,
    label varchar,
    label_key varchar,
    unit varchar,
    value_text varchar,
    value double,
    value_kind varchar,
    is_masked boolean,
    number_format varchar,
    requirement varchar,
    selection varchar,
    planning_base_year integer,
    report_date date,
    plan_name varchar,
    base_year integer,
    target_year integer,
    value_role varchar,
    attribute varchar,
    target_text varchar,
    note varchar,
    load_seq bigint,
    loaded_at timestamp,
    is_current boolean
);
"""

OBS_COLUMNS = [f.name for f in fields(Observation)]


def connect(path: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path)
    con.execute(DDL)
    return con


def file_state(con: duckdb.DuckDBPyConnection, sha: str, name: str) -> str:
    """'known' (these bytes under this name: nothing to do), 'duplicate' (same bytes, other name), 'new'."""
    rows = con.execute("select file_name, status from audit.files where file_sha256 = ?", [sha]).fetchall()
    live = [(n, s) for n, s in rows if s != "rejected"]
    if any(n == name for n, _ in live):
        return "known"
    if live:
        return "duplicate"
    return "new"


def next_load_seq(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(load_seq), 0) + 1 from audit.files").fetchone()[0]


def record_file(con: duckdb.DuckDBPyConnection, *, run_id: str, name: str, sha: str, size: int, status: str,
                message: str, load_seq: int | None = None, templates: str | None = None,
                park_names: str | None = None, n_sheets: int | None = None, n_observations: int | None = None) -> None:
    now = dt.datetime.now()
    con.execute(
        "insert into audit.files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?)",
        [load_seq, name, sha, size, status, message, templates, park_names, n_sheets, n_observations, run_id,
         now, now if status == "loaded" else None, now])


def insert_observations(con: duckdb.DuckDBPyConnection, name: str, sha: str, load_seq: int,
                        observations: list[Observation], as_written: dict[str, str]) -> None:
    if not observations:
        return
    frame = pd.DataFrame([vars(o) for o in observations], columns=OBS_COLUMNS)  # asdict() deep-copies: 5x slower
    frame["park_name_as_written"] = frame["park_name"]
    frame["park_name"] = frame["park_name"].map(lambda p: as_written.get(p, p) if p is not None else None)
    frame["file_name"] = name
    frame["file_sha256"] = sha
    frame["load_seq"] = load_seq
    frame["loaded_at"] = dt.datetime.now()
    frame["is_masked"] = frame["value_kind"] == "masked"
    frame["is_current"] = True
    con.register("incoming_observations", frame)
    cols = ", ".join(c for c in _table_columns(con, "raw", "observations"))
    con.execute(f"insert into raw.observations ({cols}) select {cols} from incoming_observations")
    con.unregister("incoming_observations")


def insert_sheets(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple[Any, ...]]) -> None:
    rows = list(rows)
    if rows:
        con.executemany("insert into audit.sheets values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def insert_findings(con: duckdb.DuckDBPyConnection, run_id: str, name: str, sha: str,
                    findings: Iterable[Finding]) -> None:
    now = dt.datetime.now()
    rows = [(run_id, name, sha, f.sheet, f.cell, f.severity, f.code, f.message, now) for f in findings]
    if rows:
        con.executemany("insert into audit.findings values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def register_parks(con: duckdb.DuckDBPyConnection, file_name: str, names: dict[str, str]) -> None:
    """names: as written -> canonical. New canonical names are added; spellings accumulate."""
    now = dt.datetime.now()
    for written, canonical in names.items():
        con.execute(
            """insert into raw.parks values (?, ?, ?, [?])
               on conflict (park_name) do update set names_as_written =
                 case when list_contains(parks.names_as_written, excluded.names_as_written[1])
                      then parks.names_as_written
                      else list_append(parks.names_as_written, excluded.names_as_written[1]) end""",
            [canonical, file_name, now, written])


# Which observations replace which: a later submission for the same key. Forms and targets are one
# park-year; a plan table is one park's plan; statistics are replaced figure by figure (a later file
# with the final figure replaces a preliminary 预计 one, and leaves the other figures alone).
CURRENCY_SQL = """
create or replace temp table _currency as
select file_sha256, sheet, cell,
       load_seq = max(load_seq) over w as is_current,
       arg_max(file_name, load_seq) over w as newest_file
from raw.observations
window w as (partition by template, park_name,
                          case when template <> 'plan' then year end,
                          case when template = 'plan' then plan_name end,
                          case when template = 'statistics' then label end);
update raw.observations o set is_current = c.is_current
from _currency c
where o.file_sha256 = c.file_sha256 and o.sheet = c.sheet and o.cell = c.cell and o.is_current <> c.is_current;
update audit.files f set status = 'superseded', status_changed_at = now(), superseded_by = s.newest_file,
       message = 'replaced by the later submission ' || s.newest_file
from (select file_sha256, max(newest_file) as newest_file from _currency group by file_sha256
      having not bool_or(is_current)) s
where f.file_sha256 = s.file_sha256 and f.status = 'loaded';
drop table _currency;
"""


def refresh_currency(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(CURRENCY_SQL)


def _table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema=? and table_name=? "
        "order by ordinal_position", [schema, table]).fetchall()]
