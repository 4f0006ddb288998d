"""The Great Expectations suites of the warehouse: what each validated table must satisfy.

Each check is a GX 1.x expectation tagged with a level:
  table  a failure blocks publication (keys, required columns, internal consistency, row counts);
  row    a failure names park-years (``keys``) that are kept out of the marts and listed in the report;
  warn   a finding for a person (a unit no seed knows): listed in the report, nothing held back.

Suites validate pandas frames read from the build file (GX 1.24's SQL data source on DuckDB via
duckdb-engine loses rows after its connection closes, and cannot see schemas other than main).
The frames are plain SELECTs with one row per row of their table (row counts compare with the last
published file); some add a derived column that turns a cross-table rule into a per-row boolean,
so that GX reports it row by row.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import great_expectations.expectations as gxe

ROW, TABLE, WARN = "row", "table", "warn"  # warn: listed in the report, neither blocks nor quarantines
# A figure moving by more than 10^3.5 (~3000x) from one year to the next is a unit slip (万元 vs 元…).
UNIT_SLIP_LOG10 = 3.5
# Row counts of a mart may shrink (a correction) but not collapse below this share of the last run.
MIN_ROW_SHARE = 0.5


@dataclass
class Suite:
    name: str
    sql: str  # the frame validated
    expectations: list[Any] = field(default_factory=list)


FRAMES: dict[str, str] = {
    "raw_observations": "select * exclude (report_date, loaded_at) from raw.observations",
    "audit_files": "select file_name, file_sha256, status, message from audit.files",
    "units": """
        select o.park_name, o.year, o.label_key as indicator_name, o.unit, o.value, o.file_name as source_file,
               o.sheet as source_sheet, o.cell as source_cell, c.unit is not null as unit_known
        from raw.observations o
        left join (select distinct unit from reference.unit_conversions) c on c.unit = o.unit
        where o.is_current and o.value is not null and o.unit is not null
          and o.template in ('eip_form', 'statistics')""",
    "indicator_values": """
        select v.park_name, v.year, v.indicator_name, v.unit, v.value, v.value_id, v.is_computed, v.template,
               v.source_file, v.source_sheet, v.source_cell, r.rule
        from marts.indicator_values v
        left join reference.value_ranges r
          on r.unit = v.unit and regexp_matches(v.indicator_name, r.name_regex)
         and (r.exclude_regex is null or not regexp_matches(v.indicator_name, r.exclude_regex))""",
    "indicator_year_jumps": """
        select park_name, indicator_name, unit, is_computed, year, value, prev_year, prev_value,
               log10(abs(value / prev_value)) as log10_jump
        from (select *, lag(year) over w as prev_year, lag(value) over w as prev_value
              from marts.indicator_values where value is not null and value <> 0
              window w as (partition by park_name, indicator_name, unit, is_computed, template order by year))
        where prev_value is not null""",
    "eip_assessment": """
        select *, passed is not null or note is not null as judged_or_explained from marts.eip_assessment""",
    "eip_verdict": """
        select v.park_name, v.year, v.passed, v.mandatory_total, v.mandatory_passed, v.optional_selected,
               v.optional_passed, len(v.failed_seq_nos) as n_failed,
               -- a verdict passes only if every mandatory indicator passes
               (v.passed is distinct from true) or coalesce(a.mandatory_not_passed = 0, false) as consistent_with_assessment
        from marts.eip_verdict v
        left join (select park_name, year, count(*) filter (where mandatory and passed is distinct from true)
                     as mandatory_not_passed
              from marts.eip_assessment group by all) a using (park_name, year)""",
    "reconciliation": "select * from marts.reconciliation",
    "plan_progress": """
        select *,
               -- progress agrees with its inputs
               case when latest_value is null or base_value is null or target_value is null
                         or target_value = base_value then progress is null
                    else abs(progress - (latest_value - base_value) / (target_value - base_value)) <= 1e-9 end
                   as progress_consistent,
               status <> 'achieved' or latest_value is not null as achieved_has_actual
        from marts.plan_progress""",
    "target_tracking": """
        select *, target_kind <> 'qualitative' or met is null as qualitative_not_judged from marts.target_tracking""",
}


def _t(exp: Any) -> Any:
    exp.meta = {"level": TABLE}
    return exp


def _w(exp: Any) -> Any:
    exp.meta = {"level": WARN}
    return exp


def _r(exp: Any, keys: list[str]) -> Any:
    exp.meta = {"level": ROW, "keys": keys}
    return exp


def _unique(cols: list[str]) -> Any:
    return _t(gxe.ExpectCompoundColumnsToBeUnique(column_list=cols))


def _not_null(*cols: str) -> list[Any]:
    return [_t(gxe.ExpectColumnValuesToNotBeNull(column=c)) for c in cols]


def _all_true(col: str) -> Any:
    return _t(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=[True]))


def _min_rows(previous: int | None, share: float = MIN_ROW_SHARE) -> Any:
    low = 0 if not previous else math.floor(previous * share)
    return _t(gxe.ExpectTableRowCountToBeBetween(min_value=low))


def build_suites(previous_counts: dict[str, int], range_rules: list[dict[str, Any]]) -> list[Suite]:
    """``previous_counts``: rows per frame in the last published file; ``range_rules``: reference.value_ranges."""
    prev = previous_counts.get
    suites = [
        Suite("raw_observations", FRAMES["raw_observations"], [
            *_not_null("file_name", "file_sha256", "sheet", "cell", "template"),
            _unique(["file_sha256", "sheet", "cell"]),
            _t(gxe.ExpectColumnValuesToBeInSet(column="template", value_set=["eip_form", "plan", "statistics", "targets"])),
            _t(gxe.ExpectColumnValuesToBeInSet(column="value_kind", value_set=[
                "number", "marker", "not_reported", "blank", "masked", "text", "date", "formula_no_cache"])),
            # raw is history: it only grows
            _min_rows(prev("raw_observations"), share=1.0),
        ]),
        Suite("audit_files", FRAMES["audit_files"], [
            *_not_null("file_name", "file_sha256", "status"),
            _t(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["loaded", "duplicate", "superseded", "rejected"])),
        ]),
        Suite("units", FRAMES["units"], [
            _w(gxe.ExpectColumnValuesToBeInSet(column="unit_known", value_set=[True])),
        ]),
        Suite("indicator_values", FRAMES["indicator_values"], [
            *_not_null("park_name", "indicator_name", "value_id"),
            _t(gxe.ExpectColumnValuesToBeUnique(column="value_id")),
            _min_rows(prev("indicator_values")),
            *[_r(gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=rule["min_value"], max_value=rule["max_value"],
                strict_min=bool(rule["strict_min"]), row_condition=f'rule=="{rule["rule"]}"',
                condition_parser="pandas"), ["park_name", "year"])
              for rule in _distinct_rules(range_rules)],
        ]),
        Suite("indicator_year_jumps", FRAMES["indicator_year_jumps"], [
            _r(gxe.ExpectColumnValuesToBeBetween(column="log10_jump", min_value=-UNIT_SLIP_LOG10,
                                                 max_value=UNIT_SLIP_LOG10), ["park_name", "year"]),
        ]),
        Suite("eip_assessment", FRAMES["eip_assessment"], [
            *_not_null("park_name", "year", "seq_no", "indicator_name", "mandatory", "selected"),
            _unique(["park_name", "year", "seq_no"]),
            _t(gxe.ExpectColumnValuesToBeBetween(column="seq_no", min_value=1, max_value=32)),
            _all_true("judged_or_explained"),
            _min_rows(prev("eip_assessment")),
        ]),
        Suite("eip_verdict", FRAMES["eip_verdict"], [
            *_not_null("park_name", "year", "mandatory_total"),
            _unique(["park_name", "year"]),
            _all_true("consistent_with_assessment"),
            _t(gxe.ExpectColumnValuesToBeBetween(column="mandatory_passed", min_value=0, max_value=32)),
            _min_rows(prev("eip_verdict")),
        ]),
        Suite("reconciliation", FRAMES["reconciliation"], [
            _unique(["park_name", "year", "seq_no"]),
            *_not_null("reported_value", "computed_value", "within_tolerance"),
        ]),
        Suite("plan_progress", FRAMES["plan_progress"], [
            *_not_null("park_name", "plan_name", "indicator_name", "status"),
            _unique(["park_name", "plan_name", "indicator_name"]),
            _t(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=[
                "achieved", "on_track", "behind", "not_assessable", "not_numeric"])),
            _all_true("progress_consistent"),
            _all_true("achieved_has_actual"),
            _min_rows(prev("plan_progress")),
        ]),
        Suite("target_tracking", FRAMES["target_tracking"], [
            *_not_null("park_name", "year", "indicator_name", "target_kind"),
            _unique(["park_name", "year", "indicator_name"]),
            _t(gxe.ExpectColumnValuesToBeInSet(column="target_kind", value_set=["growth", "level", "relative", "qualitative"])),
            _all_true("qualitative_not_judged"),
            _min_rows(prev("target_tracking")),
        ]),
    ]
    return suites


def _distinct_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One expectation per rule name (the seed lists a rule once per unit)."""
    seen: dict[str, dict[str, Any]] = {}
    for rule in rules:
        seen.setdefault(rule["rule"], rule)
    return list(seen.values())
