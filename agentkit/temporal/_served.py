"""The agents a worker serves, where its workflows and activities find them.

A workflow runs in Temporal's sandbox, which passes `agentkit` through (the same modules as the
worker's): `AgentWorkflow` finds its agent here by task queue and name. Only names and keys
cross the wire; the agents, their clients and their deps stay in the worker's process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

from .._exceptions import UsageError

__all__ = ["Served", "register", "served_agent"]

DepsResolver = Callable[[str], Any]
"""Turns a run's `deps_key` into its deps, on the worker (may be async)."""


@dataclass(frozen=True)
class Served:
    """One agent a worker serves, with its activities' settings.

    Attributes:
        agent: The `Agent` or `AsyncAgent`.
        resolve_deps: Turns a run's `deps_key` into its deps (None: the agent's `deps`).
        model_timeout: Start-to-close timeout of a model call.
        model_retry: Retry policy of a model call.
        tool_timeout: Start-to-close timeout of a tool call.
        tool_retry: Retry policy of a tool call.
        payload_limit: The largest payload sent to Temporal, in bytes.
    """

    agent: Any
    resolve_deps: DepsResolver | None
    model_timeout: timedelta
    model_retry: RetryPolicy
    tool_timeout: timedelta
    tool_retry: RetryPolicy
    payload_limit: int


_SERVED: dict[str | None, dict[str, Served]] = {}
"""Task queue -> name -> agent; under None, the latest agent of each name (for replays,
which run on a task queue of their own)."""


def register(task_queue: str | None, served: Mapping[str, Served]) -> None:
    """Serve these agents on `task_queue` in this process (replacing earlier ones by name).

    Each is also the process's latest agent of its name; `task_queue=None` registers them as
    that only (a `replayer`'s agents).
    """
    if task_queue is not None:
        _SERVED.setdefault(task_queue, {}).update(served)
    _SERVED.setdefault(None, {}).update(served)


def served_agent(task_queue: str, name: str) -> Served:
    """The agent served as `name` on `task_queue` (or else the latest of that name).

    Raises:
        UsageError: No agent of that name is served in this process.
    """
    served = _SERVED.get(task_queue, {})
    if name in served:
        return served[name]
    latest = _SERVED.get(None, {})
    if name in latest:
        return latest[name]
    raise UsageError(
        f"no agent named {name!r} is served on task queue {task_queue!r} by this worker "
        f"(it serves {sorted(served)}); pass it in worker(..., agents={{{name!r}: agent}})."
    )
