"""What a run under Temporal does like a local run: errors, typed output, hooks, the sync agent,
streamed requests, a run_id run twice; and what a worker refuses."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from pydantic import BaseModel
from temporalio.client import Client

from agentkit import Agent, AsyncAgent, Hooks, Journal, UsageError, tool
from agentkit.temporal import RunFailedError, run, start_run, worker
from agentkit.testing import Fault, ScriptedModel, TestModel

from .support import MODEL, add, call, comparable, queue, shout, three_turns

pytestmark = pytest.mark.anyio


async def test_an_error_agentkit_does_not_retry_fails_the_run_with_its_state(
    temporal_address: str,
) -> None:
    model = ScriptedModel([[call("add", {"a": 1, "b": 2}, "toolu_1")], "never sent"])
    model.faults = [None, Fault(status=400)]
    agent = AsyncAgent(model, model=MODEL, tools=[add])
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"a": agent}, task_queue=task_queue):
        with pytest.raises(RunFailedError) as caught:
            await run(client, "a", "Add.", task_queue=task_queue)
    error = caught.value
    assert error.error_type == "BadRequestError"
    assert len(model.requests) == 2  # not retried
    assert error.run_state is not None
    assert [m["role"] for m in error.run_state.messages] == ["user", "assistant", "user"]


async def test_an_unknown_agent_name_fails_the_run_clearly(temporal_address: str) -> None:
    client = await Client.connect(temporal_address)
    task_queue = queue()
    agent = AsyncAgent(TestModel(), model=MODEL)
    async with worker(client, agents={"a": agent}, task_queue=task_queue):
        with pytest.raises(RunFailedError, match="no agent named 'b'") as caught:
            await run(client, "b", [{"type": "text", "text": "Hi."}], task_queue=task_queue)
    assert caught.value.error_type == "UsageError"
    assert caught.value.run_state is None


class Sum(BaseModel):
    total: int


async def test_typed_output_hooks_and_a_limit(temporal_address: str) -> None:
    turns: list[str] = []

    async def on_turn(message: Any) -> None:
        turns.append(message.stop_reason)

    typed = AsyncAgent(
        TestModel(), model=MODEL, tools=[add], output_type=Sum, hooks=Hooks(on_turn=on_turn)
    )
    limited = AsyncAgent(
        three_turns(), model=MODEL, tools=[add, shout], max_turns=1, raise_on_limit=True
    )
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"typed": typed, "limited": limited}, task_queue=task_queue):
        result = await run(client, "typed", "Sum.", task_queue=task_queue, output_type=Sum)
        with pytest.raises(RunFailedError) as caught:
            await run(client, "limited", "Add.", task_queue=task_queue)
    assert isinstance(result.output, Sum)
    assert turns == ["tool_use", "tool_use"]
    assert caught.value.error_type == "RunLimitExceeded"
    assert caught.value.run_state is not None
    assert caught.value.run_state.stop_reason == "max_turns"


async def test_a_sync_agent_with_streamed_requests_runs_like_locally(temporal_address: str) -> None:
    def agent(model: ScriptedModel) -> Agent:  # max_tokens this large must stream (§1.4)
        return Agent(model, model=MODEL, tools=[add, shout], max_tokens=32_000)

    model = three_turns()
    served = agent(model)
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"sync": served}, task_queue=task_queue):
        result = await run(client, "sync", "What is 2 + 3 + 10?", task_queue=task_queue)
    local = agent(three_turns()).run("What is 2 + 3 + 10?")
    assert comparable(result) == comparable(local)
    assert [request.get("stream") for request in model.requests] == [True, True, True]


async def test_running_a_run_id_again_returns_its_result_without_running_it(
    temporal_address: str,
) -> None:
    model = three_turns()
    agent = AsyncAgent(model, model=MODEL, tools=[add, shout])
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"adder": agent}, task_queue=task_queue):
        first = await run(client, "adder", "Add.", task_queue=task_queue, run_id="invoice-42")
        handle = await start_run(
            client, "adder", "Add.", task_queue=task_queue, run_id="invoice-42"
        )
        again = await handle.result()
    assert handle.run_id == "invoice-42"
    assert again.to_dict() == first.to_dict()
    assert len(model.requests) == 3


def test_a_worker_refuses_what_it_cannot_serve(tmp_path: Any) -> None:
    from temporalio.client import Client as TemporalClient

    client: Any = TemporalClient.__new__(TemporalClient)  # never connected: refused first
    journaled = AsyncAgent(TestModel(), model=MODEL, journal=Journal(tmp_path / "runs.db"))
    with pytest.raises(UsageError, match="has a journal"):
        worker(client, agents={"j": journaled}, task_queue="q")
    with pytest.raises(UsageError, match="must be an Agent or AsyncAgent"):
        worker(client, agents={"x": object()}, task_queue="q")
    with pytest.raises(UsageError, match="tool_attempts"):
        worker(client, agents={}, task_queue="q", tool_attempts=0)
    from agentkit.mcp import MCPServerStdio

    with_mcp = AsyncAgent(TestModel(), model=MODEL, tools=[MCPServerStdio("python", ["-V"])])
    with pytest.raises(UsageError, match="MCP servers"):
        worker(client, agents={"m": with_mcp}, task_queue="q")
    journaled.journal.close()  # type: ignore[union-attr]


@tool
async def slow() -> str:
    """Takes long."""
    await anyio.sleep(30)
    return "late"


async def test_calls_answered_at_once_and_a_tool_call_that_fails_for_good(
    temporal_address: str,
) -> None:
    mixed = ScriptedModel(
        [[call("nope", {}, "toolu_1"), call("add", {"a": 1, "b": 2}, "toolu_2")], "ok"]
    )
    stuck = ScriptedModel([[call("slow", {}, "toolu_1")], "never"])
    agents = {
        "mixed": AsyncAgent(mixed, model=MODEL, tools=[add]),
        "stuck": AsyncAgent(stuck, model=MODEL, tools=[slow]),
    }
    client = await Client.connect(temporal_address)
    task_queue = queue()
    options: dict[str, Any] = {"tool_timeout": 0.5, "tool_attempts": 1}
    async with worker(client, agents=agents, task_queue=task_queue, **options):
        result = await run(client, "mixed", "Go.", task_queue=task_queue)
        with pytest.raises(RunFailedError) as caught:
            await run(client, "stuck", "Go.", task_queue=task_queue)
    assert [(c.name, c.is_error) for c in result.tool_calls] == [("nope", True), ("add", False)]
    assert caught.value.error_type == "TimeoutError"


async def test_a_run_ended_from_outside_fails_with_the_reason(temporal_address: str) -> None:
    client = await Client.connect(temporal_address)
    handle = await start_run(client, "nobody", "Hi.", task_queue=queue())  # no worker serves it
    await handle.workflow.terminate(reason="cancelled by an operator")
    with pytest.raises(RunFailedError, match="cancelled by an operator") as caught:
        await handle.result()
    assert caught.value.error_type == "TerminatedError"


async def test_the_clients_max_retries_is_the_activitys_attempts(temporal_address: str) -> None:
    model = TestModel(faults=lambda index, request: Fault(reset=True))
    agent = AsyncAgent(model.async_client(max_retries=1), model=MODEL)
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"a": agent}, task_queue=task_queue):
        handle = await start_run(client, "a", "Hi.", task_queue=task_queue)
        with pytest.raises(RunFailedError) as caught:
            await handle.result()
    assert caught.value.error_type == "APIConnectionError"
    assert caught.value.run_state is not None  # the run so far, to resume
    history = await handle.workflow.fetch_history()
    attempts = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.HasField("activity_task_started_event_attributes")
    ]
    assert attempts == [2]  # the history records the last attempt: 2 = max_retries + 1
