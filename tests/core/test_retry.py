from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from agentkit import APIStatusError
from agentkit._core import headers, retry
from agentkit._core.response import error_from_body
from agentkit._core.retry import (
    RetryPolicy,
    backoff_delay,
    parse_retry_after,
    server_retry_verdict,
)
from agentkit._exceptions import ERROR_TABLE, ErrorRow

NOW = 1_764_000_000.0  # a fixed "current time" for HTTP-date parsing


def _http_date(offset: float) -> str:
    return format_datetime(datetime.fromtimestamp(NOW + offset, tz=timezone.utc), usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": " 120 "}, 120.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "-4"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after-ms": "junk", "retry-after": "9"}, 9.0),
        ({"retry-after-ms": "-5", "retry-after": "2"}, 2.0),
        ({"retry-after": _http_date(30)}, 30.0),
        ({"retry-after": _http_date(-30)}, 0.0),
        ({"Retry-After": "7"}, 7.0),
    ],
)
def test_parse_retry_after_table(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == pytest.approx(expected)


def test_parse_retry_after_http_date_uses_clock_by_default() -> None:
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0


@pytest.mark.parametrize(
    ("value", "verdict"),
    [("true", True), ("TRUE", True), ("false", False), (" false ", False), ("maybe", None)],
)
def test_server_retry_verdict(value: str, verdict: bool | None) -> None:
    assert server_retry_verdict({"x-should-retry": value}) is verdict
    assert server_retry_verdict({}) is None


@pytest.mark.parametrize(
    ("retries", "rand", "expected"),
    [
        (0, 0.0, 0.5),
        (1, 0.0, 1.0),
        (2, 0.0, 2.0),
        (3, 0.0, 4.0),
        (4, 0.0, 8.0),
        (9, 0.0, 8.0),
        (0, 1.0, 0.375),
        (4, 0.5, 7.0),
    ],
)
def test_backoff_delay(retries: int, rand: float, expected: float) -> None:
    assert backoff_delay(retries, rand) == pytest.approx(expected)


POLICY = RetryPolicy(max_retries=2, max_retry_wait=60.0, rand=lambda: 0.0)


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (400, False),
        (401, False),
        (402, False),
        (403, False),
        (404, False),
        (408, True),
        (409, True),
        (413, False),
        (422, False),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (529, True),
    ],
)
def test_default_statuses(status: int, retry: bool) -> None:
    assert POLICY.for_status(0, status, {}).retry is retry


def test_x_should_retry_overrides_both_ways() -> None:
    assert POLICY.for_status(0, 400, {"x-should-retry": "true"}).retry
    decision = POLICY.for_status(0, 529, {"x-should-retry": "false"})
    assert not decision.retry
    assert "x-should-retry" in decision.reason


def test_backoff_used_without_retry_after_and_server_wait_with_it() -> None:
    assert POLICY.for_status(0, 529, {}).delay == pytest.approx(0.5)
    assert POLICY.for_status(1, 529, {}).delay == pytest.approx(1.0)
    assert POLICY.for_status(0, 429, {"retry-after": "3"}).delay == pytest.approx(3.0)
    # a zero wait falls back to the backoff
    assert POLICY.for_status(0, 429, {"retry-after": "0"}).delay == pytest.approx(0.5)


def test_retries_exhausted() -> None:
    decision = POLICY.for_status(2, 500, {})
    assert not decision.retry
    assert decision.reason == "retries exhausted"
    assert not RetryPolicy(max_retries=0).for_status(0, 500, {}).retry


def test_long_server_wait_is_not_slept_on() -> None:
    decision = POLICY.for_status(0, 429, {"retry-after": "120"})
    assert not decision.retry
    assert decision.retry_after == 120.0
    assert "max_retry_wait" in decision.reason
    assert RetryPolicy(max_retry_wait=300).for_status(0, 429, {"retry-after": "120"}).retry


def test_spend_limit_is_never_retried() -> None:
    for code in ("enforced_spend_limit_reached", "contract_spend_limit_reached"):
        decision = POLICY.for_status(0, 429, {"x-should-retry": "true"}, error_code=code)
        assert not decision.retry
    assert POLICY.for_status(0, 429, {}, error_code="ramp_limit_exceeded").retry


def test_connection_errors() -> None:
    first = POLICY.for_connection_error(0)
    assert first.retry
    assert first.delay == pytest.approx(0.5)
    assert not POLICY.for_connection_error(2).retry


def test_jitter_reduces_delay_by_at_most_a_quarter() -> None:
    policy = RetryPolicy(rand=lambda: 0.999)
    delay = policy.for_status(0, 500, {}).delay
    assert 0.375 <= delay < 0.5


def test_header_parsing_lives_in_headers_and_is_re_exported() -> None:
    assert retry.parse_retry_after is headers.parse_retry_after
    assert retry.server_retry_verdict is headers.server_retry_verdict


@pytest.mark.parametrize(
    "row", [row for row in ERROR_TABLE if row.error_type], ids=lambda row: str(row.status)
)
def test_a_stream_error_event_retries_like_the_status_of_its_type(row: ErrorRow) -> None:
    policy = RetryPolicy(rand=lambda: 0.0)
    event = error_from_body(200, {"type": "error", "error": {"type": row.error_type}})
    streamed = policy.for_stream_failure(0, event, content_delivered=False)
    assert streamed == policy.for_status(0, row.status, {})


def test_a_stream_error_event_without_a_type_retries_like_a_500() -> None:
    policy = RetryPolicy(rand=lambda: 0.0)
    error = APIStatusError(status_code=200, body={"type": "error", "error": {}})
    assert policy.for_stream_failure(0, error, content_delivered=False) == policy.for_status(
        0, 500, {}
    )
