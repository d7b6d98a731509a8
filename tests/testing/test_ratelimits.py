"""Offline rate limits (`RateLimits` on a model) and the client's `RateLimiter` against them.

Every test runs on a `VirtualClock` shared by the model and the limiter: a minute of traffic
in milliseconds, no real waiting, no timing asserts.
"""

from __future__ import annotations

from typing import Any

import pytest

from agentkit import (
    Agent,
    Anthropic,
    APIConnectionError,
    APIStatusError,
    AsyncAgent,
    RateLimiter,
    RateLimitError,
)
from agentkit._core.ratelimit import Cost
from agentkit.testing import (
    EchoModel,
    Fault,
    RateLimits,
    RecordedSleeps,
    ScaledClock,
    VirtualClock,
)
from agentkit.types.stream_events import RawMessageDeltaEvent

MESSAGE: dict[str, Any] = {
    "model": "claude-test",
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "hello"}],
}


def _limited(clock: VirtualClock, **limits: float) -> EchoModel:
    return EchoModel(rate_limits=RateLimits(clock=clock, **limits))


def test_the_model_answers_429_with_retry_after_when_a_limit_is_exceeded() -> None:
    clock = VirtualClock()
    client = _limited(clock, requests_per_minute=2).client(max_retries=0)
    client.messages.create(**MESSAGE)
    client.messages.create(**MESSAGE)
    with pytest.raises(RateLimitError) as caught:
        client.messages.create(**MESSAGE)
    error = caught.value
    assert error.retry_after == 30  # one request refills in 30 s (whole seconds, as the API)
    assert error.rate_limits.requests.limit == 2
    assert error.rate_limits.requests.remaining == 0
    clock.advance(30)
    client.messages.create(**MESSAGE)  # continuously refilled: no window to wait out


def test_every_answer_carries_the_rate_limit_headers() -> None:
    clock = VirtualClock()
    model = _limited(
        clock, requests_per_minute=50, input_tokens_per_minute=30000, output_tokens_per_minute=8000
    )
    raw = model.client().messages.with_raw_response.create(**MESSAGE)
    message = raw.parse()
    headers = raw.headers
    assert headers["anthropic-ratelimit-requests-limit"] == "50"
    assert headers["anthropic-ratelimit-requests-remaining"] == "49"
    used_in = message.usage.input_tokens
    assert headers["anthropic-ratelimit-input-tokens-remaining"] == str(30000 - used_in)
    # output was taken as max_tokens while answering, then corrected to the real output
    used_out = message.usage.output_tokens
    assert headers["anthropic-ratelimit-output-tokens-remaining"] == str(8000 - used_out)
    assert headers["anthropic-ratelimit-tokens-limit"] in ("30000", "8000")  # the tighter one
    assert headers["anthropic-ratelimit-requests-reset"].endswith("Z")


def test_the_limiter_learns_limits_from_headers() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock)
    assert limiter.limits == {}
    model = _limited(clock, requests_per_minute=60, output_tokens_per_minute=6000)
    model.client(rate_limiter=limiter).messages.create(**MESSAGE)
    assert limiter.limits == {"requests": 60, "output_tokens": 6000}  # tokens-* restates it
    assert "requests=60/min" in repr(limiter)


def test_hand_set_limits_pace_requests_without_any_429(kind: str) -> None:
    clock = VirtualClock()
    model = _limited(
        clock, requests_per_minute=30, input_tokens_per_minute=3000, output_tokens_per_minute=1200
    )
    limiter = RateLimiter(
        requests_per_minute=30,
        input_tokens_per_minute=3000,
        output_tokens_per_minute=1200,
        clock=clock,
    )
    prompts = [f"ticket {i}" for i in range(60)]
    if kind == "sync":
        agent: Any = Agent(model, model="claude-test", max_tokens=40)
        _, summary = agent.map_all(prompts, concurrency=8, rate_limiter=limiter)
    else:
        import anyio

        agent = AsyncAgent(model, model="claude-test", max_tokens=40)
        _, summary = anyio.run(lambda: agent.map_all(prompts, concurrency=8, rate_limiter=limiter))
    assert summary.succeeded == 60
    assert model.rate_limits is not None
    assert model.rate_limits.rejected == 0
    assert summary.rate_limited == 0
    # 60 requests of 40 output tokens reserved at 1,200 a minute: the limiter waited for them
    assert clock.now() >= 60 * 40 / 1200 * 60 - 60
    assert summary.rate_limit_wait > 0


def test_learned_limits_reach_a_steady_state_without_429s(waits: RecordedSleeps) -> None:
    clock = VirtualClock()
    model = _limited(clock, requests_per_minute=20, output_tokens_per_minute=100_000)
    limiter = RateLimiter(clock=clock)  # no limits given: learned from the first answer
    agent = Agent(model.client(rate_limiter=limiter), model="claude-test", max_tokens=40)
    _, summary = agent.map_all([f"q{i}" for i in range(80)], concurrency=4)
    assert summary.succeeded == 80
    assert model.rate_limits is not None
    # before the first answer the limits are unknown: at most the first burst is refused
    assert model.rate_limits.rejected <= 4
    assert summary.rate_limited == model.rate_limits.rejected
    assert limiter.limits["requests"] == 20


def test_learned_limits_pace_at_the_binding_limit() -> None:
    """The input limit binds: the map takes the time the limit allows, and no longer."""
    clock = VirtualClock()
    model = _limited(clock, input_tokens_per_minute=6000, output_tokens_per_minute=100_000)
    limiter = RateLimiter(clock=clock)
    agent = Agent(model.client(rate_limiter=limiter), model="claude-test", max_tokens=40)
    prompts = [f"ticket {i}: " + "the printer jams again. " * 40 for i in range(40)]
    _, summary = agent.map_all(prompts, concurrency=1)
    assert model.rate_limits is not None
    assert model.rate_limits.rejected <= 1  # before the first answer the limits are unknown
    ideal = (summary.usage.input_tokens - 6000) / 6000 * 60  # after the first minute's burst
    assert ideal < clock.now() <= ideal * 1.02


def test_a_request_the_server_had_not_seen_is_not_forgotten() -> None:
    limiter = RateLimiter(input_tokens_per_minute=10_000, clock=VirtualClock())
    cost = Cost(input_tokens=1000)
    early = limiter.acquire(cost)
    late = limiter.acquire(cost)  # sent after `early`, not yet seen when `early` is answered
    level = limiter._buckets.buckets["input_tokens"]
    assert level.level == 8000
    # the server counted `early` and 4,000 tokens of another program's, not `late`
    headers = {
        "anthropic-ratelimit-input-tokens-limit": "10000",
        "anthropic-ratelimit-input-tokens-remaining": "5000",
    }
    limiter.settle(early, 200, headers, None)
    assert level.level == 4000  # what remains, less `late` (still to be counted)
    limiter.release(late)
    assert level.level == 5000


def test_map_gives_a_client_without_a_limiter_one() -> None:
    agent = Agent(EchoModel(), model="claude-test")

    def limiter() -> Any:
        return agent.client.rate_limiter

    assert limiter() is None
    agent.map_all(["a", "b"])
    made = limiter()
    assert isinstance(made, RateLimiter)
    agent.map_all(["c"], rate_limiter=RateLimiter())  # swapped in for the map, then out
    assert limiter() is made


def test_a_429_pauses_every_request_sharing_the_limiter(waits: RecordedSleeps) -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock)
    model = EchoModel(faults=[Fault(status=429, retry_after=5)])
    first = model.client(rate_limiter=limiter)
    other = first.with_options(max_retries=0)
    assert other.rate_limiter is limiter
    first.messages.create(**MESSAGE)  # 429, then retried after the wait
    assert limiter.rate_limited == 1
    assert waits.request == [5]
    assert clock.now() == 5  # the retry waited for the pause on the limiter's clock
    start = clock.now()
    other.messages.create(**MESSAGE)
    assert clock.now() == start  # the pause is over: no more waiting
    assert limiter.waited >= 5


def test_a_429_pause_holds_another_client_back(waits: RecordedSleeps) -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock)
    refusing = EchoModel(faults=[Fault(status=429, retry_after=7)]).client(
        rate_limiter=limiter, max_retries=0
    )
    with pytest.raises(RateLimitError):
        refusing.messages.create(**MESSAGE)
    assert clock.now() == 0
    EchoModel().client(rate_limiter=limiter).messages.create(**MESSAGE)
    assert clock.now() == 7  # the other client's request waited out the pause


def test_scaled_clock() -> None:
    clock = ScaledClock(speed=1000)
    start = clock.now()
    clock.sleep_until(start + 5)  # 5 ms of real time
    assert clock.now() >= start + 5
    assert clock.real_seconds(60) == pytest.approx(0.06)
    assert RateLimits(clock=clock).retry_after(30) == "0.030"
    with pytest.raises(ValueError, match="positive"):
        ScaledClock(0)


def test_client_option() -> None:
    limiter = RateLimiter(requests_per_minute=10)
    client = Anthropic(api_key="k", rate_limiter=limiter)
    assert client.rate_limiter is limiter
    assert Anthropic(api_key="k").rate_limiter is None


# Streams settle when their final usage arrives; count_tokens estimates input exactly.
# A model without rate limits sends no headers, so the limiter's levels move only by its own
# reservations and settlements (and a virtual clock that never advances refills nothing).

LIMITS = {"input_tokens": 100_000, "output_tokens": 10_000, "requests": 100}


def _limiter(**options: Any) -> RateLimiter:
    return RateLimiter(
        requests_per_minute=LIMITS["requests"],
        input_tokens_per_minute=LIMITS["input_tokens"],
        output_tokens_per_minute=LIMITS["output_tokens"],
        clock=VirtualClock(),
        **options,
    )


def _used(limiter: RateLimiter) -> dict[str, float]:
    """What the limiter counts as taken from each bucket."""
    buckets = limiter._buckets.buckets
    return {name: LIMITS[name] - buckets[name].level for name in LIMITS}


def test_a_stream_settles_with_its_final_usage() -> None:
    limiter = _limiter()
    client = EchoModel().client(rate_limiter=limiter)
    with client.messages.stream(**MESSAGE) as stream:
        next(iter(stream))
        assert _used(limiter)["output_tokens"] == 100  # max_tokens reserved while streaming
        message = stream.get_final_message()
    used = _used(limiter)
    assert used["output_tokens"] == message.usage.output_tokens < 100  # the rest handed back
    assert used["input_tokens"] == message.usage.input_tokens
    assert used["requests"] == 1


def test_a_raw_stream_settles_when_read_to_the_end_async() -> None:
    import anyio

    limiter = _limiter()
    model = EchoModel()

    async def main() -> int:
        client = model.async_client(rate_limiter=limiter)
        output = 0
        async with await client.messages.create(**MESSAGE, stream=True) as stream:
            async for event in stream:
                if isinstance(event, RawMessageDeltaEvent):
                    output = event.usage.output_tokens
        return output

    output = anyio.run(main)
    assert 0 < _used(limiter)["output_tokens"] == output < 100


def test_a_stream_closed_unread_gives_its_reservation_back() -> None:
    limiter = _limiter()
    client = EchoModel().client(rate_limiter=limiter)
    with client.messages.create(**MESSAGE, stream=True):
        assert _used(limiter)["output_tokens"] == 100
    assert _used(limiter) == {"input_tokens": 0, "output_tokens": 0, "requests": 1}


def test_a_failed_stream_is_charged_what_it_used_or_nothing() -> None:
    limiter = _limiter()
    model = EchoModel(faults=[Fault.cut(after=0)])  # the connection drops before any event
    client = model.client(rate_limiter=limiter, max_retries=0)
    with pytest.raises(APIConnectionError), client.messages.stream(**MESSAGE) as stream:
        stream.get_final_message()
    assert _used(limiter) == {"input_tokens": 0, "output_tokens": 0, "requests": 1}

    limiter = _limiter()
    model = EchoModel(faults=[Fault.error_event(after=2)])  # after message_start
    client = model.client(rate_limiter=limiter, max_retries=0)
    with pytest.raises(APIStatusError), client.messages.stream(**MESSAGE) as stream:
        stream.get_final_message()
    used = _used(limiter)
    assert 0 < used["input_tokens"] < 100  # what message_start reported, not the estimate
    assert used["output_tokens"] < 100


def test_a_stream_retried_mid_way_settles_both_attempts() -> None:
    limiter = _limiter()
    client = EchoModel(faults=[Fault.cut(after=1)]).client(rate_limiter=limiter)
    with client.messages.stream(**MESSAGE) as stream:
        message = stream.get_final_message()
    used = _used(limiter)
    assert used["requests"] == 2
    assert message.usage.output_tokens <= used["output_tokens"] < 100  # neither kept max_tokens


def test_count_tokens_estimates_the_input_exactly() -> None:
    limiter = _limiter(count_tokens=True)
    model = EchoModel()
    client = model.client(rate_limiter=limiter)
    with client.messages.stream(**MESSAGE, system="be brief") as stream:
        next(iter(stream))
        counted = client.messages.count_tokens(
            model="claude-test", messages=MESSAGE["messages"], system="be brief"
        ).input_tokens
        used = _used(limiter)
        assert used["input_tokens"] == counted  # not the request's size
        assert used["requests"] == 1  # count_tokens is not paced by the message limits
        stream.until_done()
    paths = [request.path for request in model.requests]
    assert paths[:2] == ["/v1/messages/count_tokens", "/v1/messages"]
    counting = model.requests[0]
    assert counting["system"] == "be brief"
    assert "max_tokens" not in counting
    assert "stream" not in counting


def test_count_tokens_is_asked_once_per_call_not_per_retry(waits: RecordedSleeps) -> None:
    limiter = _limiter(count_tokens=True)
    model = EchoModel(faults=[None, Fault(status=529)])  # the message request fails once
    model.client(rate_limiter=limiter).messages.create(**MESSAGE)
    paths = [request.path for request in model.requests]
    assert paths == ["/v1/messages/count_tokens", "/v1/messages", "/v1/messages"]


def test_a_failed_count_falls_back_to_the_size_estimate() -> None:
    def input_reserved(limiter: RateLimiter, model: EchoModel) -> float:
        client = model.client(rate_limiter=limiter, max_retries=0)
        with client.messages.create(**MESSAGE, stream=True) as stream:
            reserved = _used(limiter)["input_tokens"]
            for _ in stream:
                pass
        return reserved

    size_estimate = input_reserved(_limiter(), EchoModel())
    refused = EchoModel(faults=[Fault(status=400, error_type="invalid_request_error")])
    assert input_reserved(_limiter(count_tokens=True), refused) == size_estimate
    assert [request.path for request in refused.requests] == [
        "/v1/messages/count_tokens",
        "/v1/messages",
    ]


def test_count_tokens_async() -> None:
    import anyio

    limiter = _limiter(count_tokens=True)
    model = EchoModel()

    async def main() -> None:
        client = model.async_client(rate_limiter=limiter)
        await client.messages.create(**MESSAGE)

    anyio.run(main)
    assert [request.path for request in model.requests] == [
        "/v1/messages/count_tokens",
        "/v1/messages",
    ]
