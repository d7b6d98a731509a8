"""Agent details from review: pause_turn continuations, hook shorthands, event fields, replies."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest

from agentkit import Agent, Toolbox, ToolCallFinished, allow, tool
from agentkit.testing import FunctionModel, RawReply, Reply, ScriptedModel
from tests.helpers import FIXTURES

MODEL = "claude-sonnet-4-5"


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"{city}: sunny"


WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search"}
PAUSED = Reply(
    [{"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"q": "x"}}],
    stop_reason="pause_turn",
)


def test_a_pause_continued_by_a_tool_call_is_one_valid_turn() -> None:
    call = [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "A"}}]
    model = ScriptedModel([PAUSED, call, "done", "again"])
    agent = Agent(model.client(), model=MODEL, tools=[get_weather, WEB_SEARCH])
    result = agent.run("go")  # every request passed the API-conformance check
    assert result.text == "done"
    assert [m["role"] for m in result.messages] == ["user", "assistant", "user", "assistant"]
    merged: Any = result.messages[1]["content"]
    assert [b["type"] for b in merged] == ["server_tool_use", "tool_use"]
    assert agent.run("next", messages=result.messages).text == "again"


@pytest.mark.parametrize("decision", [allow, True, None])
def test_hook_shorthands_allow(decision: Any) -> None:
    calls = [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "A"}}]
    result = Agent(
        ScriptedModel([calls, "ok"]).client(),
        model=MODEL,
        tools=[get_weather],
        hooks={"before_tool_call": lambda call: decision},
    ).run("go")
    assert result.tool_calls[0].result == "A: sunny"


def test_hook_false_denies() -> None:
    calls = [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "A"}}]
    result = Agent(
        ScriptedModel([calls, "ok"]).client(),
        model=MODEL,
        tools=[get_weather],
        hooks={"before_tool_call": lambda call: False},
    ).run("go")
    assert result.tool_calls[0].is_error


def test_tool_call_finished_fields() -> None:
    calls = [{"type": "tool_use", "id": "toolu_7", "name": "get_weather", "input": {"city": "B"}}]
    agent = Agent(ScriptedModel([calls, "ok"]).client(), model=MODEL, tools=[get_weather])
    finished = next(e for e in agent.stream("go") if isinstance(e, ToolCallFinished))
    assert (finished.id, finished.name, finished.input) == ("toolu_7", "get_weather", {"city": "B"})
    assert finished.result == "B: sunny"
    assert finished.tool_result.ran


def test_recorded_cut_off_stream_also_works_without_streaming() -> None:
    path = next(
        FIXTURES.glob("recorded/anthropic-sdk-python/**/incomplete_partial_json_response.txt")
    )
    model = ScriptedModel([RawReply(Path(path).read_bytes())])
    result = Agent(model.client(), model=MODEL, tools=[get_weather]).run("go")
    assert result.stop_reason == "max_tokens"
    assert result.tool_calls == []


def test_dict_replies() -> None:
    block = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "C"}}
    client = FunctionModel(lambda r: block if not r.tool_results else {"content": "fine"}).client()
    result = Agent(client, model=MODEL, tools=[get_weather]).run("go")
    assert (result.text, result.tool_calls[0].result) == ("fine", "C: sunny")
    limited = FunctionModel(lambda r: {"content": "cut", "stop_reason": "max_tokens"}).client()
    assert Agent(limited, model=MODEL).run("go").stop_reason == "max_tokens"
    with pytest.raises(Exception, match="cannot answer with the dict"):
        FunctionModel(lambda r: {"nonsense": 1}).client().messages.create(
            model=MODEL, max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )


class Address(typing.TypedDict):
    """A postal address."""

    city: str


def test_typing_typeddict_parameters_work() -> None:
    @tool
    def ship(to: Address, extra: list[Address] | None = None) -> str:
        """Ship somewhere."""
        return to["city"]

    assert ship.input_schema["properties"]["to"] == {"$ref": "#/$defs/Address"}
    result = Toolbox([ship]).run(
        {"type": "tool_use", "id": "t", "name": "ship", "input": {"to": {"city": "Oslo"}}}
    )
    assert result["content"] == "Oslo"
