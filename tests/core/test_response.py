from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agentkit import APIStatusError, InternalServerError, OverloadedError, RateLimitError
from agentkit._core import headers, response
from agentkit._core.response import decode_error_body, error_from_body, parse_rate_limits
from agentkit._exceptions import ERROR_TABLE, ErrorRow
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


def test_rate_limit_parsing_lives_in_headers_and_is_re_exported() -> None:
    assert response.parse_rate_limits is headers.parse_rate_limits
    assert response.RateLimits is headers.RateLimits
    assert response.RateLimit is headers.RateLimit
    assert APIStatusError.rate_limits_parser is headers.parse_rate_limits


def test_error_from_body_attaches_the_rate_limits_of_its_headers() -> None:
    error = error_from_body(
        429,
        {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}},
        headers={"anthropic-ratelimit-requests-remaining": "7", "retry-after": "2"},
    )
    assert error.response is None
    assert error.rate_limits.requests.remaining == 7
    assert error.rate_limits.retry_after == 2.0


@pytest.mark.parametrize("row", ERROR_TABLE, ids=lambda row: str(row.status))
def test_error_events_map_by_type_like_their_status(row: ErrorRow) -> None:
    status, error_type, cls = row
    body = {"type": "error", "error": {"type": error_type, "message": "x"}}
    assert type(error_from_body(status, body)) is cls
    if error_type is not None:
        event = error_from_body(200, body)
        assert type(event) is cls
        assert event.status_code == 200


def test_an_error_event_without_a_type_is_a_server_error() -> None:
    error = error_from_body(200, {"type": "error", "error": {"message": "?"}})
    assert type(error) is InternalServerError
