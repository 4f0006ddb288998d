"""The raw and audit schemas of the history store, with a comment on every table and column.

raw is what was written, cell by cell, and is only ever appended to; audit is what happened to
each file, run and check. Both are the system of record; the serving file gets a copy of them.
Comments: the Chinese name, the English meaning, and the unit where there is one.
"""

from __future__ import annotations

import hashlib

import duckdb

from ..parsing.records import KEY_OF_NAME  # keys stored NULL where they equal the name

# (schema, table) -> (table comment, [(column, type, comment)])
TABLES: dict[tuple[str, str], tuple[str, list[tuple[str, str, str]]]] = {
    ("raw", "observations"): (
        "原始观测值 raw observations: one row per value cell of every workbook loaded, exactly as written, with its lineage (file, sheet, cell). Append-only; which figures are current is decided in dbt.",
        [
            ("file_name", "varchar not null", "文件名 file name: path relative to INBOX"),
            ("file_sha256", "varchar not null", "文件指纹 SHA-256 of the file's bytes"),
            ("sheet", "varchar not null", "工作表 worksheet name"),
            ("sheet_index", "integer", "工作表序号 position of the sheet in the workbook (1-based)"),
            ("cell", "varchar not null", "单元格 A1 reference of the value cell"),
            ("row_no", "integer", "行号 row number of the cell (1-based)"),
            ("col_no", "integer", "列号 column number of the cell (1-based)"),
            (
                "template",
                "varchar not null",
                "模板 template recognised: eip_form (对照考核表), plan (主要指标表), review (规划完成情况表), statistics (统计数据表), targets (年度目标表), registry (园区登记表)",
            ),
            ("layout", "varchar", "版式 statistics layout: long or wide"),
            ("park_name", "varchar", "园区名称 park name exactly as written (canonical names are in the marts)"),
            (
                "park_key",
                "varchar",
                "园区键 the park name as a key: half-width, no spaces (matched against the registry's names and aliases)",
            ),
            ("year", "integer", "年份 data year of the value"),
            ("category", "varchar", "分类 category as written (forms, plans)"),
            ("seq_no", "integer", "序号 indicator number (HJ 274 forms, plans)"),
            ("row_kind", "varchar", "行类型 form row kind: component (raw data row) or indicator"),
            ("label", "varchar", "指标 label as written"),
            ("label_key", "varchar", "指标键 label for joins: half-width, no spaces, no trailing *, no bracketed unit"),
            ("unit", "varchar", "单位 unit as written"),
            ("value_text", "varchar", "原文 the cell's text as written (NULL for a plain number cell: see value)"),
            ("value", "double", "数值 the number, in the unit as written; percentages in percentage points"),
            (
                "value_kind",
                "varchar",
                "值类型 number, marker, not_reported, not_applicable, blank, masked, text, date, formula_no_cache, invalid",
            ),
            ("is_masked", "boolean", "是否打码 digits masked in the source (**.*)"),
            ("number_format", "varchar", "数字格式 the cell's number format where it matters (percent)"),
            ("requirement", "varchar", "要求 requirement as written (forms)"),
            ("selection", "varchar", "是否选为考核指标 selection as written (forms)"),
            ("planning_base_year", "integer", "规划基准年 planning base year stated on the form"),
            ("report_date", "date", "填报时间 report date of the form"),
            ("plan_name", "varchar", "规划 plan name (十四五)"),
            ("base_year", "integer", "基准年 plan base year (year of the 完成值 column)"),
            ("target_year", "integer", "目标年 plan target year"),
            ("value_role", "varchar", "值角色 actual, base (plan base-year value) or target"),
            ("attribute", "varchar", "指标属性 预期性 (expected) or 约束性 (binding)"),
            ("target_text", "varchar", "目标 target text as written (yearly targets)"),
            ("note", "varchar", "备注 note as written (预计 = preliminary)"),
            (
                "duplicate_of",
                "varchar",
                "重复于 when this (park, year, label) repeats an earlier cell of the same file: that cell (sheet!A1); the earlier one is used",
            ),
            ("load_seq", "bigint", "载入序号 load order of the file (a later load supersedes an earlier one)"),
            ("run_id", "varchar", "运行编号 the build that loaded the file"),
            ("loaded_at", "timestamp", "载入时间 when the file was loaded"),
        ],
    ),
    ("audit", "files"): (
        "文件登记 file registry: one row per file seen in INBOX and what the ingest did with it.",
        [
            ("load_seq", "bigint", "载入序号 load order (NULL unless loaded)"),
            ("file_name", "varchar not null", "文件名 path relative to INBOX (undecodable bytes shown as \\x..)"),
            ("file_sha256", "varchar not null", "文件指纹 SHA-256 of the bytes (empty for an entry that could not be read)"),
            ("file_size", "bigint", "文件大小 size in bytes"),
            (
                "status",
                "varchar not null",
                "状态 loaded, duplicate (the same bytes as a loaded file, or the same content as the latest file loaded for the same parks and years) or rejected; superseded files are shown in marts.submissions",
            ),
            ("message", "varchar", "说明 why rejected, or which sheets were skipped"),
            ("templates", "varchar", "模板 templates found, comma-separated"),
            ("park_names", "varchar", "园区 park names as written, comma-separated"),
            ("n_sheets", "integer", "工作表数 sheets loaded"),
            ("n_observations", "integer", "观测值数 value cells loaded"),
            ("set_aside_as", "varchar", "隔离位置 where a rejected file was moved (relative to INBOX)"),
            ("run_id", "varchar", "运行编号 the build that saw the file"),
            ("first_seen_at", "timestamp", "首次发现 when the file was first seen"),
            ("loaded_at", "timestamp", "载入时间 when it was loaded"),
            (
                "content_sha256",
                "varchar",
                "内容指纹 SHA-256 of what the file says (every value cell by template, park, year and indicator, not by position): the same form re-saved or exported has the same content",
            ),
            ("scope_sha256", "varchar", "范围指纹 SHA-256 of the templates, parks and years the file speaks for"),
        ],
    ),
    ("audit", "sheets"): (
        "工作表登记 sheet registry: every sheet of every file loaded, with the template recognised or why it was skipped.",
        [
            ("file_name", "varchar", "文件名 file name"),
            ("file_sha256", "varchar", "文件指纹 SHA-256 of the file"),
            ("sheet", "varchar", "工作表 sheet name"),
            ("sheet_index", "integer", "工作表序号 position in the workbook"),
            ("template", "varchar", "模板 template recognised (NULL when skipped)"),
            ("park_name", "varchar", "园区名称 park as written"),
            ("year", "integer", "年份 data year (forms, targets)"),
            ("plan_name", "varchar", "规划 plan name (plans)"),
            ("status", "varchar", "状态 loaded or skipped"),
            ("message", "varchar", "说明 why skipped"),
            ("n_observations", "integer", "观测值数 value cells"),
        ],
    ),
    ("audit", "findings"): (
        "单元格问题 cell-level findings of the ingest: masked digits, formulas without a value, text or NaN where a number belongs, repeated figures, sheets that could not be parsed.",
        [
            ("run_id", "varchar", "运行编号 build that found it"),
            ("file_name", "varchar", "文件名 file"),
            ("file_sha256", "varchar", "文件指纹 SHA-256 of the file"),
            ("sheet", "varchar", "工作表 sheet (NULL: the whole file)"),
            ("cell", "varchar", "单元格 A1 cell (NULL: the whole sheet)"),
            ("severity", "varchar", "级别 info, warning or error"),
            (
                "code",
                "varchar",
                "代码 masked, formula_no_cache, not_a_number, not_finite, duplicate_figure, sheet_error, unregistered_park, …",
            ),
            ("message", "varchar", "说明 what to look at, for a person"),
            ("found_at", "timestamp", "发现时间 when"),
        ],
    ),
    ("audit", "quarantine"): (
        "隔离 park-years kept out of the marts by a row-level failure of the quality gate. Active until new data for the park-year arrives and passes.",
        [
            ("run_id", "varchar", "运行编号 build that quarantined it"),
            ("park_name", "varchar", "园区名称 canonical park name"),
            ("year", "integer", "年份 data year"),
            ("suite", "varchar", "检查套件 suite that failed"),
            ("expectation", "varchar", "检查项 level of the failure (row-level)"),
            ("reason", "varchar", "原因 every failing check, with value and cell"),
            ("quarantined_at", "timestamp", "隔离时间 when"),
            ("released_run_id", "varchar", "解除运行 build whose new data released it (NULL while active)"),
        ],
    ),
    ("audit", "runs"): (
        "运行记录 one row per build: status, exit code, counts, timings, report.",
        [
            ("run_id", "varchar", "运行编号 build id (UTC time and a random suffix)"),
            ("started_at", "timestamp", "开始 start time (local)"),
            ("finished_at", "timestamp", "结束 end time (local)"),
            ("status", "varchar", "状态 published, nothing new, blocked, not published (see message), failed"),
            ("exit_code", "integer", "退出码 exit code of parks build (README)"),
            ("files_loaded", "integer", "载入文件数 files loaded"),
            ("files_duplicate", "integer", "重复文件数 files with the bytes of a loaded one"),
            ("files_rejected", "integer", "拒收文件数 files rejected and set aside"),
            ("observations_loaded", "bigint", "观测值数 value cells loaded"),
            ("quarantined_park_years", "integer", "隔离园区年数 park-years quarantined by this run"),
            ("expectations_evaluated", "integer", "检查项数 expectations evaluated"),
            ("expectations_failed", "integer", "失败检查项数 expectations failed"),
            ("validation_seconds", "double", "校验耗时 seconds spent in the quality gate"),
            ("build_seconds", "double", "总耗时 seconds for the whole build"),
            ("report_path", "varchar", "报告 path of the run's report"),
            ("message", "varchar", "说明 why blocked or not published"),
            ("code_hash", "varchar", "规则版本 hash of models, macros, seeds and the registry the marts were built with"),
            ("full_refresh", "boolean", "全量重建 the marts were rebuilt whole (first build, or rules changed)"),
            ("timings", "varchar", "分阶段耗时 seconds per stage, JSON"),
            ("published_file", "varchar", "发布文件 identity of the serving file published (device:inode:size:mtime)"),
        ],
    ),
    ("audit", "dq_results"): (
        "质量检查结果 every expectation evaluated by the quality gate, per run and gate pass.",
        [
            ("run_id", "varchar", "运行编号 build"),
            ("suite", "varchar", "检查套件 suite (the table or metric validated)"),
            ("expectation", "varchar", "检查项 Great Expectations expectation type"),
            ("column", "varchar", "列 column checked"),
            ("level", "varchar", "级别 table (blocks or rejects a file), row (quarantines park-years), warn (reported)"),
            ("success", "boolean", "通过 passed"),
            ("observed", "varchar", "观测值 observed value or count of unexpected rows"),
            ("unexpected_count", "bigint", "异常行数 rows that failed"),
            (
                "failing_rows_sample",
                "varchar",
                "异常样本 JSON sample of failing rows, with park, year, indicator, value and file!sheet!cell",
            ),
            ("kwargs", "varchar", "参数 the expectation's arguments, JSON"),
            ("pass", "integer", "轮次 gate pass (a quarantine or rejection makes dbt run again)"),
        ],
    ),
    ("audit", "table_counts"): (
        "表行数 rows per published table after each committed build (the gate compares with the last one).",
        [
            ("run_id", "varchar", "运行编号 build"),
            ("table_name", "varchar", "表 schema.table"),
            ("row_count", "bigint", "行数 rows"),
        ],
    ),
}

# Private to the build (never published): what this run changed, for the incremental models.
BUILD_DDL = """
create schema if not exists build;
create table if not exists build.context (run_id varchar, full_refresh boolean);
create table if not exists build.pending_files (file_sha256 varchar, park_name varchar, reason varchar);
create table if not exists build.park_registry_extra (park_name varchar, aliases varchar, park_type varchar,
    planning_base_year integer, region_class varchar, dominant_industry varchar, currency varchar, source varchar);
create table if not exists build.history_schema (fingerprint varchar);
"""


# raw.observations is the interface (one row per value cell, every column above); it is a view over
# three tables. Statistics sheets hold nearly all cells and fill few columns: their cells are stored
# narrow (raw.statistics_cells), what is constant over a sheet once (raw.statistics_sheets), and the
# A1 reference and the masked flag are derived from the columns they come from. Writing a column
# costs DuckDB time even when it is NULL or constant: this keeps the nightly ingest of provincial
# workbooks fast. Every other template is stored whole in raw.form_cells.
OBSERVATIONS = ("raw", "observations")
STATISTICS_SHEET_COLUMNS = [
    "load_seq",
    "sheet_index",
    "file_name",
    "file_sha256",
    "sheet",
    "template",
    "layout",
    "value_role",
    "run_id",
    "loaded_at",
]
STATISTICS_CELL_COLUMNS = [
    "load_seq",
    "sheet_index",
    "row_no",
    "col_no",
    "park_name",
    "park_key",
    "year",
    "label",
    "label_key",
    "unit",
    "value_text",
    "value",
    "value_kind",
    "number_format",
    "note",
    "duplicate_of",
]
DERIVED = {  # columns of the view computed from stored ones (the same as the parser computes them)
    "cell": """(case when c.col_no <= 26 then chr(64 + c.col_no)
                 when c.col_no <= 702 then chr(64 + (c.col_no - 1) // 26) || chr(65 + (c.col_no - 1) % 26)
                 else chr(64 + (c.col_no - 1) // 676) || chr(65 + ((c.col_no - 1) // 26 - 1) % 26)
                      || chr(65 + (c.col_no - 1) % 26) end) || c.row_no""",
    "is_masked": "c.value_kind = 'masked'",
}
PHYSICAL = {
    ("raw", "form_cells"): "原始观测值（表式）value cells of forms, plans, targets and registries (and of statistics "
    "written by versions before 2.1), all columns of raw.observations. Query raw.observations.",
    ("raw", "statistics_cells"): "原始观测值（统计）value cells of statistics sheets, the columns that vary by cell. "
    "Query raw.observations.",
    ("raw", "statistics_sheets"): "统计表工作表 one row per statistics sheet loaded: what is the same for all its cells. "
    "Query raw.observations.",
}


def _columns(table: tuple[str, str]) -> list[tuple[str, str, str]]:
    return TABLES[table][1]


def _types() -> dict[str, str]:
    return {c: t.replace(" not null", "") for c, t, _ in _columns(OBSERVATIONS)}


def _physical_columns(table: tuple[str, str]) -> list[tuple[str, str, str]]:
    cols = _columns(OBSERVATIONS)
    if table == ("raw", "form_cells"):
        return cols
    names = STATISTICS_CELL_COLUMNS if table == ("raw", "statistics_cells") else STATISTICS_SHEET_COLUMNS
    by_name = {c: (c, t, cm) for c, t, cm in cols}
    return [by_name[n] for n in names]


def observations_view() -> str:
    types = _types()
    stats = []
    for c, _, _ in _columns(OBSERVATIONS):
        if c in KEY_OF_NAME:
            stats.append(f'coalesce(c."{c}", c."{KEY_OF_NAME[c]}") as "{c}"')
        elif c in STATISTICS_CELL_COLUMNS:
            stats.append(f'c."{c}"')
        elif c in STATISTICS_SHEET_COLUMNS:
            stats.append(f's."{c}"')
        elif c in DERIVED:
            stats.append(f'{DERIVED[c]} as "{c}"')
        else:
            stats.append(f'null::{types[c]} as "{c}"')
    names = ", ".join(f'"{c}"' for c, _, _ in _columns(OBSERVATIONS))
    return (
        f"create or replace view raw.observations as\nselect {names} from raw.form_cells\nunion all\n"
        f"select {', '.join(stats)}\nfrom raw.statistics_cells c\n"
        f"join raw.statistics_sheets s on s.load_seq = c.load_seq and s.sheet_index = c.sheet_index"
    )


def ddl() -> str:
    out = ["create schema if not exists raw;", "create schema if not exists audit;"]
    tables = [t for t in TABLES if t != OBSERVATIONS] + list(PHYSICAL)
    for table in tables:
        cols = _physical_columns(table) if table in PHYSICAL else _columns(table)
        body = ",\n    ".join(f'"{c}" {t}' for c, t, _ in cols)
        out.append(f"create table if not exists {table[0]}.{table[1]} (\n    {body}\n);")
    return "\n".join(out) + BUILD_DDL


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_sql() -> list[str]:
    out = []
    for (schema, table), (tcomment, cols) in TABLES.items():
        kind = "view" if (schema, table) == OBSERVATIONS else "table"
        out.append(f"comment on {kind} {schema}.{table} is {lit(tcomment)}")
        out += [f'comment on column {schema}.{table}."{c}" is {lit(cm)}' for c, _, cm in cols]
    for (schema, table), tcomment in PHYSICAL.items():
        out.append(f"comment on table {schema}.{table} is {lit(tcomment)}")
        out += [f'comment on column {schema}.{table}."{c}" is {lit(cm)}' for c, _, cm in _physical_columns((schema, table))]
    return out


def fingerprint() -> str:
    """What ensure() writes, as a hash: recorded in the history, so that a build whose schema is the
    history's already skips it (re-creating the view alone costs a 0.7 s checkpoint of a 1 GiB file)."""
    text = "\n".join([ddl(), observations_view(), *comment_sql()])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create what is missing and add columns a newer version introduced (history files live for
    years; a column added since is NULL in old rows). A history from before 2.1 kept every cell in
    the table raw.observations: it becomes raw.form_cells, and raw.observations the view over all."""
    mark = fingerprint()
    try:
        if con.execute("select fingerprint from build.history_schema").fetchall() == [(mark,)]:
            return
    except duckdb.CatalogException:
        pass  # a history written before the fingerprint was recorded
    old = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'observations' "
        "and database_name = current_database()"
    ).fetchone()
    if old and old[0]:
        con.execute("alter table raw.observations rename to form_cells")
    con.execute(ddl())
    physical = [t for t in TABLES if t != OBSERVATIONS] + list(PHYSICAL)
    for table in physical:
        schema, name = table
        have = {
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where schema_name=? and table_name=? "
                "and database_name=current_database()",
                [schema, name],
            ).fetchall()
        }
        for c, t, _ in _physical_columns(table) if table in PHYSICAL else _columns(table):
            if c not in have:
                con.execute(f'alter table {schema}.{name} add column "{c}" {t.replace(" not null", "")}')
    con.execute(observations_view())
    for stmt in comment_sql():
        con.execute(stmt)
    con.execute("delete from build.history_schema")
    con.execute("insert into build.history_schema values (?)", [mark])


RAW_COLUMNS = [c for c, _, _ in TABLES[("raw", "observations")][1]]
