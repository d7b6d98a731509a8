"""Streaming benchmarks: text deltas through `text_stream`, and large streamed tool inputs.

    python -m bench.streaming [--repeat 5] [--quick]

Same bytes for every contender, in the same run, contenders alternated:
- in memory: each client's own mock transport serving the body in 16 KiB chunks;
- loopback: the bench server in a separate process (HTTP/1.1 on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from bench import sse_data
from bench._harness import Result, run_alternating, smoke_mode, table
from bench._server_process import loopback_server

CHUNK = 16 * 1024
PARAMS: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": "go"}],
}


def _chunks(body: bytes) -> Iterator[bytes]:
    for i in range(0, len(body), CHUNK):
        yield body[i : i + CHUNK]


class _Body(httpx.SyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        return _chunks(self.body)


def _agentkit_client(body: bytes | None, base_url: str | None, scenario: str) -> Any:
    from agentkit import Anthropic

    if body is not None:

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, stream=_Body(body)
            )

        http = httpx.Client(transport=httpx.MockTransport(handler))
        return Anthropic(api_key="bench", http_client=http)
    return Anthropic(
        api_key="bench", base_url=base_url, default_headers={"x-bench-scenario": scenario}
    )


def _sdk_client(body: bytes | None, base_url: str | None, scenario: str) -> Any:
    import anthropic
    import httpx2

    if body is not None:

        class Body(httpx2.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                return _chunks(body)

        def handler(request: httpx2.Request) -> httpx2.Response:
            return httpx2.Response(
                200, headers={"content-type": "text/event-stream"}, stream=Body()
            )

        http = httpx2.Client(transport=httpx2.MockTransport(handler))
        return anthropic.Anthropic(api_key="bench", http_client=http)
    return anthropic.Anthropic(
        api_key="bench", base_url=base_url, default_headers={"x-bench-scenario": scenario}
    )


def _raw_text(body: bytes | None, base_url: str | None, scenario: str) -> Callable[[], int]:
    """A hand-written loop: httpx + a minimal SSE line parser, counting text deltas."""
    if body is not None:

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, stream=_Body(body))

        http = httpx.Client(transport=httpx.MockTransport(handler))
        url = "http://mock/v1/messages"
    else:
        http = httpx.Client()
        url = f"{base_url}/v1/messages"
    headers = {
        "x-api-key": "bench",
        "anthropic-version": "2023-06-01",
        "x-bench-scenario": scenario,
    }

    def run() -> int:
        n = 0
        with http.stream("POST", url, json={**PARAMS, "stream": True}, headers=headers) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    event = json.loads(line[6:])
                    if event["type"] == "content_block_delta":
                        n += len(event["delta"].get("text", ""))
        return n

    return run


def _text_consumer(client: Any) -> Callable[[], int]:
    def run() -> int:
        n = 0
        with client.messages.stream(**PARAMS) as stream:
            for text in stream.text_stream:
                n += len(text)
        return n

    return run


def _final_consumer(client: Any) -> Callable[[], int]:
    def run() -> int:
        with client.messages.stream(**PARAMS) as stream:
            message = stream.get_final_message()
        return len(message.content[0].input["data"])

    return run


def bench_text(deltas: int, repeat: int, base_url: str | None) -> dict[str, Result]:
    """text_stream over `deltas` text deltas; in memory when base_url is None."""
    body = sse_data.text_stream(deltas)
    scenario = f"text:{deltas}"
    mem = None if base_url else body
    contenders: dict[str, Callable[[], object]] = {
        "agentkit": _text_consumer(_agentkit_client(mem, base_url, scenario)),
        "anthropic SDK": _text_consumer(_sdk_client(mem, base_url, scenario)),
        "raw httpx + hand SSE parser": _raw_text(mem, base_url, scenario),
    }
    return run_alternating(contenders, repeat=repeat, units=deltas)


def bench_tool(
    size: int, chunks: int, repeat: int, base_url: str | None, *, sdk: bool = True
) -> dict[str, Result]:
    """get_final_message() for one tool input of `size` bytes in `chunks` deltas."""
    body = sse_data.tool_stream(size, chunks)
    scenario = f"tool:{size}:{chunks}"
    mem = None if base_url else body
    contenders: dict[str, Callable[[], object]] = {
        "agentkit": _final_consumer(_agentkit_client(mem, base_url, scenario)),
    }
    if sdk:
        contenders["anthropic SDK"] = _final_consumer(_sdk_client(mem, base_url, scenario))
    return run_alternating(contenders, repeat=repeat, units=chunks)


def linearity(repeat: int, *, sdk_max_chunks: int, first: int = 1000) -> list[dict[str, Any]]:
    """Fixed 200-byte chunks, doubling the chunk count: time should at most about double."""
    rows = []
    for chunks in (first, 2 * first, 4 * first, 8 * first):
        results = bench_tool(200 * chunks, chunks, repeat, None, sdk=chunks <= sdk_max_chunks)
        rows.append(
            {
                "chunks": chunks,
                "bytes": 200 * chunks,
                **{name: r.median for name, r in results.items()},
            }
        )
    return rows


def fixed_size_series(repeat: int, size: int = 200_000, first: int = 1000) -> list[dict[str, Any]]:
    """The same 200 KB tool input in 1k, 2k and 4k chunks (the official SDK re-parses the
    whole buffer at every chunk, so its time grows with the chunk count)."""
    rows = []
    for chunks in (first, 2 * first, 4 * first):
        results = bench_tool(size, chunks, repeat, None)
        rows.append(
            {"chunks": chunks, "bytes": size, **{name: r.median for name, r in results.items()}}
        )
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every streaming benchmark, print the tables, return the figures."""
    parser = argparse.ArgumentParser(description="Streaming benchmarks.")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        smoke_mode()
    deltas, tool_size, tool_chunks = (200, 20_000, 200) if args.quick else (10_000, 2**20, 10_000)
    figures: dict[str, Any] = {}
    text_mem = bench_text(deltas, args.repeat, None)
    print(
        table(
            f"text_stream, {deltas:,} text deltas, in memory",
            text_mem,
            ["anthropic SDK", "raw httpx + hand SSE parser"],
            "deltas",
        )
    )
    tool_mem = bench_tool(tool_size, tool_chunks, args.repeat, None)
    print(
        table(
            f"tool input {tool_size:,} B in {tool_chunks:,} chunks, in memory",
            tool_mem,
            ["anthropic SDK"],
            "chunks",
        )
    )
    with loopback_server() as base_url:
        text_http = bench_text(deltas, args.repeat, base_url)
        print(
            table(
                f"text_stream, {deltas:,} text deltas, loopback HTTP",
                text_http,
                ["anthropic SDK", "raw httpx + hand SSE parser"],
                "deltas",
            )
        )
        tool_http = bench_tool(tool_size, tool_chunks, args.repeat, base_url)
        print(
            table(
                f"tool input {tool_size:,} B in {tool_chunks:,} chunks, loopback HTTP",
                tool_http,
                ["anthropic SDK"],
                "chunks",
            )
        )
    if args.quick:
        rows = linearity(1, sdk_max_chunks=100, first=100)
    else:
        rows = linearity(3, sdk_max_chunks=4000)
    print("## linearity: 200-byte input_json chunks, doubling the count (median seconds)\n")
    for row in rows:
        cells = "  ".join(f"{k}={v:.4f}s" for k, v in row.items() if isinstance(v, float))
        print(f"  {row['chunks']:>5} chunks ({row['bytes']:>9,} B): {cells}")
    series = fixed_size_series(1, 2_000, first=100) if args.quick else fixed_size_series(3)
    print("\n## one tool input of fixed size, in more and more chunks (median seconds)\n")
    for row in series:
        cells = "  ".join(f"{k}={v:.4f}s" for k, v in row.items() if isinstance(v, float))
        print(f"  {row['chunks']:>5} chunks ({row['bytes']:>9,} B): {cells}")
    figures.update(
        text_memory={k: v.as_dict() for k, v in text_mem.items()},
        tool_memory={k: v.as_dict() for k, v in tool_mem.items()},
        text_loopback={k: v.as_dict() for k, v in text_http.items()},
        tool_loopback={k: v.as_dict() for k, v in tool_http.items()},
        linearity=rows,
        fixed_size=series,
    )
    return figures


if __name__ == "__main__":
    main()
