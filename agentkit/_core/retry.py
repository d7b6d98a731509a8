"""When to retry a failed request, and how long to wait first (PROTOCOL §5, §7.4).

Pure functions of the response status, its headers and the number of retries already taken;
the drivers only sleep and resend.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

__all__ = [
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_DELAY",
    "NON_RETRYABLE_ERROR_CODES",
    "RETRYABLE_STATUSES",
    "RetryDecision",
    "RetryPolicy",
    "backoff_delay",
    "parse_retry_after",
    "server_retry_verdict",
]

INITIAL_RETRY_DELAY = 0.5
"""Seconds before the first retry when the server does not say."""

MAX_RETRY_DELAY = 8.0
"""Cap on the exponential backoff, in seconds."""

RETRYABLE_STATUSES = frozenset({408, 409, 429})
"""Statuses below 500 that are retried by default; every status >= 500 is retried too."""

NON_RETRYABLE_ERROR_CODES = frozenset(
    {"enforced_spend_limit_reached", "contract_spend_limit_reached"}
)
"""`error.details.error_code` values that waiting cannot fix (a spend limit reached)."""


@dataclass(frozen=True)
class RetryDecision:
    """Whether to retry, and after how long.

    Attributes:
        retry: True to send the request again.
        delay: Seconds to wait before the next attempt (0 when not retrying).
        retry_after: Seconds the server asked for, if it asked.
        reason: Why, in words (for logs and errors).
    """

    retry: bool
    delay: float = 0.0
    retry_after: float | None = None
    reason: str = ""


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, or None when it did not (validly) ask.

    Reads `retry-after-ms` (milliseconds) first, then `retry-after` as seconds (a decimal
    number) or as an HTTP date. A date in the past means "now" (0.0).

    Args:
        headers: Response headers (case-insensitive mapping or lower-case keys).
        now: The current Unix time, for tests; defaults to `time.time()`.
    """
    raw_ms = _header(headers, "retry-after-ms")
    if raw_ms is not None:
        ms = _to_float(raw_ms)
        if ms is not None and ms >= 0:
            return ms / 1000.0
    raw = _header(headers, "retry-after")
    if raw is None:
        return None
    seconds = _to_float(raw)
    if seconds is not None:
        return seconds if seconds >= 0 else None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def server_retry_verdict(headers: Mapping[str, str]) -> bool | None:
    """The server's own verdict from `x-should-retry`, or None when it gave none."""
    raw = _header(headers, "x-should-retry")
    if raw is None:
        return None
    value = raw.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def backoff_delay(retries_taken: int, rand: float) -> float:
    """Exponential backoff with jitter: `min(0.5 * 2**n, 8) * (1 - 0.25 * rand)`.

    Args:
        retries_taken: Retries already performed (0 before the first retry).
        rand: A number in [0, 1) (the jitter).
    """
    base = min(INITIAL_RETRY_DELAY * (2.0**retries_taken), MAX_RETRY_DELAY)
    return base * (1.0 - 0.25 * rand)


@dataclass(frozen=True)
class RetryPolicy:
    """The retry rules of a client.

    Attributes:
        max_retries: Retries after the first attempt (2 means up to 3 attempts).
        max_retry_wait: The longest server-requested wait (seconds) the client sleeps on;
            asked for more, it raises at once with the requested wait on the error.
        rand: Source of jitter in [0, 1); replaceable for tests.
    """

    max_retries: int = 2
    max_retry_wait: float = 60.0
    rand: Callable[[], float] = random.random

    def for_status(
        self,
        retries_taken: int,
        status_code: int,
        headers: Mapping[str, str],
        *,
        error_code: str | None = None,
        now: float | None = None,
    ) -> RetryDecision:
        """Decide about an error response.

        Args:
            retries_taken: Retries already performed for this request.
            status_code: The response's HTTP status.
            headers: The response's headers.
            error_code: The body's `error.details.error_code`, if any.
            now: The current Unix time, for tests.
        """
        retry_after = parse_retry_after(headers, now=now)
        if error_code in NON_RETRYABLE_ERROR_CODES:
            return RetryDecision(False, retry_after=retry_after, reason=f"{error_code}")
        verdict = server_retry_verdict(headers)
        if verdict is None:
            verdict = status_code in RETRYABLE_STATUSES or status_code >= 500
            reason = f"status {status_code}"
        else:
            reason = f"x-should-retry: {str(verdict).lower()}"
        if not verdict:
            return RetryDecision(False, retry_after=retry_after, reason=reason)
        if retries_taken >= self.max_retries:
            return RetryDecision(False, retry_after=retry_after, reason="retries exhausted")
        if retry_after is not None and retry_after > self.max_retry_wait:
            return RetryDecision(
                False,
                retry_after=retry_after,
                reason=f"server asked to wait {retry_after:g} s, more than "
                f"max_retry_wait={self.max_retry_wait:g} s",
            )
        delay = retry_after if retry_after else backoff_delay(retries_taken, self.rand())
        return RetryDecision(True, delay=delay, retry_after=retry_after, reason=reason)

    def for_stream_failure(
        self, retries_taken: int, error: Exception, *, content_delivered: bool
    ) -> RetryDecision:
        """Decide about a stream that failed after its 200 response began.

        Only the stream helper asks this, and only a stream that failed before any content
        delta reached the caller is re-sent: after that, the caller has seen part of a message
        and resending would duplicate it.

        Args:
            retries_taken: Retries already performed for this request (HTTP ones included).
            error: The failure: `APIConnectionError` (cut, reset, timeout) or the
                `APIStatusError` of an `error` event.
            content_delivered: Whether a content delta already reached the caller.
        """
        from .._exceptions import ERROR_TYPE_STATUS, APIConnectionError, APIStatusError

        if content_delivered:
            return RetryDecision(False, reason="content already delivered")
        if isinstance(error, APIConnectionError):
            return self.for_connection_error(retries_taken)
        if isinstance(error, APIStatusError):
            status = error.status_code
            if status < 400:
                status = ERROR_TYPE_STATUS.get(error.type or "", 500)
            return self.for_status(retries_taken, status, {}, error_code=error.error_code)
        return RetryDecision(False, reason=f"{type(error).__name__} is not retryable")

    def for_connection_error(self, retries_taken: int) -> RetryDecision:
        """Decide about a request that got no response (connection error or timeout)."""
        if retries_taken >= self.max_retries:
            return RetryDecision(False, reason="retries exhausted")
        delay = backoff_delay(retries_taken, self.rand())
        return RetryDecision(True, delay=delay, reason="connection error")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.title())
    return value


def _to_float(raw: str) -> float | None:
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value
