"""`worker`: a Temporal worker serving agents; `replayer`: replaying their recorded histories."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Replayer, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from .._exceptions import UsageError
from ..agent._base import AgentBase
from ._activities import call_model, call_tool
from ._served import DepsResolver, Served, register
from ._settings import DEFAULT_PAYLOAD_LIMIT, model_retry_policy, model_timeout, tool_retry_policy
from ._workflow import AgentWorkflow

__all__ = ["replayer", "worker"]

_PASSED_THROUGH = ("agentkit", "anyio", "sniffio", "httpx", "httpcore", "jsonschema")
"""Modules the workflow sandbox shares with the worker instead of importing them again (the
agents live in the worker's modules; the workflow only runs their deterministic parts)."""


def _runner() -> SandboxedWorkflowRunner:
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*_PASSED_THROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions)


def worker(
    client: Client,
    *,
    agents: Mapping[str, Any],
    task_queue: str,
    deps: DepsResolver | None = None,
    tool_timeout: float = 300.0,
    tool_attempts: int = 5,
    payload_limit: int = DEFAULT_PAYLOAD_LIMIT,
    **worker_options: Any,
) -> Worker:
    """A Temporal worker running the `AgentWorkflow` and its activities for these agents.

    Use it as `async with worker(...):` (or `await worker(...).run()`). Run as many as you
    like, on as many machines, with the same agents and task queue.

    Args:
        client: The Temporal client (`await temporalio.client.Client.connect(...)`).
        agents: Name -> `Agent` or `AsyncAgent`; runs name the agent they run. Each agent's
            client makes the model calls (its retries are Temporal's: `max_retries` attempts
            after the first, the same backoff; its timeout is each call's).
        task_queue: The Temporal task queue to serve.
        deps: Turns a run's `deps_key` into its deps, on the worker (sync or async); without
            a key, a run's tools get their agent's `deps`. Deps never travel to Temporal.
        tool_timeout: Seconds a tool call's activity may take before Temporal tries it again
            (on any worker). Give tools their own shorter `timeout=` as usual.
        tool_attempts: Most attempts of a tool call. A retried attempt runs the tool again
            only if it is `idempotent`; otherwise the model is told the call was interrupted.
        payload_limit: The largest payload (request, response, tool result, run result)
            sent to Temporal, in bytes; larger ones fail the run with `PayloadTooLargeError`.
        **worker_options: More `temporalio.worker.Worker` arguments.

    Raises:
        UsageError: An agent with a journal (Temporal's history is the journal) or with MCP
            servers among its tools (not supported yet), or a bad setting.
    """
    if tool_timeout <= 0 or tool_attempts < 1 or payload_limit < 1:
        raise UsageError(
            "tool_timeout must be > 0, tool_attempts >= 1 and payload_limit >= 1; got "
            f"{tool_timeout!r}, {tool_attempts!r}, {payload_limit!r}."
        )
    register(
        task_queue,
        {
            name: _served(name, agent, deps, tool_timeout, tool_attempts, payload_limit)
            for name, agent in agents.items()
        },
    )
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[AgentWorkflow],
        activities=[call_model, call_tool],
        workflow_runner=_runner(),
        **worker_options,
    )


def _served(
    name: str,
    agent: Any,
    deps: DepsResolver | None,
    tool_timeout: float,
    tool_attempts: int,
    payload_limit: int,
) -> Served:
    if not isinstance(agent, AgentBase):
        raise UsageError(f"agents[{name!r}] must be an Agent or AsyncAgent, got {agent!r}.")
    if agent.journal is not None:
        raise UsageError(
            f"agent {name!r} has a journal: under Temporal the workflow's history is the "
            "journal. Serve an agent made without journal=."
        )
    if agent.toolbox.sources:
        raise UsageError(
            f"agent {name!r} has tool sources (MCP servers): not supported under Temporal yet. "
            "Serve an agent with plain tools."
        )
    return Served(
        agent=agent,
        resolve_deps=deps,
        model_timeout=model_timeout(agent.client.timeout),
        model_retry=model_retry_policy(agent.client.max_retries),
        tool_timeout=timedelta(seconds=tool_timeout),
        tool_retry=tool_retry_policy(tool_attempts),
        payload_limit=payload_limit,
    )


def replayer(*, agents: Mapping[str, Any], deps: DepsResolver | None = None) -> Replayer:
    """A `Replayer` that checks recorded `AgentWorkflow` histories against these agents.

    The agents become this process's agents of their names (a worker's agents of the same
    names on their own task queue are not affected).

    Replay a history fetched with `handle.fetch_history()` (`await
    replayer(...).replay_workflow(history)`) before deploying a change to an agent: a change
    that would make running workflows take a different path fails here.
    """
    register(
        None,
        {
            name: _served(name, agent, deps, 300.0, 5, DEFAULT_PAYLOAD_LIMIT)
            for name, agent in agents.items()
        },
    )
    return Replayer(workflows=[AgentWorkflow], workflow_runner=_runner())
