"""Quickstart: two tools, one agent run.

Offline by default (an agentkit.testing model plays Claude and calls both tools); with
`--live` and ANTHROPIC_API_KEY set, Claude answers.

    python examples/quickstart.py [--live]
"""

from __future__ import annotations

from typing import Literal

from _common import MODEL, client_for, parse_args

from agentkit import Agent, tool
from agentkit.testing import TestModel


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


def main(argv: list[str] | None = None) -> None:
    """Run one agent turn-loop and print what happened."""
    args = parse_args(__doc__ or "", argv)
    offline = TestModel(
        tool_inputs={  # what the offline model "asks" the tools
            "get_weather": {"city": "Paris"},
            "convert_currency": {"amount": 100, "source": "EUR", "target": "USD"},
        }
    )
    agent.client = client_for(args, offline)
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
