"""Code of the "Run timeline" guide; run by the test suite."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from agentkit import Agent, RunResult, save_map_html, tool
from agentkit.testing import ErrorReply, FunctionModel, ModelRequest, TestModel

MODEL = "claude-sonnet-4-5"
scratch = Path(tempfile.mkdtemp())


@tool
def get_weather(city: str) -> str:
    """Current weather for a city.

    Args:
        city: City name.
    """
    return f"Sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city.

    Args:
        city: City name.
    """
    return "09:30"


agent = Agent(TestModel().client(), model=MODEL, tools=[get_weather, get_time])

# --8<-- [start:save]
result = agent.run("Weather and time in Paris?")
result.save_html(scratch / "run.html")  # one file: open it in any browser, offline
# --8<-- [end:save]

# --8<-- [start:records]
for request in result.requests:  # one per model request
    print(request.turn, request.started_at, request.duration, request.retries)
    print(request.input_tokens, request.cache_read_input_tokens, request.stop_reason)
for call in result.tool_calls:  # the two calls of turn 1 ran side by side
    print(call.turn, call.name, call.started_at, call.duration, call.is_error)
# --8<-- [end:records]
assert [r.turn for r in result.requests] == [1, 2]
assert {c.turn for c in result.tool_calls} == {1}

# --8<-- [start:json]
saved = result.to_json()  # what `agentkit run --json` prints
again = RunResult.from_dict(json.loads(saved))
assert again.requests == result.requests  # the times survive the round trip
again.save_html(scratch / "same-run.html")
# --8<-- [end:json]
(scratch / "run.json").write_text(saved)


def classify(request: ModelRequest) -> str | ErrorReply:
    if "broken" in request.last_user_text:
        return ErrorReply(400, message="this ticket cannot be read")
    return "billing"


classifier = Agent(FunctionModel(classify).client(max_retries=0), model=MODEL)

# --8<-- [start:map]
tickets = ["refund please", "broken ticket", "invoice missing"]
results, summary = classifier.map_all(tickets, output=scratch / "results.jsonl")
save_map_html(scratch / "map.html", results, summary)  # outcomes, latencies, tokens, failures
# --8<-- [end:map]
assert summary.failed == 1
assert "seconds" in (scratch / "results.jsonl").read_text()
