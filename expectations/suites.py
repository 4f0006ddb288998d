"""The Great Expectations suites of the warehouse: what the build's data must satisfy.

Every suite validates a frame that DuckDB computes from the build file, never a whole big table:
  - the rows of the parks this build changed (build.changed_parks) for the marts;
  - per park-year aggregates (the lowest and highest figure under each range rule, the largest
    year-on-year jump), which fail exactly when a row inside them would;
  - table metrics (rows, duplicate keys, missing keys) computed over whole tables in SQL.
Great Expectations decides on these frames; each suite names the rows behind a failure with a
detail query (park, year, indicator, value, file!sheet!cell).

Each expectation carries a level:
  table  a failure blocks publication, unless it traces back to files of this run: those files are
         rejected and the rest is published;
  row    a failure names park-years, which are kept out of the marts (quarantine);
  warn   a finding for a person (a unit no seed knows): listed in the report, nothing held back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import great_expectations.expectations as gxe

from .tables import NEW_ROWS, NIGHT_CELLS, TABLE_KEYS, metric_tables

ROW, TABLE, WARN = "row", "table", "warn"
# A figure moving by more than 10^3.5 (~3000x) from one year to the next is a unit slip (万元 vs 元…).
UNIT_SLIP_LOG10 = 3.5
# Row counts of a mart may shrink (a correction) but not collapse below this share of the last build.
MIN_ROW_SHARE = 0.5
CHANGED = "(select park_name from build.changed_parks)"
# The range rules apply by unit and by a pattern on the indicator's name: the patterns are matched
# once per distinct name, not once per figure (a regular expression per row is what made the old
# gate slow at national scale).
RULES_OF_NAMES = f"""
    select n.indicator_name, n.unit, r.rule, r.min_value as rule_min, r.max_value as rule_max, r.strict_min
    from (select distinct indicator_name, unit from marts.indicator_values where park_name in {CHANGED}) n
    join (select distinct rule, unit, name_regex, exclude_regex, min_value, max_value, strict_min
          from reference.value_ranges) r
      on r.unit = n.unit and regexp_matches(n.indicator_name, r.name_regex)
     and (r.exclude_regex is null or not regexp_matches(n.indicator_name, r.exclude_regex))"""


@dataclass
class Suite:
    name: str
    sql: str  # the frame validated
    expectations: list[Any] = field(default_factory=list)
    detail: str | None = None  # rows behind failing frame rows: SQL with {keys} replaced by their key tuples
    detail_keys: list[str] = field(default_factory=list)  # frame columns that pick those rows
    file_column: str | None = None  # frame column naming the file a table-level failure traces to


def _t(exp: Any, **meta: Any) -> Any:
    exp.meta = {"level": TABLE, **meta}
    return exp


def _w(exp: Any) -> Any:
    exp.meta = {"level": WARN}
    return exp


def _r(exp: Any) -> Any:
    exp.meta = {"level": ROW, "keys": ["park_name", "year"]}
    return exp


def _zero(col: str) -> Any:
    return _t(gxe.ExpectColumnValuesToBeBetween(column=col, min_value=0, max_value=0))


def _in(col: str, values: list[Any], **meta: Any) -> Any:
    return _t(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=values), **meta)


def _not_null(*cols: str) -> list[Any]:
    return [_t(gxe.ExpectColumnValuesToNotBeNull(column=c)) for c in cols]


def _all_true(col: str) -> Any:
    return _t(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=[True]))


# raw only grows; the marts may shrink with a correction but not collapse
MIN_SHARE = {"raw.observations": 1.0}


def table_metrics_sql(tables: list[str], previous: dict[str, int]) -> str:
    parts = []
    for t in tables:
        keys, required = TABLE_KEYS.get(t, ([], []))
        rows = f"(select * from {t} where {NEW_ROWS[t]})" if t in NEW_ROWS else t
        nulls = " + ".join(f"count(*) filter (where {c} is null)" for c in required)
        prev = previous.get(t)
        floor = 0 if not prev else int(prev * MIN_SHARE.get(t, MIN_ROW_SHARE))
        parts.append(
            f"select '{t}' as table_name, (select count(*) from {t}) as row_count, {floor} as min_rows, "
            f"{prev if prev is not None else 'null'} as previous_rows, "
            f"{repeated_keys(rows, keys) if keys else '0'} as duplicate_keys, "
            f"{f'(select {nulls} from {rows})' if nulls else '0'} as missing_keys"
        )
    return "\nunion all\n".join(parts)


def repeated_keys(rows: str, keys: list[str]) -> str:
    """Rows beyond the first of each key, exactly, in memory that spills: a grouping on a 64-bit hash of
    the key first (a count(distinct) of millions of text keys held them all in memory and ran the gate
    out of its memory cap at national scale), then the exact keys of the hashes that repeat."""
    k = ", ".join(keys)
    return (
        f"(select coalesce(sum(n - 1), 0) from (select count(*) as n from {rows} r "
        f"where hash({k}) in (select hash({k}) from {rows} h group by 1 having count(*) > 1) "
        f"group by {k} having count(*) > 1))"
    )


def build_suites(tables: list[str], previous: dict[str, int], range_rules: list[dict[str, Any]]) -> list[Suite]:
    """``tables``: the tables present in the build file; ``previous``: their rows after the last
    committed build; ``range_rules``: reference.value_ranges."""
    suites = [
        Suite(
            "table_metrics",
            table_metrics_sql(metric_tables(tables), previous),
            [
                _zero("duplicate_keys"),
                _zero("missing_keys"),
                _t(
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="row_count", column_B="min_rows", or_equal=True),
                    attributable=False,
                ),
            ],
        ),
        Suite(
            "raw_new_values",
            """
            select o.file_name, o.file_sha256, o.template, o.value_kind, count(*) as n, any_value(o.sheet || '!' || o.cell) as example
            from raw.observations o
            where """
            + NIGHT_CELLS
            + """
            group by all""",
            [
                _in("template", ["eip_form", "plan", "review", "statistics", "targets", "registry"]),
                _in(
                    "value_kind",
                    [
                        "number",
                        "marker",
                        "not_reported",
                        "not_applicable",
                        "blank",
                        "masked",
                        "text",
                        "date",
                        "formula_no_cache",
                        "invalid",
                    ],
                ),
            ],
            file_column="file_sha256",
        ),
        Suite(
            "audit_files",
            "select file_name, file_sha256, status, message from audit.files",
            [
                *_not_null("file_name", "file_sha256", "status"),
                _in("status", ["loaded", "duplicate", "rejected"]),
            ],
        ),
        Suite(
            "printed_figures",
            f"""
            select park_name, plan_name, indicator_name, printed_text, round(recomputed_value, 4) as recomputed,
                   agrees, source_file || '!' || source_sheet || '!' || source_cell as location
            from marts.printed_figures where park_name in {CHANGED} and agrees is not null""",
            [
                _w(gxe.ExpectColumnValuesToBeInSet(column="agrees", value_set=[True])),
            ],
        ),
        Suite(
            "units",
            f"""
            with cells as (
                select o.unit, c.unit is not null as unit_known, o.label_key as indicator_name, o.park_name, o.year,
                       o.value, o.source_file || '!' || o.source_sheet || '!' || o.source_cell as location
                from intermediate.int_observations_admitted o
                left join (select distinct unit from reference.unit_conversions) c on c.unit = o.unit
                where o.park_name in {CHANGED} and o.value is not null and o.unit is not null
                  and o.template in ('eip_form', 'statistics')
            ),
            unknown as (
                -- every cell of an unknown unit is named, up to five, then the count: the operator fixes
                -- them all at once. Ranked on the unknown ones only: an ordered list of every cell of the
                -- country held the whole national load in memory.
                select unit, indicator_name, string_agg(location, ', ' order by location) as location
                from (select unit, indicator_name, location from cells where not unit_known
                      qualify row_number() over (partition by unit, indicator_name order by location) <= 5)
                group by all
            )
            select k.unit, k.unit_known, k.n, k.park_name, k.year, k.indicator_name, k.value, u.location
            from (select unit, unit_known, indicator_name, count(*) as n, any_value(park_name) as park_name,
                         any_value(year) as year, any_value(value) as value
                  from cells group by all) k
            left join unknown u on u.unit = k.unit and u.indicator_name = k.indicator_name""",
            [
                _w(gxe.ExpectColumnValuesToBeInSet(column="unit_known", value_set=[True])),
            ],
        ),
        Suite(
            "indicator_values",
            f"""
            with rules as ({RULES_OF_NAMES})
            select v.park_name, v.year, r.rule, r.rule_min, r.rule_max, r.strict_min,
                   min(v.value) as lowest, max(v.value) as highest, count(*) as n
            from marts.indicator_values v
            join rules r on r.indicator_name = v.indicator_name and r.unit = v.unit
            where v.park_name in {CHANGED} and v.value is not null
            group by all""",
            [exp for rule in _distinct_rules(range_rules) for exp in _range(rule)],
            detail=f"""
            with rules as ({RULES_OF_NAMES})
            select v.park_name, v.year, v.indicator_name, v.value, v.unit, r.rule,
                   coalesce(v.source_file || '!' || v.source_sheet || '!' || v.source_cell, v.derived_from) as location
            from marts.indicator_values v
            join rules r on r.indicator_name = v.indicator_name and r.unit = v.unit
            where (v.park_name, v.year, r.rule) in ({{keys}})
              and (v.value < r.rule_min or (r.strict_min and v.value <= r.rule_min) or v.value > r.rule_max)
            order by 1, 2, 3 limit 50""",
            detail_keys=["park_name", "year", "rule"],
        ),
        Suite(
            "indicator_year_jumps",
            f"""
            select park_name, year, max(log10_jump) as largest_rise, min(log10_jump) as largest_fall
            from (select park_name, year, log10(abs(value / prev_value)) as log10_jump
                  from (select *, lag(value) over w as prev_value, lag(year) over w as prev_year
                        from marts.indicator_values
                        where park_name in {CHANGED} and value is not null and value <> 0
                        window w as (partition by park_name, indicator_name, unit, is_computed, template order by year))
                  where prev_value is not null)
            group by all""",
            [
                _r(gxe.ExpectColumnValuesToBeBetween(column="largest_rise", max_value=UNIT_SLIP_LOG10)),
                _r(gxe.ExpectColumnValuesToBeBetween(column="largest_fall", min_value=-UNIT_SLIP_LOG10)),
            ],
            detail=f"""
            select park_name, year, indicator_name, prev_year, prev_value, value, unit,
                   round(log10(abs(value / prev_value)), 2) as log10_jump, location
            from (select *, lag(value) over w as prev_value, lag(year) over w as prev_year,
                         coalesce(source_file || '!' || source_sheet || '!' || source_cell, derived_from) as location
                  from marts.indicator_values
                  where park_name in {CHANGED} and value is not null and value <> 0
                  window w as (partition by park_name, indicator_name, unit, is_computed, template order by year))
            where prev_value is not null and abs(log10(abs(value / prev_value))) > {UNIT_SLIP_LOG10}
              and (park_name, year) in ({{keys}})
            order by 1, 2 limit 50""",
            detail_keys=["park_name", "year"],
        ),
    ]
    return suites


def _range(rule: dict[str, Any]) -> list[Any]:
    cond = f'rule=="{rule["rule"]}"'
    out = []
    if rule["min_value"] is not None:
        out.append(
            _r(
                gxe.ExpectColumnValuesToBeBetween(
                    column="lowest",
                    min_value=rule["min_value"],
                    strict_min=bool(rule["strict_min"]),
                    row_condition=cond,
                    condition_parser="pandas",
                )
            )
        )
    if rule["max_value"] is not None:
        out.append(
            _r(
                gxe.ExpectColumnValuesToBeBetween(
                    column="highest", max_value=rule["max_value"], row_condition=cond, condition_parser="pandas"
                )
            )
        )
    return out


def _distinct_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One expectation per rule name (the seed lists a rule once per unit)."""
    seen: dict[str, dict[str, Any]] = {}
    for rule in rules:
        seen.setdefault(rule["rule"], rule)
    return list(seen.values())


def table_detail_sql(table: str, what: str) -> str:
    """The rows behind a failing table metric: keys that repeat, or rows missing a key column."""
    keys, required = TABLE_KEYS[table]
    rows = f"(select * from {table} where {NEW_ROWS[table]})" if table in NEW_ROWS else table
    if what == "duplicate_keys" and keys:
        extra = ", any_value(file_sha256) as file_sha256" if table == "raw.observations" else ""
        return (
            f"select {', '.join(keys)}, count(*) as n{extra} from {rows} group by all having count(*) > 1 "
            f"order by n desc limit 20"
        )
    cond = " or ".join(f"{c} is null" for c in required)
    return f"select * from {rows} where {cond} limit 20"
