"""Run agents as Temporal workflows: durable runs across many machines.

The agent loop runs inside a Temporal workflow (deterministic: no I/O, no clocks); each model
call and each tool call is a Temporal activity, run by a worker that holds the agents, their
clients and their deps. A worker that dies mid-run is replaced by another, which replays the
workflow's history: finished model calls and tool calls are not made again.

- `worker(client, agents={...}, task_queue=...)`: a Temporal worker serving agents.
- `start_run` / `run`: start a run (and await its `RunResult`) from any process.
- `AgentWorkflow`: the workflow itself; `replayer(...)` replays recorded histories.

Needs the optional `temporalio` package: `pip install 'agentkit[temporal]'`. Nothing outside
this subpackage imports it.

```python
from agentkit import AsyncAgent
from agentkit.temporal import run, worker

async with worker(client, agents={"support": agent}, task_queue="agents"):
    result = await run(client, "support", "Where is order A-17?", task_queue="agents")
```
"""

from __future__ import annotations

from .._exceptions import UsageError

try:
    import temporalio as _temporalio  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise UsageError(
        "agentkit.temporal needs the temporalio package: pip install 'agentkit[temporal]'"
    ) from exc

from .._exceptions import PayloadTooLargeError as PayloadTooLargeError
from .._exceptions import RunFailedError as RunFailedError
from ._client import RunHandle as RunHandle
from ._client import run as run
from ._client import start_run as start_run
from ._settings import DEFAULT_PAYLOAD_LIMIT as DEFAULT_PAYLOAD_LIMIT
from ._worker import replayer as replayer
from ._worker import worker as worker
from ._workflow import AgentWorkflow as AgentWorkflow
from ._workflow import RunRequest as RunRequest

__all__ = [
    "DEFAULT_PAYLOAD_LIMIT",
    "AgentWorkflow",
    "PayloadTooLargeError",
    "RunFailedError",
    "RunHandle",
    "RunRequest",
    "replayer",
    "run",
    "start_run",
    "worker",
]
