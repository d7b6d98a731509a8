"""Starting runs and awaiting their results, from any process with a Temporal client."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from .._exceptions import PayloadTooLargeError, RunFailedError
from ..agent._result import RunResult
from ._settings import DEFAULT_PAYLOAD_LIMIT, check_payload
from ._wire import WORKFLOW, RunRequest

__all__ = ["RunHandle", "run", "start_run"]


class RunHandle:
    """A run started in Temporal: await its `result()`.

    Attributes:
        run_id: The run's id (its Temporal workflow id).
        workflow: The `temporalio.client.WorkflowHandle` (to cancel it, query its history...).
    """

    def __init__(self, workflow: WorkflowHandle[Any, Any]) -> None:
        self.workflow = workflow
        self.run_id = workflow.id

    async def result(self, *, output_type: Any = None) -> RunResult[Any]:
        """Wait for the run to end; its `RunResult`.

        Args:
            output_type: The agent's `output_type`, to validate `result.output` to it (the
                result travels as JSON; without it, `output` is that JSON data).

        Raises:
            PayloadTooLargeError: A payload of the run was over the worker's limit.
            RunFailedError: The run ended with another error (`error_type` names it).
        """
        try:
            data = await self.workflow.result()
        except WorkflowFailureError as exc:
            raise _run_error(exc) from exc
        result = RunResult.from_dict(data)
        if output_type is not None and result.output is not None:
            from pydantic import TypeAdapter

            result.output = TypeAdapter(output_type).validate_python(result.output)
        return result


async def start_run(
    client: Client,
    agent: str,
    prompt: str | Sequence[Mapping[str, Any]] | None = None,
    *,
    task_queue: str,
    run_id: str | None = None,
    messages: Sequence[Any] | None = None,
    deps_key: str | None = None,
    payload_limit: int = DEFAULT_PAYLOAD_LIMIT,
) -> RunHandle:
    """Start a run of the agent a worker serves as `agent`; returns at once.

    Starting a `run_id` that is running or has finished returns that run's handle: its
    result is the first run's, and nothing runs twice (the new prompt is not looked at).

    Args:
        client: The Temporal client.
        agent: The name the worker serves the agent under (`worker(agents={name: ...})`).
        prompt: The user's message: text or content blocks.
        task_queue: The task queue the workers serve.
        run_id: The run's id (the workflow id; default: a new `run-<uuid>`).
        messages: An earlier history to continue.
        deps_key: A key the worker's `deps` resolver turns into this run's deps.
        payload_limit: The largest run input sent to Temporal, in bytes.

    Raises:
        PayloadTooLargeError: The prompt and history are over `payload_limit`.
    """
    request = RunRequest(
        agent,
        _prompt(prompt),
        None if messages is None else [dict(m) for m in messages],
        deps_key,
    )
    check_payload(
        client.data_converter.payload_converter,
        request,
        what="the run's input",
        limit=payload_limit,
    )
    workflow_id = run_id or f"run-{uuid.uuid4().hex}"
    try:
        handle: WorkflowHandle[Any, Any] = await client.start_workflow(
            WORKFLOW,
            request,
            id=workflow_id,
            task_queue=task_queue,
            result_type=dict,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    except WorkflowAlreadyStartedError:  # it finished already: its result is the run's
        handle = client.get_workflow_handle(workflow_id, result_type=dict)
    return RunHandle(handle)


async def run(
    client: Client,
    agent: str,
    prompt: str | Sequence[Mapping[str, Any]] | None = None,
    *,
    task_queue: str,
    run_id: str | None = None,
    messages: Sequence[Any] | None = None,
    deps_key: str | None = None,
    output_type: Any = None,
    payload_limit: int = DEFAULT_PAYLOAD_LIMIT,
) -> RunResult[Any]:
    """`start_run`, then wait for its `RunResult` (see `start_run` and `RunHandle.result`)."""
    handle = await start_run(
        client,
        agent,
        prompt,
        task_queue=task_queue,
        run_id=run_id,
        messages=messages,
        deps_key=deps_key,
        payload_limit=payload_limit,
    )
    return await handle.result(output_type=output_type)


def _run_error(exc: WorkflowFailureError) -> Exception:
    """The agentkit error for a workflow that failed."""
    cause = exc.cause
    if not isinstance(cause, ApplicationError):
        return RunFailedError(f"the run failed: {cause}", error_type=type(cause).__name__)
    if cause.type == PayloadTooLargeError.__name__:
        return PayloadTooLargeError(cause.message)
    state = RunResult.from_dict(cause.details[0]) if cause.details else None
    return RunFailedError(cause.message, error_type=cause.type or "", run_state=state)


def _prompt(prompt: str | Sequence[Mapping[str, Any]] | None) -> str | list[dict[str, Any]] | None:
    if prompt is None or isinstance(prompt, str):
        return prompt
    return [dict(block) for block in prompt]
