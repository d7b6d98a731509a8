"""Fault injection through the real clients: error statuses, stream failures, resets, delays.

Retry waits and injected delays are recorded instead of slept (the `waits` fixture).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import anyio
import anyio.lowlevel
import httpx
import pytest

from agentkit import (
    Anthropic,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncAnthropic,
    BadRequestError,
    InternalServerError,
    Message,
    OverloadedError,
    RateLimitError,
    RawMessageStreamEvent,
    TextBlock,
)
from agentkit._response import APIResponse
from agentkit.testing import Fault, FunctionModel, MockModel, ModelRequest, RecordedSleeps

T = TypeVar("T")

ANSWER = "A reasonably long answer, streamed in several pieces."
PARAMS: dict[str, Any] = {
    "model": "claude-test-1",
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hi"}],
}

# On trio, httpx's own body iterators left suspended when an `error` event ends a stream early
# are reported when garbage collected (tests/test_streaming.py has the same filter).
HTTPX_ASYNC_GENERATORS_ON_TRIO = (
    r"ignore:Exception ignored in. <async_generator object "
    r"(BoundAsyncStream\.__aiter__|Response\.aiter_raw):pytest.PytestUnraisableExceptionWarning"
)


pytestmark = pytest.mark.kinds("sync", "asyncio", "trio")  # the async client on each loop


def model_with(faults: Any, text: str = ANSWER, **options: Any) -> FunctionModel:
    return FunctionModel(lambda r: text, faults=faults, **options)


def run(
    kind: str,
    model: MockModel,
    sync_call: Callable[[Anthropic], T],
    async_call: Callable[[AsyncAnthropic], Awaitable[T]],
    **options: Any,
) -> T:
    if kind == "sync":
        with model.client(**options) as client:
            return sync_call(client)

    async def main() -> T:
        async with model.async_client(**options) as client:
            return await async_call(client)

    return anyio.run(main, backend=kind)


def raw_create(kind: str, model: MockModel, **options: Any) -> APIResponse[Message]:
    """`messages.with_raw_response.create(...)`: the message and `retries_taken`."""
    params = {**PARAMS, **options.pop("params", {})}

    def sync(c: Anthropic) -> APIResponse[Message]:
        return cast(APIResponse[Message], c.messages.with_raw_response.create(**params))

    async def async_(c: AsyncAnthropic) -> APIResponse[Message]:
        return cast(APIResponse[Message], await c.messages.with_raw_response.create(**params))

    return run(kind, model, sync, async_, **options)


def stream_final(kind: str, model: MockModel, **options: Any) -> tuple[Message, int]:
    """`messages.stream(...)`: the final message and the stream's `retries_taken`."""

    def sync(c: Anthropic) -> tuple[Message, int]:
        with c.messages.stream(**PARAMS) as stream:
            return stream.get_final_message(), stream.retries_taken

    async def async_(c: AsyncAnthropic) -> tuple[Message, int]:
        async with c.messages.stream(**PARAMS) as stream:
            return await stream.get_final_message(), stream.retries_taken

    return run(kind, model, sync, async_, **options)


def raw_events(
    kind: str, model: MockModel, seen: list[RawMessageStreamEvent], **options: Any
) -> None:
    """`create(stream=True)`, collecting the events into `seen` until the stream ends."""

    def sync(c: Anthropic) -> None:
        with c.messages.create(**PARAMS, stream=True) as stream:
            seen.extend(stream)

    async def async_(c: AsyncAnthropic) -> None:
        async with await c.messages.create(**PARAMS, stream=True) as stream:
            async for event in stream:
                seen.append(event)

    run(kind, model, sync, async_, **options)


def text_of(message: Message) -> str:
    return "".join(b.text for b in message.content if isinstance(b, TextBlock))


# --- error statuses --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 529])
def test_error_status_with_retry_after_is_retried(
    kind: str, waits: RecordedSleeps, status: int
) -> None:
    model = model_with([Fault.error_status(status, retry_after=0.25)] * 2)
    response = raw_create(kind, model)
    assert response.retries_taken == 2
    assert text_of(response.parse()) == ANSWER
    assert len(model.requests) == 3
    assert waits.request == [0.25, 0.25]  # the client honoured retry-after


def test_error_status_without_retry_after_backs_off(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault.error_status()])  # 529 by default
    assert raw_create(kind, model).retries_taken == 1
    assert len(waits.request) == 1
    assert 0.375 <= waits.request[0] <= 0.5  # 0.5 s with up to 25 % jitter


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(429, RateLimitError), (500, InternalServerError), (529, OverloadedError)],
)
def test_error_status_beyond_the_retries_raises(
    kind: str, waits: RecordedSleeps, status: int, error_class: type[APIStatusError]
) -> None:
    model = model_with([Fault.error_status(status, retry_after=0.01)] * 3)
    with pytest.raises(error_class) as caught:
        raw_create(kind, model, max_retries=2)
    assert caught.value.status_code == status
    assert caught.value.api_message == "Injected failure"
    assert caught.value.response is not None
    assert caught.value.response.headers["retry-after"] == "0.01"
    assert len(model.requests) == 3
    assert len(waits.request) == 2


def test_should_retry_false_is_not_retried(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault.error_status(529, retry_after=1, should_retry=False)])
    with pytest.raises(OverloadedError) as caught:
        raw_create(kind, model)
    assert caught.value.response is not None
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert len(model.requests) == 1
    assert waits.request == []


def test_should_retry_true_retries_even_a_400(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault.error_status(400, should_retry=True)])
    assert raw_create(kind, model).retries_taken == 1
    assert len(model.requests) == 2


def test_error_type_of_an_injected_status(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault.error_status(429, error_type="custom_limit_error")])
    with pytest.raises(RateLimitError) as caught:
        raw_create(kind, model, max_retries=0)
    assert caught.value.type == "custom_limit_error"


def test_faults_apply_to_count_tokens_too(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault.error_status(503, retry_after=0.5), None])

    def sync(c: Anthropic) -> int:
        return c.messages.count_tokens(model="m", messages=PARAMS["messages"]).input_tokens

    async def async_(c: AsyncAnthropic) -> int:
        counted = await c.messages.count_tokens(model="m", messages=PARAMS["messages"])
        return counted.input_tokens

    assert run(kind, model, sync, async_) == 12
    assert waits.request == [0.5]
    assert [r.path for r in model.requests] == ["/v1/messages/count_tokens"] * 2


def test_an_error_status_before_a_stream_is_retried(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault.error_status(500, retry_after=0.1)])
    message, retries = stream_final(kind, model)
    assert text_of(message) == ANSWER
    assert retries == 1
    assert waits.request == [0.1]
    assert waits.stream == []


# --- faults as a function --------------------------------------------------------------------


def test_faults_from_a_function(kind: str, waits: RecordedSleeps) -> None:
    seen: list[tuple[int, str]] = []

    def plan(index: int, request: ModelRequest) -> Fault | None:
        seen.append((index, request.last_user_text))
        if request.last_user_text == "flaky" and index < 3:
            return Fault.error_status(503, retry_after=0.2)
        return None

    model = model_with(plan)
    assert raw_create(kind, model).retries_taken == 0
    flaky = {"messages": [{"role": "user", "content": "flaky"}]}
    assert raw_create(kind, model, params=flaky).retries_taken == 2
    assert seen == [(0, "Hi"), (1, "flaky"), (2, "flaky"), (3, "flaky")]
    assert waits.request == [0.2, 0.2]


def test_a_function_fault_reaches_the_caller(kind: str) -> None:
    def plan(index: int, request: ModelRequest) -> Fault | None:
        raise RuntimeError("bad plan")

    with pytest.raises(RuntimeError, match="bad plan"):
        raw_create(kind, model_with(plan))


def test_a_fault_plan_shorter_than_the_requests(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([None, Fault.error_status(529, should_retry=False)])
    raw_create(kind, model)
    with pytest.raises(OverloadedError):
        raw_create(kind, model)
    assert raw_create(kind, model).retries_taken == 0  # past the plan: no fault
    assert len(model.requests) == 3


# --- failures mid-stream ---------------------------------------------------------------------


@pytest.mark.filterwarnings(HTTPX_ASYNC_GENERATORS_ON_TRIO)
def test_error_event_before_content_is_resent_by_the_stream_helper(
    kind: str, waits: RecordedSleeps
) -> None:
    # events: message_start, content_block_start, (ping: replaced by the error)
    model = model_with([Fault.error_event(after=2)])
    message, retries = stream_final(kind, model)
    assert text_of(message) == ANSWER
    assert retries == 1
    assert len(model.requests) == 2
    assert waits.request == []
    assert len(waits.stream) == 1
    assert 0.375 <= waits.stream[0] <= 0.5


@pytest.mark.filterwarnings(HTTPX_ASYNC_GENERATORS_ON_TRIO)
def test_error_event_after_content_raises(kind: str, waits: RecordedSleeps) -> None:
    # events: message_start, content_block_start, ping, first text delta, (error)
    model = model_with([Fault.error_event(after=4)])
    with pytest.raises(OverloadedError) as caught:
        stream_final(kind, model)
    assert caught.value.status_code == 200
    assert caught.value.type == "overloaded_error"
    assert caught.value.api_message == "Injected stream failure"
    assert caught.value.request_id == "req_test_0002"
    assert len(model.requests) == 1
    assert waits.stream == []


@pytest.mark.filterwarnings(HTTPX_ASYNC_GENERATORS_ON_TRIO)
def test_error_event_in_a_raw_stream(kind: str) -> None:
    model = model_with([Fault.error_event(after=5, error_type="api_error")])
    seen: list[RawMessageStreamEvent] = []
    with pytest.raises(InternalServerError) as caught:
        raw_events(kind, model, seen)
    assert caught.value.type == "api_error"
    # message_start, content_block_start and two text deltas (the ping is not an event here)
    assert [e.type for e in seen] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
    ]


def test_error_event_on_the_wire() -> None:
    """The stream ends with the error event: no further events, no `message_stop`."""
    model = model_with([Fault.error_event(after=3, error_type="api_error")])
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    with httpx.Client(transport=model.transport(), base_url="http://offline") as http:
        body = http.post("/v1/messages", json={**PARAMS, "stream": True}, headers=headers).text
    events = body.split("\n\n")[:-1]
    assert [e.split("\n")[0] for e in events] == [
        "event: message_start",
        "event: content_block_start",
        "event: ping",
        "event: error",
    ]
    assert json.loads(events[-1].split("\n")[1].removeprefix("data: ")) == {
        "type": "error",
        "error": {"details": None, "type": "api_error", "message": "Injected stream failure"},
        "request_id": "req_test_0002",
    }


def test_cut_mid_stream_raises_a_connection_error(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault.cut(after=4)])
    seen: list[RawMessageStreamEvent] = []
    with pytest.raises(APIConnectionError) as caught:
        raw_events(kind, model, seen)
    assert not isinstance(caught.value, APITimeoutError)
    assert [e.type for e in seen] == ["message_start", "content_block_start", "content_block_delta"]

    helper_model = model_with([Fault.cut(after=4)])
    with pytest.raises(APIConnectionError):
        stream_final(kind, helper_model)
    assert len(helper_model.requests) == 1  # content had arrived: not re-sent


def test_cut_before_content_is_resent(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault.cut(after=1), Fault.cut()])
    message, retries = stream_final(kind, model)
    assert text_of(message) == ANSWER
    assert retries == 2
    assert len(model.requests) == 3
    assert len(waits.stream) == 2


def test_stream_faults_past_the_end_do_nothing(kind: str) -> None:
    model = model_with([Fault(error_event_after=99, cut_after=99)])
    message, retries = stream_final(kind, model)
    assert text_of(message) == ANSWER
    assert retries == 0
    # on a JSON answer, stream faults do not apply
    assert text_of(raw_create(kind, model_with([Fault.cut(0)])).parse()) == ANSWER


# --- resets and delays -----------------------------------------------------------------------


def test_reset_is_retried_then_raises(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault(reset=True)] * 3)
    with pytest.raises(APIConnectionError) as caught:
        raw_create(kind, model, max_retries=2)
    assert not isinstance(caught.value, APITimeoutError)
    assert "connection reset by peer" in str(caught.value)
    assert len(model.requests) == 3
    assert len(waits.request) == 2


def test_reset_once_then_success(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault(reset=True)])
    response = raw_create(kind, model)
    assert response.retries_taken == 1
    assert text_of(response.parse()) == ANSWER


def test_delay_past_the_timeout_is_a_timeout(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault(delay=30.0)])
    with pytest.raises(APITimeoutError):
        raw_create(kind, model, timeout=0.05, max_retries=0)
    assert waits.delay == [0.05]  # waited for the timeout, not for the delay
    assert len(model.requests) == 1


def test_delay_past_the_timeout_then_success(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault(delay=30.0)])
    response = raw_create(kind, model, timeout=0.05, max_retries=1)
    assert response.retries_taken == 1
    assert len(waits.request) == 1


def test_delay_below_the_timeout_succeeds(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault(delay=0.02), Fault(delay=0.02)])
    response = raw_create(kind, model, timeout=10.0)
    assert waits.delay == [0.02]
    assert response.retries_taken == 0
    message, _ = stream_final(kind, model, timeout=None)  # no read timeout at all
    assert text_of(message) == ANSWER
    assert waits.delay == [0.02, 0.02]


def test_delay_then_error_status(kind: str, waits: RecordedSleeps) -> None:
    model = model_with([Fault(status=500, delay=0.01, should_retry=False)])
    with pytest.raises(InternalServerError):
        raw_create(kind, model)


def test_a_bad_request_is_not_faulted(kind: str) -> None:
    """Validation comes after the status fault but before any stream fault."""
    model = model_with([Fault.cut(0)])
    with pytest.raises(BadRequestError):
        raw_create(
            kind,
            model,
            params={
                "messages": [PARAMS["messages"][0], {"role": "system", "content": "Be brief."}]
            },
        )
