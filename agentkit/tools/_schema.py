"""From a Python signature to a tool's input model and JSON Schema (public pydantic APIs only).

The input model is a `pydantic.create_model` with one field per parameter (aliased to the
parameter's name, so any name works); its JSON Schema comes from a `GenerateJsonSchema`
subclass, then titles are stripped and the top level is closed (`additionalProperties: false`).
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, get_args, get_origin

import pydantic
import typing_extensions
from pydantic import ConfigDict, Field
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .._exceptions import UnresolvedTypeError, UsageError
from ._docstrings import parse_docstring

__all__ = [
    "InputSpec",
    "Parameter",
    "build_input_spec",
    "model_input_schema",
    "output_schema_generator",
    "pydantic_compatible",
    "strip_titles",
]

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_ONE = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)


class _ToolSchemaGenerator(GenerateJsonSchema):
    """pydantic's generator, without per-field titles (they only cost the model tokens).

    A class's docstring becomes its description without its `Args:` / `Attributes:` /
    `:param` sections (pydantic would copy the raw docstring).
    """

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        return _clean_description(super().model_schema(schema), schema["cls"])

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        return _clean_description(super().dataclass_schema(schema), schema["cls"])

    def typed_dict_schema(self, schema: core_schema.TypedDictSchema) -> JsonSchemaValue:
        return _clean_description(super().typed_dict_schema(schema), schema.get("cls"))


def output_schema_generator() -> type[GenerateJsonSchema]:
    """The schema generator of tool inputs, for typed output too (no titles, clean docs)."""
    return _ToolSchemaGenerator


def _clean_description(json_schema: JsonSchemaValue, cls: Any) -> JsonSchemaValue:
    """Replace a description copied from `cls.__doc__` by the docstring's parsed description."""
    doc = getattr(cls, "__doc__", None)
    description = json_schema.get("description")
    if isinstance(doc, str) and description == inspect.cleandoc(doc):
        cleaned = parse_docstring(doc).description
        if cleaned:
            json_schema["description"] = cleaned
        else:
            del json_schema["description"]
    return json_schema


def model_input_schema(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """The input schema of a pydantic model class.

    Titles stripped, docstring sections cut, enums inline, the top level closed; the model's
    description goes to the tool, not the schema.
    """
    schema: dict[str, Any] = inline_enums(
        strip_titles(
            model.model_json_schema(mode="validation", schema_generator=_ToolSchemaGenerator)
        )
    )
    schema.pop("description", None)
    schema["additionalProperties"] = False
    return schema


def inline_enums(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace `$ref`s to enum definitions with the enum itself.

    `{"$ref": "#/$defs/Color"}` becomes `{"type": "string", "enum": [...]}`; definitions
    nothing refers to any more are dropped.
    """
    defs: dict[str, Any] = schema.get("$defs") or {}
    enums = {
        f"#/$defs/{name}": sub
        for name, sub in defs.items()
        if isinstance(sub, dict) and "enum" in sub and "properties" not in sub
    }
    if not enums:
        return schema

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in enums:
            return {**enums[ref], **{k: walk(v) for k, v in node.items() if k != "$ref"}}
        return {k: walk(v) if k != "enum" else v for k, v in node.items()}

    result: dict[str, Any] = walk({k: v for k, v in schema.items() if k != "$defs"})
    kept = {name: walk(sub) for name, sub in defs.items() if f"#/$defs/{name}" not in enums}
    if kept:
        result["$defs"] = kept
    return result


def strip_titles(schema: Any) -> Any:
    """A copy of a JSON Schema without `title` keywords (property names called "title" stay)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: strip_titles(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [strip_titles(sub) for sub in value]
        elif key in _SCHEMA_ONE:
            out[key] = strip_titles(value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """One parameter the model fills in.

    Attributes:
        name: The parameter's name (the JSON property).
        field: The input model's field name for it.
        kind: `inspect.Parameter` kind (positional-only parameters are passed positionally).
        default: The default, or `inspect.Parameter.empty`.
    """

    name: str
    field: str
    kind: Any
    default: Any


@dataclass(frozen=True, kw_only=True)
class InputSpec:
    """A function's input, as seen by the model and by the validator.

    Attributes:
        model: The pydantic model that validates and converts the input.
        schema: The JSON Schema sent to the API.
        parameters: The parameters in signature order (the context parameter and a method's
            `self`/`cls` excluded).
        context_param: Name of the parameter that receives the `ToolContext`, if any.
        documented_unknown: Parameters the docstring documents but the signature lacks.
        context_position: When the context parameter is positional-only, its index among
            the positional arguments (it cannot be passed by keyword).
        untyped: Parameters without a type hint (the model may send any value for them).
    """

    model: type[pydantic.BaseModel]
    schema: dict[str, Any]
    parameters: tuple[Parameter, ...]
    context_param: str | None
    documented_unknown: tuple[str, ...]
    context_position: int | None = None
    untyped: tuple[str, ...] = ()


_converted: dict[type, type] = {}


def pydantic_compatible(annotation: Any) -> Any:
    """`typing.TypedDict` classes as `typing_extensions.TypedDict`, wherever they appear.

    pydantic needs the latter before Python 3.12; containers, unions and `Annotated` are
    rebuilt around the converted classes.
    """
    if sys.version_info >= (3, 12):
        return annotation
    if isinstance(annotation, type) and typing.is_typeddict(annotation):
        return _typeddict_compat(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if not args or origin is typing.Literal:
        return annotation
    if origin is typing.Annotated:
        parts: Any = (pydantic_compatible(args[0]), *args[1:])
        return typing.Annotated[parts]
    new_args = tuple(pydantic_compatible(arg) for arg in args)
    if new_args == args:
        return annotation
    if origin in (typing.Union, types.UnionType):
        return typing.Union[new_args]  # noqa: UP007
    return origin[new_args]


def _typeddict_compat(cls: type) -> type:
    if type(cls).__module__ != "typing":  # already typing_extensions
        return cls
    if cls not in _converted:
        required: frozenset[str] = getattr(cls, "__required_keys__", frozenset())
        fields = {
            name: (
                typing_extensions.Required if name in required else typing_extensions.NotRequired
            )[pydantic_compatible(hint)]
            for name, hint in typing.get_type_hints(cls, include_extras=True).items()
        }
        make: Any = typing_extensions.TypedDict
        clone: Any = make(cls.__name__, fields)
        clone.__doc__ = cls.__doc__
        clone.__module__ = cls.__module__
        _converted[cls] = clone
    return _converted[cls]


def _type_hints(fn: Callable[..., Any], localns: Mapping[str, Any] | None) -> dict[str, Any]:
    target = inspect.unwrap(fn)
    try:
        return typing.get_type_hints(target, include_extras=True, localns=dict(localns or {}))
    except NameError as exc:
        raise UnresolvedTypeError(
            f"cannot resolve the type hints of {getattr(fn, '__qualname__', fn)!r}: {exc}. "
            "Define the types it uses at module level (or before the decorated function)."
        ) from exc


def _has_description(annotation: Any) -> bool:
    if get_origin(annotation) is typing.Annotated:
        return any(isinstance(m, FieldInfo) and m.description for m in get_args(annotation)[1:])
    return False


def _is_context(annotation: Any, context_type: type) -> bool:
    if get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, context_type)


def build_input_spec(
    fn: Callable[..., Any],
    *,
    docs: Mapping[str, str],
    context_type: type,
    localns: Mapping[str, Any] | None = None,
) -> InputSpec:
    """Analyse `fn`'s signature into an input model and schema.

    Raises:
        UsageError: For `*args` / `**kwargs`, unresolvable hints, or types pydantic cannot
            turn into a schema.
    """
    name = getattr(fn, "__qualname__", repr(fn))
    signature = inspect.signature(fn)
    hints = _type_hints(fn, localns)
    fields: dict[str, Any] = {}
    parameters: list[Parameter] = []
    context_param: str | None = None
    context_position: int | None = None
    untyped: list[str] = []
    for index, param in enumerate(signature.parameters.values()):
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            star = "*" if param.kind is inspect.Parameter.VAR_POSITIONAL else "**"
            raise UsageError(
                f"tool {name!r} takes {star}{param.name}: a tool's parameters must be named "
                "so that they have a schema. Replace it with explicit parameters (or one "
                "parameter typed as a dict or a pydantic model)."
            )
        if index == 0 and param.name in ("self", "cls") and param.name not in hints:
            continue  # a method's self/cls: bound later, not in the schema
        annotation = pydantic_compatible(hints.get(param.name, Any))
        if _is_context(annotation, context_type):
            context_param = param.name
            if param.kind is inspect.Parameter.POSITIONAL_ONLY:
                context_position = len(parameters)  # parameters before it are positional-only
            continue
        field_name = f"p{index}"
        extra: dict[str, Any] = {}
        if not _has_description(annotation) and param.name in docs:
            extra["description"] = docs[param.name]
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[field_name] = (annotation, Field(default, alias=param.name, **extra))
        parameters.append(
            Parameter(name=param.name, field=field_name, kind=param.kind, default=param.default)
        )
        if param.name not in hints:
            untyped.append(param.name)
    model = _create_model(name, fields)
    schema = _object_schema(model, name)
    documented_unknown = tuple(
        doc for doc in docs if doc not in signature.parameters and doc.lstrip("*") != ""
    )
    return InputSpec(
        model=model,
        schema=schema,
        parameters=tuple(parameters),
        context_param=context_param,
        documented_unknown=documented_unknown,
        context_position=context_position,
        untyped=tuple(untyped),
    )


def _create_model(name: str, fields: dict[str, Any]) -> type[pydantic.BaseModel]:
    try:
        return pydantic.create_model(
            "ToolInput",
            __config__=ConfigDict(extra="forbid"),
            **fields,
        )
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError, TypeError) as exc:
        raise UsageError(f"tool {name!r} has a parameter type pydantic cannot use: {exc}") from exc


def _object_schema(model: type[pydantic.BaseModel], name: str) -> dict[str, Any]:
    try:
        raw = model.model_json_schema(
            by_alias=True, schema_generator=_ToolSchemaGenerator, mode="validation"
        )
    except (pydantic.PydanticInvalidForJsonSchema, pydantic.PydanticUserError) as exc:
        raise UsageError(f"tool {name!r}: no JSON Schema for its parameters: {exc}") from exc
    schema = inline_enums(strip_titles(raw))
    ordered: dict[str, Any] = {"type": "object", "properties": schema.pop("properties", {})}
    required = schema.pop("required", None)
    if required:
        ordered["required"] = required
    schema.pop("type", None)
    schema.pop("additionalProperties", None)
    ordered["additionalProperties"] = False
    ordered.update(schema)
    return ordered
