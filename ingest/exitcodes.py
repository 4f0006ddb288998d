"""Exit codes of `parks build`, documented in the README for schedulers.

When several apply, the most severe wins (the order of SEVERITY); the summary lists all of them.
"""

OK = 0  # published (or nothing new since the last build)
ERROR = 1  # unexpected error (a bug): nothing was published; details in the build's log
USAGE = 2  # wrong arguments
REJECTED = 10  # some input files were rejected and set aside; everything else was published
QUARANTINED = 11  # some park-years failed row-level checks and were kept out of the marts
BLOCKED = 12  # a table-level check or dbt failed, traced to no file: the last good serving file was kept
LOCKED = 13  # another build held the lock for longer than LOCK_TIMEOUT: nothing was done
WRITER = 14  # a client holds WAREHOUSE open for writing: the build is committed but not published
FAULT = 15  # the machine: disk full, permission, read-only, WAREHOUSE a directory, damaged history, memory cap
NO_INBOX = 16  # INBOX does not exist or is not a folder
INTERRUPTED_INT = 130  # SIGINT: stopped, nothing committed, lock released
INTERRUPTED_TERM = 143  # SIGTERM: stopped, nothing committed, lock released

# published, with something for the operator to read (the report shows them as warnings)
PUBLISHED_WITH_NOTES = (REJECTED, QUARANTINED)

SEVERITY = [FAULT, NO_INBOX, WRITER, BLOCKED, LOCKED, REJECTED, QUARANTINED]

MEANING = {
    OK: "published, or nothing new",
    ERROR: "unexpected error",
    REJECTED: "published; some files rejected",
    QUARANTINED: "published; some park-years quarantined",
    BLOCKED: "publication blocked",
    LOCKED: "another build is running",
    WRITER: "committed, not published: a client writes to WAREHOUSE",
    FAULT: "fault of the machine",
    NO_INBOX: "INBOX missing",
    INTERRUPTED_INT: "interrupted (SIGINT)",
    INTERRUPTED_TERM: "interrupted (SIGTERM)",
}


def worst(codes: list[int]) -> int:
    for code in SEVERITY:
        if code in codes:
            return code
    return OK
