"""See a run: its timeline as one HTML page (turns, tokens, parallel tool calls, errors).

A trip-planning agent calls three tools at once, twice; one call fails and the model is told.
The run is saved as JSON (what `agentkit run --json` prints) and as a page you open in a browser:

    python examples/view_run.py [--live] [--output run.html]
    agentkit view run.json -o run.html      # the same page, from the saved JSON
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _common import MODEL, client_for, parse_args

from agentkit import Agent, ToolError, tool
from agentkit.testing import FunctionModel, ModelRequest, Reply


@tool
def weather(city: str) -> str:
    """Tomorrow's weather forecast for a city.

    Args:
        city: City name, e.g. "Lisbon".
    """
    time.sleep(0.03)  # standing in for an HTTP call
    return f"{city}: 24 °C, sunny"


@tool
def flights(origin: str, destination: str) -> list[str]:
    """Direct flights tomorrow between two cities.

    Args:
        origin: Departure city.
        destination: Arrival city.
    """
    time.sleep(0.05)
    if destination == "Porto":
        raise ToolError("the flight search is down for Porto; try again later")
    return [f"{origin} → {destination} 08:10", f"{origin} → {destination} 17:45"]


@tool
def hotels(city: str) -> list[str]:
    """Hotels with rooms free tomorrow.

    Args:
        city: City name.
    """
    time.sleep(0.02)
    return [f"Hotel Central {city}", f"Casa do Rio {city}"]


def offline_answer(request: ModelRequest) -> Reply | str:
    """Stands in for Claude: two turns of three parallel calls, then a summary."""
    turn = sum(1 for m in request.messages if m["role"] == "assistant")
    if turn < 2:
        city = ("Lisbon", "Porto")[turn]
        calls = [
            {"type": "tool_use", "name": "weather", "input": {"city": city}},
            {
                "type": "tool_use",
                "name": "flights",
                "input": {"origin": "Paris", "destination": city},
            },
            {"type": "tool_use", "name": "hotels", "input": {"city": city}},
        ]
        return Reply(calls, usage={"cache_read_input_tokens": 900 * turn})
    return "Lisbon works: sunny, two direct flights, two hotels. Porto's flights are unknown."


def main() -> None:
    """Run the agent, then save the run as JSON and as its timeline page."""
    default = Path(tempfile.gettempdir()) / "agentkit-run.html"
    args = parse_args(__doc__ or "", output={"default": str(default), "help": "the page"})
    client = client_for(args, FunctionModel(offline_answer))
    agent = Agent(client, model=MODEL, tools=[weather, flights, hotels], max_turns=6)
    result = agent.run("Plan a trip from Paris tomorrow: Lisbon or Porto?")

    page = Path(args.output)
    page.with_suffix(".json").write_text(result.to_json(), encoding="utf-8")
    result.save_html(page)
    failed = sum(1 for call in result.tool_calls if call.is_error)
    print(f"{result.turns} turns, {len(result.tool_calls)} tool calls ({failed} failed)")
    for request in result.requests:
        print(f"turn {request.turn}: {request.duration or 0:.3f} s, stop {request.stop_reason}")
    print(f"timeline written: {page} (open it in a browser)")


if __name__ == "__main__":
    main()
