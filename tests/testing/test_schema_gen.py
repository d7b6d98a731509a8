"""`example_for`: values valid by construction, checked against the schema by `jsonschema`.

A table of hand-written schemas (every keyword the generator knows), then hypothesis over
generated tool signatures: pydantic models of random fields, whose generated input must pass
both `jsonschema` and the tool's own (pydantic) validation.
"""

from __future__ import annotations

import datetime
import enum
import ipaddress
import itertools
import re
import types
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

import jsonschema
import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkit.testing._schema_gen import example_for
from agentkit.tools import Tool


def check(schema: dict[str, Any]) -> Any:
    """The example for `schema`, after asserting `jsonschema` accepts it."""
    value = example_for(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [e.message for e in validator.iter_errors(value)]
    assert not errors, f"{value!r} is invalid for {schema}: {errors}"
    return value


# --- a table of schemas, with the exact values expected ---------------------------------------


EXACT: list[tuple[dict[str, Any], Any]] = [
    ({"const": "fixed"}, "fixed"),
    ({"type": "string", "enum": ["b", "a"]}, "b"),
    ({"type": "integer", "default": 7}, 7),
    ({"type": "boolean"}, True),
    ({"type": "null"}, None),
    ({"type": ["null", "integer"]}, 1),
    ({"type": ["null"]}, None),
    ({"anyOf": [{"type": "null"}, {"type": "string", "format": "date"}]}, "2026-01-15"),
    ({"anyOf": [{"type": "null"}]}, None),
    ({"oneOf": [{"type": "integer", "minimum": 10}, {"type": "string"}]}, 10),
    ({"allOf": [{"type": "string", "minLength": 9}]}, "exampleee"),
    ({}, "example"),
    ({"type": "string"}, "example"),
    ({"type": "string", "minLength": 10}, "exampleeee"),
    ({"type": "string", "maxLength": 3}, "exa"),
    ({"type": "string", "pattern": r"^\d{5}$"}, "00000"),
    ({"type": "string", "pattern": r"^[A-Z]{3}-\d{2}(\.\d+)?$"}, "AAA-00"),
    ({"type": "string", "pattern": r"^(?:foo|bar)_\w+$"}, "foo_a"),
    ({"type": "string", "pattern": r"^[^a-z0-9]+$"}, "A"),
    ({"type": "string", "pattern": r"^[^\w.]$"}, "-"),
    ({"type": "string", "pattern": r"^[xy]{2}$"}, "xx"),
    ({"type": "string", "pattern": r"^[^aA0_\- .zZ9]$"}, "1"),  # no char to build: candidates
    ({"type": "string", "pattern": r"^(ab)\1$"}, "abab"),
    ({"type": "string", "pattern": r"^a.c*?x$"}, "aax"),
    ({"type": "string", "pattern": r"^\s\S\W\D$"}, " a-a"),
    ({"type": "string", "pattern": "^x*$", "minLength": 3}, "xxx"),
    ({"type": "string", "pattern": r"^\d+$", "minLength": 4}, "0000"),
    ({"type": "string", "pattern": "ampl"}, "example"),  # the default already matches
    ({"type": "string", "pattern": r"(?=.*\d)[a-z\d]{3}"}, "123"),  # lookahead: candidates
    ({"type": "integer"}, 1),
    ({"type": "integer", "minimum": 5}, 5),
    ({"type": "integer", "minimum": 2.5}, 3),
    ({"type": "integer", "exclusiveMinimum": 3}, 4),
    ({"type": "integer", "exclusiveMinimum": 3.5}, 4),
    ({"type": "integer", "minimum": 1, "exclusiveMinimum": 4}, 5),
    ({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, 6),  # draft 4
    ({"type": "integer", "maximum": -3}, -3),
    ({"type": "integer", "exclusiveMaximum": 1}, 0),
    ({"type": "integer", "maximum": 0.5}, 0),
    ({"type": "integer", "maximum": 9, "exclusiveMaximum": 4}, 1),
    ({"type": "integer", "maximum": 1, "exclusiveMaximum": 1}, 0),
    ({"type": "integer", "maximum": 0, "exclusiveMaximum": 1}, 0),
    ({"type": "integer", "maximum": 100}, 1),
    ({"type": "integer", "multipleOf": 5}, 5),
    ({"type": "integer", "minimum": -10, "multipleOf": 4}, -8),
    ({"type": "integer", "maximum": -3, "multipleOf": 5}, -5),
    ({"type": "number"}, 1.0),
    ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, 0.5),
    ({"type": "number", "exclusiveMinimum": 0, "maximum": 0.2}, 0.1),
    ({"type": "number", "exclusiveMinimum": 2.5}, 3.5),
    ({"type": "number", "minimum": 0.25}, 0.25),
    ({"type": "number", "exclusiveMaximum": -1}, -2.0),
    ({"type": "number", "maximum": 0.75}, 0.75),
    ({"type": "number", "minimum": 0.3, "multipleOf": 0.25}, 0.5),
    ({"type": "array", "items": {"type": "integer"}}, [1]),
    ({"type": "array", "items": {"type": "string"}, "minItems": 3}, ["example"] * 3),
    ({"type": "array", "items": {"type": "string"}, "maxItems": 0}, []),
    (
        {"type": "array", "items": {"type": "integer"}, "minItems": 3, "uniqueItems": True},
        [1, 2, 3],
    ),
    (
        {"type": "array", "items": {"type": "string"}, "minItems": 2, "uniqueItems": True},
        ["example0", "example1"],
    ),
    (
        {"type": "array", "items": {"enum": ["x", "y", "z"]}, "minItems": 2, "uniqueItems": True},
        ["x", "y"],
    ),
    ({"type": "array", "items": {"type": "integer"}, "uniqueItems": True}, [1]),
    ({"type": "array"}, ["example"]),
    (
        {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]},
        [1, "example"],
    ),
    ({"properties": {"a": {"type": "integer"}}}, {"a": 1}),
    ({"type": "object"}, {}),
    ({"type": "object", "properties": {"a": {"type": "boolean"}}}, {"a": True}),
]


@pytest.mark.parametrize(("schema", "expected"), EXACT, ids=[str(s) for s, _ in EXACT])
def test_exact_examples(schema: dict[str, Any], expected: Any) -> None:
    value = check(schema)
    assert value == expected
    assert type(value) is type(expected)


def test_patterns_the_generator_cannot_build_fall_back() -> None:
    # a reference to a group the shortest text skips: the candidates have one
    assert check({"type": "string", "pattern": r"(a)?\1|abc"}) == "abc"
    # the built text ("11") does not match: a candidate does
    assert check({"type": "string", "pattern": r"^(1\b1|a)$"}) == "a"
    # nothing fits: the value is left (best effort)
    assert example_for({"type": "string", "pattern": r"(?=q)\d"}) == "example"


def test_an_invalid_pattern_is_ignored() -> None:
    assert example_for({"type": "string", "pattern": "[invalid"}) == "example"


FORMATS: dict[str, Callable[[str], object]] = {
    "date": datetime.date.fromisoformat,
    "date-time": lambda v: datetime.datetime.fromisoformat(v.replace("Z", "+00:00")),
    "time": datetime.time.fromisoformat,
    "uuid": uuid.UUID,
    "ipv4": ipaddress.IPv4Address,
    "ipv6": ipaddress.IPv6Address,
    "email": lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", v) or 1 / 0,
    "uri": lambda v: urllib.parse.urlsplit(v).scheme or 1 / 0,
    "hostname": lambda v: re.fullmatch(r"[a-z0-9.-]+\.[a-z]+", v) or 1 / 0,
    "duration": lambda v: re.fullmatch(r"P(T\d+[HMS])+", v) or 1 / 0,
    "path": lambda v: v.startswith("/") or 1 / 0,
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_formats(name: str) -> None:
    value = check({"type": "string", "format": name})
    FORMATS[name](value)  # parses, by an independent parser
    pattern_too = check({"type": "string", "format": name, "pattern": "^[0-9a-z]"})
    assert re.match("^[0-9a-z]", pattern_too)


def test_refs_and_defs() -> None:
    schema = {
        "type": "object",
        "properties": {
            "owner": {"$ref": "#/$defs/Person"},
            "pets": {"type": "array", "items": {"$ref": "#/$defs/Pet"}},
            "legacy": {"$ref": "#/definitions/Legacy"},
            "escaped": {"$ref": "#/$defs/a~1b~0c"},
            "colors": {
                "type": "array",
                "items": {"$ref": "#/$defs/Color"},
                "minItems": 2,
                "uniqueItems": True,
            },
        },
        "required": ["owner", "pets", "legacy", "escaped", "colors"],
        "$defs": {
            "Person": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "nick": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
                },
                "required": ["name"],
            },
            "Pet": {"type": "object", "properties": {"kind": {"enum": ["cat", "dog"]}}},
            "a/b~c": {"type": "integer", "minimum": 3},
            "Color": {"type": "string", "enum": ["red", "green", "blue"]},
        },
        "definitions": {"Legacy": {"const": 42}},
    }
    value = check(schema)
    assert value == {
        "owner": {"name": "example", "nick": None},
        "pets": [{"kind": "cat"}],
        "legacy": 42,
        "escaped": 3,
        "colors": ["red", "green"],
    }


def test_recursive_schemas_end() -> None:
    tree = {
        "type": "object",
        "properties": {
            "label": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#"}},
        },
        "required": ["label", "children"],
    }
    value = check(tree)
    depth = 0
    node = value
    while node["children"]:
        node = node["children"][0]
        depth += 1
    assert node == {"label": "example", "children": []}
    assert 1 <= depth <= 8

    # only local references are followed (jsonschema would fetch this one)
    assert example_for({"$ref": "https://example.com/schema.json"}) is None
    loop = {"$defs": {"A": {"$ref": "#/$defs/A"}}, "$ref": "#/$defs/A"}
    assert example_for(loop) is None  # gives up past the depth limit


def test_not_a_schema() -> None:
    assert example_for(None) is None
    assert example_for(True) is None
    assert example_for({"type": "object", "properties": {"a": "junk"}}) == {"a": None}


# --- hypothesis over generated tool signatures -----------------------------------------------


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 5


PATTERNS = [
    r"^\d{3}-\d{4}$",
    r"^[A-Z][a-z]+$",
    r"^(foo|bar)_\w+$",
    r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    r"^#[0-9a-fA-F]{6}$",
    r"^v\d+\.\d+\.\d+(-[a-z]+)?$",
]

_names = itertools.count()


def leaf_types() -> st.SearchStrategy[Any]:
    plain = st.sampled_from(
        [
            int,
            str,
            float,
            bool,
            datetime.date,
            datetime.datetime,
            datetime.time,
            uuid.UUID,
            Color,
            Level,
            Literal["a", "b"],
            Literal[3, 4],
        ]
    )
    low = st.integers(-100, 100)
    width = st.integers(0, 50)
    ints = st.builds(
        lambda lo, w, kind: {
            "ge": Annotated[int, pydantic.Field(ge=lo, le=lo + w)],
            "gt": Annotated[int, pydantic.Field(gt=lo, lt=lo + w + 2)],
            "le": Annotated[int, pydantic.Field(le=lo)],
            "lt": Annotated[int, pydantic.Field(lt=lo)],
            "multiple": Annotated[
                int, pydantic.Field(ge=lo, le=lo + 2 * (w + 1), multiple_of=w + 1)
            ],
        }[kind],
        low,
        width,
        st.sampled_from(["ge", "gt", "le", "lt", "multiple"]),
    )
    floats = st.builds(
        lambda lo, w: Annotated[float, pydantic.Field(gt=lo, lt=lo + w + 0.5)], low, width
    )
    strings = st.one_of(
        st.builds(
            lambda lo, w: Annotated[str, pydantic.Field(min_length=lo, max_length=lo + w)],
            st.integers(0, 20),
            width,
        ),
        st.builds(lambda p: Annotated[str, pydantic.Field(pattern=p)], st.sampled_from(PATTERNS)),
    )
    return st.one_of(plain, ints, floats, strings)


def model_of(field_types: list[Any], optional: list[bool]) -> type[pydantic.BaseModel]:
    fields: dict[str, Any] = {}
    for i, (kind, with_default) in enumerate(zip(field_types, optional, strict=False)):
        fields[f"f{i}"] = (kind | None, None) if with_default else (kind, ...)
    return pydantic.create_model(f"Generated{next(_names)}", **fields)


def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        children.map(lambda t: list[t]),  # type: ignore[valid-type]
        st.builds(
            lambda t, n: Annotated[list[t], pydantic.Field(min_length=n)],  # type: ignore[valid-type]
            children,
            st.integers(0, 3),
        ),
        children.map(lambda t: t | None),
        st.tuples(children, children).map(lambda p: types.GenericAlias(tuple, p)),
        children.map(lambda t: dict[str, t]),  # type: ignore[valid-type]
        st.lists(children, min_size=1, max_size=3).flatmap(
            lambda kinds: st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)).map(
                lambda optional: model_of(kinds, optional)
            )
        ),
        st.just(Annotated[set[int], pydantic.Field(min_length=3)]),
    )


SIGNATURES = st.lists(
    st.recursive(leaf_types(), extend, max_leaves=6), min_size=1, max_size=5
).flatmap(
    lambda kinds: st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)).map(
        lambda optional: model_of(kinds, optional)
    )
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SIGNATURES)
def test_generated_tool_signatures(model: type[pydantic.BaseModel]) -> None:
    tool = Tool.from_model(model, lambda args: args, name="generated")
    schema = dict(tool.to_param()["input_schema"])
    value = check(schema)
    assert isinstance(value, dict)
    bound = tool.bind(value)
    assert not isinstance(bound, str), bound  # the tool's own validation accepts it
    model.model_validate(value)


# --- composed, recursive and strict schemas ------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [
        {
            "allOf": [{"$ref": "#/$defs/A"}, {"type": "object", "properties": {"b": {"const": 2}}}],
            "$defs": {
                "A": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
            },
        },
        {"type": "object", "required": ["free"], "additionalProperties": {"type": "integer"}},
        {"type": "object", "properties": {"n": {"$ref": "#"}}, "required": []},
        {
            "$ref": "#/$defs/T",
            "$defs": {
                "T": {
                    "type": "object",
                    "properties": {
                        "kids": {"type": "array", "items": {"$ref": "#/$defs/T"}, "minItems": 1},
                        "up": {"anyOf": [{"$ref": "#/$defs/T"}, {"type": "null"}]},
                    },
                    "required": ["up"],
                }
            },
        },
    ],
)
def test_composed_and_recursive_schemas(schema: dict[str, Any]) -> None:
    check(schema)


def test_all_of_merges_the_objects() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "integer"}}},
            {"type": "object", "properties": {"b": {"const": 2}}},
        ]
    }
    assert check(schema) == {"a": 1, "b": 2}


def test_recursion_ends_with_required_properties_and_null() -> None:
    node = {
        "type": "object",
        "properties": {
            "label": {"type": "string"},
            "extra": {"type": "string"},
            "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
        },
        "required": ["label", "next"],
    }
    value = check(node)
    depth = 0
    while value["next"] is not None:
        assert "extra" in value  # shallow: every property
        value, depth = value["next"], depth + 1
    assert value == {"label": "example", "next": None}  # deep: required ones, null
    assert depth < 12


def test_constraints_moved_into_descriptions_are_honoured() -> None:
    original = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 10, "multipleOf": 4},
            "s": {"type": "string", "pattern": "^[a-z]+-\\d$", "description": "A code."},
        },
        "required": ["n", "s"],
    }
    strict = Tool.from_schema("t", original, dict, strict=True).input_schema
    assert "minimum" not in strict["properties"]["n"]
    value = example_for(strict)
    assert value == {"n": 12, "s": "a-0"}
    jsonschema.validate(value, original)
