"""Code of the "Journaled maps" section of the "Running many inputs" guide; run by the tests."""

from __future__ import annotations

import tempfile
from pathlib import Path

from agentkit import Agent, Journal, MapInput, tool
from agentkit.testing import TestModel

MODEL = "claude-sonnet-4-5"
scratch = Path(tempfile.mkdtemp())


@tool
def refund(order: str) -> str:
    """Refund an order (not safe to do twice)."""
    return f"refunded {order}"


model = TestModel()
agent = Agent(model, model=MODEL, tools=[refund])
orders = [MapInput(f"Refund order {n} if it qualifies.", id=f"order-{n}") for n in range(3)]

# --8<-- [start:journal]
with Journal(scratch / "runs.db") as journal:
    results, summary = agent.map_all(orders, journal=journal, map_id="refunds-2026-12-03")
    # run it again (after a crash, say): finished runs come back from the journal, no request
    again, _ = agent.map_all(orders, journal=journal, map_id="refunds-2026-12-03")
    print([info.run_id for info in journal.runs()])
    # ['refunds-2026-12-03:id:order-0', 'refunds-2026-12-03:id:order-1', ...]
# --8<-- [end:journal]
assert [r.result.text for r in again if r.result] == [r.result.text for r in results if r.result]
assert len(model.requests) == 3 * 2  # two turns per order, once
