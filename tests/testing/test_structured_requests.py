"""Structured-output requests: `output_config` and strict tools are checked like the API does.

A schema outside the structured-output subset (an open object, an unsupported keyword, a
`minItems` above 1, an unknown format, a `$ref` that goes nowhere) is a 400 with the API's
wording; every schema `OutputSpec` and strict tools produce is accepted.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from agentkit import BadRequestError
from agentkit._output import OutputSpec
from agentkit.testing import EchoModel, check_request
from agentkit.testing._protocol import EFFORTS, check_count_tokens
from agentkit.tools import Tool, ToolDefinitionWarning
from agentkit.tools._strict import moved_constraints, to_strict
from agentkit.tools._structured import schema_problem
from tests.testing.output_types import OUTPUT_TYPES

HEADERS = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01"}
BASIC: dict[str, Any] = {
    "model": "m",
    "max_tokens": 10,
    "messages": [{"role": "user", "content": "Hi"}],
}
WHERE = "output_config.format.schema"

GOOD: dict[str, Any] = {
    "type": "object",
    "title": "Answer",
    "description": "The answer.",
    "properties": {
        "name": {"type": "string", "title": "Name", "default": "x", "format": "email"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "kind": {"enum": ["a", "b", None, 3]},
        "fixed": {"const": "yes"},
        "either": {"anyOf": [{"$ref": "#/$defs/Inner"}, {"type": "null"}]},
        "both": {"allOf": [{"$ref": "#/definitions/Old"}]},
        "many": {"type": ["string", "null"]},
    },
    "required": ["name"],
    "additionalProperties": False,
    "$defs": {
        "Inner": {
            "type": "object",
            "properties": {"next": {"$ref": "#/$defs/Inner"}},
            "additionalProperties": False,
        }
    },
    "definitions": {"Old": {"type": "integer"}},
}


def body_with(schema: Any, **config: Any) -> dict[str, Any]:
    return {
        **BASIC,
        "output_config": {"format": {"type": "json_schema", "schema": schema}, **config},
    }


def problem_of(body: dict[str, Any]) -> str | None:
    problem = check_request(body, HEADERS)
    return None if problem is None else problem.message


def test_a_schema_in_the_subset_is_accepted() -> None:
    assert problem_of(body_with(GOOD)) is None
    assert problem_of(body_with(GOOD, effort="low")) is None


@pytest.mark.parametrize("name", list(OUTPUT_TYPES))
def test_every_output_spec_schema_is_accepted(name: str) -> None:
    spec: OutputSpec[Any] = OutputSpec(OUTPUT_TYPES[name], structured=True)
    assert problem_of(body_with(spec.api_schema)) is None
    assert (
        check_count_tokens(
            {k: v for k, v in body_with(spec.api_schema).items() if k != "max_tokens"}, HEADERS
        )
        is None
    )


@pytest.mark.parametrize("name", list(OUTPUT_TYPES))
def test_every_strict_output_tool_is_accepted(name: str) -> None:
    """A strict tool's input schema is `to_strict` of the full schema: always in the subset."""
    spec: OutputSpec[Any] = OutputSpec(OUTPUT_TYPES[name])
    tool = {"name": "final_result", "input_schema": to_strict(spec.tool_schema()), "strict": True}
    assert problem_of({**BASIC, "tools": [tool]}) is None


def mutated(path: list[str | int], value: Any, *, remove: bool = False) -> dict[str, Any]:
    """GOOD with `value` set (or the key removed) at `path`."""
    schema = copy.deepcopy(GOOD)
    node: Any = schema
    for part in path[:-1]:
        node = node[part]
    if remove:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return schema


OPEN = "For 'object' type, 'additionalProperties' must be explicitly set to false"
BAD_SCHEMAS: dict[str, tuple[Any, str]] = {
    "not an object": ({"type": "array", "items": {}}, f"{WHERE}.type: Input should be 'object'"),
    "no type": ({"properties": {}}, f"{WHERE}.type: Input should be 'object'"),
    "not a dict": ([], f"{WHERE}: Input should be a valid dictionary"),
    "open at the top": (mutated(["additionalProperties"], None, remove=True), f"{WHERE}: {OPEN}"),
    "additionalProperties true": (mutated(["additionalProperties"], True), f"{WHERE}: {OPEN}"),
    "additionalProperties a schema": (
        mutated(["additionalProperties"], {"type": "string"}),
        f"{WHERE}: {OPEN}",
    ),
    "open in $defs": (
        mutated(["$defs", "Inner", "additionalProperties"], None, remove=True),
        f"{WHERE}.$defs.Inner: {OPEN}",
    ),
    "open in an anyOf member": (
        mutated(["properties", "either", "anyOf", 1], {"type": "object", "properties": {}}),
        f"{WHERE}.properties.either.anyOf.1: {OPEN}",
    ),
    "open in items": (
        mutated(["properties", "tags", "items"], {"type": "object"}),
        f"{WHERE}.properties.tags.items: {OPEN}",
    ),
    "properties without type": (
        mutated(["properties", "tags", "items"], {"properties": {"a": {}}}),
        f"{WHERE}.properties.tags.items: {OPEN}",
    ),
    "minimum": (
        mutated(["properties", "kind"], {"type": "integer", "minimum": 1}),
        f"{WHERE}.properties.kind: property 'minimum' is not supported",
    ),
    "pattern": (
        mutated(["properties", "name", "pattern"], "^a"),
        f"{WHERE}.properties.name: property 'pattern' is not supported",
    ),
    "oneOf": (
        mutated(["properties", "either"], {"oneOf": [{"type": "string"}]}),
        f"{WHERE}.properties.either: property 'oneOf' is not supported",
    ),
    "prefixItems in $defs": (
        mutated(["definitions", "Old"], {"type": "array", "prefixItems": []}),
        f"{WHERE}.definitions.Old: property 'prefixItems' is not supported",
    ),
    "minItems 2": (
        mutated(["properties", "tags", "minItems"], 2),
        f"{WHERE}.properties.tags: For 'array' type, 'minItems' values other than 0 and 1 are "
        "not supported",
    ),
    "minItems true": (
        mutated(["properties", "tags", "minItems"], True),
        f"{WHERE}.properties.tags: For 'array' type, 'minItems' values other than 0 and 1 are "
        "not supported",
    ),
    "unknown format": (
        mutated(["properties", "name", "format"], "binary"),
        f"{WHERE}.properties.name: format 'binary' is not supported (supported formats: date, "
        "date-time, duration, email, hostname, ipv4, ipv6, time, uri, uuid)",
    ),
    "unknown type": (
        mutated(["properties", "many", "type"], ["string", "text"]),
        f"{WHERE}.properties.many.type: Input should be 'object', 'array', 'string', 'integer', "
        "'number', 'boolean' or 'null'",
    ),
    "complex enum": (
        mutated(["properties", "kind", "enum"], [{"a": 1}]),
        f"{WHERE}.properties.kind.enum: enum values must be a non-empty list of strings, numbers, "
        "booleans or null",
    ),
    "empty enum": (
        mutated(["properties", "kind", "enum"], []),
        f"{WHERE}.properties.kind.enum: enum values must be a non-empty list of strings, "
        "numbers, booleans or null",
    ),
    "required not strings": (
        mutated(["required"], "name"),
        f"{WHERE}.required: Input should be a valid list of strings",
    ),
    "dangling $ref": (
        mutated(["properties", "either", "anyOf", 0, "$ref"], "#/$defs/Missing"),
        f"{WHERE}.properties.either.anyOf.0.$ref: reference '#/$defs/Missing' could not be "
        "resolved in the schema",
    ),
    "external $ref": (
        mutated(["properties", "both", "allOf", 0, "$ref"], "https://example.com/s.json"),
        f"{WHERE}.properties.both.allOf.0.$ref: only local references ('#/$defs/...') are "
        "supported, got 'https://example.com/s.json'",
    ),
    "empty anyOf": (
        mutated(["properties", "either", "anyOf"], []),
        f"{WHERE}.properties.either.anyOf: Input should be a non-empty list of schemas",
    ),
    "properties not a dict": (
        mutated(["properties"], []),
        f"{WHERE}.properties: Input should be a valid dictionary",
    ),
    "a subschema not a dict": (
        mutated(["properties", "name"], True),
        f"{WHERE}.properties.name: Input should be a valid dictionary",
    ),
    "tuple items": (
        mutated(["properties", "tags", "items"], [{"type": "string"}]),
        f"{WHERE}.properties.tags.items: Input should be a valid dictionary",
    ),
}


@pytest.mark.parametrize("case", list(BAD_SCHEMAS))
def test_a_schema_outside_the_subset_is_refused(case: str) -> None:
    schema, message = BAD_SCHEMAS[case]
    assert problem_of(body_with(schema)) == message


BAD_CONFIGS: dict[str, tuple[Any, str]] = {
    "not a dict": ("json", "output_config: Input should be a valid dictionary"),
    "unknown key": (
        {"task_budget": 10},
        "output_config.task_budget: Extra inputs are not permitted",
    ),
    "bad effort": (
        {"effort": "extreme"},
        "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'",
    ),
    "format not a dict": (
        {"format": "json"},
        "output_config.format: Input should be a valid dictionary",
    ),
    "format type": (
        {"format": {"type": "json_object", "schema": GOOD}},
        "output_config.format.type: Input should be 'json_schema'",
    ),
    "format without schema": (
        {"format": {"type": "json_schema"}},
        "output_config.format.schema: Field required",
    ),
    "format extra key": (
        {"format": {"type": "json_schema", "schema": GOOD, "name": "answer"}},
        "output_config.format.name: Extra inputs are not permitted",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_a_bad_output_config_is_refused(case: str) -> None:
    config, message = BAD_CONFIGS[case]
    assert problem_of({**BASIC, "output_config": config}) == message
    counted = {k: v for k, v in BASIC.items() if k != "max_tokens"}
    problem = check_count_tokens({**counted, "output_config": config}, HEADERS)
    assert problem is not None
    assert problem.message == message


@pytest.mark.parametrize("effort", [*EFFORTS, None])
def test_every_effort_is_accepted(effort: str | None) -> None:
    assert problem_of({**BASIC, "output_config": {"effort": effort}}) is None
    assert problem_of({**BASIC, "output_config": {"format": None}}) is None


def test_strict_tools_are_held_to_the_subset_and_others_are_not() -> None:
    loose = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}
    assert problem_of({**BASIC, "tools": [{"name": "t", "input_schema": loose}]}) is None
    strict = {"name": "t", "input_schema": loose, "strict": True}
    assert problem_of({**BASIC, "tools": [{"name": "u", "input_schema": GOOD}, strict]}) == (
        f"tools.1.custom.input_schema: {OPEN}"
    )
    closed = {**loose, "additionalProperties": False}
    assert problem_of({**BASIC, "tools": [{**strict, "input_schema": closed}]}) == (
        "tools.0.custom.input_schema.properties.n: property 'minimum' is not supported"
    )
    # a server tool's `strict` has no schema to check
    bash = {"type": "bash_20250124", "name": "bash", "strict": True}
    assert problem_of({**BASIC, "tools": [bash]}) is None


def test_strict_agentkit_tools_are_accepted() -> None:
    def order(item: str, quantity: int, notes: dict[str, str] | None = None) -> str:
        """Order something.

        Args:
            item: What to order.
            quantity: How many.
            notes: Free-form notes.
        """
        return item

    with pytest.warns(ToolDefinitionWarning, match="free-form"):
        made = Tool.from_function(order, strict=True)
    assert problem_of({**BASIC, "tools": [made.to_param()]}) is None


def test_the_client_gets_the_400() -> None:
    """Through a real client: a BadRequestError with the API's message; on the wire, the body."""
    model = EchoModel()
    schema, message = BAD_SCHEMAS["minimum"]
    with model.client(max_retries=0) as client, pytest.raises(BadRequestError) as caught:
        client.messages.create(
            **BASIC, output_config={"format": {"type": "json_schema", "schema": schema}}
        )
    assert caught.value.api_message == message
    assert len(model.requests) == 1
    with httpx.Client(transport=model.transport(), base_url="http://offline") as http:
        response = http.post("/v1/messages", content=json.dumps(body_with(schema)), headers=HEADERS)
    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error", "message": message}


def test_schema_problem_directly() -> None:
    assert schema_problem(GOOD, "x") is None
    assert schema_problem({"type": "object"}, "x") == f"x: {OPEN}"


def test_moved_constraints_read_back_what_to_strict_moved() -> None:
    schema = {
        "type": "string",
        "description": "A code.",
        "pattern": "^a, b=c$",
        "minLength": 2,
        "default": ["x", {"y": 1}],
    }
    strict = to_strict(schema)
    assert moved_constraints(strict["description"]) == {
        "pattern": "^a, b=c$",
        "minLength": 2,
        "default": ["x", {"y": 1}],
    }
    assert moved_constraints("A code.") == {}
    assert moved_constraints(None) == {}
    assert moved_constraints("Constraints: not json") == {}
    assert moved_constraints("Constraints: a=1, b=oops") == {"a": 1}
