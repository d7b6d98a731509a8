"""The agent state machine, with no I/O."""

from __future__ import annotations

from typing import Any

import pytest

from agentkit._core.loop import (
    MAX_PAUSES,
    AgentLoop,
    CallModel,
    Finish,
    RunTools,
    append_user_content,
)
from agentkit.tools import ToolCall, ToolResult
from agentkit.types import Message, MessageParam


def message(content: list[dict[str, Any]], stop_reason: str, **usage: int) -> Message:
    return Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": content,
            "stop_reason": stop_reason,
            "usage": {"input_tokens": 10, "output_tokens": 5, **usage},
        }
    )


def new_loop(**kwargs: Any) -> AgentLoop:
    return AgentLoop(
        {"model": "m", "max_tokens": 10},
        [{"role": "user", "content": "hi"}],
        max_turns=kwargs.pop("max_turns", 5),
        **kwargs,
    )


TOOL = {"type": "tool_use", "id": "toolu_1", "name": "t", "input": {"x": 1}}


def test_first_step_is_a_request_with_the_history() -> None:
    step = new_loop().next_step()
    assert isinstance(step, CallModel)
    assert step.params == {
        "model": "m",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}],
    }


def test_tool_use_then_results_then_next_request() -> None:
    loop = new_loop()
    loop.on_response(message([{"type": "text", "text": "ok"}, TOOL], "tool_use"))
    step = loop.next_step()
    assert isinstance(step, RunTools)
    assert step.calls == [ToolCall("toolu_1", "t", {"x": 1})]
    loop.on_tool_results([ToolResult(call=step.calls[0], content="42")])
    request = loop.next_step()
    assert isinstance(request, CallModel)
    assert request.params["messages"][-1] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "42"}],
    }
    assert loop.state.tool_calls[0].result == "42"
    loop.on_response(message([{"type": "text", "text": "done"}], "end_turn"))
    finish = loop.next_step()
    assert isinstance(finish, Finish)
    assert finish.stop_reason == "end_turn"
    assert loop.state.usage.requests == 2
    assert loop.state.usage.total_tokens == 30


def test_missing_result_is_a_programming_error() -> None:
    loop = new_loop()
    loop.on_response(message([TOOL], "tool_use"))
    with pytest.raises(ValueError, match="toolu_1"):
        loop.on_tool_results([])


def test_tool_use_stop_without_client_calls_finishes() -> None:
    loop = new_loop()
    loop.on_response(message([{"type": "text", "text": "hm"}], "tool_use"))
    step = loop.next_step()
    assert isinstance(step, Finish)
    assert step.stop_reason == "tool_use"


def test_unknown_stop_reason_finishes_and_missing_one_means_end_turn() -> None:
    loop = new_loop()
    loop.on_response(message([{"type": "text", "text": "x"}], "future_reason"))
    assert loop.next_step() == Finish("future_reason", loop.state)
    loop = new_loop()
    reply = message([{"type": "text", "text": "x"}], "end_turn")
    reply.stop_reason = None
    loop.on_response(reply)
    assert isinstance(loop.next_step(), Finish)


def test_endless_pause_turns_stop_as_max_turns() -> None:
    loop = new_loop()
    for _ in range(MAX_PAUSES):
        assert isinstance(loop.next_step(), CallModel)
        loop.on_response(message([{"type": "text", "text": "..."}], "pause_turn"))
    step = loop.next_step()
    assert isinstance(step, Finish)
    assert (step.stop_reason, step.limit_hit) == ("max_turns", True)


def test_append_user_content_merges_into_a_trailing_user_turn() -> None:
    history: list[MessageParam] = [{"role": "user", "content": "a"}]
    append_user_content(history, "b")
    assert history == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}
    ]
    append_user_content(history, [{"type": "text", "text": "c"}])
    assert len(history) == 1
    assert len(list(history[0]["content"])) == 3
    history.append({"role": "assistant", "content": "x"})
    append_user_content(history, "d")
    assert history[-1] == {"role": "user", "content": "d"}
