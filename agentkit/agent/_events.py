"""The events `agent.stream(...)` yields, in order, as a run happens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from ..tools._calls import ToolCall, ToolResult
from ..types.message import Message, Usage

if TYPE_CHECKING:
    from ._result import RunResult

__all__ = [
    "AgentEvent",
    "RunFinished",
    "TextChunk",
    "ThinkingChunk",
    "ToolCallFinished",
    "ToolCallStarted",
    "TurnFinished",
]


@dataclass(frozen=True)
class TextChunk:
    """Text from the model, as it streams."""

    text: str
    type: Literal["text"] = "text"


@dataclass(frozen=True)
class ThinkingChunk:
    """Thinking text from the model, as it streams."""

    thinking: str
    type: Literal["thinking"] = "thinking"


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
class RunFinished:
    """The run is over; `result` is what `run()` would have returned."""

    result: RunResult
    type: Literal["run_finished"] = "run_finished"


AgentEvent: TypeAlias = (
    TextChunk | ThinkingChunk | ToolCallStarted | ToolCallFinished | TurnFinished | RunFinished
)
"""Any event of `agent.stream(...)`."""
