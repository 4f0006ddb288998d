"""The indicator engine end to end: real workbooks → ingest → dbt build → published marts.

Expected numbers are worked out here from the formulas of domain.md with plain arithmetic, not read
back from the warehouse."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.support import ROOT, build_cmd
from tests.workbooks import form_rows, write_xlsx

EXPECTED = json.loads((ROOT / "tests" / "data" / "expected_zhangjiagang_2019.json").read_text(encoding="utf-8"))
ZJG = "张家港经济技术开发区"


def g(end: float, start: float, n: float) -> float:
    return (end / start) ** (1 / n) - 1


def shrinking_park_form() -> list[list]:
    """A park whose value added shrank 2014 → 2019: the elasticity requirements flip to ≥."""
    body = [
        ["经济发展", 2, "工业增加值", "万元", "-", "-", 800000],
        [None, None, "人均工业增加值", "万元/人", "≥15", "是", 18.85],  # employees missing
        ["资源节约", 10, "综合能耗总量", "吨标煤", "-", "-", 400000],
        [None, None, "规划基准年综合能耗总量", "吨标煤", "-", "-", 380000],
        [None, None, "规划基准年工业增加值", "亿元", "-", "-", 90],  # 亿元 → 900000 万元
        [None, None, "综合能耗弹性系数", "—", "…", "必选", None],
        [None, 13, "新鲜水资源消耗量", "万立方米", "-", "-", 500],
        [None, None, "规划基准年新鲜水资源消耗量", "万立方米", "-", "-", 700],
        [None, None, "新鲜水耗弹性系数", "—", "…", "必选", None],
        ["环境保护", 25, "化学需氧量排放量", "吨", "-", "-", 100],
        [None, None, "氨氮排放量", "吨", "-", "-", 10],
        [None, None, "二氧化硫排放量", "吨", "-", "-", 5],
        [None, None, "氮氧化物排放量", "吨", "-", "-", 8],
        [None, None, "规划基准年化学需氧量排放量", "吨", "-", "-", 120],
        [None, None, "规划基准年氨氮排放量", "吨", "-", "-", 10],
        [None, None, "规划基准年二氧化硫排放量", "吨", "-", "-", 4],
        [None, None, "规划基准年氮氧化物排放量", "吨", "-", "-", 9],
        [None, None, "主要污染物排放弹性系数", "—", "…", "必选", None],
        [None, 26, "二氧化碳排放量", "吨", "-", "-", 1000],
        [None, None, "规划基准年二氧化碳排放量", "吨", "-", "-", 0],  # zero base
        [None, None, "单位工业增加值二氧化碳排放量年均削减率*", "%", "≥3", "必选", None],
        [None, 29, "绿化覆盖率", "%", "≥15", "必选", "**.*%"],  # masked
    ]
    return form_rows("负增长园区", 2019, body, planning_base=2014)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, samples_dir) -> Path:
    tmp = tmp_path_factory.mktemp("e2e")
    inbox = tmp / "inbox"
    shutil.copytree(samples_dir, inbox)
    write_xlsx(inbox / "extra" / "form_shrinking.xlsx", {"2019": shrinking_park_form()})
    write_xlsx(
        inbox / "extra" / "plan_usd.xlsx",
        {
            "规划": [
                ["表2 美元园区“十四五”主要指标"],
                ["园区名称：美元园区"],
                ["类别", "序号", "指标", "2020年完成值", "2025年目标值", "指标属性"],
                ["开放", 1, "实际使用外资（亿美元）", 3, 5, "预期性"],
                [None, 2, "新兴产业产值（亿元）", 0, 100, "预期性"],
                [None, 3, "工业增加值（万元）", 4000000, 6000000, "预期性"],
            ]
        },
    )
    write_xlsx(
        inbox / "extra" / "stats_usd.xlsx",
        {
            "s": [
                ["园区名称", "年份", "指标", "单位", "数值", "备注"],
                ["美元园区", 2023, "实际使用外资", "亿元", 30, None],
                ["美元园区", 2023, "新兴产业产值", "亿元", 50, None],
                ["美元园区", 2023, "工业增加值", "亿元", 500, None],
                ["吴江区", 2023, "地区生产总值增速", "%", 4.5, None],
                ["吴江区", 2023, "居民人均可支配收入增速", "%", 4.8, None],
                ["吴江区", 2023, "实际使用外资", "亿元", 40, None],
            ]
        },
    )
    write_xlsx(
        inbox / "extra" / "targets_2023.xlsx",
        {
            "t": [
                ["园区名称", "年份", "指标", "目标", "单位"],
                ["吴江区", 2023, "工业投资", "增长10%以上", "%"],
                ["吴江区", 2023, "规上工业总产值", "增长3%左右", "%"],
                ["吴江区", 2023, "高新技术产业产值占规上工业产值比重", "达52%", "%"],
                ["吴江区", 2023, "居民人均可支配收入", "与经济增长保持同步", "%"],
                ["吴江区", 2023, "实际使用外资", "超5亿美元", "亿美元"],
                ["吴江区", 2023, "一般公共预算收入", "增长6.1%以上", "%"],
            ]
        },
    )
    # an earlier, since corrected, form for the same park and year: superseded, never in the marts
    early = write_xlsx(
        inbox / "extra" / "zjg_2019_first_draft.xlsx",
        {
            "2019年": form_rows(
                ZJG,
                2019,
                [
                    ["经济发展", 2, "年末从业人口", "人", "-", "-", 1],
                    [None, None, "工业增加值", "万元", "-", "-", 1],
                    [None, None, "人均工业增加值", "万元/人", "≥15", "是", 1],
                ],
            )
        },
    )
    os.utime(early, (0, 0))  # oldest file of the inbox: loaded first
    wh = tmp / "wh" / "parks.duckdb"
    proc = subprocess.run(build_cmd(inbox, wh, tmp / "reports"), cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode in (0, 11), proc.stdout[-3000:] + proc.stderr[-3000:]
    return wh


@pytest.fixture(scope="module")
def con(warehouse):
    c = duckdb.connect(str(warehouse), read_only=True)
    yield c
    c.close()


def rows(con, sql, *params):
    cur = con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def test_zhangjiagang_matches_the_hand_computed_figures(con):
    got = {r["seq_no"]: r for r in rows(con, "select * from marts.eip_assessment where park_name=? and year=2019", ZJG)}
    assert len(got) == 32
    for no, e in EXPECTED["indicators"].items():
        r = got[int(no)]
        if isinstance(e["value"], (int, float)):
            assert r["value"] == pytest.approx(e["value"], rel=1e-6), no
        elif isinstance(e["value"], str):
            assert r["value_text"] == e["value"], no
        else:
            assert r["value"] is None, no
        assert r["passed"] == e["passed"], no
        assert r["mandatory"] == e["mandatory"] and r["selected"] == e["selected"], no
    v = rows(con, "select * from marts.eip_verdict where park_name=? and year=2019", ZJG)[0]
    assert v["passed"] is True and v["failed_seq_nos"] == "" and v["optional_selected"] == EXPECTED["optional_selected"]
    assert (v["mandatory_total"], v["mandatory_passed"]) == (17, 17)
    assert got[10]["va_growth"] == pytest.approx(EXPECTED["va_growth"], rel=1e-9)


def test_zhangjiagang_by_hand(con):
    got = {
        r["seq_no"]: r["value"] for r in rows(con, "select seq_no, value from marts.eip_assessment where park_name=?", ZJG)
    }
    va, va_base, n = 985600, 812400, 2019 - 2014
    assert got[2] == pytest.approx(985600 / 52300)
    assert got[8] == pytest.approx(98.56 / 8.6)  # 万元 → 亿元
    assert got[14] == pytest.approx(812.35 * 10000 / va)  # 万立方米 → 立方米
    assert got[15] == pytest.approx(100 * 65231000 / (65231000 + 8123500))
    assert got[10] == pytest.approx(g(412300, 398650.5, n) / g(va, va_base, n))
    worst = max(g(a, b, n) / g(va, va_base, n) for a, b in [(812.35, 905.62), (61.27, 70.15), (5.12, 6.48), (8.37, 9.02)])
    assert got[25] == pytest.approx(worst)
    assert got[26] == pytest.approx(100 * (1 - ((2354120 / va) / (2413060 / va_base)) ** (1 / n)))


def test_reconciliation_of_the_sample(con):
    rec = rows(con, "select * from marts.reconciliation where park_name=? order by seq_no", ZJG)
    # 19 indicators have a formula; 4 and 7 lack their components
    assert len(rec) == 17 and all(r["within_tolerance"] for r in rec)
    r2 = next(r for r in rec if r["seq_no"] == 2)
    assert r2["difference"] == pytest.approx(18.85 - 985600 / 52300)


def test_shrinking_value_added_flips_the_elasticity_requirement(con):
    got = {r["seq_no"]: r for r in rows(con, "select * from marts.eip_assessment where park_name='负增长园区'")}
    va_g = g(800000, 900000, 5)
    assert va_g < 0
    e10 = g(400000, 380000, 5) / va_g
    assert got[10]["value"] == pytest.approx(e10) and got[10]["comparator"] == ">="
    assert got[10]["passed"] is False and "flips" in got[10]["note"]  # −0.44 is not ≥ 0.6
    e13 = g(500, 700, 5) / va_g
    assert got[13]["value"] == pytest.approx(e13) and got[13]["passed"] is (e13 >= 0.55)
    # indicator 25: with value added shrinking, the worst pollutant is the smallest elasticity
    each = [g(100, 120, 5) / va_g, g(10, 10, 5) / va_g, g(5, 4, 5) / va_g, g(8, 9, 5) / va_g]
    assert got[25]["value"] == pytest.approx(min(each))
    assert got[25]["passed"] is False
    assert "二氧化硫" in got[25]["note"]


def test_zero_base_missing_components_and_masked_values(con):
    got = {r["seq_no"]: r for r in rows(con, "select * from marts.eip_assessment where park_name='负增长园区'")}
    assert got[26]["value"] is None and got[26]["passed"] is None
    assert "zero or negative" in got[26]["note"]
    # indicator 2: 年末从业人口 missing → the reported value is assessed, and the note says why
    assert got[2]["computed_value"] is None and got[2]["value"] == 18.85 and got[2]["passed"] is True
    assert "年末从业人口" in got[2]["note"]
    assert got[29]["value"] is None and got[29]["passed"] is None and "masked" in got[29]["note"]
    v = rows(con, "select * from marts.eip_verdict where park_name='负增长园区'")[0]
    failed = [int(x) for x in v["failed_seq_nos"].split(",")]
    unjudged = [int(x) for x in v["unjudged_seq_nos"].split(",")]
    assert v["passed"] is False and 10 in failed and 25 in failed
    assert 29 in unjudged and 26 in unjudged
    assert v["optional_selected"] == 1 and "at least 6" in v["note"]


def test_plan_progress_of_the_sample_park(con):
    p = {r["indicator_name"]: r for r in rows(con, "select * from marts.plan_progress where park_name='示例高新区'")}
    assert len(p) == 12
    gdp = p["地区生产总值"]
    assert gdp["latest_year"] == 2023 and gdp["latest_value"] == 1497.8
    assert gdp["progress"] == pytest.approx((1497.8 - 1250.6) / (1800 - 1250.6))
    assert gdp["achieved_rate"] == pytest.approx((1497.8 / 1250.6) ** (1 / 3) - 1)
    assert gdp["required_rate"] == pytest.approx((1800 / 1497.8) ** (1 / 2) - 1)
    assert gdp["status"] == "behind"  # 0.45 of the way after 0.6 of the time
    area = p["单位面积GDP"]
    assert area["latest_value"] == pytest.approx(1497.8 / 140.5) and area["base_value"] == 8.9
    doctors = p["千人拥有执业(助理)医师数"]
    assert doctors["latest_value"] == pytest.approx(1795 / (60.4 * 10000) * 1000)
    assert (
        doctors["progress"] == pytest.approx((1795 / 604000 * 1000 - 2.6) / (3.2 - 2.6)) and doctors["status"] == "on_track"
    )
    rd = p["研发经费支出占地区生产总值比重"]
    assert rd["target_value"] == 5 and rd["latest_value"] == pytest.approx(63.5 / 1497.8 * 100)
    assert p["城镇登记失业率"]["status"] == "achieved"  # lower is better: 2.0 ≤ 2.5
    mean = (1.076 * 1.048 * 1.063) ** (1 / 3) - 1
    assert p["地区生产总值年均增速"]["latest_value"] == pytest.approx(100 * mean)
    assert p["地区生产总值年均增速"]["status"] == "behind"  # 6.23 is not within 7 ± 0.5
    assert p["单位地区生产总值能源消耗降低"]["status"] == "not_numeric"
    assert p["居民人均可支配收入增长率"]["status"] == "not_numeric"
    assert p["每万人口高价值发明专利拥有量"]["status"] == "not_assessable"
    assert p["城镇污水集中处理率"]["status"] == "not_assessable"


def test_plan_units_are_never_mixed(con):
    p = {r["indicator_name"]: r for r in rows(con, "select * from marts.plan_progress where park_name='美元园区'")}
    usd = p["实际使用外资"]
    assert usd["status"] == "not_assessable" and usd["latest_value"] is None and "unit mismatch" in usd["note"]
    # 亿元 statistics against a 万元 plan: converted, not refused
    va = p["工业增加值"]
    assert va["latest_value"] == pytest.approx(500 * 10000) and va["progress"] == pytest.approx(0.5)
    assert va["status"] == "behind"
    zero = p["新兴产业产值"]
    assert zero["progress"] == pytest.approx(0.5) and zero["achieved_rate"] is None and zero["status"] == "behind"
    assert "zero or negative" in zero["note"]


def test_wujiang_targets_are_classified(con):
    t = {
        r["indicator_name"]: r
        for r in rows(con, "select * from marts.target_tracking where park_name='吴江区' and year=2024")
    }
    assert len(t) == 12
    kinds = {k: t[k]["target_kind"] for k in t}
    assert kinds["地区生产总值"] == "growth" and (t["地区生产总值"]["comparator"], t["地区生产总值"]["target_value"]) == (
        ">=",
        5,
    )
    assert t["规上工业总产值"]["comparator"] == "≈"
    assert (
        kinds["高新技术产业产值占规上工业产值比重"] == "level"
        and t["高新技术产业产值占规上工业产值比重"]["target_value"] == 54
    )
    assert (t["实际使用外资"]["comparator"], t["实际使用外资"]["target_value"]) == (">", 5)
    assert (t["高新技术企业数"]["comparator"], t["高新技术企业数"]["target_value"]) == (">", 1600)
    assert kinds["居民人均可支配收入"] == "relative"
    assert kinds["主要污染物排放总量削减"] == "qualitative" and t["主要污染物排放总量削减"]["met"] is None
    assert t["一般公共预算收入"]["target_value"] == 6
    assert all(r["met"] is None for r in t.values())  # no 2024 statistics yet


def test_targets_judged_on_reported_growth(con):
    t = {
        r["indicator_name"]: r
        for r in rows(con, "select * from marts.target_tracking where park_name='吴江区' and year=2023")
    }
    assert t["工业投资"]["actual_value"] == 7 and t["工业投资"]["met"] is False
    assert t["规上工业总产值"]["actual_value"] == 3.3 and t["规上工业总产值"]["met"] is True  # within 3 ± 0.5
    assert (
        t["高新技术产业产值占规上工业产值比重"]["actual_value"] == 53
        and t["高新技术产业产值占规上工业产值比重"]["met"] is True
    )
    assert t["居民人均可支配收入"]["target_value"] == 4.5 and t["居民人均可支配收入"]["met"] is True
    assert t["实际使用外资"]["met"] is None and "unit mismatch" in t["实际使用外资"]["note"]
    assert t["一般公共预算收入"]["actual_value"] == 6.1 and t["一般公共预算收入"]["met"] is True


def test_indicator_values_trace_every_figure_to_its_cell(con):
    reported = rows(con, "select * from marts.indicator_values where park_name=? and not is_computed", ZJG)
    cell = {r["source_cell"]: r for r in reported}
    assert cell["G10"]["value"] == 985600 and cell["G10"]["source_sheet"] == "2019年"
    assert cell["G10"]["source_file"] == "对照考核表_张家港经开区_2019.xlsx"
    computed = rows(con, "select * from marts.indicator_values where park_name=? and is_computed", ZJG)
    assert len(computed) == 17 and all(r["derived_from"] for r in computed)
    derived = rows(con, "select * from marts.indicator_values where indicator_name='单位面积GDP' and year=2021")
    assert derived[0]["value"] == pytest.approx(1338.2 / 140.5) and "E3" in derived[0]["derived_from"]


def test_superseded_form_never_reaches_the_marts(con):
    # the correction history is a mart over raw; raw keeps the earlier figures exactly as written
    assert con.execute(
        "select status, superseded_by from marts.submissions where file_name like '%first_draft%'"
    ).fetchall() == [("superseded", "对照考核表_张家港经开区_2019.xlsx")]
    assert con.execute("select status from audit.files where file_name like '%first_draft%'").fetchall() == [("loaded",)]
    assert con.execute("select count(*) from marts.indicator_values where source_file like '%first_draft%'").fetchall() == [
        (0,)
    ]
    assert con.execute("select count(*) from raw.observations where file_name like '%first_draft%'").fetchall() == [(3,)]


def test_unknown_unit_is_a_reported_finding(con):
    # the sample form writes '-' as the unit of indicator 24: reported, not silently passed through
    warn = con.execute(
        "select failing_rows_sample from audit.dq_results where suite='units' and not success and level='warn'"
    ).fetchall()
    assert len(warn) == 1 and "G51" in warn[0][0]
