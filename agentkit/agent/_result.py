"""`RunResult`: what an agent run produced, ready to print, save and resume.

`RunLimitExceeded` (defined with every other error in `agentkit._exceptions`) is re-exported
here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from .._core.loop import LoopState, RunUsage, ToolCallRecord
from .._exceptions import RunLimitExceeded

if TYPE_CHECKING:
    from ..types.message import Message
    from ..types.params import MessageParam

__all__ = ["OutputT", "RunLimitExceeded", "RunResult"]

OutputT = TypeVar("OutputT", default=str)
"""The type of a run's output: the agent's `output_type`, or `str` (the final text)."""

_NO_OUTPUT: Any = object()


@dataclass
class RunResult(Generic[OutputT]):
    """The outcome of `agent.run(...)`.

    Attributes:
        output: The run's output: the validated `output_type` value for an agent with one,
            else the final text. None when the run stopped at a limit before the model gave
            its output (`stop_reason` says which).
        text: The final assistant text (the last message's text blocks, joined).
        message: The last `Message` received (None if no response arrived).
        messages: The whole history as JSON-able message params: save it, and pass it as
            `messages=` to continue the conversation or resume the run.
        stop_reason: The API's stop reason, or `"max_turns"` / `"usage_limit"` when a limit
            stopped the run (or `"error"` for the state attached to an API error).
        usage: Tokens summed over every request (cache reads and writes included).
        turns: Model responses received.
        tool_calls: Every tool call: name, input, result, is_error, duration.
    """

    text: str
    message: Message | None
    messages: list[MessageParam]
    stop_reason: str
    usage: RunUsage = field(default_factory=RunUsage)
    turns: int = 0
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    output: OutputT = _NO_OUTPUT

    def __post_init__(self) -> None:
        if self.output is _NO_OUTPUT:
            self.output = self.text  # type: ignore[assignment]

    @classmethod
    def from_state(
        cls, state: LoopState, stop_reason: str, output: Any = _NO_OUTPUT
    ) -> RunResult[Any]:
        """Build from the loop's state (`output`: the typed output, if the run has one)."""
        from ..types.content import TextBlock  # loaded with the run's responses

        message = state.last_message
        text = (
            ""
            if message is None
            else "".join(b.text for b in message.content if isinstance(b, TextBlock))
        )
        return cls(
            text=text,
            message=message,
            messages=list(state.messages),
            stop_reason=stop_reason,
            usage=state.usage,
            turns=state.turns,
            tool_calls=list(state.tool_calls),
            output=output,
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-able data."""
        from pydantic_core import to_jsonable_python

        return {
            "output": to_jsonable_python(self.output, fallback=str),
            "text": self.text,
            "stop_reason": self.stop_reason,
            "turns": self.turns,
            "usage": self.usage.to_dict(),
            "tool_calls": [call.to_dict() for call in self.tool_calls],
            "messages": self.messages,
            "message": None if self.message is None else self.message.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult[Any]:
        """Rebuild a result from `to_dict()` data (`output` as stored: JSON data)."""
        from ..types.message import Message  # loaded with the first rebuilt result

        message = data.get("message")
        return cls(
            text=data["text"],
            message=None if message is None else Message.model_validate(message),
            messages=list(data["messages"]),
            stop_reason=data["stop_reason"],
            usage=RunUsage(**data["usage"]),
            turns=data["turns"],
            tool_calls=[ToolCallRecord(**call) for call in data["tool_calls"]],
            output=data["output"],
        )

    def to_json(self, *, indent: int | None = 2) -> str:
        """The result as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)
