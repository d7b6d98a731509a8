"""Valid-by-construction example values for a JSON Schema (what `TestModel` sends tools)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ..tools._strict import moved_constraints

__all__ = ["example_for"]

_FORMATS = {
    "date": "2026-01-15",
    "date-time": "2026-01-15T12:00:00Z",
    "time": "12:00:00",
    "duration": "PT1H",
    "uuid": "12345678-1234-5678-1234-567812345678",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "path": "/tmp/example.txt",
}
_PATTERN_CANDIDATES = ("a", "A", "1", "abc", "ABC", "123", "a1", "x-1", "a_b", "aaa@example.com")
_MAX_DEPTH = 12
_ARRAY_DEPTH = 8
"""Deeper than this, recursive schemas wind down: arrays without `minItems` are empty, objects
have only their required properties, a union takes its `null` member."""


def example_for(schema: Any, root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """A value `schema` accepts: defaults and enums first, then the simplest value per type.

    A strict schema's constraints moved into its description (`Constraints: minimum=5`, see
    `agentkit.tools`) are honoured as if they were still keywords.
    """
    root = root if root is not None else (schema if isinstance(schema, Mapping) else {})
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return None
    moved = moved_constraints(schema.get("description"))
    if moved:
        schema = {**moved, **schema}
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return example_for(_resolve(ref, root), root, depth + 1)
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            variants = [v for v in schema[key] if v.get("type") != "null"]
            if len(variants) < len(schema[key]) and depth >= _ARRAY_DEPTH:
                return None  # deep in a recursive schema: the null member ends it
            return example_for(variants[0], root, depth + 1) if variants else None
    if schema.get("allOf"):
        return _all_of(schema["allOf"], root, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    return _typed(kind, schema, root, depth)


def _resolve(ref: str, root: Mapping[str, Any]) -> Any:
    """What a local `$ref` (a JSON pointer such as `#/$defs/Item`) points to."""
    if not ref.startswith("#"):
        return None
    node: Any = root
    for part in ref[1:].split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _all_of(parts: list[Any], root: Mapping[str, Any], depth: int) -> Any:
    """The first part's example, with the properties of the other parts' objects merged in."""
    values = [example_for(part, root, depth + 1) for part in parts]
    if all(isinstance(value, dict) for value in values):
        merged: dict[str, Any] = {}
        for value in values:
            merged.update(value)
        return merged
    return values[0]


def _typed(kind: Any, schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> Any:
    if kind == "object" or (kind is None and "properties" in schema):
        return _object(schema, root, depth)
    if kind == "array":
        return _array(schema, root, depth)
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(kind, schema)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "example"


def _object(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> dict[str, Any]:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = [r for r in schema.get("required") or [] if isinstance(r, str)]
    if depth >= _ARRAY_DEPTH:  # deep in a recursive schema: only what must be there
        properties = {name: sub for name, sub in properties.items() if name in required}
    value = {name: example_for(sub, root, depth + 1) for name, sub in properties.items()}
    extra = schema.get("additionalProperties")
    for name in required:  # required but not declared: a value of the additional properties
        if name not in value:
            value[name] = example_for(extra if isinstance(extra, Mapping) else {}, root, depth + 1)
    return value


def _array(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> list[Any]:
    if isinstance(schema.get("prefixItems"), list):
        return [example_for(s, root, depth + 1) for s in schema["prefixItems"]]
    minimum = int(schema.get("minItems", 0))
    count = max(1, minimum) if minimum or depth < _ARRAY_DEPTH else 0
    if isinstance(schema.get("maxItems"), int):
        count = min(count, schema["maxItems"])
    items = schema.get("items", {})
    item = example_for(items, root, depth + 1)
    if schema.get("uniqueItems") and count > 1:
        resolved = items
        if isinstance(items, Mapping) and isinstance(items.get("$ref"), str):
            resolved = _resolve(items["$ref"], root)
        choices = resolved.get("enum") if isinstance(resolved, Mapping) else None
        if isinstance(choices, list) and len(choices) >= count:
            return list(choices[:count])
        return [item] if not isinstance(item, (int, str)) else _distinct(item, count)
    return [item] * count


def _distinct(item: int | str, count: int) -> list[Any]:
    if isinstance(item, int):
        return [item + i for i in range(count)]
    return [f"{item}{i}" for i in range(count)]


def _string(schema: Mapping[str, Any]) -> str:
    value = _FORMATS.get(str(schema.get("format")), "example")
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            compiled = re.compile(pattern)
        except re.error:
            compiled = None
        if compiled is not None and not compiled.search(value):
            built = _from_pattern(compiled)  # may be "" (e.g. for "^x*$")
            if built is None:
                built = next((c for c in _PATTERN_CANDIDATES if compiled.search(c)), value)
            value = built
    minimum = int(schema.get("minLength", 0))
    maximum = schema.get("maxLength")
    if len(value) < minimum:
        value = value + (value[-1:] or "x") * (minimum - len(value))
    if isinstance(maximum, int) and len(value) > maximum:
        value = value[:maximum]
    return value


# -- strings from a regular expression's parse tree ---------------------------------------------

_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}
_CATEGORY_CLASSES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
}
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _from_pattern(compiled: re.Pattern[str]) -> str | None:
    """A short string `compiled` matches, built from its parse tree; None when unsure."""
    try:
        try:
            from re import _parser as parser  # type: ignore[attr-defined]
        except ImportError:  # pragma: no cover - Python 3.10
            import sre_parse as parser
        value = _emit(parser.parse(compiled.pattern, compiled.flags), {})
    except Exception:  # a construct beyond this generator (lookaround...): use the candidates
        return None
    return value if compiled.search(value) else None


def _emit(tokens: Any, groups: dict[int, str]) -> str:
    """The shortest text of a parsed pattern (first branch, minimum repeats)."""
    out = []
    for op, arg in tokens:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name in ("NOT_LITERAL", "ANY"):
            out.append("b" if arg == ord("a") else "a")
        elif name == "IN":
            out.append(_pick(arg))
        elif name in _REPEATS:
            out.append(_emit(arg[2], groups) * arg[0])
        elif name == "SUBPATTERN":
            text = _emit(arg[-1], groups)
            groups[arg[0]] = text
            out.append(text)
        elif name == "BRANCH":
            out.append(_emit(arg[1][0], groups))
        elif name == "GROUPREF":
            out.append(groups[arg])
        elif name != "AT":  # anchors match the empty string
            raise ValueError(f"unsupported pattern construct {name}")
    return "".join(out)


def _pick(items: Any) -> str:
    """A character of a `[...]` set."""
    if str(items[0][0]) == "NEGATE":
        return next(c for c in "aA0_- .zZ9" if not _in_set(c, items[1:]))
    op, arg = items[0]
    if str(op) == "LITERAL":
        return chr(arg)
    if str(op) == "RANGE":
        return chr(arg[0])
    return _CATEGORY_CHARS[str(arg)]


def _in_set(char: str, items: Any) -> bool:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and chr(arg) == char:
            return True
        if name == "RANGE" and arg[0] <= ord(char) <= arg[1]:
            return True
        if name == "CATEGORY" and re.fullmatch(_CATEGORY_CLASSES[str(arg)], char):
            return True
    return False


# -- numbers ------------------------------------------------------------------------------------


def _bound(
    schema: Mapping[str, Any], inclusive: str, exclusive: str, *, lower: bool
) -> tuple[float, bool] | None:
    """The tightest bound on one side, as `(value, is_exclusive)`, or None."""
    found: list[tuple[float, bool]] = []
    closed = schema.get(inclusive)
    if isinstance(closed, (int, float)) and not isinstance(closed, bool):
        found.append((closed, schema.get(exclusive) is True))  # draft 4's boolean flag
    opened = schema.get(exclusive)
    if isinstance(opened, (int, float)) and not isinstance(opened, bool):
        found.append((opened, True))
    if not found:
        return None
    if lower:
        return max(found)
    return min(found, key=lambda b: (b[0], not b[1]))


def _number(kind: str, schema: Mapping[str, Any]) -> int | float:
    """1 when allowed, else the bound nearest to it (inside an exclusive bound)."""
    low = _bound(schema, "minimum", "exclusiveMinimum", lower=True)
    high = _bound(schema, "maximum", "exclusiveMaximum", lower=False)
    integer = kind == "integer"
    value: float = 1
    round_up = True
    if low is not None:
        bound, exclusive = low
        if integer:
            value = math.floor(bound) + 1 if exclusive else math.ceil(bound)
        elif exclusive:
            value = (bound + high[0]) / 2 if high is not None else bound + 1
        else:
            value = bound
    elif high is not None and (value > high[0] or (value == high[0] and high[1])):
        bound, exclusive = high
        round_up = False
        if integer:
            value = math.ceil(bound) - 1 if exclusive else math.floor(bound)
        else:
            value = bound - 1 if exclusive else bound
    multiple = schema.get("multipleOf")
    if multiple:
        steps = value / multiple
        value = multiple * (math.ceil(steps) if round_up else math.floor(steps))
    return int(value) if integer else float(value)
