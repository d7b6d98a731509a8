"""From a response (status, headers, body bytes) to a result or a typed error (no I/O).

Also parses the rate-limit headers into `RateLimits`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._exceptions import APIStatusError, status_error_class
from .retry import parse_retry_after

if TYPE_CHECKING:
    import httpx

__all__ = [
    "RateLimit",
    "RateLimits",
    "decode_error_body",
    "make_status_error",
    "parse_rate_limits",
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
            limit=_int(headers.get(f"{prefix}-limit")),
            remaining=_int(headers.get(f"{prefix}-remaining")),
            reset=_datetime(headers.get(f"{prefix}-reset")),
        )
        for name, prefix in _FAMILIES.items()
    }
    return RateLimits(**families, retry_after=parse_retry_after(headers, now=now))


def decode_error_body(content: bytes) -> object:
    """The error body as JSON when it is JSON, else as text (None when empty)."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")


def make_status_error(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    response: httpx.Response | None = None,
) -> APIStatusError:
    """Build the typed error for an error response.

    Args:
        status_code: The HTTP status.
        headers: The response headers.
        content: The raw response body.
        response: The `httpx.Response`, attached to the error for the caller.
    """
    body = decode_error_body(content)
    return error_from_body(status_code, body, headers=headers, response=response)


def error_from_body(
    status_code: int,
    body: object,
    *,
    headers: Mapping[str, str] | None = None,
    response: httpx.Response | None = None,
) -> APIStatusError:
    """Build the typed error for a decoded error body (a response, or a stream `error` event)."""
    error = body.get("error") if isinstance(body, dict) else None
    error_type = error.get("type") if isinstance(error, dict) else None
    cls = status_error_class(status_code, error_type if isinstance(error_type, str) else None)
    headers = headers if headers is not None else {}
    request_id = _request_id(body) or headers.get("request-id")
    return cls(
        status_code=status_code,
        body=body,
        response=response,
        request_id=request_id,
        retry_after=parse_retry_after(headers),
    )


def _request_id(body: object) -> str | None:
    if isinstance(body, dict):
        value: Any = body.get("request_id")
        if isinstance(value, str):
            return value
    return None


def _int(raw: str | None) -> int | None:
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
