"""`DefaultAioHttpClient`: an `httpx.AsyncClient` whose connections are aiohttp's.

The official SDK offers the same (`anthropic.DefaultAioHttpClient`, its `aiohttp` extra): the
`httpx-aiohttp` package's transport sends each request with an `aiohttp.ClientSession`, whose
connection pool costs less CPU per request than httpx's own under many concurrent requests.
Everything above the transport (agentkit's client, retries, rate limiter, streams) is the same.

aiohttp runs on asyncio only: under trio, use `DefaultAsyncHttpxClient` (or none). The package
is imported when the client is made, never by `import agentkit`.
"""

from __future__ import annotations

import ssl
import sys
from typing import TYPE_CHECKING, Any

import httpx

from ._base_client import DEFAULT_LIMITS, DEFAULT_TIMEOUT
from ._exceptions import UsageError

if TYPE_CHECKING:
    from httpx._types import CertTypes
    from httpx_aiohttp import AiohttpTransport

__all__ = ["DefaultAioHttpClient"]

INSTALL = "pip install 'agentkit[aiohttp]'"

ASYNCIO_ONLY = (
    "DefaultAioHttpClient runs on asyncio only (aiohttp has no trio support); under trio "
    "use DefaultAsyncHttpxClient, or no http_client at all."
)


def _under_trio() -> bool:
    trio = sys.modules.get("trio")
    return trio is not None and bool(trio.lowlevel.in_trio_run())


def _transport_class() -> type[AiohttpTransport]:
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:
        raise UsageError(
            f"DefaultAioHttpClient needs the httpx-aiohttp package: {INSTALL}"
        ) from None
    return AiohttpTransport


class _AsyncioOnly(httpx.AsyncBaseTransport):
    """Refuses, with a clear error, a request sent under trio (aiohttp would fail obscurely)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if _under_trio():
            raise UsageError(ASYNCIO_ONLY)
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self.transport.aclose()


class DefaultAioHttpClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` on aiohttp's connection pool, with agentkit's defaults.

    For `AsyncAnthropic(http_client=DefaultAioHttpClient())`: the official SDK's class of the
    same name. It takes `httpx.AsyncClient`'s arguments (`timeout`, `limits`, `proxy`,
    `verify`, ...; agentkit's timeout, connection limits and redirect following by default),
    and sends through `httpx_aiohttp.AiohttpTransport` (HTTP/1.1). asyncio only: under trio
    it raises `UsageError` when made or when it sends.

    Raises:
        UsageError: `httpx-aiohttp` is not installed (`pip install 'agentkit[aiohttp]'`), or
            the client is made inside a trio run.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._aiohttp_transport = _transport_class()
        if _under_trio():
            raise UsageError(ASYNCIO_ONLY)
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_LIMITS)
        kwargs.setdefault("follow_redirects", True)
        super().__init__(**kwargs)

    def _init_transport(
        self,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> httpx.AsyncBaseTransport:
        if transport is not None:
            return transport
        return self._make_transport(verify, cert, trust_env, limits, None)

    def _init_proxy_transport(
        self,
        proxy: httpx.Proxy,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> httpx.AsyncBaseTransport:
        return self._make_transport(verify, cert, trust_env, limits, proxy)

    def _make_transport(
        self,
        verify: ssl.SSLContext | str | bool,
        cert: CertTypes | None,
        trust_env: bool,
        limits: httpx.Limits,
        proxy: httpx.Proxy | None,
    ) -> httpx.AsyncBaseTransport:
        transport = self._aiohttp_transport(
            verify=verify, cert=cert, trust_env=trust_env, limits=limits, proxy=proxy
        )
        return _AsyncioOnly(transport)
