"""The generic dbt test unique_combination (macros/tests/generic_tests.sql), rendered as dbt renders it
and run on DuckDB tables with hand-made duplicates."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import jinja2

MACROS = Path(__file__).resolve().parents[2] / "macros" / "tests" / "generic_tests.sql"


def render(test: str, **kwargs: object) -> str:
    body = re.search(r"{%\s*test\s+" + test + r"\(.*?\)\s*%}(.*?){%\s*endtest\s*%}", MACROS.read_text(), re.S)
    assert body, test
    return jinja2.Template(body.group(1)).render(**kwargs)


def test_unique_combination_names_each_repeated_key_with_its_count() -> None:
    con = duckdb.connect()
    con.execute("create table cells (f varchar, sheet varchar, r integer, c integer)")
    con.execute("""insert into cells values ('a', 's1', 1, 1), ('a', 's1', 1, 2), ('a', 's1', 1, 2),
                   ('a', 's2', 1, 2), ('b', 's1', 1, 1), ('b', 's1', 1, 1), ('b', 's1', 1, 1), (null, 's1', 1, 1)""")
    sql = render("unique_combination", model="cells", columns=["f", "sheet", "r", "c"])
    assert sorted(con.execute(sql).fetchall()) == [("a", "s1", 1, 2, 2), ("b", "s1", 1, 1, 3)]


def test_unique_combination_passes_a_table_without_repeats() -> None:
    con = duckdb.connect()
    con.execute("create table cells as select 'f' || (i % 7) as f, i // 7 as r from range(1000) t(i)")
    assert con.execute(render("unique_combination", model="cells", columns=["f", "r"])).fetchall() == []
