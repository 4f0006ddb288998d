"""What people see, checked in the programs they use: the overview page in headless Chromium (a
screenshot, its pixels), the assessment workbooks printed to PDF by LibreOffice (page size, the text
poppler finds on the pages), and the workbook files as Excel reads them (no formula, no link).

One real build of the bundled samples plus a park that typed formulas and a link into every text
it files, and parks whose names a file system folds into one file name.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingest.report.labels import load
from ingest.report.workbook import FORM_WIDTHS
from tests import clients, hostile
from tests.support import SAMPLES, out, q, run_build

L = load()
ZJG = "张家港经济技术开发区"
SCREEN, PHONE = 1366, 390


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("seen")
    inbox = tmp / "inbox"
    shutil.copytree(SAMPLES, inbox)
    hostile.active_content_park(inbox / "active")
    hostile.colliding_parks(inbox / "collide")
    wh = tmp / "wh" / "parks.duckdb"
    proc = run_build(inbox, wh, tmp / "reports", "--json")
    assert proc.returncode == 0, out(proc)
    return {"wh": wh, "exports": tmp / "exports", "reports": tmp / "reports", "tmp": tmp, "summary": json.loads(proc.stdout)}


def workbooks(seen) -> list[Path]:
    return sorted((seen["exports"] / "assessment").glob("*.xlsx"))


def hostile_book(seen) -> Path:
    return next(p for p in workbooks(seen) if p.name.startswith("=HYPERLINK"))


# --- no input text is ever active content ---------------------------------------------------------


def test_no_workbook_holds_a_formula_or_a_link_whatever_the_parks_typed(seen):
    books = workbooks(seen)
    assert len(books) >= 10
    typed = set()
    for book in books:
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                assert not name.startswith("xl/externalLinks"), (book.name, name)
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    xml = z.read(name).decode("utf-8")
                    assert not re.search(r"<f[ >]", xml), (book.name, name)  # no formula in any cell
                    assert "<hyperlink" not in xml, (book.name, name)
                assert not name.endswith(".rels") or "hyperlink" not in z.read(name).decode("utf-8")
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (book.name, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value[:1] in "=+-@" and len(cell.value) > 1:
                        typed.add(cell.value.split("：")[-1])
                        assert cell.quotePrefix, (book.name, ws.title, cell.coordinate)  # stays text when edited
    # what the park typed is shown as it typed it: the link, the formulas, the plan target =100
    assert {hostile.LINK, "=1+1", "=100", "@SUM(1,1)", "+cmd|' /C calc'!A0"} <= typed


@clients.needs_libreoffice
def test_the_hostile_workbook_printed_by_libreoffice_shows_the_text_and_carries_no_link(seen):
    pdf = clients.to_pdf(hostile_book(seen), seen["tmp"] / "pdf-hostile")
    assert b"/URI" not in pdf.read_bytes()  # no clickable link in the print
    text = clients.squeeze(" ".join(w.text for w in clients.pdf_words(pdf)))
    assert clients.squeeze(hostile.LINK) in text  # the park's name as typed
    assert "=1+1" in text and "=100" in text and "Err:" not in text  # no computed value, no error


# --- one park, one file ---------------------------------------------------------------------------


def test_every_park_writes_its_own_workbook_and_the_summary_names_the_renamed(seen):
    parks = [
        p
        for (p,) in q(
            seen["wh"],
            """select park_name from marts.parks where park_name in (
                    select park_name from marts.system_assessment) order by 1""",
        )
    ]
    owners = {}
    for book in workbooks(seen):
        ws = openpyxl.load_workbook(book).worksheets[0]
        if str(ws["A3"].value).startswith(L("form.park", park="")):
            owners[book.name] = ws["A3"].value.removeprefix(L("form.park", park=""))
    assert sorted(owners.values()) == sorted(parks)  # one file per park, none lost
    for name in ("甲/乙园区", "甲_乙园区", "甲:乙园区", "ABC园区", "abc园区"):
        assert name in owners.values()
    books = [p.name for p in workbooks(seen)]
    assert len({n.casefold() for n in books}) == len(books)  # distinct on Windows and macOS too
    renamed = [w for w in seen["summary"]["warnings"] if w.startswith("the workbook of ")]
    assert any("'甲/乙园区'" in w and "characters file systems refuse" in w for w in renamed)
    assert any("'ABC园区'" in w and "only in case" in w for w in renamed)
    assert any("longer than a file name" in w for w in renamed)
    assert all(len(n.encode("utf-8")) < 230 for n in owners)


# --- charts that read -----------------------------------------------------------------------------


def _charted(seen) -> dict[str, bool]:
    """Every chart the page should draw, by its label, and whether it has a threshold."""
    rows = q(
        seen["wh"],
        """select seq_no || '. ' || any_value(indicator_name order by year desc),
                                   bool_or(threshold is not null)
                            from marts.system_assessment where park_name = ? and value is not null
                            group by system_code, seq_no""",
        [ZJG],
    )
    return dict(rows)


@clients.needs_chromium
@pytest.mark.parametrize("which", ["report", "exports"])
def test_every_chart_of_the_overview_is_white_and_shows_its_threshold_in_chromium(seen, which, tmp_path):
    page = seen["reports"] / "latest" / "overview.html" if which == "report" else seen["exports"] / "overview.html"
    shot = clients.render(page, SCREEN, tmp_path / "overview.png")
    img = clients.pixels(shot.png)
    expected = _charted(seen)
    charts = [s for s in shot.svgs if s["label"] in expected]
    assert {s["label"] for s in charts} == set(expected)
    for s in charts:
        x, y, w, h = (int(round(v)) for v in s["box"])
        assert w > 100 and h > 100, s
        region = img.crop((x, y, x + w, y + h))
        px = list(region.get_flattened_data())
        lum = [clients.luminance(p) for p in px]
        assert sum(lum) / len(lum) > 200, f"{s['label']}: mean luminance {sum(lum) / len(lum):.0f}"
        assert sum(1 for v in lum if v < 60) / len(lum) < 0.05, f"{s['label']}: too dark"
        red = sum(1 for r, g, b in px if r > 150 and g < 100 and b < 100)
        if expected[s["label"]]:
            assert red > 40, f"{s['label']}: the threshold line is not drawn ({red} red pixels)"
    # one year of data: the value is a dot inside the plot, not on its frame, and is labelled
    assert q(seen["wh"], "select count(distinct year) from marts.system_assessment where park_name = ?", [ZJG]) == [(1,)]


@clients.needs_chromium
def test_nothing_is_cut_off_on_a_phone(seen, tmp_path):
    for page in (
        seen["reports"] / "latest" / "overview.html",
        seen["exports"] / "overview.html",
        seen["reports"] / "latest" / "index.html",
    ):
        shot = clients.render(page, PHONE, tmp_path / f"{page.parent.name}-{page.stem}.png")
        assert shot.viewport == PHONE
        assert shot.width <= PHONE, f"{page}: the page is {shot.width} px wide on a {PHONE} px screen"
        for s in shot.svgs:
            assert s["box"][0] >= 0 and s["box"][0] + s["box"][2] <= PHONE + 0.5, (page.name, s)


# --- a form that prints ---------------------------------------------------------------------------

A4_LANDSCAPE = (841.89, 595.3)


def _columns(words: list[clients.Word], page: int) -> list[tuple[float, float]]:
    """The x-range of each form column on a page, from the header words LibreOffice printed and the
    column widths (the page is scaled uniformly)."""
    header = [L(f"header.{c}") for c in ("category", "note")]
    first = next(w for w in words if w.page == page and w.text == header[0])
    last = next(w for w in words if w.page == page and w.text == header[1] and w.y0 < first.y1 + 2)
    c0, c1 = (first.x0 + first.x1) / 2, (last.x0 + last.x1) / 2
    span = FORM_WIDTHS[0] / 2 + sum(FORM_WIDTHS[1:-1]) + FORM_WIDTHS[-1] / 2
    scale = (c1 - c0) / span
    left = c0 - scale * FORM_WIDTHS[0] / 2
    edges = [left + scale * sum(FORM_WIDTHS[:i]) for i in range(len(FORM_WIDTHS) + 1)]
    return list(zip(edges, edges[1:]))


@clients.needs_libreoffice
def test_the_form_prints_on_a4_landscape_with_every_line_of_every_requirement_and_note(seen):
    book = seen["exports"] / "assessment" / f"{ZJG}.xlsx"
    pdf = clients.to_pdf(book, seen["tmp"] / "pdf-form")
    pages = clients.pdf_pages(pdf)
    assert pages and all(abs(w - A4_LANDSCAPE[0]) < 2 and abs(h - A4_LANDSCAPE[1]) < 2 for w, h in pages), pages
    words = clients.pdf_words(pdf)
    form_pages = sorted({w.page for w in words if w.text == L("header.category")})
    assert len(form_pages) >= 2  # the form runs over pages ...
    for p in form_pages:  # ... each with the header repeated
        assert any(w.page == p and w.text == L("header.note") for w in words), f"page {p}: 说明 not on the page"
        on_page = [w for w in words if w.page == p]
        assert max(w.x1 for w in on_page) <= A4_LANDSCAPE[0]  # one page width
    ws = openpyxl.load_workbook(book).worksheets[0]
    requirement_col, note_col = 4, 11
    req_text = note_text = ""
    for p in form_pages:
        cols = _columns(words, p)
        req_text += clients.column_text([w for w in words if w.page == p], *cols[requirement_col])
        note_text += clients.column_text([w for w in words if w.page == p], *cols[note_col])
    checked = 0
    for row in ws.iter_rows(min_row=6):
        req, note = row[requirement_col].value, row[note_col].value
        for line in (req or "").split("\n"):
            if line and line != "-":
                assert clients.squeeze(line) in req_text, f"requirement line {line!r} is not printed"
                checked += 1
        if note:
            assert clients.squeeze(note) in note_text, f"note {note!r} is not printed whole"
            checked += 1
    assert checked > 60
    # the three-line requirement of 再生水回用率, every line
    for line in ("缺水城市达到20%以上", "京津冀区域达到30%以上", "其他地区达到10%以上"):
        assert line in req_text
    # no text printed over another row's text
    for p in form_pages:
        on_page = sorted((w for w in words if w.page == p), key=lambda w: (w.y0, w.x0))
        for i, a in enumerate(on_page):
            for b in on_page[i + 1 :]:
                if b.y0 >= a.y1:
                    break
                overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
                overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
                assert not (overlap_y > 0.3 * (a.y1 - a.y0) and overlap_x > 1), f"page {p}: {a.text!r} over {b.text!r}"


@clients.needs_libreoffice
def test_numbers_print_with_their_unit_precision_and_thousands_separators(seen):
    pdf = clients.to_pdf(seen["exports"] / "assessment" / f"{ZJG}.xlsx", seen["tmp"] / "pdf-numbers")
    text = {w.text for w in clients.pdf_words(pdf)}
    assert "49.36%" in text  # a share in percentage points reads as a percent
    assert "985,600.00" in text and "52,300" in text
    assert "0.06" not in text  # no fraction a reader could take for a percentage
    plan = clients.to_pdf(seen["exports"] / "assessment" / "示例高新区.xlsx", seen["tmp"] / "pdf-plan")
    words = {w.text for w in clients.pdf_words(plan)}
    assert "6.20%" in words  # the achieved compound rate 0.0620 as a percent
    assert not any(re.fullmatch(r"\d+\.\d{5,}", w) for w in words)  # no 6.227168674909267


# --- Chinese for Chinese readers, wording that cannot be misread ----------------------------------

ENGLISH = re.compile(r"\b[a-z]{3,}(?:[ ,:]+[a-z]{2,}){1,}\b")


def _page_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(style|title)>.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"[\w.-]+\.(?:xlsx|xls|json|html)\b", " ", text)  # file names are names


def test_the_pages_and_workbooks_speak_chinese(seen):
    latest = seen["reports"] / "latest"
    for page in (latest / "overview.html", latest / "index.html", seen["exports"] / "overview.html"):
        found = ENGLISH.findall(_page_text(page))
        assert not found, f"{page.name}: {found[:10]}"
    for book in workbooks(seen):
        for ws in openpyxl.load_workbook(book).worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, str):
                        s = re.sub(r"[\w.-]+\.xlsx!\S*", " ", v)
                        assert not ENGLISH.findall(s), (book.name, ws.title, v)


def test_wording_a_reader_cannot_misread(seen):
    page = (seen["exports"] / "overview.html").read_text(encoding="utf-8")
    # 吴江区 has 12 targets and no 2024 figure: none is judged, so none reads as missed
    assert L("target.counts", met=0, missed=0, unjudged=12) in page
    # indicators the park did not select are marked as not counted beside the verdict
    assert L("overview.counted.false") in page and L("overview.counted.legend") in page
    with duckdb.connect(str(seen["wh"]), read_only=True) as con:
        bad = con.execute("""select indicator_name, progress, status from marts.plan_progress
                             where (status = 'behind' and progress > 1) or (status = 'achieved' and progress < 0)""").fetchall()
        assert bad == []
        p = dict(
            con.execute("""select indicator_name, progress from marts.plan_progress
                                where park_name = '示例高新区'""").fetchall()
        )
    assert p["地区生产总值年均增速"] is None  # an 'about 7' rate target: judged on its value
    assert p["城镇登记失业率"] is None  # a ceiling already met at the base: no ratio
    assert p["地区生产总值"] == pytest.approx((1497.8 - 1250.6) / (1800 - 1250.6))


# --- the rest a reader meets ----------------------------------------------------------------------


def test_a_build_writes_the_overview_of_every_park_into_exports(seen):
    page = (seen["exports"] / "overview.html").read_text(encoding="utf-8")
    for (park,) in q(seen["wh"], "select park_name from marts.parks"):
        assert __import__("html").escape(park) in page


def test_the_units_warning_names_every_cell(seen):
    units = [w for w in seen["summary"]["warnings"] if w.startswith("units")]
    assert len(units) == 1
    # the sample's G51 and one cell in each of the six colliding parks' forms: all counted, five named
    assert "in 7 cells:" in units[0] and "and 2 more" in units[0]
    assert units[0].count("!2019年!G") == 5
