"""`parks check FILE…`: what the build would do with these files, before they are sent or loaded.

For a park's clerk or the bureau's. The files are read by the same code as the build, and a real
build runs in a temporary folder that nothing else sees: on the files alone, or on a copy of the
published warehouse (WAREHOUSE, read only) when one is given, so that growth rates, trends and the
verdicts of later years see the earlier ones. No warehouse, inbox or report of the bureau changes.

It prints, in Chinese, per file: the template recognised, the park and year, every finding with its
cell, rejected or held in quarantine and why, and the verdicts and gaps to pass its figures give. It
writes an annotated copy of each file (a 检查结果 sheet first, a comment on every cell at fault),
never touching the original. Exit codes are the build's: 0, 10 (a file would be rejected), 11 (a
park-year would be held in quarantine).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from . import exitcodes
from .outcome import BuildConfig, BuildResult
from .parsing import ParsedFile, parse_file
from .parsing.readers import read_workbook
from .report import xlsx
from .report.labels import load
from .report.phrases import zh

RESULT_SHEET = "检查结果"
FAULT = PatternFill("solid", fgColor="FFC7CE")
LOCATION = re.compile(r"!([^!]+)!([A-Z]{1,3}\d+)")


@dataclass
class FileCheck:
    path: Path
    name: str  # as given to the sandbox build
    status: str = ""
    reason: str = ""
    parsed: ParsedFile | None = None
    problems: list[tuple[str | None, str | None, str]] = field(default_factory=list)  # sheet, cell, message (zh)
    verdicts: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    annotated: Path | None = None


def check(
    files: list[Path], warehouse: Path | None, out_dir: Path | None, registry: Path | None = None
) -> tuple[int, list[FileCheck]]:
    """Check ``files``; returns the exit code and what was found per file."""
    from .console import Output
    from .run import build

    checks = []
    with tempfile.TemporaryDirectory(prefix="parks-check-") as tmp_name:
        tmp = Path(tmp_name)
        inbox = tmp / "inbox"
        inbox.mkdir()
        for i, f in enumerate(files):
            name = f.name if not (inbox / f.name).exists() else f"{i}_{f.name}"
            shutil.copy2(f, inbox / name)
            checks.append(FileCheck(f, name))
        state = tmp / "state"
        state.mkdir()
        if warehouse is not None and warehouse.is_file():
            history = state / "history.duckdb"
            shutil.copy2(warehouse, history)
            with duckdb.connect(str(history)) as con:  # the copy rebuilds its marts whole
                con.execute("update audit.runs set code_hash = null")
        cfg = BuildConfig(
            inbox=inbox,
            warehouse=tmp / "wh" / "parks.duckdb",
            reports=tmp / "reports",
            state_dir=state,
            exports=None,
            registry=registry,
        )
        cfg.write_exports = False
        cfg.move_rejected = False
        result = build(cfg, Output(quiet=True))
        for c in checks:
            _describe(c, result, state / "history.duckdb")
            c.annotated = annotate(c, out_dir or c.path.parent)
    return result.exit_code, checks


def _describe(c: FileCheck, result: BuildResult, history: Path) -> None:
    outcome = next((o for o in (result.ingest.outcomes if result.ingest else []) if o.name == c.name), None)
    c.status = outcome.status if outcome else "not read"
    c.reason = (outcome.message or "") if outcome else "; ".join(result.failures)
    c.parsed = parse_file(c.path.read_bytes())  # the build's own reading: sheets and cell findings
    for f in c.parsed.findings:
        c.problems.append((f.sheet, f.cell, zh(f.message) or f.message))
    if c.parsed.error:
        c.problems.append((None, None, zh(c.parsed.error) or c.parsed.error))
    for (park, year), reasons in sorted(result.quarantined.items()):
        for r in reasons:
            if c.name in r or (c.parsed.table is not None and park in _parks(c.parsed)):
                m = LOCATION.search(r)
                c.problems.append((m.group(1) if m else None, m.group(2) if m else None, f"{park} {year} 将被隔离：{zh(r)}"))
    for w in result.warnings:
        for m in re.finditer(re.escape(c.name) + r"!([^!,;]+)!([A-Z]{1,3}\d+)", w):
            c.problems.append((m.group(1), m.group(2), zh(w) or w))
    if history.exists() and c.parsed.table is not None and c.status == "loaded":
        c.verdicts, c.gaps = _verdicts(history, c)


def _parks(parsed: ParsedFile) -> set[str]:
    return {p for p in parsed.table.column("park_name").to_pylist() if p} if parsed.table is not None else set()


def _verdicts(history: Path, c: FileCheck) -> tuple[list[str], list[str]]:
    """The verdicts and gaps to pass of the park-years this file speaks for."""
    labels = load()
    years = {y for y in c.parsed.table.column("year").to_pylist() if y} if "year" in c.parsed.table.column_names else set()
    files = [c.name]
    con = duckdb.connect(str(history), read_only=True)
    try:
        parks = [
            p
            for (p,) in con.execute(
                """select distinct park_name from marts.indicator_values
                                              where source_file in (select unnest(?::varchar[]))""",
                [files],
            ).fetchall()
        ]
        if not parks:
            parks = [
                p
                for (p,) in con.execute(
                    "select distinct park_name from marts.plan_progress where source_file in (select unnest(?::varchar[]))",
                    [files],
                ).fetchall()
            ]
        verdicts = con.execute(
            """select system_code, park_name, year, verdict, note from marts.system_verdict
                                  where park_name in (select unnest(?::varchar[])) order by 1, 2, 3""",
            [parks],
        ).fetchall()
        gaps = con.execute(
            """select system_code, park_name, year, seq_no, indicator_name, note from marts.system_assessment
                              where park_name in (select unnest(?::varchar[])) and status = 'fail' and counted
                              order by 1, 2, 3, 4""",
            [parks],
        ).fetchall()
    finally:
        con.close()
    keep = (lambda y: y in years) if years else (lambda y: True)
    out_v = [
        f"{labels.get('form.title.' + s, s)} {p} {y}年：{labels.get('verdict.' + v, v)}" + (f"（{zh(n)}）" if n else "")
        for s, p, y, v, n in verdicts
        if keep(y)
    ]
    out_g = [
        f"{labels.get('form.title.' + s, s)} {p} {y}年 {q or ''} {name}：{zh(n) or '未达标'}"
        for s, p, y, q, name, n in gaps
        if keep(y)
    ]
    return out_v, out_g


def annotate(c: FileCheck, folder: Path) -> Path:
    """A copy of the file with a 检查结果 sheet first and a comment on each cell at fault. An .xlsx
    keeps its own formatting; another format becomes an .xlsx of the values as read."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{c.path.stem}.{RESULT_SHEET}.xlsx"
    wb: Any = None
    if c.path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            wb = openpyxl.load_workbook(c.path)
        except Exception:  # noqa: BLE001 - a file openpyxl cannot open still gets its findings, as values
            wb = None
    if wb is None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        try:
            for sheet in read_workbook(c.path.read_bytes()):
                ws = wb.create_sheet(sheet.name[:31])
                for r, row in enumerate(sheet.rows, start=1):
                    for col, v in enumerate(row, start=1):
                        if v is not None and v != "":
                            xlsx.put(ws.cell(row=r, column=col), v if isinstance(v, int | float | str) else str(v))
        except Exception:  # noqa: BLE001 - an unreadable file: the result sheet alone says why
            pass
    for sheet, cell, message in c.problems:
        if sheet in wb.sheetnames and cell:
            target_cell = wb[sheet][cell]
            target_cell.comment = Comment(message[:2000], "parks check")
            target_cell.fill = FAULT
    ws = wb.create_sheet(RESULT_SHEET, 0)
    lines = summary_lines(c)
    for i, line in enumerate(lines, start=1):
        xlsx.put(ws.cell(row=i, column=1), line)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 120
    wb.active = 0
    tmp = target.with_name(f".{target.name}.tmp")
    wb.save(tmp)
    tmp.replace(target)
    return target


STATUS = {
    "loaded": "可以载入",
    "duplicate": "重复：不会重复载入",
    "rejected": "将被拒收",
    "known": "已载入过",
    "not read": "未能读取",
}


def summary_lines(c: FileCheck) -> list[str]:
    lines = [f"检查结果：{c.path.name}", f"结论：{STATUS.get(c.status, c.status)}"]
    if c.status != "loaded" and c.reason:
        lines.append(f"原因：{zh(c.reason) or c.reason}")
    for s in c.parsed.sheets if c.parsed else []:
        template = load().get(f"template.{s.template}", s.template or "")
        what = (
            f"{template}，园区 {s.park_name or '–'}，年份 {s.year or '–'}，{s.n} 个数值单元格"
            if s.template
            else f"未载入：{zh(s.message) or s.message}"
        )
        lines.append(f"工作表 {s.sheet}：{what}")
    if c.problems:
        lines.append(f"问题（{len(c.problems)}）：")
        lines += [f"  {sheet or ''}{'!' + cell if cell else ''} {message}".rstrip() for sheet, cell, message in c.problems]
    else:
        lines.append("问题：无")
    if c.verdicts:
        lines.append("判定：")
        lines += [f"  {v}" for v in c.verdicts]
    if c.gaps:
        lines.append("未达标指标与达标所需：")
        lines += [f"  {g}" for g in c.gaps]
    return lines


def print_report(code: int, checks: list[FileCheck]) -> str:
    out = []
    for c in checks:
        out += summary_lines(c)
        if c.annotated:
            out.append(f"批注副本：{c.annotated}")
        out.append("")
    meaning = {
        exitcodes.OK: "全部可以发送",
        exitcodes.REJECTED: "有文件将被拒收",
        exitcodes.QUARANTINED: "有园区年度将被隔离",
    }.get(code, "检查未完成")
    out.append(f"总结：{meaning}（退出码 {code}）")
    return "\n".join(out)
