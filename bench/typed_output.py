"""Typed output's cost: one agent run ending in typed output vs the same run ending in text.

    python -m bench.typed_output [--runs 200] [--repeat 7]

Each run is one request and one response, measured two ways:
- over loopback HTTP, against the bench server (`bench/server.py`, a separate process), as a
  run against the API goes;
- in process, through the offline wire protocol (an `agentkit.testing.FunctionModel` behind the
  in-process transport: the request is encoded and answered, the response decoded; the offline
  model's own checks of the request, the API's work, are off): the client side's own cost
  without a network to hide it.

The contenders, the same invoice either way:
- text: the model answers with the invoice as JSON text; `result.output` is that text;
- typed, tool mode: `output_type=Invoice`; the model calls the output tool with the same data,
  which is validated into an `Invoice`;
- typed, native mode: `output_type=Invoice, output_mode="native"`; the JSON text is validated.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from agentkit import Agent, Anthropic
from agentkit.testing import FunctionModel
from bench._harness import Result, run_repeated, table
from bench._server_process import loopback_server

MODEL = "claude-sonnet-4-5"
PROMPT = "Extract the invoice: INV-1042, Blue Harbor Cafe, 2 x descaler @ 14.50, 1 x frother @ 89"


class LineItem(BaseModel):
    description: str
    quantity: int
    unit_price: float


class Invoice(BaseModel):
    number: str
    customer: str
    currency: str
    items: list[LineItem]


DATA = {
    "number": "INV-1042",
    "customer": "Blue Harbor Cafe",
    "currency": "EUR",
    "items": [
        {"description": "Espresso machine descaler", "quantity": 2, "unit_price": 14.5},
        {"description": "Milk frother", "quantity": 1, "unit_price": 89.0},
    ],
}
TEXT = json.dumps(DATA)


def http_contenders(base_url: str) -> dict[str, Callable[[], object]]:
    """As `contenders`, over loopback HTTP (the server picks the answer by a header)."""

    def client(scenario: str) -> Anthropic:
        headers = {"x-bench-scenario": scenario}
        return Anthropic(api_key="bench", base_url=base_url, default_headers=headers)

    text = Agent(client("invoice_text"), model=MODEL)
    tool_mode = Agent(client("invoice_tool"), model=MODEL, output_type=Invoice)
    native = Agent(client("invoice_text"), model=MODEL, output_type=Invoice, output_mode="native")
    return {
        "text output": lambda: text.run(PROMPT).output,
        "typed output (tool mode)": lambda: tool_mode.run(PROMPT).output,
        "typed output (native mode)": lambda: native.run(PROMPT).output,
    }


def contenders() -> dict[str, Callable[[], object]]:
    """One run each: ending in text, in typed output through the output tool, natively."""
    text = Agent(
        FunctionModel(lambda request: TEXT, validate=False, keep_requests=False), model=MODEL
    )
    tool_mode = Agent(
        FunctionModel(
            lambda request: [{"type": "tool_use", "name": "final_result", "input": DATA}],
            validate=False,
            keep_requests=False,
        ),
        model=MODEL,
        output_type=Invoice,
    )
    native = Agent(
        FunctionModel(lambda request: TEXT, validate=False, keep_requests=False),
        model=MODEL,
        output_type=Invoice,
        output_mode="native",
    )
    return {
        "text output": lambda: text.run(PROMPT).output,
        "typed output (tool mode)": lambda: tool_mode.run(PROMPT).output,
        "typed output (native mode)": lambda: native.run(PROMPT).output,
    }


def bench_runs(each: dict[str, Callable[[], object]], runs: int, repeat: int) -> dict[str, Result]:
    """`runs` runs per measurement, contenders alternated."""
    for run in each.values():  # build schemas and validators before timing
        run()
    return run_repeated(each, runs=runs, repeat=repeat)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Print the table; return the figures (ratios to the text run)."""
    parser = argparse.ArgumentParser(description="Typed output vs text, one run.")
    parser.add_argument("--runs", type=int, default=200, help="runs per measurement")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with loopback_server() as base_url:
        http = bench_runs(http_contenders(base_url), args.runs, args.repeat)
    local = bench_runs(contenders(), args.runs, args.repeat)
    figures: dict[str, Any] = {"runs": args.runs}
    for key, title, results in (
        ("http", "over loopback HTTP", http),
        ("in_process", "in process (offline wire protocol)", local),
    ):
        print(
            table(
                f"one run {title}, {args.runs} runs per measurement",
                results,
                ["text output"],
                "runs",
            )
        )
        base = results["text output"].median
        ratios = {name: r.median / base for name, r in results.items()}
        for name, ratio in ratios.items():
            print(f"  {name:28} {ratio:5.2f}x the time of the text run")
        figures[key] = {"ratios": ratios, **{k: v.as_dict() for k, v in results.items()}}
    return figures


if __name__ == "__main__":
    main()
