"""Typed output on the client: `messages.parse` and `messages.stream(..., output_format=T)`.

- `with_output_format` turns `output_format=T` into the request's
  `output_config.format` (the type's schema in the subset the API's structured outputs accept),
  keeping the caller's other `output_config` keys;
- `parse_message` turns the response into a `ParsedMessage` whose `parsed_output` is the
  validated value (None when the model stopped without a finished answer);
- `OutputTracker` gives a parse stream's output as parsed so far, and its final message.

The output machinery (`agentkit._output`, pydantic's schema generation) is imported on the first
typed call, never by `import agentkit`; an `OutputSpec` is built once per output type.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from ._core.partial_json import PartialJsonParser
from ._exceptions import UsageError
from ._types import NotGiven
from .types.content import TextBlock
from .types.message import Message
from .types.parsed_message import ParsedMessage, ParsedTextBlock

if TYPE_CHECKING:
    from ._core.accumulate import MessageAccumulator
    from ._output import OutputSpec

__all__ = [
    "UNFINISHED_STOP_REASONS",
    "OutputTracker",
    "output_spec",
    "parse_message",
    "with_output_format",
]

_T = TypeVar("_T", default=None)

UNFINISHED_STOP_REASONS = frozenset(
    {"refusal", "max_tokens", "model_context_window_exceeded", "tool_use", "pause_turn"}
)
"""Stop reasons after which the text is not a finished answer: `parsed_output` is None."""

_SPECS: dict[Any, OutputSpec[Any]] = {}
_SPECS_LOCK = threading.Lock()
_MAX_SPECS = 256


def output_spec(output_format: Any) -> OutputSpec[Any]:
    """The `OutputSpec` of an output type, built on first use and kept (unhashable: rebuilt).

    Raises:
        InvalidArgumentTypeError: `output_format` is a string or a mapping (a `TypeError`).
        UsageError: The type has no JSON Schema the API's structured outputs can follow.
    """
    from ._output import OutputSpec

    try:
        cached = _SPECS.get(output_format)
    except TypeError:  # an unhashable type expression
        return OutputSpec(output_format, structured=True)
    if cached is not None:
        return cached
    spec: OutputSpec[Any] = OutputSpec(output_format, structured=True)
    with _SPECS_LOCK:
        if len(_SPECS) >= _MAX_SPECS:
            _SPECS.clear()
        _SPECS[output_format] = spec
    return spec


def with_output_format(
    params: Mapping[str, Any], output_format: Any, *, method: str
) -> tuple[dict[str, Any], OutputSpec[Any] | None]:
    """`params` with `output_config.format` for `output_format`, and its spec (None: no type).

    Raises:
        InvalidArgumentTypeError: `output_format` is a string or a mapping, not a type.
        UsageError: `output_config` already has a `format`, or the type has no usable schema.
    """
    if output_format is None or isinstance(output_format, NotGiven):
        return dict(params), None
    spec = output_spec(output_format)
    config = params.get("output_config")
    if config is None or isinstance(config, NotGiven):
        config = {}
    if not isinstance(config, Mapping):
        raise UsageError(f"output_config must be a dict, got {type(config).__name__}.")
    if config.get("format") is not None:
        raise UsageError(
            f"{method}() got both output_format= and output_config['format']; pick one: "
            "output_format=T to get typed output, or output_config={'format': ...} to send a "
            "JSON Schema of your own (the text is then yours to parse)."
        )
    merged = {**config, "format": {"type": "json_schema", "schema": spec.api_schema}}
    return {**params, "output_config": merged}, spec


def _text(message: Message) -> str:
    return "".join(block.text for block in message.content if isinstance(block, TextBlock))


def parse_message(message: Message, spec: OutputSpec[_T] | None) -> ParsedMessage[_T]:
    """The message as a `ParsedMessage`, its text validated against `spec`.

    `parsed_output` is None when there is no spec or the model did not finish an answer
    (`UNFINISHED_STOP_REASONS`).

    Raises:
        OutputValidationError: The text is not JSON of the output type; `.message` is the
            `ParsedMessage` (its `parsed_output` None), `.errors` every problem with its path.
    """
    first: ParsedTextBlock[Any] | None = None
    content: list[Any] = []
    for block in message.content:
        if isinstance(block, TextBlock):
            block = ParsedTextBlock.model_construct(
                _fields_set=block.model_fields_set,
                **block.__dict__,
                **(block.__pydantic_extra__ or {}),
            )
            if first is None:
                first = block
        content.append(block)
    result: ParsedMessage[_T] = ParsedMessage.model_construct(
        _fields_set=message.model_fields_set,
        **{**message.__dict__, "content": content},
        **(message.__pydantic_extra__ or {}),
    )
    result._request_id = message._request_id
    if spec is not None and message.stop_reason not in UNFINISHED_STOP_REASONS:
        value = spec.validate_json(_text(message), message=result)
        if first is not None:
            first.parsed_output = value
    return result


class OutputTracker(Generic[_T]):
    """A parse stream's typed output: the value as parsed so far, and the final message.

    The partial value is computed when asked for (never per event) and kept until more text
    arrives.
    """

    def __init__(self, spec: OutputSpec[_T]) -> None:
        self.spec = spec
        self._source: MessageAccumulator | None = None
        self._deltas = -1
        self._parser = PartialJsonParser()
        self._partial: Any = None
        self._final: ParsedMessage[_T] | None = None

    def partial(self, accumulator: MessageAccumulator) -> Any:
        """The output as parsed so far (dicts and lists, unvalidated); None before any."""
        if not accumulator.started:
            return None
        if accumulator is not self._source:  # the first read, or the stream was re-sent
            self._parser = PartialJsonParser()
        if accumulator is not self._source or accumulator.content_deltas != self._deltas:
            self._source, self._deltas = accumulator, accumulator.content_deltas
            value = self._parser.parse(accumulator.text())
            if self.spec.wrapped:
                from ._output import WRAPPER_KEY

                value = value.get(WRAPPER_KEY) if isinstance(value, dict) else None
            self._partial = value
        return self._partial

    def final(self, message: Message) -> ParsedMessage[_T]:
        """The final message, parsed (validated once)."""
        if self._final is None:
            self._final = parse_message(message, self.spec)
        return self._final
