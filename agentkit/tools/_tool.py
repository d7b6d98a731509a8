"""`Tool` and the `@tool` decorator: a Python function the model can call.

The decorated function stays callable exactly as before; the `Tool` adds its name, description
and input schema (`to_param()`), and `bind()`, which validates the model's input (JSON Schema
first, then pydantic) and builds the Python arguments, or explains what was wrong.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

import pydantic
from typing_extensions import Unpack

from .._exceptions import UnresolvedTypeError, UsageError
from ._context import ToolContext
from ._options import BaseToolOptions, ToolOptions, check_option_names
from ._quick import Check, quick_check
from ._results import DEFAULT_MAX_RESULT_CHARS
from ._strict import to_strict

if TYPE_CHECKING:
    import jsonschema

    from ..types.params import ToolParam
    from ._schema import InputSpec, Parameter

__all__ = ["NAME_PATTERN", "BoundCall", "Tool", "ToolDefinitionWarning", "tool"]

P = ParamSpec("P")
R = TypeVar("R")

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
"""What the API accepts as a tool name."""

_MAX_ERROR_LINE = 300


class ToolDefinitionWarning(UserWarning):
    """Something about a tool's definition is probably a mistake.

    For example, a docstring that documents a parameter the function does not have.
    """


@dataclass(frozen=True, kw_only=True)
class BoundCall:
    """A validated call, ready to run: the arguments for the tool's function.

    Attributes:
        args: Positional arguments (positional-only parameters, or the model instance for a
            `from_model` tool).
        kwargs: Keyword arguments.
        context_param: The parameter to receive the `ToolContext`, if any.
        context_position: Where the context goes in `args` when its parameter is
            positional-only (None: it is passed by keyword).
    """

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    context_param: str | None = None
    context_position: int | None = None


class Tool(Generic[P, R]):
    """A function the model can call, with its name, description and input schema.

    Build one with `@tool`, `Tool.from_function`, `Tool.from_schema` (a hand-written JSON
    Schema) or `Tool.from_model` (a pydantic model class describes the input). Calling the
    tool calls the function, unchanged.

    Attributes:
        name: The tool's name (`^[a-zA-Z0-9_-]{1,64}$`).
        description: What the tool does, for the model.
        input_schema: The JSON Schema sent to the API (strict-mode subset when `strict`).
        strict: Ask the API for grammar-constrained input.
        cache_control: A prompt-cache breakpoint after this tool's definition.
        timeout: Seconds a call may take before it is answered with an error.
        max_result_chars: Longer results keep their head and tail only.
        requires_approval: Only run after an approval callback says yes (agent loop).
        idempotent: Safe to run twice (a resumed journaled run re-runs an interrupted call).
        warnings: Decoration-time warnings about this tool's definition.

    The options (`strict` to `idempotent`) are the `ToolOptions` given, or their defaults.
    """

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        name: str,
        description: str | None,
        input_schema: Mapping[str, Any],
        spec: InputSpec | None = None,
        model: type[pydantic.BaseModel] | None = None,
        warnings_: list[str] | None = None,
        **options: Unpack[BaseToolOptions],
    ) -> None:
        check_option_names("Tool", options)
        _check_name(name)
        # the options: a new one is a key of `BaseToolOptions` (_options.py) and a line here
        self.strict: bool = options.get("strict", False)
        self.cache_control = options.get("cache_control")
        self.timeout = options.get("timeout")
        self.max_result_chars = options.get("max_result_chars", DEFAULT_MAX_RESULT_CHARS)
        self.requires_approval: bool = options.get("requires_approval", False)
        self.idempotent: bool = options.get("idempotent", False)
        _check_options(self.timeout, self.max_result_chars)
        schema = dict(input_schema)
        _check_schema(name, schema)
        notes: list[str] = list(warnings_ or [])
        self.fn = fn
        self.name = name
        self.description = description or None
        self.validation_schema: dict[str, Any] = schema
        """The schema the model's input is checked against (the full, non-strict one)."""
        self.input_schema: dict[str, Any] = to_strict(schema, notes) if self.strict else schema
        self.warnings: list[str] = notes
        self._spec = spec
        self._model = model
        self._validator: jsonschema.protocols.Validator | None = None
        self._quick: Check | None = None  # passes only valid input (`_quick.py`)
        self.is_async = inspect.iscoroutinefunction(inspect.unwrap(fn)) or (
            isinstance(fn, functools.partial) and inspect.iscoroutinefunction(fn.func)
        )
        self.sync_fn: Callable[..., Any] | None = None
        """A blocking twin of an async `fn`, which the sync drivers call instead (on any thread
        but the one `fn`'s resources live on); e.g. an MCP server's tools set one."""
        for note in notes:
            warnings.warn(
                f"tool {name!r}: {note}", ToolDefinitionWarning, stacklevel=_user_stacklevel()
            )
        functools.update_wrapper(self, fn)

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_function(
        cls,
        fn: Callable[P, R],
        *,
        localns: Mapping[str, Any] | None = None,
        defer_unresolved: bool = True,
        **options: Unpack[ToolOptions],
    ) -> Tool[P, R]:
        """A tool whose schema comes from `fn`'s signature and docstring.

        A type hint naming a class defined later in the module (a forward reference) is
        resolved when the tool is first used instead; still undefined then, it raises
        `UsageError`.

        Args:
            fn: The function (sync or async).
            localns: Names for resolving string annotations, besides `fn`'s module globals.
            defer_unresolved: Build the tool on first use when a type hint names a class not
                defined yet (otherwise raise `UsageError` now).
            **options: The tool's options (`ToolOptions`).
        """
        from ._docstrings import parse_docstring  # with docstring_parser: on the first tool
        from ._schema import build_input_spec  # with pydantic's models: on the first tool

        check_option_names("Tool.from_function", options)
        if not callable(fn):
            raise UsageError(f"@tool needs a function, got {fn!r}")
        docs = parse_docstring(inspect.getdoc(fn))
        try:
            spec = build_input_spec(fn, docs=docs.params, context_type=ToolContext, localns=localns)
        except UnresolvedTypeError:
            if not defer_unresolved:
                raise
            return _DeferredTool(fn, options, localns)
        notes = [
            f"the docstring documents parameter {doc!r}, which the function does not have"
            for doc in spec.documented_unknown
        ]
        notes += [
            f"parameter {untyped!r} has no type hint, so its schema accepts any value; "
            "annotate it (e.g. `str`, `int`)"
            for untyped in spec.untyped
        ]
        name = options.pop("name", None)
        description = options.pop("description", None)
        if not (description if description is not None else docs.description):
            notes.append(
                "no description (the function has no docstring): the model sees only the "
                "name and the schema; add a docstring or pass description="
            )
        others: BaseToolOptions = options  # the rest
        return cls(
            fn,
            name=name or str(getattr(fn, "__name__", "")),
            description=description if description is not None else docs.description,
            input_schema=spec.schema,
            spec=spec,
            warnings_=notes,
            **others,
        )

    @classmethod
    def from_schema(
        cls,
        name: str,
        input_schema: Mapping[str, Any],
        fn: Callable[..., Any],
        *,
        description: str | None = None,
        **options: Unpack[BaseToolOptions],
    ) -> Tool[..., Any]:
        """A tool from a hand-written JSON Schema; `fn` is called with the input as keywords.

        The schema is checked against the JSON Schema 2020-12 metaschema now. `options` are
        the `ToolOptions` other than `name` and `description`.
        """
        return cls(fn, name=name, description=description, input_schema=input_schema, **options)

    @classmethod
    def from_model(
        cls,
        model: type[pydantic.BaseModel],
        fn: Callable[..., Any],
        **options: Unpack[ToolOptions],
    ) -> Tool[..., Any]:
        """A tool whose input is described by a pydantic model; `fn` receives the instance.

        The name defaults to the model class's in snake_case, the description to its docstring.
        """
        from ._docstrings import parse_docstring
        from ._schema import model_input_schema

        check_option_names("Tool.from_model", options)
        name = options.pop("name", None)
        description = options.pop("description", None)
        others: BaseToolOptions = options  # the rest
        schema = model_input_schema(model)
        schema.setdefault("type", "object")
        if description is None:
            description = parse_docstring(model.__doc__).description or None
        return cls(
            fn,
            name=name or _snake(model.__name__),
            description=description,
            input_schema=schema,
            model=model,
            **others,
        )

    # -- the function, unchanged ------------------------------------------------------------

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)

    def __get__(self, obj: object, objtype: type | None = None) -> Tool[..., R]:
        """On an instance, the tool bound to it (for tools defined as methods)."""
        if obj is None:
            return self
        bound = object.__new__(type(self))
        bound.__dict__.update(self.__dict__)
        bound.fn = self.fn.__get__(obj, objtype)
        bound._spec = self._spec
        return bound

    def __repr__(self) -> str:
        return f"<Tool {self.name!r}{' async' if self.is_async else ''}>"

    def to_param(self) -> ToolParam:
        """The tool definition for the API's `tools` parameter."""
        param: ToolParam = {"name": self.name, "input_schema": self.input_schema}
        if self.description:
            param["description"] = self.description
        if self.strict:
            param["strict"] = True
        if self.cache_control is not None:
            param["cache_control"] = self.cache_control
        return param

    # -- validating the model's input --------------------------------------------------------

    def bind(self, tool_input: object) -> BoundCall | str:
        """Validate the model's input and build the call, or say what is wrong with it.

        Returns:
            A `BoundCall`, or the error text for the model (every problem, with its path).
        """
        if not isinstance(tool_input, dict):
            return self._invalid([f"(input): expected a JSON object, got {_kind(tool_input)}"])
        tool_input = self._decode_json_strings(tool_input)
        problems = self._schema_problems(tool_input)
        if problems:
            return self._invalid(problems)
        if self._spec is not None:
            return self._bind_signature(self._spec, tool_input)
        if self._model is not None:
            try:
                instance = self._model.model_validate(tool_input)
            except pydantic.ValidationError as exc:
                return self._invalid(_pydantic_problems(exc))
            return BoundCall(args=(instance,), kwargs={})
        return BoundCall(args=(), kwargs=dict(tool_input))

    def _invalid(self, problems: list[str]) -> str:
        lines = "\n".join(f"- {p}" for p in problems)
        return (
            f"Invalid input for tool {self.name!r}; the tool was not run.\n{lines}\n"
            "Fix the input and call the tool again."
        )

    def _schema_problems(self, tool_input: dict[str, Any]) -> list[str]:
        if self._validator is None:
            import jsonschema  # loaded on first use: it is a tenth of a second to import

            cls = jsonschema.validators.validator_for(self.validation_schema)
            self._validator = cls(self.validation_schema, format_checker=cls.FORMAT_CHECKER)
            if cls is jsonschema.Draft202012Validator:
                self._quick = quick_check(self.validation_schema)
        if self._quick is not None and self._quick(tool_input):
            return []
        errors = sorted(
            self._validator.iter_errors(tool_input), key=lambda e: [str(p) for p in e.path]
        )
        return [f"{_path(e.absolute_path)}: {_short(e.message)}" for e in errors]

    def _decode_json_strings(self, tool_input: dict[str, Any]) -> dict[str, Any]:
        """Accept a JSON string where an object or array parameter was expected."""
        properties = self.validation_schema.get("properties") or {}
        fixed: dict[str, Any] | None = None
        for key, value in tool_input.items():
            if not isinstance(value, str) or key not in properties:
                continue
            accepted = _accepted_types(properties[key], self.validation_schema)
            if "string" in accepted or not accepted & {"object", "array"}:
                continue
            try:
                decoded = json.loads(value)
            except ValueError:
                continue
            if isinstance(decoded, (dict, list)):
                fixed = dict(tool_input) if fixed is None else fixed
                fixed[key] = decoded
        return tool_input if fixed is None else fixed

    def _bind_signature(self, spec: InputSpec, tool_input: dict[str, Any]) -> BoundCall | str:
        try:
            instance = spec.model.model_validate(tool_input)
        except pydantic.ValidationError as exc:
            return self._invalid(_pydantic_problems(exc))
        given = instance.model_fields_set
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        positional = [p for p in spec.parameters if p.kind is inspect.Parameter.POSITIONAL_ONLY]
        last = max((i for i, p in enumerate(positional) if p.field in given), default=-1)
        if spec.context_position is not None:  # the context follows the earlier positionals
            last = max(last, spec.context_position - 1)
        for i, param in enumerate(positional):
            if i <= last:
                args.append(_value(instance, param, given))
        for param in spec.parameters:
            if param.kind is not inspect.Parameter.POSITIONAL_ONLY and param.field in given:
                kwargs[param.name] = getattr(instance, param.field)
        return BoundCall(
            args=tuple(args),
            kwargs=kwargs,
            context_param=spec.context_param,
            context_position=spec.context_position,
        )


def _value(instance: pydantic.BaseModel, param: Parameter, given: set[str]) -> Any:
    return getattr(instance, param.field) if param.field in given else param.default


class _DeferredTool(Tool[P, R]):
    """A tool whose type hints name classes not defined yet: built on first use."""

    def __init__(
        self, fn: Callable[P, R], options: ToolOptions, localns: Mapping[str, Any] | None
    ) -> None:
        name = options.get("name") or str(getattr(fn, "__name__", ""))
        _check_name(name)
        self.fn = fn
        self.name = name
        self._deferred = (options, localns)

    def __getattr__(self, attribute: str) -> Any:
        deferred = self.__dict__.pop("_deferred", None)
        if deferred is None or attribute.startswith("__"):
            raise AttributeError(attribute)
        options, localns = deferred
        try:
            built = Tool.from_function(self.fn, localns=localns, defer_unresolved=False, **options)
        except Exception:
            self._deferred = deferred  # still unresolved: try again next time
            raise
        self.__dict__.update(built.__dict__)
        return getattr(self, attribute)


@overload
def tool(fn: Callable[P, R], /) -> Tool[P, R]: ...
@overload
def tool(**options: Unpack[ToolOptions]) -> Callable[[Callable[P, R]], Tool[P, R]]: ...
def tool(
    fn: Callable[P, R] | None = None, /, **options: Unpack[ToolOptions]
) -> Tool[P, R] | Callable[[Callable[P, R]], Tool[P, R]]:
    """Make a function (sync or async) a tool the model can call.

    Use as `@tool` or `@tool(**options)`, with the keywords of `ToolOptions` (`name`,
    `description`, `strict`, `cache_control`, `timeout`, `max_result_chars`,
    `requires_approval`, `idempotent`). The name defaults to the function's, the description to
    its docstring (parameter, returns and raises sections removed), and the input schema comes
    from the signature: type hints, defaults, `Annotated[..., Field(...)]`, and the docstring's
    parameter descriptions.

    Raises:
        UsageError: The function cannot be a tool (e.g. `*args`, an invalid name, a type
            without a JSON Schema), with the reason.
        TypeError: A keyword that is not a `ToolOptions` key.
    """
    check_option_names("tool", options)
    frame = sys._getframe(1)
    localns = dict(frame.f_locals) if frame.f_locals is not frame.f_globals else None

    def decorate(func: Callable[P, R]) -> Tool[P, R]:
        return Tool.from_function(func, localns=localns, **options)

    return decorate if fn is None else decorate(fn)


def _user_stacklevel() -> int:
    """The `stacklevel` that points a warning at the first frame outside `agentkit.tools`."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
        "agentkit.tools"
    ):
        frame = frame.f_back
        level += 1
    return level


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise UsageError(
            f"invalid tool name {name!r}: use 1-64 letters, digits, '_' or '-' "
            "(pass name='...' to choose one)."
        )


def _check_options(timeout: float | None, max_result_chars: int) -> None:
    if timeout is not None and (isinstance(timeout, bool) or not timeout > 0):
        raise UsageError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    if isinstance(max_result_chars, bool) or not (
        isinstance(max_result_chars, int) and max_result_chars > 0
    ):
        raise UsageError(f"max_result_chars must be a positive int, got {max_result_chars!r}.")


def _check_schema(name: str, schema: dict[str, Any]) -> None:
    import jsonschema  # loaded on first use (see `Tool._schema_problems`)

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise UsageError(
            f"tool {name!r}: the input schema is not valid JSON Schema (2020-12): "
            f"{exc.message} at {_path(exc.absolute_path)}"
        ) from exc
    if schema.get("type") != "object":
        raise UsageError(
            f"tool {name!r}: the input schema's top level must be {{'type': 'object', ...}}, "
            f"got type {schema.get('type')!r}."
        )


def _accepted_types(schema: Any, root: Mapping[str, Any], depth: int = 0) -> set[str]:
    """The JSON types a (sub)schema admits, following `$ref` and unions a few levels deep."""
    if not isinstance(schema, Mapping) or depth > 8:
        return set()
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _accepted_types((root.get("$defs") or {}).get(ref[8:]), root, depth + 1)
    kind = schema.get("type")
    types = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or ():
            types |= _accepted_types(sub, root, depth + 1)
    if "properties" in schema:
        types.add("object")
    return types


def _path(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(input)"


def _short(message: str) -> str:
    return message if len(message) <= _MAX_ERROR_LINE else message[:_MAX_ERROR_LINE] + "..."


def _kind(value: object) -> str:
    return {str: "a string", list: "an array", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _pydantic_problems(exc: pydantic.ValidationError) -> list[str]:
    return [f"{_path(error['loc'])}: {_short(error['msg'])}" for error in exc.errors()]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()[:64]
