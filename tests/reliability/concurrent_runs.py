"""Many concurrent `AsyncAgent` runs on one client, against an in-process `TestModel`.

`python -m tests.reliability.concurrent_runs [--runs 1000]` prints the wall time and the
process's RSS before and after. Run it on its own: inside the test suite the same scenario is
several times slower and heavier, because coverage traces every line and the process already
holds everything the other tests loaded.
"""

from __future__ import annotations

import argparse
import os
import time

import anyio

from agentkit import AsyncAgent, AsyncAnthropic, tool
from agentkit.testing import TestModel


def rss_mb() -> float:
    """This process's resident set size in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@tool
async def add(a: int, b: int) -> int:
    """Add two integers."""
    await anyio.sleep(0.01)
    return a + b


async def run_many(runs: int) -> tuple[list[str], float]:
    """Start `runs` agent runs at once; their stop reasons and the wall time."""
    client: AsyncAnthropic = TestModel().async_client()
    agent = AsyncAgent(client, model="m", tools=[add])
    stop_reasons: list[str] = []
    started = time.perf_counter()

    async def one(i: int) -> None:
        result = await agent.run(f"run {i}")
        stop_reasons.append(result.stop_reason)

    async with anyio.create_task_group() as group:
        for i in range(runs):
            group.start_soon(one, i)
    await client.close()
    return stop_reasons, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    """Run from the command line and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args(argv)
    before = rss_mb()
    stop_reasons, wall = anyio.run(run_many, args.runs)
    finished = stop_reasons.count("end_turn")
    print(
        f"{args.runs:,} concurrent AsyncAgent runs: {finished:,} finished, {wall:.2f} s wall, "
        f"RSS {before:.0f} -> {rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
