"""The stream helper: `client.messages.stream(...)` and the `MessageStream` it yields.

A `MessageStream` folds raw events into a `Message` (sans-IO `MessageAccumulator`), yields
higher-level events, and re-sends the request when the stream fails before any content delta
reached the caller (within the client's `max_retries`, with the usual backoff).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator
from types import TracebackType
from typing import Any

import anyio
import httpx

from ._core.accumulate import MessageAccumulator, MessageStreamEvent, TextEvent
from ._core.retry import RetryPolicy
from ._exceptions import APIConnectionError, APIStatusError
from ._response import APIResponse
from ._streaming import AsyncStream, Stream
from ._types import AsyncClosingContext, ClosingContext
from .types.content import TextBlock
from .types.message import Message

log = logging.getLogger("agentkit")

__all__ = [
    "AsyncMessageStream",
    "AsyncMessageStreamManager",
    "MessageStream",
    "MessageStreamManager",
]

SyncOpener = Callable[[int], APIResponse[Stream]]
"""Sends the request (given the retries already taken) and returns the streamed response."""
AsyncOpener = Callable[[int], Awaitable[APIResponse[AsyncStream]]]


def _final_text(message: Message) -> str:
    return "".join(block.text for block in message.content if isinstance(block, TextBlock))


class _MessageStreamBase:
    """State shared by both message streams: the accumulator and the current response."""

    def __init__(self, response: APIResponse[Any], policy: RetryPolicy) -> None:
        self._api_response = response
        self._policy = policy
        self._retries = response.retries_taken
        self._accumulator = MessageAccumulator()

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

    def _retry_or_raise(self, error: Exception) -> float:
        """The wait before re-sending after `error`, or re-raise it."""
        decision = self._policy.for_stream_failure(
            self._retries, error, content_delivered=self._accumulator.content_deltas > 0
        )
        if not decision.retry:
            raise error
        log.info(
            "retrying the stream in %.2f s (%s; retry %d)", decision.delay, error, self._retries + 1
        )
        self._retries += 1
        self._accumulator = MessageAccumulator()
        return decision.delay


class MessageStream(_MessageStreamBase, ClosingContext):
    """A streamed message: iterate for events, or use `text_stream` / `get_final_message()`."""

    def __init__(
        self, response: APIResponse[Stream], opener: SyncOpener, policy: RetryPolicy
    ) -> None:
        super().__init__(response, policy)
        self._opener = opener
        self._stream = response.parse()
        self._iterator = self._events()

    def _events(self) -> Generator[MessageStreamEvent, None, None]:
        while True:
            try:
                for raw in self._stream:
                    yield from self._accumulator.process(raw)
                return
            except (APIConnectionError, APIStatusError) as error:
                delay = self._retry_or_raise(error)
                self._stream.close()
                _sleep(delay)
                self._api_response = self._opener(self._retries)
                self._retries = self._api_response.retries_taken
                self._stream = self._api_response.parse()

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


class AsyncMessageStream(_MessageStreamBase, AsyncClosingContext):
    """The async twin of `MessageStream` (`async for`, `await get_final_message()`)."""

    def __init__(
        self, response: APIResponse[AsyncStream], opener: AsyncOpener, policy: RetryPolicy
    ) -> None:
        super().__init__(response, policy)
        self._opener = opener
        self._stream = response.parse()
        self._iterator = self._events()

    async def _events(self) -> AsyncGenerator[MessageStreamEvent, None]:
        while True:
            try:
                async for raw in self._stream:
                    for event in self._accumulator.process(raw):
                        yield event
                return
            except (APIConnectionError, APIStatusError) as error:
                delay = self._retry_or_raise(error)
                await self._stream.close()
                await _async_sleep(delay)
                self._api_response = await self._opener(self._retries)
                self._retries = self._api_response.retries_taken
                self._stream = self._api_response.parse()

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


class MessageStreamManager:
    """Returned by `client.messages.stream(...)`: `with` it to send the request and stream."""

    def __init__(self, opener: SyncOpener, policy: RetryPolicy) -> None:
        self._opener = opener
        self._policy = policy
        self._stream: MessageStream | None = None

    def __enter__(self) -> MessageStream:
        self._stream = MessageStream(self._opener(0), self._opener, self._policy)
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncMessageStreamManager:
    """Returned by `AsyncAnthropic().messages.stream(...)`: `async with` it to stream."""

    def __init__(self, opener: AsyncOpener, policy: RetryPolicy) -> None:
        self._opener = opener
        self._policy = policy
        self._stream: AsyncMessageStream | None = None

    async def __aenter__(self) -> AsyncMessageStream:
        response = await self._opener(0)
        self._stream = AsyncMessageStream(response, self._opener, self._policy)
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.close()


# Indirections so tests can observe waits without sleeping.
def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


async def _async_sleep(seconds: float) -> None:
    await anyio.sleep(seconds)
