"""The history store's raw layout: raw.observations is a view over the tables that store the cells,
and a history written before that (raw.observations a table) is carried over on the next build."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.warehouse import schema


def test_a_history_with_the_old_observations_table_keeps_its_rows(tmp_path: Path):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        # the table as versions before 2.1 wrote it (a subset of its columns is enough here)
        con.execute("""create table raw.observations (file_name varchar not null, file_sha256 varchar not null,
                       sheet varchar not null, cell varchar not null, template varchar not null, park_name varchar,
                       year integer, label varchar, value double, value_kind varchar, load_seq bigint)""")
        con.execute(
            "insert into raw.observations values ('a.xlsx', 'abc', '统计', 'D2', 'statistics', '园区甲', 2020, "
            "'工业增加值', 12.5, 'number', 1)"
        )
        schema.ensure(con)
        assert con.execute(
            "select table_type from information_schema.tables where table_schema = 'raw' and table_name = 'observations'"
        ).fetchall() == [("VIEW",)]
        assert con.execute(
            "select file_name, cell, park_name, year, value, is_masked, row_no from raw.observations"
        ).fetchall() == [("a.xlsx", "D2", "园区甲", 2020, 12.5, None, None)]
        assert con.execute("select count(*) from raw.form_cells").fetchall() == [(1,)]
        # every column of the interface, in its order, with its comment
        cols = con.execute(
            "select column_name, comment from duckdb_columns() where schema_name = 'raw' "
            "and table_name = 'observations' order by column_index"
        ).fetchall()
        assert [c for c, _ in cols] == schema.RAW_COLUMNS and all(cm for _, cm in cols)
        schema.ensure(con)  # twice is harmless
        assert con.execute("select count(*) from raw.observations").fetchall() == [(1,)]


def test_statistics_cells_read_back_with_their_reference_and_sheet(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "new.duckdb")) as con:
        schema.ensure(con)
        con.execute(
            "insert into raw.statistics_sheets (load_seq, sheet_index, file_name, file_sha256, sheet, template, "
            "layout, value_role) values (3, 2, 'p.xlsx', 'f00', '统计', 'statistics', 'wide', 'actual')"
        )
        # columns 1, 26, 27, 702, 703 and 16384 are A, Z, AA, ZZ, AAA and XFD
        for col in (1, 26, 27, 702, 703, 16384):
            con.execute(
                "insert into raw.statistics_cells (load_seq, sheet_index, row_no, col_no, park_name, value, "
                "value_kind) values (3, 2, 7, ?, '园区乙', 1.0, 'masked')",
                [col],
            )
        got = con.execute(
            "select cell, sheet, file_name, layout, is_masked, template from raw.observations order by col_no"
        ).fetchall()
        assert [g[0] for g in got] == ["A7", "Z7", "AA7", "ZZ7", "AAA7", "XFD7"]
        assert set(g[1:] for g in got) == {("统计", "p.xlsx", "wide", True, "statistics")}


def test_a_history_whose_schema_is_current_is_not_written(tmp_path: Path, monkeypatch):
    """A build's copy of a 1 GiB history is opened every night: when its schema is what this version
    writes (the fingerprint recorded in build.history_schema), ensure() writes nothing, so closing
    the file does not checkpoint it; a changed schema is applied and its fingerprint recorded."""
    db = tmp_path / "h.duckdb"
    with duckdb.connect(str(db)) as con:
        schema.ensure(con)
        assert con.execute("select fingerprint from build.history_schema").fetchall() == [(schema.fingerprint(),)]
    before = db.stat().st_mtime_ns, db.stat().st_size
    with duckdb.connect(str(db)) as con:
        schema.ensure(con)
        changes = con.execute("select count(*) from duckdb_views() where view_name = 'observations'").fetchone()
    assert changes == (1,)
    assert (db.stat().st_mtime_ns, db.stat().st_size) == before and not Path(f"{db}.wal").exists()
    # a newer version's schema (here: another comment on a column) is applied on the next open
    monkeypatch.setattr(schema, "comment_sql", lambda: ["comment on column raw.form_cells.cell is '单元格'"])
    with duckdb.connect(str(db)) as con:
        schema.ensure(con)
        assert con.execute(
            "select comment from duckdb_columns() where table_name = 'form_cells' and column_name = 'cell'"
        ).fetchall() == [("单元格",)]
        assert con.execute("select fingerprint from build.history_schema").fetchall() == [(schema.fingerprint(),)]
