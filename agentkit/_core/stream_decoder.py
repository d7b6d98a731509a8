"""Bytes of an SSE response to typed raw events, errors included; no I/O.

`StreamDecoder` is what both stream drivers run: it feeds the SSE decoder, parses each event's
JSON straight into its model, turns an `error` event into the typed `APIStatusError` a status
code would have given, and at the end refuses a stream that stopped before `message_stop`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pydantic

from .._exceptions import APIConnectionError, APIResponseValidationError
from ..types.stream_events import (
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawContentBlockStopEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    RawMessageStopEvent,
    RawMessageStreamEvent,
)
from .response import error_from_body
from .sse import DEFAULT_MAX_LINE_BYTES, ServerSentEvent, SSEDecoder, SSELineTooLongError

if TYPE_CHECKING:
    import httpx

__all__ = ["StreamDecoder", "decode_event"]

_MODELS: dict[str, type[pydantic.BaseModel]] = {
    "content_block_delta": RawContentBlockDeltaEvent,
    "content_block_start": RawContentBlockStartEvent,
    "content_block_stop": RawContentBlockStopEvent,
    "message_delta": RawMessageDeltaEvent,
    "message_start": RawMessageStartEvent,
    "message_stop": RawMessageStopEvent,
}
_ANY_EVENT: pydantic.TypeAdapter[RawMessageStreamEvent] | None = None


_delta_validator: Callable[[str], Any] | None = None


def _validate_delta(data: str) -> RawMessageStreamEvent:
    """Validate a `content_block_delta` event, calling the model's validator directly."""
    global _delta_validator
    if _delta_validator is None:
        RawContentBlockDeltaEvent.model_rebuild()  # builds the deferred schema
        _delta_validator = RawContentBlockDeltaEvent.__pydantic_validator__.validate_json
    return _delta_validator(data)  # type: ignore[no-any-return]


def decode_event(sse: ServerSentEvent) -> RawMessageStreamEvent:
    """Parse one SSE event's JSON into its typed model (unknown types as `UnknownEvent`)."""
    model = _MODELS.get(sse.event)
    if model is not None:
        try:
            return model.model_validate_json(sse.data)  # type: ignore[return-value]
        except pydantic.ValidationError:
            pass  # the name and the JSON type disagree: let the union decide
    global _ANY_EVENT
    if _ANY_EVENT is None:
        _ANY_EVENT = pydantic.TypeAdapter(RawMessageStreamEvent)
    return _ANY_EVENT.validate_json(sse.data)


class StreamDecoder:
    """Decodes one streamed response: feed chunks, get events; `finish()` at end of body.

    Args:
        response: The HTTP response (attached to errors; never read here).
        max_line_bytes: Longest SSE line accepted.
    """

    def __init__(
        self, response: httpx.Response, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    ) -> None:
        self._response = response
        self._sse = SSEDecoder(max_line_bytes=max_line_bytes)
        self._seen: Counter[str] = Counter()
        self._deltas = 0
        self._failed: Exception | None = None
        self.finished = False
        """Whether `message_stop` arrived."""

    def feed(self, chunk: bytes) -> list[RawMessageStreamEvent]:
        """Events completed by `chunk`; raises the typed error of an `error` event.

        The events that came before an error in the same chunk are returned first; the error
        is raised by the next `feed()` or by `finish()`.
        """
        if self._failed is not None:
            raise self._failed
        try:
            batch = self._sse.feed(chunk)
        except SSELineTooLongError as exc:
            raise APIResponseValidationError(str(exc), response=self._response) from exc
        return self.feed_events(batch)

    def feed_events(self, batch: list[ServerSentEvent]) -> list[RawMessageStreamEvent]:
        """Typed events for decoded SSE events (see `feed`)."""
        events: list[RawMessageStreamEvent] = []
        for sse in batch:
            if sse.event == "content_block_delta":  # nine events in ten: the short path
                try:
                    events.append(_validate_delta(sse.data))
                except pydantic.ValidationError:
                    pass
                else:
                    self._deltas += 1
                    continue
            if sse.event == "ping":
                continue
            if sse.event == "error":
                return self._fail(self._error(sse.data), events)
            try:
                event = decode_event(sse)
            except pydantic.ValidationError as exc:
                malformed = APIResponseValidationError(
                    f"malformed {sse.event!r} event in the stream: {exc}", response=self._response
                )
                malformed.__cause__ = exc
                return self._fail(malformed, events)
            kind = event.type
            if kind == "error":
                return self._fail(self._error(sse.data), events)
            self._seen[kind] += 1
            if kind == "message_stop":
                self.finished = True
            events.append(event)
        return events

    def _fail(
        self, error: Exception, events: list[RawMessageStreamEvent]
    ) -> list[RawMessageStreamEvent]:
        """Raise `error` now, or after handing over the events that preceded it."""
        self._failed = error
        if not events:
            raise error
        return events

    def _error(self, data: str) -> Exception:
        try:
            body: Any = json.loads(data)
        except ValueError:
            body = data
        headers: Mapping[str, str] = self._response.headers
        return error_from_body(
            self._response.status_code, body, headers=headers, response=self._response
        )

    def received(self) -> str:
        """What arrived so far, in words."""
        seen = self._seen.copy()
        if self._deltas:
            seen["content_block_delta"] += self._deltas
        if not seen:
            return "no events"
        counts = ", ".join(f"{name} x{count}" for name, count in seen.items())
        return f"{sum(seen.values())} events ({counts})"

    def flush(self) -> list[RawMessageStreamEvent]:
        """At end of body: the last event if it lacked only its final blank line.

        Kept only when its data is complete, valid JSON (a cut line is not an event).
        """
        if self._failed is not None:
            return []
        sse = self._sse.flush()
        if sse is None:
            return []
        try:
            json.loads(sse.data)
        except ValueError:
            return []
        return self.feed_events([sse])

    def finish(self) -> None:
        """Call at end of body: raises `APIConnectionError` when `message_stop` never came."""
        if self._failed is not None:
            raise self._failed
        if not self.finished:
            raise APIConnectionError(
                f"the stream ended before message_stop; received {self.received()}. "
                "The message is incomplete: retry the request.",
                request=self._response.request,
            )

    def connection_error(self, exc: Exception) -> Exception:
        """The typed error for a transport failure in the middle of the stream.

        An `error` event already received wins: it says why the connection ended.
        """
        if self._failed is not None:
            return self._failed
        from .._exceptions import APITimeoutError

        request = self._response.request
        if type(exc).__name__.endswith("Timeout") or "Timeout" in type(exc).__name__:
            return APITimeoutError(
                f"the stream timed out after receiving {self.received()}", request=request
            )
        detail = str(exc) or type(exc).__name__
        return APIConnectionError(
            f"the connection failed mid-stream ({detail}) after receiving {self.received()}",
            request=request,
        )
