"""The activities: one model call, one tool call, run by the worker serving the agent.

Each looks its agent up by the activity's task queue and the agent's name (`_served`), so the
agent's client and deps never travel. Each result is checked against the payload limit before
Temporal sees it.
"""

from __future__ import annotations

import inspect
import time
from functools import partial
from typing import Any

import anyio
from temporalio import activity

from .._client import AsyncAnthropic
from .._core.journal import interrupted_text
from .._core.loop import RunUsage
from .._core.tool_calls import ToolCall, ToolResult
from .._exceptions import APIError, PayloadTooLargeError, UsageError
from ..agent._journaled import _result_record, message_record
from ._served import Served, served_agent
from ._settings import check_payload, to_application_error
from ._wire import CALL_MODEL, CALL_TOOL, ModelCall, ToolCallRequest

__all__ = ["call_model", "call_tool"]


def _served(name: str) -> Served:
    try:
        return served_agent(activity.info().task_queue, name)
    except UsageError as exc:
        raise to_application_error(exc) from exc


def _checked(served: Served, value: dict[str, Any], what: str) -> dict[str, Any]:
    try:
        check_payload(activity.payload_converter(), value, what=what, limit=served.payload_limit)
    except PayloadTooLargeError as exc:
        raise to_application_error(exc) from exc
    return value


@activity.defn(name=CALL_MODEL)
async def call_model(request: ModelCall) -> dict[str, Any]:
    """Send one model request (one attempt: Temporal retries); the response as journal data.

    The data's `timing` (and a failure's details) say when this attempt was sent, how long it
    took and how many attempts came before it: the workflow reads no clock, so the run's
    request records (`RunResult.requests`) take their times from here.
    """
    served = _served(request.agent)
    client = served.agent.client.with_options(max_retries=0)
    timer = _AttemptTimer()
    try:
        if isinstance(client, AsyncAnthropic):
            message = await _ask_async(client, request.params, stream=request.stream)
        else:
            ask = partial(_ask_sync, client, request.params, stream=request.stream)
            message = await anyio.to_thread.run_sync(ask)
    except APIError as exc:
        raise to_application_error(exc, timing=timer.timing()) from exc
    data = message_record(message)
    data["timing"] = timer.timing()
    return _checked(served, data, f"the model's response to {request.agent!r}")


class _AttemptTimer:
    """Times one attempt of a model call: a wall-clock start, a monotonic duration."""

    def __init__(self) -> None:
        self.started_at = time.time()
        self.start = time.perf_counter()

    def timing(self) -> dict[str, Any]:
        """The attempt so far, as `RequestTiming` fields (`retries`: the attempts before it)."""
        return {
            "started_at": self.started_at,
            "duration": time.perf_counter() - self.start,
            "retries": activity.info().attempt - 1,
        }


async def _ask_async(client: Any, params: dict[str, Any], *, stream: bool) -> Any:
    if not stream:
        return await client.messages.create(**params)
    async with client.messages.stream(**params) as events:
        return await events.get_final_message()


def _ask_sync(client: Any, params: dict[str, Any], *, stream: bool) -> Any:
    if not stream:
        return client.messages.create(**params)
    with client.messages.stream(**params) as events:
        return events.get_final_message()


@activity.defn(name=CALL_TOOL)
async def call_tool(request: ToolCallRequest) -> dict[str, Any]:
    """Run one tool call with the worker's deps; its result as journal data.

    A retried attempt (the last one's worker died, or it timed out) runs the tool again only
    if it is `idempotent`; otherwise the model is told the call was interrupted.
    """
    served = _served(request.agent)
    agent = served.agent
    call = ToolCall(request.id, request.name, request.input)
    planned = agent.toolbox.plan(call)
    tool = getattr(planned, "tool", None)
    if activity.info().attempt > 1 and tool is not None and not tool.idempotent:
        text = interrupted_text(call.name)
        result = ToolResult(call=call, content=text, is_error=True, not_run="interrupted")
    else:
        deps = await _deps(served, request.deps_key)
        usage = None if request.usage is None else RunUsage(**request.usage)
        (result,) = await agent.toolbox.aexecute_all(
            [planned], deps=deps, messages=request.messages, usage=usage
        )
    data = _result_record(result)
    data["started_at"] = result.started_at  # when the function started (the run timeline's)
    return _checked(served, data, f"the result of tool call {call.name!r}")


async def _deps(served: Served, key: str | None) -> Any:
    """The run's deps: the agent's, or the resolver's for `key`."""
    if key is None:
        return served.agent.deps
    if served.resolve_deps is None:
        raise to_application_error(
            UsageError(
                f"the run has deps_key={key!r} but its worker has no deps resolver: pass "
                "worker(..., deps=lambda key: ...)."
            )
        )
    deps = served.resolve_deps(key)
    if inspect.isawaitable(deps):
        deps = await deps
    return deps
