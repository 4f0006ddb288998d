"""The run summary: one JSON document, printed by `parks build --json` and written to
REPORTS/<run>/summary.json. Everything a scheduler or a person needs to know about a build."""

from __future__ import annotations

from typing import Any

from .. import exitcodes
from ..outcome import BuildResult


def files(result: BuildResult) -> list[dict[str, Any]]:
    if result.ingest is None:
        return []
    return [
        {
            "file": o.name,
            "status": o.status,
            "reason": o.message or None,
            "observations": o.n_observations,
            "sha256": o.sha256 or None,
        }
        for o in result.ingest.outcomes
        if o.status != "known"
    ]


def check_dict(c: Any) -> dict[str, Any]:
    return {
        "pass": getattr(c, "pass_no", 1),
        "suite": c.suite,
        "expectation": c.expectation,
        "column": c.column,
        "level": c.level,
        "success": c.success,
        "observed": c.observed,
        "unexpected_count": c.unexpected_count,
        "failing_rows": c.failing_rows,
    }


def summary(result: BuildResult) -> dict[str, Any]:
    ing = result.ingest
    return {
        "run_id": result.run_id,
        "status": result.status,
        "exit_code": result.exit_code,
        "meaning": exitcodes.MEANING.get(result.exit_code, ""),
        "published": result.published,
        "full_refresh": result.full_refresh,
        "refresh_systems": result.refresh_systems,
        "refresh_seeds": result.refresh_seeds,
        "counts": {
            "files_loaded": ing.count("loaded") if ing else 0,
            "files_duplicate": ing.count("duplicate") if ing else 0,
            "files_rejected": ing.count("rejected") if ing else 0,
            "observations_loaded": ing.observations if ing else 0,
            "expectations_evaluated": result.expectations,
            "expectations_failed": result.expectations_failed,
        },
        "files": files(result),
        "quarantined": [{"park_name": p, "year": y, "reasons": v} for (p, y), v in sorted(result.quarantined.items())],
        "failed_expectations": [check_dict(c) for c in result.checks if not c.success],
        "expectations": [check_dict(c) for c in result.checks],
        "warnings": result.warnings,
        "unregistered_parks": result.unregistered,
        "failures": result.failures,
        "row_counts": {t: {"rows": n, "previous": result.previous_counts.get(t)} for t, n in result.counts.items()},
        "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
        "report": str(result.report_path) if result.report_path else None,
        "log": str(result.log_path) if result.log_path and result.log_path.exists() else None,
    }
