"""What people take away from a published build: the assessment workbooks (official layout), the
overview page, Parquet of every mart. Built from the bundled samples with the real `parks build`;
the workbooks are read back with openpyxl (and with our own parser, through calamine) and compared
with the marts and with numbers worked out by hand."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from ingest.parsing import parse_workbook
from ingest.report.labels import load
from tests.support import ROOT, SAMPLES, out, q, run_build

ZJG = "张家港经济技术开发区"
L = load()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("exports")
    shutil.copytree(SAMPLES, tmp / "inbox")
    wh = tmp / "wh" / "parks.duckdb"
    proc = run_build(tmp / "inbox", wh, tmp / "reports")
    assert proc.returncode == 0, out(proc)
    return {"wh": wh, "exports": tmp / "exports", "reports": tmp / "reports"}


def rows(wh: Path, sql: str, params: list | None = None) -> list[dict]:
    import duckdb

    with duckdb.connect(str(wh), read_only=True) as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def indicator_rows(ws) -> dict[int, tuple]:
    """Indicator lines of a form sheet (those carrying a verdict), by 序号; 序号 is merged upwards."""
    found, seq = {}, None
    for r in ws.iter_rows(min_row=6, values_only=True):
        if isinstance(r[0], str) and r[0].startswith(L("note.prefix")):
            break
        seq = r[1] if r[1] is not None else seq
        if r[8]:
            found[seq] = r
    return found


def test_every_park_with_something_to_assess_gets_a_workbook_with_form_plan_and_target_sheets(built):
    parks = [
        p
        for (p,) in q(
            built["wh"],
            """select park_name from marts.parks where park_name in (
                                                select park_name from marts.system_assessment union
                                                select park_name from marts.plan_progress union
                                                select park_name from marts.target_tracking)""",
        )
    ]
    books = sorted(p.name for p in (built["exports"] / "assessment").glob("*.xlsx"))
    assert books == sorted(f"{p}.xlsx" for p in parks) == ["吴江区.xlsx", f"{ZJG}.xlsx", "示例高新区.xlsx"]
    wb = openpyxl.load_workbook(built["exports"] / "assessment" / f"{ZJG}.xlsx")
    assert wb.sheetnames == ["2019年", L("plan.sheet"), L("target.sheet")]


def test_form_sheet_has_the_official_layout_of_the_sample(built):
    """Title, park, year lines, the header of template A, and the category and indicator cells merged
    exactly as in the form the park filed."""
    ws = openpyxl.load_workbook(built["exports"] / "assessment" / f"{ZJG}.xlsx")["2019年"]
    sample = openpyxl.load_workbook(SAMPLES / "对照考核表_张家港经开区_2019.xlsx")["2019年"]
    assert L("form.title.hj274_2015") in ws["A1"].value
    assert ws["A3"].value == L("form.park", park=ZJG)
    assert ws["A4"].value.startswith(L("form.year", year=2019))
    header = [c.value for c in ws[5]]
    assert header[:7] == ["分类", "序号", "指标", "单位", "要求", "是否选为考核指标", "数值"]

    def body_merges(sheet, cols: str) -> set[str]:
        return {str(r) for r in sheet.merged_cells.ranges if str(r)[0] in cols and r.min_row > 5}

    assert body_merges(ws, "AB") == body_merges(sample, "AB")


def test_exported_form_reads_back_as_the_form_that_was_filed(built):
    """Our own parser (calamine) recognises the exported sheet as template A and finds every value
    cell of the filed form, in the same cell, with the same label, value, requirement and selection.
    The one unit the park wrote as '-' comes back in the standard's unit."""
    filed = parse_workbook((SAMPLES / "对照考核表_张家港经开区_2019.xlsx").read_bytes())[0]
    exported = parse_workbook((built["exports"] / "assessment" / f"{ZJG}.xlsx").read_bytes())
    form = next(s for s in exported if s.template == "eip_form")
    assert (form.park_name, filed.park_name) == (ZJG, ZJG)

    def key(o):
        return (o.label, o.value, o.seq_no, o.requirement, o.selection, o.category)

    assert {o.cell: key(o) for o in form.observations} == {o.cell: key(o) for o in filed.observations}
    units = {
        o.cell: o.unit for o in form.observations if o.unit != next(f.unit for f in filed.observations if f.cell == o.cell)
    }
    assert units == {"G51": "%"}


def test_form_values_verdicts_and_gaps_equal_the_marts(built):
    ws = openpyxl.load_workbook(built["exports"] / "assessment" / f"{ZJG}.xlsx")["2019年"]
    lines = indicator_rows(ws)
    marts = rows(
        built["wh"],
        "select * from marts.system_assessment where park_name = ? and system_code = 'hj274_2015' "
        "and year = 2019 order by seq_no",
        [ZJG],
    )
    assert sorted(lines) == [m["seq_no"] for m in marts] == list(range(1, 33))
    for m in marts:
        r = lines[m["seq_no"]]
        assert r[2].rstrip("*") == m["indicator_name"]
        assert r[6] == (m["reported_value"] if m["reported_value"] is not None else m["value_text"])
        assert r[7] == pytest.approx(m["computed_value"]) if m["computed_value"] is not None else r[7] is None
        assert r[8] == L(f"status.{m['status']}")
        if m["gap_pass_value"] is not None:
            assert r[9] == pytest.approx(m["gap_pass_value"] - m["gap_current_value"])
    v = rows(built["wh"], "select * from marts.system_verdict where park_name = ? and system_code = 'hj274_2015'", [ZJG])[0]
    assert (ws["G4"].value, ws["H4"].value) == (L("verdict.label"), L(f"verdict.{v['verdict']}"))


def test_form_numbers_worked_out_by_hand(built):
    """Indicator 2: 985 600 万元 / 52 300 人. Indicator 3 fails (≥15 %): value added must reach
    1 012 300 × 1.15³ = 1 539 581.7625 万元, a gap of 553 981.7625 万元."""
    lines = indicator_rows(openpyxl.load_workbook(built["exports"] / "assessment" / f"{ZJG}.xlsx")["2019年"])
    assert lines[2][7] == pytest.approx(985600 / 52300)
    assert lines[3][8] == L("status.fail")
    assert lines[3][9] == pytest.approx(1012300 * 1.15**3 - 985600)
    assert "1,539,581.76" in lines[3][10]


def test_verdicts_carry_conditional_formatting(built):
    ws = openpyxl.load_workbook(built["exports"] / "assessment" / f"{ZJG}.xlsx")["2019年"]
    ranges = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    column = next(v for k, v in ranges.items() if k.startswith("I6:"))
    assert f'"{L("status.pass")}"' in column and f'"{L("status.fail")}"' in column
    assert f'"{L("verdict.pass")}"' in ranges["H4"]


def test_plan_and_target_sheets_equal_the_marts(built):
    plan = rows(built["wh"], "select * from marts.plan_progress where park_name = '示例高新区'")
    ws = openpyxl.load_workbook(built["exports"] / "assessment" / "示例高新区.xlsx")[L("plan.sheet")]
    got = {r[3]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert len(got) == len(plan) > 0
    for p in plan:
        r = got[p["indicator_name"]]
        assert (r[10], r[18]) == (p["latest_year"], L(f"plan.status.{p['status']}"))
        for col, name in (
            (11, "latest_value"),
            (12, "progress"),
            (14, "path_value"),
            (15, "remaining"),
            (17, "required_rate"),
        ):
            assert r[col] == (pytest.approx(p[name]) if p[name] is not None else None)

    targets = rows(built["wh"], "select * from marts.target_tracking where park_name = '吴江区'")
    ws = openpyxl.load_workbook(built["exports"] / "assessment" / "吴江区.xlsx")[L("target.sheet")]
    assert ws["A2"].value == L("target.counts", met=0, missed=0, unjudged=12)  # no 2024 figures yet
    got = {(r[0], r[1]): r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert len(got) == len(targets) > 0
    for t in targets:
        r = got[(t["year"], t["indicator_name"])]
        met = "target.met.null" if t["met"] is None else f"target.met.{str(t['met']).lower()}"
        assert (r[2], r[5], r[6]) == (t["target_text"], t["actual_value"], L(met))
    # a park without plan gets the sheet, saying so
    ws = openpyxl.load_workbook(built["exports"] / "assessment" / f"{ZJG}.xlsx")[L("plan.sheet")]
    assert ws["A3"].value == L("plan.empty")


def test_parquet_of_every_mart(built):
    marts = {
        t: n
        for t, n in q(
            built["wh"],
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' "
            "union all select view_name, null from duckdb_views() where schema_name = 'marts'",
        )
    }
    folders = {p.name: p for p in (built["exports"] / "parquet").iterdir() if p.is_dir()}
    assert set(folders) == set(marts)
    for name, folder in folders.items():
        parts = list(folder.glob("part-*.parquet"))
        assert sum(pq.read_metadata(p).num_rows for p in parts) == q(built["wh"], f"select count(*) from marts.{name}")[0][0]
    # a mart by park: each park's rows in the part of the first hex digit of md5(park name)
    from ingest.report.exports import part_of

    for park in ("吴江区", ZJG, "示例高新区"):
        t = pq.read_table(folders["parks"] / f"part-{part_of(park)}.parquet")
        assert park in set(t.column("park_name").to_pylist())


def test_an_empty_mart_is_a_parquet_file_with_its_columns(built):
    """On the samples every park is registered: unregistered_parks has no rows, and its folder still
    answers a query (the README's example), with the mart's columns."""
    import duckdb

    assert q(built["wh"], "select count(*) from marts.unregistered_parks") == [(0,)]
    folder = built["exports"] / "parquet" / "unregistered_parks"
    with duckdb.connect() as con:
        cur = con.execute(f"select * from '{folder}/*.parquet'")
        assert cur.fetchall() == []
        cols = [d[0] for d in cur.description]
    assert cols == [
        c
        for (c,) in q(
            built["wh"],
            "select column_name from duckdb_columns() where schema_name = 'marts' "
            "and table_name = 'unregistered_parks' order by column_index",
        )
    ]


def test_overview_page_is_self_contained_and_shows_every_park(built):
    page = (built["reports"] / "latest" / "overview.html").read_text(encoding="utf-8")
    assert "<script" not in page
    urls = set(re.findall(r"""(?:href|src)=["']([^"'#][^"']*)""", page))
    assert not urls, urls
    for (park,) in q(built["wh"], "select park_name from marts.parks"):
        assert park in page
    assert page.count("<svg") >= 20  # trend charts of the form's indicators, the plan bars
    assert L("overview.matrix") in page and L("plan.status.behind") in page
    index = (built["reports"] / "latest" / "index.html").read_text(encoding="utf-8")
    assert "overview.html" in index


def test_make_export_writes_everything_on_demand(built, tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "export", "--warehouse", str(built["wh"]), "--exports", str(tmp_path / "x")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "x" / "overview.html").is_file()
    assert len(list((tmp_path / "x" / "assessment").glob("*.xlsx"))) == 3
    missing = subprocess.run(
        [sys.executable, "-m", "ingest", "export", "--warehouse", str(tmp_path / "none.duckdb")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 15 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_a_build_with_more_workbooks_than_export_parks_leaves_them_to_parks_export(tmp_path):
    """A national rebuild would spend many minutes on workbooks: past EXPORT_PARKS the build writes
    the Parquet, says so, and `parks export` writes every workbook."""
    import json
    import subprocess
    import sys

    shutil.copytree(SAMPLES, tmp_path / "inbox")
    wh = tmp_path / "wh" / "parks.duckdb"
    proc = run_build(tmp_path / "inbox", wh, tmp_path / "reports", "--json", env={"EXPORT_PARKS": "2"})
    assert proc.returncode == 0, out(proc)
    summary = json.loads(proc.stdout)
    assert any("3 parks changed, more than EXPORT_PARKS=2" in w and "parks export" in w for w in summary["warnings"])
    exports = tmp_path / "exports"
    assert not list((exports / "assessment").glob("*.xlsx")) and list(
        (exports / "parquet" / "eip_verdict").glob("*.parquet")
    )
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "export", "--warehouse", str(wh), "--exports", str(exports)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert len(list((exports / "assessment").glob("*.xlsx"))) == 3


def test_workbooks_fetched_a_few_parks_at_a_time_are_the_ones_the_build_wrote(built, tmp_path, monkeypatch):
    """`parks export` of a national warehouse holds the rows of a batch of parks, not of all of them:
    batches of one park give the same sheets and figures."""
    from ingest.report import workbook
    from ingest.warehouse.state import connect

    monkeypatch.setattr(workbook, "BATCH", 1)
    con = connect(built["wh"], read_only=True)
    try:
        written = workbook.write(con, tmp_path)
    finally:
        con.close()
    assert sorted(p.name for p in written) == sorted(p.name for p in (built["exports"] / "assessment").glob("*.xlsx"))
    for path in written:
        ours, builds = openpyxl.load_workbook(path), openpyxl.load_workbook(built["exports"] / "assessment" / path.name)
        assert ours.sheetnames == builds.sheetnames
        for a, b in zip(ours.worksheets, builds.worksheets):
            figures = [[(c.coordinate, c.value) for c in row if isinstance(c.value, int | float)] for row in a.iter_rows()]
            assert figures == [
                [(c.coordinate, c.value) for c in row if isinstance(c.value, int | float)] for row in b.iter_rows()
            ]
