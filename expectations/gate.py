"""The quality gate: run the suites on the build file, name the rows behind each failure, and say
what may be published: which park-years to quarantine, which files of this run to reject, or
that publication is blocked."""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ingest.warehouse.state import connect

from .suites import ROW, TABLE, WARN, Suite, build_suites, table_detail_sql
from .tables import tables_of

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
SAMPLE_ROWS = 20


@dataclass
class CheckResult:
    suite: str
    expectation: str
    column: str | None
    level: str
    success: bool
    observed: str | None
    unexpected_count: int | None
    failing_rows: list[dict[str, Any]]  # the rows behind the failure, named (park, year, indicator, value, cell)
    keys: dict[tuple[str, int], list[str]]  # row level: failing park-years and what failed there
    files: dict[str, str]  # table level: file sha256 -> why, when the failure traces back to files of this run
    kwargs: dict[str, Any]
    attributable: bool = True

    def kwargs_text(self) -> str:
        keep = {k: v for k, v in self.kwargs.items() if k not in ("column", "column_list", "batch_id", "condition_parser")}
        return json.dumps(keep, ensure_ascii=False, default=str)


@dataclass
class GateResult:
    results: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def table_failures(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.level == TABLE]

    @property
    def blocking(self) -> list[CheckResult]:
        """Table-level failures that no file of this run explains."""
        return [r for r in self.table_failures if not (r.attributable and r.files)]

    @property
    def file_failures(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self.table_failures:
            if r.attributable:
                for sha, why in r.files.items():
                    out.setdefault(sha, []).append(why)
        return out

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.level == WARN]

    @property
    def row_failures(self) -> dict[tuple[str, int], list[str]]:
        """(park, year) -> reasons, for every failing row-level check."""
        out: dict[tuple[str, int], list[str]] = {}
        for r in self.results:
            if not r.success and r.level == ROW:
                for key, reasons in r.keys.items():
                    out.setdefault(key, []).extend(reasons)
        return out


def table_counts(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int]:
    have = set(tables_of(con))
    return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in tables if t in have}


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))


def validate(build_db: Path, previous_counts: dict[str, int]) -> GateResult:
    t0 = time.perf_counter()
    con = connect(build_db, read_only=True)
    try:
        tables = tables_of(con)
        rules: list[dict[str, Any]] = []
        if "reference.value_ranges" in tables:
            cur = con.execute("select * from reference.value_ranges")
            names = [d[0] for d in cur.description]
            rules = [dict(zip(names, r)) for r in cur.fetchall()]
        suites = build_suites(tables, previous_counts, rules)
        frames: dict[str, pd.DataFrame] = {}
        for suite in suites:
            try:
                frames[suite.name] = con.execute(suite.sql).df()
            except duckdb.CatalogException:
                continue  # a stage that did not run (ingest only): nothing to validate there
        result = GateResult()
        results = _run_gx([s for s in suites if s.name in frames], frames)
        for suite, r in results:
            result.results.append(_check_result(con, suite, r, frames[suite.name]))
    finally:
        con.close()
    result.seconds = time.perf_counter() - t0
    return result


def _run_gx(suites: list[Suite], frames: dict[str, pd.DataFrame]) -> list[tuple[Suite, Any]]:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("build")
    out = []
    for suite in suites:
        # each suite validates its batch directly: registering suites and validation definitions in
        # the (ephemeral) context's stores cost 0.5 s a night and nothing reads them back
        batch_def = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("all")
        batch = batch_def.get_batch(batch_parameters={"dataframe": frames[suite.name]})
        run = batch.validate(
            gx.ExpectationSuite(name=suite.name, expectations=suite.expectations),
            result_format={"result_format": "COMPLETE"},
        )
        out += [(suite, r) for r in run.results]
    return out


def _sql_value(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "null"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return repr(int(v)) if float(v).is_integer() else repr(float(v))
    return "'" + str(v).replace("'", "''") + "'"


def _check_result(con: duckdb.DuckDBPyConnection, suite: Suite, r: Any, frame: pd.DataFrame) -> CheckResult:
    cfg = r.expectation_config
    kwargs = dict(cfg.kwargs)
    meta = cfg.meta or {}
    level = meta.get("level", TABLE)
    res = r.result or {}
    failing = pd.DataFrame()
    index = res.get("unexpected_index_list") or []
    if not r.success and index:
        failing = frame.loc[[i for i in index if i in frame.index]]
    rows = _records(failing.head(SAMPLE_ROWS)) if len(failing) else []
    keys: dict[tuple[str, int], list[str]] = {}
    files: dict[str, str] = {}
    observed = res.get("observed_value")
    if observed is None and res.get("unexpected_count") is not None:
        observed = f"{res.get('unexpected_count')} unexpected of {res.get('element_count')}"
    column = kwargs.get("column") or kwargs.get("column_A") or (",".join(kwargs.get("column_list", [])) or None)
    if not r.success and len(failing):
        details = _details(con, suite, failing, column)
        if details is not None:
            rows = details
        if level == ROW:
            for rec in failing.to_dict("records"):
                if rec.get("park_name") is None or pd.isna(rec.get("year")):
                    continue
                key = (str(rec["park_name"]), int(rec["year"]))
                keys.setdefault(key, []).append(_describe(suite.name, rec, kwargs, details))
        elif level == TABLE:
            files = _attribute(con, suite, failing, rows, column)
    return CheckResult(
        suite=suite.name,
        expectation=cfg.type,
        column=column,
        level=level,
        success=bool(r.success),
        observed=None if observed is None else str(observed)[:500],
        unexpected_count=res.get("unexpected_count"),
        failing_rows=rows,
        keys=keys,
        files=files,
        kwargs=kwargs,
        attributable=meta.get("attributable", True),
    )


def _details(con: duckdb.DuckDBPyConnection, suite: Suite, failing: pd.DataFrame, column: str | None) -> list[dict] | None:
    """The warehouse rows behind failing frame rows (for aggregates and metrics), or None."""
    if suite.name == "table_metrics":
        out: list[dict] = []
        for table in failing["table_name"].tolist():
            if column in ("duplicate_keys", "missing_keys"):
                df = con.execute(table_detail_sql(table, column)).df()
                out += [{"table": table, **rec} for rec in _records(df)]
            else:
                row = failing[failing.table_name == table].iloc[0]
                out.append(
                    {
                        "table": table,
                        "row_count": int(row.row_count),
                        "previous_rows": _num(row.previous_rows),
                        "min_rows": int(row.min_rows),
                    }
                )
        return out[: SAMPLE_ROWS * 2]
    if not suite.detail:
        return None
    tuples = failing[suite.detail_keys].drop_duplicates().head(200).itertuples(index=False)
    keys = ", ".join(
        "(" + ", ".join(_sql_value(v) for v in t) + ")" if len(suite.detail_keys) > 1 else _sql_value(t[0]) for t in tuples
    )
    if not keys:
        return None
    return _records(con.execute(suite.detail.replace("{keys}", keys)).df())


def _num(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)


def _attribute(
    con: duckdb.DuckDBPyConnection, suite: Suite, failing: pd.DataFrame, rows: list[dict], column: str | None
) -> dict[str, str]:
    """The files of this run a table-level failure traces back to (sha256 -> why)."""
    why = f"{suite.name}: {column or 'check'} failed"
    shas: set[str] = set()
    if suite.file_column and suite.file_column in failing.columns:
        shas |= {str(s) for s in failing[suite.file_column].dropna()}
    shas |= {str(r["file_sha256"]) for r in rows if r.get("file_sha256")}
    park_years = {(r.get("park_name"), r.get("year")) for r in rows if r.get("park_name")}
    if not shas and park_years:
        for park, year in park_years:
            shas |= {
                s
                for (s,) in con.execute(
                    """
                select distinct c.file_sha256 from intermediate.int_observations_current c
                where c.park_name = ? and (? is null or c.year = ?)
                  and c.file_sha256 in (select file_sha256 from build.pending_files where reason = 'loaded')""",
                    [park, year, year],
                ).fetchall()
            }
    loaded_now = {
        s for (s,) in con.execute("select distinct file_sha256 from build.pending_files where reason = 'loaded'").fetchall()
    }
    example = rows[0] if rows else {}
    detail = ", ".join(f"{k}={v}" for k, v in list(example.items())[:6])
    return {s: f"{why} ({detail})" if detail else why for s in shas & loaded_now}


def _describe(suite: str, row: dict[str, Any], kwargs: dict[str, Any], details: list[dict] | None) -> str:
    """One failing park-year for a person: what, how much, allowed range, where it came from."""
    mine = [d for d in (details or []) if d.get("park_name") == row.get("park_name") and d.get("year") == row.get("year")]
    if suite == "indicator_year_jumps" and mine:
        d = mine[0]
        return (
            f"{suite}: {d.get('indicator_name')} {d.get('prev_value')} ({d.get('prev_year')}) → {d.get('value')} "
            f"({d.get('year')}) {d.get('unit') or ''}: a jump of 10^{abs(d.get('log10_jump') or 0):.1f}, a unit slip? "
            f"at {d.get('location')}"
        )
    if mine:
        d = mine[0]
        allowed = f"[{kwargs.get('min_value')}, {kwargs.get('max_value')}]"
        return (
            f"{suite}: {d.get('indicator_name')} = {d.get('value')} {d.get('unit') or ''} outside {allowed} "
            f"({d.get('rule')}) at {d.get('location')}"
        )
    return f"{suite}: {kwargs.get('column')} = {row.get(kwargs.get('column'))} for {row.get('park_name')} {row.get('year')}"
