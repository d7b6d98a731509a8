"""What a run records for its timeline: request and tool call times, in `RunResult` and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from agentkit import Agent, AsyncAgent, BadRequestError, Journal, RequestRecord, RunResult
from agentkit._core.effects import RequestTiming
from agentkit._core.loop import AgentLoop
from agentkit.testing import ErrorReply, Reply, ScriptedModel

from .runs import CALLS_PER_TURN, MODEL, TURNS, twenty_call_run


@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream"])
def test_each_request_and_tool_call_is_timed(kind: str, stream: bool) -> None:
    result = twenty_call_run(kind, stream=stream)

    assert [r.turn for r in result.requests] == [1, 2, 3, 4, 5]
    assert [r.retries for r in result.requests] == [0, 1, 0, 0, 0]  # the 529, retried
    assert [r.stop_reason for r in result.requests] == ["tool_use"] * 4 + ["end_turn"]
    assert all(r.error is None and r.message_id for r in result.requests)
    assert [r.cache_read_input_tokens for r in result.requests] == [0, 1000, 2000, 3000, 0]
    assert [r.cache_creation_input_tokens for r in result.requests] == [200] * 4 + [0]
    assert sum(r.input_tokens for r in result.requests) == result.usage.input_tokens
    assert sum(r.output_tokens for r in result.requests) == result.usage.output_tokens
    starts = [r.started_at for r in result.requests]
    assert all(s is not None for s in starts)
    assert starts == sorted(starts)  # type: ignore[type-var]
    assert all(r.duration is not None and r.duration >= 0 for r in result.requests)
    for request in result.requests:  # each points at its assistant turn in the history
        assert request.message_index is not None
        assert result.messages[request.message_index]["role"] == "assistant"

    assert [c.turn for c in result.tool_calls] == [
        t for t in range(1, TURNS + 1) for _ in range(CALLS_PER_TURN)
    ]
    for turn in range(1, TURNS + 1):
        calls = [c for c in result.tool_calls if c.turn == turn]
        spans = [(c.started_at, c.started_at + c.duration) for c in calls if c.started_at]
        assert len(spans) == CALLS_PER_TURN
        # the calls met at a barrier: each started before any of them ended
        assert max(s for s, _ in spans) < min(e for _, e in spans)
    assert result.seconds is not None
    assert result.seconds >= max(c.duration for c in result.tool_calls)


def test_the_json_round_trip_keeps_the_timings() -> None:
    result = twenty_call_run()
    again = RunResult.from_dict(json.loads(result.to_json()))
    assert again.requests == result.requests
    assert again.tool_calls == result.tool_calls
    assert again.to_dict() == result.to_dict()
    assert again.seconds == result.seconds


def test_json_saved_without_timings_still_loads() -> None:
    data = twenty_call_run().to_dict()
    del data["requests"]
    for call in data["tool_calls"]:
        del call["started_at"], call["turn"]
    old = RunResult.from_dict(data)
    assert old.requests == []
    assert old.tool_calls[0].started_at is None
    assert old.tool_calls[0].turn == 0
    assert old.seconds is None


def test_record_from_a_newer_version_ignores_unknown_keys() -> None:
    record = RequestRecord.from_dict({"turn": 2, "duration": 0.5, "from_the_future": 1})
    assert record == RequestRecord(turn=2, duration=0.5)
    assert RequestRecord.from_dict(record.to_dict()) == record


def test_a_failed_request_is_recorded_in_the_run_state(kind: str) -> None:
    model = ScriptedModel(
        [Reply([{"type": "tool_use", "name": "ping", "input": {}}]), ErrorReply(400)]
    )

    def ping() -> str:
        """Ping."""
        return "pong"

    async def main() -> None:
        agent = AsyncAgent(model.async_client(max_retries=0), model=MODEL, tools=[ping])
        await agent.run("Go")

    def run() -> None:
        if kind == "sync":
            Agent(model.client(max_retries=0), model=MODEL, tools=[ping]).run("Go")
        else:
            anyio.run(main)

    with pytest.raises(BadRequestError) as caught:
        run()
    state = caught.value.run_state
    assert isinstance(state, RunResult)
    failed = state.requests[-1]
    assert failed.turn == 2
    assert failed.error is not None
    assert failed.error.startswith("BadRequestError: ")
    assert failed.started_at is not None
    assert failed.duration is not None
    assert failed.message_id is None
    assert failed.message_index is None
    assert state.requests[0].error is None


def test_a_pause_turn_continuation_shares_its_turn() -> None:
    model = ScriptedModel([Reply("Searching", stop_reason="pause_turn"), "Found it."])
    result = Agent(model.client(), model=MODEL).run("Go")
    assert [r.turn for r in result.requests] == [1, 1]
    assert [r.stop_reason for r in result.requests] == ["pause_turn", "end_turn"]
    first, second = (r.message_index for r in result.requests)
    assert first == second == 1  # the continuation is stored in the paused turn


def test_a_final_turn_that_is_not_stored_has_no_message_index() -> None:
    # a turn holding only a tool call cut off by max_tokens is dropped from the history
    cut = Reply([{"type": "tool_use", "name": "ping", "input": {}}], stop_reason="max_tokens")

    def ping() -> str:
        """Ping."""
        return "pong"

    result = Agent(ScriptedModel([cut]).client(), model=MODEL, tools=[ping]).run("Go")
    assert result.requests[0].message_index is None
    assert result.requests[0].stop_reason == "max_tokens"


def test_a_finished_journaled_run_keeps_its_timings(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "runs.db")
    model = ScriptedModel(["Hello.", "unused"])
    agent = Agent(model.client(), model=MODEL, journal=journal)
    first = agent.run("Hi", run_id="r1")
    again = agent.run("Hi", run_id="r1")  # answered from the journal
    assert again.requests == first.requests
    assert first.requests[0].started_at is not None
    journal.close()


def test_the_loop_takes_timings_from_its_driver() -> None:
    """The sans-IO loop: no clock of its own, it records what it is handed."""
    from agentkit.types import Message

    loop = AgentLoop({"model": MODEL, "max_tokens": 64}, [], max_turns=3)
    loop.state.messages.append({"role": "user", "content": "Hi"})
    message: Any = Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [{"type": "text", "text": "Hello"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 3, "output_tokens": 2, "cache_read_input_tokens": 7},
        }
    )
    loop.on_response(message, RequestTiming(100.0, 0.25, 2))
    (record,) = loop.state.requests
    assert record == RequestRecord(
        turn=1,
        started_at=100.0,
        duration=0.25,
        retries=2,
        message_id="msg_1",
        model=MODEL,
        stop_reason="end_turn",
        input_tokens=3,
        output_tokens=2,
        cache_read_input_tokens=7,
        message_index=1,
    )
    loop.on_request_error("APIConnectionError: down")
    assert loop.state.requests[-1] == RequestRecord(turn=2, error="APIConnectionError: down")


def test_a_request_effect_without_a_listener_is_not_timed() -> None:
    """A flow that does not ask for timings (`on_timing` unset) gets none, and nothing fails."""
    from agentkit._core.effects import CallModel
    from agentkit.agent._agent import RequestTimer

    with RequestTimer(CallModel({})) as timer:
        timer.retries = 1
    heard: list[RequestTiming] = []
    with (
        pytest.raises(ValueError, match="down"),
        RequestTimer(CallModel({}, on_timing=heard.append)),
    ):
        raise ValueError("down")
    assert heard[0].retries is None  # the failed request is timed too
