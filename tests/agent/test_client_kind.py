"""An agent given the wrong kind of client says what to pass; an offline model is accepted."""

from __future__ import annotations

import asyncio

import pytest

from agentkit import Anthropic, AsyncAnthropic, UsageError
from agentkit.agent import Agent, AsyncAgent
from agentkit.testing import TestModel

MODEL = "claude-sonnet-4-5"


def test_async_agent_refuses_a_sync_client() -> None:
    client = Anthropic(api_key="k")
    with pytest.raises(UsageError, match=r"AsyncAnthropic\(\.\.\.\)"):
        AsyncAgent(client, model=MODEL)  # type: ignore[arg-type]


def test_agent_refuses_an_async_client() -> None:
    client = AsyncAnthropic(api_key="k")
    with pytest.raises(UsageError, match=r"pass Anthropic\(\.\.\.\)") as info:
        Agent(client, model=MODEL)  # type: ignore[arg-type]
    assert "AsyncAgent" in str(info.value)


def test_agent_takes_an_offline_model_as_its_client() -> None:
    model = TestModel()
    agent = Agent(model, model=MODEL)
    assert isinstance(agent.client, Anthropic)
    assert agent.run("Hi").text
    assert len(model.requests) == 1


def test_async_agent_takes_an_offline_model_as_its_async_client() -> None:
    model = TestModel()
    agent = AsyncAgent(model, model=MODEL)
    assert isinstance(agent.client, AsyncAnthropic)
    assert asyncio.run(agent.run("Hi")).text
    assert len(model.requests) == 1


def test_an_object_with_only_a_sync_client_is_refused_by_the_async_agent() -> None:
    class SyncOnly:
        def client(self) -> Anthropic:
            return Anthropic(api_key="k")

    with pytest.raises(UsageError, match="no async_client"):
        AsyncAgent(SyncOnly(), model=MODEL)  # type: ignore[arg-type]
