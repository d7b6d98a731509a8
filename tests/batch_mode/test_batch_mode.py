"""Batch-mode maps (`agent.map(inputs, mode="batch")`) against the offline batches.

Every scenario runs with the sync `Agent` and the `AsyncAgent`. Time is fake: the poll pauses
are recorded instead of slept (`record_sleeps()`), and their sum is the offline batches' clock,
so a batch that processes for a minute ends after a minute of pauses, at once.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from agentkit import (
    Agent,
    AsyncAgent,
    BatchRequestError,
    MapInput,
    MapResult,
    MapSummary,
    RunResult,
    UsageError,
    tool,
)
from agentkit._core.mapping import read_results
from agentkit.testing import (
    ErrorReply,
    FunctionModel,
    ModelRequest,
    OfflineBatches,
    RecordedSleeps,
    ReplyLike,
    record_sleeps,
)
from agentkit.testing._batches import BatchOutcome

CALLS: list[tuple[str, int]] = []


@tool
def lookup(city: str, turn: int) -> str:
    """The weather in a city (a side effect is logged for the test)."""
    CALLS.append((city, turn))
    return f"sunny in {city}"


def _turn(request: ModelRequest) -> int:
    return sum(1 for m in request.messages if m["role"] == "assistant")


def three_turns(request: ModelRequest) -> ReplyLike:
    """Two tool turns, then an answer that names the tool results it saw."""
    city = str(request.messages[0]["content"])
    turn = _turn(request)
    if turn < 2:
        return [
            {"type": "text", "text": f"turn {turn}"},
            {
                "type": "tool_use",
                "id": f"toolu_{turn}",
                "name": "lookup",
                "input": {"city": city, "turn": turn},
            },
        ]
    return f"done with {city} after {turn} tool turns"


@pytest.fixture(autouse=True)
def _clear_calls() -> Iterator[None]:
    CALLS.clear()
    yield
    CALLS.clear()


def _model(
    outcomes: dict[str, BatchOutcome] | None = None, processing_time: float = 60.0
) -> tuple[FunctionModel, RecordedSleeps]:
    waits = RecordedSleeps()
    batches = OfflineBatches(
        processing_time=processing_time, clock=lambda: sum(waits.poll), outcomes=outcomes
    )
    return FunctionModel(three_turns, batches=batches), waits


def _map_all(
    kind: str, model: FunctionModel, inputs: Any, **options: Any
) -> tuple[list[MapResult[Any]], MapSummary]:
    options.setdefault("poll_interval", 10)
    options.setdefault("max_poll_interval", 30)
    max_retries = options.pop("max_retries", 2)
    if kind == "sync":
        agent: Any = Agent(
            model.client(max_retries=max_retries), model="claude-test", tools=[lookup]
        )
        return agent.map_all(inputs, mode="batch", **options)  # type: ignore[no-any-return]

    async def main() -> tuple[list[MapResult[Any]], MapSummary]:
        async_agent = AsyncAgent(
            model.async_client(max_retries=max_retries), model="claude-test", tools=[lookup]
        )
        return await async_agent.map_all(inputs, mode="batch", **options)

    return anyio.run(main)


def _run(
    kind: str, model: FunctionModel, waits: RecordedSleeps, inputs: Any, **options: Any
) -> tuple[list[MapResult[Any]], MapSummary]:
    with record_sleeps() as recorded:
        recorded.poll = waits.poll  # the model's clock reads the same list
        return _map_all(kind, model, inputs, **options)


KINDS = ["sync", "async"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_turn_of_every_run_is_one_batch(kind: str, tmp_path: Path) -> None:
    model, waits = _model()
    cities = ["paris", "oslo", "lima", "rome"]
    output = tmp_path / "results.jsonl"
    results, summary = _run(kind, model, waits, cities, output=output)
    assert [r.index for r in results] == [0, 1, 2, 3]
    for result, city in zip(results, cities, strict=True):
        assert result.result is not None, result.error
        assert result.result.text == f"done with {city} after 2 tool turns"
        assert result.result.turns == 3
        assert result.result.usage.requests == 3
        assert result.result.message is not None
        assert result.result.message.usage.service_tier == "batch"
    # three turns: three batches, each holding every run's turn; the tools ran once per call
    assert len(model.batches.created) == 3
    assert sorted(CALLS) == sorted((c, t) for c in cities for t in (0, 1))
    paths = [(r.path, "requests" in r) for r in model.requests]
    assert paths.count(("/v1/messages/batches", True)) == 3  # three creates
    assert not any(path == "/v1/messages" for path, _ in paths)  # no live call
    assert summary.batch
    assert summary.batches == 3
    assert summary.pricing.startswith("batch")
    assert summary.succeeded == 4
    assert summary.usage.requests == 12
    # each batch processed for 60 s of the fake clock: polls 10, 15, 22.5, then 30 per wait
    assert sum(waits.poll) >= 3 * 60
    # the results file is a normal results file: state lines are told apart and skipped
    recorded = read_results(output.read_bytes())
    assert recorded.done == {f"index:{i}" for i in range(4)}
    assert recorded.state == []  # the map ended: no round left to resume
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    kinds = [line.get("batch_map", "result") for line in lines]
    assert kinds.count("round") == 3
    assert kinds.count("batch") == 3
    assert kinds[-1] == "end"
    assert kinds.count("result") == 4


@pytest.mark.parametrize("kind", KINDS)
def test_mixed_outcomes_retry_or_end_their_run_only(kind: str) -> None:
    outcomes: dict[str, BatchOutcome] = {
        "r1-1": "errored",  # an api_error: retried in the next batch, then succeeds
        "r1-2": "expired",  # retried too
        "r1-3": "canceled",  # ends its run
        "r1-4": ErrorReply(400, "invalid_request_error", "bad params"),  # not retryable
        "r2-5": "expired",
        "r3-5": "expired",
        "r4-5": "expired",  # three attempts with max_retries=2: the run ends
    }
    model, waits = _model(outcomes)
    inputs = [f"city{i}" for i in range(6)]
    results, summary = _run(kind, model, waits, inputs)
    by_index = {r.index: r for r in results}
    for index in (0, 1, 2):
        result = by_index[index].result
        assert result is not None, by_index[index].error
        assert result.text.startswith("done")
    canceled = by_index[3].error
    assert isinstance(canceled, BatchRequestError)
    assert canceled.result_type == "canceled"
    assert canceled.attempts == 1
    invalid = by_index[4].error
    assert isinstance(invalid, BatchRequestError)
    assert invalid.result_type == "errored"
    assert invalid.error == {"type": "invalid_request_error", "message": "bad params"}
    assert "invalid_request_error: bad params" in str(invalid)
    expired = by_index[5].error
    assert isinstance(expired, BatchRequestError)
    assert (expired.result_type, expired.attempts, expired.custom_id) == ("expired", 3, "r4-5")
    assert expired.batch_id in model.batches.created
    # every error carries the run so far, resumable
    for error in (canceled, invalid, expired):
        assert isinstance(error.run_state, RunResult)
        assert error.run_state.messages[0] == {
            "role": "user",
            "content": error.run_state.messages[0]["content"],
        }
    assert expired.run_state.turns == 1  # its first turn succeeded; the second never did
    assert summary.succeeded == 3
    assert summary.failed == 3
    assert summary.outcomes == {"end_turn": 3, "BatchRequestError": 3}
    assert summary.batch_retries == 4  # r1-1, r1-2, then 5 twice


@pytest.mark.parametrize("kind", KINDS)
def test_progress_shows_the_batch_state(kind: str) -> None:
    model, waits = _model()
    stream = io.StringIO()
    with record_sleeps() as recorded:
        recorded.poll = waits.poll
        if kind == "sync":
            agent = Agent(model, model="claude-test", tools=[lookup])
            run = agent.map(["a", "b"], mode="batch", progress=True, poll_interval=30)
            run._plan.progress.stream = stream  # type: ignore[union-attr]
            list(run)
        else:

            async def main() -> None:
                agent = AsyncAgent(model, model="claude-test", tools=[lookup])
                run = agent.map(["a", "b"], mode="batch", progress=True, poll_interval=30)
                run._plan.progress.stream = stream  # type: ignore[union-attr]
                _ = [r async for r in run]

            anyio.run(main)
    text = stream.getvalue()
    assert "batch round 1 (1 batch): 2 processing, 0 succeeded, 0 errored; 2 runs waiting" in text
    assert "2/2 done" in text


def test_batch_mode_checks_its_options() -> None:
    model, _ = _model()
    agent = Agent(model, model="claude-test")
    with pytest.raises(UsageError, match="mode must be 'live' or 'batch'"):
        agent.map(["a"], mode="bulk")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="poll_interval must be a positive number"):
        agent.map(["a"], mode="batch", poll_interval=0)
    with pytest.raises(UsageError, match="map_id must be a non-empty string"):
        agent.map(["a"], map_id="")


@pytest.mark.parametrize("kind", KINDS)
def test_a_map_with_ids_and_ordered_results(kind: str) -> None:
    model, waits = _model(processing_time=0)
    inputs = [MapInput("b", id="second"), MapInput("a", id="first")]
    results, _ = _run(kind, model, waits, inputs, ordered=True, concurrency=1)
    assert [r.id for r in results] == ["second", "first"]
    assert all(r.ok for r in results)
    assert waits.poll == []  # the batches had ended at the first poll


@pytest.mark.parametrize("kind", KINDS)
def test_journaled_batch_map_resumes_a_failed_run_mid_run(kind: str, tmp_path: Path) -> None:
    from agentkit import Journal

    model, waits = _model({"r2-1": "canceled"})
    output = tmp_path / "results.jsonl"
    with Journal(tmp_path / "runs.db") as journal:
        first, _ = _run(kind, model, waits, ["oslo", "rome"], output=output, journal=journal)
        assert first[0].ok
        assert isinstance(first[1].error, BatchRequestError)
        assert sorted(CALLS) == [("oslo", 0), ("oslo", 1), ("rome", 0)]
        model.batches.outcomes = None
        created = len(model.batches.created)
        second, summary = _run(kind, model, waits, ["oslo", "rome"], output=output, journal=journal)
        statuses = {info.run_id: info.status for info in journal.runs()}
    # only the failed run went on, from its journaled first turn: its tool did not run again
    assert [r.index for r in second] == [1]
    assert second[0].ok
    assert second[0].result is not None
    assert second[0].result.turns == 3
    assert summary.skipped == 1
    assert summary.batches == 2
    assert len(model.batches.created) == created + 2
    assert sorted(CALLS) == [("oslo", 0), ("oslo", 1), ("rome", 0), ("rome", 1)]
    assert statuses == {"results.jsonl:index:0": "finished", "results.jsonl:index:1": "finished"}


@pytest.mark.parametrize("kind", KINDS)
def test_hooks_run_between_batches_and_a_failing_one_ends_its_run_only(kind: str) -> None:
    turns: list[str] = []

    def on_turn(message: Any) -> None:
        text = message.content[0].text if message.content else ""
        if text.startswith("done with bad"):
            raise RuntimeError("hook refused")
        turns.append(text)

    async def async_on_turn(message: Any) -> None:
        on_turn(message)

    model, _waits = _model(processing_time=0)
    hooks = {"on_turn": on_turn if kind == "sync" else async_on_turn}
    with record_sleeps():
        if kind == "sync":
            agent = Agent(model, model="claude-test", tools=[lookup], hooks=hooks)
            results, summary = agent.map_all(["good", "bad"], mode="batch")
        else:

            async def inputs() -> Any:
                for prompt in ("good", "bad"):
                    yield prompt

            async def main() -> Any:
                agent = AsyncAgent(model, model="claude-test", tools=[lookup], hooks=hooks)
                return await agent.map_all(inputs(), mode="batch")

            results, summary = anyio.run(main)
    assert results[0].ok
    assert isinstance(results[1].error, RuntimeError)
    assert sorted(turns) == [
        "done with good after 2 tool turns",
        "turn 0",
        "turn 0",
        "turn 1",
        "turn 1",
    ]
    data = summary.to_dict()
    assert (data["batch"], data["batches"], data["pricing"]) == (True, 3, "batch (50% of standard)")


def test_the_agents_own_journal_is_used_in_batch_mode(tmp_path: Path) -> None:
    from agentkit import Journal

    model, _ = _model(processing_time=0)
    with Journal(tmp_path / "runs.db") as journal, record_sleeps():
        agent = Agent(model, model="claude-test", tools=[lookup], journal=journal)
        _results, _ = agent.map_all(["oslo"], mode="batch", journal=journal, map_id="night")
        assert [info.run_id for info in journal.runs()] == ["night:index:0"]
        again, summary = agent.map_all(["oslo"], mode="batch", map_id="night")
    assert again[0].result is not None
    assert again[0].result.text == "done with oslo after 2 tool turns"
    assert summary.batches == 0  # the finished run came from the journal
    assert len(model.batches.created) == 3


def test_the_scheduler_checks_its_pauses() -> None:
    from agentkit._core.batch_map import batch_map_flow

    with pytest.raises(ValueError, match="must be positive"):
        next(batch_map_flow(["index:0"], max_retries=0, poll_interval=0, max_poll_interval=1))
    assert list(batch_map_flow([], max_retries=0, poll_interval=1, max_poll_interval=1)) == []
