"""A national-scale inbox, generated deterministically (seeded), realistic enough to pass the gate.

At scale 1.0 (the national scale the targets in docs/performance.md are for): 31 provincial statistics workbooks in the
wide layout (2,500 parks x 150 indicators x 2010-2024, 5.6M figures), 600 HJ 274 forms (100 parks x 2018-2023),
31 plan tables and 31 provincial target tables listing every park of the province.
Smaller scales shrink the number of parks, forms, plans and targets; the shape stays.

    python -m tests.bench.national --scale 0.1 --out /tmp/national_0.1
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
from pathlib import Path

from tests.xlsx_raw import SheetSpec, write

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "inbox"
PROVINCES = 31
YEARS = list(range(2010, 2025))
PARKS_AT_FULL = 2500
INDICATORS = 150
FORMS_AT_FULL = 600
PLANS_AT_FULL = 31

# (name, unit, kind, start, yearly growth): kind level grows, share moves in percentage points
# within 0-100, rate is a yearly growth in %, marker is 达标/未达标
NAMED = [
    ("地区生产总值", "亿元", "level", 300.0, 0.07),
    ("地区生产总值增速", "%", "rate", 7.0, 0.0),
    ("工业增加值", "亿元", "level", 120.0, 0.08),
    ("规上工业总产值", "亿元", "level", 500.0, 0.07),
    ("规上工业总产值增速", "%", "rate", 6.0, 0.0),
    ("一般公共预算收入", "亿元", "level", 30.0, 0.06),
    ("一般公共预算收入增速", "%", "rate", 6.0, 0.0),
    ("常住人口", "万人", "level", 40.0, 0.01),
    ("研发经费支出", "亿元", "level", 8.0, 0.10),
    ("高新技术企业数", "家", "level", 200.0, 0.09),
    ("实际使用外资", "亿美元", "level", 3.0, 0.04),
    ("行政区划面积", "平方公里", "flat", 150.0, 0.0),
    ("年综合能源消费量", "万吨标准煤", "level", 60.0, 0.02),
    ("园区二氧化碳排放量", "万吨", "level", 12.0, 0.0),
    ("受入电量", "万千瓦时", "level", 90000.0, 0.03),
    ("送出电量", "万千瓦时", "level", 5000.0, 0.02),
    ("绿色电力消费量", "万千瓦时", "level", 20000.0, 0.12),
    ("受入热力", "吉焦", "level", 400000.0, 0.01),
    ("送出热力", "吉焦", "level", 20000.0, 0.01),
    ("清洁能源消费占比", "%", "share", 60.0, 2.0),
    ("工业固体废弃物综合利用率", "%", "share", 85.0, 0.5),
    ("余热余冷余压综合利用率", "%", "share", 45.0, 1.0),
    ("工业用水重复利用率", "%", "share", 82.0, 0.5),
    ("每万元GDP用水量", "立方米", "level", 9.0, -0.04),
    ("空气优良天数比例", "%", "share", 75.0, 0.5),
    ("全社会研发投入占GDP比重", "%", "share", 3.0, 0.1),
    ("城镇登记失业率", "%", "share", 3.0, -0.02),
    ("居民人均可支配收入", "万元", "level", 4.0, 0.06),
    ("居民人均可支配收入增速", "%", "rate", 6.0, 0.0),
    ("工业投资增速", "%", "rate", 8.0, 0.0),
]
FILLER_UNITS = [
    ("万元", "level", 5000.0, 0.05),
    ("吨", "level", 20000.0, 0.02),
    ("%", "share", 50.0, 0.5),
    ("个", "level", 30.0, 0.03),
    ("人", "level", 8000.0, 0.02),
    ("万吨", "level", 5.0, 0.02),
    ("亿元", "level", 10.0, 0.06),
    ("立方米", "level", 80000.0, 0.01),
]


def indicators() -> list[tuple[str, str, str, float, float]]:
    out = list(NAMED)
    i = 0
    while len(out) < INDICATORS:
        unit, kind, start, growth = FILLER_UNITS[i % len(FILLER_UNITS)]
        suffix = "比例" if kind == "share" else "总量"
        out.append((f"统计指标{i + 1:03d}{suffix}", unit, kind, start, growth))
        i += 1
    return out


def series(rng: random.Random, kind: str, start: float, growth: float) -> list[float | None]:
    size = math.exp(rng.gauss(0, 0.6))
    values: list[float | None] = []
    v = start * size if kind in ("level", "flat") else start + rng.uniform(-5, 5)
    for _ in YEARS:
        if kind == "level":
            v *= 1 + growth + rng.gauss(0, 0.02)
            values.append(round(v, 2))
        elif kind == "flat":
            values.append(round(v, 2))
        elif kind == "share":
            v = min(99.5, max(0.5, v + growth + rng.gauss(0, 0.8)))
            values.append(round(v, 2))
        else:  # a yearly growth rate
            values.append(round(start + rng.gauss(0, 1.5), 1))
    return values


def park_names(scale: float) -> list[list[str]]:
    n = max(PROVINCES, round(PARKS_AT_FULL * scale))
    per = [n // PROVINCES + (1 if p < n % PROVINCES else 0) for p in range(PROVINCES)]
    return [[f"省{p + 1:02d}第{k + 1:03d}园区" for k in range(per[p])] for p in range(PROVINCES)]


def wide_workbooks(out: Path, scale: float, rng: random.Random) -> list[Path]:
    paths = []
    inds = indicators()
    for p, parks in enumerate(park_names(scale)):
        rows: list[list] = [["园区名称", "指标", "单位", *[f"{y}年" for y in YEARS]]]
        for park in parks:
            for name, unit, kind, start, growth in inds:
                rows.append([park, name, unit, *series(rng, kind, start, growth)])
        path = out / "statistics" / f"统计数据_省{p + 1:02d}_2010-2024.xlsx"
        write(path, [SheetSpec("统计", grid=rows)])
        paths.append(path)
    return paths


def _grid_of(sample: Path) -> list[list]:
    from ingest.parsing.readers import read_workbook

    sheet = read_workbook(sample.read_bytes())[0]
    return [[None if v == "" else v for v in row] for row in sheet.rows]


FORM_YEARS = list(range(2018, 2024))  # six years of forms per park: 600 forms are 100 parks


def form_parks(scale: float) -> list[str]:
    """The parks that file forms: spread over the provinces, each filing every year of FORM_YEARS."""
    n = max(1, round(FORMS_AT_FULL * scale) // len(FORM_YEARS))
    provinces = park_names(scale)
    return [provinces[i % PROVINCES][i // PROVINCES] for i in range(n)]


def forms(
    out: Path, scale: float, rng: random.Random, years: list[int] | None = None, parks: list[str] | None = None
) -> list[Path]:
    grid = _grid_of(SAMPLES / "对照考核表_张家港经开区_2019.xlsx")
    parks = parks or form_parks(scale)
    years = years or FORM_YEARS
    paths = []
    for i in range(len(parks) * len(years)):
        park, year = parks[i // len(years)], years[i % len(years)]
        factor = math.exp(rng.gauss(0, 0.3))  # the park's size: every component scales, ratios stay
        rows = []
        for r, row in enumerate(grid):
            new = list(row)
            for c, v in enumerate(new):
                if isinstance(v, str) and "张家港经济技术开发区" in v:
                    new[c] = v.replace("张家港经济技术开发区", park)
                elif isinstance(v, str) and "数据基准年为2019年" in v:
                    new[c] = v.replace("2019", str(year))
            if len(row) >= 7 and row[4] in ("-",) and isinstance(row[6], (int, float)) and r > 4:
                new[6] = round(row[6] * factor, 2)
            rows.append(new)
        path = out / "forms" / f"对照考核表_{park}_{year}.xlsx"
        write(path, [SheetSpec(f"{year}年", grid=rows)])
        paths.append(path)
    return paths


def plans_and_targets(out: Path, scale: float) -> list[Path]:
    """A plan table per province (its first park), and a provincial targets table that, as a real
    年度目标 table does, lists the targets of every park of the province."""
    plan = _grid_of(SAMPLES / "主要指标_示例高新区_十四五.xlsx")
    targets = _grid_of(SAMPLES / "年度目标_吴江区_2024.xlsx")
    header, body = targets[0], targets[1:]
    n = max(1, round(PLANS_AT_FULL * scale))
    provinces = park_names(scale)[:n]
    paths = []
    for p, parks in enumerate(provinces):
        rows = [[v.replace("示例高新区", parks[0]) if isinstance(v, str) else v for v in row] for row in plan]
        paths.append(write(out / "plans" / f"主要指标_{parks[0]}_十四五.xlsx", [SheetSpec("规划", grid=rows)]))
        rows = [header] + [
            [v.replace("吴江区", park) if isinstance(v, str) else v for v in row] for park in parks for row in body
        ]
        paths.append(write(out / "targets" / f"年度目标_省{p + 1:02d}_2024.xlsx", [SheetSpec("目标", grid=rows)]))
    return paths


def generate(out: Path, scale: float, seed: int = 20250101) -> dict[str, int]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    wide = wide_workbooks(out, scale, rng)
    f = forms(out, scale, rng)
    pt = plans_and_targets(out, scale)
    return {
        "statistics": len(wide),
        "forms": len(f),
        "plans_and_targets": len(pt),
        "figures": sum(len(p) for p in park_names(scale)) * INDICATORS * len(YEARS),
    }


def one_more_form(out: Path, scale: float, name: str = "extra") -> Path:
    """A corrected form of a park-year already in the history (a re-filed park-year)."""
    rng = random.Random(7)
    tmp = out / ".one_more"
    paths = forms(tmp, scale, rng, years=[FORM_YEARS[-1]], parks=form_parks(scale)[:1])
    target = out / f"{name}_{paths[0].name}"
    target.write_bytes(paths[0].read_bytes())
    shutil.rmtree(tmp)
    return target


def new_year_form(out: Path, scale: float, name: str = "extra") -> Path:
    """The nightly case: a park's form of the year after its last (2024, after 2018–2023)."""
    rng = random.Random(11)
    tmp = out / ".new_year"
    paths = forms(tmp, scale, rng, years=[FORM_YEARS[-1] + 1], parks=form_parks(scale)[1:2] or form_parks(scale)[:1])
    target = out / f"{name}_{paths[0].name}"
    target.write_bytes(paths[0].read_bytes())
    shutil.rmtree(tmp)
    return target


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    print(generate(a.out, a.scale))


if __name__ == "__main__":
    main()
