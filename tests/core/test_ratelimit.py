"""The rate limiter's buckets: continuous refill, reserve and settle, learning, pauses (no I/O)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentkit._core.ratelimit import Bucket, Buckets, Cost, limits_from_headers, usage_from_body

FIXTURES = Path(__file__).parent.parent / "fixtures" / "headers"
HEADERS = FIXTURES / "recorded_ratelimit_headers_2026-02-25.json"


def test_a_bucket_refills_continuously_not_by_window() -> None:
    bucket = Bucket(limit=60, level=0, updated=0.0)
    bucket.refill(0.5)
    assert bucket.level == pytest.approx(0.5)  # one per second, from the first instant
    bucket.refill(30.5)
    assert bucket.level == pytest.approx(30.5)
    bucket.refill(1000)
    assert bucket.level == 60  # never above the limit
    assert bucket.wait_for(10) == 0
    bucket.level = 5
    assert bucket.wait_for(10) == pytest.approx(5.0)
    assert bucket.wait_for(600) == pytest.approx(55.0)  # more than the limit: a full bucket
    assert bucket.seconds_to_full() == pytest.approx(55.0)


def test_reserve_takes_every_limit_or_nothing() -> None:
    buckets = Buckets.of(
        {"requests": 60, "input_tokens": 600, "output_tokens": 120, "tokens": None}, now=0.0
    )
    cost = Cost(input_tokens=100, output_tokens=50)
    assert buckets.reserve(0.0, cost) == 0
    assert buckets.reserve(0.0, cost) == 0
    wait = buckets.reserve(0.0, cost)  # output: 20 left of 120, 50 needed at 2/s
    assert wait == pytest.approx(15.0)
    assert buckets.buckets["requests"].level == 58  # nothing taken by the refused reservation
    assert buckets.reserve(15.0, cost) == 0


def test_settle_refunds_the_output_estimate() -> None:
    buckets = Buckets.of({"output_tokens": 1000}, now=0.0)
    reserved = Cost(input_tokens=10, output_tokens=800)
    assert buckets.reserve(0.0, reserved) == 0
    assert buckets.buckets["output_tokens"].level == 200
    buckets.settle(0.0, reserved, Cost(input_tokens=10, output_tokens=50), ["output_tokens"])
    assert buckets.buckets["output_tokens"].level == 950
    buckets.settle(0.0, reserved, reserved, [])  # a bucket not charged is left alone
    assert buckets.buckets["output_tokens"].level == 950


def test_a_pause_holds_every_request_back() -> None:
    buckets = Buckets.of({"requests": 1000}, now=0.0)
    buckets.pause(10.0, 7.0)
    assert buckets.reserve(10.0, Cost()) == pytest.approx(7.0)
    assert buckets.reserve(12.0, Cost()) == pytest.approx(5.0)
    buckets.pause(12.0, 1.0)  # a shorter pause never cuts a longer one short
    assert buckets.reserve(16.0, Cost()) == pytest.approx(1.0)
    assert buckets.reserve(17.0, Cost()) == 0


def test_limits_are_learned_from_headers() -> None:
    headers = json.loads(HEADERS.read_text())
    learned = limits_from_headers(headers)
    assert learned == {
        "requests": (50, 49),
        "tokens": (38000, 36000),
        "input_tokens": (30000, 28000),
        "output_tokens": (8000, 8000),
    }
    buckets = Buckets()
    buckets.learn(0.0, learned)
    assert buckets.buckets["requests"].level == 49
    assert buckets.buckets["input_tokens"].limit == 30000
    # what remains only lowers the level, with the API's rounding as slack for tokens
    buckets.learn(0.0, {"requests": (50, 49), "input_tokens": (30000, 20000)})
    assert buckets.buckets["input_tokens"].level == 20500
    buckets.learn(1.0, {"input_tokens": (30000, 29000)})
    assert buckets.buckets["input_tokens"].level == pytest.approx(21000)


def test_hand_set_limits_stay_the_ceiling() -> None:
    buckets = Buckets.of({"requests": 10}, now=0.0)
    buckets.learn(0.0, {"requests": (50, 50)})
    assert buckets.buckets["requests"].limit == 10
    with pytest.raises(ValueError, match="positive"):
        Buckets.of({"requests": 0}, now=0.0)
    with pytest.raises(ValueError, match="unknown"):
        Buckets.of({"cats": 1}, now=0.0)


def test_usage_from_body() -> None:
    body = (
        b'{"id":"m","content":[{"type":"text","text":"\\"output_tokens\\":999"}],'
        b'"usage":{"input_tokens":12,"cache_creation_input_tokens":3,'
        b'"cache_read_input_tokens":100,"output_tokens":7}}'
    )
    assert usage_from_body(body) == Cost(input_tokens=15, output_tokens=7)
    assert usage_from_body(b'{"type":"message"}') is None
