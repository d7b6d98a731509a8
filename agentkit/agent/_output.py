"""Typed output for agent runs: how it is asked for, recognised, validated and re-asked.

`OutputPolicy` is an agent's output configuration (`output_type`, `output_mode`,
`output_retries`, output validators); the run flow (`AgentBase.run_flow`) asks it:
- `apply(params)`: the request with the output tool(s) (`output_mode="tool"`) or the
  structured-output format (`output_mode="native"`);
- `relay(native)`: how a streamed response's events reach the caller, with `OutputChunk`s as
  the output arrives;
- `tool_for(name)` / `answer(...)`: which tool calls carry the output, and the `tool_result`
  answering them;
- the re-ask texts for invalid output, for a text answer where the output tool was due, and
  for a validator's `RetryOutput`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._core.events import InputJsonEvent, TextEvent, ThinkingEvent
from .._core.partial_json import parse_partial_json
from .._core.tool_calls import ToolCall, ToolResult
from .._exceptions import OutputProblem, UsageError
from ._events import OutputChunk

if TYPE_CHECKING:
    from .._output import OutputSpec

__all__ = ["OutputMode", "OutputPolicy", "OutputValidator", "relay_text"]

OutputMode = Literal["tool", "native"]
"""How the model gives typed output: by calling an output tool, or as structured-output JSON."""

OutputValidator = Callable[..., Any]
"""A function checking a run's output: `(output)` or `(ctx, output)`, plain or async; it may
return a replacement, or raise `RetryOutput("why")` to re-ask the model."""

_TOOL_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")

ACCEPTED = "The output was received."


def relay_text(event: Any) -> tuple[Any, ...]:
    """A streamed response's events for the caller of an untyped run: text and thinking."""
    return (event,) if isinstance(event, (TextEvent, ThinkingEvent)) else ()


class OutputPolicy:
    """An agent's typed output (see `Agent`'s `output_type`, `output_mode`, `output_retries`).

    Raises:
        UsageError: A mode other than "tool"/"native", a negative `retries`, or a type with no
            JSON Schema (or, in native mode, one the API's structured outputs cannot follow).
    """

    def __init__(self, output_type: Any, *, mode: str, retries: int) -> None:
        if mode not in ("tool", "native"):
            raise UsageError(f"output_mode must be 'tool' or 'native', got {mode!r}.")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise UsageError(f"output_retries must be an int >= 0, got {retries!r}.")
        from .._output import OUTPUT_TOOL_NAME, OutputSpec  # the schema machinery, on first use

        self.mode: OutputMode = "tool" if mode == "tool" else "native"
        self.retries = retries
        self.spec: OutputSpec[Any] = OutputSpec(output_type, structured=self.mode == "native")
        self.validators: list[tuple[OutputValidator, int]] = []
        """The output validators, each with how many arguments it takes (1 or 2)."""
        members = self.spec.members() if self.mode == "tool" else [self.spec]
        if len(members) == 1:
            self.tools = {OUTPUT_TOOL_NAME: members[0]} if self.mode == "tool" else {}
        else:
            self.tools = {_tool_name(OUTPUT_TOOL_NAME, m.name): m for m in members}
        self._tool_defs = self._tool_params()
        self._format = {"type": "json_schema", "schema": self.spec.api_schema}

    # -- the request ------------------------------------------------------------------------------

    def apply(self, params: dict[str, Any], *, tool_choice_given: bool) -> dict[str, Any]:
        """`params` asking for the output: output tool(s), or the structured-output format."""
        if self.mode == "native":
            config = dict(params.get("output_config") or {})
            config["format"] = self._format
            return {**params, "output_config": config}
        tools = [*params.get("tools", ()), *self._tool_defs]
        out = {**params, "tools": tools}
        if not tool_choice_given:
            thinking = params.get("thinking") or {}
            # The API refuses a forced tool choice with extended thinking: then the model is
            # asked in words, and re-asked when it answers in text.
            forced = thinking.get("type") in (None, "disabled")
            out["tool_choice"] = {"type": "any"} if forced else {"type": "auto"}
        return out

    def check_names(self, names: Sequence[str]) -> None:
        """Raise `UsageError` when one of the agent's tools has an output tool's name."""
        clash = sorted(set(names) & set(self.tools))
        if clash:
            raise UsageError(
                f"the agent has a tool named {clash[0]!r}, the name of its output tool; "
                "rename the tool."
            )

    def _tool_params(self) -> list[dict[str, Any]]:
        params = []
        several = len(self.tools) > 1
        for name, spec in self.tools.items():
            doc = spec.description or f"The final answer, as {spec.name}."
            when = f" Call this when the answer is a {spec.name}." if several else ""
            description = f"{doc}{when} Call this tool to give your final answer; it ends the run."
            schema = spec.tool_schema()
            params.append({"name": name, "description": description, "input_schema": schema})
        return params

    # -- streaming --------------------------------------------------------------------------------

    def relay(self) -> Callable[[Any], tuple[Any, ...]]:
        """A streamed response's events for the caller, with `OutputChunk`s for the output."""
        return _NativeRelay(self.spec) if self.mode == "native" else _ToolRelay(self.tools)

    # -- the response -----------------------------------------------------------------------------

    def tool_for(self, name: str) -> OutputSpec[Any] | None:
        """The output spec of an output tool, or None for any other tool."""
        return self.tools.get(name)

    @staticmethod
    def answer(call: ToolCall, problems: Sequence[OutputProblem] | None) -> ToolResult:
        """The `tool_result` for an output tool call: accepted, or every problem."""
        if not problems:
            return ToolResult(call=call, content=ACCEPTED)
        return ToolResult(call=call, content=reask_text(problems, tool=call.name), is_error=True)

    def reask_for_text(self) -> str:
        """The user message after a text answer where the output tool was due."""
        names = " or ".join(repr(name) for name in self.tools)
        return (
            f"Give your final answer by calling the {names} tool "
            "(not as text), with input that matches its schema."
        )


def reask_text(problems: Sequence[OutputProblem], *, tool: str | None = None) -> str:
    """The model's re-ask for invalid output: every problem with its path, and what to do."""
    lines = "\n".join(f"- {problem}" for problem in problems)
    fix = (
        f"Call the {tool!r} tool again with corrected input."
        if tool
        else ("Answer again with JSON that matches the schema.")
    )
    return f"The output is not valid:\n{lines}\n{fix}"


def validator_arity(fn: OutputValidator) -> int:
    """How many arguments a validator takes: 1 (`output`) or 2 (`ctx, output`)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 1
    positional = [
        p
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) not in (1, 2):
        raise UsageError(
            f"output validator {getattr(fn, '__name__', fn)!r} must take (output) or (ctx, output)."
        )
    return len(positional)


def _tool_name(prefix: str, member: str) -> str:
    return _TOOL_NAME_CHARS.sub("_", f"{prefix}_{member}")[:64]


def _partial(spec: OutputSpec[Any], data: Any) -> Any:
    if spec.wrapped:
        return data.get("result") if isinstance(data, Mapping) else None
    return data


class _ToolRelay:
    """Text and thinking as they stream, and the output tool's input as `OutputChunk`s."""

    def __init__(self, tools: Mapping[str, OutputSpec[Any]]) -> None:
        self.tools = tools
        self.current: OutputSpec[Any] | None = None

    def __call__(self, event: Any) -> tuple[Any, ...]:
        if getattr(event, "type", None) == "content_block_start":
            block = event.content_block
            is_tool = getattr(block, "type", None) == "tool_use"
            self.current = self.tools.get(getattr(block, "name", "")) if is_tool else None
            return ()
        if isinstance(event, InputJsonEvent):
            partial = None if self.current is None else _partial(self.current, event.snapshot)
            return () if partial is None else (OutputChunk(partial),)
        return relay_text(event)


class _NativeRelay:
    """Text as it streams, and the JSON parsed so far as `OutputChunk`s."""

    def __init__(self, spec: OutputSpec[Any]) -> None:
        self.spec = spec

    def __call__(self, event: Any) -> tuple[Any, ...]:
        if isinstance(event, TextEvent):
            partial = _partial(self.spec, parse_partial_json(event.snapshot))
            return (event,) if partial is None else (event, OutputChunk(partial))
        return relay_text(event)
