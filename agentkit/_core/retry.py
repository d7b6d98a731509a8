"""When to retry a failed request, and how long to wait first (PROTOCOL §5, §7.4).

Pure functions of the response status, its headers and the number of retries already taken;
the drivers only sleep and resend. The header parsing (`parse_retry_after`,
`server_retry_verdict`) lives in `headers` and is re-exported here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .._exceptions import APIConnectionError, APIStatusError, error_status
from .headers import parse_retry_after, server_retry_verdict

__all__ = [
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_DELAY",
    "NON_RETRYABLE_ERROR_CODES",
    "RETRYABLE_STATUSES",
    "UNSENT_ONLY_RETRY_STATUSES",
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

_MAX_BACKOFF_EXPONENT = 32
"""Backoff past this many retries is long capped at `MAX_RETRY_DELAY`; the cap keeps the
power finite."""

RETRYABLE_STATUSES = frozenset({408, 409, 429})
"""Statuses below 500 that are retried by default; every status >= 500 is retried too."""

UNSENT_ONLY_RETRY_STATUSES = frozenset({429, 529})
"""The answers on which a non-idempotent request is sent again: the API refused it unread."""

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


def backoff_delay(retries_taken: int, rand: float) -> float:
    """Exponential backoff with jitter: `min(0.5 * 2**n, 8) * (1 - 0.25 * rand)`.

    Args:
        retries_taken: Retries already performed (0 before the first retry).
        rand: A number in [0, 1) (the jitter).
    """
    exponent = min(max(retries_taken, 0), _MAX_BACKOFF_EXPONENT)  # 2.0**1024 overflows
    base = min(INITIAL_RETRY_DELAY * (2.0**exponent), MAX_RETRY_DELAY)
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
        unsent_only: bool = False,
    ) -> RetryDecision:
        """Decide about an error response.

        Args:
            retries_taken: Retries already performed for this request.
            status_code: The response's HTTP status.
            headers: The response's headers.
            error_code: The body's `error.details.error_code`, if any.
            now: The current Unix time, for tests.
            unsent_only: The request is not idempotent: only a 429 or 529 (the API refused
                it without acting on it) may be retried.
        """
        retry_after = parse_retry_after(headers, now=now)
        if error_code in NON_RETRYABLE_ERROR_CODES:
            return RetryDecision(False, retry_after=retry_after, reason=f"{error_code}")
        if unsent_only and status_code not in UNSENT_ONLY_RETRY_STATUSES:
            return RetryDecision(
                False, retry_after=retry_after, reason=f"status {status_code}, not idempotent"
            )
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
        if content_delivered:
            return RetryDecision(False, reason="content already delivered")
        if isinstance(error, APIConnectionError):
            return self.for_connection_error(retries_taken)
        if isinstance(error, APIStatusError):
            status = error_status(error.status_code, error.type)
            return self.for_status(retries_taken, status, {}, error_code=error.error_code)
        return RetryDecision(False, reason=f"{type(error).__name__} is not retryable")

    def for_connection_error(self, retries_taken: int) -> RetryDecision:
        """Decide about a request that got no response (connection error or timeout)."""
        if retries_taken >= self.max_retries:
            return RetryDecision(False, reason="retries exhausted")
        delay = backoff_delay(retries_taken, self.rand())
        return RetryDecision(True, delay=delay, reason="connection error")
