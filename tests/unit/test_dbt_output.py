"""dbt's printed summary and log are what the runner reads (it asks dbt to write no JSON)."""

from pathlib import Path

from ingest.warehouse.dbt import (
    MARTS_BEHIND,
    SYSTEMS_MARK,
    built_relation,
    dbt_args,
    failures_in,
    model_seconds,
    refresh_scope,
)

# the end of a real `dbt build` with a failing singular test and a model out of memory
SUMMARY = """\
18:04:25  Finished running 14 table models, 30 data tests in 0 hours 0 minutes and 9.12 seconds (9.12s).
18:04:25
18:04:25  Completed with 2 errors, 0 partial successes, and 0 warnings:
18:04:25
18:04:25  Failure in test eip_verdict_agrees_with_eip_assessment (tests/dbt/eip_verdict_agrees_with_eip_assessment.sql)
18:04:25    Got 3 results, configured to fail if != 0
18:04:25
18:04:25    compiled code at target/compiled/park_indicators/tests/dbt/eip_verdict_agrees_with_eip_assessment.sql
18:04:25
18:04:25    Runtime Error in model indicator_trends (models/marts/indicator_trends.sql)
18:04:25    Out of Memory Error: could not allocate block of size 256.0 KiB (1.1 GiB/1.1 GiB used)
18:04:25
18:04:25  Done. PASS=61 WARN=0 ERROR=2 SKIP=0 NO-OP=0 TOTAL=63
"""


def test_failures_are_read_from_the_summary():
    lines = SUMMARY.splitlines()
    lines.insert(9, "18:04:25  Failure in model indicator_trends (models/marts/indicator_trends.sql)")
    failures = failures_in(lines)
    assert [f["unique_id"] for f in failures] == [
        "test.park_indicators.eip_verdict_agrees_with_eip_assessment",
        "model.park_indicators.indicator_trends",
    ]
    assert failures[0]["status"] == "fail" and failures[0]["message"] == "Got 3 results, configured to fail if != 0"
    assert "Out of Memory Error" in failures[1]["message"]


def test_a_passing_run_has_no_failures():
    assert failures_in(["18:04:25  Done. PASS=62 WARN=0 ERROR=0 SKIP=0 NO-OP=0 TOTAL=62"]) == []


def test_seconds_of_each_node_of_the_last_run(tmp_path: Path):
    log = tmp_path / "dbt.log"
    log.write_text(
        "Running with dbt=1.11.2\n"
        "18:00:00.1 [info ] [Thread-1 (]: 1 of 2 OK created sql table model marts.old ... [OK in 9.00s]\n"
        "Running with dbt=1.11.2\n"
        "18:04:25.9 [info ] [Thread-1 (]: 3 of 62 OK loaded seed file reference.hj274_2015__components "
        "................... [CREATE 24 in 0.34s]\n"
        "18:04:25.9 [info ] [Thread-2 (]: 22 of 62 PASS unique_combination_int_system_park_years_system_code__park_name__year"
        "  [PASS in 0.28s]\n"
        "18:04:26.0 [info ] [Thread-1 (]: 41 of 62 OK created sql incremental model marts.indicator_values "
        "............... [OK in 0.74s]\n"
        "18:04:26.0 [debug] [MainThread]: SQL status: OK in 0.002 seconds\n",
        encoding="utf-8",
    )
    assert model_seconds(log) == {
        "hj274_2015__components": 0.34,
        "unique_combination_int_system_park_years_system_code__park_name__year": 0.28,
        "indicator_values": 0.74,
    }
    assert model_seconds(tmp_path / "absent.log") == {}


def test_the_relations_a_run_wrote_are_read_from_its_progress():
    assert built_relation("22:37:41  12 of 75 OK created sql incremental model marts.indicator_values .. [OK in 0.5s]") == (
        "marts.indicator_values"
    )
    assert built_relation("\x1b[0m22:37:41  3 of 9 OK created sql table model \x1b[1mbuild.changed_parks\x1b[0m [OK]") == (
        "build.changed_parks"
    )
    for line in (
        "22:37:41  4 of 75 START sql table model marts.parks ......... [RUN]",
        "22:37:41  5 of 75 PASS unique_parks_park_name ................ [PASS in 0.04s]",
        "22:37:41  6 of 75 ERROR creating sql table model marts.parks . [ERROR in 0.04s]",
        "22:37:41  1 of 26 OK loaded seed file reference.target_phrases [INSERT 40 in 0.1s]",
    ):
        assert built_relation(line) is None


def _rules(base: str, files: dict[str, str]) -> str:
    import json

    return base + SYSTEMS_MARK + json.dumps(files, sort_keys=True)


def test_a_corrected_seed_file_rebuilds_what_depends_on_that_file():
    before = {"hj274_2015/hj274_2015__thresholds.csv": "a", "hj274_2015/hj274_2015__components.csv": "b"}
    after = {**before, "hj274_2015/hj274_2015__thresholds.csv": "c"}
    assert refresh_scope(None, _rules("x", before)) == "all"
    assert refresh_scope(MARTS_BEHIND, _rules("x", before)) == "all"  # a build without dbt came last
    assert refresh_scope(_rules("x", before), _rules("x", before)) is None
    assert refresh_scope(_rules("x", before), _rules("x", after)) == ["hj274_2015/hj274_2015__thresholds.csv"]
    assert refresh_scope(_rules("x", before), _rules("y", after)) == "all"  # a model or a shared seed
    assert refresh_scope(_rules("x", before), _rules("x", {**before, "new/new__indicators.csv": "d"})) == "all"
    assert refresh_scope("x|systems:hj274_2015=abc", _rules("x", before)) == "all"  # hashed by folder before
    args = dbt_args(["hj274_2015/hj274_2015__thresholds.csv"])
    assert "path:seeds/hj274_2015/hj274_2015__thresholds.csv+" in args and "--full-refresh" in args
