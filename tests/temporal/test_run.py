"""Runs through a real Temporal server: the same results as running locally."""

from __future__ import annotations

import pytest
from temporalio.client import Client

from agentkit.temporal import run, worker

from .support import comparable, queue, three_turn_agent

pytestmark = pytest.mark.anyio


async def test_a_run_with_tools_over_several_turns_matches_the_local_run(
    temporal_address: str,
) -> None:
    client = await Client.connect(temporal_address)
    task_queue = queue()
    agent = three_turn_agent()
    async with worker(client, agents={"adder": agent}, task_queue=task_queue):
        result = await run(client, "adder", "What is 2 + 3 + 10?", task_queue=task_queue)
    local = await three_turn_agent().run("What is 2 + 3 + 10?")
    assert result.text == "The answer is 15 (FIFTEEN)."
    assert [c.result for c in result.tool_calls] == ["5", "15", "FIFTEEN"]
    assert comparable(result) == comparable(local)
