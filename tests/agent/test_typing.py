"""What a type checker infers for agents (this file is checked by `mypy --strict`)."""

from __future__ import annotations

from dataclasses import dataclass

from typing_extensions import assert_type

from agentkit import Agent, AsyncAgent, ToolContext, tool
from agentkit.testing import TestModel


@dataclass
class Deps:
    user: str


@tool
def whoami(ctx: ToolContext[Deps]) -> str:
    """The user's name."""
    return ctx.deps.user


def test_the_deps_type_is_inferred_from_deps() -> None:
    model = TestModel()
    agent = Agent(model.client(), model="claude-sonnet-4-5", tools=[whoami], deps=Deps("ada"))
    assert_type(agent, Agent[Deps])
    assert_type(agent.deps, Deps)
    result = agent.run("Who am I?", deps=Deps("grace"))
    assert result.tool_calls[0].result == "grace"


def test_an_agent_without_deps_has_none() -> None:
    agent = Agent(TestModel().client(), model="claude-sonnet-4-5")
    assert_type(agent, Agent[None])
    async_agent = AsyncAgent(TestModel().async_client(), model="claude-sonnet-4-5")
    assert_type(async_agent, AsyncAgent[None])
    assert agent.deps is None


def never_called(agent: Agent[Deps]) -> None:
    # mypy --strict warns about unused ignores: this line must be an error for a type checker
    agent.run("Who am I?", deps="ada")  # type: ignore[arg-type]
