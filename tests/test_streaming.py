"""Streaming through the real clients (sync and async) over a mock HTTP transport."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from agentkit import (
    Anthropic,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncAnthropic,
    AsyncMessageStream,
    AsyncStream,
    BadRequestError,
    ContentBlockStopEvent,
    InputJsonEvent,
    Message,
    MessageStopEvent,
    MessageStream,
    MessageStreamEvent,
    OverloadedError,
    RawMessageStreamEvent,
    Stream,
    TextEvent,
    UsageError,
)
from agentkit._core.retry import RetryPolicy
from agentkit._core.sse import ServerSentEvent
from agentkit._core.stream_decoder import StreamDecoder, decode_event
from agentkit.testing import RecordedSleeps
from agentkit.types.content import TextBlock, ToolUseBlock, UnknownBlock
from agentkit.types.stream_events import (
    InputJSONDelta,
    PingEvent,
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawContentBlockStopEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    RawMessageStopEvent,
    SignatureDelta,
    TextDelta,
    ThinkingDelta,
    UnknownEvent,
)
from tests.helpers import (
    API_KEY,
    RECORDED_DIR,
    SSE_DIR,
    Harness,
    Recorder,
    SSEReply,
    error,
    harness,
    message_body,
    ok,
    sse_bytes,
    sse_event,
    terminated,
    user,
)

MODEL = "claude-sonnet-4-5"
FINAL_FIXTURES = ["01_text", "02_thinking_text", "03_text_tool_use"]
RECORDED_FILES = sorted(p for p in RECORDED_DIR.rglob("*") if p.suffix in {".sse", ".txt"})
ERROR_REQUEST_ID = "req_011CZq7TnY4vHd2WkP9sLbXe"

EXPECTED_TEXT = {
    "01_text": "Tides are caused mainly by the Moon's gravity pulling on Earth's oceans.",
    "02_thinking_text": "17 \u00d7 24 = **408**.",
    "03_text_tool_use": "I'll look up the weather and the server time.",
}
EXPECTED_TEXT_DELTAS = {
    "01_text": ["Tides are caused", " mainly by the Moon's gravity", " pulling on Earth's oceans."],
    "02_thinking_text": ["17 \u00d7 24 = ", "**408**."],
    "03_text_tool_use": ["I'll look up the weather", " and the server time."],
}

RAW_CLASSES: dict[str, type] = {
    "message_start": RawMessageStartEvent,
    "content_block_start": RawContentBlockStartEvent,
    "content_block_delta": RawContentBlockDeltaEvent,
    "content_block_stop": RawContentBlockStopEvent,
    "message_delta": RawMessageDeltaEvent,
    "message_stop": RawMessageStopEvent,
}
DELTA_CLASSES: dict[str, type] = {
    "text_delta": TextDelta,
    "input_json_delta": InputJSONDelta,
    "thinking_delta": ThinkingDelta,
    "signature_delta": SignatureDelta,
}


# --- fixtures and helpers --------------------------------------------------------------------


def create_stream(client: Anthropic) -> Stream:
    return client.messages.create(model=MODEL, max_tokens=100, messages=user("Hello"), stream=True)


async def acreate_stream(client: AsyncAnthropic) -> AsyncStream:
    return await client.messages.create(
        model=MODEL, max_tokens=100, messages=user("Hello"), stream=True
    )


def wire_events(body: bytes) -> list[dict[str, Any]]:
    """The `data:` payloads of an SSE body, read naively (an oracle independent of agentkit)."""
    out = []
    for line in body.decode().splitlines():
        if line.startswith("data:"):
            data = json.loads(line[5:])
            if data["type"] != "ping":
                out.append(data)
    return out


def cut_after(body: bytes, count: int) -> bytes:
    """The first `count` events of `body` (a stream cut at an event boundary)."""
    events = body.split(b"\n\n")
    return b"\n\n".join(events[:count]) + b"\n\n"


def sse_error(error_type: str = "overloaded_error", message: str = "Overloaded") -> bytes:
    return sse_event(
        "error",
        {
            "type": "error",
            "error": {"details": None, "type": error_type, "message": message},
            "request_id": "req_in_event",
        },
    )


def before_content(*tail: bytes) -> bytes:
    """message_start and an empty text block started, then `tail` (no content delta)."""
    return cut_after(sse_bytes("01_text"), 3) + b"".join(tail)  # start, block start, ping


def run_raw(h: Harness) -> list[RawMessageStreamEvent]:
    def sync(c: Anthropic) -> list[RawMessageStreamEvent]:
        with create_stream(c) as stream:
            return list(stream)

    async def async_(c: AsyncAnthropic) -> list[RawMessageStreamEvent]:
        async with await acreate_stream(c) as stream:
            return [event async for event in stream]

    return h.run(sync, async_)


def final_message(h: Harness) -> Message:
    def sync(c: Anthropic) -> Message:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hello")) as stream:
            return stream.get_final_message()

    async def async_(c: AsyncAnthropic) -> Message:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hello")) as stream:
            return await stream.get_final_message()

    return h.run(sync, async_)


@dataclass
class Observed:
    """What a `messages.stream` consumer saw."""

    events: list[MessageStreamEvent]
    final: Message
    retries_taken: int
    request_id: str | None
    response: httpx.Response


def observe(h: Harness) -> Observed:
    def sync(c: Anthropic) -> Observed:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hello")) as stream:
            events = list(stream)
            return Observed(
                events,
                stream.get_final_message(),
                stream.retries_taken,
                stream.request_id,
                stream.response,
            )

    async def async_(c: AsyncAnthropic) -> Observed:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hello")) as stream:
            events = [event async for event in stream]
            return Observed(
                events,
                await stream.get_final_message(),
                stream.retries_taken,
                stream.request_id,
                stream.response,
            )

    return h.run(sync, async_)


# --- raw streams: create(stream=True) --------------------------------------------------------


@pytest.mark.parametrize("name", FINAL_FIXTURES)
@pytest.mark.parametrize("chunk_size", [None, 1, 13])
def test_create_stream_yields_the_typed_raw_events(
    kind: str, name: str, chunk_size: int | None
) -> None:
    body = sse_bytes(name)
    h = harness(kind, SSEReply(body, chunk_size=chunk_size))
    events = run_raw(h)
    expected = wire_events(body)
    assert [e.type for e in events] == [d["type"] for d in expected]
    for event, data in zip(events, expected, strict=True):
        assert type(event) is RAW_CLASSES[data["type"]]
        if isinstance(event, RawContentBlockDeltaEvent):
            assert type(event.delta) is DELTA_CLASSES[data["delta"]["type"]]
        assert event.to_dict() == data


def test_create_stream_request(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("01_text")))
    run_raw(h)
    (request,) = h.handler.requests
    assert request.headers["accept"] == "text/event-stream"
    assert json.loads(request.content)["stream"] is True


def test_messages_stream_request(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("01_text")))
    final_message(h)
    (request,) = h.handler.requests
    assert request.headers["accept"] == "text/event-stream"
    body = json.loads(request.content)
    assert body["stream"] is True
    assert body["model"] == MODEL


def test_stream_metadata(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("01_text"), request_id="req_meta", headers={"x-a": "1"}))

    def sync(c: Anthropic) -> tuple[str | None, str, int, bool]:
        with create_stream(c) as stream:
            return (
                stream.request_id,
                stream.headers["x-a"],
                stream.response.status_code,
                stream.headers["content-type"].startswith("text/event-stream"),
            )

    async def async_(c: AsyncAnthropic) -> tuple[str | None, str, int, bool]:
        async with await acreate_stream(c) as stream:
            return (
                stream.request_id,
                stream.headers["x-a"],
                stream.response.status_code,
                stream.headers["content-type"].startswith("text/event-stream"),
            )

    assert h.run(sync, async_) == ("req_meta", "1", 200, True)


def test_next_on_a_raw_stream(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("01_text")))

    def sync(c: Anthropic) -> list[str]:
        with create_stream(c) as stream:
            return [next(stream).type, next(stream).type]

    async def async_(c: AsyncAnthropic) -> list[str]:
        async with await acreate_stream(c) as stream:
            return [(await stream.__anext__()).type, (await stream.__anext__()).type]

    assert h.run(sync, async_) == ["message_start", "content_block_start"]


def test_error_event_raises_the_typed_error(kind: str) -> None:
    reply = SSEReply(sse_bytes("04_error_midstream"), request_id="req_header")
    h = harness(kind, reply)
    seen: list[str] = []

    def sync(c: Anthropic) -> None:
        with create_stream(c) as stream:
            for event in stream:
                seen.append(event.type)

    async def async_(c: AsyncAnthropic) -> None:
        async with await acreate_stream(c) as stream:
            async for event in stream:
                seen.append(event.type)

    with pytest.raises(OverloadedError) as caught:
        h.run(sync, async_)
    exc = caught.value
    assert exc.status_code == 200
    assert exc.request_id == ERROR_REQUEST_ID  # the event's own id wins over the header
    assert exc.type == "overloaded_error"
    assert exc.api_message == "Overloaded"
    assert exc.response is not None
    assert exc.response.is_closed
    assert seen == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
    ]
    assert len(h.handler.requests) == 1  # never retried
    assert reply.streams[0].closed


def test_error_event_then_a_reset_raises_the_typed_error(kind: str) -> None:
    reply = SSEReply(sse_bytes("04_error_midstream"), error=httpx.ReadError("reset"))
    h = harness(kind, reply)

    def sync(c: Anthropic) -> None:
        with create_stream(c) as stream:
            for _ in stream:
                pass

    async def async_(c: AsyncAnthropic) -> None:
        async with await acreate_stream(c) as stream:
            async for _ in stream:
                pass

    with pytest.raises(OverloadedError):
        h.run(sync, async_)


def test_error_event_without_request_id_uses_the_header(kind: str) -> None:
    body = before_content(
        sse_event("error", {"type": "error", "error": {"type": "api_error", "message": "x"}})
    )
    h = harness(kind, SSEReply(body, request_id="req_hdr"))
    with pytest.raises(APIStatusError) as caught:
        run_raw(h)
    assert caught.value.request_id == "req_hdr"
    assert caught.value.type == "api_error"


def test_stream_cut_before_message_stop(kind: str) -> None:
    body = cut_after(sse_bytes("01_text"), 5)  # start, block start, ping, two deltas
    reply = SSEReply(body)
    h = harness(kind, reply)
    with pytest.raises(APIConnectionError) as caught:
        run_raw(h)
    message = str(caught.value)
    assert "before message_stop" in message
    assert "message_start x1" in message
    assert "content_block_start x1" in message
    assert "content_block_delta x2" in message
    assert "4 events" in message
    assert not isinstance(caught.value, APITimeoutError)
    assert reply.streams[0].closed
    assert len(h.handler.requests) == 1  # a raw stream is never re-sent


def test_stream_cut_in_the_middle_of_an_event(kind: str) -> None:
    body = sse_bytes("01_text")
    cut = body.index(b"pulling on")
    h = harness(kind, SSEReply(body[:cut]))
    with pytest.raises(APIConnectionError, match=r"4 events \(.*content_block_delta x2\)"):
        run_raw(h)


def test_empty_stream(kind: str) -> None:
    h = harness(kind, SSEReply(b""))
    with pytest.raises(APIConnectionError, match="received no events"):
        run_raw(h)


@pytest.mark.parametrize(
    "exc",
    [httpx.ReadError("connection reset"), httpx.RemoteProtocolError("peer closed")],
    ids=["ReadError", "RemoteProtocolError"],
)
def test_transport_error_mid_stream(kind: str, exc: Exception) -> None:
    reply = SSEReply(cut_after(sse_bytes("01_text"), 4), error=exc)
    h = harness(kind, reply)
    with pytest.raises(APIConnectionError) as caught:
        run_raw(h)
    assert not isinstance(caught.value, APITimeoutError)
    assert str(exc) in str(caught.value)
    assert "mid-stream" in str(caught.value)
    assert "content_block_delta x1" in str(caught.value)
    assert caught.value.__cause__ is exc
    assert caught.value.request is not None
    assert reply.streams[0].closed


def test_transport_error_without_message(kind: str) -> None:
    h = harness(kind, SSEReply(b"", error=httpx.ReadError("")))
    with pytest.raises(APIConnectionError, match=r"\(ReadError\) after receiving no events"):
        run_raw(h)


def test_timeout_mid_stream(kind: str) -> None:
    h = harness(kind, SSEReply(cut_after(sse_bytes("01_text"), 2), error=httpx.ReadTimeout("t")))
    with pytest.raises(APITimeoutError, match="timed out after receiving 2 events"):
        run_raw(h)


def test_gzip_encoded_stream(kind: str) -> None:
    body = gzip.compress(sse_bytes("01_text"))
    h = harness(kind, SSEReply(body, chunk_size=16, headers={"content-encoding": "gzip"}))
    events = run_raw(h)
    assert [e.type for e in events][-1] == "message_stop"
    assert len(events) == len(wire_events(sse_bytes("01_text")))


def test_malformed_event_json(kind: str) -> None:
    body = before_content(b"event: content_block_delta\ndata: {not json\n\n")
    h = harness(kind, SSEReply(body))
    with pytest.raises(APIResponseValidationError, match="malformed 'content_block_delta'"):
        run_raw(h)


def test_unknown_events_are_kept_and_pings_skipped(kind: str) -> None:
    body = terminated(
        (
            RECORDED_DIR
            / "anthropic-sdk-python-2.14.0/lib/streaming/fixtures/unknown_events_response.txt"
        ).read_bytes()
    )
    events = run_raw(harness(kind, SSEReply(body)))
    types = [e.type for e in events]
    assert types.count("future_event") == 3
    assert "ping" not in types
    assert all(isinstance(e, UnknownEvent) for e in events if e.type == "future_event")
    assert types[-1] == "future_event"  # after message_stop: still passed on


# --- releasing the connection ----------------------------------------------------------------


def test_released_on_exhaustion(kind: str) -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=64)
    h = harness(kind, reply)

    def sync(c: Anthropic) -> bool:
        stream = create_stream(c)
        for _ in stream:
            pass
        return stream.response.is_closed

    async def async_(c: AsyncAnthropic) -> bool:
        stream = await acreate_stream(c)
        async for _ in stream:
            pass
        return stream.response.is_closed

    assert h.run(sync, async_)  # no close(), no `with`: exhaustion released it
    assert reply.streams[0].closed


@pytest.mark.parametrize("read_first", [0, 1, 3])
def test_released_on_close(kind: str, read_first: int) -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=32)
    h = harness(kind, reply)

    def sync(c: Anthropic) -> tuple[bool, bool]:
        stream = create_stream(c)
        for _ in range(read_first):
            next(stream)
        before = stream.response.is_closed
        stream.close()
        return before, stream.response.is_closed

    async def async_(c: AsyncAnthropic) -> tuple[bool, bool]:
        stream = await acreate_stream(c)
        for _ in range(read_first):
            await stream.__anext__()
        before = stream.response.is_closed
        await stream.close()
        return before, stream.response.is_closed

    assert h.run(sync, async_) == (False, True)
    assert reply.streams[0].closed
    assert reply.streams[0].delivered < len(reply.streams[0].chunks)  # not read to the end


class ConsumerError(Exception):
    pass


def test_released_on_an_exception_in_the_consumer_loop(kind: str) -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=32)
    h = harness(kind, reply)
    streams: list[Stream | AsyncStream] = []

    def sync(c: Anthropic) -> None:
        with create_stream(c) as stream:
            streams.append(stream)
            for _ in stream:
                raise ConsumerError

    async def async_(c: AsyncAnthropic) -> None:
        async with await acreate_stream(c) as stream:
            streams.append(stream)
            async for _ in stream:
                raise ConsumerError

    with pytest.raises(ConsumerError):
        h.run(sync, async_)
    assert streams[0].response.is_closed
    assert reply.streams[0].closed


def test_released_after_an_error_event(kind: str) -> None:
    reply = SSEReply(sse_bytes("04_error_midstream"))
    h = harness(kind, reply)
    streams: list[Stream | AsyncStream] = []

    def sync(c: Anthropic) -> None:
        stream = create_stream(c)
        streams.append(stream)
        list(stream)

    async def async_(c: AsyncAnthropic) -> None:
        stream = await acreate_stream(c)
        streams.append(stream)
        async for _ in stream:
            pass

    with pytest.raises(OverloadedError):
        h.run(sync, async_)
    assert streams[0].response.is_closed
    assert reply.streams[0].closed


def test_message_stream_released_when_the_block_ends_early(kind: str) -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=32)
    h = harness(kind, reply)

    def sync(c: Anthropic) -> tuple[bool, bool]:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            next(stream)
            inside = stream.response.is_closed
        return inside, stream.response.is_closed

    async def async_(c: AsyncAnthropic) -> tuple[bool, bool]:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            await stream.__anext__()
            inside = stream.response.is_closed
        return inside, stream.response.is_closed

    assert h.run(sync, async_) == (False, True)
    assert reply.streams[0].closed


def test_message_stream_released_on_a_consumer_exception(kind: str) -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=32)
    h = harness(kind, reply)

    def sync(c: Anthropic) -> None:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            for _ in stream.text_stream:
                raise ConsumerError

    async def async_(c: AsyncAnthropic) -> None:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            async for _ in stream:
                raise ConsumerError

    with pytest.raises(ConsumerError):
        h.run(sync, async_)
    assert reply.streams[0].closed


def test_message_stream_close(kind: str) -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=32)
    h = harness(kind, reply)

    def sync(c: Anthropic) -> bool:
        manager = c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi"))
        stream = manager.__enter__()
        stream.close()
        return stream.response.is_closed

    async def async_(c: AsyncAnthropic) -> bool:
        manager = c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi"))
        stream = await manager.__aenter__()
        await stream.close()
        return stream.response.is_closed

    assert h.run(sync, async_)
    assert reply.streams[0].closed


def test_manager_exit_without_enter_is_harmless(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("01_text")))

    def sync(c: Anthropic) -> int:
        manager = c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi"))
        manager.__exit__(None, None, None)
        return len(h.handler.requests)

    async def async_(c: AsyncAnthropic) -> int:
        manager = c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi"))
        await manager.__aexit__(None, None, None)
        return len(h.handler.requests)

    assert h.run(sync, async_) == 0  # the request is sent on enter, not before


# --- the stream helper: messages.stream(...) -------------------------------------------------


@pytest.mark.parametrize("name", FINAL_FIXTURES)
def test_get_final_message_matches_the_final_json(kind: str, name: str) -> None:
    h = harness(kind, SSEReply(sse_bytes(name), chunk_size=7))
    message = final_message(h)
    assert message.to_dict() == json.loads((SSE_DIR / f"{name}.final.json").read_text())


@pytest.mark.parametrize("name", FINAL_FIXTURES)
def test_text_stream_yields_only_text(kind: str, name: str) -> None:
    h = harness(kind, SSEReply(sse_bytes(name)))

    def sync(c: Anthropic) -> list[str]:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            return list(stream.text_stream)

    async def async_(c: AsyncAnthropic) -> list[str]:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            return [text async for text in stream.text_stream]

    assert h.run(sync, async_) == EXPECTED_TEXT_DELTAS[name]


@pytest.mark.parametrize("name", FINAL_FIXTURES)
def test_get_final_text(kind: str, name: str) -> None:
    h = harness(kind, SSEReply(sse_bytes(name)))

    def sync(c: Anthropic) -> str:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            return stream.get_final_text()

    async def async_(c: AsyncAnthropic) -> str:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            return await stream.get_final_text()

    assert h.run(sync, async_) == EXPECTED_TEXT[name]


def test_until_done_then_snapshot_is_final(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("03_text_tool_use")))

    def sync(c: Anthropic) -> tuple[bool, bool, bool]:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            stream.until_done()
            snapshot = stream.current_message_snapshot
            final = stream.get_final_message()
            return snapshot is final, stream.response.is_closed, final.stop_reason == "tool_use"

    async def async_(c: AsyncAnthropic) -> tuple[bool, bool, bool]:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            await stream.until_done()
            snapshot = stream.current_message_snapshot
            final = await stream.get_final_message()
            return snapshot is final, stream.response.is_closed, final.stop_reason == "tool_use"

    assert h.run(sync, async_) == (True, True, True)


def test_current_message_snapshot_mid_stream(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("01_text"), chunk_size=5))

    def texts_of(message: Message) -> list[str]:
        return [b.text for b in message.content if isinstance(b, TextBlock)]

    def sync(c: Anthropic) -> list[tuple[list[str], str | None]]:
        seen = []
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            for event in stream:
                if isinstance(event, TextEvent):
                    snap = stream.current_message_snapshot
                    seen.append((texts_of(snap), snap.stop_reason))
        return seen

    async def async_(c: AsyncAnthropic) -> list[tuple[list[str], str | None]]:
        seen = []
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            async for event in stream:
                if isinstance(event, TextEvent):
                    snap = stream.current_message_snapshot
                    seen.append((texts_of(snap), snap.stop_reason))
        return seen

    assert h.run(sync, async_) == [
        (["Tides are caused"], None),
        (["Tides are caused mainly by the Moon's gravity"], None),
        (["Tides are caused mainly by the Moon's gravity pulling on Earth's oceans."], None),
    ]


def test_message_stream_events_in_order(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("03_text_tool_use"), request_id="req_events"))
    seen = observe(h)
    assert [e.type for e in seen.events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "text",
        "content_block_delta",
        "text",
        "content_block_stop",
        "content_block_start",
        *["content_block_delta", "input_json"] * 5,
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "input_json",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    texts = [e for e in seen.events if isinstance(e, TextEvent)]
    assert [e.snapshot for e in texts] == [
        "I'll look up the weather",
        "I'll look up the weather and the server time.",
    ]
    pieces = [e for e in seen.events if isinstance(e, InputJsonEvent)]
    assert pieces[2].snapshot == {"location": "Lisbon, Portugal"}
    stops = [e for e in seen.events if isinstance(e, ContentBlockStopEvent)]
    assert [e.content_block for e in stops] == seen.final.content
    tool = stops[1].content_block
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {"location": "Lisbon, Portugal", "unit": "celsius"}
    (stop,) = [e for e in seen.events if isinstance(e, MessageStopEvent)]
    assert stop.message == seen.final
    assert seen.retries_taken == 0
    assert seen.request_id == "req_events"
    assert seen.response.status_code == 200
    assert seen.response.is_closed


def test_message_stream_error_after_content_raises_without_resending(
    kind: str, waits: RecordedSleeps
) -> None:
    h = harness(kind, SSEReply(sse_bytes("04_error_midstream")), SSEReply(sse_bytes("01_text")))
    texts: list[str] = []
    snapshots: list[Message] = []

    def sync(c: Anthropic) -> None:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            try:
                for text in stream.text_stream:
                    texts.append(text)
            finally:
                snapshots.append(stream.current_message_snapshot)

    async def async_(c: AsyncAnthropic) -> None:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            try:
                async for text in stream.text_stream:
                    texts.append(text)
            finally:
                snapshots.append(stream.current_message_snapshot)

    with pytest.raises(OverloadedError) as caught:
        h.run(sync, async_)
    assert caught.value.request_id == ERROR_REQUEST_ID
    assert len(h.handler.requests) == 1
    assert waits.stream == []
    assert texts == ["Here is a summary of the", " quarterly report:\n\n1."]
    expected = json.loads((SSE_DIR / "04_error_midstream.expected.json").read_text())
    assert snapshots[0].to_dict() == expected["partial_snapshot_at_error"]


def test_message_stream_cut_after_content_raises(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, SSEReply(cut_after(sse_bytes("01_text"), 5)), SSEReply(sse_bytes("01_text")))
    with pytest.raises(APIConnectionError, match="content_block_delta x2"):
        final_message(h)
    assert len(h.handler.requests) == 1
    assert waits.stream == []


def test_messages_stream_rejects_stream_argument(kind: str) -> None:
    h = harness(kind)

    def sync(c: Anthropic) -> Any:
        return c.messages.stream(model=MODEL, max_tokens=1, messages=user("x"), stream=True)  # type: ignore[call-overload]

    async def async_(c: AsyncAnthropic) -> Any:
        return c.messages.stream(model=MODEL, max_tokens=1, messages=user("x"), stream=False)  # type: ignore[call-overload]

    with pytest.raises(UsageError, match="always streams"):
        h.run(sync, async_)
    assert h.handler.requests == []


def test_messages_stream_validates_parameters_before_sending(kind: str) -> None:
    h = harness(kind)

    def sync(c: Anthropic) -> Any:
        return c.messages.stream(model=MODEL, max_tokens=1, messages=user("x"), temprature=1)  # type: ignore[call-overload]

    async def async_(c: AsyncAnthropic) -> Any:
        return c.messages.stream(model=MODEL, max_tokens=1, messages=user("x"), temprature=1)  # type: ignore[call-overload]

    with pytest.raises(UsageError, match=r"messages\.stream\(\).*'temprature'.*'temperature'"):
        h.run(sync, async_)
    assert h.handler.requests == []


# --- transparent re-send ---------------------------------------------------------------------


def test_resend_after_an_error_event_before_content(kind: str, waits: RecordedSleeps) -> None:
    first = SSEReply(before_content(sse_error()), request_id="req_first")
    second = SSEReply(sse_bytes("01_text"), request_id="req_second")
    h = harness(kind, first, second)
    seen = observe(h)
    assert seen.final.to_dict() == json.loads((SSE_DIR / "01_text.final.json").read_text())
    assert seen.retries_taken == 1
    assert seen.request_id == "req_second"
    assert len(h.handler.requests) == 2
    assert h.handler.bodies[0] == h.handler.bodies[1]  # the same request, sent again
    assert len(waits.stream) == 1
    assert 0.375 <= waits.stream[0] <= 0.5  # backoff for the first retry, with jitter
    assert waits.request == []
    assert first.streams[0].closed
    # the caller saw no content twice: text arrived once, from the second response
    assert [e.text for e in seen.events if isinstance(e, TextEvent)] == EXPECTED_TEXT_DELTAS[
        "01_text"
    ]


@pytest.mark.parametrize(
    "first",
    [
        SSEReply(before_content(), error=httpx.ReadError("reset")),
        SSEReply(before_content()),  # ends before message_stop, no error
        SSEReply(b"", error=httpx.RemoteProtocolError("peer closed")),
        SSEReply(before_content(), error=httpx.ReadTimeout("slow")),
        SSEReply(before_content(sse_error("api_error", "Internal"))),
    ],
    ids=["reset", "eof", "reset-before-any-event", "timeout", "api_error-event"],
)
def test_resend_after_a_failure_before_content(
    kind: str, waits: RecordedSleeps, first: SSEReply
) -> None:
    first.streams.clear()
    h = harness(kind, first, SSEReply(sse_bytes("02_thinking_text")))
    seen = observe(h)
    assert seen.final.stop_reason == "end_turn"
    assert seen.retries_taken == 1
    assert len(h.handler.requests) == 2
    assert len(waits.stream) == 1
    assert first.streams[0].closed


def test_non_retryable_error_event_before_content_raises(kind: str, waits: RecordedSleeps) -> None:
    body = before_content(sse_error("invalid_request_error", "bad"))
    h = harness(kind, SSEReply(body), SSEReply(sse_bytes("01_text")))
    with pytest.raises(BadRequestError) as caught:
        final_message(h)
    assert caught.value.status_code == 200
    assert len(h.handler.requests) == 1
    assert waits.stream == []


@pytest.mark.parametrize("max_retries", [0, 1, 2, 3])
def test_resends_stop_at_max_retries(kind: str, waits: RecordedSleeps, max_retries: int) -> None:
    h = harness(kind, SSEReply(before_content(sse_error())), max_retries=max_retries)
    with pytest.raises(OverloadedError):
        final_message(h)
    assert len(h.handler.requests) == max_retries + 1
    assert len(waits.stream) == max_retries
    # exponential backoff: each wait in its own band (0.5 * 2**n, less up to 25% jitter)
    for n, wait in enumerate(waits.stream):
        base = min(0.5 * 2**n, 8.0)
        assert 0.75 * base <= wait <= base


def test_http_529_then_success(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(529, "overloaded_error"), SSEReply(sse_bytes("01_text")))
    seen = observe(h)
    assert seen.retries_taken == 1
    assert len(h.handler.requests) == 2
    assert len(waits.request) == 1
    assert waits.stream == []
    assert seen.final.stop_reason == "end_turn"


def test_http_and_stream_retries_share_the_budget(kind: str, waits: RecordedSleeps) -> None:
    h = harness(
        kind,
        error(529, "overloaded_error"),
        SSEReply(before_content(sse_error())),
        SSEReply(sse_bytes("01_text")),
        max_retries=2,
    )
    seen = observe(h)
    assert seen.retries_taken == 2
    assert len(h.handler.requests) == 3
    assert (len(waits.request), len(waits.stream)) == (1, 1)
    # the stream re-send is the second retry: its backoff is the second band
    assert 0.75 <= waits.stream[0] <= 1.0


def test_shared_budget_exhausted(kind: str, waits: RecordedSleeps) -> None:
    h = harness(
        kind,
        error(529, "overloaded_error"),
        SSEReply(before_content(sse_error())),
        SSEReply(sse_bytes("01_text")),
        max_retries=1,
    )
    with pytest.raises(OverloadedError) as caught:
        final_message(h)
    assert caught.value.status_code == 200  # the stream's error event, not the 529
    assert len(h.handler.requests) == 2


def test_resend_whose_request_fails_raises_that_error(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, SSEReply(before_content(sse_error())), error(400, "invalid_request_error"))
    with pytest.raises(BadRequestError) as caught:
        final_message(h)
    assert caught.value.status_code == 400
    assert len(h.handler.requests) == 2


def test_for_stream_failure_decisions() -> None:
    policy = RetryPolicy(max_retries=2, rand=lambda: 0.0)
    request = httpx.Request("POST", "https://api.test/v1/messages")
    response = httpx.Response(200, request=request)
    conn = APIConnectionError("cut", request=request)
    overloaded = OverloadedError(
        status_code=200,
        body={"type": "error", "error": {"type": "overloaded_error", "message": "x"}},
        response=response,
    )
    invalid = BadRequestError(
        status_code=200,
        body={"type": "error", "error": {"type": "invalid_request_error", "message": "x"}},
        response=response,
    )
    unknown_type = APIStatusError(
        status_code=200,
        body={"type": "error", "error": {"type": "brand_new_error", "message": "x"}},
        response=response,
    )
    spend = APIStatusError(
        status_code=200,
        body={
            "type": "error",
            "error": {
                "type": "rate_limit_error",
                "message": "x",
                "details": {"error_code": "enforced_spend_limit_reached"},
            },
        },
        response=response,
    )

    def decide(error: Exception, retries: int = 0, delivered: bool = False) -> tuple[bool, float]:
        decision = policy.for_stream_failure(retries, error, content_delivered=delivered)
        return decision.retry, decision.delay

    assert decide(conn) == (True, 0.5)
    assert decide(conn, retries=1) == (True, 1.0)
    assert decide(conn, retries=2) == (False, 0.0)
    assert decide(conn, delivered=True)[0] is False
    assert decide(overloaded) == (True, 0.5)
    assert decide(overloaded, delivered=True)[0] is False
    assert decide(invalid)[0] is False
    assert decide(unknown_type)[0] is True  # an unknown type counts as a server error
    assert decide(spend)[0] is False
    assert decide(ValueError("other"))[0] is False
    reason = policy.for_stream_failure(0, ValueError("x"), content_delivered=False).reason
    assert reason == "ValueError is not retryable"
    assert decide(OverloadedError(status_code=529, body=None, response=response)) == (True, 0.5)


# --- raw and streaming responses -------------------------------------------------------------


def test_with_raw_response_create_stream(kind: str) -> None:
    h = harness(kind, SSEReply(sse_bytes("01_text"), request_id="req_raw"))

    def sync(c: Anthropic) -> tuple[str | None, bool, list[str]]:
        raw = c.messages.with_raw_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi"), stream=True
        )
        stream = raw.parse()
        return raw.request_id, isinstance(stream, Stream), [e.type for e in stream]

    async def async_(c: AsyncAnthropic) -> tuple[str | None, bool, list[str]]:
        raw = await c.messages.with_raw_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi"), stream=True
        )
        stream = raw.parse()
        return raw.request_id, isinstance(stream, AsyncStream), [e.type async for e in stream]

    request_id, is_stream, types = h.run(sync, async_)
    assert request_id == "req_raw"
    assert is_stream
    assert types == [d["type"] for d in wire_events(sse_bytes("01_text"))]


def test_with_streaming_response_create_non_stream(kind: str) -> None:
    h = harness(kind, ok(message_body("streamed body"), request_id="req_sr"))

    def sync(c: Anthropic) -> tuple[str | None, bool, str, bool]:
        with c.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            request_id = response.request_id
            unread = not response.http_response.is_stream_consumed
            message = response.parse()
            assert isinstance(message, Message)
            text = message.content[0]
            assert isinstance(text, TextBlock)
        return request_id, unread, text.text, response.http_response.is_closed

    async def async_(c: AsyncAnthropic) -> tuple[str | None, bool, str, bool]:
        async with c.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            request_id = response.request_id
            unread = not response.http_response.is_stream_consumed
            message = await response.parse()
            assert isinstance(message, Message)
            text = message.content[0]
            assert isinstance(text, TextBlock)
        return request_id, unread, text.text, response.http_response.is_closed

    assert h.run(sync, async_) == ("req_sr", True, "streamed body", True)
    assert "stream" not in h.handler.last_body


def test_with_streaming_response_headers_before_body(kind: str) -> None:
    body = json.dumps(message_body("late")).encode()
    reply = SSEReply(body, chunk_size=10, headers={"content-type": "application/json"})
    h = harness(kind, reply)

    def sync(c: Anthropic) -> tuple[int, bool]:
        with c.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            delivered = reply.streams[0].delivered
            with pytest.raises(httpx.ResponseNotRead):
                _ = response.http_response.content
            return delivered, response.headers["content-type"] == "application/json"

    async def async_(c: AsyncAnthropic) -> tuple[int, bool]:
        async with c.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            delivered = reply.streams[0].delivered
            with pytest.raises(httpx.ResponseNotRead):
                _ = response.http_response.content
            return delivered, response.headers["content-type"] == "application/json"

    assert h.run(sync, async_) == (0, True)  # no body byte read before parse()
    assert reply.streams[0].closed  # released at the end of the block, unread


def test_with_streaming_response_create_stream(kind: str) -> None:
    reply = SSEReply(sse_bytes("02_thinking_text"))
    h = harness(kind, reply)

    def sync(c: Anthropic) -> list[str]:
        with c.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi"), stream=True
        ) as response:
            stream = response.parse()
            assert isinstance(stream, Stream)
            return [e.type for e in stream]

    async def async_(c: AsyncAnthropic) -> list[str]:
        async with c.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi"), stream=True
        ) as response:
            stream = await response.parse()
            assert isinstance(stream, AsyncStream)
            return [e.type async for e in stream]

    assert h.run(sync, async_) == [d["type"] for d in wire_events(sse_bytes("02_thinking_text"))]
    assert reply.streams[0].closed


def test_with_streaming_response_stream(kind: str) -> None:
    reply = SSEReply(sse_bytes("03_text_tool_use"), request_id="req_wsr")
    h = harness(kind, reply)

    def sync(c: Anthropic) -> tuple[str | None, str, bool]:
        with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            request_id = response.request_id
            stream = response.parse()
            assert isinstance(stream, MessageStream)
            text = stream.get_final_text()
        return request_id, text, stream.response.is_closed

    async def async_(c: AsyncAnthropic) -> tuple[str | None, str, bool]:
        async with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            request_id = response.request_id
            stream = await response.parse()
            assert isinstance(stream, AsyncMessageStream)
            text = await stream.get_final_text()
        return request_id, text, stream.response.is_closed

    assert h.run(sync, async_) == ("req_wsr", EXPECTED_TEXT["03_text_tool_use"], True)
    assert reply.streams[0].closed


def test_with_streaming_response_stream_closed_when_left_partly_read(kind: str) -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=32)
    h = harness(kind, reply)

    def sync(c: Anthropic) -> None:
        with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            next(response.parse())

    async def async_(c: AsyncAnthropic) -> None:
        async with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            await (await response.parse()).__anext__()

    h.run(sync, async_)
    assert reply.streams[0].closed
    assert reply.streams[0].delivered < len(reply.streams[0].chunks)


def test_with_streaming_response_stream_never_parsed(kind: str) -> None:
    reply = SSEReply(sse_bytes("01_text"))
    h = harness(kind, reply)

    def sync(c: Anthropic) -> int:
        with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            return response.status_code

    async def async_(c: AsyncAnthropic) -> int:
        async with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            return response.status_code

    assert h.run(sync, async_) == 200
    assert reply.streams[0].closed
    assert reply.streams[0].delivered == 0


def test_with_streaming_response_stream_resends(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, SSEReply(before_content(sse_error())), SSEReply(sse_bytes("01_text")))

    def sync(c: Anthropic) -> tuple[str, int]:
        with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            stream = response.parse()
            return stream.get_final_text(), stream.retries_taken

    async def async_(c: AsyncAnthropic) -> tuple[str, int]:
        async with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            stream = await response.parse()
            return await stream.get_final_text(), stream.retries_taken

    assert h.run(sync, async_) == (EXPECTED_TEXT["01_text"], 1)
    assert len(waits.stream) == 1


# --- conformance over recorded streams -------------------------------------------------------


def _recorded_id(path: Path) -> str:
    return str(path.relative_to(RECORDED_DIR))


@pytest.mark.parametrize("path", RECORDED_FILES, ids=_recorded_id)
def test_recorded_stream_parses_to_a_final_message(kind: str, path: Path) -> None:
    body = terminated(path.read_bytes())
    wire = wire_events(body)
    h = harness(kind, SSEReply(body, chunk_size=97))
    message = final_message(h)
    start = next(d for d in wire if d["type"] == "message_start")
    assert message.id == start["message"]["id"]
    assert message.model == start["message"]["model"]
    last_delta = [d for d in wire if d["type"] == "message_delta"][-1]
    assert message.stop_reason == last_delta["delta"]["stop_reason"]
    assert message.usage.output_tokens == last_delta["usage"]["output_tokens"]
    started = [
        d["content_block"]["type"]
        for d in wire[wire.index(start) :]
        if d["type"] == "content_block_start"
    ]
    assert [b.type for b in message.content] == started
    for block in message.content:
        if isinstance(block, UnknownBlock):  # beta-only block types are kept as they are
            assert block.type in {"compaction", "fallback"}


def _ends_unterminated(body: bytes) -> bool:
    return not body.endswith(b"\n\n")


UNTERMINATED = [p for p in RECORDED_FILES if _ends_unterminated(p.read_bytes())]


def test_some_recorded_files_lost_their_final_blank_line() -> None:
    assert len(UNTERMINATED) >= 10  # the Python SDK copies; see SOURCES.md
    assert any("typescript" in str(p) for p in RECORDED_FILES)
    assert not any("typescript" in str(p) for p in UNTERMINATED)


@pytest.mark.parametrize("path", UNTERMINATED, ids=_recorded_id)
def test_recorded_stream_without_its_final_blank_line_still_completes(
    kind: str, path: Path, waits: RecordedSleeps
) -> None:
    """Byte-exact: a last event missing only its line ends is kept when its JSON is complete."""
    body = path.read_bytes()
    h = harness(kind, SSEReply(body))
    message = final_message(h)
    assert message.stop_reason is not None
    assert message == final_message(harness(kind, SSEReply(terminated(body))))
    assert len(h.handler.requests) == 1
    assert waits.stream == []


@pytest.mark.parametrize("cut", [1, 5, 12])
def test_a_last_line_cut_mid_json_is_not_an_event(
    kind: str, cut: int, waits: RecordedSleeps
) -> None:
    body = terminated(sse_bytes("01_text")).rstrip(b"\n")
    assert body.endswith(b'{"type":"message_stop"}')
    h = harness(kind, SSEReply(body[:-cut]), max_retries=0)
    with pytest.raises(APIConnectionError, match="before message_stop.*message_delta x1"):
        final_message(h)


@pytest.mark.parametrize(
    "body",
    [sse_bytes(n) for n in FINAL_FIXTURES]
    + [
        terminated(p.read_bytes())
        for p in RECORDED_FILES
        if p.name in {"tool_use_invalid_json_response.txt", "incomplete_partial_json_response.txt"}
    ],
)
@pytest.mark.parametrize("chunk_size", [None, 1, 29])
def test_sync_and_async_give_identical_final_messages(body: bytes, chunk_size: int | None) -> None:
    finals = [
        final_message(harness(kind, SSEReply(body, chunk_size=chunk_size)))
        for kind in ("sync", "async")
    ]
    assert finals[0] == finals[1]
    assert finals[0].to_dict() == finals[1].to_dict()
    blocks = zip(finals[0].content, finals[1].content, strict=True)
    for sync_block, async_block in blocks:
        if isinstance(sync_block, ToolUseBlock):
            assert isinstance(async_block, ToolUseBlock)
            assert sync_block.input_error == async_block.input_error
            assert sync_block.raw_input_json == async_block.raw_input_json


def test_invalid_tool_json_through_the_client(kind: str) -> None:
    (path,) = [p for p in RECORDED_FILES if p.name == "tool_use_invalid_json_response.txt"]
    message = final_message(harness(kind, SSEReply(terminated(path.read_bytes()))))
    tool = message.content[1]
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {}
    assert tool.input_error is not None
    assert tool.raw_input_json == '{"location": "Paris", "unit": celsius}'


# --- asyncio and trio ------------------------------------------------------------------------


def async_client(*responses: Any, **kwargs: Any) -> tuple[AsyncAnthropic, Recorder]:
    recorder = Recorder(*responses)
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    return AsyncAnthropic(api_key=API_KEY, http_client=http, **kwargs), recorder


@pytest.mark.anyio
async def test_async_raw_stream_on_each_backend() -> None:
    client, _ = async_client(SSEReply(sse_bytes("03_text_tool_use"), chunk_size=11))
    async with client:
        stream = await acreate_stream(client)
        async with stream:
            events = [e async for e in stream]
        assert stream.response.is_closed
    assert [e.type for e in events] == [
        d["type"] for d in wire_events(sse_bytes("03_text_tool_use"))
    ]


@pytest.mark.anyio
async def test_async_message_stream_on_each_backend() -> None:
    client, _ = async_client(SSEReply(sse_bytes("02_thinking_text"), chunk_size=3))
    async with (
        client,
        client.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream,
    ):
        texts = [t async for t in stream.text_stream]
        final = await stream.get_final_message()
    assert texts == EXPECTED_TEXT_DELTAS["02_thinking_text"]
    assert final.to_dict() == json.loads((SSE_DIR / "02_thinking_text.final.json").read_text())


@pytest.mark.anyio
async def test_async_resend_on_each_backend(waits: RecordedSleeps) -> None:
    client, recorder = async_client(
        SSEReply(before_content(), error=httpx.ReadError("reset")), SSEReply(sse_bytes("01_text"))
    )
    async with (
        client,
        client.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream,
    ):
        text = await stream.get_final_text()
        retries = stream.retries_taken
    assert text == EXPECTED_TEXT["01_text"]
    assert retries == 1
    assert len(recorder.requests) == 2
    assert len(waits.stream) == 1


@pytest.mark.anyio
async def test_async_error_event_on_each_backend() -> None:
    reply = SSEReply(sse_bytes("04_error_midstream"))
    client, _ = async_client(reply)
    async with client:
        stream = await acreate_stream(client)
        with pytest.raises(OverloadedError) as caught:
            await _drain(stream)
    assert caught.value.request_id == ERROR_REQUEST_ID
    assert stream.response.is_closed
    assert reply.streams[0].closed


async def _drain(stream: AsyncStream) -> None:
    async for _ in stream:
        pass


# On trio, httpx's own body iterators, left suspended by an early close, are reported when
# garbage collected (the connection itself is released, as the test checks).
HTTPX_ASYNC_GENERATORS_ON_TRIO = (
    r"ignore:Exception ignored in. <async_generator object "
    r"(BoundAsyncStream\.__aiter__|Response\.aiter_raw):pytest.PytestUnraisableExceptionWarning"
)


@pytest.mark.anyio
@pytest.mark.filterwarnings(HTTPX_ASYNC_GENERATORS_ON_TRIO)
async def test_async_close_mid_stream_on_each_backend() -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=16)
    client, _ = async_client(reply)
    async with client:
        stream = await acreate_stream(client)
        first = await stream.__anext__()
        await stream.close()
        await anyio.lowlevel.checkpoint()
    assert first.type == "message_start"
    assert stream.response.is_closed
    assert reply.streams[0].closed


# --- StreamDecoder details -------------------------------------------------------------------


def decoder() -> StreamDecoder:
    request = httpx.Request("POST", "https://api.test/v1/messages")
    return StreamDecoder(httpx.Response(200, request=request, headers={"request-id": "req_d"}))


def test_decoder_skips_pings_and_counts_what_it_saw() -> None:
    d = decoder()
    assert d.received() == "no events"
    events = d.feed(sse_bytes("01_text"))
    assert not any(isinstance(e, PingEvent) for e in events)
    assert d.finished
    d.finish()  # complete: no error
    assert d.received() == (
        "8 events (message_start x1, content_block_start x1, content_block_stop x1, "
        "message_delta x1, message_stop x1, content_block_delta x3)"
    )


def test_decoder_error_type_under_another_event_name() -> None:
    d = decoder()
    data = {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}
    with pytest.raises(OverloadedError, match="busy"):
        d.feed(sse_event("message", data))


def test_decoder_error_event_that_is_not_json() -> None:
    d = decoder()
    with pytest.raises(APIStatusError) as caught:
        d.feed(b"event: error\ndata: upstream exploded\n\n")
    assert caught.value.status_code == 200
    assert caught.value.body == "upstream exploded"
    assert caught.value.request_id == "req_d"
    assert "upstream exploded" in str(caught.value)


def test_decoder_line_too_long_is_a_validation_error() -> None:
    request = httpx.Request("POST", "https://api.test/v1/messages")
    d = StreamDecoder(httpx.Response(200, request=request), max_line_bytes=32)
    with pytest.raises(APIResponseValidationError, match="exceeded 32 bytes"):
        d.feed(b"data: " + b"x" * 64)


def test_decoder_delta_name_with_another_type() -> None:
    d = decoder()
    # the name says content_block_delta, the JSON says message_stop: the JSON type decides
    (event,) = d.feed(sse_event("content_block_delta", {"type": "message_stop"}))
    assert isinstance(event, RawMessageStopEvent)
    assert d.finished


def test_decoder_ping_sent_as_a_message_event() -> None:
    d = decoder()
    (event,) = d.feed(sse_event("message", {"type": "ping"}))
    assert isinstance(event, PingEvent)


def test_decode_event_name_and_type_disagree() -> None:
    event = decode_event(
        ServerSentEvent("message_start", '{"type": "content_block_stop", "index": 2}')
    )
    assert isinstance(event, RawContentBlockStopEvent)
    assert event.index == 2
    unknown = decode_event(ServerSentEvent("message", '{"type": "future", "x": 1}'))
    assert isinstance(unknown, UnknownEvent)
    assert unknown.to_dict() == {"type": "future", "x": 1}


def test_decoder_connection_error_kinds() -> None:
    d = decoder()
    d.feed(cut_after(sse_bytes("01_text"), 1))
    timeout = d.connection_error(httpx.ConnectTimeout("slow"))
    assert isinstance(timeout, APITimeoutError)
    assert "timed out after receiving 1 events (message_start x1)" in str(timeout)
    reset = d.connection_error(httpx.ReadError("reset"))
    assert type(reset) is APIConnectionError
    assert "(reset)" in str(reset)


def test_decoder_hands_over_events_before_an_error_then_raises() -> None:
    d = decoder()
    body = sse_bytes("04_error_midstream")  # one chunk: four events, then the error event
    events = d.feed(body)
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
    ]
    with pytest.raises(OverloadedError) as at_finish:
        d.finish()
    assert at_finish.value.request_id == ERROR_REQUEST_ID
    with pytest.raises(OverloadedError) as at_feed:
        d.feed(sse_bytes("01_text"))  # nothing more is decoded after an error
    assert at_feed.value is at_finish.value


def test_decoder_error_first_in_a_chunk_raises_at_once() -> None:
    d = decoder()
    with pytest.raises(OverloadedError):
        d.feed(sse_error() + sse_bytes("01_text"))


@pytest.mark.parametrize("chunking", ["one-chunk", "byte-by-byte"])
def test_error_event_snapshot_does_not_depend_on_chunking(kind: str, chunking: str) -> None:
    chunk_size = 1 if chunking == "byte-by-byte" else None
    h = harness(kind, SSEReply(sse_bytes("04_error_midstream"), chunk_size=chunk_size))
    texts: list[str] = []

    def sync(c: Anthropic) -> None:
        with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            texts.extend(stream.text_stream)

    async def async_(c: AsyncAnthropic) -> None:
        async with c.messages.stream(model=MODEL, max_tokens=100, messages=user("Hi")) as stream:
            async for text in stream.text_stream:
                texts.append(text)

    with pytest.raises(OverloadedError):
        h.run(sync, async_)
    assert texts == ["Here is a summary of the", " quarterly report:\n\n1."]
    assert len(h.handler.requests) == 1  # content reached the caller: no re-send


def test_decoder_malformed_event_after_good_ones() -> None:
    d = decoder()
    events = d.feed(cut_after(sse_bytes("01_text"), 2) + b"event: message_delta\ndata: {}\n\n")
    assert [e.type for e in events] == ["message_start", "content_block_start"]
    with pytest.raises(APIResponseValidationError, match="malformed 'message_delta'") as caught:
        d.finish()
    assert caught.value.__cause__ is not None


def test_message_stream_is_its_own_context_manager(kind: str) -> None:
    reply = SSEReply(sse_bytes("01_text"), chunk_size=32)
    h = harness(kind, reply)

    def sync(c: Anthropic) -> tuple[str, bool]:
        with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            with response.parse() as stream:
                first = next(stream).type
            return first, stream.response.is_closed

    async def async_(c: AsyncAnthropic) -> tuple[str, bool]:
        async with c.messages.with_streaming_response.stream(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            async with await response.parse() as stream:
                first = (await stream.__anext__()).type
            return first, stream.response.is_closed

    assert h.run(sync, async_) == ("message_start", True)
    assert reply.streams[0].closed


def test_with_streaming_response_read(kind: str) -> None:
    h = harness(kind, ok(message_body("raw bytes")))

    def sync(c: Anthropic) -> bytes:
        with c.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            return response.read()

    async def async_(c: AsyncAnthropic) -> bytes:
        async with c.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user("Hi")
        ) as response:
            return await response.read()

    assert json.loads(h.run(sync, async_)) == message_body("raw bytes")


def test_waits_really_sleep_outside_record_sleeps() -> None:
    from agentkit._core.effects import Sleep
    from agentkit._drive import asleep, sleep

    sleep(Sleep(0))  # what record_sleeps() replaces, so re-sends in tests never really wait
    anyio.run(asleep, Sleep(0, "stream"))
