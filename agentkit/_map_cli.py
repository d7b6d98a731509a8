"""`agentkit map MODULE:AGENT inputs.jsonl -o results.jsonl`: `agent.map` on the command line.

Inputs are read lazily, one JSON line at a time: a string is a prompt, a list is content
blocks, an object is `{"prompt": ..., "id": ..., "messages": ...}` (`input` or `content` may
stand for `prompt`). Progress goes to stderr (on a terminal), the summary to stdout.

Ctrl-C stops the map: no new input starts, runs in flight are abandoned (not recorded; they run
again when the same command is run again), and the results file holds every input that
finished, each on a complete line.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import anyio

from ._exceptions import UsageError
from .agent import AsyncAgent, MapInput, MapSummary

__all__ = ["InputsFile", "run_map"]


class InputsFile:
    """The inputs of a JSONL file, read lazily; its length is its count of non-empty lines."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise UsageError(f"no such inputs file: {str(self.path)!r}")

    def __len__(self) -> int:
        with self.path.open("rb") as file:
            return sum(1 for line in file if line.strip())

    def __iter__(self) -> Iterator[MapInput[Any]]:
        with self.path.open(encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                if line.strip():
                    yield self._input(line, number)

    def _input(self, line: str, number: int) -> MapInput[Any]:
        where = f"{self.path}:{number}"
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise UsageError(f"{where} is not JSON: {exc}") from None
        if isinstance(value, (str, list)):
            return MapInput(value)
        if isinstance(value, dict):
            prompt = next((value[k] for k in ("prompt", "input", "content") if k in value), None)
            item_id = value.get("id")
            return MapInput(
                prompt,
                id=None if item_id is None else str(item_id),
                messages=value.get("messages"),
            )
        raise UsageError(f"{where}: an input is a string, a list of blocks or an object")


def run_map(agent: Any, args: argparse.Namespace, out: TextIO) -> int:
    """Run the command with `agent` (found and given its client by the CLI).

    Returns 0 when every input succeeded, 1 when some failed.
    """
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    inputs = InputsFile(args.inputs)
    options: dict[str, Any] = {
        "concurrency": args.concurrency,
        "ordered": args.ordered,
        "output": args.output,
        "progress": False if args.no_progress else None,
        "mode": getattr(args, "mode", "live"),
    }
    if getattr(args, "journal", None):
        from ._journal import Journal

        options["journal"] = Journal(args.journal)
    if isinstance(agent, AsyncAgent):

        async def run() -> MapSummary:
            async with agent.map(inputs, **options) as results:
                async for _ in results:
                    pass
            return results.summary

        summary = anyio.run(run)
    else:
        with agent.map(inputs, **options) as results:
            for _ in results:
                pass
        summary = results.summary
    usage = summary.usage
    print(
        f"{summary.succeeded} succeeded, {summary.failed} failed, {summary.skipped} skipped "
        f"(already in {args.output}) in {summary.wall_time:.1f}s; tokens "
        f"{usage.total_input_tokens} in / {usage.output_tokens} out; "
        f"{summary.rate_limited} rate-limited (429), {summary.rate_limit_wait:.1f}s waited",
        file=out,
    )
    if summary.batch:
        print(f"{summary.batches} batch(es); billed at the {summary.pricing} price", file=out)
    return 0 if summary.failed == 0 else 1
