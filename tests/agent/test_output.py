"""Typed output of agent runs: `output_type` in tool and native mode, re-asks, validators,
streaming, and the errors of each way it can go wrong.

Models here are offline `FunctionModel`s that answer like the API would: from the request's
output tool schema or structured-output schema (`example_for`), or with scripted replies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

import anyio
import pytest
from pydantic import BaseModel, TypeAdapter

from agentkit import (
    Agent,
    AgentEvent,
    AsyncAgent,
    OutputChunk,
    OutputValidationError,
    RetryOutput,
    RunFinished,
    RunResult,
    ToolCallFinished,
    ToolContext,
    UsageError,
    tool,
)
from agentkit.testing import FunctionModel, ScriptedModel
from agentkit.testing._schema_gen import example_for
from agentkit.tools._schema import pydantic_compatible
from tests.helpers import Kind
from tests.testing.output_types import Cat, Dog, Movie, Point


class Item(BaseModel):
    name: str
    price: float


class Invoice(BaseModel):
    """An invoice."""

    number: str
    items: list[Item]


class Node(BaseModel):
    value: int
    children: list[Node] = []


OUTPUT_TYPES: list[Any] = [
    Invoice,
    Node,
    Point,
    Movie,
    list[Item],
    Literal["spam", "ham"],
    Cat | Dog,
    int,
    str,
]


def answering(request: Any) -> Any:
    """An API-like answer: the output tool's input, or the structured JSON, from its schema."""
    output_format = (request.get("output_config") or {}).get("format")
    if output_format is not None:
        return json.dumps(example_for(output_format["schema"]))
    tools = [t for t in request.tools if t["name"].startswith("final_result")]
    target = tools[-1]
    return [
        {"type": "tool_use", "name": target["name"], "input": example_for(target["input_schema"])}
    ]


def tool_call(name: str, data: Any) -> list[dict[str, Any]]:
    return [{"type": "tool_use", "name": name, "input": data}]


def make(kind: Kind, model: Any, **options: Any) -> Any:
    options.setdefault("model", "claude-sonnet-4-5")
    return Agent(model, **options) if kind == "sync" else AsyncAgent(model, **options)


def run(agent: Any, prompt: str | None = "go", **kwargs: Any) -> RunResult[Any]:
    if isinstance(agent, Agent):
        return agent.run(prompt, **kwargs)

    async def main() -> RunResult[Any]:
        result: RunResult[Any] = await agent.run(prompt, **kwargs)
        return result

    return anyio.run(main)


def stream(agent: Any, prompt: str = "go") -> list[AgentEvent]:
    if isinstance(agent, Agent):
        return list(agent.stream(prompt))

    async def main() -> list[AgentEvent]:
        return [event async for event in agent.stream(prompt)]

    return anyio.run(main)


def requests_of(model: FunctionModel) -> list[dict[str, Any]]:
    return [dict(r) for r in model.requests]


def scripted(*replies: Any) -> FunctionModel:
    queue: Iterator[Any] = iter(replies)
    return FunctionModel(lambda request: next(queue))


# -- every kind of output, both modes, sync and async, streamed and not --


@pytest.mark.parametrize("output_type", OUTPUT_TYPES, ids=lambda t: str(t).replace("typing.", ""))
@pytest.mark.parametrize("mode", ["tool", "native"])
@pytest.mark.parametrize("streaming", [False, True], ids=["run", "stream"])
def test_every_output_type_in_both_modes(
    kind: Kind, output_type: Any, mode: str, streaming: bool
) -> None:
    agent = make(kind, FunctionModel(answering), output_type=output_type, output_mode=mode)
    if streaming:
        events = stream(agent)
        finished = events[-1]
        assert isinstance(finished, RunFinished)
        result = finished.result
    else:
        result = run(agent)
    adapter: TypeAdapter[Any] = TypeAdapter(pydantic_compatible(output_type))
    expected = adapter.validate_python(result.output)
    assert result.output == expected
    assert result.stop_reason == "end_turn"
    assert result.to_dict()["output"] == adapter.dump_python(expected, mode="json")


def test_tool_mode_sends_an_output_tool_and_forces_a_tool_call(kind: Kind) -> None:
    model = FunctionModel(answering)
    run(make(kind, model, output_type=Invoice))
    body = requests_of(model)[0]
    (output_tool,) = body["tools"]
    assert output_tool["name"] == "final_result"
    assert output_tool["input_schema"]["required"] == ["number", "items"]
    assert output_tool["description"].startswith("An invoice.")
    assert body["tool_choice"] == {"type": "any"}
    assert "output_config" not in body


def test_native_mode_sends_the_structured_output_format(kind: Kind) -> None:
    model = FunctionModel(answering)
    run(
        make(
            kind,
            model,
            output_type=list[Item],
            output_mode="native",
            output_config={"effort": "low"},
        )
    )
    body = requests_of(model)[0]
    assert "tools" not in body
    assert body["output_config"]["effort"] == "low"
    output_format = body["output_config"]["format"]
    assert output_format["type"] == "json_schema"
    assert output_format["schema"]["properties"]["result"]["type"] == "array"
    assert output_format["schema"]["additionalProperties"] is False


def test_a_union_of_models_is_one_output_tool_per_member(kind: Kind) -> None:
    model = scripted(tool_call("final_result_Dog", {"kind": "dog", "barks": 2}))
    result = run(make(kind, model, output_type=Cat | Dog))
    assert result.output == Dog(kind="dog", barks=2)
    names = [t["name"] for t in requests_of(model)[0]["tools"]]
    assert names == ["final_result_Cat", "final_result_Dog"]


# -- re-asks --


def test_invalid_tool_output_is_re_asked_with_every_problem(kind: Kind) -> None:
    model = scripted(
        tool_call("final_result", {"number": 7, "items": [{"name": "tea"}]}),
        tool_call("final_result", {"number": "7", "items": []}),
    )
    result = run(make(kind, model, output_type=Invoice))
    assert result.output == Invoice(number="7", items=[])
    retry = requests_of(model)[1]["messages"][-1]["content"][0]
    assert retry["type"] == "tool_result"
    assert retry["is_error"] is True
    assert "$.number: Input should be a valid string" in retry["content"]
    assert "$.items[0].price: Field required" in retry["content"]
    last: Any = result.messages[-1]
    assert last["content"][0]["content"] == "The output was received."


def test_invalid_native_output_is_re_asked_in_a_user_message(kind: Kind) -> None:
    model = scripted('{"number": 1}', '{"number": "1", "items": []}')
    result = run(make(kind, model, output_type=Invoice, output_mode="native"))
    assert result.output == Invoice(number="1", items=[])
    retry = requests_of(model)[1]["messages"][-1]
    assert retry["role"] == "user"
    assert "$.number: Input should be a valid string" in retry["content"]
    assert "$.items: Field required" in retry["content"]


def test_a_text_answer_in_tool_mode_is_re_asked_to_call_the_output_tool(kind: Kind) -> None:
    model = scripted(
        "The invoice number is 7.", tool_call("final_result", {"number": "7", "items": []})
    )
    result = run(make(kind, model, output_type=Invoice))
    assert result.output.number == "7"
    retry = requests_of(model)[1]["messages"][-1]
    assert retry["role"] == "user"
    assert "'final_result' tool" in retry["content"]


def test_past_output_retries_the_error_carries_a_resumable_run(kind: Kind) -> None:
    bad = tool_call("final_result", {"number": 7})
    agent = make(kind, scripted(bad, bad), output_type=Invoice, output_retries=1)
    with pytest.raises(OutputValidationError) as caught:
        run(agent)
    error = caught.value
    assert [p.path for p in error.errors] == ["$.number", "$.items"]
    assert error.output == {"number": 7}
    assert error.message.stop_reason == "tool_use"
    assert "after 1 re-ask(s)" in str(error)
    state = error.run_state
    assert state.messages[-1]["role"] == "user"  # the last call is answered: valid to resend
    assert state.messages[-1]["content"][0]["is_error"] is True
    again = make(
        kind, scripted(tool_call("final_result", {"number": "7", "items": []})), output_type=Invoice
    )
    assert run(again, None, messages=state.messages).output.number == "7"


def test_output_retries_zero_fails_at_the_first_invalid_output(kind: Kind) -> None:
    agent = make(
        kind, scripted("not json"), output_type=Invoice, output_mode="native", output_retries=0
    )
    with pytest.raises(OutputValidationError) as caught:
        run(agent)
    assert caught.value.errors[0].path == "$"
    assert "not valid JSON" in caught.value.errors[0].message
    assert caught.value.run_state.messages[-1]["role"] == "user"


@pytest.mark.parametrize("reason", ["refusal", "max_tokens"])
def test_a_refusal_or_cut_off_answer_ends_the_run_with_an_error(kind: Kind, reason: str) -> None:
    model = ScriptedModel([{"content": "I can't help with that.", "stop_reason": reason}])
    agent = make(kind, model, output_type=Invoice, output_mode="native")
    with pytest.raises(OutputValidationError, match=f"stopped \\({reason}\\)") as caught:
        run(agent)
    assert caught.value.run_state.stop_reason == "error"
    assert len(model.requests) == 1


# -- output validators --


def test_a_validator_can_re_ask_with_its_reason(kind: Kind) -> None:
    model = scripted(
        tool_call("final_result", {"number": "0", "items": []}),
        tool_call("final_result", {"number": "8", "items": []}),
    )
    agent: Agent[None, Invoice] = make(kind, model, output_type=Invoice)

    @agent.output_validator
    def number_positive(invoice: Invoice) -> None:
        if invoice.number == "0":
            raise RetryOutput("the invoice number cannot be 0")

    assert run(agent).output.number == "8"
    retry = requests_of(model)[1]["messages"][-1]["content"][0]
    assert retry["is_error"] is True
    assert "$: the invoice number cannot be 0" in retry["content"]


def test_a_validator_can_replace_the_output_and_see_the_context(kind: Kind) -> None:
    seen: list[Any] = []
    agent: Agent[str, Invoice] = make(
        kind,
        scripted('{"number": "a1", "items": []}'),
        output_type=Invoice,
        output_mode="native",
        deps="ACME",
    )

    @agent.output_validator
    async def upper(ctx: ToolContext[str], invoice: Invoice) -> Invoice:
        seen.append((ctx.deps, len(ctx.messages)))
        return invoice.model_copy(update={"number": f"{ctx.deps}-{invoice.number.upper()}"})

    assert run(agent).output.number == "ACME-A1"
    assert seen == [("ACME", 2)]


def test_validators_need_an_output_type_and_one_or_two_arguments() -> None:
    agent = Agent(FunctionModel(answering), model="m")
    with pytest.raises(UsageError, match="pass output_type="):
        agent.output_validator(lambda output: None)
    typed = Agent(FunctionModel(answering), model="m", output_type=int)
    with pytest.raises(UsageError, match=r"\(output\) or \(ctx, output\)"):
        typed.output_validator(lambda a, b, c: None)


# -- output with other tools --


def test_other_tool_calls_of_the_output_turn_still_run(kind: Kind) -> None:
    ran: list[str] = []

    @tool
    def record(note: str) -> str:
        """Write a note down."""
        ran.append(note)
        return "noted"

    model = scripted(
        [
            {"type": "tool_use", "name": "record", "input": {"note": "seen"}},
            {"type": "tool_use", "name": "final_result", "input": {"result": 3}},
        ],
        "and a follow-up answer",
    )
    agent = make(kind, model, tools=[record], output_type=int)
    result = run(agent)
    assert result.output == 3
    assert ran == ["seen"]
    assert [c.name for c in result.tool_calls] == ["record", "final_result"]
    results: Any = result.messages[-1]["content"]
    assert [r["content"] for r in results] == ["noted", "The output was received."]
    # the history is valid to continue
    follow = make(kind, model, tools=[record])
    assert run(follow, "thanks", messages=result.messages).output == "and a follow-up answer"


def test_with_thinking_the_tool_choice_stays_auto(kind: Kind) -> None:
    model = FunctionModel(answering)
    agent = make(
        kind,
        model,
        output_type=int,
        thinking={"type": "enabled", "budget_tokens": 1024},
        max_tokens=2048,
    )
    run(agent)
    assert requests_of(model)[0]["tool_choice"] == {"type": "auto"}


def test_a_tool_choice_of_the_users_is_kept(kind: Kind) -> None:
    model = FunctionModel(answering)
    choice = {"type": "tool", "name": "final_result"}
    run(make(kind, model, output_type=int, tool_choice=choice))
    assert requests_of(model)[0]["tool_choice"] == choice


def test_a_limit_before_the_output_leaves_it_none(kind: Kind) -> None:
    @tool
    def again() -> str:
        """Call me."""
        return "more"

    model = FunctionModel(lambda request: tool_call("again", {}))
    result = run(make(kind, model, tools=[again], output_type=int, max_turns=2))
    assert result.stop_reason == "max_turns"
    assert result.output is None


# -- streaming --


@pytest.mark.parametrize("mode", ["tool", "native"])
def test_streaming_yields_the_partial_output_then_the_validated_one(kind: Kind, mode: str) -> None:
    items = [{"name": f"item {i}", "price": i} for i in range(3)]
    data = {"number": "A-1", "items": items}
    reply: Any = json.dumps(data) if mode == "native" else tool_call("final_result", data)
    agent = make(kind, scripted(reply), output_type=Invoice, output_mode=mode)
    events = stream(agent)
    partials = [e.partial for e in events if isinstance(e, OutputChunk)]
    assert partials, "no OutputChunk events"
    assert partials[-1] == data
    assert all(isinstance(p, dict) for p in partials)
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert finished.result.output == Invoice.model_validate(data)


def test_a_wrapped_output_streams_unwrapped(kind: Kind) -> None:
    agent = make(
        kind, scripted('{"result": [1, 2, 3]}'), output_type=list[int], output_mode="native"
    )
    partials = [e.partial for e in stream(agent) if isinstance(e, OutputChunk)]
    assert partials[-1] == [1, 2, 3]


def test_tool_events_still_stream_alongside_output(kind: Kind) -> None:
    @tool
    def lookup(q: str) -> str:
        """Look something up."""
        return "found"

    model = scripted(
        tool_call("lookup", {"q": "x"}),
        tool_call("final_result", {"result": "done"}),
    )
    events = stream(make(kind, model, tools=[lookup], output_type=str))
    assert any(isinstance(e, ToolCallFinished) and e.name == "lookup" for e in events)
    assert isinstance(events[-1], RunFinished)
    assert events[-1].result.output == "done"


# -- bad configuration --


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"output_type": print}, "has no JSON Schema"),
        ({"output_type": object}, "has no JSON Schema"),
        ({"output_type": int, "output_mode": "json"}, "output_mode must be 'tool' or 'native'"),
        ({"output_type": int, "output_retries": -1}, "output_retries must be an int >= 0"),
        ({"output_type": dict[str, int], "output_mode": "native"}, "free-form mapping"),
        ({"output_typ": int}, "Did you mean 'output_type'"),
    ],
)
def test_bad_output_configuration_is_a_usage_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Agent(FunctionModel(answering), model="m", **options)


def test_a_tool_named_like_the_output_tool_is_refused() -> None:
    @tool
    def final_result(x: int) -> int:
        """Clash."""
        return x

    with pytest.raises(UsageError, match="name of its output tool"):
        Agent(FunctionModel(answering), model="m", tools=[final_result], output_type=int)


def test_free_form_mappings_work_in_tool_mode(kind: Kind) -> None:
    model = scripted(tool_call("final_result", {"a": 1, "b": 2}))
    assert run(make(kind, model, output_type=dict[str, int])).output == {"a": 1, "b": 2}
