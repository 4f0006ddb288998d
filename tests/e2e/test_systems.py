"""Indicator systems as data, end to end: the zero-carbon park system (docs/domain.md#zero-carbon) from statistics,
the gap to pass (§7), growth of every series (§5) and plan progress on rates (§2). Expected figures
are worked out here by hand from the formulas, not read back from the warehouse."""

from __future__ import annotations

import pytest

from tests.support import copy_samples, out, q, run_build
from tests.workbooks import write_xlsx

HEADER = ["园区名称", "年份", "指标", "单位", "数值", "备注"]


def zero_carbon_rows() -> list[list]:
    return [
        HEADER,
        # 甲: every term reported (and the total): C1 from the terms, reconciled with the total
        ["零碳甲园区", 2024, "年综合能源消费量", "万吨标准煤", 50, None],
        ["零碳甲园区", 2024, "化石能源燃烧二氧化碳排放量", "万吨", 4, None],
        ["零碳甲园区", 2024, "能源加工转换二氧化碳排放量", "万吨", 0.5, None],
        ["零碳甲园区", 2024, "工业过程二氧化碳排放量", "万吨", 1.0, None],
        ["零碳甲园区", 2024, "受入电量", "万千瓦时", 10000, None],
        ["零碳甲园区", 2024, "送出电量", "万千瓦时", 1000, None],
        ["零碳甲园区", 2024, "绿色电力消费量", "万千瓦时", 5000, None],
        ["零碳甲园区", 2024, "受入热力", "吉焦", 100000, None],
        ["零碳甲园区", 2024, "送出热力", "吉焦", 0, None],
        ["零碳甲园区", 2024, "园区二氧化碳排放量", "万吨", 10.0, None],
        ["零碳甲园区", 2024, "清洁能源消费占比", "%", 92, None],
        ["零碳甲园区", 2024, "产品单位能耗达到能耗限额二级", "—", "达标", None],
        ["零碳甲园区", 2024, "工业固体废弃物综合利用率", "%", 78, None],
        ["零碳甲园区", 2024, "余热余冷余压综合利用率", "%", "不适用", "园区无余热资源"],
        ["零碳甲园区", 2024, "工业用水重复利用率", "%", 85, None],
        # 乙: the total only, 150 万吨标准煤 (the ≥ 100 tier): 48 / 150 = 0.32 > 0.3
        ["零碳乙园区", 2024, "年综合能源消费量", "万吨标准煤", 150, None],
        ["零碳乙园区", 2024, "园区二氧化碳排放量", "万吨", 48, None],
        # 丙: below 20 万吨标准煤 the system gives no requirement
        ["零碳丙园区", 2024, "年综合能源消费量", "万吨标准煤", 10, None],
        ["零碳丙园区", 2024, "园区二氧化碳排放量", "万吨", 1.5, None],
    ]


@pytest.fixture(scope="module")
def wh(tmp_path_factory, samples_dir):
    tmp = tmp_path_factory.mktemp("systems")
    inbox = copy_samples(tmp / "inbox")
    write_xlsx(inbox / "zero_carbon.xlsx", {"零碳": zero_carbon_rows()})
    wh = tmp / "wh" / "parks.duckdb"
    proc = run_build(inbox, wh)
    assert proc.returncode == 0, out(proc)
    return wh


def assessment(wh, park):
    rows = q(
        wh,
        """select indicator_code, value, status, comparator, threshold, note, gap_component, gap_current_value,
                           gap_pass_value, gap_unit from marts.system_assessment
                    where system_code = 'zero_carbon_park_2025' and park_name = ? and year = 2024""",
        [park],
    )
    return {
        r[0]: dict(
            zip(
                [
                    "value",
                    "status",
                    "comparator",
                    "threshold",
                    "note",
                    "gap_component",
                    "gap_current",
                    "gap_pass",
                    "gap_unit",
                ],
                r[1:],
            )
        )
        for r in rows
    }


def test_core_indicator_from_its_terms_reconciled_with_the_reported_total(wh):
    a = assessment(wh, "零碳甲园区")
    # 4 + 0.5 + 1.0 + (10000 − 1000 − 5000) × 0.0008325 + (100000 − 0) × 0.000011 = 9.93 万吨
    co2 = 4 + 0.5 + 1.0 + 4000 * 0.0008325 + 100000 * 0.000011
    assert a["C1"]["value"] == pytest.approx(co2 / 50)  # 0.1986 tCO2/tce
    assert (a["C1"]["comparator"], a["C1"]["threshold"], a["C1"]["status"]) == ("<=", 0.2, "pass")
    assert "园区二氧化碳排放量 computed from its terms 9.93, reported 10.00 (difference -0.07)" in a["C1"]["note"]


def test_guidance_indicators_markers_and_not_applicable(wh):
    a = assessment(wh, "零碳甲园区")
    assert a["G1"]["status"] == "pass" and a["G1"]["value"] == 92
    assert a["G2"]["status"] == "pass"  # 达标
    assert a["G3"]["status"] == "fail"
    assert (a["G3"]["gap_component"], a["G3"]["gap_current"], a["G3"]["gap_pass"], a["G3"]["gap_unit"]) == (
        "工业固体废弃物综合利用率",
        78,
        80,
        "%",
    )
    assert a["G4"]["status"] == "not_applicable" and "园区无余热资源" in a["G4"]["note"]
    assert a["G5"]["status"] == "pass"
    assert q(
        wh,
        """select verdict, note from marts.system_verdict
                    where system_code = 'zero_carbon_park_2025' and park_name = '零碳甲园区'""",
    ) == [("pass", "3 of 5 guidance indicators met (not counted)")]


def test_tiered_threshold_and_the_gap_of_the_core_indicator(wh):
    b = assessment(wh, "零碳乙园区")
    assert b["C1"]["value"] == pytest.approx(48 / 150)
    assert (b["C1"]["comparator"], b["C1"]["threshold"], b["C1"]["status"]) == ("<=", 0.3, "fail")
    # the total that passes: 0.3 × 150 = 45 万吨
    assert (b["C1"]["gap_component"], b["C1"]["gap_current"], b["C1"]["gap_unit"]) == ("园区二氧化碳排放量", 48, "万吨")
    assert b["C1"]["gap_pass"] == pytest.approx(45)
    assert "园区二氧化碳排放量 must fall from 48.00 万吨 to 45.00 万吨" in b["C1"]["note"]
    assert q(wh, "select verdict from marts.system_verdict where park_name = '零碳乙园区'") == [("fail",)]
    c = assessment(wh, "零碳丙园区")
    assert c["C1"]["status"] == "not_assessable" and "below 20" in c["C1"]["note"]
    assert q(wh, "select verdict from marts.system_verdict where park_name = '零碳丙园区'") == [("not_assessable",)]


def test_hj274_is_the_same_through_the_generic_evaluator(wh):
    rows = q(
        wh,
        """select count(*), count(*) filter (where s.value is not distinct from e.value
                                                      and s.passed is not distinct from e.passed)
                    from marts.system_assessment s join marts.eip_assessment e
                      on e.park_name = s.park_name and e.year = s.year and e.seq_no = s.seq_no
                    where s.system_code = 'hj274_2015'""",
    )
    assert rows == [(32, 32)]
    # gap to pass of a failing HJ 274 indicator, by hand: 12 可再生能源使用比例 ≥ 9 % of 412,300 吨标煤
    gap = q(
        wh,
        """select gap_component, gap_current_value, gap_pass_value, gap_unit from marts.eip_assessment
                   where seq_no = 12""",
    )[0]
    assert gap[0] == "可再生能源使用量" and gap[1] == pytest.approx(10452.36) and gap[3] == "吨标煤"
    assert gap[2] == pytest.approx(0.09 * 412300)
    # 3: three-year growth ≥ 15 %: the value added that passes is VA(2016) × 1.15³
    gap3 = q(wh, "select gap_pass_value from marts.eip_assessment where seq_no = 3")[0][0]
    assert gap3 == pytest.approx(1012300 * 1.15**3)


def test_growth_of_every_series(wh):
    t = {
        r[0]: r[1:]
        for r in q(
            wh,
            """select year, value, yoy_pct, cagr_base_pct, cagr_3y_pct, is_preliminary
                                       from marts.indicator_trends
                                       where park_name = '示例高新区' and indicator_name = '地区生产总值'""",
        )
    }
    assert t[2021][1] == pytest.approx((1338.2 / 1250.6 - 1) * 100)
    assert t[2023][2] == pytest.approx(((1497.8 / 1250.6) ** (1 / 3) - 1) * 100)  # base year 2020 (registry)
    assert t[2023][3] == pytest.approx(((1497.8 / 1250.6) ** (1 / 3) - 1) * 100)
    assert t[2023][4] is True  # 2023 is 预计


def test_plan_progress_on_rates_is_judged_on_the_value(wh):
    p = {
        r[0]: r[1:]
        for r in q(
            wh,
            """select indicator_name, achieved_rate, required_rate, status, note, is_rate
                                       from marts.plan_progress where park_name = '示例高新区'""",
        )
    }
    growth = p["地区生产总值年均增速"]
    assert growth[0] is None and growth[1] is None and growth[4] is True
    assert "rate or share" in growth[3]
    assert p["地区生产总值"][0] is not None and p["地区生产总值"][4] is False  # a level keeps its rates
