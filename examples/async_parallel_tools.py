"""AsyncAgent with I/O-bound tools: one turn's calls run concurrently.

Three tools that each wait 0.5 s (standing in for HTTP calls) finish in about 0.5 s, not 1.5 s.

    python examples/async_parallel_tools.py [--live]
"""

from __future__ import annotations

import time

import anyio
from _common import MODEL, async_client_for, parse_args

from agentkit import AsyncAgent, tool
from agentkit.testing import TestModel

LATENCY = 0.5


@tool
async def fetch_stock_price(ticker: str) -> float:
    """Latest stock price for a ticker symbol.

    Args:
        ticker: The symbol, e.g. "ACME".
    """
    await anyio.sleep(LATENCY)
    return 123.45


@tool
async def fetch_news(topic: str) -> list[str]:
    """Recent headlines about a topic.

    Args:
        topic: What the news should be about.
    """
    await anyio.sleep(LATENCY)
    return [f"{topic} beats expectations", f"Analysts upgrade {topic}"]


@tool
async def fetch_fx_rate(source: str, target: str) -> float:
    """Exchange rate between two currencies.

    Args:
        source: ISO code to convert from.
        target: ISO code to convert to.
    """
    await anyio.sleep(LATENCY)
    return 0.93


async def amain(argv: list[str] | None = None) -> float:
    """One run; returns how long the tool turn took."""
    args = parse_args(__doc__ or "", argv)
    offline = TestModel(
        tool_inputs={
            "fetch_stock_price": {"ticker": "ACME"},
            "fetch_news": {"topic": "ACME"},
            "fetch_fx_rate": {"source": "USD", "target": "EUR"},
        }
    )
    agent = AsyncAgent(
        async_client_for(args, offline),
        model=MODEL,
        tools=[fetch_stock_price, fetch_news, fetch_fx_rate],
    )
    started = time.perf_counter()
    result = await agent.run("Brief me on ACME: price in EUR and the latest news.")
    elapsed = time.perf_counter() - started
    for call in result.tool_calls:
        print(f"  {call.name}: {call.duration:.2f} s")
    print(result.text)
    print(f"{len(result.tool_calls)} tool calls of {LATENCY} s each; whole run {elapsed:.2f} s")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    """Run `amain` on an event loop."""
    anyio.run(amain, argv)


if __name__ == "__main__":
    main()
