"""What the operator sees while a build runs, on stderr.

One line per stage with counts and elapsed time. On a terminal, the ingest and dbt draw a progress
bar in place; in a log (not a terminal) they print a progress line at most every PROGRESS_EVERY_S
seconds, with no ANSI code. dbt's own lines go to its log file (STATE_DIR/dbt/logs/dbt.log); only its
errors, warnings and final tally reach the console, unless --verbose asks for every line.
"""

from __future__ import annotations

import re
import sys
import time
from typing import TextIO

PROGRESS_EVERY_S = 10.0
BAR = 28
DBT_NODE = re.compile(r"^\S+\s+(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")
DBT_KEEP = re.compile(r"\b(ERROR|FAIL|WARN|Error|Failure|Warning|Compilation|Runtime|Database Error)")


class Output:
    def __init__(self, quiet: bool = False, color: bool = False, verbose: bool = False, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.quiet, self.color, self.verbose = quiet, color, verbose
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)()) and not quiet
        self._bar_shown = False
        self._last_line = 0.0
        self._stage_t0 = time.perf_counter()

    # -- lines
    def say(self, text: str) -> None:
        if self.quiet:
            return
        self._clear_bar()
        print(text, file=self.stream, flush=True)

    def detail(self, text: str) -> None:
        """A line only --verbose wants (one per file loaded, every dbt node)."""
        if self.verbose:
            self.say(text)

    # -- progress
    def start(self) -> None:
        self._stage_t0 = self._last_line = time.perf_counter()

    def progress(self, stage: str, done: int, total: int, extra: str = "") -> None:
        if self.quiet or total <= 0:
            return
        elapsed = time.perf_counter() - self._stage_t0
        if self.tty:
            filled = int(BAR * done / total)
            self.stream.write(
                f"\r{stage} [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} {extra} {elapsed:.0f} s\x1b[K"
            )
            self.stream.flush()
            self._bar_shown = True
        elif time.perf_counter() - self._last_line >= PROGRESS_EVERY_S and done < total:
            self._last_line = time.perf_counter()
            print(f"{stage}: {done}/{total} {extra} [{elapsed:.0f} s]", file=self.stream, flush=True)

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.stream.write("\r\x1b[K")
            self._bar_shown = False

    # -- the sources of progress
    def file_done(self, i: int, total: int, outcome: object, observations: int) -> None:
        status = getattr(outcome, "status", "")
        name = getattr(outcome, "name", "")
        if status == "rejected":
            self.say(f"rejected {getattr(outcome, 'message', '')}")
        else:
            self.detail(f"[{i}/{total}] {name}: {status}, {getattr(outcome, 'n_observations', 0)} observations")
        self.progress("ingest", i, total, f"files, {observations:,} observations")

    def dbt(self, line: str) -> None:
        m = DBT_NODE.match(line)
        if m:
            self.progress("dbt", int(m.group(1)), int(m.group(2)), "nodes")
        if self.verbose:
            self.say(line)
        elif DBT_KEEP.search(line) and "Done." not in line and not (m and m.group(3) in ("OK", "PASS", "NO-OP")):
            self.say(line.split("  ", 1)[-1].strip() if line[:2].isdigit() else line)
