"""The sans-IO parts of batches: JSONL decoding, local checks, the retry rule, paging, waiting."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from agentkit import (
    APIConnectionError,
    BatchWaitTimeout,
    InternalServerError,
    UncertainDeliveryError,
    UsageError,
)
from agentkit._core import batches as core
from agentkit._core.batches import (
    CallOptions,
    Poll,
    next_page_query,
    prepare_batch_create,
    wait_flow,
)
from agentkit._core.effects import Send, Sleep
from agentkit._core.flows import request_flow
from agentkit._core.jsonl import JSONLinesDecoder
from agentkit._core.retry import RetryPolicy
from agentkit._drive import drive
from agentkit.types import MessageBatch

from ..helpers import API_KEY, FIXTURES

RESULTS = (FIXTURES / "batches" / "results.jsonl").read_bytes()
LINES = [line for line in RESULTS.splitlines() if line]


def decode(chunks: list[bytes]) -> list[bytes]:
    decoder = JSONLinesDecoder()
    lines = [line for chunk in chunks for line in decoder.feed(chunk)]
    last = decoder.flush()
    return [*lines, *([last] if last is not None else [])]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_every_split_point_of_every_line_ending_gives_the_same_lines(ending: bytes) -> None:
    body = ending.join(LINES) + ending
    for cut in range(len(body) + 1):
        assert decode([body[:cut], body[cut:]]) == LINES, cut
    assert decode([bytes([b]) for b in body]) == LINES  # one byte at a time


def test_a_crlf_split_across_two_chunks_is_one_line_end() -> None:
    assert decode([b'{"a":1}\r', b'\n{"b":2}\r\n']) == [b'{"a":1}', b'{"b":2}']
    assert decode([b'{"a":1}\r', b"\n", b'{"b":2}']) == [b'{"a":1}', b'{"b":2}']


def test_the_official_sdks_decoder_breaks_on_that_split() -> None:
    """PEERS §1.2: the pitfall this decoder avoids (the SDK splits each chunk on its own)."""
    httpx2 = pytest.importorskip("httpx2")
    from anthropic._decoders.jsonl import JSONLDecoder

    chunks = [b'{"a":1}\r', b'\n{"b":2}\n']
    sdk = JSONLDecoder(
        raw_iterator=iter(chunks), line_type=dict[str, int], http_response=httpx2.Response(200)
    )
    with pytest.raises(json.JSONDecodeError):
        list(sdk)
    assert decode(chunks) == [b'{"a":1}', b'{"b":2}']


def test_blank_lines_and_a_missing_last_line_end() -> None:
    assert decode([b"\n\n", b'{"a":1}\n \n\r\n{"b"', b":2}"]) == [b'{"a":1}', b'{"b":2}']
    assert decode([b"", b"  "]) == []


def test_memory_is_one_line_whatever_the_size() -> None:
    decoder = JSONLinesDecoder()
    for _ in range(1000):
        assert len(decoder.feed(b'{"x":"' + b"y" * 1000 + b'"}\n')) == 1
        assert decoder._pending == []


# --- local checks ---------------------------------------------------------------------------


class Config:
    api_version = "2023-06-01"

    def prepare(self, method: str, path: str, body: Any, **kw: Any) -> Any:
        from agentkit._core.request import PreparedRequest

        return PreparedRequest(method, path, body, {"x-api-key": API_KEY})

    def timeout_is_default(self, call_timeout: Any) -> bool:
        return True


def request(custom_id: Any = "r1", **params: Any) -> dict[str, Any]:
    base = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    return {"custom_id": custom_id, "params": {**base, **params}}


def create(requests: Any) -> Any:
    return prepare_batch_create(Config(), requests, CallOptions())


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("", "custom_id ''"),
        ("a" * 65, "1-64 characters"),
        ("has space", "'has space'"),
        ("ünï", "letters, digits"),
        ("ok\n", "1-64"),
        (7, "7"),
    ],
)
def test_a_bad_custom_id_is_refused_before_sending(bad: Any, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        create([request(bad)])


def test_custom_ids_must_be_unique_and_each_request_well_formed() -> None:
    with pytest.raises(UsageError, match="used twice"):
        create([request("a"), request("b"), request("a")])
    with pytest.raises(UsageError, match="exactly 'custom_id' and 'params'"):
        create([{"custom_id": "a"}])
    with pytest.raises(UsageError, match="cannot stream"):
        create([request(stream=True)])
    with pytest.raises(UsageError, match="Did you mean 'max_tokens'"):
        create([request(max_token=5)])
    with pytest.raises(UsageError, match="at least one request"):
        create([])
    with pytest.raises(UsageError, match="must be a list"):
        create(request())


def test_the_batch_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    assert core.MAX_BATCH_REQUESTS == 100_000
    assert core.MAX_BATCH_BYTES == 256 * 1024 * 1024
    monkeypatch.setattr(core, "MAX_BATCH_REQUESTS", 3)
    create([request(f"r{i}") for i in range(3)])
    with pytest.raises(UsageError, match="at most 3 requests"):
        create(request(f"r{i}") for i in range(4))
    monkeypatch.setattr(core, "MAX_BATCH_BYTES", 300)
    with pytest.raises(UsageError, match="at most 300 bytes"):
        create([request(f"r{i}") for i in range(3)])


def test_a_prepared_batch_is_encoded_once_and_marked_not_idempotent() -> None:
    prepared = create([request("a", stream=False)])
    assert prepared.retry_unsent_only
    assert prepared.content() is prepared.encoded
    assert json.loads(prepared.encoded or b"") == {"requests": [request("a")]}


# --- the retry rule of a request that is not idempotent ---------------------------------------


def response(status: int) -> httpx.Response:
    body = {"type": "error", "error": {"type": "x", "message": "m"}}
    return httpx.Response(status, json=body, request=httpx.Request("POST", "http://x"))


def outcomes(*results: Any) -> tuple[Any, list[Any]]:
    """Drive request_flow for a batch create; each result is a response or an exception."""
    flow = request_flow(create([request()]), RetryPolicy(max_retries=3, rand=lambda: 0.0))
    effects: list[Any] = [next(flow)]
    for result in results:
        try:
            if isinstance(result, Exception):
                effects.append(flow.throw(result))
            else:
                effects.append(flow.send(result))
            if isinstance(effects[-1], Sleep):
                effects.append(flow.send(None))
        except StopIteration as stop:
            return stop.value, effects
        except Exception as exc:  # the flow's verdict
            return exc, effects
    return None, effects


def never_sent() -> APIConnectionError:
    error = APIConnectionError("connect failed")
    error.request_sent = False
    return error


def test_create_is_retried_when_it_certainly_never_left() -> None:
    result, effects = outcomes(never_sent(), response(200))
    assert [type(e) for e in effects] == [Send, Sleep, Send]
    assert result[0].status_code == 200


@pytest.mark.parametrize("status", [429, 529])
def test_create_is_retried_on_429_and_529(status: int) -> None:
    _, effects = outcomes(response(status), response(200))
    assert [type(e) for e in effects] == [Send, Sleep, Send]


@pytest.mark.parametrize("status", [500, 503, 408, 409])
def test_create_is_not_retried_on_other_statuses(status: int) -> None:
    result, effects = outcomes(response(status))
    assert isinstance(result, Exception)
    assert len(effects) == 1
    if status == 500:
        assert isinstance(result, InternalServerError)


def test_a_failure_after_it_may_have_left_raises_uncertain_delivery() -> None:
    cause = APIConnectionError("read failed")  # request_sent None: maybe received
    result, effects = outcomes(cause)
    assert isinstance(result, UncertainDeliveryError)
    assert isinstance(result, APIConnectionError)
    assert result.__cause__ is cause
    assert "not sent again" in str(result)
    assert len(effects) == 1


# --- pages and waiting ---------------------------------------------------------------------


def test_next_page_query() -> None:
    page = {"data": [1], "has_more": True, "first_id": "a", "last_id": "b"}
    assert next_page_query({"limit": 2}, page) == {"limit": 2, "after_id": "b"}
    assert next_page_query({"after_id": "z"}, page) == {"after_id": "b"}
    assert next_page_query({"before_id": "z"}, page) == {"before_id": "a"}
    assert next_page_query({}, {**page, "has_more": False}) is None
    assert next_page_query({}, {**page, "data": []}) is None
    assert next_page_query({}, {**page, "last_id": None}) is None


def batch(status: str) -> MessageBatch:
    data = json.loads((FIXTURES / "batches" / "batch_in_progress.json").read_text())
    return MessageBatch.model_validate({**data, "processing_status": status})


def run_wait(statuses: list[str], **options: Any) -> tuple[Any, list[float]]:
    """Drive wait_flow: each poll gets the next status; returns the result and the pauses."""
    pending, sleeps = iter(statuses), []

    def perform(effect: Poll | Sleep) -> Any:
        if isinstance(effect, Sleep):
            assert effect.kind == "poll"
            sleeps.append(effect.seconds)
            return None
        return batch(next(pending))

    flow = wait_flow("b", **{"poll_interval": 10, "max_poll_interval": 30, **options})
    try:
        return drive(flow, perform), sleeps
    except BatchWaitTimeout as exc:
        return exc, sleeps


def test_wait_polls_with_growing_pauses_until_the_batch_ends() -> None:
    statuses = ["in_progress"] * 5 + ["canceling", "ended"]
    result, sleeps = run_wait(statuses, timeout=None)
    assert result.processing_status == "ended"
    assert sleeps == [10, 15, 22.5, 30, 30, 30]


def test_wait_gives_up_after_its_timeout_with_the_last_batch() -> None:
    result, sleeps = run_wait(["in_progress"] * 5, timeout=20)
    assert sleeps == [10, 10]  # the last pause is cut to the time left
    assert isinstance(result, BatchWaitTimeout)
    assert isinstance(result, TimeoutError)
    assert result.batch.processing_status == "in_progress"


def test_wait_checks_its_arguments() -> None:
    with pytest.raises(UsageError):
        next(wait_flow("b", poll_interval=0, max_poll_interval=1, timeout=None))
    with pytest.raises(UsageError):
        next(wait_flow("b", poll_interval=1, max_poll_interval=1, timeout=-1))
