"""The rate limiter's buckets: continuous refill, reserve and settle, learning, pauses (no I/O)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentkit._core.ratelimit import (
    Bucket,
    Buckets,
    Cost,
    InFlight,
    limits_from_headers,
    usage_from_body,
)

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
    # tokens-* restates the input and output limits (here their sum): not a bucket of its own
    assert set(buckets.buckets) == {"requests", "input_tokens", "output_tokens"}
    # what remains only lowers the level
    buckets.learn(0.0, {"requests": (50, 49), "input_tokens": (30000, 20000)})
    assert buckets.buckets["input_tokens"].level == 20000
    buckets.learn(1.0, {"input_tokens": (30000, 29000)})
    assert buckets.buckets["input_tokens"].level == pytest.approx(20500)


def test_a_combined_token_limit_alone_is_learned() -> None:
    buckets = Buckets()
    buckets.learn(0.0, {"requests": (50, 50), "tokens": (40000, 39000)})
    assert buckets.buckets["tokens"].level == 39000
    assert buckets.reserve(0.0, Cost(input_tokens=30000, output_tokens=10000)) > 0


def test_a_combined_token_bucket_would_pace_below_the_input_limit() -> None:
    """Why `tokens-*` is not learned beside input and output: it would bind before they do."""
    learned = {"input_tokens": (60000, 60000), "output_tokens": (60000, 60000)}
    cost = Cost(input_tokens=1000, output_tokens=1000)
    with_input_and_output = Buckets()
    with_input_and_output.learn(0.0, learned)
    sent = 0
    while with_input_and_output.reserve(0.0, cost) == 0:
        sent += 1
    assert sent == 60  # a full minute of either limit, not half of it


def test_what_remains_is_lowered_by_requests_the_server_had_not_seen() -> None:
    buckets = Buckets.of({"input_tokens": 10000}, now=0.0)
    first, second = Cost(input_tokens=1000), Cost(input_tokens=3000)
    in_flight = InFlight()
    assert buckets.reserve(0.0, first) == 0
    number = in_flight.add(first)
    assert buckets.reserve(0.0, second) == 0
    in_flight.add(second)
    assert buckets.buckets["input_tokens"].level == 6000
    # the first is answered: the server counted it, not the second (sent after it)
    in_flight.remove(number)
    buckets.settle(0.0, first, first, ["input_tokens"])
    unseen = in_flight.after(number)
    assert unseen == Cost(requests=1, input_tokens=3000)
    buckets.learn(0.0, {"input_tokens": (10000, 9000)}, unseen)
    assert buckets.buckets["input_tokens"].level == 6000  # not 9000: the second is still due
    buckets.learn(0.0, {"input_tokens": (10000, 8000)}, unseen)  # another client used some
    assert buckets.buckets["input_tokens"].level == 5000
    assert len(in_flight) == 1
    in_flight.remove(number)  # a second removal does nothing
    assert len(in_flight) == 1


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


def test_the_newest_figure_raises_a_level_that_counted_too_much() -> None:
    buckets = Buckets()
    buckets.learn(0.0, {"requests": (60, 50), "input_tokens": (10000, 4000)})
    later = {"requests": (60, 55), "input_tokens": (10000, 9000)}
    buckets.learn(0.0, later)  # an older figure (or none given in flight): only lowers
    assert buckets.buckets["input_tokens"].level == 4000
    in_flight = Cost(requests=2, input_tokens=1000)
    buckets.learn(0.0, later, in_flight=in_flight)
    # raised to what remains, less every request in flight and less the API's rounding
    assert buckets.buckets["input_tokens"].level == 9000 - 1000 - 500
    assert buckets.buckets["requests"].level == 53
    hand_set = Buckets.of({"requests": 60}, now=0.0)
    hand_set.buckets["requests"].level = 10
    hand_set.learn(0.0, {"requests": (60, 55)}, in_flight=Cost(requests=0))
    assert hand_set.buckets["requests"].level == 10  # a limit set by hand is only lowered


def test_in_flight_sums_what_was_taken_after_a_reservation() -> None:
    in_flight = InFlight()
    first, second, third = (in_flight.add(Cost(input_tokens=n)) for n in (1, 10, 100))
    in_flight.remove(second)  # answered out of order
    assert in_flight.after(first) == Cost(requests=1, input_tokens=100)
    assert in_flight.after(third) == Cost(requests=0)
    assert in_flight.after(-1) == Cost(requests=2, input_tokens=101)
