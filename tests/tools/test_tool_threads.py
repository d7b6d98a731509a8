"""A sync agent's tools on worker threads: called from inside an event loop, and never a hang."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from agentkit import Agent, tool
from agentkit.testing import TestModel


@tool
async def shout(text: str) -> str:
    """Upper-case a text.

    Args:
        text: The text.
    """
    await anyio.lowlevel.checkpoint()
    return text.upper()


@tool
def add(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: The first.
        b: The second.
    """
    return a + b


def _agent() -> Agent:
    return Agent(TestModel(), model="claude-sonnet-4-5", tools=[shout, add])


def test_a_sync_agent_called_inside_an_event_loop_runs_its_async_tools() -> None:
    async def main() -> list[bool]:
        result = _agent().run("go")  # blocking, on purpose: a sync agent in async code
        return [call.is_error for call in result.tool_calls]

    assert anyio.run(main) == [False, False]


def test_a_tool_thread_that_fails_to_start_its_loop_is_an_error_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import agentkit.tools._toolbox as toolbox

    # without forgetting the caller's loop, anyio.run refuses to start in the tool's thread
    monkeypatch.setattr(toolbox, "_forget_event_loop", lambda: None)

    async def main() -> dict[str, bool]:
        result = _agent().run("go")
        return {call.name: call.is_error for call in result.tool_calls}

    assert anyio.run(main) == {"shout": True, "add": False}
