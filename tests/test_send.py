"""The senders: one call's attempts driven by hand (no I/O), and the two tables of I/O.

`Attempts` is written once for both senders; it yields only I/O steps (`Transmit`, `Read`,
`Acquire`, `Sleep`), so a test can play the driver: hand each step its result and check what
the call asks for next. The sync and async tables are then run against a transport whose body
fails half-way.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import httpx
import pytest

from agentkit import NOT_GIVEN, Anthropic, APIConnectionError, AsyncAnthropic
from agentkit._base_client import model_parser
from agentkit._core.effects import Sleep
from agentkit._core.endpoints import prepare_create
from agentkit._send import Attempts, IOFlow, Read, Transmit
from agentkit.testing import RecordedSleeps
from agentkit.types.message import Message

PARAMS: dict[str, Any] = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 16,
    "messages": [{"role": "user", "content": "hi"}],
}
MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": PARAMS["model"],
    "content": [{"type": "text", "text": "Hello!"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 2},
}
OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}


def _unused(request: httpx.Request) -> httpx.Response:
    raise AssertionError("the test plays the driver: nothing is sent")


def _client() -> Anthropic:
    return Anthropic(api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(_unused)))


def _play(flow: IOFlow[Any], replies: list[tuple[int, dict[str, Any]]]) -> tuple[list[Any], Any]:
    """Drive `flow` by hand: each `Transmit` gets the next reply, unread; each `Read` its body."""
    pending = iter(replies)
    steps: list[Any] = []
    body = b""
    value: Any = None
    while True:
        try:
            step = flow.send(value)
        except StopIteration as stop:
            return steps, stop.value
        steps.append(step)
        value = None
        if isinstance(step, Transmit):
            status, payload = next(pending)
            body = json.dumps(payload).encode()
            value = httpx.Response(status, stream=httpx.ByteStream(body), request=step.request)
        elif isinstance(step, Read):
            step.reader.add(body)
            step.response.close()


def test_a_call_is_transmit_and_read_and_a_retry_waits_in_between() -> None:
    client = _client()
    prepared, _ = prepare_create(client, PARAMS)
    call = Attempts(client, client._http, NOT_GIVEN, defer_read=False)
    flow = call.request(prepared, model_parser(Message))
    steps, result = _play(flow, [(529, OVERLOADED), (200, MESSAGE)])
    assert [type(step) for step in steps] == [Transmit, Read, Sleep, Transmit, Read]
    assert all(step.http is client._http for step in steps if isinstance(step, Transmit))
    assert result.retries_taken == 1
    assert result.parse().content[0].text == "Hello!"
    assert call.sent == 2


def test_a_successful_stream_is_left_unread_and_an_error_is_read() -> None:
    client = _client()
    prepared, _ = prepare_create(client, {**PARAMS, "stream": True})
    call = Attempts(client, client._http, NOT_GIVEN, defer_read=False)
    steps, result = _play(call.request(prepared, lambda r: r), [(529, OVERLOADED), (200, {})])
    assert [type(step) for step in steps] == [Transmit, Read, Sleep, Transmit]
    assert not result.http_response.is_stream_consumed


def test_a_wait_of_the_stream_helper_is_one_step() -> None:
    client = _client()
    call = Attempts(client, client._http, NOT_GIVEN, defer_read=True)
    wait = Sleep(0.5, "stream")
    steps, result = _play(call.perform(wait), [])
    assert steps == [wait]
    assert result is None


class _FailingBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """One chunk, then a dropped connection; notes whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"id": '
        raise httpx.ReadError("connection dropped")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"id": '
        raise httpx.ReadError("connection dropped")

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_a_body_that_fails_half_way_is_closed_and_a_connection_error(
    kind: str, waits: RecordedSleeps
) -> None:
    bodies: list[_FailingBody] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(_FailingBody())
        return httpx.Response(200, stream=bodies[-1])

    transport = httpx.MockTransport(handler)
    if kind == "sync":
        client = Anthropic(
            api_key="k", max_retries=1, http_client=httpx.Client(transport=transport)
        )
        with pytest.raises(APIConnectionError):
            client.messages.create(**PARAMS)
    else:

        async def main() -> None:
            http = httpx.AsyncClient(transport=transport)
            async with AsyncAnthropic(api_key="k", max_retries=1, http_client=http) as client:
                with pytest.raises(APIConnectionError):
                    await client.messages.create(**PARAMS)

        anyio.run(main)
    assert len(bodies) == 2  # the failure was retried
    assert len(waits.request) == 1
    assert all(body.closed for body in bodies)
