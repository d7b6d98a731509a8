"""Agent-loop benchmarks on the loopback bench server.

    python -m bench.agent_loop [--runs 100] [--repeat 5]

- 2-turn loop: one tool call (add), then `end_turn`; per-run wall and CPU time for agentkit
  `Agent` / `AsyncAgent`, the official SDK's `client.beta.messages.tool_runner`, pydantic-ai's
  `Agent.run`, and a hand-written raw-httpx loop.
- parallel tools: one turn calling 10 tools that each sleep 0.2 s (agentkit runs them
  concurrently; the official tool runner runs them one after another).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx

from bench._harness import Result, run_alternating, table
from bench._server_process import loopback_server

MODEL = "claude-sonnet-4-5"
PROMPT = "What is 2 + 3?"


def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: First number.
        b: Second number.
    """
    return a + b


def add_text(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: First number.
        b: Second number.
    """
    return str(a + b)  # the official tool runner needs str (or content blocks) from a tool


def raw_loop(base_url: str) -> Callable[[], object]:
    """The floor: httpx posting JSON, a dict lookup for the tool, no validation."""
    http = httpx.Client(base_url=base_url)
    headers = {"x-api-key": "bench", "anthropic-version": "2023-06-01", "x-bench-scenario": "loop"}
    tool_def = {
        "name": "add",
        "description": "Add two integers.",
        "input_schema": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    }

    def run() -> str:
        messages: list[dict[str, Any]] = [{"role": "user", "content": PROMPT}]
        while True:
            body = {"model": MODEL, "max_tokens": 1024, "messages": messages, "tools": [tool_def]}
            reply = http.post("/v1/messages", json=body, headers=headers).json()
            messages.append({"role": "assistant", "content": reply["content"]})
            if reply["stop_reason"] != "tool_use":
                return str(reply["content"][0]["text"])
            results = [
                {"type": "tool_result", "tool_use_id": b["id"], "content": str(add(**b["input"]))}
                for b in reply["content"]
                if b["type"] == "tool_use"
            ]
            messages.append({"role": "user", "content": results})

    return run


def agentkit_sync(
    base_url: str, scenario: str = "loop", tools: list[Any] | None = None
) -> Callable[[], object]:
    from agentkit import Agent, Anthropic, tool

    client = Anthropic(
        api_key="bench", base_url=base_url, default_headers={"x-bench-scenario": scenario}
    )
    agent = Agent(client, model=MODEL, tools=tools or [tool(add)])
    return lambda: agent.run(PROMPT).text


def agentkit_async(base_url: str, runs: int) -> Callable[[], object]:
    """`runs` runs of AsyncAgent inside one event loop (per-run time = total / runs)."""
    from agentkit import AsyncAgent, AsyncAnthropic, tool

    async def many() -> None:
        client = AsyncAnthropic(
            api_key="bench", base_url=base_url, default_headers={"x-bench-scenario": "loop"}
        )
        agent = AsyncAgent(client, model=MODEL, tools=[tool(add)])
        for _ in range(runs):
            await agent.run(PROMPT)
        await client.close()

    return lambda: anyio.run(many)


def sdk_tool_runner(
    base_url: str, scenario: str = "loop", tools: list[Any] | None = None
) -> Callable[[], object]:
    import anthropic
    from anthropic import beta_tool

    client = anthropic.Anthropic(
        api_key="bench",
        base_url=base_url,
        max_retries=0,
        default_headers={"x-bench-scenario": scenario},
    )
    runnable = tools or [beta_tool(add_text, name="add")]

    def run() -> object:
        runner = client.beta.messages.tool_runner(
            model=MODEL,
            max_tokens=1024,
            tools=runnable,
            messages=[{"role": "user", "content": PROMPT}],
        )
        return runner.until_done()

    return run


def pydantic_ai_agent(base_url: str, runs: int) -> Callable[[], object] | None:
    """`runs` runs of pydantic-ai's Agent.run in one event loop; None if not installed."""
    if importlib.util.find_spec("pydantic_ai") is None:
        return None  # known before importing the official SDK (a second and more)
    try:
        import anthropic
        from pydantic_ai import Agent as PAgent
        from pydantic_ai.models.anthropic import AnthropicModel
        from pydantic_ai.providers.anthropic import AnthropicProvider
    except ImportError:
        return None

    async def many() -> None:
        client = anthropic.AsyncAnthropic(
            api_key="bench",
            base_url=base_url,
            max_retries=0,
            default_headers={"x-bench-scenario": "loop"},
        )
        model = AnthropicModel(MODEL, provider=AnthropicProvider(anthropic_client=client))
        agent = PAgent(model, tools=[add])
        for _ in range(runs):
            await agent.run(PROMPT)

    return lambda: anyio.run(many)


def _repeat(fn: Callable[[], object], runs: int) -> Callable[[], object]:
    def many() -> None:
        for _ in range(runs):
            fn()

    return many


def bench_loop(base_url: str, runs: int, repeat: int) -> dict[str, Result]:
    """Each contender does `runs` 2-turn runs per measurement; rates are runs per second."""
    contenders: dict[str, Callable[[], object]] = {
        "raw httpx loop": _repeat(raw_loop(base_url), runs),
        "agentkit Agent": _repeat(agentkit_sync(base_url), runs),
        "agentkit AsyncAgent": agentkit_async(base_url, runs),
        "anthropic tool_runner": _repeat(sdk_tool_runner(base_url), runs),
    }
    pai = pydantic_ai_agent(base_url, runs)
    if pai is not None:
        contenders["pydantic-ai Agent.run"] = pai
    for fn in contenders.values():  # each answers correctly before it is timed
        fn()
    return run_alternating(contenders, repeat=repeat, warmup=0, units=runs, memory=False)


def bench_parallel(base_url: str, repeat: int, seconds: float = 0.2) -> dict[str, Result]:
    """One turn calling 10 tools that each sleep `seconds`."""
    from anthropic import beta_tool

    from agentkit import tool

    def sleeper(i: int) -> Callable[[], str]:
        def sleep() -> str:
            time.sleep(seconds)
            return f"slept {i}"

        sleep.__name__ = f"sleep{i}"
        sleep.__doc__ = f"Sleep for {seconds} s."
        return sleep

    sleepers = [sleeper(i) for i in range(10)]
    contenders: dict[str, Callable[[], object]] = {
        "agentkit Agent": agentkit_sync(base_url, "tools10", [tool(f) for f in sleepers]),
        "anthropic tool_runner": sdk_tool_runner(
            base_url, "tools10", [beta_tool(f) for f in sleepers]
        ),
    }
    return run_alternating(contenders, repeat=repeat, warmup=0, units=1, memory=False)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the agent-loop benchmarks and print their tables."""
    parser = argparse.ArgumentParser(description="Agent-loop benchmarks.")
    parser.add_argument("--runs", type=int, default=100, help="runs per measurement")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tool-seconds", type=float, default=0.2, help="parallel tools' sleep")
    args = parser.parse_args(argv)
    with loopback_server() as base_url:
        loop = bench_loop(base_url, args.runs, args.repeat)
        parallel = bench_parallel(base_url, max(1, min(args.repeat, 3)), args.tool_seconds)
    print(
        table(
            f"2-turn tool loop, {args.runs} runs per measurement (rate = runs/s)",
            loop,
            ["raw httpx loop", "anthropic tool_runner"],
            "runs",
        )
    )
    for r in loop.values():
        print(
            f"  {r.name:28} {r.median / args.runs * 1000:7.2f} ms/run wall, "
            f"{r.cpu_median / args.runs * 1000:7.2f} ms/run CPU"
        )
    print(
        table(
            f"parallel tools: 10 tools sleeping {args.tool_seconds} s in one turn",
            parallel,
            ["anthropic tool_runner"],
            "turns",
        )
    )
    return {
        "loop": {k: v.as_dict() for k, v in loop.items()},
        "parallel": {k: v.as_dict() for k, v in parallel.items()},
        "runs": args.runs,
        "json": json.dumps(None),
    }


if __name__ == "__main__":
    main()
