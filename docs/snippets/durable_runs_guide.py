"""Code of the "Durable runs" guide; run by the test suite."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

from agentkit import Agent, Hooks, Journal, RunResult, ToolContext, tool
from agentkit.testing import TestModel

MODEL = "claude-sonnet-4-5"
previous_folder = os.getcwd()
os.chdir(tempfile.mkdtemp())  # the journal file goes to a scratch folder (left at the end)
client = TestModel()


@tool
def lookup_order(order_id: str) -> str:
    """An order's amount due.

    Args:
        order_id: The order.
    """
    return f"order {order_id}: 42.50 EUR"


# --8<-- [start:basic]
journal = Journal("runs.db")  # one SQLite file, created if missing
agent = Agent(client, model=MODEL, tools=[lookup_order], journal=journal)

result = agent.run("What does order A-17 cost?", run_id="order-A17")
# --8<-- [end:basic]
again = agent.run("What does order A-17 cost?", run_id="order-A17")
assert again.to_dict() == result.to_dict()


# --8<-- [start:idempotent]
@tool(idempotent=True)
def send_receipt(order_id: str) -> str:
    """Email the receipt (sending it twice does no harm).

    Args:
        order_id: The order.
    """
    return "sent"


# --8<-- [end:idempotent]


# --8<-- [start:on_interrupted]
def on_interrupted(call: Any) -> Any:  # may be async
    if call.name == "charge_card":
        return "Interrupted: look the charge up with find_charge before retrying."
    return None  # the default answer; True runs the call again


agent = Agent(client, model=MODEL, journal=journal, hooks=Hooks(on_interrupted=on_interrupted))
# --8<-- [end:on_interrupted]


@dataclass
class Payments:
    """Stands for a payment provider's client."""

    seen: dict[str, str] = field(default_factory=dict)

    def charge(self, order_id: str, amount: float, *, idempotency_key: str) -> str:
        return self.seen.setdefault(idempotency_key, f"ch_{len(self.seen) + 1}")


@dataclass
class Deps:
    """The run's dependencies."""

    payments: Payments


# --8<-- [start:call_id]
@tool(idempotent=True)
def charge_card(ctx: ToolContext[Deps], order_id: str, amount: float) -> str:
    """Charge the customer's card.

    Args:
        ctx: The run's context.
        order_id: The order.
        amount: The amount in EUR.
    """
    return ctx.deps.payments.charge(order_id, amount, idempotency_key=ctx.call_id)


# --8<-- [end:call_id]
payer = Agent(TestModel(), model=MODEL, tools=[charge_card], deps=Deps(Payments()), journal=journal)
assert payer.run("Charge A-17", run_id="charge-A17").tool_calls[0].result == "ch_1"

# --8<-- [start:listing]
journal.runs()  # [RunInfo(run_id, status, created, updated, error), ...]
journal.runs("interrupted")  # the runs to resume
info = journal.get("order-A17")  # RunInfo with .result (a finished run's) and .steps
journal.prune(older_than=7 * 86400)  # delete finished and failed runs older than a week
# --8<-- [end:listing]
assert info is not None
assert info.result is not None
assert RunResult.from_dict(info.result).text == result.text
assert [r.run_id for r in journal.runs()] == ["order-A17", "charge-A17"]
journal.close()
os.chdir(previous_folder)
