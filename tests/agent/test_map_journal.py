"""`agent.map(..., journal=...)`: each input a journaled run; a resumed map skips finished
runs (no request) and resumes interrupted ones mid-run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from agentkit import Agent, AsyncAgent, Journal, MapInput, UsageError
from agentkit.testing import FunctionModel, ModelRequest, ReplyLike

from .map_kill import run_map_kill_test


def _two_turns(request: ModelRequest) -> ReplyLike:
    if len(request.messages) == 1:
        return [{"type": "tool_use", "id": "toolu_1", "name": "ping", "input": {}}]
    return f"done {request.messages[0]['content']}"


def ping() -> str:
    """Ping."""
    return "pong"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_journaled_map_resumes_without_repeating_work(tmp_path: Path) -> None:
    report, (again, summary) = run_map_kill_test(tmp_path, kills=4, runs=4, seed=5)
    assert report.problems == [], report.to_dict()
    assert report.finished == 4
    assert report.model_steps == 4 * 4  # 3 tool turns and a final answer per run
    # run again when everything is done: every result comes from the journal
    assert summary.succeeded == 4
    assert all(r.ok for r in again)
    assert [r.result.turns for r in again] == [4, 4, 4, 4]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_map_ids_and_the_agents_own_journal(tmp_path: Path, kind: str) -> None:
    model = FunctionModel(_two_turns)
    inputs = ["a", MapInput("b", id="bee")]
    with Journal(tmp_path / "runs.db") as journal:
        if kind == "sync":
            agent = Agent(model, model="claude-test", tools=[ping], journal=journal)
            first, _ = agent.map_all(inputs, output=tmp_path / "out.jsonl")
            second, summary = agent.map_all(inputs)  # no results file: the journal answers
        else:

            async def main() -> Any:
                agent = AsyncAgent(model, model="claude-test", tools=[ping], journal=journal)
                first = await agent.map_all(inputs, output=tmp_path / "out.jsonl")
                return first[0], *(await agent.map_all(inputs))

            first, second, summary = anyio.run(main)
        # the default map_id is the results file's name, else "map"
        ids = sorted(info.run_id for info in journal.runs())
    assert ids == ["map:id:bee", "map:index:0", "out.jsonl:id:bee", "out.jsonl:index:0"]
    assert [r.result.text for r in first] == ["done a", "done b"]  # type: ignore[union-attr]
    assert [r.result.text for r in second] == ["done a", "done b"]  # type: ignore[union-attr]
    assert len(model.requests) == 8  # two maps of two runs, two turns each; no more
    assert summary.succeeded == 2


def test_a_journal_given_to_map_is_used_for_its_runs_only(tmp_path: Path) -> None:
    model = FunctionModel(_two_turns)
    agent = Agent(model, model="claude-test", tools=[ping])
    with Journal(tmp_path / "runs.db") as journal:
        agent.map_all(["x"], journal=journal, map_id="nightly")
        agent.map_all(["x"], journal=journal, map_id="nightly")
        assert [i.run_id for i in journal.runs()] == ["nightly:index:0"]
    assert agent.journal is None
    assert len(model.requests) == 2
    with pytest.raises(UsageError, match="run_id= names a journaled run"):
        agent.run("x", run_id="nightly:index:0")
