"""What a model can answer with, the faults it can inject, and the answer on the wire."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import to_jsonable_python

from .._exceptions import ScriptExhaustedError
from .._output import OUTPUT_TOOL_NAME, WRAPPER_KEY

__all__ = [
    "ErrorReply",
    "Exchange",
    "Fault",
    "ModelRequest",
    "RawReply",
    "Reply",
    "ScriptExhaustedError",
    "output_call",
    "output_text",
    "output_value",
]


class ModelRequest(dict[str, Any]):
    """A request as a model sees it: the parsed JSON body, plus where and how it came.

    Being a dict, it is the request body (`request["messages"]`); the properties are shortcuts.
    """

    def __init__(
        self, body: Mapping[str, Any], *, path: str, headers: Mapping[str, str], index: int
    ) -> None:
        super().__init__(body)
        self.path = path
        self.headers = dict(headers)
        self.index = index
        """0 for the model's first request, 1 for the next..."""

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The conversation."""
        return list(self.get("messages") or [])

    @property
    def tools(self) -> list[dict[str, Any]]:
        """The tool definitions offered."""
        return list(self.get("tools") or [])

    @property
    def tool_names(self) -> list[str]:
        """Names of the client tools offered (custom tools, not server tools)."""
        return [t["name"] for t in self.tools if t.get("type", "custom") == "custom"]

    @property
    def stream(self) -> bool:
        """Whether the request asks for a stream."""
        return self.get("stream") is True

    @property
    def last_user_text(self) -> str:
        """The text of the last user message (text blocks joined)."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, str):
                    return content
                return "".join(
                    b.get("text", "")
                    for b in content or []
                    if isinstance(b, dict) and b.get("type") == "text"
                )
        return ""

    @property
    def tool_results(self) -> list[dict[str, Any]]:
        """The `tool_result` blocks of the last message, when it is a user message."""
        messages = self.messages
        if not messages or messages[-1].get("role") != "user":
            return []
        content = messages[-1].get("content")
        if not isinstance(content, list):
            return []
        return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


@dataclass(frozen=True)
class Reply:
    """An answer with control over more than the content.

    Attributes:
        content: Text, or content blocks (dicts or response models); a `tool_use` block
            without an `id` gets one.
        stop_reason: Defaults to `tool_use` when the content calls a tool, else `end_turn`.
        stop_sequence: The stop sequence matched, with `stop_reason="stop_sequence"`.
        usage: Usage fields overriding the counting rule.
        extra: More top-level message fields (e.g. `stop_details`, `container`).
        headers: Extra response headers (e.g. `anthropic-ratelimit-*`).
    """

    content: str | Sequence[Any]
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RawReply:
    """Exact bytes to answer with, e.g. a recorded SSE stream.

    The request's `stream` flag is not consulted: the bytes are sent as they are.
    """

    body: bytes
    status: int = 200
    content_type: str = "text/event-stream"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorReply:
    """An API error response.

    Attributes:
        status: HTTP status (e.g. 529).
        type: The `error.type` (defaults from the status).
        message: The `error.message`.
        retry_after: Seconds for a `retry-after` header.
        should_retry: Value of an `x-should-retry` header.
    """

    status: int
    type: str | None = None
    message: str = "Injected error"
    retry_after: float | None = None
    should_retry: bool | None = None


@dataclass(frozen=True)
class Fault:
    """A failure to inject into one request's answer.

    Attributes:
        status: Answer with this HTTP error status instead (with `retry_after`,
            `should_retry`, `error_type`).
        retry_after: Seconds for a `retry-after` header on an error status.
        should_retry: An `x-should-retry` header on an error status.
        error_type: The `error.type` for `status` or for `error_event_after`.
        error_event_after: In a stream, send an `error` event after this many events.
        cut_after: In a stream, drop the connection after this many events.
        reset: Drop the connection before any response (the request never arrived).
        lost: The request arrives and is acted on (a batch is created...), then the connection
            drops before the answer.
        delay: Seconds to wait before answering; past the client's read timeout, the client
            sees a timeout.
    """

    status: int | None = None
    retry_after: float | None = None
    should_retry: bool | None = None
    error_type: str | None = None
    error_event_after: int | None = None
    cut_after: int | None = None
    reset: bool = False
    lost: bool = False
    delay: float = 0.0

    @classmethod
    def error_status(
        cls, status: int = 529, *, retry_after: float | None = None, **kw: Any
    ) -> Fault:
        """Answer with an error status (529 by default)."""
        return cls(status=status, retry_after=retry_after, **kw)

    @classmethod
    def error_event(cls, after: int = 2, error_type: str = "overloaded_error") -> Fault:
        """Fail a stream with an `error` event after `after` events."""
        return cls(error_event_after=after, error_type=error_type)

    @classmethod
    def cut(cls, after: int = 2) -> Fault:
        """Drop a stream's connection after `after` events."""
        return cls(cut_after=after)


@dataclass
class Exchange:
    """One answer on the wire, before a transport or server sends it.

    Attributes:
        status: HTTP status.
        headers: Response headers.
        body: The JSON (or raw) body, when not streaming events.
        events: The SSE events, when streaming.
        fault: The fault to inject while sending (delay, reset, cut, error event).
    """

    status: int
    headers: dict[str, str]
    body: bytes = b""
    events: list[bytes] | None = None
    fault: Fault | None = None


def output_value(data: Any, *, wrap: bool | None = None) -> Any:
    """`data` as the JSON the model sends for an output: made JSON-able, wrapped when needed.

    A pydantic model, dataclass, `TypedDict`, enum, date... becomes its JSON value. The API needs
    an object at the top, so agentkit wraps a type whose schema is not an object (a list, a
    `Literal`, a primitive, a union) as `{"result": value}`: `wrap=None` wraps a value that is
    not an object, `True` always wraps (e.g. one member of a union of models), `False` never.
    """
    value = to_jsonable_python(data)
    if wrap or (wrap is None and not isinstance(value, dict)):
        return {WRAPPER_KEY: value}
    return value


def output_call(
    data: Any, name: str = OUTPUT_TOOL_NAME, *, wrap: bool | None = None
) -> dict[str, Any]:
    """A `tool_use` block calling the output tool with `data` (tool-mode output).

    For a `FunctionModel` or a `ScriptedModel` reply. `name` is the output tool's name:
    `final_result`, or `final_result_<Member>` for one member of a union of models. `data` is
    sent as it is after `output_value` (JSON-able, wrapped when not an object): data that does
    not match the output type is how to test the agent's re-ask.
    """
    return {"type": "tool_use", "name": name, "input": output_value(data, wrap=wrap)}


def output_text(data: Any, *, wrap: bool | None = None) -> str:
    """The JSON text of `data` as a structured-output answer (native-mode output).

    For a `FunctionModel` or a `ScriptedModel` reply: `output_value(data)` as JSON text.
    """
    return json.dumps(output_value(data, wrap=wrap), ensure_ascii=False)
