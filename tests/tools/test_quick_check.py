"""The quick input check agrees with jsonschema: it passes only input jsonschema accepts."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema
import pytest

from agentkit import Tool
from agentkit.tools._quick import quick_check

VALUES: list[Any] = [None, True, False, 0, 1, -3, 1.0, 2.5, float("nan"), "", "x", [], [1], {}]
VALUES += [{"a": 1}, (1,), 10**30]

SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
    {"properties": {"a": {"type": "number", "title": "A"}}, "required": ["a"]},
    {"type": "object", "properties": {"a": {"type": ["string", "null"]}}, "required": ["a"]},
    {"type": "object", "properties": {"a": {"type": "boolean"}}, "additionalProperties": False},
    {"type": "object", "properties": {"a": {"type": "array"}, "b": {"type": "object"}}},
    {"type": "object", "properties": {"a": {"description": "anything"}, "b": True}},
    {"type": "object", "required": ["a", "b"]},
    {"type": "object"},
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_it_never_passes_what_jsonschema_refuses(schema: dict[str, Any]) -> None:
    check = quick_check(schema)
    assert check is not None
    validator = jsonschema.Draft202012Validator(schema)
    inputs: list[dict[str, Any]] = [{}, {"c": 1}]
    inputs += [{"a": a} for a in VALUES]
    inputs += [{"a": a, "b": b} for a, b in itertools.product(VALUES, repeat=2)]
    for tool_input in inputs:
        if check(tool_input):
            assert validator.is_valid(tool_input), (schema, tool_input)
    assert any(check(tool_input) for tool_input in inputs)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "string", "format": "date"}}},
        {"type": "object", "properties": {"a": {"type": "integer", "minimum": 0}}},
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}, "$defs": {"A": {}}},
        {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}},
        {"type": "object", "properties": {"a": {"enum": [1, 2]}}},
        {"type": "object", "properties": {"a": {"type": []}}},
        {"type": "object", "properties": {"a": {"type": "date"}}},
        {"type": "object", "properties": {"a": False}},
        {"type": "object", "additionalProperties": {"type": "string"}},
        {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
        {"type": ["object"]},
    ],
)
def test_other_schemas_are_left_to_jsonschema(schema: dict[str, Any]) -> None:
    assert quick_check(schema) is None


def test_refused_input_still_gets_jsonschema_messages() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    }
    made = Tool.from_schema("add", schema, lambda a, b: a + b)
    assert made.bind({"a": 1, "b": 2.0}).kwargs == {"a": 1, "b": 2.0}  # type: ignore[union-attr]
    refused = made.bind({"a": "1", "c": 3})
    assert isinstance(refused, str)
    assert "- a: '1' is not of type 'integer'" in refused
    assert "'b' is a required property" in refused
    assert "'c' was unexpected" in refused


def test_another_dialect_is_left_to_jsonschema() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"a": {"type": "integer"}},
    }
    made = Tool.from_schema("old", schema, lambda a: a)
    assert not isinstance(made.bind({"a": 1}), str)
    assert made._quick is None
