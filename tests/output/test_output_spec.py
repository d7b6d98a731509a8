"""`OutputSpec`: a Python type's schemas (full, and the API's structured-output subset) and the
validation of the model's JSON back into the type."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from agentkit import InvalidArgumentTypeError, OutputProblem, OutputValidationError, UsageError
from agentkit._output import WRAPPER_KEY, OutputSpec, json_path
from tests.testing.output_types import Cat, Dog, Movie, Point


class Item(BaseModel):
    """An invoice line.

    Args:
        name: What was sold.
    """

    name: str
    price: float = Field(ge=0)


class Invoice(BaseModel):
    number: str
    items: list[Item]


class Node(BaseModel):
    value: int
    children: list[Node] = []


def closed_everywhere(schema: Any) -> bool:
    """Every object schema in `schema` has additionalProperties: false."""
    if isinstance(schema, list):
        return all(closed_everywhere(s) for s in schema)
    if not isinstance(schema, dict):
        return True
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        return False
    return all(closed_everywhere(v) for k, v in schema.items() if k != "enum")


@pytest.mark.parametrize(
    ("output_type", "data", "expected"),
    [
        (Invoice, {"number": "A1", "items": [{"name": "tea", "price": 2}]}, None),
        (Node, {"value": 1, "children": [{"value": 2}]}, Node(value=1, children=[Node(value=2)])),
        (Point, {"x": 1, "y": 2}, Point(1, 2)),
        (Movie, {"title": "Up", "year": 2009}, {"title": "Up", "year": 2009}),
        (list[Item], {WRAPPER_KEY: [{"name": "a", "price": 1}]}, [Item(name="a", price=1)]),
        (Literal["spam", "ham"], {WRAPPER_KEY: "ham"}, "ham"),
        (Cat | Dog, {WRAPPER_KEY: {"kind": "dog", "barks": 3}}, Dog(kind="dog", barks=3)),
        (int, {WRAPPER_KEY: 7}, 7),
        (str, {WRAPPER_KEY: "x"}, "x"),
    ],
)
def test_every_kind_of_type_round_trips(output_type: Any, data: Any, expected: Any) -> None:
    spec: OutputSpec[Any] = OutputSpec(output_type, structured=True)
    assert spec.api_schema["type"] == "object"
    assert closed_everywhere(spec.api_schema)
    assert spec.wrapped == (WRAPPER_KEY in data and output_type not in (Invoice,))
    value = spec.validate(data)
    if expected is None:
        assert isinstance(value, output_type)
    else:
        assert value == expected


def test_unsupported_keywords_move_into_descriptions_and_are_still_enforced() -> None:
    spec: OutputSpec[Any] = OutputSpec(Invoice)
    item = spec.api_schema["$defs"]["Item"]
    assert "minimum" not in item["properties"]["price"]
    assert "minimum=0" in item["properties"]["price"]["description"]
    assert item["description"] == "An invoice line."  # the docstring without its Args section
    with pytest.raises(OutputValidationError) as caught:
        spec.validate({"number": "A1", "items": [{"name": "tea", "price": -1}]})
    assert caught.value.errors == [
        OutputProblem("$.items[0].price", "Input should be greater than or equal to 0")
    ]


def test_every_problem_comes_with_its_json_path() -> None:
    with pytest.raises(OutputValidationError) as caught:
        OutputSpec(Invoice).validate({"number": 5, "items": [{"price": "x"}]}, message="m")
    error = caught.value
    assert [p.path for p in error.errors] == ["$.number", "$.items[0].name", "$.items[0].price"]
    assert error.message == "m"
    assert error.output == {"number": 5, "items": [{"price": "x"}]}
    assert "$.items[0].name: Field required" in str(error)


def test_json_text_that_is_not_json_is_one_problem_at_the_root() -> None:
    with pytest.raises(OutputValidationError) as caught:
        OutputSpec(Invoice).validate_json("{not json")
    assert caught.value.errors[0].path == "$"
    assert "not valid JSON" in caught.value.errors[0].message
    assert caught.value.output == "{not json"


def test_a_wrapped_type_needs_its_wrapper() -> None:
    with pytest.raises(OutputValidationError, match="'result' property"):
        OutputSpec(list[int]).validate([1, 2])


def test_recursive_models_keep_their_defs() -> None:
    spec: OutputSpec[Any] = OutputSpec(Node)
    assert not spec.wrapped
    assert spec.api_schema["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert "Node" in spec.api_schema["$defs"]


def test_a_union_of_models_has_one_member_per_model() -> None:
    assert [m.name for m in OutputSpec(Cat | Dog).members()] == ["Cat", "Dog"]
    assert [m.name for m in OutputSpec(Invoice).members()] == ["Invoice"]
    assert [m.name for m in OutputSpec(int | str).members()] == ["int | str"]


@pytest.mark.parametrize("bad", [object, Any, print, lambda x: x])
def test_types_without_a_schema_are_usage_errors(bad: Any) -> None:
    with pytest.raises(UsageError, match="has no JSON Schema"):
        OutputSpec(bad)


def test_a_class_pydantic_cannot_describe_is_named() -> None:
    class Opaque:
        pass

    with pytest.raises(UsageError, match="output type .*Opaque has no JSON Schema"):
        OutputSpec(Opaque)


@pytest.mark.parametrize("bad", ["Invoice", {"type": "object"}])
def test_a_string_or_schema_is_a_type_error_as_in_the_sdk(bad: Any) -> None:
    with pytest.raises(TypeError, match="must be a type"):
        OutputSpec(bad)
    with pytest.raises(InvalidArgumentTypeError):
        OutputSpec(bad)


def test_free_form_mappings_cannot_be_structured_output() -> None:
    spec: OutputSpec[Any] = OutputSpec(dict[str, int])  # fine as a tool input
    assert spec.tool_schema()["additionalProperties"] == {"type": "integer"}
    with pytest.raises(UsageError, match="free-form mapping"):
        OutputSpec(dict[str, int], structured=True)


def test_json_paths() -> None:
    assert json_path(("items", 0, "price")) == "$.items[0].price"
    assert json_path(()) == "$"


def test_a_schema_outside_the_api_subset_is_refused_at_construction() -> None:
    from typing import Annotated

    from pydantic import WithJsonSchema

    odd = Annotated[list[int], WithJsonSchema({"enum": [[1, 2]]})]
    OutputSpec(odd)  # a tool input may have it
    with pytest.raises(UsageError, match=r"schema\.properties\.result\.enum: enum values must"):
        OutputSpec(odd, structured=True)
