"""The serving file for every client: DuckDB 1.0.0 reads every published relation and SQLAlchemy
(duckdb-engine, as Superset uses it) reflects every column with a concrete type; no nested types;
every table and column documented; every example query returns rows on the samples."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from tests.support import ROOT, copy_samples, out, q, run_build

OLD_CLIENT = {"duckdb": "1.0.0", "duckdb-engine": "0.17.0", "sqlalchemy": "1.4.54"}
# what Superset 4/5 and a Jupyter notebook install today: SQLAlchemy 2.0 (2.1 fails to reflect any
# DuckDB file: duckdb-engine asks for pg_catalog.pg_collation), with pandas on top
NOTEBOOK_CLIENT = {"duckdb": "1.4.5", "duckdb-engine": "0.17.0", "sqlalchemy": "2.0.44", "pandas": "2.3.3"}
PUBLISHED = ("raw", "audit", "reference", "marts")


@pytest.fixture(scope="module")
def wh(tmp_path_factory, samples_dir):
    tmp = tmp_path_factory.mktemp("clients")
    inbox = copy_samples(tmp / "inbox")
    wh = tmp / "wh" / "parks.duckdb"
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)
    return wh


def old_client_python(pins: dict[str, str] = OLD_CLIENT) -> Path:
    """A virtualenv of its own with a client we support (kept between runs)."""
    tag = "-".join(f"{k}{v}" for k, v in pins.items())
    venv = Path(tempfile.gettempdir()) / f"parks-old-client-{tag}"
    py = venv / "bin" / "python"
    if not (venv / ".ready").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        r = subprocess.run(
            [
                str(py),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *[f"{k}=={v}" for k, v in pins.items()],
            ],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        (venv / ".ready").write_text("ok")
    return py


READ_EVERYTHING = """
import json, sys
import duckdb
from sqlalchemy import create_engine, inspect
path = sys.argv[1]
con = duckdb.connect(path, read_only=True)
tables = con.execute("select table_schema, table_name from information_schema.tables "
                     "where table_schema in ('raw', 'audit', 'reference', 'marts') order by 1, 2").fetchall()
rows = {f"{s}.{t}": len(con.execute(f'select * from "{s}"."{t}"').fetchall()) for s, t in tables}
con.close()
engine = create_engine("duckdb:///" + path, connect_args={"read_only": True})
ins = inspect(engine)
types = {}
for s in ("raw", "audit", "reference", "marts"):
    for t in ins.get_table_names(schema=s) + ins.get_view_names(schema=s):
        for c in ins.get_columns(t, schema=s):
            types[f"{s}.{t}.{c['name']}"] = type(c["type"]).__name__
print(json.dumps({"version": duckdb.__version__, "rows": rows, "types": types}))
"""


def test_every_relation_reads_in_duckdb_1_0_and_reflects_with_concrete_types(wh):
    py = old_client_python()
    r = subprocess.run([str(py), "-c", READ_EVERYTHING, str(wh)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout)
    assert got["version"] == OLD_CLIENT["duckdb"]
    current = {
        f"{s}.{t}"
        for s, t in q(
            wh,
            """select table_schema, table_name from information_schema.tables
                                              where table_schema in ('raw', 'audit', 'reference', 'marts')""",
        )
    }
    assert set(got["rows"]) == set(current) and len(current) > 30
    assert got["rows"]["marts.eip_assessment"] == 32 and got["rows"]["raw.observations"] == 169
    untyped = {c: t for c, t in got["types"].items() if t in ("NullType", "NULLTYPE")}
    assert not untyped
    assert (
        len(got["types"])
        == q(wh, "select count(*) from duckdb_columns() where schema_name in ('raw', 'audit', 'reference', 'marts')")[0][0]
    )


NOTEBOOK = """
import json, sys
import pandas as pd
from sqlalchemy import create_engine, inspect, text
engine = create_engine("duckdb:///" + sys.argv[1], connect_args={"read_only": True})
ins = inspect(engine)
with engine.connect() as c:
    query = pd.read_sql(text("select * from marts.eip_verdict"), c)
    table = pd.read_sql_table("eip_assessment", c, schema="marts")
print(json.dumps({"tables": sorted(ins.get_table_names(schema="marts")), "query": len(query), "table": len(table)}))
"""


def test_superset_and_jupyter_read_the_file_with_sqlalchemy_2_0(wh):
    """The README's recipe: reflection (Superset's dataset editor) and pandas, both ways."""
    py = old_client_python(NOTEBOOK_CLIENT)
    r = subprocess.run([str(py), "-c", NOTEBOOK, str(wh)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout)
    assert "eip_verdict" in got["tables"] and got["query"] == 1 and got["table"] == 32


def test_published_relations_are_flat_and_in_the_old_storage_format(wh):
    nested = q(
        wh,
        """select schema_name, table_name, column_name, data_type from duckdb_columns()
                      where schema_name in ('raw', 'audit', 'reference', 'marts')
                        and (data_type like '%[]' or data_type like 'STRUCT%' or data_type like 'MAP%'
                             or data_type like 'UNION%')""",
    )
    assert nested == []
    with duckdb.connect(str(wh), read_only=True) as con:
        tags = con.execute("select tags from duckdb_databases() where database_name = current_database()").fetchall()
    assert tags[0][0].get("storage_version", "").startswith("v1.0.0")
    # only the published schemas: the build's own (staging, intermediate, build) stay in the history store
    schemas = {s for (s,) in q(wh, "select distinct schema_name from duckdb_tables()")}
    assert schemas <= set(PUBLISHED)


def test_every_table_and_column_is_documented(wh):
    undocumented = q(
        wh,
        """select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()
                            where schema_name in ('raw', 'audit', 'reference', 'marts')
                              and (comment is null or trim(comment) = '')""",
    )
    assert undocumented == []
    tables = q(
        wh,
        """select schema_name || '.' || table_name from duckdb_tables()
                      where schema_name in ('raw', 'audit', 'reference', 'marts') and (comment is null or trim(comment) = '')""",
    )
    assert tables == []
    unrendered = q(
        wh,
        r"""select schema_name || '.' || table_name || '.' || column_name, comment from duckdb_columns()
                           where schema_name in ('raw', 'audit', 'reference', 'marts')
                             and (comment like '%{{%' or comment like '%}}%' or regexp_matches(comment, '\bvar\s*\(')
                                  or comment = 'None')""",
    )
    assert unrendered == []


@pytest.mark.parametrize("analysis", sorted(p.name for p in (ROOT / "analyses").glob("*.sql")))
def test_every_example_query_returns_rows(wh, analysis):
    sql = (ROOT / "analyses" / analysis).read_text(encoding="utf-8")
    assert q(wh, sql), f"{analysis} returned no rows on the samples"


def test_readme_links_and_make_targets_resolve():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    import re

    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link
    targets = set(re.findall(r"^([a-z-]+):.*##", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    for target in re.findall(r"`make ([a-z-]+)", readme):
        assert target in targets, target


def test_dbt_docs_have_an_overview_and_exposures_and_generate_on_the_published_file(wh, tmp_path):
    """What `make docs` does, on the published file opened read-only (profile target serving)."""
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [
            str(dbt),
            "docs",
            "generate",
            "--profiles-dir",
            str(ROOT),
            "--project-dir",
            str(ROOT),
            "--target",
            "serving",
            "--target-path",
            str(tmp_path / "t"),
            "--log-path",
            str(tmp_path / "logs"),
            "--no-use-colors",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**__import__("os").environ, "DBT_DUCKDB_PATH": str(wh)},
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text(encoding="utf-8"))
    overview = next(
        d for d in manifest["docs"].values() if d["name"] == "__overview__" and d["package_name"] == "park_indicators"
    )
    for section in ("## Layers", "## How to query it", "## From a cell to a verdict"):
        assert section in overview["block_contents"]
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"load_report", "assessment_overview", "assessment_workbooks", "bi_dashboard"}
    assert all(e["depends_on"]["nodes"] for e in exposures.values())
    catalog = json.loads((tmp_path / "t" / "catalog.json").read_text(encoding="utf-8"))
    assert any(k.endswith(".system_verdict") for k in catalog["nodes"])
