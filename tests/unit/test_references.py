"""The repository stands on its own: every path it names exists inside it, nothing points at a folder
outside it (the reference material the project started from does not ship), no issue number stands
in for a requirement, and every seed's source names the standard or a file that exists."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEXT = (".md", ".py", ".sql", ".yml", ".yaml", ".csv", ".toml", ".txt", ".cfg")
OUTSIDE = re.compile(r"\.\./shared|\bshared/(?:docs|samples|sources)\b|\.\./\.\./")
ISSUE = re.compile(r"\b[Ii]ssue (?:#)?\d+\b")
# a path inside the repository, in a markdown link or in backticks: docs/x.md, seeds/a/b.csv, models/…
PATHLIKE = re.compile(
    r"(?:\]\(|`)((?:docs|seeds|models|macros|ingest|expectations|analyses|tests|tools|data)/"
    r"[^`)\s#]*?)(#[\w-]+)?[`)]"
)
ME = Path(__file__).resolve()


def tracked() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = [ROOT / f for f in out if (f.endswith(TEXT) or f in ("Makefile", ".sqlfluff", ".ci/run"))]
    return [f for f in files if f.is_file() and f.resolve() != ME]


def test_nothing_points_outside_the_repository_or_at_an_issue_number():
    found = []
    for f in tracked():
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if OUTSIDE.search(line) or ISSUE.search(line):
                found.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert not found, "\n".join(found)


def _anchors(md: Path) -> set[str]:
    text = md.read_text(encoding="utf-8")
    explicit = set(re.findall(r'<a id="([\w-]+)"', text))
    headings = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"(?m)^#+ (.*)$", text)}
    return explicit | headings


def test_every_path_named_in_docs_code_and_yaml_exists_with_its_anchor():
    missing = []
    for f in tracked():
        text = f.read_text(encoding="utf-8", errors="replace")
        base = f.parent
        links = re.finditer(r"\]\(([^)#\s]+)(#[\w-]+)?\)", text) if f.suffix == ".md" else ()
        for m in links:  # markdown links, relative to the file
            target = m.group(1)
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path = (base / target).resolve()
            if not path.exists():
                missing.append(f"{f.relative_to(ROOT)}: link {target}")
            elif m.group(2) and path.suffix == ".md" and m.group(2)[1:] not in _anchors(path):
                missing.append(f"{f.relative_to(ROOT)}: anchor {target}{m.group(2)}")
        for m in PATHLIKE.finditer(text):  # paths from the repository root, in backticks or links
            target = m.group(1).rstrip(".,:;")
            if any(ch in target for ch in "<>{}*"):  # a pattern (<system>/…), not a path
                continue
            path = ROOT / target
            if not path.exists() and not (base / target).exists():
                missing.append(f"{f.relative_to(ROOT)}: {target}")
            elif m.group(2) and path.suffix == ".md" and m.group(2)[1:] not in _anchors(path):
                missing.append(f"{f.relative_to(ROOT)}: anchor {target}{m.group(2)}")
    assert not missing, "\n".join(sorted(set(missing)))


@pytest.mark.parametrize("seed", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "seeds").rglob("*.csv")))
def test_every_seed_source_names_the_standard_or_a_file_that_exists(seed):
    with (ROOT / seed).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "source" not in rows[0]:
        return
    for i, row in enumerate(rows, start=2):
        source = row["source"] or ""
        assert source.strip(), f"{seed}:{i}: no source"
        for m in re.finditer(
            r"((?:docs|seeds|models|macros|ingest|tests)/[\w./-]+?\.(?:md|csv|sql|py|yml))(#[\w-]+)?", source
        ):
            path = ROOT / m.group(1)
            assert path.exists(), f"{seed}:{i}: source names {m.group(1)}, which does not exist"
            if m.group(2) and path.suffix == ".md":
                assert m.group(2)[1:] in _anchors(path), f"{seed}:{i}: no anchor {m.group(0)}"
