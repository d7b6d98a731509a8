"""Offline rate limits (`RateLimits` on a model) and the client's `RateLimiter` against them.

Every test runs on a `VirtualClock` shared by the model and the limiter: a minute of traffic
in milliseconds, no real waiting, no timing asserts.
"""

from __future__ import annotations

from typing import Any

import pytest

from agentkit import Agent, Anthropic, AsyncAgent, RateLimiter, RateLimitError
from agentkit.testing import (
    EchoModel,
    Fault,
    RateLimits,
    RecordedSleeps,
    ScaledClock,
    VirtualClock,
)

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
    assert limiter.limits == {"requests": 60, "output_tokens": 6000, "tokens": 6000}
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
