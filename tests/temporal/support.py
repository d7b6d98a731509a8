"""Agents, tools and models shared by the Temporal tests."""

from __future__ import annotations

import uuid
from typing import Any

from agentkit import AsyncAgent, RunResult, tool
from agentkit.testing import ModelRequest, ScriptedModel

MODEL = "claude-sonnet-4-5"


@tool
def add(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: One.
        b: The other.
    """
    return a + b


@tool
async def shout(text: str) -> str:
    """Upper-case a text.

    Args:
        text: The text.
    """
    return text.upper()


def call(name: str, tool_input: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": tool_input}


def three_turns() -> ScriptedModel:
    """A model that calls `add`, then `add` and `shout` at once, then answers."""
    return ScriptedModel(
        [
            [{"type": "text", "text": "Adding."}, call("add", {"a": 2, "b": 3}, "toolu_1")],
            [
                call("add", {"a": 5, "b": 10}, "toolu_2"),
                call("shout", {"text": "fifteen"}, "toolu_3"),
            ],
            "The answer is 15 (FIFTEEN).",
        ]
    )


def three_turn_agent() -> AsyncAgent:
    return AsyncAgent(three_turns(), model=MODEL, tools=[add, shout], max_turns=5)


def queue() -> str:
    """A task queue of its own for one test (workers of other tests never take its tasks)."""
    return f"test-{uuid.uuid4().hex}"


def comparable(result: RunResult[Any]) -> dict[str, Any]:
    """A result's data without what differs between two runs (when and how long things took)."""
    data = result.to_dict()
    for record in data["tool_calls"]:
        record.pop("duration")
        record.pop("started_at", None)
    data.pop("requests", None)  # the timeline's request times
    return data


def record_step(request: ModelRequest) -> list[dict[str, Any]] | str:
    """A stateless model (the same answer in any process): one step per turn of the history."""
    step = len(request["messages"]) // 2
    plan: list[list[dict[str, Any]] | str] = [
        [call("record", {"label": "a"}, "toolu_a")],
        [call("record", {"label": "b"}, "toolu_b")],
        [call("crash_once", {}, "toolu_crash")],
        "All recorded.",
    ]
    return plan[step]
