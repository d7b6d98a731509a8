"""One tool call from request to result, without I/O: what to run, and what to answer.

`plan_call` finds the tool and validates the input (or answers the call at once, its
`not_run` naming why); `finish_call` turns what the function did (returned, raised, timed out)
into a `ToolResult`. The sync and async drivers in `_toolbox.py` only run the function in
between.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._core.tool_calls import ToolCall, ToolResult
from .._exceptions import ToolError
from .._logs import tools_log
from ._results import to_content, truncate
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
        text = f"Unknown tool {call.name!r}. Available tools: {available}."
        return ToolResult(call=call, content=text, is_error=True, not_run="tool_not_found")
    if call.input_error is not None:
        text = (
            f"The input for tool {call.name!r} could not be used: {call.input_error}. "
            "The tool was not run; call it again with a complete JSON object."
        )
        return ToolResult(call=call, content=text, is_error=True, not_run="malformed_input")
    bound = tool.bind(call.input)
    if isinstance(bound, str):
        return ToolResult(call=call, content=bound, is_error=True, not_run="invalid_input")
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
    """The result for a call that ran (or timed out), with its wall-clock start."""
    result = _result_of(planned, outcome, format_error)
    # the start on the wall clock: now, less the monotonic time elapsed since the start
    result.started_at = time.time() - (time.perf_counter() - outcome.started)
    return result


def _result_of(planned: Planned, outcome: Outcome, format_error: ErrorFormatter) -> ToolResult:
    """The result for a call that ran (or timed out); a failure is logged on `agentkit.tools`."""
    call, tool = planned.call, planned.tool
    duration = max(0.0, (outcome.ended or time.perf_counter()) - outcome.started)
    if outcome.timed_out:
        tools_log.warning(
            "tool %r (call %s) timed out after %g s", call.name, call.id, tool.timeout
        )
        text = (
            f"Tool {call.name!r} timed out after {tool.timeout:g} s; its result is unknown. "
            "Try again, perhaps with a smaller request."
        )
        return ToolResult(call=call, content=text, is_error=True, duration=duration, ran=True)
    exc = outcome.exception
    if isinstance(exc, ToolError):  # the tool's own answer to the model: no traceback
        tools_log.info("tool %r (call %s) raised ToolError: %s", call.name, call.id, exc)
        content = truncate(exc.content, tool.max_result_chars)
        return ToolResult(
            call=call, content=content, is_error=True, duration=duration, exception=exc, ran=True
        )
    if exc is not None:
        told = format_error(exc, call)
        custom = None if format_error is default_error_formatter else format_error
        _log_exception(call, exc, "raised", told, custom)
        message = truncate(told, tool.max_result_chars)
        return ToolResult(
            call=call, content=message, is_error=True, duration=duration, exception=exc, ran=True
        )
    try:
        content = truncate(to_content(outcome.value), tool.max_result_chars)
    except Exception as conversion_error:  # a return value that cannot become JSON
        text = f"Tool {call.name!r} returned a value that cannot be sent: {conversion_error}"
        _log_exception(call, conversion_error, "returned a value that cannot be sent:", "", None)
        return ToolResult(
            call=call,
            content=text,
            is_error=True,
            duration=duration,
            exception=conversion_error,
            ran=True,
        )
    return ToolResult(call=call, content=content, duration=duration, output=outcome.value, ran=True)


def _log_exception(
    call: ToolCall,
    exc: BaseException,
    what: str,
    told: str,
    format_error: ErrorFormatter | None,
) -> None:
    """A WARNING with the traceback; the model reads only `told`, the formatted error.

    With the default formatter the model reads the exception's own text, and the record
    carries the exception. With a formatter of the user's (one that redacts, say), the line is
    `told` and each exception of the traceback is told by that formatter too: the log never
    says more than the model reads.
    """
    if not tools_log.isEnabledFor(logging.WARNING):
        return
    where = f"tool {call.name!r} (call {call.id}) {what}"
    if format_error is None:
        info = (type(exc), exc, exc.__traceback__)
        tools_log.warning("%s %s: %s", where, type(exc).__name__, exc, exc_info=info)
        return
    tools_log.warning("%s %s\n%s", where, told, _traceback(exc, call, told, format_error))


def _traceback(exc: BaseException, call: ToolCall, told: str, format_error: ErrorFormatter) -> str:
    """The traceback of `exc`, told as `told`, and of the exceptions it came from.

    Each exception it came from is told by `format_error` (the log only: the model never reads
    them).
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for position, error in enumerate(reversed(chain)):
        if position:
            parts.append("\nwhich led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(error.__traceback__))
        parts.append((told if error is exc else format_error(error, call)) + "\n")
    return "".join(parts).rstrip("\n")
