"""A worker killed mid-run, a failed activity retried, a recorded history replayed."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path

import anyio
import pytest
from temporalio.client import Client

from agentkit import AsyncAgent
from agentkit.temporal import replayer, start_run, worker
from agentkit.testing import Fault, FunctionModel

from .support import MODEL, add, queue, record_step, three_turn_agent

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]


def start_worker(address: str, task_queue: str, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.temporal.worker_process", address, task_queue, str(folder)],
        cwd=ROOT,
    )


async def wait_ready(process: subprocess.Popen[bytes], folder: Path) -> None:
    with anyio.fail_after(60):
        while not (folder / f"ready-{process.pid}").exists():
            assert process.poll() is None, "the worker process exited before it was ready"
            await anyio.sleep(0.05)


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def test_a_worker_killed_mid_run_is_replaced_without_repeating_finished_calls(
    temporal_address: str, tmp_path: Path
) -> None:
    client = await Client.connect(temporal_address)
    task_queue = queue()
    first = start_worker(temporal_address, task_queue, tmp_path)
    second = None
    try:
        await wait_ready(first, tmp_path)
        handle = await start_run(client, "recorder", "Record a and b.", task_queue=task_queue)
        await anyio.to_thread.run_sync(partial(first.wait, 60))  # crash_once kills it
        assert first.returncode == -9
        assert lines(tmp_path / "effects.txt") == ["a", "b"]
        second = start_worker(temporal_address, task_queue, tmp_path)
        with anyio.fail_after(60):
            result = await handle.result()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert result.text == "All recorded."
    # every finished call's side effect happened once; the interrupted (idempotent) call ran
    # again on the new worker; no model step was requested twice
    assert lines(tmp_path / "effects.txt") == ["a", "b", "crash_once"]
    assert lines(tmp_path / "model.txt") == ["0", "1", "2", "3"]
    assert [c.name for c in result.tool_calls] == ["record", "record", "crash_once"]


async def test_a_model_call_that_fails_is_retried_by_temporal_and_tools_do_not_run_again(
    temporal_address: str,
) -> None:
    runs: list[int] = []

    from agentkit import tool

    @tool
    def record(label: str) -> str:
        """Record.

        Args:
            label: What.
        """
        runs.append(1)
        return label

    @tool(idempotent=True)
    def crash_once() -> str:
        """Nothing."""
        return "done"

    # the second request fails with an overloaded error once, then succeeds
    model = FunctionModel(record_step, faults=[None, Fault(status=529)])
    agent = AsyncAgent(model, model=MODEL, tools=[record, crash_once])
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"recorder": agent}, task_queue=task_queue):
        handle = await start_run(client, "recorder", "Go.", task_queue=task_queue)
        result = await handle.result()
    assert result.text == "All recorded."
    assert len(model.requests) == 5  # four steps, one of them sent twice
    assert len(runs) == 2  # the tool before the failure did not run again
    history = await handle.workflow.fetch_history()
    attempts = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.HasField("activity_task_started_event_attributes")
    ]
    assert sorted(attempts) == [1, 1, 1, 1, 1, 1, 2]  # 4 model calls + 3 tool calls


async def test_a_recorded_history_replays_deterministically(temporal_address: str) -> None:
    client = await Client.connect(temporal_address)
    task_queue = queue()
    async with worker(client, agents={"adder": three_turn_agent()}, task_queue=task_queue):
        handle = await start_run(client, "adder", "What is 2 + 3 + 10?", task_queue=task_queue)
        await handle.result()
    history = await handle.workflow.fetch_history()
    check = replayer(agents={"adder": three_turn_agent()})
    await check.replay_workflow(history)  # raises on any nondeterminism
    changed = AsyncAgent(three_turn_agent().client, model=MODEL, tools=[add], max_turns=1)
    with pytest.raises(Exception, match="[Nn]ondetermin"):
        await replayer(agents={"adder": changed}).replay_workflow(history)
