"""Parsing: workbook bytes in, observations out. Pure: no files, no database.

formats.py   what a file is, from its bytes          readers.py  bytes to Sheets, per format
limits.py    the safety limits, checked before any reader   ods.py, delimited.py  .ods and .csv
templates/   one module per template, recognised from the title and header words
cells.py     one value cell         files.py  one file: its table, findings and fingerprints
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["ParsedFile", "SheetInfo", "keys_as_names", "park_key", "parse_file", "parse_workbook"]

if TYPE_CHECKING:
    from .files import ParsedFile, SheetInfo, keys_as_names, park_key, parse_file, parse_workbook


def __getattr__(name: str) -> Any:
    # the readers load on first use: `parks build` reads its configuration (limits.py) and starts
    # dbt's process before it imports them
    if name in __all__:
        from . import files

        return getattr(files, name)
    raise AttributeError(name)
