"""What response headers say: rate limits, the server's requested wait, its retry verdict.

Pure functions of a headers mapping (an `httpx.Headers` or a dict with lower-case keys); nothing
here raises on a missing or malformed value, and nothing here imports from agentkit.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "RateLimit",
    "RateLimits",
    "header_int",
    "parse_rate_limits",
    "parse_retry_after",
    "server_retry_verdict",
]


@dataclass(frozen=True)
class RateLimit:
    """One rate-limit family from the `anthropic-ratelimit-<family>-*` headers.

    Attributes:
        limit: The most of this unit allowed in the window.
        remaining: What is left in the window (the API rounds it to the nearest thousand).
        reset: When the window fully replenishes (UTC).
    """

    limit: int | None = None
    remaining: int | None = None
    reset: datetime | None = None


@dataclass(frozen=True)
class RateLimits:
    """The rate-limit state a response reported.

    Attributes:
        requests: Requests per minute.
        tokens: The most restrictive token limit in effect.
        input_tokens: Input tokens per minute.
        output_tokens: Output tokens per minute.
        priority_input_tokens: Priority Tier input tokens.
        priority_output_tokens: Priority Tier output tokens.
        retry_after: Seconds the server asked to wait (`retry-after-ms` / `retry-after`).
    """

    requests: RateLimit = field(default_factory=RateLimit)
    tokens: RateLimit = field(default_factory=RateLimit)
    input_tokens: RateLimit = field(default_factory=RateLimit)
    output_tokens: RateLimit = field(default_factory=RateLimit)
    priority_input_tokens: RateLimit = field(default_factory=RateLimit)
    priority_output_tokens: RateLimit = field(default_factory=RateLimit)
    retry_after: float | None = None


_FAMILIES = {
    "requests": "anthropic-ratelimit-requests",
    "tokens": "anthropic-ratelimit-tokens",
    "input_tokens": "anthropic-ratelimit-input-tokens",
    "output_tokens": "anthropic-ratelimit-output-tokens",
    "priority_input_tokens": "anthropic-priority-input-tokens",
    "priority_output_tokens": "anthropic-priority-output-tokens",
}


def parse_rate_limits(headers: Mapping[str, str], *, now: float | None = None) -> RateLimits:
    """Parse the `anthropic-ratelimit-*`, `anthropic-priority-*` and `retry-after` headers.

    Missing or malformed values become None; nothing here raises.
    """
    families = {
        name: RateLimit(
            limit=header_int(headers.get(f"{prefix}-limit")),
            remaining=header_int(headers.get(f"{prefix}-remaining")),
            reset=_datetime(headers.get(f"{prefix}-reset")),
        )
        for name, prefix in _FAMILIES.items()
    }
    return RateLimits(**families, retry_after=parse_retry_after(headers, now=now))


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
    from email.utils import parsedate_to_datetime  # an HTTP-date: rare, and email.* is heavy

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


def header_int(raw: str | None) -> int | None:
    """A header's integer value; None when it is missing or not an integer."""
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _datetime(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
