"""A run through Temporal records when each model request and tool call happened, as a local run
does: its `RunResult.requests` take their times from the activities (the workflow reads no
clock), and its timeline page shows every turn."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from temporalio.client import Client

from agentkit import AsyncAgent
from agentkit._core.effects import CallModel, RequestTiming
from agentkit.temporal import RunFailedError, replayer, run, start_run, worker
from agentkit.temporal._workflow import _report_timing
from agentkit.testing import Fault, ScriptedModel

from .support import MODEL, add, call, queue, shout, three_turns

pytestmark = pytest.mark.anyio


async def test_each_model_call_is_recorded_with_its_times(
    temporal_address: str, tmp_path: Path
) -> None:
    model = three_turns()
    agent = AsyncAgent(model, model=MODEL, tools=[add, shout], max_turns=5)
    client = await Client.connect(temporal_address)
    task_queue = queue()
    before = time.time()
    async with worker(client, agents={"adder": agent}, task_queue=task_queue):
        handle = await start_run(client, "adder", "What is 2 + 3 + 10?", task_queue=task_queue)
        result = await handle.result()
    after = time.time()

    assert len(model.requests) == 3
    requests = result.requests
    assert [r.turn for r in requests] == [1, 2, 3]
    assert [r.stop_reason for r in requests] == ["tool_use", "tool_use", "end_turn"]
    assert [r.retries for r in requests] == [0, 0, 0]
    assert all(r.error is None and r.message_id for r in requests)
    assert sum(r.output_tokens for r in requests) == result.usage.output_tokens
    windows = []
    for request in requests:
        assert request.started_at is not None
        assert request.duration is not None
        assert before <= request.started_at
        assert 0 <= request.duration < after - before
        windows.append((request.started_at, request.started_at + request.duration))
    assert windows[-1][1] <= after
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert end <= start  # one after the other, tools in between
    for record in result.tool_calls:  # each ran between its turn's response and the next request
        assert record.started_at is not None
        assert windows[record.turn - 1][1] <= record.started_at
        assert record.started_at + record.duration <= windows[record.turn][0]

    page = tmp_path / "run.html"
    result.save_html(page)
    html = page.read_text(encoding="utf-8")
    assert "No timings recorded" not in html
    assert html.count("<div class='turn' id='turn-") == 3
    assert html.count("class='bar model ") == 3
    assert html.count("class='bar tool ") == 3

    history = await handle.workflow.fetch_history()  # the times come from the history: replays
    await replayer(
        agents={"adder": AsyncAgent(three_turns(), model=MODEL, tools=[add, shout], max_turns=5)}
    ).replay_workflow(history)


async def test_a_call_temporal_retried_counts_its_retries(temporal_address: str) -> None:
    model = ScriptedModel(["Fine."], faults=[Fault(status=529)])
    agent = AsyncAgent(model, model=MODEL)
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"a": agent}, task_queue=task_queue):
        result = await run(client, "a", "Hi.", task_queue=task_queue)
    assert result.text == "Fine."
    assert len(model.requests) == 2
    [request] = result.requests
    assert request.retries == 1  # the attempt before, retried by Temporal
    assert request.started_at is not None
    assert request.duration is not None
    assert request.duration >= 0


async def test_a_failed_model_call_is_recorded_in_the_run_state(temporal_address: str) -> None:
    model = ScriptedModel([[call("add", {"a": 1, "b": 2}, "toolu_1")], "never sent"])
    model.faults = [None, Fault(status=400)]
    agent = AsyncAgent(model, model=MODEL, tools=[add])
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"a": agent}, task_queue=task_queue):
        with pytest.raises(RunFailedError) as caught:
            await run(client, "a", "Add.", task_queue=task_queue)
    state = caught.value.run_state
    assert state is not None
    first, failed = state.requests
    assert first.error is None
    assert failed.turn == 2
    assert failed.error is not None
    assert failed.error.startswith("BadRequestError")
    assert first.started_at is not None
    assert first.duration is not None
    assert failed.started_at is not None
    assert failed.duration is not None
    assert first.started_at + first.duration <= failed.started_at


def test_activity_data_without_a_timing_gives_the_flow_none() -> None:
    seen: list[RequestTiming] = []
    effect = CallModel({}, on_timing=seen.append)
    _report_timing(effect, {"message": {}})  # from a worker of an older agentkit
    _report_timing(effect, {"timing": {"started_at": None, "duration": 1.0}})
    _report_timing(effect, ["not", "a", "mapping"])
    _report_timing(CallModel({}), {"timing": {"started_at": 1.0, "duration": 1.0}})  # unheard
    assert seen == []
    _report_timing(effect, {"timing": {"started_at": 10, "duration": 0.5, "retries": "?"}})
    assert seen == [RequestTiming(10.0, 0.5, None)]
