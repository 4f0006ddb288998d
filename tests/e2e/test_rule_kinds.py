"""Every rule kind of docs/indicator_systems.md, run as written: the worked examples' CSV blocks are
copied into seeds/ of a copy of the project (data files only, no code), the figures of the examples
are loaded, and every value, status, verdict, score, index and rank is compared with the numbers the
document works out by hand."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT, out, q
from tests.workbooks import write_xlsx

HEADER = ["园区名称", "年份", "指标", "单位", "数值", "备注"]
DOC = ROOT / "docs" / "indicator_systems.md"


def doc_blocks() -> dict[str, dict[str, str]]:
    """system folder -> file name -> CSV text, from the document's code blocks."""
    doc = DOC.read_text(encoding="utf-8")
    systems: dict[str, dict[str, str]] = {}
    for name, body in re.findall(r"`(demo_\w+?__\w+\.csv)`\n```\n(.*?)```", doc, re.S):
        system = name.split("__")[0]
        systems.setdefault(system, {})[name] = body
    return systems


def figures() -> list[list]:
    rows = [HEADER]
    # 1. the province's checklist
    rows += [
        ["省示范园区", 2024, "工业增加值", "亿元", 120, None],
        ["省示范园区", 2024, "年综合能源消费量", "万吨标准煤", 60, None],
        ["省示范园区", 2020, "工业增加值", "亿元", 95, None],
        ["省示范园区", 2024, "清洁能源消费占比", "%", 65, None],
    ]
    # 2. threshold or trend
    for park, year, air, pm, sewage in (
        ("生态示范县", 2022, 85.0, 30, 72),
        ("生态示范县", 2023, 86.2, 28, 75),
        ("对照县", 2022, 91, 24, 65),
        ("对照县", 2023, 89, 26, 71),
    ):
        rows += [
            [park, year, "空气质量优良天数比例", "%", air, None],
            [park, year, "细颗粒物(PM2.5)浓度", "微克/立方米", pm, None],
            [park, year, "城市生活污水集中收集率", "%", sewage, None],
        ]
    # 3. k of n
    labels = [
        ("园区高新技术产业产值占规模以上工业总产值比例", "%"),
        ("人均工业增加值", "万元/人"),
        ("园区工业增加值三年年均增长率", "%"),
        ("资源再生利用产业增加值占园区GDP比例", "%"),
        ("工业固体废物综合利用率", "%"),
        ("再生资源循环利用率", "%"),
        ("工业园区重点企业清洁生产审核实施率", "%"),
        ("建设规划实施后新增构建生态工业链项目数量", "个"),
        ("具备安装有自动在线监控装置的污水集中处理设施", "—"),
    ]
    for park, values in (
        ("鲁甲园区", [40, 16, 10, 20, 75, 70, 100, 8, "具备"]),
        ("鲁乙园区", [40, 14, 10, 20, 75, 70, 100, 8, "具备"]),
        ("鲁丙园区", [40, None, None, None, 75, 70, 100, 8, "具备"]),
    ):
        rows += [[park, 2023, label, unit, v, None] for (label, unit), v in zip(labels, values) if v is not None]
    # 4. score and grades
    for park, solid, water, energy in (("复查甲园区", 80, 60, 0.625), ("复查乙园区", 65, 75, 0.8)):
        rows += [
            [park, 2023, "工业固体废物综合利用率", "%", solid, None],
            [park, 2023, "工业用水重复利用率", "%", water, None],
            [park, 2023, "单位工业增加值综合能耗", "吨标煤/万元", energy, None],
        ]
    # 5. composite index, the same figures in 2023 and 2024
    index = {
        "A": (10, 0, 5, 0.1, 2),
        "B": (8, 2, 5, 0.2, 3),
        "C": (6, 4, 5, 0.3, 4),
        "D": (4, 6, 5, 0.4, 5),
        "E": (2, 8, 5, 0.5, 6),
        "F": (0, 10, 5, 0.6, None),
    }
    names = [
        ("实际使用外资", "亿美元"),
        ("规上工业总产值", "亿元"),
        ("研发经费投入强度", "%"),
        ("单位地区生产总值能耗", "吨标煤/万元"),
        ("城镇登记失业率", "%"),
    ]
    for year in (2023, 2024):
        for p, values in index.items():
            rows += [[f"开发区{p}", year, n, u, v, None] for (n, u), v in zip(names, values) if v is not None]
    # 6. versions in force
    rows += [["版本园区", 2022, "再生水利用率", "%", 55, None], ["版本园区", 2023, "再生水利用率", "%", 55, None]]
    return rows


REGISTRY = """park_name,aliases,park_type,planning_base_year,region_class,dominant_industry,currency,source
省示范园区,,工业园区,2020,其他地区,,CNY,worked example
开发区A,,经开区,,其他地区,,CNY,worked example
开发区B,,经开区,,其他地区,,CNY,worked example
开发区C,,经开区,,其他地区,,CNY,worked example
开发区D,,高新区,,其他地区,,CNY,worked example
开发区E,,高新区,,其他地区,,CNY,worked example
开发区F,,高新区,,其他地区,,CNY,worked example
"""


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("rule_kinds")
    top_level = {".venv", ".git", "target", "logs", "warehouse", "reports", "exports"}
    project = tmp / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=lambda d, names: [n for n in names if n == "__pycache__" or (Path(d) == ROOT and n in top_level)],
    )
    systems = doc_blocks()
    assert len(systems) == 7, sorted(systems)
    for system, files in systems.items():
        folder = project / "seeds" / system
        folder.mkdir()
        for name, body in files.items():
            (folder / name).write_text(body, encoding="utf-8")
    inbox = tmp / "inbox"
    write_xlsx(inbox / "figures.xlsx", {"统计": figures()})
    registry = tmp / "registry.csv"
    registry.write_text(REGISTRY, encoding="utf-8")
    wh = tmp / "wh" / "parks.duckdb"
    proc = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "-m",
            "ingest",
            "build",
            "--inbox",
            str(inbox),
            "--warehouse",
            str(wh),
            "--reports",
            str(tmp / "r"),
            "--exports",
            str(tmp / "e"),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PARKS_REGISTRY": str(registry)},
    )
    assert proc.returncode == 0, out(proc)
    return wh


def assessed(wh: Path, system: str) -> dict[tuple[str, int, str], dict]:
    cols = ["value", "status", "note", "passed_by_trend", "points_earned", "gap_pass_value"]
    rows = q(
        wh,
        f"select park_name, year, indicator_code, {', '.join(cols)} from marts.system_assessment where system_code = ?",
        [system],
    )
    return {(r[0], r[1], r[2]): dict(zip(cols, r[3:])) for r in rows}


def verdicts(wh: Path, system: str) -> dict[tuple[str, int], dict]:
    cols = ["verdict", "note", "score", "grade", "groups_failed", "groups_unjudged"]
    rows = q(wh, f"select park_name, year, {', '.join(cols)} from marts.system_verdict where system_code = ?", [system])
    return {(r[0], r[1]): dict(zip(cols, r[2:])) for r in rows}


def test_a_province_adds_its_checklist_as_data(wh):
    a = assessed(wh, "demo_province_2026")
    p1, p2 = a[("省示范园区", 2024, "P1")], a[("省示范园区", 2024, "P2")]
    assert p1["value"] == pytest.approx(600000 / 1200000) and p1["status"] == "fail"
    assert "年综合能源消费量 must fall from 600,000 吨标准煤 to 540,000 吨标准煤" in p1["note"]
    assert p2["value"] == pytest.approx(((120 / 95) ** (1 / 4) - 1) * 100) and p2["status"] == "pass"
    assert a[("省示范园区", 2024, "P3")]["status"] == "pass"
    assert verdicts(wh, "demo_province_2026")[("省示范园区", 2024)]["verdict"] == "fail"


def test_threshold_or_trend(wh):
    a = assessed(wh, "demo_eco_civilization_2024")
    e1 = a[("生态示范县", 2023, "E1")]
    assert (e1["status"], e1["passed_by_trend"]) == ("pass", "previous")
    assert "below 90 but improved on 2022 by 1.20" in e1["note"]
    e2 = a[("生态示范县", 2023, "E2")]
    assert (e2["status"], e2["passed_by_trend"]) == ("pass", "period")
    assert "improved every year since 2022 (30.00 to 28.00)" in e2["note"]
    assert a[("生态示范县", 2023, "E3")]["status"] == "pass"
    assert a[("生态示范县", 2022, "E1")]["status"] == "not_assessable"
    assert "no earlier year" in a[("生态示范县", 2022, "E1")]["note"]
    assert (a[("对照县", 2023, "E1")]["status"], a[("对照县", 2023, "E2")]["status"]) == ("fail", "fail")
    v = verdicts(wh, "demo_eco_civilization_2024")
    assert v[("生态示范县", 2023)]["verdict"] == "pass"
    assert v[("生态示范县", 2022)]["verdict"] == "not_assessable"
    assert v[("对照县", 2023)]["verdict"] == "fail" and v[("对照县", 2022)]["verdict"] == "fail"


def test_k_of_n_groups(wh):
    v = verdicts(wh, "demo_shandong_eip_2017")
    assert v[("鲁甲园区", 2023)]["verdict"] == "pass"
    assert v[("鲁乙园区", 2023)]["verdict"] == "fail" and v[("鲁乙园区", 2023)]["groups_failed"] == 1
    assert "经济发展 0/1" in v[("鲁乙园区", 2023)]["note"]
    assert v[("鲁丙园区", 2023)]["verdict"] == "not_assessable" and v[("鲁丙园区", 2023)]["groups_unjudged"] == 1
    a = assessed(wh, "demo_shandong_eip_2017")
    assert a[("鲁甲园区", 2023, "S2")]["status"] == "pass" and a[("鲁甲园区", 2023, "S9")]["status"] == "pass"


def test_scores_and_grades(wh):
    v = verdicts(wh, "demo_eip_review_2015")
    assert v[("复查甲园区", 2023)]["score"] == pytest.approx(30 + 30 * 60 / 75 + 40 * 0.5 / 0.625)  # 86
    assert (v[("复查甲园区", 2023)]["grade"], v[("复查甲园区", 2023)]["verdict"]) == ("良好", "pass")
    assert v[("复查乙园区", 2023)]["score"] == pytest.approx(0 + 30 + 40 * 0.5 / 0.8)  # 55
    assert (v[("复查乙园区", 2023)]["grade"], v[("复查乙园区", 2023)]["verdict"]) == ("不合格", "fail")
    a = assessed(wh, "demo_eip_review_2015")
    assert a[("复查甲园区", 2023, "R2")]["points_earned"] == pytest.approx(24)


def test_composite_index_ranking_and_removal(wh):
    rows = q(
        wh,
        """select park_name, year, index_value, rank, parks_ranked, cohort, cohort_rank, in_last_k,
                           flagged_for_removal, note from marts.system_index where system_code = 'demo_kaifaqu_index_2021'""",
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    expected = {"开发区A": 70, "开发区B": 64.5, "开发区C": 59, "开发区D": 53.5, "开发区E": 48, "开发区F": 45}
    for year in (2023, 2024):
        for rank, (park, index) in enumerate(expected.items(), start=1):
            g = got[(park, year)]
            assert g[0] == pytest.approx(index) and g[1] == rank and g[2] == 6, (park, year, g)
            assert g[3] == ("经开区" if park[-1] in "ABC" else "高新区") and g[4] == "ABCDEF".index(park[-1]) % 3 + 1
            assert g[5] == (park == "开发区F")
    assert got[("开发区F", 2024)][6] is True and got[("开发区F", 2023)][6] is False
    assert "城镇登记失业率" in got[("开发区F", 2023)][7]
    assert q(wh, "select distinct verdict from marts.system_verdict where system_code = 'demo_kaifaqu_index_2021'") == [
        ("not_assessable",)
    ]


def test_versions_in_force(wh):
    old, new = assessed(wh, "demo_rule_v2019"), assessed(wh, "demo_rule_v2023")
    assert set(old) == {("版本园区", 2022, "V1")} and old[("版本园区", 2022, "V1")]["status"] == "pass"
    assert set(new) == {("版本园区", 2023, "V1")} and new[("版本园区", 2023, "V1")]["status"] == "fail"
    catalog = dict(
        q(
            wh,
            "select system_code, in_force_years || ' ' || version_of from marts.indicator_catalog "
            "where system_code like 'demo_rule_%'",
        )
    )
    assert catalog == {"demo_rule_v2019": "2019–2022 demo_rule", "demo_rule_v2023": "2023– demo_rule"}


def test_every_computed_figure_and_the_catalog(wh):
    """A computed indicator of a system other than HJ 274 reaches indicator_values with its system and
    the cells it was computed from; the catalog spells its formula in labels and units."""
    rows = q(
        wh,
        """select value, is_computed, derived_from from marts.indicator_values
                    where system_code = 'demo_province_2026' and indicator_name = '单位工业增加值能耗' and year = 2024""",
    )
    assert len(rows) == 1 and rows[0][0] == pytest.approx(0.5) and rows[0][1] is True and rows[0][2]
    formula, requirement = q(
        wh,
        """select formula, requirement from marts.indicator_catalog
                                    where system_code = 'demo_province_2026' and indicator_code = 'P1'""",
    )[0]
    assert formula == "年综合能源消费量 (吨标准煤) / 工业增加值 (万元)" and requirement == "≤0.45"
    assert q(
        wh,
        """select requirement from marts.indicator_catalog where system_code = 'demo_eco_civilization_2024'
                    and indicator_code = 'E1'""",
    ) == [("≥90 or improved on the previous year",)]


def test_a_system_added_as_csv_only_publishes_documented_reference_tables(wh):
    """The worked examples bring no YAML: their reference tables and columns still carry descriptions."""
    blank = q(
        wh,
        """select table_name || '.' || column_name from duckdb_columns()
                     where schema_name = 'reference' and table_name like 'demo\\_%' escape '\\'
                       and (comment is null or comment = '')""",
    )
    assert blank == []
    tables = q(
        wh,
        """select table_name from duckdb_tables() where schema_name = 'reference'
                      and table_name like 'demo\\_%' escape '\\' and (comment is null or comment = '')""",
    )
    assert tables == []
