"""A quick, conservative input check for flat object schemas, ahead of jsonschema.

Most tool schemas are an object of scalar properties (an MCP server's, a small function's).
For those, `quick_check` compiles a plain-Python check: when it passes, jsonschema (Draft
2020-12) would find no problem either, so the full validation is skipped; when it fails (or the
schema has anything it does not know), jsonschema runs as before and says what is wrong. It can
only ever say "valid" for input that is valid, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["quick_check"]

Check = Callable[[dict[str, Any]], bool]

# keywords that never reject anything (annotations)
_NOTES = frozenset(
    {"title", "description", "default", "examples", "$comment", "deprecated", "readOnly",
     "writeOnly"}
)  # fmt: skip
_TOP = _NOTES | {"type", "properties", "required", "additionalProperties"}
_PROPERTY = _NOTES | {"type"}


def _any(value: object) -> bool:
    return True


def _string(value: object) -> bool:
    return type(value) is str


def _integer(value: object) -> bool:
    kind = type(value)
    return kind is int or (kind is float and value.is_integer())  # type: ignore[attr-defined]


def _number(value: object) -> bool:
    return type(value) is int or type(value) is float


def _boolean(value: object) -> bool:
    return type(value) is bool


def _null(value: object) -> bool:
    return value is None


def _object(value: object) -> bool:
    return type(value) is dict


def _array(value: object) -> bool:
    return type(value) is list


_TYPES: dict[str, Callable[[object], bool]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "null": _null,
    "object": _object,
    "array": _array,
}


def _property(schema: object) -> Callable[[object], bool] | None:
    """The check for one property's value, or None when the schema is beyond this module."""
    if schema is True:
        return _any
    if not isinstance(schema, Mapping) or not _PROPERTY.issuperset(schema):
        return None
    if "type" not in schema:
        return _any
    kinds = schema["type"]
    if isinstance(kinds, str):
        return _TYPES.get(kinds)
    if not isinstance(kinds, list) or not kinds or not all(k in _TYPES for k in kinds):
        return None
    checks = tuple(_TYPES[k] for k in kinds)
    return lambda value: any(check(value) for check in checks)


def quick_check(schema: Mapping[str, Any]) -> Check | None:
    """A check that passes only input the schema accepts; None when the schema is not flat.

    Only for schemas validated as Draft 2020-12 (the caller checks the dialect).
    """
    if not _TOP.issuperset(schema) or schema.get("type", "object") != "object":
        return None
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    extra = schema.get("additionalProperties", True)  # whether other keys are let through
    if (
        not isinstance(properties, Mapping)
        or not isinstance(required, list)
        or not all(isinstance(key, str) for key in required)
        or not isinstance(extra, bool)
    ):
        return None
    checks: dict[str, Callable[[object], bool]] = {}
    for key, value in properties.items():
        check = _property(value)
        if check is None:
            return None
        checks[key] = check
    needed = tuple(required)

    def passes(tool_input: dict[str, Any]) -> bool:
        for key in needed:
            if key not in tool_input:
                return False
        for key, value in tool_input.items():
            check = checks.get(key)
            if check is None:
                if not extra:
                    return False
            elif not check(value):
                return False
        return True

    return passes
