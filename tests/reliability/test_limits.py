"""Hostile input and limits: huge results and bodies, endless lines, stuck tools, crowds."""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any

import anyio
import httpx
import pytest

from agentkit import (
    Anthropic,
    APIResponseValidationError,
    Toolbox,
    tool,
)
from agentkit.testing import FunctionModel, RawReply
from tests.reliability.concurrent_runs import rss_mb, run_many

BIG = 50 * 1024 * 1024


def test_a_50_mb_tool_result_is_capped_without_copying_it() -> None:
    @tool(max_result_chars=10_000)
    def dump() -> str:
        """Return a huge text."""
        return "x" * BIG

    tracemalloc.start()
    try:
        result = Toolbox([dump]).run({"type": "tool_use", "id": "t", "name": "dump", "input": {}})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    content = result["content"]
    assert isinstance(content, str)
    assert len(content) <= 10_000
    assert "characters cut" in content
    assert peak < 1.5 * BIG  # the 50 MB string itself, never a second copy of it


def _huge_body_client(size: int, *, chunked: bool) -> Anthropic:
    def handler(request: httpx.Request) -> httpx.Response:
        chunk = b" " * (1024 * 1024)
        count = size // len(chunk)

        def body() -> Any:
            for _ in range(count):
                yield chunk

        headers = {"content-type": "application/json"}
        if not chunked:
            headers["content-length"] = str(count * len(chunk))
        return httpx.Response(
            200,
            headers=headers,
            stream=httpx.ByteStream(b"".join(body())) if not chunked else _Gen(body()),
        )

    return Anthropic(api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(handler)))


class _Gen(httpx.SyncByteStream):
    def __init__(self, parts: Any) -> None:
        self.parts = parts

    def __iter__(self) -> Any:
        return iter(self.parts)


@pytest.mark.parametrize("chunked", [True, False])
def test_a_100_mb_response_body_is_refused_past_the_bound(chunked: bool) -> None:
    client = _huge_body_client(100 * 1024 * 1024, chunked=chunked)
    tracemalloc.start()
    try:
        with pytest.raises(APIResponseValidationError, match="larger than 33554432 bytes"):
            client.messages.create(
                model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if chunked:
        assert peak < 80 * 1024 * 1024  # read up to the 32 MiB bound, not the 100 MB


def test_an_sse_line_without_end_is_refused_past_the_bound() -> None:
    endless = b"event: content_block_delta\ndata: " + b"x" * (40 * 1024 * 1024)
    client = FunctionModel(lambda r: RawReply(endless)).client(max_retries=0)
    with (
        pytest.raises(APIResponseValidationError, match="line exceeded"),
        client.messages.stream(
            model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
        ) as stream,
    ):
        stream.until_done()


def test_a_tool_that_never_returns_hits_its_timeout() -> None:
    test_over = threading.Event()

    @tool(timeout=0.2)
    def stuck() -> str:
        """Does not finish while the test runs (gives up after 10 s: a test fails, not hangs)."""
        test_over.wait(10)
        return "late"

    try:
        result = Toolbox([stuck]).run({"type": "tool_use", "id": "t", "name": "stuck", "input": {}})
    finally:
        test_over.set()
    assert result["is_error"] is True
    assert "timed out after 0.2 s" in str(result["content"])


def test_a_thousand_concurrent_async_runs_on_one_client(capsys: pytest.CaptureFixture[str]) -> None:
    before = rss_mb()
    stop_reasons, wall = anyio.run(run_many, 1000)
    with capsys.disabled():  # figures under coverage: see concurrent_runs.py for real ones
        after = rss_mb()
        print(f"\n1,000 concurrent async runs: {wall:.2f} s, RSS {before:.0f} -> {after:.0f} MB")
    assert stop_reasons == ["end_turn"] * 1000
