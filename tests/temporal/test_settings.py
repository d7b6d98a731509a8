"""agentkit's timeouts and retry rules as Temporal's (pure mapping, no server)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from agentkit import (
    APIConnectionError,
    BadRequestError,
    OverloadedError,
    RateLimitError,
    UsageError,
)
from agentkit._exceptions import UncertainDeliveryError
from agentkit.temporal._settings import (
    NON_RETRYABLE_TYPES,
    model_retry_policy,
    model_timeout,
    to_application_error,
    tool_retry_policy,
)


def test_the_model_call_timeout_is_the_clients() -> None:
    assert model_timeout(30) == timedelta(seconds=30)
    assert model_timeout(12.5) == timedelta(seconds=12.5)
    assert model_timeout(httpx.Timeout(600, connect=5)) == timedelta(seconds=605)
    assert model_timeout(None) == timedelta(seconds=600)
    assert model_timeout(httpx.Timeout(None)) == timedelta(seconds=600)


def test_the_retry_policy_is_the_clients() -> None:
    policy = model_retry_policy(2)
    assert policy.maximum_attempts == 3
    assert policy.initial_interval == timedelta(seconds=0.5)
    assert policy.backoff_coefficient == 2.0
    assert policy.maximum_interval == timedelta(seconds=8)
    assert model_retry_policy(0).maximum_attempts == 1
    assert tool_retry_policy(4).maximum_attempts == 4
    non_retryable = set(policy.non_retryable_error_types or ())
    assert {"BadRequestError", "AuthenticationError", "PermissionDeniedError"} <= non_retryable
    assert {"NotFoundError", "RequestTooLargeError", "UnprocessableEntityError"} <= non_retryable
    assert {"UsageError", "PayloadTooLargeError"} <= non_retryable
    assert not {"RateLimitError", "OverloadedError", "InternalServerError"} & non_retryable
    assert not {"ConflictError", "RequestTimeoutError"} & non_retryable
    assert list(NON_RETRYABLE_TYPES) == sorted(NON_RETRYABLE_TYPES)


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (BadRequestError("bad", status_code=400), False),
        (RateLimitError("slow down", status_code=429), True),
        (OverloadedError("busy", status_code=529), True),
        (APIConnectionError(), True),
        (UncertainDeliveryError("maybe sent"), False),
        (UsageError("misused"), False),
    ],
)
def test_an_error_is_retried_exactly_when_agentkit_would(error: Exception, retryable: bool) -> None:
    failure = to_application_error(error)
    assert failure.non_retryable is not retryable
    assert failure.type == type(error).__name__
    assert failure.message == str(error)


def test_a_servers_retry_after_sets_the_next_attempts_delay() -> None:
    failure = to_application_error(RateLimitError("slow", status_code=429, retry_after=7.0))
    assert failure.next_retry_delay == timedelta(seconds=7)
    assert failure.details == ({"status_code": 429, "request_id": None},)


def test_a_spend_limit_is_never_retried() -> None:
    body = {
        "type": "error",
        "error": {
            "type": "rate_limit_error",
            "message": "limit",
            "details": {"error_code": "enforced_spend_limit_reached"},
        },
    }
    failure = to_application_error(RateLimitError(status_code=429, body=body, retry_after=3.0))
    assert failure.non_retryable
    assert failure.next_retry_delay is None
