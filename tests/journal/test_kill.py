"""The kill test (see `tests/journal/kill.py`): SIGKILL at random points, then resume."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.journal.kill import run_kill_test

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def check(tmp_path: Path, *, kills: int, runs: int, seed: int) -> None:
    report = run_kill_test(tmp_path, kills=kills, runs=runs, seed=seed)
    assert report.problems == [], report.to_dict()
    assert report.finished == report.runs
    assert report.model_steps == runs * 4  # 3 tool turns and a final answer each
    assert report.tool_calls_finished > 0


def test_killed_runs_resume_without_repeating_work(tmp_path: Path) -> None:
    check(tmp_path, kills=5, runs=4, seed=3)


@pytest.mark.soak
def test_killed_runs_resume_without_repeating_work_long(tmp_path: Path) -> None:
    check(tmp_path, kills=200, runs=40, seed=1)
