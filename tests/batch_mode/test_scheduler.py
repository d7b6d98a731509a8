"""The batch-mode scheduler (`agentkit._core.batch_map`), driven directly: no I/O."""

from __future__ import annotations

from collections.abc import Generator
from types import SimpleNamespace
from typing import Any

from agentkit._core.batch_map import (
    Ended,
    NextCall,
    Persist,
    PollBatch,
    ReadResults,
    Report,
    RequestFailure,
    ResumePoint,
    RunEnded,
    StepRuns,
    SubmitBatch,
    batch_map_flow,
    key_id,
    retryable,
    split_requests,
)
from agentkit._core.effects import Sleep
from agentkit._core.mapping import read_results, result_line, state_line


def _ended_batch(batch_id: str, succeeded: int) -> Any:
    counts = SimpleNamespace(processing=0, succeeded=succeeded, errored=0, expired=0, canceled=0)
    return SimpleNamespace(id=batch_id, processing_status="ended", request_counts=counts)


class FakeServer:
    """Answers the scheduler's effects: each run asks for `turns` model calls, then ends."""

    def __init__(self, turns: int = 1) -> None:
        self.turns = turns
        self.calls: dict[str, int] = {}
        self.batches: dict[str, list[str]] = {}
        self.persisted: list[dict[str, Any]] = []
        self.ended: dict[str, Any] = {}

    def run(self, flow: Generator[Any, Any, None]) -> None:
        value: Any = None
        while True:
            try:
                effect = flow.send(value)
            except StopIteration:
                return
            value = self.perform(effect)

    def perform(self, effect: Any) -> Any:
        if isinstance(effect, StepRuns):
            out: dict[str, Any] = {}
            for step in effect.steps:
                if step.failure is not None:
                    out[step.key] = Ended(step.failure)
                    continue
                done = self.calls.get(step.key, -1) + 1
                self.calls[step.key] = done
                messages = [{"role": "user", "content": f"{step.key} {done}"}]
                if done >= self.turns:
                    out[step.key] = Ended("ok")
                else:
                    out[step.key] = NextCall({"model": "m", "messages": messages})
            return out
        if isinstance(effect, SubmitBatch):
            batch_id = f"b{len(self.batches)}"
            self.batches[batch_id] = [r["custom_id"] for r in effect.requests]
            return batch_id
        if isinstance(effect, PollBatch):
            return _ended_batch(effect.batch_id, len(self.batches[effect.batch_id]))
        if isinstance(effect, ReadResults):
            ok = SimpleNamespace(type="succeeded", message="msg")
            return dict.fromkeys(self.batches[effect.batch_id], ok)
        if isinstance(effect, Persist):
            self.persisted.append(effect.record)
        elif isinstance(effect, RunEnded):
            self.ended[effect.key] = effect.outcome
        else:
            assert isinstance(effect, (Report, Sleep))
        return None


def _flow(keys: list[str], resume: ResumePoint | None = None, **options: Any) -> Any:
    options.setdefault("max_retries", 2)
    return batch_map_flow(keys, resume, poll_interval=1, max_poll_interval=2, **options)


def test_a_round_is_split_at_the_batch_limits() -> None:
    requests = [{"custom_id": f"c{i}", "params": {"text": "x" * 100}} for i in range(10)]
    assert [len(g) for g in split_requests(requests, max_requests=4)] == [4, 4, 2]
    size = len('{"custom_id":"c0","params":{"text":"' + "x" * 100 + '"}}') + 1
    by_bytes = split_requests(requests, max_bytes=len('{"requests":[]}') + 3 * size)
    assert [len(g) for g in by_bytes] == [3, 3, 3, 1]
    server = FakeServer(turns=2)
    server.run(_flow([f"index:{i}" for i in range(5)], max_requests=2))
    assert [len(ids) for ids in server.batches.values()] == [2, 2, 1, 2, 2, 1]
    assert server.ended == {f"index:{i}": "ok" for i in range(5)}
    assert [r["batch_map"] for r in server.persisted].count("batch") == 6
    assert server.persisted[-1] == {"batch_map": "end"}


def test_which_failures_are_retried() -> None:
    assert retryable("expired", None)
    assert retryable("errored", {"type": "overloaded_error"})
    assert retryable("errored", {"type": "api_error"})
    assert retryable("errored", {"type": "rate_limit_error"})
    assert retryable("errored", {"type": "something_new"})  # unknown: a server error
    assert not retryable("errored", {"type": "invalid_request_error"})
    assert not retryable("canceled", None)
    assert not retryable("missing", None)


def test_a_request_without_a_result_ends_its_run() -> None:
    server = FakeServer(turns=2)
    real = server.perform

    def drop_one(effect: Any) -> Any:
        value = real(effect)
        if isinstance(effect, ReadResults):
            value.pop("r1-0", None)
        return value

    server.perform = drop_one  # type: ignore[method-assign]
    server.run(_flow(["index:0", "index:1"]))
    failure = server.ended["index:0"]
    assert isinstance(failure, RequestFailure)
    assert (failure.result_type, failure.batch_id, failure.attempts) == ("missing", "b0", 1)
    assert server.ended["index:1"] == "ok"


def test_resume_polls_the_recorded_batches_and_submits_the_rest() -> None:
    first = FakeServer(turns=2)
    flow = _flow(["index:0", "index:1", "index:2"], max_requests=2)
    value: Any = None
    while True:  # stop right after the first batch of the first round was recorded
        effect = flow.send(value)
        value = first.perform(effect)
        if isinstance(effect, Persist) and effect.record["batch_map"] == "batch":
            break
    lines = [state_line(r) for r in first.persisted]
    lines.append(
        result_line(
            index=9, item_id=None, output=None, text=None, stop_reason=None, usage=None, error=None
        )
    )
    recorded = read_results(("\n".join(lines) + "\n").encode())
    assert [r["batch_map"] for r in recorded.state] == ["round", "batch"]
    point = ResumePoint.from_records(recorded.state, recorded.ended_since_state)
    assert point is not None
    assert point.batches == {"b0": ["r1-0", "r1-1"]}
    # restarted: same runs; index:2 never went out, index:1 is now a different request
    second = FakeServer(turns=2)
    second.batches = dict(first.batches)
    second.calls = {"index:1": 0}  # (as if its journal had moved it on: a new request)
    second.run(_flow(["index:0", "index:1", "index:2"], point))
    assert list(second.batches) == ["b0", "b1", "b2"]
    assert second.batches["b1"] == ["r1-1x", "r1-2"]  # b0 is polled again, not re-sent
    assert second.ended == {"index:0": "ok", "index:1": "ok", "index:2": "ok"}


def test_state_lines_are_told_apart_from_results() -> None:
    import pytest

    with pytest.raises(ValueError, match="starts with the 'batch_map' key"):
        state_line({"round": 1, "batch_map": "round"})
    cut = state_line({"batch_map": "end"})[:-3]
    recorded = read_results(cut.encode())
    assert recorded.valid_bytes == 0  # a state line cut short by a crash: dropped
    assert ResumePoint.from_records([{"batch_map": "end"}]) is None
    assert key_id("index:12") == "12"
    assert key_id("id:ticket/42").startswith("h")
    assert len(key_id("id:x")) == 25
