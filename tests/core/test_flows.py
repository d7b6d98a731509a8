"""The protocols driven by hand: each effect is answered here, no I/O and no real time.

This is how every protocol can be tested without a driver: send the generator the result of
each effect it yields (or throw the failure in) and look at what it asks for next.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
import pytest

from agentkit import APIConnectionError, BadRequestError, OverloadedError, RateLimitError
from agentkit._core.effects import Send, Sleep
from agentkit._core.flows import request_flow
from agentkit._core.request import PreparedRequest
from agentkit._core.retry import RetryPolicy

PREPARED = PreparedRequest(
    method="POST", path="/v1/messages", body={"model": "m"}, headers={"x-api-key": "k"}
)
REQUEST = httpx.Request("POST", "https://api.example/v1/messages")


def response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    body: Any = {"type": "message"} if status < 400 else {"type": "error", "error": {}}
    return httpx.Response(status, json=body, headers=headers, request=REQUEST)


def policy(max_retries: int = 2) -> RetryPolicy:
    return RetryPolicy(max_retries=max_retries, rand=lambda: 0.0)  # no jitter


def run(flow: Generator[Any, Any, Any], answers: list[Any]) -> tuple[list[Any], Any]:
    """Answer each `Send` from `answers` (a response, or an exception to throw in)."""
    effects: list[Any] = []
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = flow.send(value) if error is None else flow.throw(error)
        except StopIteration as stop:
            return effects, stop.value
        effects.append(effect)
        value, error = None, None
        if isinstance(effect, Send):
            answer = answers.pop(0)
            if isinstance(answer, BaseException):
                error = answer
            else:
                value = answer


def test_a_success_is_one_send() -> None:
    ok = response(200)
    effects, (got, retries) = run(request_flow(PREPARED, policy()), [ok])
    assert effects == [Send(PREPARED, PREPARED.content())]
    assert (got, retries) == (ok, 0)


def test_retryable_statuses_wait_with_backoff_then_send_again() -> None:
    answers = [response(529), response(500), response(200)]
    effects, (_, retries) = run(request_flow(PREPARED, policy()), answers)
    sleeps = [e for e in effects if isinstance(e, Sleep)]
    assert sleeps == [Sleep(0.5), Sleep(1.0)]  # 0.5 s, doubled; no jitter here
    assert [type(e) for e in effects] == [Send, Sleep, Send, Sleep, Send]
    assert retries == 2


def test_the_server_s_retry_after_is_the_wait() -> None:
    answers = [response(429, {"retry-after": "3"}), response(200)]
    effects, _ = run(request_flow(PREPARED, policy()), answers)
    assert Sleep(3.0) in effects


def test_exhausted_retries_raise_the_last_typed_error() -> None:
    answers = [response(529), response(529)]
    with pytest.raises(OverloadedError):
        run(request_flow(PREPARED, policy(max_retries=1)), answers)


def test_a_wait_longer_than_max_retry_wait_raises_at_once_with_the_wait() -> None:
    flow = request_flow(PREPARED, RetryPolicy(max_retries=2, max_retry_wait=10))
    with pytest.raises(RateLimitError) as info:
        run(flow, [response(429, {"retry-after": "60"})])
    assert info.value.retry_after == 60.0


def test_a_non_retryable_status_raises_without_waiting() -> None:
    flow = request_flow(PREPARED, policy())
    with pytest.raises(BadRequestError):
        run(flow, [response(400)])


def test_a_connection_error_thrown_in_is_retried_then_raised() -> None:
    failures = [APIConnectionError(request=REQUEST) for _ in range(3)]
    last = failures[-1]
    with pytest.raises(APIConnectionError) as info:
        run(request_flow(PREPARED, policy()), failures)
    assert info.value is last  # the driver's error, unchanged, after two retries
    assert failures == []


def test_retries_spent_before_count_toward_the_budget() -> None:
    # a re-sent stream continues with the retries it already took
    with pytest.raises(OverloadedError):
        run(request_flow(PREPARED, policy(max_retries=2), retries_taken=2), [response(529)])


def test_the_body_is_encoded_once_for_every_attempt() -> None:
    effects, _ = run(request_flow(PREPARED, policy()), [response(529), response(200)])
    sends = [e for e in effects if isinstance(e, Send)]
    assert sends[0].content is sends[1].content
