"""`RunResult`: what an agent run produced, ready to print, save and resume.

`RunLimitExceeded` (defined with every other error in `agentkit._exceptions`) is re-exported
here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from .._core.loop import LoopState, RequestRecord, RunUsage, ToolCallRecord
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
        tool_calls: Every tool call: name, input, result, is_error, duration, when it
            started and in which turn.
        requests: Every model request: its turn, when it started, how long it took, retries,
            tokens (cache reads and writes included), stop reason, or the error that ended it.
            With `tool_calls`, what the run timeline (`save_html`) shows.
    """

    text: str
    message: Message | None
    messages: list[MessageParam]
    stop_reason: str
    usage: RunUsage = field(default_factory=RunUsage)
    turns: int = 0
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    output: OutputT = _NO_OUTPUT
    requests: list[RequestRecord] = field(default_factory=list)

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
            requests=list(state.requests),
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
            "requests": [request.to_dict() for request in self.requests],
            "messages": self.messages,
            "message": None if self.message is None else self.message.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult[Any]:
        """Rebuild a result from `to_dict()` data (`output` as stored: JSON data).

        Data saved before requests were recorded (no `requests`, no tool call times) loads
        too, with those left empty.
        """
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
            requests=[RequestRecord.from_dict(r) for r in data.get("requests", ())],
        )

    @property
    def seconds(self) -> float | None:
        """Seconds from the first model request's start to the last request or tool call's end.

        None when no times were recorded (e.g. a result saved by an older version).
        """
        spans = [
            (r.started_at, r.started_at + r.duration)
            for r in self.requests
            if r.started_at is not None and r.duration is not None
        ]
        spans += [
            (c.started_at, c.started_at + c.duration)
            for c in self.tool_calls
            if c.started_at is not None
        ]
        if not spans:
            return None
        return max(end for _, end in spans) - min(start for start, _ in spans)

    def save_html(self, path: str | os.PathLike[str], *, title: str | None = None) -> None:
        """Write the run as a timeline page: one self-contained HTML file (no network).

        Each turn shows its model latency and tokens; each tool call is a bar (calls that ran
        at once on separate lanes); errors, retries and `is_error` results stand out; every
        message opens to its full content. See the "Run timeline" guide.

        Args:
            path: The file to write (UTF-8).
            title: The page's title (default: "Agent run").
        """
        from .._timeline import render_run

        page = render_run(self.to_dict(), title=title or "Agent run")
        with open(path, "w", encoding="utf-8") as file:
            file.write(page)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The result as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)
