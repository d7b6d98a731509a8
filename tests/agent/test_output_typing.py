"""`result.output` is typed from `output_type`: `mypy --strict` checks this file (the
`assert_type` calls fail type checking if inference breaks), and pytest runs it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pydantic import BaseModel
from typing_extensions import assert_type

from agentkit import Agent, AsyncAgent, RunResult
from agentkit.testing import TestModel


class Invoice(BaseModel):
    number: str
    total: float


@dataclasses.dataclass
class Point:
    x: int
    y: int


def test_output_type_sets_the_output_type() -> None:
    agent = Agent(TestModel(), model="m", output_type=Invoice)
    assert_type(agent, Agent[None, Invoice])
    result = agent.run("extract")
    assert_type(result, RunResult[Invoice])
    assert_type(result.output, Invoice)
    assert isinstance(result.output, Invoice)


def test_without_output_type_the_output_is_text() -> None:
    agent = Agent(TestModel(), model="m")
    assert_type(agent, Agent[None, str])
    result = agent.run("hello")
    assert_type(result.output, str)
    assert result.output == result.text


def test_generic_containers_and_deps_are_inferred() -> None:
    agent = Agent(TestModel(), model="m", deps=3, output_type=list[Point])
    assert_type(agent, Agent[int, list[Point]])
    points = agent.run("points").output
    assert_type(points, list[Point])
    assert all(isinstance(p, Point) for p in points)


@pytest.mark.anyio
async def test_async_agents_are_typed_the_same_way() -> None:
    agent = AsyncAgent(TestModel(), model="m", output_type=Invoice)
    assert_type(agent, AsyncAgent[None, Invoice])
    result = await agent.run("extract")
    assert_type(result.output, Invoice)
    untyped = AsyncAgent(TestModel(), model="m")
    assert_type((await untyped.run("hi")).output, str)


def test_an_annotation_types_special_forms() -> None:
    # A union or Literal is not a `type` to a type checker: annotate the agent.
    agent: Agent[None, Invoice | Point] = Agent(
        TestModel(),
        model="m",
        output_type=Invoice | Point,  # type: ignore[arg-type]
    )
    output: Any = agent.run("either").output
    assert isinstance(output, (Invoice, Point))
