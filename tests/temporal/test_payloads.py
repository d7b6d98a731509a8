"""Deps stay on the worker; a payload over the limit fails the run with a clear error."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from temporalio.client import Client

from agentkit import AsyncAgent, ToolContext, tool
from agentkit.temporal import (
    PayloadTooLargeError,
    RunFailedError,
    RunHandle,
    run,
    start_run,
    worker,
)
from agentkit.testing import ScriptedModel

from .support import MODEL, call, queue

pytestmark = pytest.mark.anyio

SECRET = "s3cr3t-database-password"


@dataclass
class Deps:
    """Stands for a database handle: it could never be serialised."""

    password: str
    tenant: str


@tool
def whoami(ctx: ToolContext[Deps]) -> str:
    """The tenant the run works for."""
    assert ctx.deps.password == SECRET
    return f"tenant {ctx.deps.tenant}"


def asks_whoami() -> ScriptedModel:
    return ScriptedModel([[call("whoami", {}, "toolu_1")], "Done."])


async def test_deps_are_resolved_on_the_worker_and_never_sent_to_temporal(
    temporal_address: str,
) -> None:
    client = await Client.connect(temporal_address)
    task_queue = queue()
    default = AsyncAgent(asks_whoami(), model=MODEL, tools=[whoami], deps=Deps(SECRET, "main"))
    keyed = AsyncAgent(asks_whoami(), model=MODEL, tools=[whoami])
    resolved: list[str] = []

    async def resolve(key: str) -> Deps:
        resolved.append(key)
        return Deps(SECRET, key)

    agents = {"default": default, "keyed": keyed}
    async with worker(client, agents=agents, task_queue=task_queue, deps=resolve):
        first = await start_run(client, "default", "Who?", task_queue=task_queue)
        second = await start_run(client, "keyed", "Who?", task_queue=task_queue, deps_key="acme")
        assert (await first.result()).tool_calls[0].result == "tenant main"
        assert (await second.result()).tool_calls[0].result == "tenant acme"
    assert resolved == ["acme"]
    for handle in (first, second):
        text = await history_text(handle)
        assert "tenant " in text  # the tool results are there, with the payloads in clear
        assert SECRET not in text
    assert '"deps_key":"acme"' in (await history_text(second)).replace('\\"', '"')


async def history_text(handle: RunHandle) -> str:
    """Every event of a run's history, payloads included, as text."""
    history = await handle.workflow.fetch_history()
    return "".join(str(event) for event in history.events)


async def test_a_deps_key_without_a_resolver_fails_the_run_clearly(temporal_address: str) -> None:
    client = await Client.connect(temporal_address)
    task_queue = queue()
    agent = AsyncAgent(asks_whoami(), model=MODEL, tools=[whoami])
    async with worker(client, agents={"keyed": agent}, task_queue=task_queue):
        with pytest.raises(RunFailedError, match="no deps resolver") as caught:
            await run(client, "keyed", "Who?", task_queue=task_queue, deps_key="acme")
    assert caught.value.error_type == "UsageError"


@tool(max_result_chars=10_000_000)
def export(size: int) -> str:
    """A large export.

    Args:
        size: Characters.
    """
    return "x" * size


async def test_a_tool_result_over_the_limit_fails_the_run_at_once(temporal_address: str) -> None:
    client = await Client.connect(temporal_address)
    task_queue = queue()
    model = ScriptedModel([[call("export", {"size": 3_000_000}, "toolu_1")], "Done."])
    agent = AsyncAgent(model, model=MODEL, tools=[export])
    async with worker(client, agents={"exporter": agent}, task_queue=task_queue):
        handle = await start_run(client, "exporter", "Export.", task_queue=task_queue)
        with pytest.raises(PayloadTooLargeError, match="result of tool call 'export'") as caught:
            await handle.result()
    assert "2097152-byte limit" in str(caught.value)
    history = await handle.workflow.fetch_history()
    started = [e for e in history.events if e.HasField("activity_task_started_event_attributes")]
    assert len(started) == 2  # the model call, and the tool call once: never retried


async def test_a_request_over_the_workers_limit_fails_the_run(temporal_address: str) -> None:
    client = await Client.connect(temporal_address)
    task_queue = queue()
    agent = AsyncAgent(ScriptedModel(["Hi."]), model=MODEL)
    async with worker(client, agents={"a": agent}, task_queue=task_queue, payload_limit=5_000):
        with pytest.raises(PayloadTooLargeError, match="request to the model") as caught:
            await run(client, "a", "y" * 6_000, task_queue=task_queue)
    assert agent.client is not None
    assert "5000-byte limit" in str(caught.value)


async def test_a_prompt_over_the_limit_is_refused_before_starting(temporal_address: str) -> None:
    client = await Client.connect(temporal_address)
    with pytest.raises(PayloadTooLargeError, match="the run's input") as caught:
        await start_run(client, "a", "z" * 3_000_000, task_queue=queue())
    assert caught.value.size > caught.value.limit == 2 * 1024 * 1024
