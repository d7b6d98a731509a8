"""Calling a tool with the model's input: validation errors the model can act on, JSON
strings where objects or arrays were expected, and pydantic conversion into Python values."""

import enum
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

import pydantic
import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from agentkit import Tool, Toolbox, tool
from agentkit.tools._tool import BoundCall

HEADER = "Invalid input for tool 'weather'; the tool was not run.\n"
FOOTER = "\nFix the input and call the tool again."


class Unit(enum.Enum):
    CELSIUS = "c"
    FAHRENHEIT = "f"


class Line(BaseModel):
    sku: str
    qty: int = Field(default=1, ge=1)


class Dims(TypedDict):
    width: int
    height: int


@dataclass
class Point:
    x: int
    y: int = 0


class Calls:
    """Counts the calls of the tools below."""

    count = 0


@tool
def weather(city: str, unit: Literal["c", "f"] = "c") -> str:
    """Weather for a city."""
    Calls.count += 1
    return f"{city}:{unit}"


@tool
def order(lines: list[Line], note: str = "", gift: bool = False) -> int:
    Calls.count += 1
    return len(lines)


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    Calls.count = 0


def problems(result: object) -> list[str]:
    """The problem lines of an invalid-input message."""
    assert isinstance(result, str), result
    return [line[2:] for line in result.splitlines() if line.startswith("- ")]


# --- invalid input ---------------------------------------------------------------------------


def test_value_not_in_enum() -> None:
    result = weather.bind({"city": "Paris", "unit": "kelvin"})
    assert result == HEADER + "- unit: 'kelvin' is not one of ['c', 'f']" + FOOTER


def test_missing_required_property() -> None:
    assert problems(weather.bind({})) == ["(input): 'city' is a required property"]


def test_additional_property() -> None:
    assert problems(weather.bind({"city": "Paris", "country": "FR"})) == [
        "(input): Additional properties are not allowed ('country' was unexpected)"
    ]


def test_wrong_type() -> None:
    assert problems(weather.bind({"city": 42})) == ["city: 42 is not of type 'string'"]


@pytest.mark.parametrize(
    ("tool_input", "kind"),
    [
        ([{"city": "Paris"}], "an array"),
        ("Paris", "a string"),
        (None, "null"),
        (42, "int"),
        (1.5, "float"),
        (True, "bool"),
    ],
)
def test_wrong_top_level_type(tool_input: object, kind: str) -> None:
    assert problems(weather.bind(tool_input)) == [f"(input): expected a JSON object, got {kind}"]


def test_every_problem_is_listed() -> None:
    result = weather.bind({"city": 3, "unit": "k", "zzz": 1, "yyy": 2})
    assert problems(result) == [
        "(input): Additional properties are not allowed ('yyy', 'zzz' were unexpected)",
        "city: 3 is not of type 'string'",
        "unit: 'k' is not one of ['c', 'f']",
    ]


def test_nested_paths() -> None:
    result = order.bind(
        {"lines": [{"sku": "a", "qty": 0}, {"qty": "x"}, {"sku": "c", "qty": 2}], "gift": "yes"}
    )
    assert problems(result) == [
        "gift: 'yes' is not of type 'boolean'",
        "lines[0].qty: 0 is less than the minimum of 1",
        "lines[1]: 'sku' is a required property",
        "lines[1].qty: 'x' is not of type 'integer'",
    ]
    assert isinstance(result, str)
    assert result.startswith("Invalid input for tool 'order'; the tool was not run.\n")


def test_deep_paths_in_models() -> None:
    class Inner(BaseModel):
        value: int

    class Outer(BaseModel):
        inners: dict[str, list[Inner]]

    def deep(outer: Outer) -> None:
        return None

    result = tool(deep).bind({"outer": {"inners": {"k": [{"value": 1}, {"value": "no"}]}}})
    assert problems(result) == ["outer.inners.k[1].value: 'no' is not of type 'integer'"]


def test_long_messages_are_shortened() -> None:
    values = tuple(f"value-number-{i:03d}" for i in range(40))

    def pick(choice: str) -> str:
        return choice

    made = Tool.from_schema(
        "pick",
        {"type": "object", "properties": {"choice": {"enum": list(values)}}},
        pick,
    )
    (line,) = problems(made.bind({"choice": "zzz"}))
    assert line.startswith("choice: 'zzz' is not one of ['value-number-000', ")
    assert line.endswith("...")
    assert len(line) == len("choice: ") + 300 + 3


def test_pydantic_only_problems_are_reported_too() -> None:
    # jsonschema does not check "date-time" without extra packages; pydantic does
    def when(at: datetime) -> str:
        return at.isoformat()

    assert problems(tool(when).bind({"at": "tomorrow"})) == [
        "at: Input should be a valid datetime or date, input is too short"
    ]


def test_validators_of_nested_models_are_reported_with_their_path() -> None:
    class Query(BaseModel):
        text: str

        @pydantic.field_validator("text")
        @classmethod
        def not_blank(cls, value: str) -> str:
            if not value.strip():
                raise ValueError("must not be blank")
            return value

    def search(query: Query, limit: int = 5) -> str:
        return query.text

    assert problems(tool(search).bind({"query": {"text": "  "}})) == [
        "query.text: Value error, must not be blank"
    ]


@pytest.mark.parametrize(
    "tool_input",
    [
        {"city": "Paris", "unit": "kelvin"},
        {},
        {"city": "Paris", "extra": True},
        ["Paris"],
        {"city": None},
    ],
)
def test_the_function_is_not_called_on_invalid_input(tool_input: Any) -> None:
    box = Toolbox([weather])
    result = box.run({"type": "tool_use", "id": "toolu_1", "name": "weather", "input": tool_input})
    assert Calls.count == 0
    assert result["is_error"] is True
    assert result["tool_use_id"] == "toolu_1"
    content = result["content"]
    assert isinstance(content, str)
    assert "the tool was not run" in content.lower()
    # a valid call does run
    box.run({"type": "tool_use", "id": "toolu_2", "name": "weather", "input": {"city": "Oslo"}})
    assert Calls.count == 1


def test_the_function_is_not_called_when_pydantic_refuses() -> None:
    calls: list[Any] = []

    def when(at: datetime) -> None:
        calls.append(at)

    result = Toolbox([when]).run({"id": "t", "name": "when", "input": {"at": "nope"}})
    assert result["is_error"] is True
    assert calls == []


# --- JSON strings for objects and arrays ---------------------------------------------------


def test_a_model_parameter_accepts_a_json_string() -> None:
    def add_line(line: Line, note: str = "") -> str:
        return line.sku

    bound = tool(add_line).bind({"line": '{"sku": "A1", "qty": 2}', "note": '{"a": 1}'})
    assert isinstance(bound, BoundCall)
    assert bound.kwargs == {"line": Line(sku="A1", qty=2), "note": '{"a": 1}'}
    assert isinstance(bound.kwargs["line"], Line)


def test_a_list_parameter_accepts_a_json_string() -> None:
    bound = order.bind({"lines": '[{"sku": "a", "qty": 1}, {"sku": "b", "qty": 3}]'})
    assert isinstance(bound, BoundCall)
    assert bound.kwargs == {"lines": [Line(sku="a", qty=1), Line(sku="b", qty=3)]}


def test_optional_dict_and_typeddict_accept_json_strings() -> None:
    def resize(dims: Dims, meta: dict[str, int] | None = None) -> None:
        return None

    bound = tool(resize).bind({"dims": '{"width": 2, "height": 3}', "meta": '{"a": 1}'})
    assert isinstance(bound, BoundCall)
    assert bound.kwargs == {"dims": {"width": 2, "height": 3}, "meta": {"a": 1}}


def test_a_decoded_string_is_still_validated() -> None:
    assert problems(order.bind({"lines": '[{"sku": "a", "qty": 0}]'})) == [
        "lines[0].qty: 0 is less than the minimum of 1"
    ]

    # decodes to an array where an object is expected: reported as the decoded value
    def add_line(line: Line) -> None:
        return None

    assert problems(tool(add_line).bind({"line": "[1, 2]"})) == [
        "line: [1, 2] is not of type 'object'"
    ]


@pytest.mark.parametrize("text", ['[{"sku": "a"', "5", '"text"', "null", "not json"])
def test_strings_that_are_not_an_object_or_array_are_left_alone(text: str) -> None:
    assert problems(order.bind({"lines": text})) == [f"lines: {text!r} is not of type 'array'"]


def test_plain_string_parameters_are_never_decoded() -> None:
    def note(text: str, extra: str | dict[str, Any] = "") -> tuple[str, Any]:
        return text, extra

    bound = tool(note).bind({"text": '{"a": 1}', "extra": "[1, 2]"})
    assert isinstance(bound, BoundCall)
    assert bound.kwargs == {"text": '{"a": 1}', "extra": "[1, 2]"}
    assert weather.bind({"city": '["Paris"]'}) == BoundCall(args=(), kwargs={"city": '["Paris"]'})


def test_enum_parameters_are_not_decoded() -> None:
    def pick(unit: Unit) -> str:
        return unit.value

    assert problems(tool(pick).bind({"unit": '{"a": 1}'})) == [
        "unit: '{\"a\": 1}' is not one of ['c', 'f']"
    ]


def test_hand_written_schemas_decode_json_strings_too() -> None:
    schema = {
        "type": "object",
        "properties": {"filters": {"type": "object"}, "name": {"type": "string"}},
    }
    made = Tool.from_schema("find", schema, dict)
    bound = made.bind({"filters": '{"x": 1}', "name": '{"y": 2}', "unknown": "[]"})
    assert bound == BoundCall(
        args=(), kwargs={"filters": {"x": 1}, "name": '{"y": 2}', "unknown": "[]"}
    )


def test_a_very_deep_ref_chain_is_not_followed() -> None:
    defs: dict[str, Any] = {f"A{i}": {"$ref": f"#/$defs/A{i + 1}"} for i in range(12)}
    defs["A12"] = {"type": "object"}
    schema = {"type": "object", "properties": {"x": {"$ref": "#/$defs/A0"}}, "$defs": defs}
    made = Tool.from_schema("deep", schema, dict)
    # too deep to know an object is expected: the string is passed to validation unchanged
    assert problems(made.bind({"x": "{}"})) == ["x: '{}' is not of type 'object'"]
    short = {"type": "object", "properties": {"x": {"$ref": "#/$defs/A11"}}, "$defs": defs}
    assert Tool.from_schema("short", short, dict).bind({"x": "{}"}) == BoundCall(
        args=(), kwargs={"x": {}}
    )


# --- pydantic conversion ---------------------------------------------------------------------


def test_values_arrive_as_the_annotated_python_types() -> None:
    def everything(
        line: Line,
        unit: Unit,
        day: date,
        at: datetime,
        ident: UUID,
        ids: set[int],
        pair: tuple[int, str],
        path: Path,
        point: Point,
        dims: Dims,
        ratio: float,
        maybe: Line | None = None,
    ) -> None:
        return None

    bound = tool(everything).bind(
        {
            "line": {"sku": "x"},
            "unit": "f",
            "day": "2024-02-29",
            "at": "2024-02-29T12:30:00Z",
            "ident": "12345678-1234-5678-1234-567812345678",
            "ids": [3, 1, 2],
            "pair": [1, "a"],
            "path": "/tmp/out.txt",
            "point": {"x": 2},
            "dims": {"width": 1, "height": 2},
            "ratio": 2,
        }
    )
    assert isinstance(bound, BoundCall)
    assert bound.args == ()
    kwargs = bound.kwargs
    assert kwargs == {
        "line": Line(sku="x", qty=1),
        "unit": Unit.FAHRENHEIT,
        "day": date(2024, 2, 29),
        "at": datetime(2024, 2, 29, 12, 30, tzinfo=timezone.utc),
        "ident": UUID("12345678-1234-5678-1234-567812345678"),
        "ids": {1, 2, 3},
        "pair": (1, "a"),
        "path": Path("/tmp/out.txt"),
        "point": Point(2, 0),
        "dims": {"width": 1, "height": 2},
        "ratio": 2.0,
    }
    assert type(kwargs["line"]) is Line
    assert kwargs["unit"] is Unit.FAHRENHEIT
    assert type(kwargs["day"]) is date
    assert type(kwargs["ident"]) is UUID
    assert type(kwargs["ids"]) is set
    assert type(kwargs["pair"]) is tuple
    assert type(kwargs["point"]) is Point
    assert type(kwargs["ratio"]) is float


def test_the_function_receives_converted_values() -> None:
    seen: list[Any] = []

    def record(line: Line, unit: Unit, day: date, ids: set[int]) -> str:
        seen.extend([line, unit, day, ids])
        return "ok"

    result = Toolbox([record]).run(
        {
            "id": "t1",
            "name": "record",
            "input": {"line": '{"sku": "z"}', "unit": "c", "day": "2020-01-02", "ids": [1]},
        }
    )
    assert result == {"type": "tool_result", "tool_use_id": "t1", "content": "ok"}
    assert seen == [Line(sku="z"), Unit.CELSIUS, date(2020, 1, 2), {1}]


def test_omitted_parameters_use_the_function_defaults() -> None:
    assert weather.bind({"city": "Paris"}) == BoundCall(args=(), kwargs={"city": "Paris"})
    assert weather.bind({"city": "Paris", "unit": "f"}) == BoundCall(
        args=(), kwargs={"city": "Paris", "unit": "f"}
    )


def test_keyword_only_parameters_are_passed_by_keyword() -> None:
    def search(query: str, *, limit: int = 10, exact: bool) -> str:
        return f"{query}/{limit}/{exact}"

    made = tool(search)
    bound = made.bind({"exact": True, "query": "q"})
    assert bound == BoundCall(args=(), kwargs={"query": "q", "exact": True})
    assert (
        Toolbox([made]).run({"id": "t", "name": "search", "input": {"query": "q", "exact": False}})[
            "content"
        ]
        == "q/10/False"
    )


def _positional(a: int, b: int = 2, /, c: int = 3) -> str:
    return f"{a} {b} {c}"


def _all_defaults(a: int = 1, b: int = 2, /) -> str:
    return f"{a} {b}"


@pytest.mark.parametrize(
    ("fn", "tool_input", "args", "kwargs", "content"),
    [
        (_positional, {"a": 1}, (1,), {}, "1 2 3"),
        (_positional, {"a": 1, "c": 9}, (1,), {"c": 9}, "1 2 9"),
        (_positional, {"b": 7, "a": 1}, (1, 7), {}, "1 7 3"),
        (_positional, {"a": 1, "b": 7, "c": 9}, (1, 7), {"c": 9}, "1 7 9"),
        (_all_defaults, {}, (), {}, "1 2"),
        (_all_defaults, {"b": 5}, (1, 5), {}, "1 5"),
        (_all_defaults, {"a": 4}, (4,), {}, "4 2"),
    ],
)
def test_positional_only_parameters(
    fn: Any, tool_input: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any], content: str
) -> None:
    made = tool(fn)
    assert made.bind(tool_input) == BoundCall(args=args, kwargs=kwargs)
    result = Toolbox([made]).run({"id": "t", "name": fn.__name__, "input": tool_input})
    assert result == {"type": "tool_result", "tool_use_id": "t", "content": content}


def test_annotated_constraints_are_checked() -> None:
    def page(
        number: Annotated[int, Field(ge=1, le=10)], code: Annotated[str, Field(pattern="^[a-z]+$")]
    ) -> None:
        return None

    assert problems(tool(page).bind({"number": 11, "code": "ABC"})) == [
        "code: 'ABC' does not match '^[a-z]+$'",
        "number: 11 is greater than the maximum of 10",
    ]
