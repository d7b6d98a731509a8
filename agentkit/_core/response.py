"""From an error response (status, headers, body bytes) to a typed error (no I/O).

The header parsing lives in `headers`; `RateLimit`, `RateLimits` and `parse_rate_limits` are
re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._exceptions import APIStatusError, error_class_for
from .headers import RateLimit, RateLimits, parse_rate_limits, parse_retry_after

if TYPE_CHECKING:
    import httpx

__all__ = [
    "RateLimit",
    "RateLimits",
    "decode_error_body",
    "error_from_body",
    "make_status_error",
    "parse_rate_limits",
]

# errors users build themselves (with `response=`) parse their rate limits on access
APIStatusError.rate_limits_parser = parse_rate_limits


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
    cls = error_class_for(status_code, error_type if isinstance(error_type, str) else None)
    headers = headers if headers is not None else {}
    request_id = _request_id(body) or headers.get("request-id")
    return cls(
        status_code=status_code,
        body=body,
        response=response,
        request_id=request_id,
        retry_after=parse_retry_after(headers),
        rate_limits=parse_rate_limits(headers),
    )


def _request_id(body: object) -> str | None:
    if isinstance(body, dict):
        value: Any = body.get("request_id")
        if isinstance(value, str):
            return value
    return None
