"""`Anthropic` and `AsyncAnthropic`: configuration (`BaseClient`), a sender, the resources.

Requests go through the client's sender (`agentkit._send`), the driver of the request protocol.
"""

from __future__ import annotations

import httpx

from ._base_client import BaseClient
from ._messages import AsyncMessages, Messages
from ._models_resource import AsyncModels, Models
from ._send import AsyncSender, Sender
from ._types import AsyncClosingContext, ClosingContext

__all__ = ["Anthropic", "AsyncAnthropic"]


class Anthropic(BaseClient[httpx.Client], ClosingContext):
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
            Not given: the timeout configured on `http_client` (when it is not httpx's
            default), else `httpx.Timeout(600, connect=5)`.
        max_retries: Retries after a connection error, timeout, 408, 409, 429 or >= 500.
        default_headers: Headers sent with every request.
        http_client: Your own `httpx.Client` (proxies, custom transports, tests). It is not
            closed by `close()` unless the client created it.
        max_retry_wait: The longest server-requested wait (seconds) to sleep on before a
            retry; a longer `retry-after` raises at once with the wait on the error.
        rate_limiter: A `RateLimiter` pacing `messages` requests under the account's rate
            limits (share one between clients and agents on the same account).
    """

    _http_class = httpx.Client
    messages: Messages
    models: Models

    def _init_resources(self) -> None:
        self._sender = Sender(self)
        self.messages = Messages(self._sender)
        self.models = Models(self._sender)

    def is_closed(self) -> bool:
        """Whether the connection pool is closed (a closed client cannot send)."""
        return self._http.is_closed

    def close(self) -> None:
        """Close the connection pool (when the client created it)."""
        if self._owns_http_client:
            self._http.close()


class AsyncAnthropic(BaseClient[httpx.AsyncClient], AsyncClosingContext):
    """The asynchronous Messages API client (anyio: asyncio and trio).

    Takes the same arguments as `Anthropic`; `http_client` is an `httpx.AsyncClient`.
    """

    _http_class = httpx.AsyncClient
    messages: AsyncMessages
    models: AsyncModels

    def _init_resources(self) -> None:
        self._sender = AsyncSender(self)
        self.messages = AsyncMessages(self._sender)
        self.models = AsyncModels(self._sender)

    def is_closed(self) -> bool:
        """Whether the connection pool is closed (a closed client cannot send)."""
        return self._http.is_closed

    async def close(self) -> None:
        """Close the connection pool (when the client created it)."""
        if self._owns_http_client:
            await self._http.aclose()
