"""Exit codes of `python -m ingest build` (and so of `make build`), documented in the README.

When several apply, the most severe wins: BLOCKED > LOCKED > REJECTED > QUARANTINED; the printed
summary lists all of them.
"""
OK = 0
ERROR = 1  # unexpected failure (a bug, a full disk): nothing was published
USAGE = 2
REJECTED = 10  # some input files were rejected and set aside; everything else was published
QUARANTINED = 11  # some park-years failed row-level checks and were kept out of the marts
BLOCKED = 12  # a table-level check or the dbt build failed: the last good serving file was kept
LOCKED = 13  # another build held the lock for longer than the wait allowed: nothing was done

SEVERITY = [BLOCKED, LOCKED, REJECTED, QUARANTINED]


def worst(codes: list[int]) -> int:
    for code in SEVERITY:
        if code in codes:
            return code
    return OK
