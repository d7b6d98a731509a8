"""Typed output: from a Python type to the schema the API gets, and from the model's JSON back.

`OutputSpec(T)` is built once per output type (by `messages.parse`, `messages.stream` and agents
with `output_type=`):
- `schema`: T's JSON Schema (pydantic's, without titles; the local check of the output);
- `api_schema`: the same in the subset the API's structured outputs accept (every object closed,
  `oneOf` as `anyOf`, unsupported keywords moved into descriptions, the tools' strict
  transform) with an object at the top: a T whose schema is not an object (a list, a primitive,
  a `Literal`, a union) is wrapped as `{"result": ...}`, and unwrapped when validating;
- `validate(data)` / `validate_json(text)`: the typed value, or `OutputValidationError` with
  every problem and its JSON path.

Types without a JSON Schema (a function, `object`, `Any`, a class pydantic cannot describe) are a
`UsageError` when the spec is built, as are schemas the API could not follow (a free-form
mapping in the structured-output schema), so mistakes show at construction, not at the first
request.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, get_args, get_origin

import pydantic
from pydantic import TypeAdapter

from ._exceptions import InvalidArgumentTypeError, OutputProblem, OutputValidationError, UsageError
from .tools._schema import (
    inline_enums,
    output_schema_generator,
    pydantic_compatible,
    strip_titles,
)
from .tools._strict import to_strict
from .tools._structured import schema_problem

__all__ = [
    "OUTPUT_TOOL_NAME",
    "WRAPPER_KEY",
    "OutputSpec",
    "json_path",
    "type_name",
]

T = TypeVar("T")

OUTPUT_TOOL_NAME = "final_result"
"""The name of the output tool (`output_mode="tool"`); a union of models gets one tool per
member, named `final_result_<Member>`."""

_QUALIFIER = re.compile(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])")

WRAPPER_KEY = "result"
"""The property a non-object output is wrapped in (the API needs an object at the top)."""


def type_name(output_type: Any) -> str:
    """A readable name of a type (`Invoice`, `list[Invoice]`, `Literal['a', 'b']`)."""
    if isinstance(output_type, type) and get_origin(output_type) is None:
        return output_type.__qualname__
    return _QUALIFIER.sub("", repr(output_type))


def json_path(loc: tuple[int | str, ...] | list[Any]) -> str:
    """A JSON path (`$.items[0].price`) from a location (`("items", 0, "price")`)."""
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


class OutputSpec(Generic[T]):
    """An output type, its schemas, and its validation.

    Args:
        output_type: Anything pydantic's `TypeAdapter` can validate and describe: a model, a
            dataclass, a `TypedDict`, `list[Model]`, a `Literal`, a union, a primitive.
        structured: Check now that the API's structured outputs can follow the schema (for
            `messages.parse` and `output_mode="native"`).

    Raises:
        InvalidArgumentTypeError: `output_type` is a string or a mapping, not a type.
        UsageError: The type has no JSON Schema, or (with `structured`) one the API's
            structured outputs cannot follow.
    """

    def __init__(self, output_type: Any, *, structured: bool = False) -> None:
        if isinstance(output_type, (str, Mapping)):
            raise InvalidArgumentTypeError(
                f"the output type must be a type (a pydantic model, dataclass, TypedDict, "
                f"list[...], ...), got {type(output_type).__name__} {output_type!r}; to send a "
                "JSON Schema yourself, pass output_config={'format': {'type': 'json_schema', "
                "'schema': ...}} to create()."
            )
        self.output_type: Any = output_type
        self.name = type_name(output_type)
        self.adapter: TypeAdapter[T] = _adapter(output_type, self.name)
        schema = _json_schema(self.adapter, self.name)
        self.description: str | None = schema.pop("description", None)
        self.schema: dict[str, Any] = schema
        self.wrapped: bool = not _is_object(schema)
        top = _wrap(schema) if self.wrapped else schema
        notes: list[str] = []
        self.api_schema: dict[str, Any] = to_strict(top, notes)
        self.open_objects = any("additionalProperties" in note for note in notes)
        if structured:
            self.check_structured()

    def check_structured(self) -> None:
        """Raise `UsageError` when the API's structured outputs could not follow the schema."""
        if self.open_objects:
            raise UsageError(
                f"output type {self.name} has a free-form mapping (e.g. dict[str, ...]); the "
                "API's structured outputs only produce declared properties, so it could never "
                "be filled. Use a model with named fields, or output_mode='tool' on an agent."
            )
        problem = schema_problem(self.api_schema, "schema")
        if problem is not None:
            raise UsageError(
                f"output type {self.name} gives a schema the API's structured outputs do not "
                f"accept ({problem}); use output_mode='tool' on an agent, or simplify the type."
            )

    def members(self) -> list[OutputSpec[Any]]:
        """One spec per member of a union of object types (one output tool each), else [self]."""
        args = get_args(self.output_type)
        if get_origin(self.output_type) not in (typing.Union, types.UnionType) or not args:
            return [self]
        specs: list[OutputSpec[Any]] = [OutputSpec(arg) for arg in args]
        if all(not spec.wrapped for spec in specs):
            return specs
        return [self]

    def tool_schema(self) -> dict[str, Any]:
        """The input schema of the output tool (the full schema, object at the top)."""
        return _wrap(self.schema) if self.wrapped else self.schema

    def unwrap(self, data: Any) -> Any:
        """The output value inside the top-level object (the object itself when not wrapped)."""
        if self.wrapped and isinstance(data, dict) and WRAPPER_KEY in data:
            return data[WRAPPER_KEY]
        return data

    def validate(self, data: Any, *, message: Any = None) -> T:
        """The typed output from JSON data (the top-level object the model sent).

        Raises:
            OutputValidationError: Every problem, each with its JSON path.
        """
        if self.wrapped and not (isinstance(data, dict) and WRAPPER_KEY in data):
            problem = OutputProblem("$", f"expected an object with a {WRAPPER_KEY!r} property")
            raise OutputValidationError([problem], message=message, output=data)
        try:
            return self.adapter.validate_python(self.unwrap(data))
        except pydantic.ValidationError as exc:
            raise OutputValidationError(_problems(exc), message=message, output=data) from None

    def validate_json(self, text: str, *, message: Any = None) -> T:
        """The typed output from the model's JSON text (see `validate`)."""
        if not self.wrapped:  # straight from the text: no intermediate Python objects
            try:
                return self.adapter.validate_json(text)
            except pydantic.ValidationError as exc:
                if any(error["type"] != "json_invalid" for error in exc.errors()):
                    output = json.loads(text)
                    raise OutputValidationError(
                        _problems(exc), message=message, output=output
                    ) from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            problem = OutputProblem("$", f"not valid JSON ({exc})")
            raise OutputValidationError([problem], message=message, output=text) from None
        return self.validate(data, message=message)

    def __repr__(self) -> str:
        return f"OutputSpec({self.name})"


def _adapter(output_type: Any, name: str) -> TypeAdapter[Any]:
    if output_type is object or output_type is Any or inspect.isroutine(output_type):
        raise UsageError(_no_schema(name, "it is not a type pydantic can validate"))
    try:
        return TypeAdapter(pydantic_compatible(output_type))
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError) as exc:
        raise UsageError(_no_schema(name, str(exc).splitlines()[0])) from None
    except TypeError as exc:
        raise UsageError(_no_schema(name, str(exc))) from None


def _json_schema(adapter: TypeAdapter[Any], name: str) -> dict[str, Any]:
    try:
        raw = adapter.json_schema(mode="validation", schema_generator=output_schema_generator())
    except (pydantic.PydanticInvalidForJsonSchema, pydantic.PydanticUserError) as exc:
        raise UsageError(_no_schema(name, str(exc).splitlines()[0])) from None
    schema: dict[str, Any] = inline_enums(strip_titles(raw))
    schema = _inline_top_ref(schema)
    if not _describes_values(schema):
        raise UsageError(_no_schema(name, "its schema accepts anything"))
    return schema


def _no_schema(name: str, why: str) -> str:
    return (
        f"output type {name} has no JSON Schema ({why}); use a pydantic model, a dataclass, a "
        "TypedDict, list[...], a Literal, a union of these, or a primitive type."
    )


def _inline_top_ref(schema: dict[str, Any]) -> dict[str, Any]:
    """`{"$ref": "#/$defs/Node", "$defs": ...}` (a recursive model) as Node's schema itself."""
    ref = schema.get("$ref")
    defs = schema.get("$defs") or {}
    if not isinstance(ref, str) or not ref.startswith("#/$defs/") or len(schema) > 2:
        return schema
    target = defs.get(ref.removeprefix("#/$defs/"))
    if not isinstance(target, dict):
        return schema
    return {**target, "$defs": defs}


def _describes_values(schema: Mapping[str, Any]) -> bool:
    return any(key not in ("description", "$defs") for key in schema)


def _is_object(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "object"


def _wrap(schema: dict[str, Any]) -> dict[str, Any]:
    inner = {k: v for k, v in schema.items() if k != "$defs"}
    wrapped: dict[str, Any] = {
        "type": "object",
        "properties": {WRAPPER_KEY: inner},
        "required": [WRAPPER_KEY],
        "additionalProperties": False,
    }
    if "$defs" in schema:
        wrapped["$defs"] = schema["$defs"]
    return wrapped


def _problems(exc: pydantic.ValidationError) -> list[OutputProblem]:
    return [
        OutputProblem(json_path(error["loc"]), error["msg"])
        for error in exc.errors(include_url=False)
    ]
