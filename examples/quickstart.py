"""Quickstart: two tools, one agent run.

Against Claude when ANTHROPIC_API_KEY is set; otherwise offline (an agentkit.testing model plays
Claude and calls both tools). It prints which. `--offline` forces the offline model.

    python examples/quickstart.py [--offline]

This file stands alone: copy it anywhere and run it.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

from agentkit import Agent, Anthropic, tool
from agentkit.testing import TestModel

MODEL = os.environ.get("AGENTKIT_EXAMPLE_MODEL", "claude-sonnet-4-5")


@tool
def get_weather(city: str, unit: Literal["c", "f"] = "c") -> str:
    """Current weather for a city.

    Args:
        city: City name, e.g. "Paris".
        unit: Temperature unit.
    """
    return f"{city}: 18°{unit.upper()}, light rain"


@tool
def convert_currency(amount: float, source: str, target: str) -> float:
    """Convert money between currencies at today's rate.

    Args:
        amount: How much money.
        source: ISO code of the currency to convert from, e.g. "EUR".
        target: ISO code of the currency to convert to, e.g. "USD".
    """
    rates = {("EUR", "USD"): 1.08, ("USD", "EUR"): 0.93}
    return round(amount * rates.get((source, target), 1.0), 2)


# The client defaults to Anthropic() from the environment (ANTHROPIC_API_KEY). Also runnable as
# `agentkit run examples/quickstart.py:agent "your question"` (add --offline to try it keyless).
agent = Agent(
    model=MODEL,
    tools=[get_weather, convert_currency],
    system="You are a concise travel assistant.",
)


def pick_client(offline: bool) -> Anthropic:
    """Claude when ANTHROPIC_API_KEY is set (and not `offline`), else the offline model."""
    if os.environ.get("ANTHROPIC_API_KEY") and not offline:
        print(f"[live: Claude API, model {MODEL}]")
        return Anthropic()
    print("[offline: an agentkit.testing model answers; set ANTHROPIC_API_KEY for Claude]")
    model = TestModel(
        tool_inputs={  # what the offline model "asks" the tools
            "get_weather": {"city": "Paris"},
            "convert_currency": {"amount": 100, "source": "EUR", "target": "USD"},
        }
    )
    return model.client()


def main(argv: list[str] | None = None) -> None:
    """Run one agent turn-loop and print what happened."""
    args = sys.argv[1:] if argv is None else argv
    agent.client = pick_client(offline="--offline" in args)
    result = agent.run("What's the weather in Paris, and what are 100 EUR in USD?")
    for call in result.tool_calls:
        print(f"  called {call.name}({call.input}) -> {call.result}")
    print(result.text)
    print(
        f"stop_reason={result.stop_reason} turns={result.turns} "
        f"input_tokens={result.usage.input_tokens} output_tokens={result.usage.output_tokens}"
    )


if __name__ == "__main__":
    main()
