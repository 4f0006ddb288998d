"""Parks outside the bundled registry: reported with what is missing, registered without editing
the repository (a registry sheet in INBOX, or PARKS_REGISTRY), and a bad registry row named."""

from __future__ import annotations

import json
import os

from tests.support import out, q, run_build, sha
from tests.workbooks import form_rows, write_xlsx

PARK = "新登记园区"


def region_form() -> list[list]:
    """Indicator 16 (再生水回用率, 150 / 1000 = 15 %) is judged by region class, indicator 10 reaches back to the plan's base
    year: neither is stated in the form."""
    return form_rows(
        PARK,
        2019,
        [
            ["资源节约", 10, "综合能耗总量", "吨标煤", "-", "-", 400000],
            [None, None, "规划基准年综合能耗总量", "吨标煤", "-", "-", 380000],
            [None, None, "规划基准年工业增加值", "万元", "-", "-", 700000],
            [None, None, "综合能耗弹性系数", "—", "…", "必选", None],
            [None, 16, "园区再生水(中水)回用量", "吨", "-", "-", 150],
            [None, None, "园区污水处理厂排放总量", "吨", "-", "-", 1000],
            [None, None, "再生水(中水)回用率", "%", "…", "是", 15],
            ["经济发展", 2, "年末从业人口", "人", "-", "-", 50000],
            [None, None, "工业增加值", "万元", "-", "-", 980000],
            [None, None, "人均工业增加值", "万元/人", "≥15", "是", 19.6],
        ],
    )


def test_unregistered_park_is_reported_then_registered_by_a_sheet_in_the_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "form.xlsx", {"2019年": region_form()})
    wh, reports = tmp_path / "wh" / "parks.duckdb", tmp_path / "reports"
    proc = run_build(inbox, wh, reports, "--json")
    assert proc.returncode == 0, out(proc)
    summary = json.loads(proc.stdout)
    (finding,) = summary["unregistered_parks"]
    assert finding["park_name"] == PARK
    assert finding["missing"] == "plan base year, region class"
    assert "hj274_2015 hj10 (2019)" in finding["unjudged_indicators"]
    assert "hj274_2015 hj16 (2019)" in finding["unjudged_indicators"]
    assert "Register it" in finding["finding"]
    saved = json.loads((reports / "latest" / "summary.json").read_text(encoding="utf-8"))
    assert saved["unregistered_parks"] == summary["unregistered_parks"]
    assert PARK in (reports / "latest" / "index.html").read_text(encoding="utf-8")

    # a registry sheet (template E) dropped into the inbox registers it
    write_xlsx(
        inbox / "registry.xlsx",
        {"登记": [["园区登记表"], ["园区名称", "园区类型", "规划基准年", "地区类型"], [PARK, "工业园区", 2014, "其他地区"]]},
    )
    proc = run_build(inbox, wh, reports, "--json")
    assert proc.returncode == 0, out(proc)
    assert json.loads(proc.stdout)["unregistered_parks"] == []
    assert q(wh, "select registered, planning_base_year, region_class from marts.parks where park_name = ?", [PARK]) == [
        (True, 2014, "其他地区")
    ]
    judged = dict(
        q(
            wh,
            "select indicator_code, status from marts.system_assessment where park_name = ? "
            "and indicator_code in ('hj10', 'hj16')",
            [PARK],
        )
    )
    # 15 % ≥ 10 % (其他地区, docs/domain.md#hj274 indicator 16); elasticity of energy:
    # growth of energy (400000/380000 − 1) over growth of value added (980000/700000 − 1)
    assert judged["hj16"] == "pass"
    assert judged["hj10"] == "pass"
    assert (400000 / 380000 - 1) / (980000 / 700000 - 1) < 0.6


def test_parks_registry_outside_the_repository_and_a_bad_row(tmp_path):
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "form.xlsx", {"2019年": region_form()})
    wh, reports = tmp_path / "wh" / "parks.duckdb", tmp_path / "reports"
    good = tmp_path / "registry.csv"
    good.write_text(
        f"park_name,park_type,planning_base_year,region_class,source\n{PARK},工业园区,2014,缺水城市,bureau list 2026\n",
        encoding="utf-8",
    )
    proc = run_build(inbox, wh, reports, env={"PARKS_REGISTRY": str(good)})
    assert proc.returncode == 0, out(proc)
    assert q(wh, "select region_class from marts.parks where park_name = ?", [PARK]) == [("缺水城市",)]
    # 15 % < 20 %: a 缺水城市 park fails indicator 16
    assert q(
        wh, "select status, threshold from marts.system_assessment where park_name = ? and indicator_code = 'hj16'", [PARK]
    ) == [("fail", 20)]
    before = sha(wh)

    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"park_name,planning_base_year,region_class\n{PARK},2014,其他地区\n另一园区,二〇一四,其他地区\n", encoding="utf-8"
    )
    write_xlsx(
        inbox / "more.xlsx", {"2020年": form_rows(PARK, 2020, [["环境保护", 29, "绿化覆盖率", "%", "≥15", "必选", 40]])}
    )
    proc = run_build(inbox, wh, reports, env={"PARKS_REGISTRY": str(bad)})
    assert proc.returncode == 15, out(proc)
    line = [x for x in proc.stdout.splitlines() if "line 3" in x]
    assert line and "planning_base_year" in line[0] and str(bad) in line[0], out(proc)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert sha(wh) == before  # nothing was done
    assert os.path.exists(inbox / "more.xlsx")
