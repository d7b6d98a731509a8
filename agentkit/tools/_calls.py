"""One tool call from request to result, without I/O: what to run, and what to answer.

`plan_call` finds the tool and validates the input (or produces the error result at once);
`finish_call` turns what the function did (returned, raised, timed out) into a `ToolResult`.
The sync and async drivers in `_toolbox.py` only run the function in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._exceptions import ToolError
from ..types.content import ToolUseBlock
from ..types.params import ToolResultBlockParam
from ._results import ToolContent, to_content, truncate
from ._tool import BoundCall, Tool

if TYPE_CHECKING:
    from ._context import ToolContext

__all__ = [
    "ErrorFormatter",
    "Planned",
    "ToolCall",
    "ToolResult",
    "default_error_formatter",
    "finish_call",
    "plan_call",
    "redacting_formatter",
]


@dataclass(frozen=True)
class ToolCall:
    """A tool call the model asked for.

    Attributes:
        id: The `tool_use` block's id.
        name: The tool's name.
        input: The input the model sent (`{}` when it could not be parsed).
        input_error: Why the streamed input is unusable (invalid or cut-off JSON), if it is.
    """

    id: str
    name: str
    input: dict[str, Any]
    input_error: str | None = None

    @classmethod
    def from_block(cls, block: ToolUseBlock | Mapping[str, Any]) -> ToolCall:
        """From a `tool_use` block (model or dict)."""
        if isinstance(block, ToolUseBlock):
            return cls(block.id, block.name, dict(block.input), block.input_error)
        raw_input = block.get("input")
        return cls(
            str(block.get("id", "")),
            str(block.get("name", "")),
            dict(raw_input) if isinstance(raw_input, Mapping) else {},
            None if isinstance(raw_input, Mapping) else "the tool input is not a JSON object",
        )


@dataclass
class ToolResult:
    """What one tool call produced.

    Attributes:
        call: The call.
        content: The `tool_result` content (text, blocks, or None).
        is_error: Whether the model is told the call failed.
        duration: Seconds spent running the function (0 when it never ran).
        output: The function's return value (None on error).
        exception: The exception the function raised, if any.
        ran: Whether the function was called at all.
    """

    call: ToolCall
    content: ToolContent
    is_error: bool = False
    duration: float = 0.0
    output: Any = None
    exception: BaseException | None = field(default=None, repr=False)
    ran: bool = False

    def to_param(self) -> ToolResultBlockParam:
        """The `tool_result` block answering the call."""
        param: ToolResultBlockParam = {"type": "tool_result", "tool_use_id": self.call.id}
        if self.content is not None and self.content != "":
            param["content"] = self.content  # type: ignore[typeddict-item]
        if self.is_error:
            param["is_error"] = True
        return param


ErrorFormatter = Callable[[BaseException, ToolCall], str]
"""Turns an exception raised by a tool into the text the model reads."""


def default_error_formatter(exc: BaseException, call: ToolCall) -> str:
    """`ExceptionType: message`, no traceback (replace it to redact secrets)."""
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def redacting_formatter(
    *secrets: str, base: ErrorFormatter = default_error_formatter, marker: str = "<redacted>"
) -> ErrorFormatter:
    """An error formatter that replaces each secret in the text the model would read.

    Use it when tool exceptions may quote credentials or personal data:
    `Toolbox(tools, format_error=redacting_formatter(api_key, db_password))`.
    """
    kept = sorted((s for s in secrets if s), key=len, reverse=True)

    def format_error(exc: BaseException, call: ToolCall) -> str:
        text = base(exc, call)
        for secret in kept:
            text = text.replace(secret, marker)
        return text

    return format_error


@dataclass(frozen=True)
class Planned:
    """A call that passed validation: the tool and its arguments."""

    call: ToolCall
    tool: Tool[..., Any]
    bound: BoundCall

    def arguments(self, context: ToolContext[Any] | None) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Positional and keyword arguments, with the context injected when asked for."""
        args, kwargs = self.bound.args, self.bound.kwargs
        if self.bound.context_param is None or context is None:
            return args, kwargs
        context = context.with_call(self.call.id, self.call.name)
        position = self.bound.context_position
        if position is not None:  # a positional-only context parameter
            return (*args[:position], context, *args[position:]), kwargs
        return args, {**kwargs, self.bound.context_param: context}


def plan_call(tools: Mapping[str, Tool[..., Any]], call: ToolCall) -> Planned | ToolResult:
    """Find the tool and validate the input; an error result when either fails."""
    tool = tools.get(call.name)
    if tool is None:
        available = ", ".join(sorted(tools)) or "(none)"
        return ToolResult(
            call,
            f"Unknown tool {call.name!r}. Available tools: {available}.",
            is_error=True,
        )
    if call.input_error is not None:
        return ToolResult(
            call,
            f"The input for tool {call.name!r} could not be used: {call.input_error}. "
            "The tool was not run; call it again with a complete JSON object.",
            is_error=True,
        )
    bound = tool.bind(call.input)
    if isinstance(bound, str):
        return ToolResult(call, bound, is_error=True)
    return Planned(call, tool, bound)


@dataclass
class Outcome:
    """What running the function did: exactly one of value / exception / timed out."""

    value: Any = None
    exception: BaseException | None = None
    timed_out: bool = False
    started: float = field(default_factory=time.perf_counter)
    ended: float = 0.0


def finish_call(planned: Planned, outcome: Outcome, format_error: ErrorFormatter) -> ToolResult:
    """The result for a call that ran (or timed out)."""
    call, tool = planned.call, planned.tool
    duration = max(0.0, (outcome.ended or time.perf_counter()) - outcome.started)
    if outcome.timed_out:
        text = (
            f"Tool {call.name!r} timed out after {tool.timeout:g} s; its result is unknown. "
            "Try again, perhaps with a smaller request."
        )
        return ToolResult(call, text, is_error=True, duration=duration, ran=True)
    exc = outcome.exception
    if isinstance(exc, ToolError):
        content = truncate(exc.content, tool.max_result_chars)
        return ToolResult(call, content, True, duration, exception=exc, ran=True)
    if exc is not None:
        message = truncate(format_error(exc, call), tool.max_result_chars)
        return ToolResult(call, message, True, duration, exception=exc, ran=True)
    try:
        content = truncate(to_content(outcome.value), tool.max_result_chars)
    except Exception as conversion_error:  # a return value that cannot become JSON
        text = f"Tool {call.name!r} returned a value that cannot be sent: {conversion_error}"
        return ToolResult(call, text, True, duration, exception=conversion_error, ran=True)
    return ToolResult(call, content, False, duration, output=outcome.value, ran=True)
