"""What a file is, from its bytes: never from its name (a .xls that is an .xlsx, a .csv that is
GBK text, an .xlsx that is really a PDF). Pure: bytes in, a kind out.

Kinds the warehouse reads: xlsx (Office Open XML, also .xlsm), xls (BIFF in an OLE2 container),
ods (OpenDocument spreadsheet: LibreOffice's and WPS's own format), csv (delimited text in UTF-8,
with or without BOM, or GB18030/GBK). Any other kind is named for the person who sent it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
OPENDOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "an OpenDocument text document (.odt)",
    b"application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
    b"application/vnd.oasis.opendocument.graphics": "an OpenDocument drawing (.odg)",
    b"application/vnd.oasis.opendocument.spreadsheet-template": "an OpenDocument spreadsheet template (.ots)",
}
READABLE = ("xlsx", "xls", "ods", "csv")
TEXT_SAMPLE = 64 << 10  # bytes looked at to tell text from binary


@dataclass(frozen=True)
class Kind:
    name: str  # xlsx, xls, ods, csv, encrypted, empty, other
    what: str = ""  # for a person: "a PDF", "a Word document (.docx)"
    encoding: str = ""  # csv: the text encoding found


def sniff(data: bytes) -> Kind:
    if not data:
        return Kind("empty", "an empty file")
    if data.startswith(XLSX_MAGIC):
        return _zip_kind(data)
    if data.startswith(OLE2_MAGIC):
        # an encrypted .xlsx is an OLE2 container holding an 'EncryptedPackage' stream
        if "EncryptedPackage".encode("utf-16-le") in data:
            return Kind("encrypted", "a password-protected (encrypted) workbook")
        if "WordDocument".encode("utf-16-le") in data:
            return Kind("other", "a Word 97-2003 document (.doc)")
        if "PowerPoint Document".encode("utf-16-le") in data:
            return Kind("other", "a PowerPoint 97-2003 presentation (.ppt)")
        return Kind("xls", "an Excel 97-2003 workbook (.xls)")
    for magic, what in (
        (b"%PDF", "a PDF"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"{\\rtf", "an RTF document"),
    ):
        if data.startswith(magic):
            return Kind("other", what)
    encoding = text_encoding(data)
    if encoding is None:
        return Kind("other", "a binary file that is no spreadsheet format the warehouse reads")
    head = data[:TEXT_SAMPLE].lower()
    if b"<html" in head or b"<table" in head or b"<!doctype html" in head:
        return Kind("other", "an HTML page (some systems save a table as HTML named .xls: open it and save as .xlsx)")
    if head.lstrip().startswith(b"<?xml"):
        return Kind("other", "an XML file (an Excel 2003 XML spreadsheet? open it and save as .xlsx)")
    return Kind("csv", "delimited text (.csv)", encoding)


def _zip_kind(data: bytes) -> Kind:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        # a damaged zip: most likely an .xlsx cut short; the xlsx reader says what is wrong
        return Kind("xlsx", "an Excel workbook (.xlsx)")
    if "xl/workbook.xml" in names:
        return Kind("xlsx", "an Excel workbook (.xlsx)")
    if "mimetype" in names:
        try:
            mime = zf.read("mimetype")[:100].strip()
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            mime = b""
        if mime == ODS_MIME:
            return Kind("ods", "an OpenDocument spreadsheet (.ods)")
        if mime in OPENDOCUMENT:
            return Kind("other", OPENDOCUMENT[mime])
    if "word/document.xml" in names:
        return Kind("other", "a Word document (.docx)")
    if any(n.startswith("ppt/") for n in names):
        return Kind("other", "a PowerPoint presentation (.pptx)")
    if "content.xml" in names:
        return Kind("ods", "an OpenDocument spreadsheet (.ods)")
    return Kind("xlsx", "a zip archive that is no workbook")


def text_encoding(data: bytes) -> str | None:
    """The encoding of a text file (utf-8-sig, utf-8, gb18030), or None for binary content."""
    sample = data[:TEXT_SAMPLE]
    if b"\x00" in sample:
        return None  # UTF-16 or binary: no CSV the statistical systems write
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            text = _decode_prefix(sample, encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
        if controls <= len(text) // 100:
            return encoding
    return None


def _decode_prefix(sample: bytes, encoding: str) -> str:
    """Decode a sample that may end inside a multi-byte character."""
    for cut in range(4):
        try:
            return sample[: len(sample) - cut].decode(encoding)
        except UnicodeDecodeError:
            if cut == 3 or len(sample) < TEXT_SAMPLE:
                raise
    raise UnicodeDecodeError(encoding, sample, 0, 1, "undecodable")
