"""Raw responses: the HTTP response together with the parsed result it carries."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

import httpx

from ._core.response import RateLimits, parse_rate_limits

__all__ = ["APIResponse", "AsyncAPIResponse"]

_T = TypeVar("_T")
_P = TypeVar("_P")


class _BaseAPIResponse(Generic[_T, _P]):
    """What sync and async raw responses share: the HTTP response and its metadata.

    `_P` is what the parser returns: the result (`APIResponse`), or an awaitable of it
    (`AsyncAPIResponse`, whose parser may read the body first).
    """

    def __init__(
        self,
        http_response: httpx.Response,
        parser: Callable[[httpx.Response], _P],
        *,
        retries_taken: int = 0,
    ) -> None:
        self.http_response = http_response
        self.retries_taken = retries_taken
        """How many times the request was retried before this response."""
        self._parser = parser
        self._parsed: _T | None = None
        self._is_parsed = False

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.http_response.status_code

    @property
    def request_id(self) -> str | None:
        """The API's `request-id` for this request."""
        value: str | None = self.http_response.headers.get("request-id")
        return value

    @property
    def url(self) -> httpx.URL:
        """The URL the request was sent to."""
        return self.http_response.request.url

    @property
    def http_request(self) -> httpx.Request:
        """The request that was sent (its last attempt)."""
        return self.http_response.request

    @property
    def is_closed(self) -> bool:
        """Whether the body was read to its end or the response closed."""
        return self.http_response.is_closed

    @property
    def method(self) -> str:
        """The HTTP method of the request."""
        return self.http_response.request.method

    @property
    def elapsed(self) -> datetime.timedelta:
        """Time from sending the request to finishing reading the response."""
        return self.http_response.elapsed

    @property
    def rate_limits(self) -> RateLimits:
        """The `anthropic-ratelimit-*` and `retry-after` headers, parsed."""
        return parse_rate_limits(self.http_response.headers)

    @property
    def content(self) -> bytes:
        """The raw body (read it first for streaming responses)."""
        return self.http_response.content

    @property
    def text(self) -> str:
        """The body decoded as text."""
        return self.http_response.text

    def json(self) -> Any:
        """The body decoded as JSON."""
        return self.http_response.json()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} [{self.status_code}] {self.method} {self.url} "
            f"request_id={self.request_id!r}>"
        )


class APIResponse(_BaseAPIResponse[_T, _T]):
    """An HTTP response from the API and the typed result it holds.

    Returned by `client.messages.with_raw_response.<method>(...)` (sync and async clients).
    Headers are available without parsing; `parse()` gives what the plain method returns.
    """

    def parse(self) -> _T:
        """The typed result (a `Message`, `MessageTokensCount`, or a stream); cached."""
        if not self._is_parsed:
            self._parsed = self._parser(self.http_response)
            self._is_parsed = True
        return self._parsed  # type: ignore[return-value]

    def read(self) -> bytes:
        """Read and return the whole body."""
        return self.http_response.read()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body as it arrives, in bytes (decompressed)."""
        return self.http_response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """The body as it arrives, decoded to text."""
        return self.http_response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        """The body as it arrives, line by line."""
        return self.http_response.iter_lines()

    def close(self) -> None:
        """Release the connection."""
        self.http_response.close()


class AsyncAPIResponse(_BaseAPIResponse[_T, Awaitable[_T]]):
    """An async HTTP response whose body may not be read yet (`with_streaming_response`).

    `parse()` is a coroutine here: it reads the body when needed.
    """

    async def parse(self) -> _T:
        """The typed result, reading the body first if needed; cached."""
        if not self._is_parsed:
            self._parsed = await self._parser(self.http_response)
            self._is_parsed = True
        return self._parsed  # type: ignore[return-value]

    async def read(self) -> bytes:
        """Read and return the whole body."""
        return await self.http_response.aread()

    def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body as it arrives, in bytes (decompressed): `async for chunk in ...`."""
        return self.http_response.aiter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        """The body as it arrives, decoded to text."""
        return self.http_response.aiter_text(chunk_size)

    def iter_lines(self) -> AsyncIterator[str]:
        """The body as it arrives, line by line."""
        return self.http_response.aiter_lines()

    async def close(self) -> None:
        """Release the connection."""
        await self.http_response.aclose()
