"""Template recognition and parsing of one sheet: pure functions, Grid in, records out.

Templates (../shared/docs/spreadsheets.md):
  eip_form     A. 对照考核表 (HJ 274-2015 assessment form; one park, one data year)
  plan         B. 主要指标表 (five-year plan main indicators; one park)
  statistics   C. 统计数据表 (yearly statistics, long or wide by year; one or more parks)
  targets      D. 年度目标表 (yearly targets of a government work report)
Recognition reads the title and header text only, never the file or sheet name.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, asdict
from typing import Any, Callable, Iterator

from .cells import ParsedValue, normalize_text, parse_cell, squash
from .grid import Grid, a1

HEADER_SCAN_ROWS = 30


@dataclass
class Observation:
    sheet: str
    cell: str
    row_no: int
    col_no: int
    template: str
    park_name: str | None
    year: int | None
    label: str | None
    unit: str | None
    value_text: str | None
    value: float | None
    value_kind: str
    number_format: str | None = None
    layout: str | None = None
    category: str | None = None
    seq_no: int | None = None
    row_kind: str | None = None  # eip_form: component | indicator
    requirement: str | None = None
    selection: str | None = None
    planning_base_year: int | None = None
    report_date: dt.date | None = None
    plan_name: str | None = None
    base_year: int | None = None
    target_year: int | None = None
    value_role: str | None = None  # actual | base | target
    attribute: str | None = None
    target_text: str | None = None
    note: str | None = None
    label_key: str | None = None  # label for joining: half-width, no spaces, no '*' or unit in brackets

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Finding:
    """Something a person should look at; ``cell`` is an A1 reference or None for the whole sheet."""

    sheet: str
    cell: str | None
    severity: str  # info | warning | error
    code: str
    message: str


@dataclass
class SheetResult:
    sheet: str
    template: str | None
    observations: list[Observation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    park_name: str | None = None
    year: int | None = None
    plan_name: str | None = None
    message: str = ""


class SheetError(Exception):
    def __init__(self, cell: str | None, message: str):
        super().__init__(message)
        self.cell = cell


# ---------------------------------------------------------------- helpers


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _clean(v: Any) -> str | None:
    """A label as written, minus surrounding whitespace; None when empty."""
    t = _text(v).strip()
    return t or None


def _year_of(v: Any) -> int | None:
    m = re.fullmatch(r"((?:19|20)\d{2})(?:年)?(?:\.0)?", squash(_text(v)))
    return int(m.group(1)) if m else None


def _row_texts(grid: Grid, row: int) -> dict[int, str]:
    return {c: squash(_text(grid.value(row, c))) for c in range(1, grid.max_col + 1) if grid.value(row, c) is not None}


def _find_header(grid: Grid, want: dict[str, Callable[[str], bool]]) -> tuple[int, dict[str, int]] | None:
    """First row (within the top rows) holding a cell for every wanted column; returns the columns."""
    for row in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        texts = _row_texts(grid, row)
        cols: dict[str, int] = {}
        for name, match in want.items():
            for c, t in texts.items():
                if c not in cols.values() and match(t):
                    cols[name] = c
                    break
        if len(cols) == len(want):
            return row, cols
    return None


def _eq(*names: str) -> Callable[[str], bool]:
    return lambda t: t in names


def _top_texts(grid: Grid, until_row: int) -> list[tuple[int, int, str]]:
    return [(r, c, normalize_text(_text(grid.value(r, c))))
            for r in range(1, until_row) for c in range(1, grid.max_col + 1)
            if grid.value(r, c) is not None]


_PARK = re.compile(r"园区名称\s*[:：]\s*(.+?)(?:\s{2,}|\s*填报时间|$)")
_REPORT_DATE = re.compile(r"填报时间\s*[:：]?\s*(.*)$")


def _park_from_top(top: list[tuple[int, int, str]], grid: Grid) -> tuple[str | None, str | None]:
    for r, c, t in top:
        m = _PARK.search(t)
        if m and m.group(1).strip():
            return m.group(1).strip(), a1(r, c)
        if squash(t) in ("园区名称", "园区名称:"):
            nxt = _clean(grid.value(r, c + 1))
            if nxt:
                return nxt, a1(r, c + 1)
    return None, None


def _parse_date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    t = squash(_text(v))
    m = re.search(r"((?:19|20)\d{2})[年\-/.](\d{1,2})[月\-/.](\d{1,2})", t)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _unit_in_name(name: str) -> str | None:
    """'地区生产总值（亿元）' -> '亿元'; the unit is the last bracketed part of the name."""
    m = re.search(r"[（(]([^（）()]*)[)）]\s*$", name)
    return m.group(1).strip() if m else None


def _observation(grid: Grid, row: int, col: int, template: str, **fields: Any) -> Observation:
    cell = grid.get(row, col)
    parsed: ParsedValue = parse_cell(cell.value if cell else None, cell.number_format if cell else None,
                                     cell.formula_without_value if cell else False)
    return Observation(sheet=grid.name, cell=a1(row, col), row_no=row, col_no=col, template=template,
                       value_text=parsed.value_text, value=parsed.value, value_kind=parsed.kind,
                       number_format=cell.number_format if cell else None, **fields)


def _value_findings(obs: list[Observation]) -> list[Finding]:
    out = []
    for o in obs:
        if o.value_kind == "masked":
            out.append(Finding(o.sheet, o.cell, "warning", "masked",
                               f"masked digits {o.value_text!r} for {o.label!r}: loaded as not reported"))
        elif o.value_kind == "formula_no_cache":
            out.append(Finding(o.sheet, o.cell, "warning", "formula_no_cache",
                               f"formula without a cached value for {o.label!r} (open and save the file in Excel)"))
        elif o.value_kind == "text" and o.template in ("eip_form", "statistics"):
            out.append(Finding(o.sheet, o.cell, "warning", "not_a_number",
                               f"text {o.value_text!r} where a number was expected for {o.label!r}"))
    return out


# ---------------------------------------------------------------- template A: 对照考核表

FORM_HEADER = {
    "category": _eq("分类", "类别"),
    "seq_no": _eq("序号"),
    "label": lambda t: t in ("指标", "指标名称"),
    "unit": _eq("单位"),
    "requirement": lambda t: t in ("要求", "指标要求", "标准值", "要求值"),
    "selection": lambda t: t.startswith("是否选为"),
    "value": lambda t: t in ("数值", "指标值", "数据", "现状值"),
}


def parse_eip_form(grid: Grid, header_row: int, cols: dict[str, int]) -> SheetResult:
    top = _top_texts(grid, header_row)
    park, park_cell = _park_from_top(top, grid)
    title = next((t for _, _, t in top if "对照考核表" in t), "")
    if park is None and title:
        prefix = title.split("国家生态工业示范园区")[0].strip()
        park = prefix or None
    if not park:
        raise SheetError(None, "no park name: expected a '园区名称:…' line above the header")
    year = planning_base = None
    report_date = None
    for r, c, t in top:
        compact = squash(t)
        if m := re.search(r"数据基准年(?:为|是)?((?:19|20)\d{2})", compact):
            year = int(m.group(1))
        if m := re.search(r"规划基准年(?:为|是)?((?:19|20)\d{2})", compact):
            planning_base = int(m.group(1))
        if "填报时间" in compact:
            m = _REPORT_DATE.search(t)
            report_date = _parse_date(m.group(1)) if m else None
            if report_date is None:
                report_date = _parse_date(grid.value(r, c + 1))
    if year is None:
        raise SheetError(None, "no data year: expected '数据基准年为YYYY年' above the header")

    obs: list[Observation] = []
    category = None
    seq_no: int | None = None
    for row in range(header_row + 1, grid.max_row + 1):
        first = squash(_text(next((grid.value(row, c) for c in range(1, grid.max_col + 1)
                                   if grid.value(row, c) is not None), "")))
        if first.startswith("注") or first.startswith("备注"):
            break
        label = _clean(grid.value(row, cols["label"]))
        if label is None:
            continue
        cat = _clean(grid.merged_value(row, cols["category"]))
        category = cat or category
        seq_raw = grid.merged_value(row, cols["seq_no"])
        if seq_raw is not None and _text(seq_raw).strip():
            try:
                seq_no = int(float(normalize_text(_text(seq_raw))))
            except ValueError:
                raise SheetError(a1(row, cols["seq_no"]), f"序号 {seq_raw!r} is not a number") from None
        requirement = _clean(grid.value(row, cols["requirement"]))
        selection = _clean(grid.value(row, cols["selection"]))
        is_component = squash(requirement or "-") in ("-", "—", "－", "") and squash(selection or "-") in ("-", "—", "－", "")
        obs.append(_observation(
            grid, row, cols["value"], "eip_form", park_name=park, year=year, label=label,
            unit=_clean(grid.value(row, cols["unit"])), category=category, seq_no=seq_no,
            row_kind="component" if is_component else "indicator",
            requirement=requirement, selection=selection, planning_base_year=planning_base,
            report_date=report_date))
    if not obs:
        raise SheetError(a1(header_row, 1), "the form has a header but no indicator rows")
    result = SheetResult(grid.name, "eip_form", obs, _value_findings(obs), park, year)
    if park_cell is None:
        result.findings.append(Finding(grid.name, None, "info", "park_from_title",
                                       f"park name {park!r} taken from the title"))
    return result


# ---------------------------------------------------------------- template B: 主要指标表

def _plan_header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    return _find_header(grid, {
        "category": _eq("类别", "分类"),
        "label": lambda t: t in ("指标", "指标名称"),
        "base": lambda t: bool(re.fullmatch(r"(?:19|20)\d{2}年?(?:完成值|实际值|基期值|现状值)", t)),
        "target": lambda t: bool(re.fullmatch(r"(?:19|20)\d{2}年?(?:目标值|规划值|目标)", t)),
    })


def parse_plan(grid: Grid, header_row: int, cols: dict[str, int]) -> SheetResult:
    top = _top_texts(grid, header_row)
    park, _ = _park_from_top(top, grid)
    title = next((t for _, _, t in top if "主要指标" in t), "")
    if not park:
        raise SheetError(None, "no park name: expected a '园区名称：…' line between the title and the header")
    m = re.search(r"(十[一二三四五六七八九]五)", title)
    plan_name = m.group(1) if m else (re.sub(r"^表\s*\d+\s*", "", title).strip() or grid.name)
    base_year = int(re.match(r"\d{4}", squash(_text(grid.value(header_row, cols["base"])))).group())
    target_year = int(re.match(r"\d{4}", squash(_text(grid.value(header_row, cols["target"])))).group())
    texts = _row_texts(grid, header_row)
    seq_col = next((c for c, t in texts.items() if t == "序号"), None)
    attr_col = next((c for c, t in texts.items() if t in ("指标属性", "属性")), None)

    obs: list[Observation] = []
    category = None
    for row in range(header_row + 1, grid.max_row + 1):
        label = _clean(grid.value(row, cols["label"]))
        if label is None:
            continue
        if squash(label).startswith("注"):
            break
        category = _clean(grid.merged_value(row, cols["category"])) or category
        seq = None
        if seq_col:
            try:
                seq = int(float(normalize_text(_text(grid.merged_value(row, seq_col)))))
            except ValueError:
                seq = None
        common = dict(park_name=park, label=label, unit=_unit_in_name(normalize_text(label)),
                      category=category.replace("\n", "") if category else None, seq_no=seq,
                      plan_name=plan_name, base_year=base_year, target_year=target_year,
                      attribute=squash(_text(grid.value(row, attr_col))) or None if attr_col else None)
        obs.append(_observation(grid, row, cols["base"], "plan", year=base_year, value_role="base", **common))
        obs.append(_observation(grid, row, cols["target"], "plan", year=target_year, value_role="target", **common))
    if not obs:
        raise SheetError(a1(header_row, 1), "the plan table has a header but no indicator rows")
    return SheetResult(grid.name, "plan", obs, [f for f in _value_findings(obs)], park, None, plan_name)


# ---------------------------------------------------------------- template C: 统计数据表

def _year_columns(grid: Grid, row: int) -> dict[int, int]:
    return {c: y for c in range(1, grid.max_col + 1) if (y := _year_of(grid.value(row, c))) is not None}


def _statistics_rows(grid: Grid, header_row: int, cols: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row, common fields) for each body row of a statistics sheet, either layout."""
    texts = _row_texts(grid, header_row)
    unit_col = next((c for c, t in texts.items() if t == "单位"), None)
    note_col = next((c for c, t in texts.items() if t in ("备注", "说明")), None)
    park = None
    for row in range(header_row + 1, grid.max_row + 1):
        label = _clean(grid.value(row, cols["label"]))
        if label is None:
            continue
        park = _clean(grid.merged_value(row, cols["park"])) or park
        yield row, dict(
            park_name=park, label=label, value_role="actual",
            unit=_clean(grid.value(row, unit_col)) if unit_col else None,
            note=_clean(grid.value(row, note_col)) if note_col else None)


def parse_statistics_long(grid: Grid, header_row: int, cols: dict[str, int]) -> SheetResult:
    obs = []
    for row, common in _statistics_rows(grid, header_row, cols):
        year = _year_of(grid.merged_value(row, cols["year"]))
        if year is None:
            raise SheetError(a1(row, cols["year"]), f"年份 {grid.value(row, cols['year'])!r} is not a year")
        obs.append(_observation(grid, row, cols["value"], "statistics", layout="long", year=year, **common))
    return SheetResult(grid.name, "statistics", obs, _value_findings(obs), obs[-1].park_name if obs else None)


def parse_statistics_wide(grid: Grid, header_row: int, cols: dict[str, int]) -> SheetResult:
    years = _year_columns(grid, header_row)
    obs = []
    for row, common in _statistics_rows(grid, header_row, cols):
        obs.extend(_observation(grid, row, col, "statistics", layout="wide", year=year, **common)
                   for col, year in years.items())
    return SheetResult(grid.name, "statistics", obs, _value_findings(obs), obs[-1].park_name if obs else None)


# ---------------------------------------------------------------- template D: 年度目标表

def parse_targets(grid: Grid, header_row: int, cols: dict[str, int]) -> SheetResult:
    texts = _row_texts(grid, header_row)
    unit_col = next((c for c, t in texts.items() if t == "单位"), None)
    obs = []
    park = year = None
    for row in range(header_row + 1, grid.max_row + 1):
        label = _clean(grid.value(row, cols["label"]))
        if label is None:
            continue
        park = _clean(grid.merged_value(row, cols["park"])) or park
        year = _year_of(grid.merged_value(row, cols["year"])) or year
        if year is None:
            raise SheetError(a1(row, cols["year"]), f"年份 {grid.value(row, cols['year'])!r} is not a year")
        o = _observation(grid, row, cols["target"], "targets", park_name=park, year=year, label=label,
                         unit=_clean(grid.value(row, unit_col)) if unit_col else None, value_role="target")
        o.target_text = o.value_text
        obs.append(o)
    return SheetResult(grid.name, "targets", obs, [], park, year)


# ---------------------------------------------------------------- recognition

def recognise(grid: Grid) -> tuple[str, int, dict[str, int]] | None:
    """Which template a sheet is in, from its title and header text; None when it is none of them."""
    top = " ".join(squash(_text(grid.value(r, c))) for r in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1)
                   for c in range(1, grid.max_col + 1) if grid.value(r, c) is not None)
    if "对照考核表" in top or ("是否选为" in top and "要求" in top):
        found = _find_header(grid, FORM_HEADER)
        if found:
            return ("eip_form", *found)
    found = _plan_header(grid)
    if found:
        return ("plan", *found)
    found = _find_header(grid, {"park": _eq("园区名称", "园区"), "year": _eq("年份", "年度"),
                                "label": _eq("指标", "指标名称"), "target": _eq("目标", "目标值", "预期目标")})
    if found:
        return ("targets", *found)
    found = _find_header(grid, {"park": _eq("园区名称", "园区"), "year": _eq("年份", "年度"),
                                "label": _eq("指标", "指标名称"), "value": _eq("数值", "数据", "值")})
    if found:
        return ("statistics_long", *found)
    found = _find_header(grid, {"park": _eq("园区名称", "园区"), "label": _eq("指标", "指标名称"),
                                "year": lambda t: _year_of(t) is not None})
    if found:
        return ("statistics_wide", *found)
    return None


PARSERS = {
    "eip_form": parse_eip_form,
    "plan": parse_plan,
    "targets": parse_targets,
    "statistics_long": parse_statistics_long,
    "statistics_wide": parse_statistics_wide,
}


def parse_sheet(grid: Grid) -> SheetResult:
    """Recognise and parse one sheet. A sheet in no template comes back with template None."""
    if not grid.cells:
        return SheetResult(grid.name, None, message="empty sheet")
    found = recognise(grid)
    if found is None:
        return SheetResult(grid.name, None, message="matches no template (title and header not recognised)")
    template, header_row, cols = found
    try:
        result = PARSERS[template](grid, header_row, cols)
    except SheetError as exc:
        where = f"cell {exc.cell}" if exc.cell else "sheet"
        result = SheetResult(grid.name, None, message=f"{template} sheet, {where}: {exc}")
        result.findings.append(Finding(grid.name, exc.cell, "error", "sheet_error", str(exc)))
        return result
    for o in result.observations:
        o.label_key = label_key(o.label, o.template) if o.label else None
    return result


def label_key(label: str, template: str) -> str:
    """'千人拥有执业（助理）医师数（人）' -> '千人拥有执业(助理)医师数'; '工业用水重复利用率*' -> '工业用水重复利用率'."""
    key = squash(label).rstrip("*＊")
    if template == "plan":
        key = re.sub(r"\([^()]*\)$", "", key) if _unit_in_name(key) is not None else key
    return key
