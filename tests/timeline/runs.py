"""A run for the timeline tests: 20 tool calls over 4 turns, made by a real agent offline.

Each turn asks for 5 `lookup` calls at once; they wait for each other at a barrier, so the 5
calls of a turn always overlap (the page must put them on 5 lanes). In every turn one call
fails (an `is_error` result), and the second request is answered 529 once, then retried.
Tool outputs carry markup and `</script>`, which the page must show as text.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import anyio

from agentkit import Agent, AgentEvent, AsyncAgent, RunFinished, RunResult, tool
from agentkit.testing import Fault, FunctionModel, ModelRequest, Reply, record_sleeps

MODEL = "claude-sonnet-4-5"
TURNS = 4
CALLS_PER_TURN = 5
CITIES = ("Paris", "Oslo", "Atlantis", "Lima", "Kyiv")
HOSTILE = "</script><script>document.title='pwned'</script><b>bold</b> & <img src=x>"
FINAL_TEXT = "Done. </script><h1>not a heading</h1>"


def make_tool(barrier: threading.Barrier | None) -> Any:
    @tool
    def lookup(city: str) -> str:
        """Look a city up.

        Args:
            city: The city.
        """
        if barrier is not None:
            barrier.wait(timeout=10)  # all 5 calls of the turn are running now
        time.sleep(0.005)  # a bar with some width
        if city == "Atlantis":
            raise LookupError(f"no such city: {HOSTILE}")
        return f"{city}: sunny {HOSTILE}"

    return lookup


def answer(request: ModelRequest) -> Any:
    """Five parallel lookups per turn for 4 turns, then the final text (with cache usage)."""
    done = sum(1 for m in request.messages if m["role"] == "user" and m["content"] != "Go")
    if done < TURNS:
        calls = [{"type": "tool_use", "name": "lookup", "input": {"city": city}} for city in CITIES]
        return Reply(
            calls,
            usage={"cache_read_input_tokens": 1000 * done, "cache_creation_input_tokens": 200},
        )
    return FINAL_TEXT


def finished(events: list[AgentEvent]) -> RunResult:
    last = events[-1]
    assert isinstance(last, RunFinished)
    return last.result


def twenty_call_run(kind: str = "sync", *, stream: bool = False) -> RunResult:
    """The run, with a sync or an async agent (`stream`: through `agent.stream`)."""
    model = FunctionModel(answer, faults=[None, Fault.error_status(529)])
    barrier = threading.Barrier(CALLS_PER_TURN)
    tools = [make_tool(barrier)]
    with record_sleeps():  # the retry's backoff is recorded, not slept
        if kind == "sync":
            agent = Agent(model.client(), model=MODEL, tools=tools)
            if not stream:
                return agent.run("Go")
            return finished(list(agent.stream("Go")))

        async def main() -> RunResult:
            agent = AsyncAgent(model.async_client(), model=MODEL, tools=tools)
            if not stream:
                return await agent.run("Go")
            return finished([e async for e in agent.stream("Go")])

        return anyio.run(main)
