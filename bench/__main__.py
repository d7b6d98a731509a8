"""Run every benchmark: `python -m bench [--quick] [--only NAME] [--json FILE] [--markdown FILE]`.

Installs nothing: the `bench` extra brings the official `anthropic` SDK and pydantic-ai. Each
benchmark starts its own loopback server process, alternates contenders, repeats, and reports
medians with min-max; ratios compare contenders measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from bench import (
    agent_loop,
    batches,
    client,
    imports,
    journal,
    many_runs,
    mcp_calls,
    memory,
    otel,
    streaming,
    temporal,
    typed_output,
)
from bench._harness import smoke_mode

MANY_RUNS_QUICK = ["--runs", "20", "--loop-runs", "6", "--concurrency", "3", "--creates", "12"]
MANY_RUNS_QUICK += ["--repeat", "1"]


def _capture(fn: Any, argv: list[str]) -> tuple[Any, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        figures = fn(argv)
    return figures, buffer.getvalue()


def machine() -> str:
    """A one-line description of this machine."""
    cpus = os.cpu_count()
    return (
        f"{platform.system()} {platform.machine()}, {cpus} CPU(s), "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run everything, print the tables, optionally write JSON and Markdown."""
    parser = argparse.ArgumentParser(description="agentkit benchmarks")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument(
        "--only",
        action="append",
        choices=[
            "imports",
            "client",
            "streaming",
            "agent_loop",
            "memory",
            "typed_output",
            "batches",
            "mcp",
            "journal",
            "temporal",
            "many_runs",
            "otel",
        ],
        help="run only this benchmark (repeatable; default: all)",
    )
    parser.add_argument("--json", type=Path, help="write all figures to this JSON file")
    parser.add_argument("--markdown", type=Path, help="write the tables to this Markdown file")
    args = parser.parse_args(argv)
    q = args.quick
    if q:
        smoke_mode()
    plan = [
        ("imports", "import time and RSS", imports.main, ["--runs", "1" if q else "15"]),
        (
            "client",
            "client: create",
            client.main,
            ["--requests", "20" if q else "500", "--repeat", "1" if q else "5"]
            + (["--ceiling-seconds", "0.1"] if q else []),
        ),
        ("streaming", "streaming", streaming.main, ["--quick"] if q else ["--repeat", "5"]),
        (
            "agent_loop",
            "agent loop",
            agent_loop.main,
            ["--runs", "3" if q else "100", "--repeat", "1" if q else "5"]
            + (["--tool-seconds", "0.02"] if q else []),
        ),
        (
            "memory",
            "memory",
            memory.main,
            ["--requests", "20" if q else "1000", "--runs", "10" if q else "500"],
        ),
        (
            "typed_output",
            "typed output",
            typed_output.main,
            ["--runs", "3" if q else "200", "--repeat", "1" if q else "7"],
        ),
        ("batches", "batch results", batches.main, ["--quick"] if q else ["--repeat", "5"]),
        (
            "mcp",
            "mcp: tool calls",
            mcp_calls.main,
            ["--calls", "10" if q else "500", "--repeat", "1" if q else "5"],
        ),
        (
            "journal",
            "journal",
            journal.main,
            ["--runs", "3" if q else "100", "--repeat", "1" if q else "7"],
        ),
        (
            "temporal",
            "temporal",
            temporal.main,
            ["--runs", "2" if q else "10", "--repeat", "1" if q else "5"],
        ),
        (
            "many_runs",
            "many runs",
            many_runs.main,
            MANY_RUNS_QUICK if q else [],
        ),
        (
            "otel",
            "otel: span cost",
            otel.main,
            ["--runs", "3" if q else "200", "--repeat", "1" if q else "9"],
        ),
    ]
    plan = [step for step in plan if args.only is None or step[0] in args.only]
    only = "".join(f" --only {name}" for name in args.only or ())
    figures: dict[str, Any] = {}
    report = [
        "# agentkit benchmarks\n",
        f"Run {datetime.date.today().isoformat()} on {machine()}.",
        f"Command: `python -m bench{' --quick' if q else ''}{only}`\n",
    ]
    for _, title, fn, fn_argv in plan:
        print(f"# {title}", flush=True)
        result, text = _capture(fn, fn_argv)
        print(text, flush=True)
        figures[title] = result
        report += [f"## {title}\n", "```", text.rstrip(), "```\n"]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if args.markdown:
        args.markdown.write_text("\n".join(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
