"""`AgentWorkflow`: an agent run as a Temporal workflow.

The workflow drives the agent's run flow (`AgentBase.run_flow`, the same one `Agent.run`
drives), which is deterministic: every decision is the sans-IO loop's. It performs the flow's
effects the Temporal way:

| effect      | in the workflow                                                         |
|-------------|-------------------------------------------------------------------------|
| `CallModel` | a `call_model` activity (the client's timeout and retry policy)         |
| `RunTools`  | one `call_tool` activity per call, all started at once, results in order |
| `CallHook`  | called in the workflow (hooks must be deterministic: no I/O, no clocks)  |
| `Emit`      | dropped (the run's `RunFinished` result is the workflow's result)       |

Every payload sent to Temporal is checked against the worker's `payload_limit` first. The
run's request records (`RunResult.requests`) take their times from the model call activity,
which measures its attempt (workflow code reads no clock), and its tool calls' start times from
the tool call activities.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError

with workflow.unsafe.imports_passed_through():
    from .. import _exceptions
    from .._core.effects import CallHook, CallModel, Emit, RequestTiming, RunTools
    from .._core.tool_calls import ToolResult
    from .._drive import Done, advance
    from .._exceptions import (
        AgentkitError,
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        PayloadTooLargeError,
        RunFailedError,
        RunLimitExceeded,
        StreamProtocolError,
    )
    from ..agent._events import RunFinished
    from ..agent._journaled import _result_from_record, message_from_record
    from ._served import Served, served_agent
    from ._settings import check_payload
    from ._wire import CALL_MODEL, CALL_TOOL, WORKFLOW, ModelCall, RunRequest, ToolCallRequest

__all__ = ["AgentWorkflow", "RunRequest"]


@workflow.defn(name=WORKFLOW)
class AgentWorkflow:
    """One agent run: the loop here, each model call and each tool call an activity.

    Start it with `agentkit.temporal.start_run` (or `run`); serve it with
    `agentkit.temporal.worker`. Its result is `RunResult.to_dict()`.
    """

    @workflow.run
    async def run(self, request: RunRequest) -> dict[str, Any]:
        """Run the agent the request names, on the worker's copy of it."""
        try:
            served = served_agent(workflow.info().task_queue, request.agent)
            return await self._drive(served, request)
        except PayloadTooLargeError as exc:
            raise ApplicationError(str(exc), type=type(exc).__name__, non_retryable=True) from exc
        except AgentkitError as exc:
            state = (
                exc.result if isinstance(exc, RunLimitExceeded) else getattr(exc, "run_state", None)
            )
            error_type = exc.error_type if isinstance(exc, RunFailedError) else type(exc).__name__
            details = [] if state is None else [state.to_dict()]
            raise ApplicationError(str(exc), *details, type=error_type, non_retryable=True) from exc

    async def _drive(self, served: Served, request: RunRequest) -> dict[str, Any]:
        flow = served.agent.run_flow(request.prompt, request.messages, None, streaming=False)
        value: Any = None
        error: Exception | None = None
        result: dict[str, Any] = {}
        while not isinstance(effect := advance(flow, value, error), Done):
            value, error = None, None
            try:
                if isinstance(effect, CallModel):
                    value = await self._call_model(served, request, effect)
                elif isinstance(effect, RunTools):
                    value = await self._run_tools(served, request, effect)
                elif isinstance(effect, CallHook):
                    value = effect.fn(*effect.args)
                    if hasattr(value, "__await__"):
                        value = await value
                elif isinstance(effect, Emit) and isinstance(effect.event, RunFinished):
                    result = effect.event.result.to_dict()
            except Exception as exc:
                error = exc
        self._check(served, result, "the run's result")
        return result

    @staticmethod
    def _check(served: Served, value: Any, what: str) -> None:
        limit = served.payload_limit
        check_payload(workflow.payload_converter(), value, what=what, limit=limit)

    async def _call_model(self, served: Served, request: RunRequest, effect: CallModel) -> Any:
        call = ModelCall(request.agent, effect.params, stream=effect.stream)
        self._check(
            served, call, f"the request to the model ({len(effect.params['messages'])} messages)"
        )
        try:
            data = await workflow.execute_activity(
                CALL_MODEL,
                call,
                result_type=dict,
                start_to_close_timeout=served.model_timeout,
                retry_policy=served.model_retry,
            )
        except ActivityError as exc:
            cause = exc.cause
            if isinstance(cause, ApplicationError) and cause.details:
                _report_timing(effect, cause.details[0])
            raise _model_failure(exc) from exc
        _report_timing(effect, data)
        return message_from_record(data)

    async def _run_tools(
        self, served: Served, request: RunRequest, effect: RunTools
    ) -> list[ToolResult]:
        usage = None if effect.usage is None else effect.usage.to_dict()
        started = {}
        for index, plan in enumerate(effect.plans):
            if isinstance(plan, ToolResult):
                continue  # answered already (denied, invalid input)
            call = plan.call
            tool_request = ToolCallRequest(
                request.agent,
                call.id,
                call.name,
                call.input,
                deps_key=request.deps_key,
                messages=list(effect.messages),
                usage=usage,
            )
            self._check(served, tool_request, f"the request of tool call {call.name!r}")
            started[index] = workflow.start_activity(
                CALL_TOOL,
                tool_request,
                result_type=dict,
                start_to_close_timeout=served.tool_timeout,
                retry_policy=served.tool_retry,
            )
        results = []
        for index, plan in enumerate(effect.plans):
            if index not in started:
                results.append(plan)
                continue
            try:
                data = await started[index]
            except ActivityError as exc:
                raise _tool_failure(exc) from exc
            result = _result_from_record(plan.call, data)
            result.started_at = data.get("started_at")  # the activity's clock, not ours
            results.append(result)
        return results


def _report_timing(effect: CallModel, data: object) -> None:
    """Hand the flow the `timing` the model call's activity measured (its request's record).

    Data without one (an attempt that timed out, a worker of an older agentkit) is no timing.
    """
    timing = data.get("timing") if isinstance(data, Mapping) else None
    if effect.on_timing is None or not isinstance(timing, Mapping):
        return
    started_at, duration, retries = (timing.get(k) for k in ("started_at", "duration", "retries"))
    if isinstance(started_at, (int, float)) and isinstance(duration, (int, float)):
        retries = retries if isinstance(retries, int) else None
        effect.on_timing(RequestTiming(float(started_at), float(duration), retries))


def _model_failure(exc: ActivityError) -> Exception:
    """The agentkit error a model call failed with for good, rebuilt in the workflow.

    An API error comes back as its own class (the flow attaches the run so far to it).
    """
    cause = exc.cause
    if not isinstance(cause, ApplicationError):
        if isinstance(cause, TemporalTimeoutError):
            return APITimeoutError(f"the model call timed out: {cause}")
        return _tool_failure(exc)
    kind = getattr(_exceptions, cause.type or "", None)
    if not isinstance(kind, type) or not issubclass(kind, APIError):
        return _tool_failure(exc)
    if issubclass(kind, APIStatusError):
        details = cause.details[0] if cause.details else {}
        return kind(
            cause.message,
            status_code=details.get("status_code"),
            request_id=details.get("request_id"),
        )
    if issubclass(kind, (APIConnectionError, StreamProtocolError)):
        return kind(cause.message)
    return APIError(cause.message)  # e.g. a response that did not validate


def _tool_failure(exc: ActivityError) -> Exception:
    """The agentkit error an activity failed with for good (its worker died each time...)."""
    cause = exc.cause or exc
    if isinstance(cause, ApplicationError):
        if cause.type == PayloadTooLargeError.__name__:
            return PayloadTooLargeError(cause.message)
        return RunFailedError(cause.message, error_type=cause.type or "ApplicationError")
    return RunFailedError(str(cause), error_type=type(cause).__name__)
