"""The JSON Schema subset of structured outputs, checked like the API (PROTOCOL §4, §12).

`output_config.format.schema` and the `input_schema` of `strict: true` tools are compiled into a
grammar by the API; a schema outside the subset is a 400. The subset is the one `to_strict`
(agentkit.tools) produces: the structural keywords, every object closed with
`additionalProperties: false`, `minItems` 0 or 1, the supported string formats, local `$ref`s.
The annotations `title` and `default` are tolerated (the API's documentation lists `default` as
supported for every type; `title`, like `description`, only annotates), as is `definitions`,
the older spelling of `$defs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._strict import STRUCTURAL_KEYWORDS, SUPPORTED_FORMATS

__all__ = ["schema_problem"]

_KEYWORDS = STRUCTURAL_KEYWORDS | {"title", "default", "definitions"}
_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")
_SCHEMA_MAPS = ("properties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "allOf")


def schema_problem(schema: object, where: str) -> str | None:
    """The API's message for a schema outside the structured-output subset, else None.

    `where` is the schema's location in the request (`output_config.format.schema`), the
    prefix of every message.
    """
    if not isinstance(schema, Mapping):
        return f"{where}: Input should be a valid dictionary"
    if schema.get("type") != "object":
        return f"{where}.type: Input should be 'object'"
    return _node(schema, where, schema)


def _node(node: object, where: str, root: Mapping[str, Any]) -> str | None:
    if not isinstance(node, Mapping):
        return f"{where}: Input should be a valid dictionary"
    for key in node:
        if key not in _KEYWORDS:
            return f"{where}: property '{key}' is not supported"
    return _keywords(node, where, root) or _children(node, where, root)


def _keywords(node: Mapping[str, Any], where: str, root: Mapping[str, Any]) -> str | None:
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [] if kind is None else [kind]
    for name in kinds:
        if name not in _TYPES:
            return (
                f"{where}.type: Input should be 'object', 'array', 'string', 'integer', "
                "'number', 'boolean' or 'null'"
            )
    closed = node.get("additionalProperties", None)
    if ("object" in kinds or "properties" in node or "additionalProperties" in node) and (
        closed is not False
    ):
        return f"{where}: For 'object' type, 'additionalProperties' must be explicitly set to false"
    minimum = node.get("minItems")
    if "minItems" in node and (isinstance(minimum, bool) or minimum not in (0, 1)):
        return f"{where}: For 'array' type, 'minItems' values other than 0 and 1 are not supported"
    if "format" in node and node["format"] not in SUPPORTED_FORMATS:
        return (
            f"{where}: format '{node['format']}' is not supported (supported formats: "
            f"{', '.join(sorted(SUPPORTED_FORMATS))})"
        )
    enum = node.get("enum")
    if "enum" in node and (
        not isinstance(enum, list) or not enum or any(isinstance(v, (dict, list)) for v in enum)
    ):
        return (
            f"{where}.enum: enum values must be a non-empty list of strings, numbers, booleans "
            "or null"
        )
    required = node.get("required")
    if "required" in node and (
        not isinstance(required, list) or not all(isinstance(r, str) for r in required)
    ):
        return f"{where}.required: Input should be a valid list of strings"
    if "$ref" in node:
        return _ref(node["$ref"], where, root)
    return None


def _ref(ref: object, where: str, root: Mapping[str, Any]) -> str | None:
    if not isinstance(ref, str) or not ref.startswith("#"):
        return f"{where}.$ref: only local references ('#/$defs/...') are supported, got {ref!r}"
    node: Any = root
    for part in ref[1:].split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping):
        return f"{where}.$ref: reference '{ref}' could not be resolved in the schema"
    return None


def _children(node: Mapping[str, Any], where: str, root: Mapping[str, Any]) -> str | None:
    for key in _SCHEMA_MAPS:
        if key not in node:
            continue
        members = node[key]
        if not isinstance(members, Mapping):
            return f"{where}.{key}: Input should be a valid dictionary"
        for name, sub in members.items():
            problem = _node(sub, f"{where}.{key}.{name}", root)
            if problem is not None:
                return problem
    for key in _SCHEMA_LISTS:
        if key not in node:
            continue
        variants = node[key]
        if not isinstance(variants, list) or not variants:
            return f"{where}.{key}: Input should be a non-empty list of schemas"
        for i, sub in enumerate(variants):
            problem = _node(sub, f"{where}.{key}.{i}", root)
            if problem is not None:
                return problem
    if "items" in node:
        return _node(node["items"], f"{where}.items", root)
    return None
