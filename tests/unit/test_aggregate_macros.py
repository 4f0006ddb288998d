"""The list macros of macros/aggregates.sql, rendered as dbt renders them and run on DuckDB: each gives
the text written out by hand below, and the same as the DISTINCT / ORDER BY aggregate it replaces."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2

MACROS = Path(__file__).resolve().parents[2] / "macros" / "aggregates.sql"
ROWS = """(values
    ('g1', 2, 'b', 'x1', true), ('g1', 1, 'a', 'x2', true), ('g1', 3, null, 'x1', false),
    ('g1', 1, 'c', null, true), ('g2', 5, null, null, true), ('g2', 4, null, null, false),
    ('g3', 7, 'z', 'x9', false)) t(g, k, v, cell, keep)"""


def call(expression: str) -> str:
    """A model's SQL expression with the project's macros in scope."""
    return jinja2.Template(MACROS.read_text() + expression).render().strip()


def by_group(select: str) -> dict[str, object]:
    con = duckdb.connect()
    return dict(con.execute(f"select g, {select} from {ROWS} group by g order by g").fetchall())


def test_joined_in_order_is_an_ordered_string_agg() -> None:
    ours = by_group(call("{{ joined_in_order('v', \"', '\", 'k') }}"))
    assert ours == {"g1": "a, c, b", "g2": None, "g3": "z"}  # ties (k = 1) in the order of their values
    assert by_group("string_agg(v, ', ' order by k, v)") == ours


def test_joined_in_order_with_a_filter() -> None:
    ours = by_group(call("{{ joined_in_order('v', \"'+'\", 'k', where='keep') }}"))
    assert ours == {"g1": "a+c+b", "g2": None, "g3": None}
    assert by_group("string_agg(v, '+' order by k, v) filter (where keep)") == ours


def test_joined_distinct_is_a_sorted_distinct_list() -> None:
    ours = by_group(call("{{ joined_distinct('cell', \"','\", where='cell is not null') }}"))
    assert ours == {"g1": "x1,x2", "g2": None, "g3": "x9"}
    old = "nullif(array_to_string(list_sort(list(distinct cell) filter (where cell is not null)), ','), '')"
    assert by_group(old) == ours


def test_count_distinct_skips_null() -> None:
    ours = by_group(call("{{ count_distinct('cell') }}"))
    assert ours == {"g1": 2, "g2": 0, "g3": 1}
    assert by_group("count(distinct cell)") == ours
