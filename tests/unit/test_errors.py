"""errors.describe on real errors: DuckDB running out of its memory cap, also when a clean-up that
failed afterwards is what reached the build (the statements after an out-of-memory error in a
transaction are refused)."""

from __future__ import annotations

import duckdb
import pytest

from ingest import errors

TOO_BIG = "create table t as select i, repeat('x', 100) || i as s from range(200000) t(i) order by s desc"


def capped() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set memory_limit='2MB'")
    con.execute("set threads=1")
    con.execute("begin")
    return con


def test_out_of_memory_names_the_setting() -> None:
    with pytest.raises(duckdb.OutOfMemoryException) as info:
        capped().execute(TOO_BIG)
    fault = errors.describe(info.value, "building")
    assert fault is not None
    assert "memory cap (PARKS_DUCKDB_MEMORY=" in str(fault) and "while building" in str(fault)


def test_the_cause_behind_a_failed_clean_up_is_described() -> None:
    con = capped()
    with pytest.raises(duckdb.TransactionException) as info:
        try:
            con.execute(TOO_BIG)
        finally:
            con.execute("select 1")  # refused: the transaction was aborted by the error above
    assert isinstance(info.value.__context__, duckdb.OutOfMemoryException)
    fault = errors.describe(info.value, "building")
    assert fault is not None and "PARKS_DUCKDB_MEMORY" in str(fault)


def test_a_bug_stays_a_bug() -> None:
    with pytest.raises(KeyError) as info:
        try:
            raise ValueError("first")
        except ValueError:
            raise KeyError("second") from None
    assert errors.describe(info.value, "building") is None
