"""A failed activity's error, rebuilt in the workflow as the agentkit error it was."""

from __future__ import annotations

import pytest
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    TimeoutError,
    TimeoutType,
)

from agentkit import APIConnectionError, APIError, APITimeoutError, RateLimitError
from agentkit.temporal import PayloadTooLargeError, RunFailedError
from agentkit.temporal._workflow import _model_failure, _tool_failure


def failed(cause: BaseException | None) -> ActivityError:
    error = ActivityError(
        "activity failed",
        scheduled_event_id=1,
        started_event_id=2,
        identity="worker",
        activity_type="agentkit.call_model",
        activity_id="1",
        retry_state=None,
    )
    error.__cause__ = cause
    return error


def test_an_api_error_comes_back_as_its_own_class() -> None:
    details = {"status_code": 429, "request_id": "req_1"}
    cause = ApplicationError("slow down", details, type="RateLimitError")
    error = _model_failure(failed(cause))
    assert isinstance(error, RateLimitError)
    assert (error.status_code, error.request_id, str(error)) == (429, "req_1", "slow down")
    connection = _model_failure(failed(ApplicationError("reset", type="APIConnectionError")))
    assert type(connection) is APIConnectionError
    invalid = ApplicationError("bad body", type="APIResponseValidationError")
    assert type(_model_failure(failed(invalid))) is APIError


def test_a_timed_out_model_call_is_an_api_timeout() -> None:
    timeout = TimeoutError(
        "start to close", type=TimeoutType.START_TO_CLOSE, last_heartbeat_details=[]
    )
    assert isinstance(_model_failure(failed(timeout)), APITimeoutError)


@pytest.mark.parametrize("fail", [_model_failure, _tool_failure])
def test_other_failures_name_their_type(fail: object) -> None:
    assert callable(fail)
    misuse = fail(failed(ApplicationError("no agent named 'x'", type="UsageError")))
    assert isinstance(misuse, RunFailedError)
    assert misuse.error_type == "UsageError"
    cancelled = fail(failed(CancelledError("cancelled")))
    assert isinstance(cancelled, RunFailedError)
    assert cancelled.error_type == "CancelledError"
    big = fail(failed(ApplicationError("too big", type="PayloadTooLargeError")))
    assert isinstance(big, PayloadTooLargeError)
    nameless = fail(failed(ApplicationError("odd")))
    assert isinstance(nameless, RunFailedError)
    assert nameless.error_type == "ApplicationError"
