"""A batch-mode map killed while a batch processes resumes polling that batch (see kill.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.batch_mode.kill import CITIES, run_kill_test

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_killed_batch_map_resumes_the_same_batch(tmp_path: Path, kind: str) -> None:
    seen = run_kill_test(tmp_path, kind)
    first, second = seen["created_before_kill"]
    # one batch per turn, never two: the resumed map polled the second batch, then made one
    assert len(seen["created"]) == 3
    assert seen["created"][:2] == [first, second]
    assert [line["id"] for line in seen["batch_lines"]] == seen["created"]
    # the first turn's tools ran before the kill, once each, and never again
    assert sorted(seen["effects_before"]) == sorted(f"{c} 0" for c in CITIES)
    assert sorted(seen["effects"]) == sorted(f"{c} {t}" for c in CITIES for t in (0, 1))
    mapped = seen["mapped"]
    assert [m.result.text for m in mapped] == [f"done with {c}" for c in CITIES]
    assert all(m.result.usage.requests == 3 for m in mapped)  # usage before the kill kept
    assert seen["summary"].batches == 1  # this process created only the last batch
    # the results file is a valid results file with every input done, no round left open
    assert seen["recorded"].done == {f"index:{i}" for i in range(len(CITIES))}
    assert seen["recorded"].state == []
