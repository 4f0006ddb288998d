"""One workbook file parsed: its sheets, its value cells as one Arrow table ready for
raw.observations, the findings, and the fingerprints of what it says. Pure: bytes in, a ParsedFile
out, so that it runs in a worker process."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .limits import DEFAULT_LIMITS, Limits
from .readers import UnreadableFile, read_workbook
from .records import KEY_OF_NAME, Finding, SheetResult
from .sheet import a1, col_letters
from .templates import parse_sheet


def parse_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[SheetResult]:
    """Bytes in, one result per sheet out. Raises UnreadableFile (with the sheet and cell where one exists)."""
    return [parse_sheet(sheet) for sheet in read_workbook(data, limits)]


@dataclass
class SheetInfo:
    sheet: str
    index: int
    template: str | None
    park_name: str | None
    year: int | None
    plan_name: str | None
    message: str
    n: int


@dataclass
class ParsedFile:
    """One workbook parsed: what every sheet was, the value cells as one Arrow table ready for
    raw.observations (all but the file's own columns), and the findings; or why it could not be read."""

    sheets: list[SheetInfo] = field(default_factory=list)
    table: pa.Table | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    error_where: str = ""
    content_sha256: str = ""  # what the file says, whatever its bytes (content_fingerprint)
    scope_sha256: str = ""  # which templates, parks and years it speaks for


# In-file repeats: the same figure twice in one file (a repeated year column, a sheet copied). The
# first cell in sheet, row, column order is used; the others point at it (raw keeps them all).
REPEAT_KEY = {
    "statistics": ("park_name", "year", "label_key"),
    "targets": ("park_name", "year", "label_key"),
    "plan": ("park_name", "plan_name", "label_key", "value_role"),
    "review": ("park_name", "plan_name", "label_key", "value_role"),
    "eip_form": ("park_name", "year", "seq_no", "row_kind", "label_key"),
    "registry": ("park_name", "label_key"),
}
MAX_REPEAT_FINDINGS = 20  # per file; the rest are counted in one more finding


def parse_file(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedFile:
    """Bytes in, a ParsedFile out: pure, so that it runs in a worker process."""
    try:
        results = parse_workbook(data, limits)
    except UnreadableFile as exc:
        return ParsedFile(error=str(exc), error_where=exc.where())
    out = ParsedFile()
    tables = []
    for r in results:
        n = len(r) if r.template is not None else 0
        out.sheets.append(SheetInfo(r.sheet, r.index, r.template, r.park_name, r.year, r.plan_name, r.message, n))
        out.findings += r.findings
        if r.template is not None and n:
            t = r.to_arrow()
            tables.append(t.append_column("sheet_index", pa.array(np.full(t.num_rows, r.index, dtype=np.int32))))
    if tables:
        if len(tables) > 1:  # several sheets: plain columns (dictionaries of different sheets do not merge)
            tables = [_plain(t) for t in tables]
        table = pa.concat_tables(tables, promote_options="default").combine_chunks()
        table = _lineage_columns(table)
        duplicate_of, findings = _repeats(table)
        if duplicate_of.null_count < len(duplicate_of):
            table = table.append_column("duplicate_of", duplicate_of)
        if pc.all(pc.equal(table.column("template"), "statistics")).as_py():
            table = keys_as_names(table)
        # columns no row uses are left out: the table's NULL default fills them, and DuckDB reads less
        out.table = table.select([c for c in table.column_names if table.column(c).null_count < table.num_rows])
        out.findings += findings
        out.content_sha256, out.scope_sha256 = content_fingerprint(out.table)
        out.findings += spelling_findings(
            out.table.column("park_name").unique().drop_null().to_pylist()
            if not pa.types.is_dictionary(out.table.schema.field("park_name").type)
            else out.table.column("park_name").combine_chunks().dictionary.to_pylist()
        )
    return out


# What a file says: every value cell by what it is (template, park, year, plan, indicator, role), not
# where it sits, so that a form re-saved by another program, or exported to CSV, is the same content.
CONTENT_COLUMNS = (
    "template",
    "park_key",
    "year",
    "plan_name",
    "label_key",
    "row_kind",
    "seq_no",
    "value_role",
    "unit",
    "value",
    "value_text",
    "value_kind",
    "requirement",
    "selection",
    "target_text",
    "attribute",
    "note",
)
SCOPE_COLUMNS = ("template", "park_key", "year", "plan_name")


def content_fingerprint(t: pa.Table) -> tuple[str, str]:
    """SHA-256 of the file's content and of its scope (templates, parks, years)."""
    import hashlib

    def digest(columns: tuple[str, ...], distinct: bool) -> str:
        names = [c for c in columns if c in t.column_names]
        if "park_key" not in t.column_names and "park_name" in t.column_names:
            names = [("park_name" if c == "park_key" else c) for c in columns if c in t.column_names or c == "park_key"]
        plain = pa.table({c: pc.cast(_plain_column(t.column(c)), pa.string()) for c in names})
        if "park_key" in plain.column_names:  # a key stored NULL where it equals the name
            key = plain.column("park_key")
            if "park_name" in t.column_names:
                plain = plain.set_column(
                    plain.schema.get_field_index("park_key"),
                    "park_key",
                    pc.coalesce(key, pc.cast(_plain_column(t.column("park_name")), pa.string())),
                )
        if distinct:
            plain = plain.group_by(plain.column_names).aggregate([])
        # one string per row, sorted, hashed as one buffer: no Python object per cell
        rows = pc.binary_join_element_wise(
            *[plain.column(c) for c in plain.column_names],
            pa.scalar("\x1e"),
            "\x1f",
            null_handling="replace",
            null_replacement="\x00",
        )
        rows = pc.take(rows, pc.sort_indices(rows)).combine_chunks() if len(rows) else pa.array([], pa.string())
        h = hashlib.sha256()
        if len(rows):
            offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64 if pa.types.is_large_string(rows.type) else np.int32)[
                rows.offset : rows.offset + len(rows) + 1
            ]
            h.update(memoryview(rows.buffers()[2])[int(offsets[0]) : int(offsets[-1])])
        return h.hexdigest()

    return digest(CONTENT_COLUMNS, False), digest(SCOPE_COLUMNS, True)


def _plain_column(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.cast(col, col.type.value_type) if pa.types.is_dictionary(col.type) else col


def _plain(t: pa.Table) -> pa.Table:
    return pa.table(
        {
            c: (
                pc.cast(t.column(c), t.schema.field(c).type.value_type)
                if pa.types.is_dictionary(t.schema.field(c).type)
                else t.column(c)
            )
            for c in t.column_names
        }
    )


def _lineage_columns(t: pa.Table) -> pa.Table:
    """The A1 reference of every cell, the park name as a key, the masked flag: in Arrow, once. A
    table of statistics cells alone gets no A1 column: the warehouse derives it from row and column
    (schema.DERIVED), and building five million strings no one stores is a worker's largest cost."""
    out = t
    if not pc.all(pc.equal(t.column("template"), "statistics")).as_py():
        out = out.append_column("cell", a1_column(t.column("row_no"), t.column("col_no")))
    parks = t.column("park_name").combine_chunks()
    if pa.types.is_dictionary(parks.type):  # a key per distinct name: on the dictionary, once per name
        names = parks.dictionary
        keys = pa.DictionaryArray.from_arrays(parks.indices, _keys_of(names))
    else:
        keys = _keys_of(parks)
    return out.append_column("park_key", keys).append_column("is_masked", pc.equal(t.column("value_kind"), "masked"))


def keys_as_names(t: pa.Table) -> pa.Table:
    """A table of statistics cells with each key that equals its name set to NULL. The warehouse's
    view gives the name back (records.KEY_OF_NAME), and an all-NULL column is not written: two text
    columns fewer per cell for DuckDB to write, in the nightly national load."""
    for key, name in KEY_OF_NAME.items():
        if key in t.column_names and name in t.column_names:
            k, n = t.column(key).combine_chunks(), t.column(name).combine_chunks()
            t = t.set_column(t.schema.get_field_index(key), key, _null_if_same(k, n))
    return t


def _null_if_same(key: pa.Array, name: pa.Array) -> pa.Array:
    if (
        pa.types.is_dictionary(key.type)
        and pa.types.is_dictionary(name.type)
        and len(key.dictionary) == len(name.dictionary)
        and key.indices.equals(name.indices)
    ):
        # key and name indexed alike (as parsing builds them): compared once per entry, not per cell
        d = key.dictionary
        return pa.DictionaryArray.from_arrays(
            key.indices, pc.if_else(pc.equal(d, name.dictionary), pa.scalar(None, d.type), d)
        )
    plain_key = pc.cast(key, pa.string()) if pa.types.is_dictionary(key.type) else key
    plain_name = pc.cast(name, pa.string()) if pa.types.is_dictionary(name.type) else name
    return pc.if_else(pc.equal(plain_key, plain_name), pa.scalar(None, pa.string()), plain_key)


def _keys_of(names: pa.Array) -> pa.Array:
    """park_key of every name, computed once per distinct name."""
    distinct = pc.unique(names)
    keys = pa.array([None if p is None else park_key(p) for p in distinct.to_pylist()], pa.string())
    return keys.take(pc.index_in(names, distinct))


def a1_column(rows: pa.ChunkedArray | pa.Array, cols: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A1 references ('D7') of row and column numbers."""
    c = np.asarray(cols.to_numpy() if isinstance(cols, pa.Array) else cols.to_numpy())
    distinct = np.unique(c)
    prefix = pa.array([col_letters(int(x)) for x in distinct]).take(pa.array(np.searchsorted(distinct, c)))
    return pc.binary_join_element_wise(prefix, pc.cast(rows, pa.string()), "")


def _repeats(t: pa.Table) -> tuple[pa.Array, list[Finding]]:
    """duplicate_of for every row (the first cell of the same figure, or NULL) and the findings."""
    n = t.num_rows
    none = pa.nulls(n, pa.string())
    groups = []
    for template, key in REPEAT_KEY.items():
        mask = pc.equal(t.column("template"), template)
        idx = pc.indices_nonzero(mask)
        if len(idx) < 2:
            continue
        sub = t.take(idx).select(list(key))
        counts = sub.group_by(list(key)).aggregate([([], "count_all")])
        if pc.max(counts.column("count_all")).as_py() > 1:
            groups.append((idx, key))
    if not groups:
        return none, []
    # rare: walk the rows of the templates with repeats, in sheet, row, column order
    order = pc.sort_indices(t, sort_keys=[("sheet_index", "ascending"), ("row_no", "ascending"), ("col_no", "ascending")])
    rows = t.take(order).to_pylist()
    positions = order.to_pylist()
    first: dict[tuple, str] = {}
    dup: list[str | None] = [None] * n
    findings: list[Finding] = []
    total = 0
    templates = {tpl for tpl, k in REPEAT_KEY.items() if any(k == key for _, key in groups)}
    for pos, r in zip(positions, rows):
        if r["template"] not in templates:
            continue
        k = (r["template"],) + tuple(r[c] for c in REPEAT_KEY[r["template"]])
        cell = r.get("cell") or a1(r["row_no"], r["col_no"])
        ref = f"{r['sheet']}!{cell}"
        if k not in first:
            first[k] = ref
            continue
        dup[pos] = first[k]
        total += 1
        if len(findings) < MAX_REPEAT_FINDINGS:
            findings.append(
                Finding(
                    r["sheet"],
                    cell,
                    "warning",
                    "duplicate_figure",
                    f"{r['park_name']} {r['year'] or ''} {r['label']!r} = {r['value_text'] or r['value']!r} "
                    f"at {ref} repeats {first[k]}: {first[k]} is used, this cell is kept in raw only",
                )
            )
    if total > MAX_REPEAT_FINDINGS:
        findings.append(
            Finding(
                None,
                None,
                "warning",
                "duplicate_figure",
                f"{total:,} repeated figures in all (the first {MAX_REPEAT_FINDINGS} are listed): "
                f"the first cell of each is used",
            )
        )
    return pa.array(dup, pa.string()), findings


# invisible characters a name can carry from a web page or a chat: zero-width space, (non-)joiners,
# word joiner, byte-order mark, soft hyphen
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def park_key(name: str) -> str:
    """A park name as a key: NFKC (full-width to half-width, one Unicode form), no whitespace, no
    invisible characters."""
    return INVISIBLE.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)))


def spelling_findings(names: list[str]) -> list[Finding]:
    """A park name written with invisible characters or in another Unicode form than the usual (NFC)
    one: read as the plain name, and said with both spellings."""
    out = []
    for name in names:
        plain = INVISIBLE.sub("", unicodedata.normalize("NFC", name))
        if plain != name:
            out.append(
                Finding(
                    None,
                    None,
                    "info",
                    "park_spelling",
                    f"park name {name!r} ({_codepoints(name)}) is read as {plain!r}: it has invisible "
                    f"characters or another Unicode form",
                )
            )
    return out


def _codepoints(name: str) -> str:
    return " ".join(f"U+{ord(c):04X}" for c in name if ord(c) > 127 and (INVISIBLE.match(c) or unicodedata.combining(c)))
