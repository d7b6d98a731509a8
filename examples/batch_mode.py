"""A nightly job through Message Batches: `agent.map(..., mode="batch")`, at half the price.

Twenty customer orders are checked by one agent that looks each order up with a tool, then
writes a one-line status note. In batch mode every turn of every run goes out as one Message
Batch: the first batch holds the 20 first turns; when it ends, each run's tool runs; the second
batch holds the 20 second turns. The results file records the batches in flight (state lines)
besides the results, so a job stopped midway, run again, picks up THE SAME batch instead of
paying for a new one.

Offline by default: a `FunctionModel` answers through the real wire protocol, and its batches
"process" for an hour of a fake clock (the polls' pauses are recorded, not slept). `--live`
uses Claude (needs ANTHROPIC_API_KEY; a real batch takes minutes to hours).

    python examples/batch_mode.py [--live] [--output results.jsonl]
"""

from __future__ import annotations

import itertools
import json
import tempfile
from contextlib import nullcontext
from pathlib import Path

from _common import MODEL, client_for, parse_args

from agentkit import Agent, MapInput, MapOptions, tool
from agentkit.testing import FunctionModel, ModelRequest, OfflineBatches, ReplyLike, record_sleeps

ORDERS = [MapInput(f"Check order {n} and write its status note.", id=f"O-{n}") for n in range(20)]


@tool
def order_status(order: int) -> str:
    """The shipping status of an order.

    Args:
        order: The order number.
    """
    return "delayed at customs" if order % 5 == 0 else "delivered"


def offline_model(request: ModelRequest) -> ReplyLike:
    """Stands in for Claude: look the order up, then write the note."""
    order = int((request.messages[0]["content"]).split()[2])
    if len(request.messages) == 1:
        call = {"type": "tool_use", "id": "toolu_1", "name": "order_status"}
        return [{**call, "input": {"order": order}}]
    status = request.messages[-1]["content"][0]["content"]
    return f"Order {order}: {status}."


def main(argv: list[str] | None = None) -> None:
    """Run the job, stop it after 5 results, run it again to the end."""
    args = parse_args(__doc__ or "", argv, output={"help": "keep the results file here"})
    with record_sleeps() if not args.live else nullcontext() as waits:
        offline = FunctionModel(
            offline_model,
            batches=OfflineBatches(
                processing_time=3600, clock=lambda: sum(waits.poll) if waits else 0.0
            ),
        )
        client = client_for(args, offline)
        agent = Agent(client, model=MODEL, tools=[order_status], max_tokens=200)
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(args.output or Path(scratch) / "orders.jsonl")
            options: MapOptions = {
                "mode": "batch",  # each turn of the 20 runs: one Message Batch
                "output": path,  # results, and the batches in flight
                "poll_interval": 60.0,
                "max_poll_interval": 600.0,
            }

            # first pass: stopped after 5 results, as a crash or Ctrl-C would stop it
            with agent.map(ORDERS, **options) as results:
                first = [r.id for r in itertools.islice(results, 5)]
            print(f"first pass: {len(first)} notes, then stopped")

            # second pass: the same map over the same file finishes the job
            results = agent.map(ORDERS, **options)
            notes = {r.id: r.result.text for r in results if r.result is not None}
            summary = results.summary
            print(f"second pass: {summary.succeeded} notes, {summary.skipped} skipped")
            print(f"batches created by the second pass: {summary.batches}")
            print(f"O-5 -> {notes['O-5']}")
            usage = summary.usage
            print(
                f"tokens: {usage.total_input_tokens} in, {usage.output_tokens} out, "
                f"billed at the {summary.pricing} price"
            )
            lines = [json.loads(line) for line in path.read_text().splitlines()]
            state = sum(1 for line in lines if "batch_map" in line)
            print(f"results file: {len(lines) - state} results, {state} state lines")
    if waits is not None:
        print(f"batches created in all: {len(offline.batches.created)} (one per turn)")
        print(f"fake hours waited: {sum(waits.poll) / 3600:.1f}")


if __name__ == "__main__":
    main()
