"""A worker in a process of its own, for the test that kills one mid-run.

`python -m tests.temporal.worker_process ADDRESS TASK_QUEUE FOLDER`: serves the agent "recorder"
whose tools append to FOLDER/effects.txt; the model appends each request's step to
FOLDER/model.txt. `crash_once` kills this process (SIGKILL) the first time it runs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client

from agentkit import AsyncAgent, tool
from agentkit.temporal import worker
from agentkit.testing import FunctionModel

from .support import MODEL, record_step


def serve(address: str, task_queue: str, folder: Path) -> None:
    def note(name: str, line: str) -> None:
        with open(folder / name, "a") as file:
            file.write(line + "\n")

    @tool
    def record(label: str) -> str:
        """Record a side effect.

        Args:
            label: What to record.
        """
        note("effects.txt", label)
        return f"recorded {label}"

    @tool(idempotent=True)
    def crash_once() -> str:
        """Stop this worker the first time (safe to run again)."""
        marker = folder / "crashed"
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        note("effects.txt", "crash_once")
        return "done"

    def answer(request: Any) -> Any:
        note("model.txt", str(len(request["messages"]) // 2))
        return record_step(request)

    agent = AsyncAgent(FunctionModel(answer), model=MODEL, tools=[record, crash_once])

    async def main() -> None:
        client = await Client.connect(address)
        served = worker(
            client,
            agents={"recorder": agent},
            task_queue=task_queue,
            tool_timeout=2.0,
            sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),  # it will die
        )
        async with served:
            (folder / f"ready-{os.getpid()}").touch()
            await asyncio.Event().wait()

    asyncio.run(main())


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
