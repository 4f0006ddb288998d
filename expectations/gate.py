"""The quality gate: run the suites on the build file, render Data Docs, decide what may be published."""
from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .suites import ROW, TABLE, WARN, FRAMES, Suite, build_suites

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
    failing_rows: list[dict[str, Any]]
    keys: dict[tuple[str, int], list[str]]  # row-level: failing park-years and what failed there
    kwargs: dict[str, Any]

    def kwargs_text(self) -> str:
        keep = {k: v for k, v in self.kwargs.items() if k not in ("column", "column_list", "batch_id", "condition_parser")}
        return json.dumps(keep, ensure_ascii=False, default=str)


@dataclass
class GateResult:
    results: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    report_dir: Path | None = None
    docs_pages: int = 0
    docs_complete: bool = True

    @property
    def table_failures(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.level == TABLE]

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


def table_counts(path: Path) -> dict[str, int]:
    """Rows per validated frame in a (published) database file; {} when there is none."""
    if not path.exists():
        return {}
    out: dict[str, int] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for name, sql in FRAMES.items():
            try:
                out[name] = con.execute(f"select count(*) from ({sql})").fetchone()[0]
            except duckdb.Error:
                continue
    return out


def read_frames(con: duckdb.DuckDBPyConnection, suites: list[Suite]) -> dict[str, pd.DataFrame]:
    frames = {}
    for suite in suites:
        try:
            frames[suite.name] = con.execute(suite.sql).df()
        except duckdb.CatalogException:
            continue  # a stage that did not run (ingest only): nothing to validate there
    return frames


def validate(build_db: Path, report_dir: Path, previous_counts: dict[str, int]) -> GateResult:
    t0 = time.perf_counter()
    with duckdb.connect(str(build_db), read_only=True) as con:
        try:
            rules = con.execute("select * from reference.value_ranges").df().to_dict("records")
        except duckdb.CatalogException:
            rules = []
        suites = build_suites(previous_counts, rules)
        frames = read_frames(con, suites)

    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    report_dir.mkdir(parents=True, exist_ok=True)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    ctx.add_data_docs_site(site_name="run_report", site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(report_dir.resolve())},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    source = ctx.data_sources.add_pandas("build")
    result = GateResult(report_dir=report_dir)
    for suite in suites:
        frame = frames.get(suite.name)
        if frame is None:
            continue
        batch_def = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("all")
        gx_suite = ctx.suites.add(gx.ExpectationSuite(name=suite.name, expectations=suite.expectations))
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=suite.name, data=batch_def, suite=gx_suite))
        run = vd.run(batch_parameters={"dataframe": frame}, result_format={"result_format": "COMPLETE"})
        for r in run.results:
            result.results.append(_check_result(suite.name, r, frame))
    ctx.build_data_docs(site_names=["run_report"])
    validated = sum(1 for s in suites if s.name in frames)
    result.docs_pages = len(list((report_dir / "validations").rglob("*.html")))
    result.docs_complete = result.docs_pages == validated
    result.seconds = time.perf_counter() - t0
    return result


def _check_result(suite: str, r: Any, frame: pd.DataFrame) -> CheckResult:
    cfg = r.expectation_config
    kwargs = dict(cfg.kwargs)
    meta = cfg.meta or {}
    res = r.result or {}
    rows: list[dict[str, Any]] = []
    keys: dict[tuple[str, int], list[str]] = {}
    index = res.get("unexpected_index_list") or []
    if index and not r.success:
        picked = frame.loc[[i for i in index if i in frame.index]]
        rows = json.loads(picked.head(SAMPLE_ROWS).to_json(orient="records", force_ascii=False, date_format="iso"))
        key_cols = meta.get("keys") or []
        if key_cols and all(c in picked.columns for c in key_cols):
            for row in picked.to_dict("records"):
                if row[key_cols[0]] is None or pd.isna(row[key_cols[1]]):
                    continue
                keys.setdefault((str(row[key_cols[0]]), int(row[key_cols[1]])), []).append(_describe(suite, row, kwargs))
    observed = res.get("observed_value")
    if observed is None and res.get("unexpected_count") is not None:
        observed = f"{res.get('unexpected_count')} unexpected of {res.get('element_count')}"
    return CheckResult(
        suite=suite, expectation=cfg.type, column=kwargs.get("column") or (",".join(kwargs.get("column_list", [])) or None),
        level=meta.get("level", TABLE), success=bool(r.success),
        observed=None if observed is None else str(observed), unexpected_count=res.get("unexpected_count"),
        failing_rows=rows, keys=keys, kwargs=kwargs)


def _describe(suite: str, row: dict[str, Any], kwargs: dict[str, Any]) -> str:
    """One failing row for a person: what, how much, allowed range, where it came from."""
    where = "!".join(str(row[k]) for k in ("source_file", "source_sheet", "source_cell") if row.get(k) is not None)
    column = kwargs.get("column")
    allowed = f"[{kwargs.get('min_value')}, {kwargs.get('max_value')}]"
    if column == "log10_jump":
        return (f"{suite}: {row.get('indicator_name')} {row.get('prev_value')} ({row.get('prev_year')}) → "
                f"{row.get('value')} ({row.get('year')}) {row.get('unit') or ''}: a jump of 10^{row.get('log10_jump'):.1f}, "
                f"a unit slip?")
    return (f"{suite}: {row.get('indicator_name')} = {row.get(column)} {row.get('unit') or ''} outside {allowed}"
            f"{' (' + str(row.get('rule')) + ')' if row.get('rule') else ''}{' at ' + where if where else ''}")


def record(con: duckdb.DuckDBPyConnection, run_id: str, gate: GateResult, gate_pass: int) -> None:
    """Write the results into audit.dq_results of the (build) database."""
    rows = [(run_id, r.suite, r.expectation, r.column, r.level, r.success, r.observed, r.unexpected_count,
             json.dumps(r.failing_rows, ensure_ascii=False, default=str) if r.failing_rows else None,
             r.kwargs_text(), gate_pass)
            for r in gate.results]
    if rows:
        con.executemany("insert into audit.dq_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
