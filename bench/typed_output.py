"""Typed output's cost: one agent run ending in typed output vs the same run ending in text.

    python -m bench.typed_output [--runs 200] [--repeat 5]

Each run is one request and one response through the offline wire protocol (an
`agentkit.testing.FunctionModel` behind the in-process transport: the request is encoded and
answered, the response decoded; the offline model's own checks of the request, the API's work,
are off), so the figures are the client side's own cost, without a network to hide it:
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

from agentkit import Agent
from agentkit.testing import FunctionModel
from bench._harness import Result, run_alternating, table

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


def contenders() -> dict[str, Callable[[], object]]:
    """One run each: ending in text, in typed output through the output tool, natively."""
    text = Agent(FunctionModel(lambda request: TEXT, validate=False), model=MODEL)
    tool_mode = Agent(
        FunctionModel(
            lambda request: [{"type": "tool_use", "name": "final_result", "input": DATA}],
            validate=False,
        ),
        model=MODEL,
        output_type=Invoice,
    )
    native = Agent(
        FunctionModel(lambda request: TEXT, validate=False),
        model=MODEL,
        output_type=Invoice,
        output_mode="native",
    )
    return {
        "text output": lambda: text.run(PROMPT).output,
        "typed output (tool mode)": lambda: tool_mode.run(PROMPT).output,
        "typed output (native mode)": lambda: native.run(PROMPT).output,
    }


def bench_runs(runs: int, repeat: int) -> dict[str, Result]:
    """`runs` runs per measurement, contenders alternated."""
    each = contenders()
    for run in each.values():  # build schemas and validators before timing
        run()

    def batch(run: Callable[[], object]) -> Callable[[], object]:
        def many() -> object:
            last: Any = None
            for _ in range(runs):
                last = run()
            return last

        return many

    return run_alternating(
        {name: batch(run) for name, run in each.items()}, repeat=repeat, units=runs
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Print the table; return the figures (ratios to the text run)."""
    parser = argparse.ArgumentParser(description="Typed output vs text, one run.")
    parser.add_argument("--runs", type=int, default=200, help="runs per measurement")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    results = bench_runs(args.runs, args.repeat)
    print(table(f"one run, {args.runs} runs per measurement", results, ["text output"], "runs"))
    base = results["text output"].median
    ratios = {name: r.median / base for name, r in results.items()}
    for name, ratio in ratios.items():
        print(f"  {name:28} {ratio:5.2f}x the text run")
    return {"runs": args.runs, "ratios": ratios, **{k: v.as_dict() for k, v in results.items()}}


if __name__ == "__main__":
    main()
