"""Many runs at once: `agent.map` under rate limits, and at concurrency 100 (issue 16 targets).

    python -m bench.many_runs [--runs 500] [--speed 20] [--loop-runs 1000] [--concurrency 100]
                              [--creates 500] [--repeat 3]

1. Rate limits. 500 runs against a loopback server (`agentkit.testing` `TestModel` behind
   `RateLimits`: 600 requests / 100k input tokens / 20k output tokens per minute, on a clock
   `--speed` times faster than real time; each prompt is about 800 input tokens, so the
   input-token limit binds). agentkit: `AsyncAgent.map(concurrency=32)` with a `RateLimiter`
   that learns the limits from the headers. Baseline: the official SDK's `AsyncAnthropic`
   driven by `asyncio.gather` and a semaphore of 32 (`max_retries=10`, honouring
   `retry-after`). Reported: requests answered 429 (share of all requests), completion time,
   and the binding limit's throughput as a share of the limit (the ideal time, after the
   bucket's initial burst, over the time taken).
2. Concurrency. 1,000 runs of a two-turn tool agent at concurrency 100 against the bench
   server (`bench/server.py`): agentkit `Agent.map` (threads) and `AsyncAgent.map` on httpx's
   connection pool and on `DefaultAioHttpClient` (aiohttp's), vs the official SDK's async
   `tool_runner` (its default client and its `DefaultAioHttpClient`) under `asyncio.gather` +
   a semaphore of 100; CPU time per run, wall time and peak RSS, each contender in its own
   process, alternating, medians of `--repeat`.
3. Transports. 500 async `messages.create` calls, 32 at a time, the same four async clients.

Numbers are measured, never asserted; read the ratios (same machine, same run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

MODEL = "claude-sonnet-4-5"
LIMITS = {
    "requests_per_minute": 600,
    "input_tokens_per_minute": 100_000,
    "output_tokens_per_minute": 20_000,
}
MAX_TOKENS = 64
CONCURRENCY = 32


def prompt(n: int) -> str:
    """About 800 input tokens (by the offline counting rule: four characters a token)."""
    return f"Ticket {n}: " + ("the printer on floor 3 jams on every duplex job; " * 64)


def _server(speed: float) -> tuple[Any, Any, Any]:
    from agentkit.testing import RateLimits, ScaledClock, TestModel
    from agentkit.testing.server import ModelServer

    limits = RateLimits(**LIMITS, clock=ScaledClock(speed))
    model = TestModel(rate_limits=limits, keep_requests=False)
    server = ModelServer(model)
    import threading

    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    return server, model, limits


def _report(
    name: str, limits: Any, elapsed: float, speed: float, input_tokens: int
) -> dict[str, Any]:
    total = limits.admitted + limits.rejected
    minutes = elapsed * speed / 60
    ideal = max(
        0.0, (input_tokens - LIMITS["input_tokens_per_minute"]) / LIMITS["input_tokens_per_minute"]
    )
    return {
        "contender": name,
        "requests": total,
        "429s": limits.rejected,
        "429_share": limits.rejected / total if total else 0.0,
        "seconds": elapsed,
        "virtual_minutes": minutes,
        "binding_throughput": ideal / minutes if minutes else 0.0,
    }


async def _agentkit(url: str, runs: int, speed: float) -> tuple[float, int, int]:
    from agentkit import AsyncAgent, AsyncAnthropic, RateLimiter
    from agentkit.testing import ScaledClock

    limiter = RateLimiter(clock=ScaledClock(speed))  # learns the limits from the headers
    client = AsyncAnthropic(api_key="bench", base_url=url, rate_limiter=limiter, max_retries=10)
    agent = AsyncAgent(client, model=MODEL, max_tokens=MAX_TOKENS)
    started = time.perf_counter()
    _, summary = await agent.map_all(
        (prompt(n) for n in range(runs)), concurrency=CONCURRENCY, progress=False
    )
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed, summary.failed, summary.usage.input_tokens


async def _sdk(url: str, runs: int) -> tuple[float, int, int]:
    import anthropic

    client = anthropic.AsyncAnthropic(api_key="bench", base_url=url, max_retries=10)
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(n: int) -> Any:
        async with semaphore:
            return await client.messages.create(
                model=MODEL,
                max_tokens=MAX_TOKENS,
                messages=[{"role": "user", "content": prompt(n)}],
            )

    started = time.perf_counter()
    answers = await asyncio.gather(*(one(n) for n in range(runs)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    failed = sum(1 for a in answers if isinstance(a, BaseException))
    tokens = sum(a.usage.input_tokens for a in answers if not isinstance(a, BaseException))
    await client.close()
    return elapsed, failed, tokens


def bench_rate_limits(runs: int, speed: float) -> list[dict[str, Any]]:
    """Both contenders, each against its own fresh server."""
    rows = []
    for name in ("agentkit map + RateLimiter", "anthropic SDK gather + semaphore"):
        server, _, limits = _server(speed)
        try:
            if name.startswith("agentkit"):
                elapsed, failed, tokens = asyncio.run(_agentkit(server.url, runs, speed))
            else:
                elapsed, failed, tokens = asyncio.run(_sdk(server.url, runs))
        finally:
            server.shutdown()
            server.server_close()
        row = _report(name, limits, elapsed, speed, tokens)
        row["failed"] = failed
        rows.append(row)
    return rows


# -- 2. concurrency 100, two-turn tool agent; 3. 32 concurrent creates ----------------------

LOOP_CONTENDERS = {
    "agentkit-sync": "agentkit Agent.map (threads)",
    "agentkit": "agentkit AsyncAgent.map (httpx pool)",
    "agentkit-aiohttp": "agentkit AsyncAgent.map (DefaultAioHttpClient)",
    "anthropic": "anthropic tool_runner (default)",
    "anthropic-aiohttp": "anthropic tool_runner (DefaultAioHttpClient)",
}
CREATE_CONTENDERS = {
    "agentkit": "agentkit (httpx pool)",
    "agentkit-aiohttp": "agentkit (DefaultAioHttpClient)",
    "anthropic": "anthropic SDK (default)",
    "anthropic-aiohttp": "anthropic SDK (DefaultAioHttpClient)",
}


def _agentkit_http(contender: str) -> Any:
    from agentkit import DefaultAioHttpClient

    return DefaultAioHttpClient() if contender.endswith("aiohttp") else None


def _sdk_client(contender: str, url: str) -> Any:
    import anthropic

    http = anthropic.DefaultAioHttpClient() if contender.endswith("aiohttp") else None
    return anthropic.AsyncAnthropic(
        api_key="bench",
        base_url=url,
        default_headers={"x-bench-scenario": "loop"},
        http_client=http,
    )


def _loop_child(contender: str, url: str, runs: int, concurrency: int) -> int:
    """One contender's 1,000 two-turn runs; returns how many failed."""
    from bench.agent_loop import PROMPT, add, add_text

    headers = {"x-bench-scenario": "loop"}
    if contender == "agentkit-sync":
        from agentkit import Agent, Anthropic

        with Anthropic(api_key="bench", base_url=url, default_headers=headers) as sync_client:
            agent = Agent(sync_client, model=MODEL, tools=[add], max_tokens=1024)
            _, summary = agent.map_all(
                (PROMPT for _ in range(runs)), concurrency=concurrency, progress=False
            )
        return summary.failed

    async def agentkit_runs() -> int:
        from agentkit import AsyncAgent, AsyncAnthropic

        http = _agentkit_http(contender)
        client = AsyncAnthropic(
            api_key="bench", base_url=url, default_headers=headers, http_client=http
        )
        agent = AsyncAgent(client, model=MODEL, tools=[add], max_tokens=1024)
        _, summary = await agent.map_all(
            (PROMPT for _ in range(runs)), concurrency=concurrency, progress=False
        )
        await client.close()
        if http is not None:
            await http.aclose()
        return summary.failed

    async def sdk_runs() -> int:
        from anthropic import beta_async_tool

        client = _sdk_client(contender, url)

        async def add_async(a: int, b: int) -> str:
            """Add two integers.

            Args:
                a: First number.
                b: Second number.
            """
            return add_text(a, b)

        tools = [beta_async_tool(add_async, name="add")]
        semaphore = asyncio.Semaphore(concurrency)

        async def one() -> Any:
            async with semaphore:
                runner = client.beta.messages.tool_runner(
                    model=MODEL,
                    max_tokens=1024,
                    tools=tools,
                    messages=[{"role": "user", "content": PROMPT}],
                )
                return await runner.until_done()

        answers = await asyncio.gather(*(one() for _ in range(runs)), return_exceptions=True)
        await client.close()
        return sum(1 for a in answers if isinstance(a, BaseException))

    return asyncio.run(agentkit_runs() if contender.startswith("agentkit") else sdk_runs())


def _create_child(contender: str, url: str, requests: int, concurrency: int) -> int:
    """One contender's `requests` async creates, `concurrency` at a time; returns failures."""

    async def main() -> int:
        if contender.startswith("agentkit"):
            from agentkit import AsyncAnthropic

            http = _agentkit_http(contender)
            client: Any = AsyncAnthropic(
                api_key="bench",
                base_url=url,
                default_headers={"x-bench-scenario": "loop"},
                http_client=http,
            )
        else:
            http, client = None, _sdk_client(contender, url)
        semaphore = asyncio.Semaphore(concurrency)

        async def one() -> Any:
            async with semaphore:
                return await client.messages.create(
                    model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "hi"}]
                )

        answers = await asyncio.gather(*(one() for _ in range(requests)), return_exceptions=True)
        await client.close()
        if http is not None:
            await http.aclose()
        return sum(1 for a in answers if isinstance(a, BaseException))

    return asyncio.run(main())


def _preload(contender: str) -> None:
    """Import what the contender uses before the clock starts (imports are not measured)."""
    if contender.startswith("agentkit"):
        import agentkit

        for name in ("Agent", "Anthropic", "AsyncAgent", "AsyncAnthropic"):
            getattr(agentkit, name)  # the lazy exports: importing them loads the client
    else:
        import anthropic

        for name in ("AsyncAnthropic", "beta_async_tool"):
            getattr(anthropic, name)
    if contender.endswith("aiohttp"):
        import aiohttp  # noqa: F401
        import httpx_aiohttp  # noqa: F401


def _peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM on Linux (`ru_maxrss` keeps the forking parent's peak)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(task: str, contender: str, url: str, size: int, concurrency: int) -> None:
    """One contender in this process; prints its figures as JSON."""
    _preload(contender)
    cpu, wall = time.process_time(), time.perf_counter()
    run = _loop_child if task == "loop" else _create_child
    failed = run(contender, url, size, concurrency)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        json.dumps({"cpu_s": cpu, "wall_s": wall, "peak_rss_mb": _peak_rss_mb(), "failed": failed})
    )


def _spawn(task: str, contender: str, url: str, size: int, concurrency: int) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.many_runs",
            "--child",
            task,
            contender,
            url,
            "--size",
            str(size),
            "--concurrency",
            str(concurrency),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def _medians(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over repeats, with the wall-time range."""
    walls = [sample["wall_s"] for sample in samples]
    return {
        "cpu_s": statistics.median(sample["cpu_s"] for sample in samples),
        "wall_s": statistics.median(walls),
        "wall_range": (min(walls), max(walls)),
        "peak_rss_mb": max(sample["peak_rss_mb"] for sample in samples),
        "failed": max(sample["failed"] for sample in samples),
    }


def bench_processes(
    task: str, contenders: dict[str, str], size: int, concurrency: int, repeat: int
) -> dict[str, dict[str, Any]]:
    """Each contender in its own process against one bench server, alternating, `repeat` times."""
    from bench._server_process import loopback_server

    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    with loopback_server() as url:
        for _ in range(repeat):
            for contender in contenders:
                samples[contender].append(_spawn(task, contender, url, size, concurrency))
    rows = {}
    for contender, label in contenders.items():
        row = _medians(samples[contender])
        row["cpu_ms_per_unit"] = row["cpu_s"] / size * 1000
        rows[label] = row
    return rows


def _print_processes(title: str, rows: dict[str, dict[str, Any]], baseline: str) -> None:
    base = rows[baseline]
    print(f"\n{title}")
    print("| contender | CPU per unit (ms) | wall (s), median (range) | peak RSS (MB) | failed |")
    print("|---|---|---|---|---|")
    for label, row in rows.items():
        low, high = row["wall_range"]
        print(
            f"| {label} | {row['cpu_ms_per_unit']:.2f} "
            f"({row['cpu_s'] / base['cpu_s']:.2f}x) "
            f"| {row['wall_s']:.2f} ({low:.2f}-{high:.2f}; "
            f"{row['wall_s'] / base['wall_s']:.2f}x) "
            f"| {row['peak_rss_mb']:.0f} | {row['failed']} |"
        )
    print(f"(x: this contender / {baseline}, same run; below 1 is less)")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmarks; print the tables; return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--loop-runs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=3, metavar=("TASK", "CONTENDER", "URL"))
    parser.add_argument("--skip-limits", action="store_true")
    parser.add_argument("--skip-loop", action="store_true")
    parser.add_argument("--skip-creates", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        task, contender, url = args.child
        _child(task, contender, url, args.size, args.concurrency)
        return {}
    figures: dict[str, Any] = {}
    if not args.skip_limits:
        figures["rate_limits"] = bench_rate_limits(args.runs, args.speed)
        print(f"\n{args.runs} runs, limits {LIMITS} per minute, clock x{args.speed:g}")
        print(
            "| contender | requests | 429s (share) | failed | time (s) | binding-limit throughput |"
        )
        print("|---|---|---|---|---|---|")
        for row in figures["rate_limits"]:
            print(
                f"| {row['contender']} | {row['requests']} | {row['429s']} "
                f"({row['429_share']:.1%}) | {row['failed']} | {row['seconds']:.2f} "
                f"| {row['binding_throughput']:.0%} |"
            )
    if not args.skip_loop:
        figures["concurrency"] = bench_processes(
            "loop", LOOP_CONTENDERS, args.loop_runs, args.concurrency, args.repeat
        )
        _print_processes(
            f"{args.loop_runs} two-turn tool runs at concurrency {args.concurrency}, loopback "
            f"HTTP (unit: one run; medians of {args.repeat})",
            figures["concurrency"],
            LOOP_CONTENDERS["anthropic"],
        )
    if not args.skip_creates:
        figures["creates"] = bench_processes(
            "create", CREATE_CONTENDERS, args.creates, 32, args.repeat
        )
        _print_processes(
            f"{args.creates} async creates, 32 at a time, loopback HTTP (unit: one request; "
            f"medians of {args.repeat})",
            figures["creates"],
            CREATE_CONTENDERS["anthropic"],
        )
    return figures


if __name__ == "__main__":
    main()
