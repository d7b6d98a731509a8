"""The events `agent.stream(...)` yields, in order, as a run happens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from .._core.events import TextEvent, ThinkingEvent
from .._core.tool_calls import ToolCall, ToolResult

if TYPE_CHECKING:
    from ..types.message import Message, Usage
    from ._result import RunResult

__all__ = [
    "AgentEvent",
    "OutputChunk",
    "RunFinished",
    "TextChunk",
    "ThinkingChunk",
    "ToolCallFinished",
    "ToolCallStarted",
    "TurnFinished",
]


TextChunk = TextEvent
"""Text from the model as it streams: the stream helper's own `TextEvent` (`text` is the new
piece, `snapshot` the block so far). The same event reaches you from `client.messages.stream()`
and from `agent.stream()`; `TextChunk` is its name in agent code."""

ThinkingChunk = ThinkingEvent
"""Thinking text as it streams: the stream helper's `ThinkingEvent` (see `TextChunk`)."""


@dataclass(frozen=True)
class ToolCallStarted:
    """A tool call is about to run."""

    call: ToolCall
    type: Literal["tool_call_started"] = "tool_call_started"

    @property
    def name(self) -> str:
        """The tool's name."""
        return self.call.name

    @property
    def id(self) -> str:
        """The `tool_use` id."""
        return self.call.id

    @property
    def input(self) -> dict[str, Any]:
        """The input the model sent."""
        return self.call.input


@dataclass(frozen=True)
class ToolCallFinished:
    """A tool call finished (or failed, or was refused).

    `result` is the content the model receives; `tool_result` has everything (the Python
    return value, the exception, whether the function ran).
    """

    tool_result: ToolResult
    type: Literal["tool_call_finished"] = "tool_call_finished"

    @property
    def call(self) -> ToolCall:
        """The call."""
        return self.tool_result.call

    @property
    def name(self) -> str:
        """The tool's name."""
        return self.tool_result.call.name

    @property
    def id(self) -> str:
        """The `tool_use` id."""
        return self.tool_result.call.id

    @property
    def input(self) -> dict[str, Any]:
        """The input the tool was called with."""
        return self.tool_result.call.input

    @property
    def result(self) -> Any:
        """The `tool_result` content the model receives."""
        return self.tool_result.content

    @property
    def content(self) -> Any:
        """Same as `result`."""
        return self.tool_result.content

    @property
    def is_error(self) -> bool:
        """Whether the model is told the call failed."""
        return self.tool_result.is_error

    @property
    def duration(self) -> float:
        """Seconds the function ran."""
        return self.tool_result.duration

    @property
    def exception(self) -> BaseException | None:
        """The exception the tool raised, if any (the model read only `Type: message`)."""
        return self.tool_result.exception


@dataclass(frozen=True)
class TurnFinished:
    """A model response is complete."""

    message: Message
    type: Literal["turn_finished"] = "turn_finished"

    @property
    def usage(self) -> Usage:
        """This response's usage."""
        return self.message.usage


@dataclass(frozen=True)
class OutputChunk:
    """Typed output as it streams (`output_type` runs): the output parsed so far.

    `partial` is best-effort JSON data (dicts, lists, scalars; open strings and containers
    closed), not yet validated: the validated output arrives in `RunFinished.result.output`.
    In tool mode it is the output tool's input so far, in native mode the JSON text so far.
    """

    partial: Any
    type: Literal["output_chunk"] = "output_chunk"


@dataclass(frozen=True)
class RunFinished:
    """The run is over; `result` is what `run()` would have returned."""

    result: RunResult[Any]
    type: Literal["run_finished"] = "run_finished"


AgentEvent: TypeAlias = (
    TextEvent
    | ThinkingEvent
    | ToolCallStarted
    | ToolCallFinished
    | TurnFinished
    | OutputChunk
    | RunFinished
)
"""Any event of `agent.stream(...)`."""
