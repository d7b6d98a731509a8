"""A batch-mode map killed (SIGKILL) while a batch is processing, then run again.

The parent serves an offline model over HTTP whose batches process on a clock the parent holds
still. A child process runs `agent.map(cities, mode="batch", output=...)`; the parent lets the
first batch end, waits until the child has run that turn's tools and submitted the second
batch (its state line is in the results file), and kills it there. The same map is then run
again in this process: it must poll THE SAME second batch (no batch submitted twice), not run
the first turn's tools again, and finish every run. Each tool call appends a line to a file.

    python tests/batch_mode/kill.py child URL RESULTS EFFECTS   # the child (run by the test)
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MODEL = "claude-sonnet-4-5"
CITIES = ["paris", "oslo", "lima", "rome", "kyiv"]


def reply(request: Any) -> Any:
    """Two tool turns, then an answer."""
    city = str(request.messages[0]["content"])
    turn = sum(1 for m in request.messages if m["role"] == "assistant")
    if turn < 2:
        return [
            {
                "type": "tool_use",
                "id": f"toolu_{turn}",
                "name": "forecast",
                "input": {"city": city, "turn": turn},
            }
        ]
    return f"done with {city}"


def make_tool(effects: str) -> Any:
    from agentkit import tool

    @tool
    def forecast(city: str, turn: int) -> str:
        """The forecast for a city (each call logs a side effect)."""
        with open(effects, "a") as file:
            file.write(f"{city} {turn}\n")
        return f"rain in {city}"

    return forecast


def child(url: str, results: str, effects: str) -> None:
    from agentkit import Agent, Anthropic

    client = Anthropic(base_url=url, api_key="k", max_retries=0)
    agent = Agent(client, model=MODEL, tools=[make_tool(effects)])
    for _ in agent.map(CITIES, mode="batch", output=results, poll_interval=0.02):
        pass


def batch_lines(path: Path) -> list[dict[str, Any]]:
    """The `batch` state lines of a results file so far."""
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]
    return [line for line in lines if line.get("batch_map") == "batch"]


def wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the child did not get there in time")
        time.sleep(0.01)


def run_kill_test(tmp: Path, kind: str) -> dict[str, Any]:
    """Kill the child while its second batch processes; resume here with a `kind` agent."""
    import anyio

    from agentkit import Agent, AsyncAgent, AsyncAnthropic
    from agentkit._core.mapping import read_results
    from agentkit.testing import FunctionModel, OfflineBatches
    from agentkit.testing.server import serve_in_background

    now = [0.0]
    model = FunctionModel(reply, batches=OfflineBatches(processing_time=60, clock=lambda: now[0]))
    results, effects = tmp / "results.jsonl", tmp / "effects.txt"
    with serve_in_background(model) as url:
        command = [sys.executable, __file__, "child", url, str(results), str(effects)]
        process = subprocess.Popen(command)
        try:
            wait_for(lambda: len(batch_lines(results)) == 1)
            now[0] += 60  # the first batch ends; the child runs the tools, submits the second
            wait_for(lambda: len(batch_lines(results)) == 2)
            created_before_kill = list(model.batches.created)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        effects_before = effects.read_text().splitlines()
        now[0] += 60  # the second batch ends while nobody is polling it
        model.batches.processing_time = 0
        tool = make_tool(str(effects))
        if kind == "sync":
            with model.client(max_retries=0) as client:
                agent: Any = Agent(client, model=MODEL, tools=[tool])
                mapped, summary = agent.map_all(CITIES, mode="batch", output=results)
        else:

            async def main() -> Any:
                async with AsyncAnthropic(base_url=url, api_key="k", max_retries=0) as aclient:
                    async_agent = AsyncAgent(aclient, model=MODEL, tools=[tool])
                    return await async_agent.map_all(CITIES, mode="batch", output=results)

            mapped, summary = anyio.run(main)
    recorded = read_results(results.read_bytes())
    return {
        "created_before_kill": created_before_kill,
        "created": list(model.batches.created),
        "effects_before": effects_before,
        "effects": effects.read_text().splitlines(),
        "mapped": mapped,
        "summary": summary,
        "recorded": recorded,
        "batch_lines": batch_lines(results),
    }


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    child(*sys.argv[2:5])
