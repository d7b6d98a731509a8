"""An agent run driven by hand: the flow's effects answered here, without any driver."""

from __future__ import annotations

from typing import Any

from agentkit import Agent, Hooks, tool
from agentkit._core.effects import CallHook, CallModel, Emit, RunTools
from agentkit._core.tool_calls import ToolResult
from agentkit.agent import RunFinished, ToolCallFinished, ToolCallStarted, TurnFinished
from agentkit.testing import TestModel
from agentkit.types import Message


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def message(content: list[dict[str, Any]], stop_reason: str) -> Message:
    return Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": content,
            "stop_reason": stop_reason,
            "usage": {"input_tokens": 10, "output_tokens": 5},
        }
    )


def test_a_run_is_a_sequence_of_effects() -> None:
    seen: list[str] = []
    agent = Agent(
        TestModel().client(),  # never called: the test answers every effect itself
        model="claude-sonnet-4-5",
        tools=[add],
        hooks=Hooks(on_turn=lambda m: seen.append(m.id)),
    )
    flow = agent.run_flow("What is 2 + 3?", None, None, streaming=False)

    call = next(flow)
    assert isinstance(call, CallModel)
    assert not call.stream
    assert call.params["messages"] == [{"role": "user", "content": "What is 2 + 3?"}]
    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 2, "b": 3}}
    hook = flow.send(message([tool_use], "tool_use"))
    assert isinstance(hook, CallHook)
    assert hook.fn is agent.hooks.on_turn
    assert hook.args[0].id == "msg_1"
    turn = flow.send(None)
    assert isinstance(turn, Emit)
    assert isinstance(turn.event, TurnFinished)
    started = flow.send(None)
    assert isinstance(started, Emit)
    assert isinstance(started.event, ToolCallStarted)
    run_tools = flow.send(None)
    assert isinstance(run_tools, RunTools)
    (plan,) = run_tools.plans
    assert plan.call.input == {"a": 2, "b": 3}
    finished = flow.send([ToolResult(call=plan.call, content="5")])
    assert isinstance(finished, Emit)
    assert isinstance(finished.event, ToolCallFinished)

    second = flow.send(None)
    assert isinstance(second, CallModel)
    assert second.params["messages"][-1]["content"][0]["content"] == "5"
    flow.send(message([{"type": "text", "text": "5"}], "end_turn"))  # on_turn
    flow.send(None)  # TurnFinished
    last = flow.send(None)
    assert isinstance(last, Emit)
    assert isinstance(last.event, RunFinished)
    assert last.event.result.text == "5"
    assert last.event.result.turns == 2
    assert seen == []  # the hooks were asked for, not called: the driver calls them


def test_streaming_runs_ask_for_streamed_model_calls() -> None:
    agent = Agent(TestModel().client(), model="claude-sonnet-4-5")
    flow = agent.run_flow("Hi", None, None, streaming=True)
    effect = next(flow)
    assert isinstance(effect, CallModel)
    assert effect.stream
