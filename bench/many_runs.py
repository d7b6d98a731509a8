"""Many runs at once: `agent.map` under rate limits, and at concurrency 100 (issue 16 targets).

    python -m bench.many_runs [--runs 500] [--speed 20] [--loop-runs 1000] [--concurrency 100]

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
   server (`bench/server.py`): agentkit `AsyncAgent.map` vs the official SDK's async
   `tool_runner` under `asyncio.gather` + a semaphore of 100; CPU time per run and peak RSS,
   each contender in its own process.

Numbers are measured, never asserted; read the ratios (same machine, same run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
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
    model = TestModel(rate_limits=limits)
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


# -- 2. concurrency 100, two-turn tool agent ------------------------------------------------


def _child(contender: str, url: str, runs: int, concurrency: int) -> None:
    """One contender in this process; prints its figures as JSON."""
    from bench.agent_loop import PROMPT, add, add_text

    async def agentkit_runs() -> int:
        from agentkit import AsyncAgent, AsyncAnthropic

        client = AsyncAnthropic(
            api_key="bench", base_url=url, default_headers={"x-bench-scenario": "loop"}
        )
        agent = AsyncAgent(client, model=MODEL, tools=[add], max_tokens=1024)
        _, summary = await agent.map_all(
            (PROMPT for _ in range(runs)), concurrency=concurrency, progress=False
        )
        await client.close()
        return summary.failed

    async def sdk_runs() -> int:
        import anthropic
        from anthropic import beta_async_tool

        client = anthropic.AsyncAnthropic(
            api_key="bench", base_url=url, default_headers={"x-bench-scenario": "loop"}
        )

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

    cpu, wall = time.process_time(), time.perf_counter()
    failed = asyncio.run(agentkit_runs() if contender == "agentkit" else sdk_runs())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"cpu_s": cpu, "wall_s": wall, "peak_rss_mb": peak_kb / 1024, "failed": failed})
    )


def bench_concurrency(runs: int, concurrency: int) -> list[dict[str, Any]]:
    """Each contender in its own process, against one bench server."""
    from bench._server_process import loopback_server

    rows = []
    with loopback_server() as url:
        for contender in ("agentkit", "anthropic"):
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.many_runs",
                    "--child",
                    contender,
                    url,
                    "--loop-runs",
                    str(runs),
                    "--concurrency",
                    str(concurrency),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            figures["contender"] = contender
            figures["cpu_ms_per_run"] = figures["cpu_s"] / runs * 1000
            rows.append(figures)
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both benchmarks; print the tables; return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--loop-runs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--child", nargs=2, metavar=("CONTENDER", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--skip-limits", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], args.child[1], args.loop_runs, args.concurrency)
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
    figures["concurrency"] = bench_concurrency(args.loop_runs, args.concurrency)
    print(f"\n{args.loop_runs} two-turn tool runs at concurrency {args.concurrency}, loopback HTTP")
    print("| contender | CPU per run (ms) | wall (s) | peak RSS (MB) | failed |")
    print("|---|---|---|---|---|")
    base = figures["concurrency"][1]["cpu_ms_per_run"]
    for row in figures["concurrency"]:
        print(
            f"| {row['contender']} | {row['cpu_ms_per_run']:.2f} "
            f"({row['cpu_ms_per_run'] / base:.2f}x) "
            f"| {row['wall_s']:.2f} | {row['peak_rss_mb']:.0f} | {row['failed']} |"
        )
    return figures


if __name__ == "__main__":
    main()
