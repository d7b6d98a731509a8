"""The seam between agentkit's drivers and OpenTelemetry (`agentkit.otel` is its public face).

The drivers call a handful of functions here; with OpenTelemetry absent or switched off each is
a no-op on shared null objects, and `opentelemetry` is imported only by the first run that
looks for it (never by `import agentkit`).

Spans follow the OpenTelemetry GenAI semantic conventions:

- `invoke_agent {name}` (INTERNAL) around a run: `Run`;
- `chat {model}` (CLIENT) around each model request: `Chat`;
- `execute_tool {tool}` (INTERNAL) around each tool call that runs (`tool_span`), and for each
  call answered without running (`Run.saw`, as the call's `ToolCallFinished` goes by: a
  zero-length span at the moment the call was answered, its `error.type` the result's).

A run's span is never left current across a `yield` to the caller of `agent.stream()`: the
drivers make it current around each effect they perform (`Run.attached()`), and the model
request's span around each step of the request (`Chat.attach` / `Chat.aattach`). Tools run in
a copy of that context (threads included), so a tool's own spans nest under its
`execute_tool` span. A private context variable names the current span of ours, so the sender
can record retries and rate-limit waits as events on it, and the tool executor knows whether
the agent running it is instrumented.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncGenerator, Generator, Mapping
from contextlib import nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ._core.tool_calls import NOT_RUN

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from ._core.tool_calls import ToolCall
    from .types.message import Message

__all__ = [
    "CAPTURE_CONTENT_ENV",
    "Chat",
    "Run",
    "Settings",
    "available",
    "event",
    "settings",
    "start_run",
    "tool_span",
    "use",
]

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
"""The GenAI conventions' switch for recording message and tool content (`true` turns it on)."""

PROVIDER = "anthropic"

_E = TypeVar("_E")
_R = TypeVar("_R")


@dataclass(frozen=True)
class Settings:
    """The process-wide configuration (`agentkit.otel.configure`).

    Attributes:
        enabled: Whether agents emit spans at all (each may still opt out).
        capture_content: Record message and tool content (None: the environment decides).
        tracer_provider: The provider to take the tracer from (None: the global one).
    """

    enabled: bool = True
    capture_content: bool | None = None
    tracer_provider: TracerProvider | None = None


_settings = Settings()
_NOT_LOOKED = object()
_tracer: Any = _NOT_LOOKED
_api: Any = None  # the `_Api`, once a run found OpenTelemetry


class _Api:
    """The OpenTelemetry names the spans use, imported once (not per span)."""

    def __init__(self) -> None:
        from opentelemetry import context, trace

        self.attach = context.attach
        self.detach = context.detach
        self.set_span_in_context = trace.set_span_in_context
        self.client = trace.SpanKind.CLIENT
        self.internal = trace.SpanKind.INTERNAL
        self.status = trace.Status
        self.error = trace.StatusCode.ERROR


_current: ContextVar[_Scope | None] = ContextVar("agentkit_span", default=None)


def settings() -> Settings:
    """The configuration in force."""
    return _settings


def use(new: Settings) -> None:
    """Put `new` in force (the tracer is looked up again on the next run)."""
    global _settings, _tracer
    _settings = new
    _tracer = _NOT_LOOKED


def available() -> bool:
    """Whether `opentelemetry-api` can be imported."""
    try:
        import opentelemetry.trace  # noqa: F401
    except ImportError:
        return False
    return True


def _get_tracer() -> Tracer | None:
    """The tracer, looked up once per configuration; None when off or not installed."""
    global _tracer, _api
    tracer = _tracer
    if tracer is _NOT_LOOKED:  # threads may look at once: each finds the same tracer
        tracer = None
        if _settings.enabled and available():
            from opentelemetry import trace

            from ._version import __version__

            _api = _Api()
            tracer = trace.get_tracer(
                "agentkit", __version__, tracer_provider=_settings.tracer_provider
            )
        _tracer = tracer
    return tracer  # type: ignore[no-any-return]


def _capture(choice: bool | None) -> bool:
    if choice is not None:
        return choice
    if _settings.capture_content is not None:
        return _settings.capture_content
    return os.environ.get(CAPTURE_CONTENT_ENV, "").strip().lower() == "true"


# -- spans -------------------------------------------------------------------------------------


class _Scope:
    """One span of ours and the OpenTelemetry context in which it is current."""

    __slots__ = ("capture", "context", "span")

    def __init__(self, span: Span, capture: bool) -> None:
        self.span = span
        self.capture = capture
        self.context = _api.set_span_in_context(span)

    def attached(self) -> _Attached:
        """A context manager making this span current (OpenTelemetry's and ours)."""
        return _Attached(self)

    def fail(self, error: BaseException) -> None:
        """Mark the span failed with `error` (`error.type`, status, the exception event)."""
        self.span.set_attribute("error.type", type(error).__qualname__)
        self.span.record_exception(error)
        self.span.set_status(_api.status(_api.error, str(error)))


class _Attached:
    __slots__ = ("_scope", "_tokens")

    def __init__(self, scope: _Scope) -> None:
        self._scope = scope

    def __enter__(self) -> None:
        self._tokens = (_api.attach(self._scope.context), _current.set(self._scope))

    def __exit__(self, *exc_info: object) -> None:
        otel_token, token = self._tokens
        _current.reset(token)
        _api.detach(otel_token)


def event(name: str, attributes: Mapping[str, Any]) -> None:
    """Record an event (a retry, a rate-limit wait) on the current span of ours, if any."""
    scope = _current.get()
    if scope is not None:
        scope.span.add_event(name, dict(attributes))


class Run(_Scope):
    """The span of one agent run (`invoke_agent {name}`)."""

    __slots__ = ("server", "tool_starts", "tracer")

    def __init__(self, span: Span, capture: bool, server: tuple[str, int], tracer: Tracer) -> None:
        super().__init__(span, capture)
        self.server = server
        self.tracer = tracer
        self.tool_starts: dict[str, int] = {}  # call id -> when its `ToolCallStarted` went by

    def chat(self, params: Mapping[str, Any], stream: bool) -> Chat:
        """The span of one model request of this run (not current yet).

        Its attributes go to the SDK in one mapping as the span starts (each later call takes
        the span's lock and checks its attributes again).
        """
        get = params.get
        model = str(get("model", ""))
        address, port = self.server
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": PROVIDER,
            "gen_ai.request.model": model,
            "server.address": address,
            "server.port": port,
        }
        for key, name in _REQUEST_ATTRIBUTES:
            value = get(key)
            if value is not None:
                attributes[name] = value
        if get("stop_sequences"):
            attributes["gen_ai.request.stop_sequences"] = list(params["stop_sequences"])
        if stream:
            attributes["gen_ai.request.stream"] = True
        if self.capture:  # the content only when recorded (building the JSON is not free)
            attributes["gen_ai.input.messages"] = _json(_messages(get("messages")))
            if get("system"):
                attributes["gen_ai.system_instructions"] = _json(_parts(params["system"]))
        span = self.tracer.start_span(
            f"chat {model}", self.context, kind=_api.client, attributes=attributes
        )
        return Chat(span, self.capture)

    def saw(self, event: _E) -> _E:
        """Note an event of the run on its way to the caller.

        The result, when it comes; and each tool call's start and end, so that a call
        answered without running gets its span (`not_run`).
        """
        seen: Any = event
        kind = getattr(seen, "type", None)
        if kind == "tool_call_started":
            self.tool_starts[seen.call.id] = time.time_ns()
        elif kind == "tool_call_finished":
            self.not_run(seen.tool_result, self.tool_starts.pop(seen.call.id, None))
        elif kind == "run_finished":
            result: Any = seen.result
            usage = result.usage
            attributes = _usage(
                usage.input_tokens,
                usage.output_tokens,
                usage.cache_creation_input_tokens,
                usage.cache_read_input_tokens,
                {"gen_ai.response.finish_reasons": [result.stop_reason]},
            )
            if self.capture:
                output = [
                    {"role": "assistant", "parts": [{"type": "text", "content": result.text}]}
                ]
                attributes["gen_ai.output.messages"] = _json(output)
            self.span.set_attributes(attributes)  # one call: one lock, one check
        return event

    def not_run(self, result: Any, at: int | None) -> None:
        """The span of a call answered without running, if `result` says why (`not_run`).

        `at` is when the call was answered (its `ToolCallStarted`, in ns since the epoch): the
        span starts and ends then. A result that says nothing of why, such as one a journal
        replays, gets none (nor does a replayed call that ran: a span is for what happens
        in this run).
        """
        error_type = result.not_run
        if error_type is None:
            return
        call = result.call
        attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.provider.name": PROVIDER,
            "gen_ai.tool.name": call.name,
            "gen_ai.tool.call.id": call.id,
            "error.type": error_type,
        }
        if self.capture:
            attributes["gen_ai.tool.call.arguments"] = _json(call.input)
            attributes["gen_ai.tool.call.result"] = _json(result.content)
        span = self.tracer.start_span(
            f"execute_tool {call.name}",
            self.context,
            kind=_api.internal,
            attributes=attributes,
            start_time=at,
        )
        span.set_status(_api.status(_api.error, NOT_RUN.get(error_type, error_type)))
        span.end(end_time=at)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        """End the run's span (failed when the run raised an `Exception`)."""
        if isinstance(error, Exception):
            self.fail(error)
        self.span.end()


class Chat(_Scope):
    """The span of one model request (`chat {model}`)."""

    __slots__ = ()

    def attach(self, steps: Generator[_E, None, Message]) -> Generator[_E, None, Message]:
        """Run `steps` (a model call yielding events) with this span current but between them.

        The span ends with the call, carrying the response's attributes or the failure.
        """
        error: BaseException | None = None
        message: Message | None = None
        attach, detach, context = _api.attach, _api.detach, self.context
        try:
            while True:  # `with self.attached()`, inlined: this runs for every step
                otel_token, token = attach(context), _current.set(self)
                try:
                    item = next(steps)
                except StopIteration as stop:
                    message = stop.value
                    return message
                finally:
                    _current.reset(token)
                    detach(otel_token)
                yield item
        except BaseException as exc:
            error = exc
            raise
        finally:
            if error is not None:  # left early (or failed): its clean-up runs in the span
                with self.attached():
                    steps.close()
            self.end(message, error)

    async def aattach(
        self, steps: AsyncGenerator[_E, None], final: list[Message]
    ) -> AsyncGenerator[_E, None]:
        """The async `attach`: `steps` puts the response in `final` before it ends."""
        error: BaseException | None = None
        attach, detach, context = _api.attach, _api.detach, self.context
        try:
            while True:  # `with self.attached()`, inlined: this runs for every step
                otel_token, token = attach(context), _current.set(self)
                try:
                    item = await steps.__anext__()
                except StopAsyncIteration:
                    return
                finally:
                    _current.reset(token)
                    detach(otel_token)
                yield item
        except BaseException as exc:
            error = exc
            raise
        finally:
            with self.attached():
                await steps.aclose()
            self.end(final[0] if final else None, error)

    def end(self, message: Message | None, error: BaseException | None) -> None:
        """End the span with the response's attributes (or the failure)."""
        if message is not None:
            usage = message.usage
            attributes = _usage(
                usage.input_tokens,
                usage.output_tokens,
                usage.cache_creation_input_tokens or 0,
                usage.cache_read_input_tokens or 0,
                {
                    "gen_ai.response.id": message.id,
                    "gen_ai.response.model": message.model,
                    "gen_ai.response.finish_reasons": [message.stop_reason or ""],
                },
            )
            if self.capture:
                output = {
                    "role": "assistant",
                    "parts": _parts(message.to_param()["content"]),
                    "finish_reason": message.stop_reason or "",
                }
                attributes["gen_ai.output.messages"] = _json([output])
            self.span.set_attributes(attributes)  # one call: one lock, one check
        elif isinstance(error, Exception):
            self.fail(error)
        self.span.end()


_REQUEST_ATTRIBUTES = tuple(
    (key, f"gen_ai.request.{key}") for key in ("max_tokens", "temperature", "top_p", "top_k")
)


def _usage(
    uncached: int, output: int, written: int, read: int, attributes: dict[str, Any]
) -> dict[str, Any]:
    """`attributes` with usage added; `gen_ai.usage.input_tokens` counts cached input too.

    The cache counts are left out when zero (each attribute costs the SDK a few microseconds).
    """
    attributes["gen_ai.usage.input_tokens"] = uncached + written + read
    attributes["gen_ai.usage.output_tokens"] = output
    if written:
        attributes["gen_ai.usage.cache_creation.input_tokens"] = written
    if read:
        attributes["gen_ai.usage.cache_read.input_tokens"] = read
    return attributes


class _NullRun:
    """A run without spans: every call does nothing."""

    __slots__ = ()

    def attached(self) -> nullcontext[None]:
        return _NULL_CONTEXT

    def chat(self, params: Mapping[str, Any], stream: bool) -> _NullChat:
        return _NULL_CHAT

    def saw(self, event: _E) -> _E:
        return event

    def __enter__(self) -> _NullRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


class _NullChat:
    __slots__ = ()

    def attach(self, steps: Generator[_E, None, _R]) -> Generator[_E, None, _R]:
        return steps

    def aattach(
        self, steps: AsyncGenerator[_E, None], final: list[Any]
    ) -> AsyncGenerator[_E, None]:
        return steps


_NULL_CONTEXT: nullcontext[None] = nullcontext()
_NULL_RUN = _NullRun()
_NULL_CHAT = _NullChat()


def start_run(
    name: str, model: str, base_url: Any, *, instrument: bool, capture_content: bool | None
) -> Run | _NullRun:
    """The span of a run about to start (a null run when there is nothing to record)."""
    tracer = _get_tracer() if instrument else None
    if tracer is None:
        return _NULL_RUN
    attributes = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": PROVIDER,
        "gen_ai.agent.name": name,
        "gen_ai.request.model": model,
    }
    span = tracer.start_span(f"invoke_agent {name}", kind=_api.internal, attributes=attributes)
    if not span.is_recording():  # no SDK (or not sampled): nothing nested is recorded either
        return _NULL_RUN
    port = base_url.port or (443 if base_url.scheme == "https" else 80)
    return Run(span, _capture(capture_content), (base_url.host, port), tracer)


class Outcome(Protocol):
    """What running a tool's function did (`agentkit.tools._calls.Outcome`)."""

    value: Any
    exception: BaseException | None
    timed_out: bool


class _ToolSpan:
    __slots__ = ("_call", "_outcome", "_parent", "_scope", "_tokens")

    def __init__(self, parent: _Scope, call: ToolCall, outcome: Outcome) -> None:
        self._parent = parent
        self._call = call
        self._outcome = outcome

    def __enter__(self) -> None:
        tracer = _get_tracer()
        assert tracer is not None
        call, capture = self._call, self._parent.capture
        attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.provider.name": PROVIDER,
            "gen_ai.tool.name": call.name,
            "gen_ai.tool.call.id": call.id,
        }
        if capture:
            attributes["gen_ai.tool.call.arguments"] = _json(call.input)
        span = tracer.start_span(
            f"execute_tool {call.name}", kind=_api.internal, attributes=attributes
        )
        self._scope = scope = _Scope(span, capture)
        self._tokens = (_api.attach(scope.context), _current.set(scope))

    def __exit__(self, *exc_info: object) -> None:
        otel_token, token = self._tokens
        _current.reset(token)
        _api.detach(otel_token)
        scope, outcome = self._scope, self._outcome
        if outcome.timed_out:
            scope.span.set_attribute("error.type", "timeout")
            scope.span.set_status(_api.status(_api.error, "the tool timed out"))
        elif outcome.exception is not None:
            scope.fail(outcome.exception)
        elif scope.capture:
            scope.span.set_attribute("gen_ai.tool.call.result", _json(outcome.value))
        scope.span.end()


def tool_span(call: ToolCall, outcome: Outcome) -> _ToolSpan | nullcontext[None]:
    """Around running a tool's function: its `execute_tool` span, current while it runs.

    Only under an instrumented agent's run (a no-op otherwise); the span reads `outcome` as
    it ends. A call answered without running gets its span from the run (`Run.not_run`).
    """
    parent = _current.get()
    if parent is None:
        return _NULL_CONTEXT
    return _ToolSpan(parent, call, outcome)


# -- content -----------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _messages(messages: Any) -> list[dict[str, Any]]:
    """Message params in the conventions' form: `{"role", "parts": [...]}`."""
    return [
        {"role": m.get("role", "user"), "parts": _parts(m.get("content", ""))}
        for m in messages or ()
        if isinstance(m, Mapping)
    ]


def _parts(content: Any) -> list[dict[str, Any]]:
    """Content blocks in the conventions' form (binary data left out)."""
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    parts: list[dict[str, Any]] = []
    for block in content or ():
        data = block if isinstance(block, Mapping) else getattr(block, "__dict__", {})
        kind = data.get("type")
        if kind == "text":
            parts.append({"type": "text", "content": data.get("text", "")})
        elif kind == "thinking":
            parts.append({"type": "reasoning", "content": data.get("thinking", "")})
        elif kind in ("tool_use", "server_tool_use"):
            parts.append(
                {
                    "type": "tool_call",
                    "id": data.get("id"),
                    "name": data.get("name"),
                    "arguments": data.get("input"),
                }
            )
        elif kind == "tool_result":
            parts.append(
                {
                    "type": "tool_call_response",
                    "id": data.get("tool_use_id"),
                    "response": data.get("content"),
                }
            )
        else:
            parts.append({"type": str(kind)})
    return parts
