"""The stream helper: `client.messages.stream(...)` and the `MessageStream` it yields.

A `MessageStream` folds raw events into a `Message` (sans-IO `MessageAccumulator`), yields
higher-level events, and re-sends the request when the stream fails before any content delta
reached the caller (within the client's `max_retries`, with the usual backoff).

That protocol is written once, as `_MessageStreamBase._flow` (a generator of effects: read the
stream, wait, send the request again through the client's own `request_flow`); the sync and
async streams only interpret its effects.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, cast

import httpx
from typing_extensions import TypeVar

from ._core.accumulate import MessageAccumulator, MessageStreamEvent, TextEvent
from ._core.effects import ReadStream, RequestEffect, Sleep
from ._core.flows import request_flow
from ._core.request import PreparedRequest
from ._drive import Steps
from ._exceptions import APIConnectionError, APIStatusError
from ._parse import OutputTracker
from ._response import APIResponse
from ._send import AsyncSender, Sender
from ._streaming import AsyncStream, Stream
from ._types import AsyncClosingContext, ClosingContext, NotGiven, TimeoutTypes
from .types.content import TextBlock
from .types.message import Message
from .types.parsed_message import ParsedMessage

if TYPE_CHECKING:
    from ._output import OutputSpec

log = logging.getLogger("agentkit.client")

__all__ = [
    "AsyncMessageStream",
    "AsyncMessageStreamManager",
    "AsyncParsedMessageStream",
    "AsyncParsedMessageStreamManager",
    "MessageStream",
    "MessageStreamManager",
    "ParsedMessageStream",
    "ParsedMessageStreamManager",
]

_T = TypeVar("_T", default=None)
_NOTHING: Any = object()

_READ = ReadStream()

StreamFlow = Generator[RequestEffect | ReadStream, Any, None]
"""The stream helper's protocol: reads, waits and re-sends."""


def _final_text(message: Message) -> str:
    return "".join(block.text for block in message.content if isinstance(block, TextBlock))


class _MessageStreamBase:
    """State shared by both message streams, and the protocol they drive."""

    _stream_class: type[Stream] | type[AsyncStream]

    def __init__(
        self,
        response: APIResponse[Any],
        sender: Sender | AsyncSender,
        prepared: PreparedRequest,
        timeout: TimeoutTypes | NotGiven,
        spec: OutputSpec[Any] | None = None,
    ) -> None:
        self._output: Any = None if spec is None else OutputTracker(spec)
        self._api_response = response
        self._policy = sender.client._retry_policy
        self._retries = response.retries_taken
        self._accumulator = MessageAccumulator()
        self._stream: Any = response.parse()
        self._iterator = self._events(self._flow(prepared), sender.performer(timeout, True))

    def _events(self, flow: StreamFlow, perform: Any) -> Any:
        """The interpreter of `_flow` (sync or async): reading hands events to the caller."""
        raise NotImplementedError

    @property
    def response(self) -> httpx.Response:
        """The HTTP response currently being read."""
        return self._api_response.http_response

    @property
    def request_id(self) -> str | None:
        """The API's `request-id` for the request being read."""
        return self._api_response.request_id

    @property
    def retries_taken(self) -> int:
        """Retries so far, HTTP and mid-stream."""
        return self._retries

    @property
    def current_message_snapshot(self) -> Message:
        """The message as received so far (text joined on access)."""
        return self._accumulator.snapshot()

    def _flow(self, prepared: PreparedRequest) -> StreamFlow:
        """Read the stream; if it fails before any content delta, wait and send it again."""
        while True:
            try:
                yield _READ
                return
            except (APIConnectionError, APIStatusError) as error:
                decision = self._policy.for_stream_failure(
                    self._retries, error, content_delivered=self._accumulator.content_deltas > 0
                )
                if not decision.retry:
                    raise
                self._retries += 1
                log.warning(
                    "retrying the stream in %.2f s (%s; retry %d)",
                    decision.delay,
                    error,
                    self._retries,
                )
                self._accumulator = MessageAccumulator()
            yield Sleep(decision.delay, "stream")
            resend = request_flow(prepared, self._policy, retries_taken=self._retries)
            response, self._retries = yield from resend
            self._api_response = APIResponse(
                response, self._stream_class, retries_taken=self._retries
            )
            self._stream = self._api_response.parse()


class MessageStream(_MessageStreamBase, ClosingContext):
    """A streamed message: iterate for events, or use `text_stream` / `get_final_message()`."""

    _stream_class = Stream
    _iterator: Generator[MessageStreamEvent, None, None]

    def _events(
        self, flow: StreamFlow, perform: Callable[[RequestEffect], Any]
    ) -> Generator[MessageStreamEvent, None, None]:
        """The interpreter of `_flow`: reading hands events to the caller as they come."""
        steps = Steps(flow)
        for effect in steps:
            with steps:
                if isinstance(effect, ReadStream):
                    for raw in self._stream:
                        yield from self._accumulator.process(raw)
                else:
                    steps.value = perform(effect)

    def __iter__(self) -> Iterator[MessageStreamEvent]:
        return self._iterator

    def __next__(self) -> MessageStreamEvent:
        return next(self._iterator)

    @property
    def text_stream(self) -> Iterator[str]:
        """The text deltas only, as they arrive."""
        return (event.text for event in self._iterator if isinstance(event, TextEvent))

    def until_done(self) -> None:
        """Read the stream to its end."""
        for _ in self._iterator:
            pass

    def get_final_message(self) -> Message:
        """Read to the end and return the complete `Message`."""
        self.until_done()
        return self._accumulator.final_message()

    def get_final_text(self) -> str:
        """Read to the end and return the text blocks of the message, joined."""
        return _final_text(self.get_final_message())

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._iterator.close()
        self._stream.close()


class ParsedMessageStream(MessageStream, Generic[_T]):
    """A `MessageStream` of typed output: `messages.stream(..., output_format=T)`.

    Everything a `MessageStream` offers, plus the output as it streams
    (`current_output_snapshot`, `output_stream`); `get_final_message()` returns a
    `ParsedMessage[T]` whose `parsed_output` is the validated value. The events are those of a
    `MessageStream` (the message in `MessageStopEvent` is not validated).
    """

    @property
    def current_output_snapshot(self) -> Any:
        """The output as parsed so far: the partial JSON value (dicts, lists, strings...).

        Open strings, objects and arrays are closed, an unfinished key or literal is left out;
        nothing is validated yet. For an output type that is not an object (`list[Item]`, a
        `Literal`...) it is that value (the API's `{"result": ...}` wrapper is removed). None
        before any. Parsed when read, and kept until more text arrives.
        """
        return self._output.partial(self._accumulator)

    @property
    def output_stream(self) -> Iterator[Any]:
        """Read on, yielding `current_output_snapshot` each time text changed it."""
        return self._snapshots()

    def _snapshots(self) -> Generator[Any, None, None]:
        last = _NOTHING
        for event in self._iterator:
            if isinstance(event, TextEvent):
                value = self.current_output_snapshot
                if value is not None and value != last:
                    last = value
                    yield value

    def get_final_message(self) -> ParsedMessage[_T]:
        """Read to the end and return the message with its typed output.

        `parsed_output` is None when the model stopped without a finished answer (a refusal,
        `max_tokens`, a tool call).

        Raises:
            OutputValidationError: The output does not match the output type.
        """
        final: ParsedMessage[_T] = self._output.final(super().get_final_message())
        return final

    def get_final_text(self) -> str:
        """Read to the end and return the text (the output's JSON, unvalidated)."""
        return _final_text(super().get_final_message())


class AsyncMessageStream(_MessageStreamBase, AsyncClosingContext):
    """The async twin of `MessageStream` (`async for`, `await get_final_message()`)."""

    _stream_class = AsyncStream
    _iterator: AsyncGenerator[MessageStreamEvent, None]

    async def _events(
        self, flow: StreamFlow, perform: Callable[[RequestEffect], Awaitable[Any]]
    ) -> AsyncGenerator[MessageStreamEvent, None]:
        steps = Steps(flow)
        for effect in steps:
            with steps:
                if isinstance(effect, ReadStream):
                    async for raw in self._stream:
                        for event in self._accumulator.process(raw):
                            yield event
                else:
                    steps.value = await perform(effect)

    def __aiter__(self) -> AsyncIterator[MessageStreamEvent]:
        return self._iterator

    async def __anext__(self) -> MessageStreamEvent:
        return await self._iterator.__anext__()

    @property
    def text_stream(self) -> AsyncIterator[str]:
        """The text deltas only, as they arrive."""
        return _AsyncTexts(self._iterator)

    async def until_done(self) -> None:
        """Read the stream to its end."""
        async for _ in self._iterator:
            pass

    async def get_final_message(self) -> Message:
        """Read to the end and return the complete `Message`."""
        await self.until_done()
        return self._accumulator.final_message()

    async def get_final_text(self) -> str:
        """Read to the end and return the text blocks of the message, joined."""
        return _final_text(await self.get_final_message())

    async def close(self) -> None:
        """Stop reading and release the connection."""
        await self._iterator.aclose()
        await self._stream.close()


class AsyncParsedMessageStream(AsyncMessageStream, Generic[_T]):
    """The async twin of `ParsedMessageStream` (`async for partial in stream.output_stream`)."""

    @property
    def current_output_snapshot(self) -> Any:
        """The output as parsed so far (see `ParsedMessageStream.current_output_snapshot`)."""
        return self._output.partial(self._accumulator)

    @property
    def output_stream(self) -> AsyncIterator[Any]:
        """Read on, yielding `current_output_snapshot` each time text changed it."""
        return _AsyncSnapshots(self)

    async def get_final_message(self) -> ParsedMessage[_T]:
        """See `ParsedMessageStream.get_final_message`."""
        final: ParsedMessage[_T] = self._output.final(await super().get_final_message())
        return final

    async def get_final_text(self) -> str:
        """Read to the end and return the text (the output's JSON, unvalidated)."""
        return _final_text(await super().get_final_message())


class _AsyncTexts:
    """The text deltas of an event iterator.

    An iterator object rather than an async generator: nothing is left to finalise when a
    loop over it stops early.
    """

    def __init__(self, events: AsyncIterator[MessageStreamEvent]) -> None:
        self._events = events

    def __aiter__(self) -> _AsyncTexts:
        return self

    async def __anext__(self) -> str:
        while True:
            event = await self._events.__anext__()
            if isinstance(event, TextEvent):
                return event.text


class _AsyncSnapshots:
    """The changing output snapshots of a parse stream (an iterator object, as `_AsyncTexts`)."""

    def __init__(self, stream: AsyncParsedMessageStream[Any]) -> None:
        self._stream = stream
        self._last: Any = _NOTHING

    def __aiter__(self) -> _AsyncSnapshots:
        return self

    async def __anext__(self) -> Any:
        while True:
            event = await self._stream._iterator.__anext__()
            if isinstance(event, TextEvent):
                value = self._stream.current_output_snapshot
                if value is not None and value != self._last:
                    self._last = value
                    return value


class _StreamManagerBase:
    """What both stream managers hold: the request, and the stream once it is open."""

    _plain: Any
    _parsed: Any

    def __init__(
        self,
        sender: Sender | AsyncSender,
        prepared: PreparedRequest,
        timeout: TimeoutTypes | NotGiven,
        spec: OutputSpec[Any] | None = None,
    ) -> None:
        self._request = (sender, prepared, timeout)
        self._spec = spec
        self._stream: Any = None

    def _open(self, first: APIResponse[Any]) -> Any:
        """The message stream over the first response (a parsed one for typed output)."""
        sender, prepared, timeout = self._request
        kind = self._plain if self._spec is None else self._parsed
        self._stream = kind(first, sender, prepared, timeout, self._spec)
        return self._stream


class MessageStreamManager(_StreamManagerBase):
    """Returned by `client.messages.stream(...)`: `with` it to send the request and stream."""

    _plain = MessageStream
    _parsed = ParsedMessageStream

    def __enter__(self) -> MessageStream:
        stream: MessageStream = self._open(self._send_first())
        return stream

    def _send_first(self) -> APIResponse[Stream]:
        """Send the request (with the client's retries): its response, not read yet."""
        sender, prepared, timeout = self._request
        assert isinstance(sender, Sender)
        return sender.request(prepared, Stream, timeout=timeout)

    def __exit__(self, *exc_info: object) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncMessageStreamManager(_StreamManagerBase):
    """Returned by `AsyncAnthropic().messages.stream(...)`: `async with` it to stream."""

    _plain = AsyncMessageStream
    _parsed = AsyncParsedMessageStream

    async def __aenter__(self) -> AsyncMessageStream:
        stream: AsyncMessageStream = self._open(await self._send_first())
        return stream

    async def _send_first(self) -> APIResponse[AsyncStream]:
        """Send the request (with the client's retries): its response, not read yet."""
        sender, prepared, timeout = self._request
        assert isinstance(sender, AsyncSender)
        return await sender.request(prepared, AsyncStream, timeout=timeout)

    async def __aexit__(self, *exc_info: object) -> None:
        if self._stream is not None:
            await self._stream.close()


class ParsedMessageStreamManager(MessageStreamManager, Generic[_T]):
    """Returned by `client.messages.stream(..., output_format=T)`: `with` it to stream."""

    def __enter__(self) -> ParsedMessageStream[_T]:
        return cast("ParsedMessageStream[_T]", super().__enter__())


class AsyncParsedMessageStreamManager(AsyncMessageStreamManager, Generic[_T]):
    """Returned by `AsyncAnthropic().messages.stream(..., output_format=T)`."""

    async def __aenter__(self) -> AsyncParsedMessageStream[_T]:
        return cast("AsyncParsedMessageStream[_T]", await super().__aenter__())
