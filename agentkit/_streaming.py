"""Raw event streams: `Stream` (sync) and `AsyncStream`, the I/O around `StreamDecoder`.

Returned by `client.messages.create(..., stream=True)`. Each is iterable once, a context manager,
and releases its HTTP connection when closed, when exhausted, and when the consumer's loop
raises inside a `with` block.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from contextlib import aclosing, contextmanager
from typing import cast

import httpx

from ._core.stream_decoder import StreamDecoder
from ._ratelimit import StreamSettlement, take_for_stream
from ._types import AsyncClosingContext, ClosingContext
from .types.stream_events import RawMessageStreamEvent

__all__ = ["AsyncStream", "Stream"]


def _raw_ok(response: httpx.Response) -> bool:
    """Whether the undecoded stream can be read (cheaper per chunk than `iter_bytes`)."""
    identity = response.headers.get("content-encoding", "identity") == "identity"
    return identity and not response.is_stream_consumed


def _chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body's bytes (also when the body was already read, e.g. built with `content=`)."""
    return response.iter_raw() if _raw_ok(response) else response.iter_bytes()


def _achunks(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """The async twin of `_chunks` (an async generator: close it when leaving early)."""
    chunks = response.aiter_raw() if _raw_ok(response) else response.aiter_bytes()
    return cast("AsyncGenerator[bytes, None]", chunks)


class _StreamBase:
    """Response metadata shared by both streams."""

    response: httpx.Response
    _settlement: StreamSettlement | None
    """The rate limiter's reservation for this stream, settled when it ends (None: unpaced)."""

    _decoder: StreamDecoder

    def _settle(self) -> None:
        if self._settlement is not None:
            self._settlement.finish()

    def _feeder(self) -> Callable[[bytes], list[RawMessageStreamEvent]]:
        """The events each chunk completes (shown to the rate limiter when it paces)."""
        feed = self._decoder.feed
        if self._settlement is None:
            return feed
        observe = self._settlement.observe

        def observed(chunk: bytes) -> list[RawMessageStreamEvent]:
            events = feed(chunk)
            observe(events)
            return events

        return observed

    def _last(self) -> Iterator[RawMessageStreamEvent]:
        """The events left in the decoder at the end of the body; then the check it is whole."""
        events = self._decoder.flush()
        if self._settlement is not None:
            self._settlement.observe(events)
        yield from events
        self._decoder.finish()

    @contextmanager
    def _reading(self) -> Iterator[Callable[[bytes], list[RawMessageStreamEvent]]]:
        """Wraps reading the body, and gives the chunk decoder.

        A broken connection is raised as `APIConnectionError`; the rate limiter's reservation
        is settled however reading ends.
        """
        try:
            yield self._feeder()
        except httpx.TransportError as exc:
            raise self._decoder.connection_error(exc) from exc
        finally:
            self._settle()

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.response.headers

    @property
    def request_id(self) -> str | None:
        """The API's `request-id` for this request."""
        value: str | None = self.response.headers.get("request-id")
        return value


class Stream(_StreamBase, ClosingContext):
    """A stream of raw server-sent events (`message_start`, `content_block_delta`, ...).

    An `error` event raises the same typed error its status would (e.g. `OverloadedError`);
    a stream that ends before `message_stop` raises `APIConnectionError`.
    """

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._settlement = take_for_stream(response)
        self._decoder = StreamDecoder(response)
        self._iterator = self._events()

    def __iter__(self) -> Iterator[RawMessageStreamEvent]:
        return self._iterator

    def __next__(self) -> RawMessageStreamEvent:
        return next(self._iterator)

    def _events(self) -> Generator[RawMessageStreamEvent, None, None]:
        try:
            with self._reading() as feed:
                for chunk in _chunks(self.response):
                    yield from feed(chunk)
                yield from self._last()
        finally:
            self.response.close()

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._iterator.close()
        self._settle()  # also when never read
        self.response.close()


class AsyncStream(_StreamBase, AsyncClosingContext):
    """The async twin of `Stream`: `async for event in stream`."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._settlement = take_for_stream(response)
        self._decoder = StreamDecoder(response)
        self._iterator = self._events()

    def __aiter__(self) -> AsyncIterator[RawMessageStreamEvent]:
        return self._iterator

    async def __anext__(self) -> RawMessageStreamEvent:
        return await self._iterator.__anext__()

    async def _events(self) -> AsyncGenerator[RawMessageStreamEvent, None]:
        try:
            # closed here when the consumer leaves early: left to the garbage collector,
            # httpx's generator warns (trio has no hook to finalize it)
            with self._reading() as feed:
                async with aclosing(_achunks(self.response)) as chunks:
                    async for chunk in chunks:
                        for event in feed(chunk):
                            yield event
                for event in self._last():
                    yield event
        finally:
            await self.response.aclose()

    async def close(self) -> None:
        """Stop reading and release the connection."""
        await self._iterator.aclose()
        self._settle()  # also when never read
        await self.response.aclose()
