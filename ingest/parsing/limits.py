"""Limits checked before any reader parses a workbook: pure, bytes in, a plan or a reason out.

A decompression bomb, a stray cell at XFD1048576 or a 1 GiB shared string costs the readers gigabytes
(calamine allocates the whole rectangle from A1 to the last stored cell; it clones a shared string
into every cell that uses it). This module reads the zip the way the readers will, inflating each
XML part as a stream with a byte cap, and measures what the readers would build: stored cells,
their extent, text node lengths and the text shared-string cells expand to. It also collects the
two facts calamine cannot give: which cells carry a percent format and which formulas were saved
without a value. The XML is scanned with numpy over the raw bytes (no Python object per cell).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

CHUNK = 8 << 20
CARRY = 16 << 10  # bytes kept across chunks: every pattern matched here is shorter than this
LT, SLASH, GT, QUOTE = 60, 47, 62, 34


@dataclass(frozen=True)
class Limits:
    """What one workbook may cost. A file beyond any of them is rejected with the reason."""

    max_file_bytes: int = 64 << 20  # an .xlsx as stored
    max_xls_bytes: int = 24 << 20  # an .xls is not compressed: its size bounds what it holds
    max_entries: int = 4000  # zip entries
    max_part_bytes: int = 128 << 20  # one XML part, inflated
    max_total_bytes: int = 512 << 20  # every XML part of the workbook, inflated
    max_sheets: int = 250
    max_cells_per_sheet: int = 2_000_000  # stored cells
    max_cells_per_file: int = 6_000_000
    max_extent_cells: int = 4_000_000  # rows x columns from A1 to the last stored cell
    max_text_bytes: int = 256 << 10  # one text node; Excel allows 32,767 characters in a cell
    max_expanded_text_bytes: int = 256 << 20  # shared-string cells x the longest shared string
    max_merged_ranges: int = 20_000


DEFAULT_LIMITS = Limits()


class LimitExceeded(Exception):
    """The workbook is beyond a limit; ``str()`` is the reason for a person."""

    def __init__(self, message: str, sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.sheet = sheet
        self.cell = cell


@dataclass
class SheetPlan:
    name: str
    part: str | None  # zip path of the sheet XML
    kind: str  # worksheet | chartsheet | other
    cells: int = 0
    max_row: int = 0
    max_col: int = 0
    shared_string_cells: int = 0
    percent_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> number format
    no_cache_cells: set[tuple[int, int]] = field(default_factory=set)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> #DIV/0!, #N/A, …


@dataclass
class XlsxPlan:
    sheets: list[SheetPlan]
    inflated_bytes: int = 0


def human(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def col_name(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


# ---------------------------------------------------------------- the zip container


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0

    def stream(
        self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, cap: int | None = None, sheet: str | None = None
    ) -> Iterator[bytes]:
        """The part's bytes, inflated chunk by chunk; stops at the cap instead of inflating a bomb."""
        cap = self.limits.max_part_bytes if cap is None else cap
        if info.file_size > cap:
            raise LimitExceeded(
                f"{what} declares {human(info.file_size)} uncompressed, over the limit of {human(cap)} "
                f"(a decompression bomb?)",
                sheet=sheet,
            )
        seen = 0
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                seen += len(chunk)
                self.total += len(chunk)
                if seen > cap:
                    raise LimitExceeded(f"{what} inflates to more than {human(cap)} (a decompression bomb?)", sheet=sheet)
                if self.total > self.limits.max_total_bytes:
                    raise LimitExceeded(
                        f"the workbook's XML inflates to more than {human(self.limits.max_total_bytes)}", sheet=sheet
                    )
                yield chunk

    def read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, cap: int) -> bytes:
        return b"".join(self.stream(zf, info, what, cap))


_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b([^>]*)>")
_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')
_REL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*)>")
_NUMFMT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)/?>")
_CELLXFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?(worksheet|chartsheet|dialogsheet|sst)\b")
BUILTIN_PERCENT = {9: "0%", 10: "0.00%"}
SMALL_PART = 16 << 20


def _attrs(blob: bytes) -> dict[str, str]:
    return {k.decode("utf-8", "replace"): html.unescape(v.decode("utf-8", "replace")) for k, v in _ATTR.findall(blob)}


def _is_percent(code: str) -> bool:
    return "%" in re.sub(r'"[^"]*"|\\.', "", code)


def inspect_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> XlsxPlan:
    """Check an .xlsx against the limits and say what each sheet holds. Raises LimitExceeded, or
    zipfile.BadZipFile for a damaged container."""
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded(f"the file is {human(len(data))}, over the limit of {human(limits.max_file_bytes)}")
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise LimitExceeded(f"the zip container holds {len(infos)} entries, over the limit of {limits.max_entries}")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise LimitExceeded(f"the zip container holds two entries named {dup[0]!r}: readers would disagree on it")
    by_name = {i.filename: i for i in infos}
    budget = _Budget(limits)

    wb_info = by_name.get("xl/workbook.xml")
    if wb_info is None:
        raise zipfile.BadZipFile("no xl/workbook.xml: not an Excel workbook")
    workbook = budget.read(zf, wb_info, "xl/workbook.xml", SMALL_PART)
    rels_info = by_name.get("xl/_rels/workbook.xml.rels")
    rels: dict[str, str] = {}
    if rels_info is not None:
        for blob in _REL_TAG.findall(budget.read(zf, rels_info, "xl/_rels/workbook.xml.rels", SMALL_PART)):
            a = _attrs(blob)
            target = a.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rels[a.get("Id", "")] = _normalise(target)

    sheets: list[SheetPlan] = []
    for blob in _SHEET_TAG.findall(workbook):
        a = _attrs(blob)
        rid = next((v for k, v in a.items() if k.endswith(":id") or k == "id"), "")
        part = rels.get(rid)
        sheets.append(SheetPlan(name=a.get("name", ""), part=part, kind="other"))
    if len(sheets) > limits.max_sheets:
        raise LimitExceeded(f"{len(sheets)} sheets, over the limit of {limits.max_sheets}")
    seen: dict[str, int] = {}
    for i, s in enumerate(sheets, start=1):
        key = s.name.casefold()  # Excel itself treats sheet names case-insensitively
        if key in seen:
            raise LimitExceeded(
                f"sheets {seen[key]} and {i} are both named {s.name!r}: rename one and send the file again", sheet=s.name
            )
        seen[key] = i

    percent_styles = _percent_styles(zf, by_name, budget)
    longest_shared = _shared_strings(zf, by_name, budget, limits)

    total_cells = 0
    for s in sheets:
        info = by_name.get(s.part or "")
        if info is None:
            continue
        _scan_sheet(s, zf, info, budget, limits, percent_styles)
        total_cells += s.cells
        if total_cells > limits.max_cells_per_file:
            raise LimitExceeded(f"more than {limits.max_cells_per_file:,} stored cells in the workbook", sheet=s.name)
        if s.shared_string_cells * longest_shared > limits.max_expanded_text_bytes:
            raise LimitExceeded(
                f"{s.shared_string_cells:,} text cells would expand to about "
                f"{human(s.shared_string_cells * longest_shared)} of text (longest shared string "
                f"{human(longest_shared)}), over the limit of {human(limits.max_expanded_text_bytes)}",
                sheet=s.name,
            )
    return XlsxPlan(sheets, budget.total)


def _normalise(path: str) -> str:
    parts: list[str] = []
    for p in path.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)


def _percent_styles(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], budget: _Budget) -> dict[int, str]:
    """cellXfs index -> number format, for the styles that show a percent."""
    info = by_name.get("xl/styles.xml")
    if info is None:
        return {}
    xml = budget.read(zf, info, "xl/styles.xml", SMALL_PART)
    formats = dict(BUILTIN_PERCENT)
    for blob in _NUMFMT.findall(xml):
        a = _attrs(blob)
        try:
            formats[int(a.get("numFmtId", "-1"))] = a.get("formatCode", "")
        except ValueError:
            continue
    m = _CELLXFS.search(xml)
    out: dict[int, str] = {}
    if m:
        for i, blob in enumerate(_XF.findall(m.group(1))):
            try:
                fmt = formats.get(int(_attrs(blob).get("numFmtId", "0")))
            except ValueError:
                continue
            if fmt and _is_percent(fmt):
                out[i] = fmt
    return out


@dataclass
class _Window:
    """One step of a streamed part: ``buf`` (carry + chunk), positions before ``end`` are this step's."""

    buf: bytes
    base: int  # offset of buf[0] in the part
    end: int
    pad: np.ndarray  # buf as bytes plus 32 zero bytes, so that look-ahead never runs off the end
    lt: np.ndarray  # positions (in buf) of '<' before end


def _windows(chunks: Iterator[bytes]) -> Iterator[_Window]:
    offset = 0
    carry = b""
    it = iter(chunks)
    nxt = next(it, None)
    while nxt is not None:
        chunk, nxt = nxt, next(it, None)
        buf = carry + chunk
        base = offset - len(carry)
        final = nxt is None
        end = len(buf) if final else len(buf) - CARRY
        offset += len(chunk)
        if end <= 0:
            carry = buf
            continue
        arr = np.frombuffer(buf, dtype=np.uint8)
        pad = np.concatenate([arr, np.zeros(32, dtype=np.uint8)])
        yield _Window(buf, base, end, pad, np.flatnonzero(arr[:end] == LT))
        carry = buf[end:]


class _Gaps:
    """The longest run between two '<' of a part: the longest text node."""

    def __init__(self, what: str, limits: Limits, sheet: str | None = None):
        self.what, self.limits, self.sheet = what, limits, sheet
        self.prev: int | None = None
        self.longest = 0

    def feed(self, w: _Window) -> None:
        if not len(w.lt):
            return
        pos = w.lt + w.base
        if self.prev is not None:
            self.longest = max(self.longest, int(pos[0]) - self.prev)
        if len(pos) > 1:
            self.longest = max(self.longest, int(np.diff(pos).max()))
        self.prev = int(pos[-1])
        if self.longest > self.limits.max_text_bytes:
            raise LimitExceeded(
                f"{self.what} holds a text of more than {human(self.limits.max_text_bytes)} "
                f"(Excel allows 32,767 characters in a cell)",
                sheet=self.sheet,
            )


def _root(w: _Window) -> tuple[bytes, bytes]:
    m = _ROOT.search(w.buf[:4096])
    return ((m.group(1) or b""), m.group(2)) if m else (b"", b"")


def _shared_strings(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], budget: _Budget, limits: Limits) -> int:
    """The longest shared string item in bytes (what one shared-string cell may expand to)."""
    info = by_name.get("xl/sharedStrings.xml")
    if info is None:
        return 0
    gaps = _Gaps("xl/sharedStrings.xml", limits)
    prefix = b""
    longest = 0
    last_si: int | None = None
    size = 0
    for w in _windows(budget.stream(zf, info, "xl/sharedStrings.xml")):
        if w.base == 0:
            prefix, _ = _root(w)
        gaps.feed(w)
        q = w.lt + 1 + len(prefix)
        mask = (
            _match_prefix(w.pad, w.lt, prefix) & (w.pad[q] == ord("s")) & (w.pad[q + 1] == ord("i")) & _DELIM[w.pad[q + 2]]
        )
        starts = w.lt[mask] + w.base
        if len(starts):
            if last_si is not None:
                longest = max(longest, int(starts[0]) - last_si)
            if len(starts) > 1:
                longest = max(longest, int(np.diff(starts).max()))
            last_si = int(starts[-1])
        size = w.base + len(w.buf)
    if last_si is not None:
        longest = max(longest, size - last_si)
    return max(longest, gaps.longest)


def _match_prefix(arr: np.ndarray, lt: np.ndarray, prefix: bytes) -> np.ndarray:
    mask = np.ones(len(lt), dtype=bool)
    for k, b in enumerate(prefix):
        mask &= arr[lt + 1 + k] == b
    return mask


def _scan_sheet(
    s: SheetPlan, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, limits: Limits, percent_styles: dict[int, str]
) -> None:
    what = f"sheet {s.name!r}"
    gaps = _Gaps(what, limits, s.name)
    prefix = b""
    implicit = 0
    formula_seen = False
    percent_re = None
    style_attrs = [f' s="{i}"'.encode() for i in sorted(percent_styles)]
    if percent_styles:
        alts = b"|".join(str(i).encode() for i in sorted(percent_styles))
        percent_re = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d{1,7})"[^>]*?\ss="(' + alts + rb')"')
    for w in _windows(budget.stream(zf, info, what, sheet=s.name)):
        if w.base == 0:
            prefix, root = _root(w)
            s.kind = {b"worksheet": "worksheet", b"chartsheet": "chartsheet"}.get(root, "other")
        gaps.feed(w)
        pad, lt = w.pad, w.lt
        q = lt[pad[lt + 1 + len(prefix)] == ord("c")]
        if prefix:
            q = q[_match_prefix(pad, q, prefix)]
        q = q + 1 + len(prefix)
        cells = q[_DELIM[pad[q + 1]]]
        s.cells += len(cells)
        if s.cells > limits.max_cells_per_sheet:
            raise LimitExceeded(f"more than {limits.max_cells_per_sheet:,} stored cells", sheet=s.name)
        # the usual '<c r="AB12"': letters and digits read in place, as arrays
        fast = (
            (pad[cells + 1] == 32) & (pad[cells + 2] == ord("r")) & (pad[cells + 3] == ord("=")) & (pad[cells + 4] == QUOTE)
        )
        rows, cols, ok = _refs(pad, cells[fast] + 5)
        if len(rows):
            s.max_row = max(s.max_row, int(rows.max()))
            s.max_col = max(s.max_col, int(cols.max()))
        odd = np.concatenate([cells[~fast], cells[fast][~ok]])
        for p in odd.tolist():  # another attribute order, or no reference at all
            tag_end = w.buf.find(b">", p, p + 4096)
            m = re.search(rb'\sr="([A-Z]{1,3})(\d{1,7})"', w.buf[p : tag_end if tag_end > 0 else p + 4096])
            if m:
                s.max_row = max(s.max_row, int(m.group(2)))
                s.max_col = max(s.max_col, _col_number(m.group(1)))
            else:
                implicit += 1
        s.shared_string_cells += w.buf.count(b't="s"', 0, w.end)
        if percent_re is not None and any(a in w.buf for a in style_attrs):  # the regex only where it can match
            for m in percent_re.finditer(w.buf):
                if m.start() >= w.end:
                    break
                s.percent_cells[(int(m.group(2)), _col_number(m.group(1)))] = percent_styles[int(m.group(3))]
        if b't="e"' in w.buf:  # formula errors: calamine reads them as empty cells
            for m in _ERROR_CELL.finditer(w.buf):
                if m.start() >= w.end:
                    break
                s.error_cells[(int(m.group(2)), _col_number(m.group(1)))] = html.unescape(
                    m.group(3).decode("utf-8", "replace")
                )
        if not formula_seen and (b"<" + prefix + b"f>" in w.buf or b"<" + prefix + b"f " in w.buf):
            formula_seen = True
        if formula_seen:
            for m in _NO_CACHE.finditer(w.buf):
                if m.start() >= w.end:
                    break
                s.no_cache_cells.add((int(m.group(2)), _col_number(m.group(1))))
    if implicit:
        # cells without a reference sit after the previous one: bound their columns by their number
        s.max_col = min(16_384, s.max_col + implicit)
        s.max_row = max(s.max_row, 1)
    where = f"{col_name(s.max_col)}{s.max_row}"
    if s.max_row > 1_048_576 or s.max_col > 16_384:
        raise LimitExceeded(f"a cell at {where} lies outside Excel's grid", sheet=s.name, cell=where)
    extent = s.max_row * s.max_col
    if extent > limits.max_extent_cells:
        raise LimitExceeded(
            f"stored cells reach {where}: the sheet spans {extent:,} cells ({s.cells:,} stored), over the limit "
            f"of {limits.max_extent_cells:,}; delete the stray cells beyond the table",
            sheet=s.name,
            cell=where,
        )


_NO_CACHE = re.compile(
    rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d{1,7})"[^>/]*>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*'
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)  # a formula with no (or an empty) value


_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d{1,7})"[^>]*?\st="e"[^>]*>\s*(?:<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*)?'
    rb"<(?:\w+:)?v>([^<]{1,64})</(?:\w+:)?v>"
)  # a cell of type e (error) and its cached error text


def _col_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n


_LETTER = np.zeros(256, dtype=bool)
_LETTER[65:91] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[48:58] = True
_DELIM = np.zeros(256, dtype=bool)
_DELIM[[32, GT, 9, 10, 13]] = True


def _refs(pad: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row and column of each reference starting at ``starts`` ('AB12"'), and which parsed cleanly.
    Byte by byte over all references at once: at most 3 letters, 7 digits and the closing quote."""
    b0, b1, b2 = pad[starts].astype(np.int32), pad[starts + 1].astype(np.int32), pad[starts + 2].astype(np.int32)
    l0 = _LETTER[b0]
    l1 = l0 & _LETTER[b1]
    l2 = l1 & _LETTER[b2]
    cols = np.where(l2, (b0 - 64) * 676 + (b1 - 64) * 26 + (b2 - 64), np.where(l1, (b0 - 64) * 26 + (b1 - 64), b0 - 64))
    digits_at = starts + l0 + l1 + l2
    rows = np.zeros(len(starts), dtype=np.int64)
    alive = l0.copy()
    ok = np.zeros(len(starts), dtype=bool)
    for k in range(8):
        b = pad[digits_at + k]
        digit = alive & _DIGIT[b]
        rows = np.where(digit, rows * 10 + (b.astype(np.int64) - 48), rows)
        if k:
            ok |= alive & ~digit & (b == QUOTE)
        alive = digit
    return rows[ok], cols[ok].astype(np.int64), ok
