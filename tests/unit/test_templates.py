"""Template recognition from content, and every sheet layout variation of spreadsheets.md."""

from pathlib import Path

import pytest

from ingest.parsing import parse_workbook
from tests.workbooks import FORM_HEADER, form_rows, small_form_body, write_xls, write_xlsx

# Every value cell of the Zhangjiagang sample form: cell -> (label, unit, value). Read off the sheet.
ZJG_COMPONENTS = {
    "G6": ("高新技术企业工业总产值", "万元", 6521000),
    "G7": ("园区工业总产值", "万元", 13210000),
    "G9": ("年末从业人口", "人", 52300),
    "G10": ("工业增加值", "万元", 985600),
    "G12": ("规划基准年工业增加值", "万元", 812400),
    "G13": ("2016年工业增加值", "万元", 1012300),
    "G15": ("资源再生利用产业增加值", "万元", None),
    "G18": ("工业固体废物综合利用量", "吨", 48650.27),
    "G19": ("工业固体废物总产生量", "吨", 49320.15),
    "G20": ("综合利用往年贮存量", "吨", 0),
    "G22": ("再生产业再生资源循环利用量", "吨", None),
    "G23": ("再生资源收集量", "吨", None),
    "G25": ("工业用地面积", "平方公里", 8.6),
    "G27": ("2016年工业用地面积", "平方公里", 8.15),
    "G29": ("综合能耗总量", "吨标煤", 412300),
    "G30": ("规划基准年综合能耗总量", "吨标煤", 398650.5),
    "G33": ("可再生能源使用量", "吨标煤", 10452.36),
    "G35": ("新鲜水资源消耗量", "万立方米", 812.35),
    "G36": ("规划基准年新鲜水资源消耗量", "万立方米", 798.12),
    "G39": ("工业重复用水量", "立方米", 65231000),
    "G41": ("园区再生水(中水)回用量", "万吨", 1205.3),
    "G42": ("园区污水处理厂排放总量", "万吨", 5321.45),
    "G52": ("化学需氧量排放量", "吨", 812.35),
    "G53": ("氨氮排放量", "吨", 61.27),
    "G54": ("二氧化硫排放量", "吨", 5.12),
    "G55": ("氮氧化物排放量", "吨", 8.37),
    "G56": ("规划基准年化学需氧量排放量", "吨", 905.62),
    "G57": ("规划基准年氨氮排放量", "吨", 70.15),
    "G58": ("规划基准年二氧化硫排放量", "吨", 6.48),
    "G59": ("规划基准年氮氧化物排放量", "吨", 9.02),
    "G61": ("二氧化碳排放量", "吨", 2354120),
    "G62": ("规划基准年二氧化碳排放量", "吨", 2413060),
    "G64": ("废水排放量", "吨", 6512300),
    "G66": ("固废产生量", "吨", 49320.15),
}
ZJG_REPORTED = {
    "G8": (1, 49.36),
    "G11": (2, 18.85),
    "G14": (3, -0.89),
    "G16": (4, None),
    "G17": (5, 12),
    "G21": (6, 98.64),
    "G24": (7, None),
    "G26": (8, 11.46),
    "G28": (9, -2.65),
    "G31": (10, 0.17),
    "G32": (11, 0.42),
    "G34": (12, 2.54),
    "G37": (13, 0.09),
    "G38": (14, 8.24),
    "G40": (15, 88.93),
    "G43": (16, 22.65),
    "G44": (17, None),
    "G45": (18, None),
    "G46": (19, 0),
    "G47": (20, 100),
    "G48": (21, 100),
    "G49": (22, None),
    "G50": (23, 100),
    "G51": (24, 100),
    "G60": (25, -0.38),
    "G63": (26, 4.27),
    "G65": (27, 6.61),
    "G67": (28, 0.05),
    "G68": (29, 41.35),
    "G69": (30, 100),
    "G70": (31, 100),
    "G71": (32, 4),
}


def _only(sheets):
    used = [s for s in sheets if s.template]
    assert len(used) == 1, [(s.sheet, s.message) for s in sheets]
    return used[0]


def test_zhangjiagang_every_component_lands_with_value_and_cell(samples_dir):
    form = _only(parse_workbook((samples_dir / "对照考核表_张家港经开区_2019.xlsx").read_bytes()))
    assert form.template == "eip_form" and form.park_name == "张家港经济技术开发区" and form.year == 2019
    by_cell = {o.cell: o for o in form.observations}
    assert len(by_cell) == len(ZJG_COMPONENTS) + len(ZJG_REPORTED) == 66
    for cell, (label, unit, value) in ZJG_COMPONENTS.items():
        o = by_cell[cell]
        assert (o.label, o.unit, o.row_kind) == (label, unit, "component"), cell
        assert o.value == (None if value is None else pytest.approx(value, rel=1e-12)), cell
        assert o.sheet == "2019年" and o.year == 2019
    for cell, (seq, value) in ZJG_REPORTED.items():
        o = by_cell[cell]
        assert o.row_kind == "indicator" and o.seq_no == seq, cell
        assert o.value == (None if value is None else pytest.approx(value)), cell
    # merged 分类 / 序号 reach every row of their block
    assert by_cell["G10"].seq_no == 2 and by_cell["G10"].category == "经济发展"
    assert by_cell["G59"].seq_no == 25 and by_cell["G59"].category == "环境保护"
    assert by_cell["G44"].value_text == "达标" and by_cell["G44"].value_kind == "marker"
    assert by_cell["G31"].requirement.startswith("当园区工业增加值建设期年均增长率>0")
    assert by_cell["G11"].selection == "是" and by_cell["G17"].selection == "必选"
    assert str(by_cell["G6"].report_date) == "2020-03-16"


def test_form_with_extra_rows_and_variations(tmp_path: Path):
    body = [
        ["经济发展", 2, "年末从业人口", "人", "-", "-", "５２,３００"],
        [None, None, "工业增加值", "亿元", "-", "-", 98.56],
        [None, None, "人均工业增加值", "万元/人", "≥15", "是", "18.85 "],
        ["产业共生", 6, "工业固体废物综合利用率*", "%", "≥70", "是", 0.9864],
        [None, 7, "再生资源循环利用率*", "%", "≥80", "否", "**.*%"],
        [None, 17, "工业园区重点污染源稳定排放达标情况", "%", "达标", "必选", "达标"],
        [None, 20, "环境管理能力完善度", "%", "100", "必选", None],
    ]
    rows = [["说明：本表由园区管委会填报"], [None]] + form_rows("  张家港经开区 ", 2020, body, planning_base=2014)
    path = write_xlsx(tmp_path / "anything.xlsx", {"Sheet1": rows}, formats={("Sheet1", "G11"): "0.00%"})
    form = _only(parse_workbook(path.read_bytes()))
    assert form.template == "eip_form" and form.year == 2020
    obs = {o.label: o for o in form.observations}
    assert obs["年末从业人口"].value == 52300
    assert obs["工业增加值"].unit == "亿元" and obs["工业增加值"].value == 98.56  # kept in the written unit
    assert obs["人均工业增加值"].value == 18.85
    assert obs["工业固体废物综合利用率*"].value == pytest.approx(98.64)
    assert obs["再生资源循环利用率*"].value is None and obs["再生资源循环利用率*"].value_kind == "masked"
    assert obs["环境管理能力完善度"].value_kind == "blank"
    assert {o.planning_base_year for o in form.observations} == {2014}
    assert any(f.code == "masked" and f.cell == obs["再生资源循环利用率*"].cell for f in form.findings)


def test_form_park_from_title_and_date_cell(tmp_path: Path):
    import datetime as dt

    rows = [
        ["张家港经开区国家生态工业示范园区对照考核表"],
        ["填报时间", dt.datetime(2021, 4, 1)],
        ["数据基准年为2020年"],
        FORM_HEADER,
    ] + small_form_body()
    form = _only(parse_workbook(write_xlsx(tmp_path / "f.xlsx", {"x": rows}).read_bytes()))
    assert form.park_name == "张家港经开区" and str(form.observations[0].report_date) == "2021-04-01"


def test_form_without_data_year_is_reported_with_its_sheet(tmp_path: Path):
    rows = [["国家生态工业示范园区对照考核表"], ["园区名称:某园区"], FORM_HEADER] + small_form_body()
    sheets = parse_workbook(write_xlsx(tmp_path / "f.xlsx", {"表A": rows}).read_bytes())
    assert sheets[0].template is None and "no data year" in sheets[0].message
    assert sheets[0].findings[0].severity == "error"


def test_formula_cells_cached_and_uncached(tmp_path: Path):
    rows = form_rows("某园区", 2019, small_form_body(value_added="=1000*2", staff="=A1"))
    path = write_xlsx(tmp_path / "f.xlsx", {"s": rows})  # openpyxl writes formulas without cached values
    form = _only(parse_workbook(path.read_bytes()))
    uncached = [o for o in form.observations if o.value_kind == "formula_no_cache"]
    assert len(uncached) == 2
    assert {f.code for f in form.findings} == {"formula_no_cache"}


def test_plan_table(samples_dir):
    plan = _only(parse_workbook((samples_dir / "主要指标_示例高新区_十四五.xlsx").read_bytes()))
    assert plan.template == "plan" and plan.park_name == "示例高新区" and plan.plan_name == "十四五"
    obs = {(o.seq_no, o.value_role): o for o in plan.observations}
    assert len(obs) == 24
    assert obs[(1, "base")].value == 1250.6 and obs[(1, "base")].year == 2020 and obs[(1, "base")].unit == "亿元"
    assert obs[(1, "target")].value == 1800 and obs[(1, "target")].year == 2025
    assert obs[(2, "target")].value_text == "7左右" and obs[(2, "target")].value is None
    assert obs[(6, "base")].value_kind == "not_reported"
    assert obs[(7, "base")].value_text == "完成市下\n达任务"
    assert obs[(12, "base")].unit == "人" and obs[(12, "base")].attribute == "预期性"
    assert obs[(10, "base")].attribute == "约束性" and obs[(10, "base")].category == "民生福祉"
    assert obs[(5, "base")].cell == "D8" and obs[(5, "target")].cell == "E8"


def test_statistics_long_wide_and_xls(samples_dir, tmp_path: Path):
    sheets = parse_workbook((samples_dir / "统计数据_示例高新区与吴江区.xlsx").read_bytes())
    long, wide = sheets
    assert long.template == wide.template == "statistics"
    gdp23 = next(o for o in long.observations if o.label == "地区生产总值" and o.year == 2023)
    assert gdp23.value == 1497.8 and gdp23.note == "预计" and gdp23.cell == "E5"
    wj = {o.label: o for o in wide.observations}
    assert wj["工业投资增速"].value == 7 and wj["工业投资增速"].year == 2023 and wj["工业投资增速"].cell == "D6"
    xls = _only(parse_workbook((samples_dir / "统计数据_示例高新区_工业.xls").read_bytes()))
    energy = {o.year: o for o in xls.observations if o.label == "综合能耗"}
    assert energy[2023].value == 102.1 and energy[2023].unit == "万吨标煤" and energy[2023].cell == "G7"
    # year columns written as 2019 (numbers) and a park column merged downwards
    rows = [
        ["园区名称", "指标", "单位", 2019, "2020"],
        ["甲园区", "工业增加值", "亿元", "1,234.5", 1300],
        [None, "工业用地面积", "平方公里", 10, 10.5],
    ]
    path = write_xlsx(tmp_path / "w.xlsx", {"s": rows}, merges={"s": ["A2:A3"]})
    obs = {(o.label, o.year): o for o in _only(parse_workbook(path.read_bytes())).observations}
    assert obs[("工业增加值", 2019)].value == 1234.5 and obs[("工业用地面积", 2020)].park_name == "甲园区"


def test_xls_percent_format_and_fullwidth(tmp_path: Path):
    rows = form_rows(
        "某园区",
        2019,
        [
            ["产业共生", 6, "工业固体废物综合利用率*", "%", "≥70", "是", 0.8463],
            [None, 2, "年末从业人口", "人", "-", "-", "３３,１００"],
        ],
    )
    path = write_xls(tmp_path / "old.xls", {"表": rows}, percent_cells=[("表", 5, 6)])
    form = _only(parse_workbook(path.read_bytes()))
    obs = {o.label: o for o in form.observations}
    assert obs["工业固体废物综合利用率*"].value == pytest.approx(84.63)
    assert obs["年末从业人口"].value == 33100


def test_targets_sheet(samples_dir):
    t = _only(parse_workbook((samples_dir / "年度目标_吴江区_2024.xlsx").read_bytes()))
    assert t.template == "targets" and t.park_name == "吴江区"
    obs = {o.label: o for o in t.observations}
    assert len(obs) == 12 and obs["实际使用外资"].target_text == "超5亿美元" and obs["实际使用外资"].unit == "亿美元"
    assert obs["主要污染物排放总量削减"].unit is None


def test_unrecognised_sheet_is_skipped_not_fatal(tmp_path: Path):
    path = write_xlsx(
        tmp_path / "mixed.xlsx",
        {"封面": [["2019年度报告"], ["编制单位：某某"]], "表": form_rows("某园区", 2019, small_form_body())},
    )
    sheets = parse_workbook(path.read_bytes())
    assert sheets[0].template is None and "no template" in sheets[0].message
    assert sheets[1].template == "eip_form"


def test_statistics_per_row_fields_cleaned_once_keep_their_own_text(tmp_path: Path):
    """Per-row fields are cleaned once per distinct cell value: 1, 1.0 and True are equal keys in
    Python but different texts; a park repeated down its rows stays the same park."""
    from ingest.parsing import parse_file

    rows = [
        ["园区名称", "指标", "单位", 2019, 2020],
        [" 甲园区 ", "工业增加值", "亿元", 1.0, 2.0],
        [" 甲园区 ", "工业用地面积", 1, 10, 10.5],
        ["乙园区", "工业用地面积", True, 3, 4],
    ]
    path = write_xlsx(tmp_path / "w.xlsx", {"s": rows})
    obs = {(o.park_name, o.label, o.year): o for o in _only(parse_workbook(path.read_bytes())).observations}
    assert obs[("甲园区", "工业增加值", 2020)].unit == "亿元"
    assert obs[("甲园区", "工业用地面积", 2019)].unit == "1"
    assert obs[("乙园区", "工业用地面积", 2019)].unit == "True"  # as before the cache: not "1"
    # a file of statistics cells alone carries no A1 column: the warehouse derives it (schema.DERIVED)
    assert "cell" not in parse_file(path.read_bytes()).table.column_names


def test_statistics_keys_equal_to_their_names_are_left_null_for_the_warehouse_view_to_restore():
    """keys_as_names: a key that differs from its name is kept, one that equals it is NULL (the view
    raw.observations reads coalesce(key, name)); dictionary columns indexed alike and plain columns."""
    import pyarrow as pa

    from ingest.parsing import keys_as_names

    idx = pa.array([0, 1, 2, 0], pa.int32())
    labels = pa.array(["工业增加值", "工业用水重复利用率*", "单位GDP能耗（吨标煤/万元）"])
    keys = pa.array(["工业增加值", "工业用水重复利用率", "单位GDP能耗(吨标煤/万元)"])
    t = pa.table(
        {
            "label": pa.DictionaryArray.from_arrays(idx, labels),
            "label_key": pa.DictionaryArray.from_arrays(idx, keys),
            "park_name": pa.array(["甲园区", "乙 园区", "甲园区", None]),
            "park_key": pa.array(["甲园区", "乙园区", "甲园区", None]),
        }
    )
    out = keys_as_names(t)
    assert out.column("label_key").to_pylist() == [None, "工业用水重复利用率", "单位GDP能耗(吨标煤/万元)", None]
    assert out.column("park_key").to_pylist() == [None, "乙园区", None, None]
    # what the view gives back: coalesce(key, name)
    back = [k if k is not None else n for k, n in zip(out.column("label_key").to_pylist(), t.column("label").to_pylist())]
    assert back == t.column("label_key").to_pylist()
