"""agentkit's settings as Temporal's: activity timeouts, retry policies, payload limits.

A model call is one activity attempt with the client's retries turned off: Temporal retries it
instead, with the client's policy (`max_retries`, the same exponential backoff from 0.5 s to
8 s, a server's `retry-after`), and never retries an error agentkit would not retry (400, 401,
403, 404, 413, 422...). Its start-to-close timeout is the client's timeout.

A tool call is one activity; its failures are already `is_error` results for the model, so an
attempt fails only when its worker dies or it outlives its timeout. A retried attempt runs the
tool again only if it is `idempotent`; otherwise the model is told the call was interrupted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy
from temporalio.converter import PayloadConverter
from temporalio.exceptions import ApplicationError

from .._core.retry import (
    INITIAL_RETRY_DELAY,
    MAX_RETRY_DELAY,
    NON_RETRYABLE_ERROR_CODES,
    RETRYABLE_STATUSES,
)
from .._exceptions import (
    ERROR_TABLE,
    APIConnectionError,
    APIStatusError,
    PayloadTooLargeError,
    UncertainDeliveryError,
    error_status,
)

__all__ = [
    "DEFAULT_PAYLOAD_LIMIT",
    "NON_RETRYABLE_TYPES",
    "check_payload",
    "model_retry_policy",
    "model_timeout",
    "to_application_error",
    "tool_retry_policy",
]

DEFAULT_PAYLOAD_LIMIT = 2 * 1024 * 1024
"""The largest payload sent to Temporal, in bytes: the server's default blob size limit."""

_DEFAULT_TIMEOUT = 600.0
"""The start-to-close timeout of a model call whose client has no timeout."""


def _retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


NON_RETRYABLE_TYPES: Sequence[str] = sorted(
    {row.cls.__name__ for row in ERROR_TABLE if not _retryable_status(row.status)}
    | {"UsageError", "UncertainDeliveryError", "PayloadTooLargeError"}
)
"""The error types Temporal never retries: the statuses agentkit never retries, and misuse."""


def model_retry_policy(max_retries: int) -> RetryPolicy:
    """The retry policy of a model call, for a client with `max_retries`."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=INITIAL_RETRY_DELAY),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=MAX_RETRY_DELAY),
        maximum_attempts=max_retries + 1,
        non_retryable_error_types=list(NON_RETRYABLE_TYPES),
    )


def tool_retry_policy(attempts: int) -> RetryPolicy:
    """The retry policy of a tool call (its attempts fail only when a worker dies)."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_attempts=attempts,
        non_retryable_error_types=list(NON_RETRYABLE_TYPES),
    )


def model_timeout(timeout: Any) -> timedelta:
    """The start-to-close timeout of a model call, from the client's `timeout`.

    A number is the timeout; an `httpx.Timeout` counts its connect and read timeouts; None
    (no timeout) becomes 600 s, as Temporal needs one.
    """
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return timedelta(seconds=float(timeout))
    parts = [getattr(timeout, name, None) for name in ("connect", "read")]
    seconds = sum(p for p in parts if isinstance(p, (int, float)))
    return timedelta(seconds=seconds or _DEFAULT_TIMEOUT)


def to_application_error(
    exc: Exception, *, timing: Mapping[str, Any] | None = None
) -> ApplicationError:
    """The Temporal error for a failed model call: retryable exactly when agentkit retries.

    `timing` (when the attempt was sent, how long it took) goes in the details as `timing`.
    """
    details: dict[str, Any] = {}
    delay = None
    if isinstance(exc, APIStatusError):
        status = error_status(exc.status_code, exc.type)
        retry = _retryable_status(status) and exc.error_code not in NON_RETRYABLE_ERROR_CODES
        details = {"status_code": exc.status_code, "request_id": exc.request_id}
        if retry and exc.retry_after is not None:
            delay = timedelta(seconds=exc.retry_after)
    else:
        retry = isinstance(exc, APIConnectionError) and not isinstance(exc, UncertainDeliveryError)
    if timing is not None:
        details["timing"] = dict(timing)
    return ApplicationError(
        str(exc),
        details,
        type=type(exc).__name__,
        non_retryable=not retry,
        next_retry_delay=delay,
    )


def check_payload(converter: PayloadConverter, value: Any, *, what: str, limit: int) -> None:
    """Raise `PayloadTooLargeError` if `value`, encoded for Temporal, is over `limit` bytes."""
    size = sum(payload.ByteSize() for payload in converter.to_payloads([value]))
    if size > limit:
        raise PayloadTooLargeError(
            f"{what} is {size} bytes once encoded, over the {limit}-byte limit of a Temporal "
            "payload (the server refuses payloads over 2 MiB by default). Make it smaller "
            "(e.g. a tool that returns less: @tool(max_result_chars=...)), or raise "
            "payload_limit= on the worker if your cluster accepts larger payloads.",
            size=size,
            limit=limit,
        )
