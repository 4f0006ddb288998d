"""Parsing: workbook bytes in, observations out. Pure: no files, no database."""
from __future__ import annotations

from .limits import DEFAULT_LIMITS, Limits
from .readers import read_workbook
from .records import SheetResult
from .templates import parse_sheet


def parse_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[SheetResult]:
    """Bytes in, one result per sheet out. Raises UnreadableFile (with the sheet and cell where one exists)."""
    return [parse_sheet(sheet) for sheet in read_workbook(data, limits)]
