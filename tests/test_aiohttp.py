"""`DefaultAioHttpClient` (extra `agentkit[aiohttp]`) against the offline server over loopback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from agentkit import (
    APIConnectionError,
    AsyncAgent,
    AsyncAnthropic,
    DefaultAioHttpClient,
    RateLimiter,
    UsageError,
    tool,
)
from agentkit.testing import RateLimits, TestModel, VirtualClock
from agentkit.testing.server import serve_in_background
from tests.test_import_cost import loaded

MESSAGE: dict[str, Any] = {
    "model": "claude-test",
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "hi"}],
}


@pytest.fixture
def url() -> Iterator[str]:
    with serve_in_background(TestModel()) as served:
        yield served


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_create_and_stream_over_aiohttp(url: str) -> None:
    async with (
        DefaultAioHttpClient() as http,
        AsyncAnthropic(api_key="k", base_url=url, http_client=http) as client,
    ):
        raw = await client.messages.with_raw_response.create(**MESSAGE)
        assert raw.status_code == 200
        assert raw.http_request.url.path == "/v1/messages"
        assert raw.parse().content[0].type == "text"
        async with client.messages.stream(**MESSAGE) as stream:
            text = [chunk async for chunk in stream.text_stream]
        assert "".join(text) == await stream.get_final_text()
    assert http.is_closed


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_tool_agent_map_over_aiohttp_keeps_to_the_limits() -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers.

        Args:
            a: One.
            b: The other.
        """
        return a + b

    clock = VirtualClock()
    limits = RateLimits(requests_per_minute=30, clock=clock)
    model = TestModel(tool_inputs={"add": {"a": 2, "b": 3}}, rate_limits=limits)
    with serve_in_background(model) as served:
        async with (
            DefaultAioHttpClient() as http,
            AsyncAnthropic(
                api_key="k",
                base_url=served,
                http_client=http,
                rate_limiter=RateLimiter(clock=clock),
            ) as client,
        ):
            agent = AsyncAgent(client, model="claude-test", tools=[add])
            results, summary = await agent.map_all([f"q{i}" for i in range(20)], concurrency=8)
    assert summary.succeeded == 20
    assert all(result.result and result.result.turns == 2 for result in results)
    assert "5" in results[0].result.text  # type: ignore[union-attr]
    assert limits.rejected <= 8  # only the first burst, before the limits are known
    assert limits.admitted == 40  # two turns each
    assert summary.rate_limited == limits.rejected


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_refused_connection_is_an_api_connection_error() -> None:
    with serve_in_background(TestModel()) as served:
        pass  # the port is free again
    async with (
        DefaultAioHttpClient() as http,
        AsyncAnthropic(api_key="k", base_url=served, http_client=http, max_retries=0) as client,
    ):
        with pytest.raises(APIConnectionError):
            await client.messages.create(**MESSAGE)


def test_a_given_transport_and_proxies() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(204)

    mock = httpx.MockTransport(handler)
    assert DefaultAioHttpClient(transport=mock)._transport is mock
    proxied = DefaultAioHttpClient(proxy="http://127.0.0.1:9")
    assert [type(t).__name__ for t in proxied._mounts.values()] == ["_AsyncioOnly"]
    assert proxied.follow_redirects
    assert proxied.timeout.read == 600


def test_under_trio_it_says_to_use_asyncio(url: str) -> None:
    http = DefaultAioHttpClient()  # made outside any event loop: fine
    client = AsyncAnthropic(api_key="k", base_url=url, http_client=http, max_retries=0)

    async def send() -> None:
        with pytest.raises(UsageError, match="asyncio only"):
            await client.messages.create(**MESSAGE)
        with pytest.raises(UsageError, match="DefaultAsyncHttpxClient"):
            DefaultAioHttpClient()

    anyio.run(send, backend="trio")


def test_without_the_extra_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)  # as if not installed
    with pytest.raises(UsageError, match=r"pip install 'agentkit\[aiohttp\]'"):
        DefaultAioHttpClient()


def test_importing_agentkit_never_imports_aiohttp() -> None:
    modules = loaded("import agentkit\nfrom agentkit import DefaultAioHttpClient")
    assert "agentkit._aiohttp" in modules
    assert not {"aiohttp", "httpx_aiohttp"} & modules
