"""Classify 200 support tickets with one agent: `agent.map`, a resumable results file.

Each ticket is one run of an agent whose output is a `Triage` (a category and a priority).
`agent.map` runs 16 at a time, shows a progress line on a terminal, and appends each finished
ticket to a results file (JSON lines) as it finishes. The script stops the first pass early, as
a crash or Ctrl-C would; the second pass, the same map over the same file, skips the tickets
already recorded and classifies only the rest: nothing is lost, nothing is paid for twice.

Offline by default: a `FunctionModel` classifies by keywords through the real wire protocol.
`--live` uses Claude (needs ANTHROPIC_API_KEY). `--output PATH` keeps the results file.

    python examples/classify_many.py [--live] [--output results.jsonl]
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from _common import MODEL, client_for, parse_args
from pydantic import BaseModel

from agentkit import Agent, MapInput
from agentkit.testing import FunctionModel, ModelRequest, ReplyLike, output_call


class Triage(BaseModel):
    """How to route a support ticket."""

    category: Literal["billing", "bug", "account", "other"]
    priority: Literal["low", "normal", "urgent"]


SUBJECTS = [
    "I was charged twice for my subscription",
    "The export button crashes the app",
    "I cannot log in after resetting my password",
    "Do you have a dark mode?",
    "Refund for the annual plan, please",
    "Error 500 when I upload a CSV",
    "Please delete my account",
    "Where can I find your office hours?",
]
URGENT = ("crashes", "cannot", "Error")


def tickets(count: int = 200) -> Iterator[MapInput[None]]:
    """The tickets, generated lazily (a million would take no more memory)."""
    for number, subject in zip(range(count), itertools.cycle(SUBJECTS)):
        yield MapInput(f"Ticket #{number}: {subject}", id=f"T-{number:04d}")


def offline_triage(request: ModelRequest) -> ReplyLike:
    """Keyword rules standing in for Claude: the output tool's call, as Claude makes it."""
    text = request.last_user_text or ""
    rules = {"charged": "billing", "Refund": "billing", "crashes": "bug", "Error": "bug"}
    rules.update({"log in": "account", "delete my account": "account"})
    category = next((c for word, c in rules.items() if word in text), "other")
    priority = "urgent" if any(word in text for word in URGENT) else "normal"
    return [output_call({"category": category, "priority": priority})]


def main(argv: list[str] | None = None) -> None:
    """Classify the tickets in two passes over one results file."""
    args = parse_args(__doc__ or "", argv, output={"help": "keep the results file here"})
    client = client_for(args, FunctionModel(offline_triage))
    agent = Agent(
        client,
        model=MODEL,
        system="Classify the support ticket: its category and its priority.",
        max_tokens=256,
        output_type=Triage,
    )
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(args.output or Path(scratch) / "triage.jsonl")

        # first pass: stopped after 120 tickets, as a crash or Ctrl-C would stop it
        with agent.map(tickets(), concurrency=16, output=path) as results:
            first = sum(1 for _ in itertools.islice(results, 120))
        print(f"first pass: {first} tickets handed out, then stopped (runs in flight recorded)")

        # second pass: the same map over the same file resumes where the first stopped
        results = agent.map(tickets(), concurrency=16, output=path)
        for result in results:
            if result.error is not None:
                print(f"{result.id} failed: {result.error}")
        summary = results.summary
        print(
            f"resumed: {summary.succeeded} classified, {summary.skipped} skipped "
            f"(already in the file), {summary.failed} failed"
        )

        records = [json.loads(line) for line in path.read_text().splitlines()]
        triages = [r["output"] for r in records if r["error"] is None]
        counts = Counter(t["category"] for t in triages)
        urgent = sum(1 for t in triages if t["priority"] == "urgent")
        shown = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
        print(f"results file: {len(records)} tickets; {shown}; urgent {urgent}")
        usage = summary.usage
        print(f"tokens this pass: {usage.total_input_tokens} in, {usage.output_tokens} out")


if __name__ == "__main__":
    main()
