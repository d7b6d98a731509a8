"""`Anthropic` and `AsyncAnthropic`: the I/O drivers around the sans-IO core.

Each driver does only what needs I/O: send, sleep between retries, close. The decisions (request
building, error triage, retry policy) live in `BaseClient` and `agentkit._core`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio
import httpx

from ._base_client import DEFAULT_LIMITS, BaseClient
from ._core.request import DEFAULT_API_VERSION, PreparedRequest
from ._exceptions import UsageError
from ._messages import AsyncMessages, Messages
from ._response import APIResponse
from ._types import AsyncClosingContext, ClosingContext, NotGiven, TimeoutTypes

__all__ = ["Anthropic", "AsyncAnthropic"]

_T = TypeVar("_T")

# Indirections so tests can observe retry waits without sleeping.
_sleep = time.sleep
_async_sleep = anyio.sleep


class Anthropic(BaseClient, ClosingContext):
    """The synchronous Messages API client.

    Args:
        api_key: The API key (sent as `x-api-key`); defaults to `ANTHROPIC_API_KEY`.
        auth_token: A bearer token (sent as `Authorization: Bearer`); defaults to
            `ANTHROPIC_AUTH_TOKEN`.
        base_url: The API root; defaults to `ANTHROPIC_BASE_URL`, then
            `https://api.anthropic.com`.
        api_version: The `anthropic-version` header. `"2026-10-21"` opts into the newer
            version, which refuses `temperature`, `top_p` and `top_k`.
        timeout: Seconds (or an `httpx.Timeout`) per request; connecting is capped at 5 s.
        max_retries: Retries after a connection error, timeout, 408, 409, 429 or >= 500.
        default_headers: Headers sent with every request.
        http_client: Your own `httpx.Client` (proxies, custom transports, tests). It is not
            closed by `close()` unless the client created it.
        max_retry_wait: The longest server-requested wait (seconds) to sleep on before a
            retry; a longer `retry-after` raises at once with the wait on the error.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        auth_token: str | None = None,
        base_url: str | httpx.URL | None = None,
        api_version: str = DEFAULT_API_VERSION,
        timeout: TimeoutTypes = 600.0,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        max_retry_wait: float = 60.0,
    ) -> None:
        super().__init__(
            api_key=api_key,
            auth_token=auth_token,
            base_url=base_url,
            api_version=api_version,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            default_headers=default_headers,
        )
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise UsageError(
                f"http_client must be an httpx.Client for Anthropic, got "
                f"{type(http_client).__name__} (an httpx.AsyncClient goes with AsyncAnthropic)."
            )
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.Client(limits=DEFAULT_LIMITS)
        self.messages = Messages(self)

    def _read_body(self, response: httpx.Response) -> None:
        """Read the whole body, refusing one larger than `max_response_bytes`."""
        parts: list[bytes] = []
        size = self.check_declared_size(response)
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                self.check_size(response, size)
                parts.append(chunk)
        finally:
            response.close()
        response._content = b"".join(parts)  # what httpx's own Response.read() stores

    def with_options(self, **options: Any) -> Anthropic:
        """A copy of this client with some options changed, sharing its connection pool.

        Accepts the constructor's keyword arguments except `http_client`.
        """
        copy = Anthropic(**self._options(**options), http_client=self._http)
        copy._owns_http_client = False
        return copy

    def close(self) -> None:
        """Close the connection pool (when the client created it)."""
        if self._owns_http_client:
            self._http.close()

    def _request(
        self,
        prepared: PreparedRequest,
        parser: Callable[[httpx.Response], _T],
        *,
        timeout: TimeoutTypes | NotGiven,
        retries_taken: int = 0,
        defer_read: bool = False,
    ) -> APIResponse[_T]:
        """Send with retries; return the successful response or raise its typed error.

        Args:
            prepared: The request.
            parser: Turns the successful response into the result.
            timeout: The call's timeout, if it chose one.
            retries_taken: Retries already spent on this request (a re-sent stream).
            defer_read: Leave the body unread (`with_streaming_response`).
        """
        content = prepared.content()
        http_timeout = self.request_timeout(timeout)
        unread = prepared.stream or defer_read
        retries = retries_taken
        while True:
            request = self.build_httpx_request(self._http, prepared, http_timeout, content)
            try:
                response = self._http.send(request, stream=True)
                if not (unread and response.is_success):
                    self._read_body(response)
            except httpx.TransportError as exc:
                decision, error = self.connection_retry(exc, request, retries)
                if not decision.retry:
                    raise error from exc
            else:
                if response.is_success:
                    return APIResponse(response, parser, retries_taken=retries)
                decision, status_error = self.triage(response, retries)
                if not decision.retry:
                    raise status_error
            self.log_retry(request, decision, retries)
            _sleep(decision.delay)
            retries += 1


class AsyncAnthropic(BaseClient, AsyncClosingContext):
    """The asynchronous Messages API client (anyio: asyncio and trio).

    Takes the same arguments as `Anthropic`; `http_client` is an `httpx.AsyncClient`.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        auth_token: str | None = None,
        base_url: str | httpx.URL | None = None,
        api_version: str = DEFAULT_API_VERSION,
        timeout: TimeoutTypes = 600.0,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retry_wait: float = 60.0,
    ) -> None:
        super().__init__(
            api_key=api_key,
            auth_token=auth_token,
            base_url=base_url,
            api_version=api_version,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            default_headers=default_headers,
        )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise UsageError(
                f"http_client must be an httpx.AsyncClient for AsyncAnthropic, got "
                f"{type(http_client).__name__} (an httpx.Client goes with Anthropic)."
            )
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.AsyncClient(limits=DEFAULT_LIMITS)
        self.messages = AsyncMessages(self)

    async def _read_body(self, response: httpx.Response) -> None:
        """Read the whole body, refusing one larger than `max_response_bytes`."""
        parts: list[bytes] = []
        size = self.check_declared_size(response)
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                self.check_size(response, size)
                parts.append(chunk)
        finally:
            await response.aclose()
        response._content = b"".join(parts)  # what httpx's own Response.aread() stores

    def with_options(self, **options: Any) -> AsyncAnthropic:
        """A copy of this client with some options changed, sharing its connection pool.

        Accepts the constructor's keyword arguments except `http_client`.
        """
        copy = AsyncAnthropic(**self._options(**options), http_client=self._http)
        copy._owns_http_client = False
        return copy

    async def close(self) -> None:
        """Close the connection pool (when the client created it)."""
        if self._owns_http_client:
            await self._http.aclose()

    async def _request(
        self,
        prepared: PreparedRequest,
        parser: Callable[[httpx.Response], _T],
        *,
        timeout: TimeoutTypes | NotGiven,
        retries_taken: int = 0,
        defer_read: bool = False,
    ) -> APIResponse[_T]:
        """Send with retries; return the successful response or raise its typed error.

        Args:
            prepared: The request.
            parser: Turns the successful response into the result.
            timeout: The call's timeout, if it chose one.
            retries_taken: Retries already spent on this request (a re-sent stream).
            defer_read: Leave the body unread (`with_streaming_response`).
        """
        content = prepared.content()
        http_timeout = self.request_timeout(timeout)
        unread = prepared.stream or defer_read
        retries = retries_taken
        while True:
            request = self.build_httpx_request(self._http, prepared, http_timeout, content)
            try:
                response = await self._http.send(request, stream=True)
                if not (unread and response.is_success):
                    await self._read_body(response)
            except httpx.TransportError as exc:
                decision, error = self.connection_retry(exc, request, retries)
                if not decision.retry:
                    raise error from exc
            else:
                if response.is_success:
                    return APIResponse(response, parser, retries_taken=retries)
                decision, status_error = self.triage(response, retries)
                if not decision.retry:
                    raise status_error
            self.log_retry(request, decision, retries)
            await _async_sleep(decision.delay)
            retries += 1
