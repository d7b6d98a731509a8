"""Non-streaming `messages.create` on the loopback bench server: sequential and concurrent.

    python -m bench.client [--requests 500] [--repeat 5]

Contenders: agentkit, the official SDK, and raw httpx posting the same JSON (the floor).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import anyio
import httpx

from bench._harness import Result, run_alternating, table
from bench._server_process import loopback_server

MODEL = "claude-sonnet-4-5"
BODY: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 256,
    "messages": [{"role": "user", "content": "Say hello."}],
}
HEADERS = {"x-api-key": "bench", "anthropic-version": "2023-06-01"}


def agentkit_create(base_url: str) -> Callable[[], object]:
    """One agentkit create per call."""
    from agentkit import Anthropic

    client = Anthropic(api_key="bench", base_url=base_url)
    return lambda: client.messages.create(**BODY)


def sdk_create(base_url: str) -> Callable[[], object]:
    """One official-SDK create per call."""
    import anthropic

    client = anthropic.Anthropic(api_key="bench", base_url=base_url, max_retries=0)
    return lambda: client.messages.create(**BODY)


def raw_create(base_url: str) -> Callable[[], object]:
    """One raw httpx POST (JSON decoded) per call."""
    http = httpx.Client(base_url=base_url)
    return lambda: http.post("/v1/messages", json=BODY, headers=HEADERS).json()


def _times(call: Callable[[], object], n: int) -> Callable[[], object]:
    def many() -> None:
        for _ in range(n):
            call()

    return many


def sync_contenders(base_url: str, n: int) -> dict[str, Callable[[], object]]:
    """`n` sequential creates per call, per contender."""
    return {
        "agentkit": _times(agentkit_create(base_url), n),
        "anthropic SDK": _times(sdk_create(base_url), n),
        "raw httpx": _times(raw_create(base_url), n),
    }


def async_contenders(base_url: str, n: int, concurrency: int) -> dict[str, Callable[[], object]]:
    """`n` async creates per call, `concurrency` at a time (1 = sequential)."""
    import anthropic

    from agentkit import AsyncAnthropic

    async def drive(call: Callable[[], Any]) -> None:
        limiter = anyio.Semaphore(concurrency)

        async def one() -> None:
            async with limiter:
                await call()

        async with anyio.create_task_group() as group:
            for _ in range(n):
                group.start_soon(one)

    def agentkit_run() -> None:
        async def main() -> None:
            async with AsyncAnthropic(api_key="bench", base_url=base_url) as client:
                await drive(lambda: client.messages.create(**BODY))

        anyio.run(main)

    def sdk_run() -> None:
        async def main() -> None:
            client = anthropic.AsyncAnthropic(api_key="bench", base_url=base_url, max_retries=0)
            await drive(lambda: client.messages.create(**BODY))
            await client.close()

        anyio.run(main)

    def raw_run() -> None:
        async def main() -> None:
            async with httpx.AsyncClient(base_url=base_url) as http:

                async def post() -> None:
                    (await http.post("/v1/messages", json=BODY, headers=HEADERS)).json()

                await drive(post)

        anyio.run(main)

    return {"agentkit": agentkit_run, "anthropic SDK": sdk_run, "raw httpx": raw_run}


def server_ceiling(base_url: str, seconds: float = 1.0) -> float:
    """Requests per second the bench server answers to a minimal raw-socket client.

    Two processes, each sending keep-alive requests back to back over one connection.
    """
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        counts = pool.starmap(_hammer, [(base_url, seconds)] * 2)
    return sum(counts) / seconds


def _hammer(base_url: str, seconds: float) -> int:
    import socket
    import time

    host, port = base_url.removeprefix("http://").split(":")
    request = (
        b"POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"content-length: 2\r\n\r\n{}"
    )
    count = 0
    with socket.create_connection((host, int(port))) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            sock.sendall(request)
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            while len(body) < length:
                body += sock.recv(65536)
            count += 1
    return count


def run(base_url: str, requests: int, repeat: int) -> dict[str, dict[str, Result]]:
    """All client benchmarks against one server."""
    return {
        "sync": run_alternating(
            sync_contenders(base_url, requests), repeat=repeat, units=requests, memory=False
        ),
        "async": run_alternating(
            async_contenders(base_url, requests, 1), repeat=repeat, units=requests, memory=False
        ),
        "async32": run_alternating(
            async_contenders(base_url, requests, 32), repeat=repeat, units=requests, memory=False
        ),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run and print."""
    parser = argparse.ArgumentParser(description="Client benchmarks.")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ceiling-seconds", type=float, default=1.0, help="server ceiling run")
    args = parser.parse_args(argv)
    with loopback_server() as base_url:
        ceiling = server_ceiling(base_url, args.ceiling_seconds)
        results = run(base_url, args.requests, args.repeat)
    print(f"bench server ceiling: {ceiling:,.0f} req/s (2 raw-socket client processes)")
    names = {
        "sync": "sequential sync create",
        "async": "sequential async create",
        "async32": "32 concurrent async creates",
    }
    for key, result in results.items():
        print(
            table(
                f"{names[key]}, {args.requests} requests",
                result,
                ["raw httpx", "anthropic SDK"],
                "req",
            )
        )
    return {
        "ceiling": ceiling,
        **{k: {n: r.as_dict() for n, r in v.items()} for k, v in results.items()},
    }


if __name__ == "__main__":
    main()
