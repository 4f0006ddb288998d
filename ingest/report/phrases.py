"""Notes and reasons in Chinese for the people who read the workbooks and pages.

The marts, the console and `--json` keep their notes in English (a stable interface for SQL and
scripts); what a park or a bureau reads is translated here, phrase by phrase, from the seed
seeds/exports/note_phrases.csv: each row is an English template with {placeholders} and its Chinese.
A note is matched whole against the templates; the values a template captures are translated in
turn (a reason inside a reason); a note no template matches is split at its "; " and ", " and
translated part by part. A phrase with no template stays as written, so nothing is ever lost.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .labels import SEEDS

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What a placeholder may match, by its name: counts and years are numbers, a file ends with its
# extension; any other value is any text within one note (never across "; ").
KINDS = {
    **dict.fromkeys(
        ("n", "total", "more", "year", "passed", "required", "tolerance", "growth", "low", "high"), r"-?[\d,]+(?:\.\d+)?"
    ),
    "file": r"[^;:]+?\.[A-Za-z0-9]{1,5}",
}
ANY = r"(?:(?!; ).)+?"


@dataclass(frozen=True)
class Template:
    pattern: re.Pattern[str]
    chinese: str
    order: tuple[int, int]  # tried first: anchored by text at both ends, then the most literal text


def _compile(english: str) -> re.Pattern[str]:
    parts, pos = [], 0
    for m in PLACEHOLDER.finditer(english):
        parts.append(re.escape(english[pos : m.start()]))
        parts.append(f"(?P<{m.group(1)}>{KINDS.get(m.group(1), ANY)})")
        pos = m.end()
    parts.append(re.escape(english[pos:]))
    return re.compile("".join(parts), re.S)


@lru_cache(maxsize=1)
def templates(path: Path = SEEDS / "note_phrases.csv") -> tuple[Template, ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        english = r["english"]
        anchored = (not english.startswith("{")) + (not english.endswith("}"))
        out.append(Template(_compile(english), r["chinese"], (-anchored, -len(PLACEHOLDER.sub("", english)))))
    return tuple(sorted(out, key=lambda t: t.order))


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside parentheses."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(sep, i):
            out.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    out.append(text[start:])
    return out


TAIL = re.compile(r"(?P<head>.*?) \((?P<inner>[^()]*(?:\([^()]*\)[^()]*)*)\)", re.S)


@lru_cache(maxsize=4096)
def zh(text: str | None) -> str | None:
    """``text`` in Chinese, as far as the seed knows its phrases."""
    if text is None or not text.strip():
        return text
    for t in templates():
        m = t.pattern.fullmatch(text)
        if m:
            return t.chinese.format(**{k: zh(v) for k, v in m.groupdict().items()})
    for sep, joiner in (("; ", "；"), (", ", "，")):
        parts = _split(text, sep)
        if len(parts) > 1:
            return joiner.join(zh(p) or "" for p in parts)
    m = TAIL.fullmatch(text)
    if m:
        return f"{zh(m.group('head'))}（{zh(m.group('inner'))}）"
    return text
