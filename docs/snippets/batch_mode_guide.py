"""Code of the "Batch-mode runs" section of the Batches guide; run by the test suite."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from agentkit import Agent, BatchRequestError, tool
from agentkit.testing import OfflineBatches, TestModel, record_sleeps

MODEL = "claude-sonnet-4-5"
scratch = Path(tempfile.mkdtemp())


@tool
def lookup(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


with record_sleeps() as waits:  # offline: the polls' pauses are recorded, not slept
    model = TestModel(batches=OfflineBatches(processing_time=600, clock=lambda: sum(waits.poll)))
    agent = Agent(model, model=MODEL, tools=[lookup], max_tokens=512)
    questions = [f"What is the weather in city {n}?" for n in range(50)]

    # --8<-- [start:map]
    results, summary = agent.map_all(
        questions,
        mode="batch",  # each turn of every run: one Message Batch
        output=scratch / "weather.jsonl",  # results, and the batches in flight
        poll_interval=60,  # first pauses between polls (growing by half, up to 300 s)
    )
    for result in results:
        if isinstance(result.error, BatchRequestError):
            print(result.id, result.error.result_type, result.error.run_state.messages)
    print(summary.batches, summary.pricing, summary.usage.total_tokens)
    # --8<-- [end:map]
    assert summary.succeeded == 50
    assert summary.batches == 2  # a tool turn, then the answer: two batches of 50 requests
    assert summary.pricing == "batch (50% of standard)"

# --8<-- [start:state]
for line in (scratch / "weather.jsonl").read_text().splitlines():
    record = json.loads(line)
    if "batch_map" in record:  # a state line: skip it when reading results
        continue
    print(record["index"], record["text"])
# --8<-- [end:state]
