"""The programs our readers use, driven by the tests: headless Chromium for the pages, LibreOffice
for the workbooks (converted to PDF, as printed), poppler for the PDF's pages and text.

When a program is missing the tests that need it are skipped with one line naming the Debian
packages (CI installs them: .ci/run). Nothing here reads our output with our own parser: what is
asserted is what the program rendered.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGES = "apt-get install -y chromium fonts-noto-cjk libreoffice-calc-nogui poppler-utils"
CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT, PDFINFO = shutil.which("pdftotext"), shutil.which("pdfinfo")

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=f"headless Chromium is not installed: {PACKAGES}")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None, reason=f"LibreOffice or poppler is not installed: {PACKAGES}"
)

# a closed network: no background connections, no first-run pages (the flags of a Debian probe)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]

# Added to a copy of the page for measuring only: where every chart and table landed, how wide the
# document is. The page itself has no script; the copy writes its findings into the title.
MEASURE = """<script>
(function(){
  function box(e){var r=e.getBoundingClientRect();return [r.left+scrollX,r.top+scrollY,r.width,r.height];}
  var svgs=[].slice.call(document.querySelectorAll('svg')).map(function(s){
    return {label:s.getAttribute('aria-label')||'',box:box(s)};});
  var found=JSON.stringify({width:document.documentElement.scrollWidth,
    height:document.documentElement.scrollHeight,viewport:innerWidth,svgs:svgs});
  if (window.parent !== window) { window.parent.postMessage(found, '*'); }
  document.title='MEASURE'+found;
})();
</script>"""
# Headless Chromium keeps a window at least 500 px wide: a phone's width is a frame of that width
# in a wider window, which lays the page out exactly as a 390 px screen does (its own viewport).
PHONE_FRAME = """<!doctype html><html><head><meta charset="utf-8"><title>waiting</title></head>
<body style="margin:0;background:#808080"><iframe src="{src}" style="border:0;width:{width}px;height:{height}px;background:#fff"></iframe>
<script>addEventListener('message', function(e) {{ document.title = 'MEASURE' + e.data; }});</script></body></html>"""
MIN_WINDOW = 500


@dataclass
class Rendered:
    png: Path
    width: int
    height: int
    viewport: int
    svgs: list[dict]


def _chromium(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=timeout
        )


def _measure(url: str, width: int) -> dict:
    dom = _chromium([f"--window-size={max(width, MIN_WINDOW)},900", "--virtual-time-budget=5000", "--dump-dom", url])
    m = re.search(r"<title>MEASURE(.*?)</title>", dom.stdout, re.S)
    assert m, f"Chromium did not render {url}: {dom.stderr[-2000:]}"
    return json.loads(m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def render(page: Path, width: int, out: Path) -> Rendered:
    """The page in Chromium at ``width`` CSS pixels, from file:// with no network: a screenshot of
    the whole page, and where each chart is."""
    copy = out.with_suffix(".measure.html")
    html = page.read_text(encoding="utf-8")
    copy.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    url = copy.as_uri()
    if width < MIN_WINDOW:
        frame = out.with_suffix(".frame.html")
        frame.write_text(PHONE_FRAME.format(src=copy.name, width=width, height=900), encoding="utf-8")
        found = _measure(frame.as_uri(), width)
        height = min(int(found["height"]) + 10, 30000)
        frame.write_text(PHONE_FRAME.format(src=copy.name, width=width, height=height), encoding="utf-8")
        url = frame.as_uri()
    else:
        found = _measure(url, width)
        height = min(int(found["height"]) + 10, 30000)
    shot = _chromium([f"--window-size={max(width, MIN_WINDOW)},{height}", f"--screenshot={out}", url])
    assert out.is_file(), shot.stderr[-2000:]
    return Rendered(out, int(found["width"]), height, int(found["viewport"]), found["svgs"])


def to_pdf(workbook: Path, folder: Path) -> Path:
    """The workbook printed to PDF by LibreOffice Calc, headless, as a person prints it."""
    assert SOFFICE is not None
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                str(workbook),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "HOME": profile},
        )
    pdf = folder / (workbook.stem + ".pdf")
    assert pdf.is_file(), proc.stdout + proc.stderr
    return pdf


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    assert PDFINFO is not None
    info = subprocess.run([PDFINFO, "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


@dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def pdf_words(pdf: Path) -> list[Word]:
    """Every word poppler finds on the pages, with its box: what is printed, clipped text excluded."""
    assert PDFTOTEXT is not None
    xml = subprocess.run([PDFTOTEXT, "-bbox-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    words, page = [], 0
    for m in re.finditer(
        r"<page |<word xMin=\"([\d.]+)\" yMin=\"([\d.]+)\" xMax=\"([\d.]+)\" yMax=\"([\d.]+)\">(.*?)</word>", xml
    ):
        if m.group(0).startswith("<page"):
            page += 1
            continue
        text = m.group(5).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        words.append(Word(page, float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)), text))
    return words


def column_text(words: list[Word], left: float, right: float) -> str:
    """The text printed between x = left and x = right on every page, top to bottom, no spaces."""
    inside = [w for w in words if left - 1 <= (w.x0 + w.x1) / 2 <= right + 1]
    inside.sort(key=lambda w: (w.page, round(w.y0, 0), w.x0))
    return "".join(w.text for w in inside)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pixels(png: Path):
    from PIL import Image

    return Image.open(png).convert("RGB")


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
