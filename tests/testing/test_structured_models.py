"""Typed output from the offline models, through real clients.

`TestModel` answers valid output for any output type: JSON text for `output_config.format`
(native mode), a call to the output tool `final_result` (tool mode) once the other tools'
results are back. `FunctionModel` and `ScriptedModel` answer scripted output, valid or not,
with `output_call` and `output_text`.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any, cast

import anyio
import jsonschema
import pytest

from agentkit import Message, TextBlock, ToolUseBlock
from agentkit._output import WRAPPER_KEY, OutputSpec
from agentkit.testing import (
    FunctionModel,
    MockModel,
    ModelRequest,
    Reply,
    ScriptedModel,
    TestModel,
    output_call,
    output_text,
    output_value,
)
from agentkit.tools._strict import to_strict
from tests.testing.output_types import (
    OUTPUT_TYPES,
    Cat,
    Chain,
    Colour,
    Dog,
    Invoice,
    Item,
    Point,
)

MODEL = "claude-sonnet-4-5"
USER: Any = {"role": "user", "content": "Give me the output."}
WEATHER = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
INVOICE = Invoice(
    number="INV-0042",
    issued=datetime.date(2026, 3, 1),
    customer_id=uuid.UUID(int=7),
    colour=Colour.BLUE,
    items=[Item(name="tea", price=12.5)],
)


def native(spec: OutputSpec[Any]) -> Any:
    return {"format": {"type": "json_schema", "schema": spec.api_schema}}


def output_tool(spec: OutputSpec[Any], name: str = "final_result") -> dict[str, Any]:
    return {
        "name": name,
        "description": f"The final result: a {spec.name}.",
        "input_schema": spec.tool_schema(),
    }


def create(model: MockModel, messages: list[Any] | None = None, **params: Any) -> Message:
    with model.client(max_retries=0) as client:
        return cast(
            Message,
            client.messages.create(
                model=MODEL, max_tokens=1000, messages=messages or [USER], **params
            ),
        )


def stream(model: MockModel, **params: Any) -> Message:
    with model.client(max_retries=0) as client:
        with client.messages.stream(
            model=MODEL, max_tokens=1000, messages=[USER], **params
        ) as events:
            final: Message = events.get_final_message()
            return final


def answer_results(message: Message, *, is_error: bool = False) -> list[Any]:
    """The conversation after `message`, with a result for each of its tool calls."""
    results = [
        {"type": "tool_result", "tool_use_id": b.id, "content": "done", "is_error": is_error}
        for b in message.content
        if isinstance(b, ToolUseBlock)
    ]
    return [
        USER,
        {"role": "assistant", "content": message.content},
        {"role": "user", "content": results},
    ]


def only_text(message: Message) -> str:
    [block] = message.content
    assert isinstance(block, TextBlock)
    assert message.stop_reason == "end_turn"
    return block.text


def tool_calls(message: Message) -> list[tuple[str, Any]]:
    assert message.stop_reason == "tool_use"
    return [(b.name, b.input) for b in message.content if isinstance(b, ToolUseBlock)]


# --- native mode: output_config.format -------------------------------------------------------


@pytest.mark.parametrize("name", list(OUTPUT_TYPES))
def test_native_output_is_valid_for_every_kind_of_type(name: str) -> None:
    spec: OutputSpec[Any] = OutputSpec(OUTPUT_TYPES[name], structured=True)
    model = TestModel()
    text = only_text(create(model, output_config=native(spec)))
    spec.validate_json(text)
    jsonschema.validate(json.loads(text), spec.api_schema)
    assert only_text(stream(model, output_config=native(spec))) == text


def test_native_output_after_tool_results_replaces_the_summary() -> None:
    spec: OutputSpec[Any] = OutputSpec(Invoice, structured=True)
    model = TestModel()
    first = create(model, tools=[WEATHER], output_config=native(spec))
    assert tool_calls(first) == [("get_weather", {"city": "example"})]
    second = create(model, answer_results(first), tools=[WEATHER], output_config=native(spec))
    assert isinstance(spec.validate_json(only_text(second)), Invoice)


def test_native_output_honours_constraints_moved_into_descriptions() -> None:
    """`Field(ge=10, le=20)`, `min_length`, `pattern`, `multiple_of`: kept in the description."""
    spec: OutputSpec[Any] = OutputSpec(Invoice, structured=True)
    assert "minimum" not in spec.api_schema["$defs"]["Item"]["properties"]["price"]
    invoice = spec.validate_json(only_text(create(TestModel(), output_config=native(spec))))
    assert invoice.number == "INV-0000"
    assert invoice.items[0].price == 10
    assert invoice.items[0].quantity == 5
    assert len(invoice.items[0].name) >= 3


def test_recursive_output_ends() -> None:
    spec: OutputSpec[Any] = OutputSpec(Chain, structured=True)
    chain = spec.validate_json(only_text(create(TestModel(), output_config=native(spec))))
    depth = 0
    while chain is not None:
        chain, depth = chain.next, depth + 1
    assert 1 < depth < 12


def test_native_output_with_async_client() -> None:
    spec: OutputSpec[Any] = OutputSpec(list[Item], structured=True)

    async def main() -> Message:
        async with TestModel().async_client(max_retries=0) as client:
            return await client.messages.create(
                model=MODEL, max_tokens=100, messages=[USER], output_config=native(spec)
            )

    assert spec.validate_json(only_text(anyio.run(main))) == [
        Item(name="example", price=10.0, quantity=5)
    ]


def test_without_output_config_the_text_is_unchanged() -> None:
    assert only_text(create(TestModel(), output_config={"effort": "low"})) == (
        "This is TestModel's answer."
    )


# --- tool mode: the output tool final_result -------------------------------------------------


@pytest.mark.parametrize("name", list(OUTPUT_TYPES))
def test_tool_mode_calls_the_other_tools_then_the_output_tool(name: str) -> None:
    spec: OutputSpec[Any] = OutputSpec(OUTPUT_TYPES[name])
    members = spec.members()
    tools = [WEATHER, *(output_tool(m, f"final_result_{m.name}") for m in members)]
    if len(members) == 1:
        tools[1] = output_tool(spec)
    model = TestModel()
    first = create(model, tools=tools)
    assert tool_calls(first) == [("get_weather", {"city": "example"})]
    second = create(model, answer_results(first), tools=tools)
    [(called, data)] = tool_calls(second)
    assert called == tools[1]["name"]
    members[0].validate(data)


def test_tool_mode_with_a_strict_output_tool() -> None:
    """A strict output tool's schema has constraints in descriptions: still valid input."""
    spec: OutputSpec[Any] = OutputSpec(Invoice)
    tool = {**output_tool(spec), "input_schema": to_strict(spec.tool_schema()), "strict": True}
    [(_, data)] = tool_calls(create(TestModel(), tools=[tool]))
    assert isinstance(spec.validate(data), Invoice)


def test_without_other_tools_the_output_tool_is_called_at_once() -> None:
    spec: OutputSpec[Any] = OutputSpec(Point)
    [(called, data)] = tool_calls(create(TestModel(), tools=[output_tool(spec)]))
    assert (called, data) == ("final_result", {"x": 1, "y": 1})
    # call_tools=False calls no other tool, but still gives the output
    model = TestModel(call_tools=False)
    [(called, _)] = tool_calls(create(model, tools=[WEATHER, output_tool(spec)]))
    assert called == "final_result"


def test_a_forced_output_tool_is_called_first() -> None:
    cat: OutputSpec[Cat] = OutputSpec(Cat)
    dog: OutputSpec[Dog] = OutputSpec(Dog)
    tools = [WEATHER, output_tool(cat, "final_result_Cat"), output_tool(dog, "final_result_Dog")]
    choice = {"type": "tool", "name": "final_result_Dog"}
    [(called, data)] = tool_calls(create(TestModel(), tools=tools, tool_choice=choice))
    assert called == "final_result_Dog"
    assert dog.validate(data) == Dog(kind="dog", barks=1)


def test_tool_choice_none_answers_text_as_before() -> None:
    spec: OutputSpec[Any] = OutputSpec(Point)
    tools = [WEATHER, output_tool(spec)]
    model = TestModel()
    none = {"type": "none"}
    assert only_text(create(model, tools=tools, tool_choice=none)) == (
        "This is TestModel's answer."
    )
    first = create(model, tools=tools)
    summary = only_text(create(model, answer_results(first), tools=tools, tool_choice=none))
    assert summary == "Tool results: get_weather: done"


def test_parallel_tool_use_disabled_still_calls_one_other_tool_first() -> None:
    spec: OutputSpec[Any] = OutputSpec(Point)
    other = {**WEATHER, "name": "get_time"}
    tools = [WEATHER, other, output_tool(spec)]
    choice = {"type": "auto", "disable_parallel_tool_use": True}
    assert [n for n, _ in tool_calls(create(TestModel(), tools=tools, tool_choice=choice))] == [
        "get_weather"
    ]


def test_an_output_error_is_answered_with_the_output_again() -> None:
    """The re-ask of tool mode (an is_error result for final_result): output once more."""
    spec: OutputSpec[Any] = OutputSpec(Point)
    model = TestModel()
    first = create(model, tools=[output_tool(spec)])
    again = create(model, answer_results(first, is_error=True), tools=[output_tool(spec)])
    assert tool_calls(again) == tool_calls(first)


def test_output_tools_are_custom_tools_named_final_result() -> None:
    """`final_results` and `my_final_result` are ordinary tools: called with the others."""
    lookalikes = [{**WEATHER, "name": "final_results"}, {**WEATHER, "name": "my_final_result"}]
    model = TestModel()
    first = create(model, tools=lookalikes)
    assert [n for n, _ in tool_calls(first)] == ["final_results", "my_final_result"]
    assert only_text(create(model, answer_results(first), tools=lookalikes)).startswith(
        "Tool results:"
    )


# --- TestModel(output=...) -------------------------------------------------------------------


def test_a_given_output_is_used_in_both_modes() -> None:
    spec: OutputSpec[Any] = OutputSpec(Invoice, structured=True)
    model = TestModel(output=INVOICE)
    assert spec.validate_json(only_text(create(model, output_config=native(spec)))) == INVOICE
    [(_, data)] = tool_calls(create(model, tools=[output_tool(spec)]))
    assert spec.validate(data) == INVOICE


@pytest.mark.parametrize(
    "given", [[Item(name="tea", price=12)], {WRAPPER_KEY: [{"name": "tea", "price": 12}]}]
)
def test_a_given_output_is_wrapped_when_the_schema_wraps(given: Any) -> None:
    spec: OutputSpec[Any] = OutputSpec(list[Item], structured=True)
    expected = [Item(name="tea", price=12)]
    model = TestModel(output=given)
    assert spec.validate_json(only_text(create(model, output_config=native(spec)))) == expected
    [(_, data)] = tool_calls(create(model, tools=[output_tool(spec)]))
    assert spec.validate(data) == expected
    union: OutputSpec[Any] = OutputSpec(Cat | Dog, structured=True)
    text = only_text(
        create(TestModel(output=Dog(kind="dog", barks=2)), output_config=native(union))
    )
    assert union.validate_json(text) == Dog(kind="dog", barks=2)


def test_tool_inputs_still_win_for_the_output_tool() -> None:
    spec: OutputSpec[Any] = OutputSpec(Point)
    model = TestModel(output={"x": 1, "y": 2}, tool_inputs={"final_result": {"x": 3, "y": 4}})
    assert tool_calls(create(model, tools=[output_tool(spec)])) == [
        ("final_result", {"x": 3, "y": 4})
    ]


# --- scripted output: output_call, output_text -----------------------------------------------


def test_output_helpers() -> None:
    assert output_value(INVOICE)["issued"] == "2026-03-01"
    assert output_value([Item(name="tea", price=12)]) == {
        WRAPPER_KEY: [{"name": "tea", "price": 12.0, "quantity": 5}]
    }
    assert output_value(Cat(kind="cat", meows=1), wrap=True) == {
        WRAPPER_KEY: {"kind": "cat", "meows": 1}
    }
    assert output_value(3, wrap=False) == 3
    assert output_call(Point(1, 2)) == {
        "type": "tool_use",
        "name": "final_result",
        "input": {"x": 1, "y": 2},
    }
    assert output_call("spam", "final_result_x")["input"] == {WRAPPER_KEY: "spam"}
    assert json.loads(output_text(Colour.RED)) == {WRAPPER_KEY: "red"}


@pytest.mark.parametrize("streaming", [False, True])
def test_scripted_output_valid_and_invalid(streaming: bool) -> None:
    """Invalid output first (to exercise the re-ask), then valid output: as it comes back."""
    spec: OutputSpec[Any] = OutputSpec(Invoice)
    bad = {"number": "nope", "items": []}
    model = ScriptedModel([[output_call(bad)], [output_call(INVOICE)]])
    send = stream if streaming else create
    first = send(model, tools=[output_tool(spec)])
    [(_, data)] = tool_calls(first)
    assert data == bad
    with pytest.raises(Exception, match="issued"):
        spec.validate(data)
    [(_, data)] = tool_calls(
        create(model, answer_results(first, is_error=True), tools=[output_tool(spec)])
    )
    assert spec.validate(data) == INVOICE


@pytest.mark.parametrize("streaming", [False, True])
def test_scripted_native_output_with_a_stop_reason(streaming: bool) -> None:
    spec: OutputSpec[Any] = OutputSpec(Invoice, structured=True)
    text = output_text(INVOICE)
    model = ScriptedModel(
        [
            Reply(text[:20], stop_reason="max_tokens"),  # cut short: not JSON
            "not json at all",
            Reply(text, stop_reason="end_turn"),
        ]
    )
    send = stream if streaming else create
    cut = send(model, output_config=native(spec))
    assert cut.stop_reason == "max_tokens"
    with pytest.raises(Exception, match="not valid JSON"):
        spec.validate_json(cast(TextBlock, cut.content[0]).text)
    with pytest.raises(Exception, match="not valid JSON"):
        spec.validate_json(only_text(send(model, output_config=native(spec))))
    assert spec.validate_json(only_text(send(model, output_config=native(spec)))) == INVOICE


def test_a_function_model_answers_output_from_the_request() -> None:
    """A FunctionModel choosing native or tool output from what the request asks for."""

    def answer(request: ModelRequest) -> Any:
        if "output_config" in request:
            return output_text(Point(5, 6))
        return [output_call(Point(7, 8))]

    spec: OutputSpec[Any] = OutputSpec(Point, structured=True)
    model = FunctionModel(answer)
    assert spec.validate_json(only_text(create(model, output_config=native(spec)))) == Point(5, 6)
    [(_, data)] = tool_calls(create(model, tools=[output_tool(spec)]))
    assert spec.validate(data) == Point(7, 8)
