from __future__ import annotations

from datetime import datetime, timezone

from agentkit import OverloadedError, RateLimitError
from agentkit._core.response import decode_error_body, error_from_body, parse_rate_limits
from tests.helpers import load_json


def test_rate_limits_from_recorded_headers() -> None:
    headers = {
        k: v
        for k, v in load_json("headers/recorded_ratelimit_headers_2026-02-25.json").items()
        if not k.startswith("_")
    }
    limits = parse_rate_limits(headers)
    assert limits.requests.limit == 50
    assert limits.requests.remaining == 49
    assert limits.requests.reset == datetime(2026, 2, 25, 20, 2, 32, tzinfo=timezone.utc)
    assert limits.tokens.limit == 38000
    assert limits.input_tokens.remaining == 28000
    assert limits.output_tokens.limit == 8000
    assert limits.priority_input_tokens.limit is None
    assert limits.retry_after is None


def test_rate_limits_tolerate_garbage() -> None:
    limits = parse_rate_limits(
        {
            "anthropic-ratelimit-requests-limit": "many",
            "anthropic-ratelimit-requests-reset": "tomorrow",
            "anthropic-priority-input-tokens-limit": "100",
            "retry-after": "4",
        }
    )
    assert limits.requests.limit is None
    assert limits.requests.reset is None
    assert limits.priority_input_tokens.limit == 100
    assert limits.retry_after == 4.0


def test_decode_error_body() -> None:
    assert decode_error_body(b"") is None
    assert decode_error_body(b'{"a": 1}') == {"a": 1}
    assert decode_error_body(b"<html>bad gateway</html>") == "<html>bad gateway</html>"


def test_error_event_in_stream_maps_by_type() -> None:
    event = load_json("sse/04_error_midstream.expected.json")["error_event"]
    error = error_from_body(200, event)
    assert isinstance(error, OverloadedError)
    assert error.status_code == 200
    assert error.request_id == "req_011CZq7TnY4vHd2WkP9sLbXe"
    assert error.type == "overloaded_error"


def test_error_from_body_reads_retry_after_from_headers() -> None:
    error = error_from_body(
        429,
        {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}},
        headers={"retry-after": "12", "request-id": "req_h"},
    )
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0
    assert error.request_id == "req_h"
    assert str(error) == ("429 rate_limit_error: slow down (request_id=req_h)")
