"""Fault-injection soak: nothing lost, nothing run twice, every history valid, every error typed."""

from __future__ import annotations

import pytest

from tests.reliability.soak import no_backoff_sleeps, run_soak


def check(report_runs: int, seed: int) -> None:
    with no_backoff_sleeps():
        report = run_soak(report_runs, seed=seed)
    assert report.problems == 0, report.to_dict()
    assert report.completed_first_try + report.resumed_and_completed == report.runs
    # the faults really happened, and were handled the intended ways
    assert report.retries > 0
    assert report.ended_in_typed_error > 0
    assert report.resumed_and_completed == report.ended_in_typed_error
    assert report.tool_error_results > 0  # malformed tool input answered with is_error
    assert report.tool_executions > report.runs


def test_soak_fast() -> None:
    check(160, seed=7)


@pytest.mark.soak
def test_soak_long() -> None:
    check(2000, seed=1)
