"""The journal's cost per step: one agent run with and without `Agent(journal=...)`.

    python -m bench.journal [--runs 100] [--repeat 5]

Each run has 7 steps: 4 model calls (3 ask for a tool, the last answers) and 3 tool calls, in
process through the offline wire protocol (an `agentkit.testing.FunctionModel` behind the
in-process transport, its request checks off), so nothing hides the journal's own cost. Every
journaled run is a new `run_id` (nothing is replayed) in a journal file on this machine's disk.

The contenders:
- no journal;
- journal, `synchronous="normal"` (the default: WAL, no disk flush per commit; a committed step
  survives the process being killed, not a power cut);
- journal, `synchronous="full"` (WAL, a disk flush per commit: survives a power cut too).

The figure: (journaled run - plain run) / 7, the overhead of journaling one step (wall time,
and CPU time, which a busy machine disturbs less).
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentkit import Agent, Journal, tool
from agentkit.testing import FunctionModel
from bench._harness import Result, run_repeated, table

MODEL = "claude-sonnet-4-5"
STEPS_PER_RUN = 7
TOOL_TURNS = 3


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


def reply(request: Any) -> Any:
    turn = sum(1 for m in request["messages"] if m["role"] == "assistant")
    if turn < TOOL_TURNS:
        return [{"type": "tool_use", "name": "lookup", "input": {"key": f"k{turn}"}}]
    return "All three values looked up."


def contenders(folder: Path) -> tuple[dict[str, Callable[[], object]], list[Journal]]:
    """One run each: without a journal, with one in each durability setting."""
    ids = itertools.count()
    journals = [
        Journal(folder / "normal.db", synchronous="normal"),
        Journal(folder / "full.db", synchronous="full"),
    ]

    def agent(journal: Journal | None) -> Agent:
        model = FunctionModel(reply, validate=False, keep_requests=False)
        return Agent(model, model=MODEL, tools=[lookup], journal=journal)

    plain, normal, full = agent(None), agent(journals[0]), agent(journals[1])
    return {
        "no journal": lambda: plain.run("Look up three keys."),
        'journal, synchronous="normal"': lambda: normal.run(
            "Look up three keys.", run_id=f"run-{next(ids)}"
        ),
        'journal, synchronous="full"': lambda: full.run(
            "Look up three keys.", run_id=f"run-{next(ids)}"
        ),
    }, journals


def bench_runs(each: dict[str, Callable[[], object]], runs: int, repeat: int) -> dict[str, Result]:
    """`runs` runs per measurement, contenders alternated."""
    return run_repeated(each, runs=runs, repeat=repeat, memory=False)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Print the table and the overhead per step; return the figures."""
    parser = argparse.ArgumentParser(description="Journal overhead per step.")
    parser.add_argument("--runs", type=int, default=100, help="runs per measurement")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as folder:
        each, journals = contenders(Path(folder))
        try:
            results = bench_runs(each, args.runs, args.repeat)
        finally:
            for journal in journals:
                journal.close()
    print(
        table(
            f"one run of {STEPS_PER_RUN} steps in process, {args.runs} runs per measurement",
            results,
            ["no journal"],
            "runs",
        )
    )
    plain = results["no journal"]
    per_step: dict[str, float] = {}
    cpu_per_step: dict[str, float] = {}
    for name, result in results.items():
        if name == "no journal":
            continue
        per_step[name] = (result.median - plain.median) / args.runs / STEPS_PER_RUN
        cpu_per_step[name] = (result.cpu_median - plain.cpu_median) / args.runs / STEPS_PER_RUN
        print(
            f"  {name:32} {per_step[name] * 1000:6.3f} ms of journal per step "
            f"(CPU {cpu_per_step[name] * 1000:.3f} ms)"
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
