"""The activities on their own (Temporal's `ActivityEnvironment`: no server)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from agentkit import Agent, AsyncAgent, ToolContext, tool
from agentkit.temporal._activities import call_model, call_tool
from agentkit.temporal._served import register
from agentkit.temporal._wire import ModelCall, ToolCallRequest
from agentkit.temporal._worker import _served
from agentkit.testing import TestModel

from .support import MODEL, add, queue

pytestmark = pytest.mark.anyio

runs: list[str] = []


@tool
def charge(order: str) -> str:
    """Charge an order (not safe to run twice).

    Args:
        order: The order.
    """
    runs.append(order)
    return "charged"


@tool
def deps_of(ctx: ToolContext[str]) -> str:
    """The run's deps."""
    return ctx.deps


def environment(agent: Any, *, attempt: int = 1, deps: Any = None) -> ActivityEnvironment:
    task_queue = queue()
    register(task_queue, {"a": _served("a", agent, deps, 60.0, 3, 2**21)})
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, task_queue=task_queue, attempt=attempt)
    return env


def request(name: str, tool_input: dict[str, Any], **kw: Any) -> ToolCallRequest:
    return ToolCallRequest("a", "toolu_1", name, tool_input, **kw)


async def test_a_retried_call_of_a_tool_not_idempotent_is_answered_as_interrupted() -> None:
    agent = AsyncAgent(TestModel(), model=MODEL, tools=[charge, add])
    retried = environment(agent, attempt=2)
    answer = await retried.run(call_tool, request("charge", {"order": "A-17"}))
    assert answer["is_error"] is True
    assert "interrupted" in answer["content"]
    assert runs == []
    first = environment(agent, attempt=1)
    assert (await first.run(call_tool, request("charge", {"order": "A-17"})))["content"] == (
        "charged"
    )
    assert runs == ["A-17"]
    invalid = await retried.run(call_tool, request("add", {"a": "x"}))  # answered at once
    assert invalid["is_error"] is True
    assert invalid["ran"] is False


async def test_a_sync_deps_resolver_and_an_unknown_agent() -> None:
    agent = AsyncAgent(TestModel(), model=MODEL, tools=[deps_of])
    env = environment(agent, deps=lambda key: f"deps for {key}")
    result = await env.run(call_tool, request("deps_of", {}, deps_key="k1"))
    assert result["content"] == "deps for k1"
    lost = ActivityEnvironment()
    lost.info = dataclasses.replace(lost.info, task_queue=queue())
    ghost = ToolCallRequest("ghost", "toolu_1", "deps_of", {})
    with pytest.raises(ApplicationError, match="no agent named 'ghost'") as caught:
        await lost.run(call_tool, ghost)
    assert caught.value.non_retryable


async def test_a_streamed_model_call_from_an_async_agent() -> None:
    model = TestModel()
    agent = AsyncAgent(model, model=MODEL)
    env = environment(agent)
    params = {"model": MODEL, "max_tokens": 32_000, "messages": [{"role": "user", "content": "Hi"}]}
    data = await env.run(call_model, ModelCall("a", params, stream=True))
    assert data["message"]["role"] == "assistant"
    assert model.requests[0]["stream"] is True


async def test_a_model_call_from_a_sync_agent_runs_off_the_event_loop() -> None:
    model = TestModel()
    env = environment(Agent(model, model=MODEL))
    params = {"model": MODEL, "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]}
    data = await env.run(call_model, ModelCall("a", params))
    assert data["message"]["content"][0]["type"] == "text"
    assert "stream" not in model.requests[0]
