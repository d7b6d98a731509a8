"""Folding stream events into a `Message` (PROTOCOL §6.3), sans-IO."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentkit import OverloadedError
from agentkit._core import accumulate as accumulate_module
from agentkit._core.accumulate import (
    CitationEvent,
    ContentBlockStopEvent,
    InputJsonEvent,
    MessageAccumulator,
    MessageStopEvent,
    MessageStreamEvent,
    SignatureEvent,
    StreamProtocolError,
    TextEvent,
    ThinkingEvent,
)
from agentkit._core.stream_decoder import StreamDecoder
from agentkit.types.content import (
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    UnknownBlock,
)
from agentkit.types.stream_events import (
    PingEvent,
    RawContentBlockDeltaEvent,
    RawMessageStreamEvent,
    UnknownDelta,
    UnknownEvent,
)
from tests.helpers import RECORDED_DIR, SSE_DIR, load_json, terminated

STREAMING_214 = RECORDED_DIR / "anthropic-sdk-python-2.14.0" / "lib" / "streaming" / "fixtures"
FINAL_FIXTURES = sorted(p for p in SSE_DIR.glob("*.sse") if p.with_suffix(".final.json").exists())

MESSAGE_START: dict[str, Any] = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1, "service_tier": "standard"},
    },
}


def raw_events(body: bytes) -> list[RawMessageStreamEvent]:
    """The typed raw events of an SSE body (pings dropped), without requiring message_stop."""
    response = httpx.Response(200, request=httpx.Request("POST", "https://api.test/v1/messages"))
    return StreamDecoder(response).feed(body)


def fold(body: bytes) -> tuple[MessageAccumulator, list[MessageStreamEvent]]:
    acc = MessageAccumulator()
    out: list[MessageStreamEvent] = []
    for event in raw_events(body):
        out.extend(acc.process(event))
    return acc, out


def recorded(name: str) -> bytes:
    return terminated((STREAMING_214 / name).read_bytes())


def parse(data: dict[str, Any]) -> RawMessageStreamEvent:
    return raw_events(f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode())[0]


def start(index: int, block: dict[str, Any]) -> RawMessageStreamEvent:
    return parse({"type": "content_block_start", "index": index, "content_block": block})


def delta(index: int, body: dict[str, Any]) -> RawMessageStreamEvent:
    return parse({"type": "content_block_delta", "index": index, "delta": body})


def text_delta(index: int, text: str) -> RawMessageStreamEvent:
    return delta(index, {"type": "text_delta", "text": text})


def json_delta(index: int, piece: str) -> RawMessageStreamEvent:
    return delta(index, {"type": "input_json_delta", "partial_json": piece})


def stop(index: int) -> RawMessageStreamEvent:
    return parse({"type": "content_block_stop", "index": index})


def message_delta(usage: dict[str, Any], **fields: Any) -> RawMessageStreamEvent:
    return parse({"type": "message_delta", "delta": fields, "usage": usage})


MESSAGE_STOP: dict[str, Any] = {"type": "message_stop"}

TOOL = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}


def run(*events: RawMessageStreamEvent) -> tuple[MessageAccumulator, list[MessageStreamEvent]]:
    acc = MessageAccumulator()
    out: list[MessageStreamEvent] = []
    for event in (parse(MESSAGE_START), *events):
        out.extend(acc.process(event))
    return acc, out


# --- conformance -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", FINAL_FIXTURES, ids=lambda p: p.name)
def test_transcript_folds_to_its_final_json(path: Path) -> None:
    acc, events = fold(path.read_bytes())
    assert acc.done
    expected = json.loads(path.with_suffix(".final.json").read_text())
    assert acc.final_message().to_dict() == expected
    assert acc.snapshot() is acc.final_message()
    last = events[-1]
    assert isinstance(last, MessageStopEvent)
    assert last.message is acc.final_message()


def test_there_are_three_final_fixtures() -> None:
    assert [p.name for p in FINAL_FIXTURES] == [
        "01_text.sse",
        "02_thinking_text.sse",
        "03_text_tool_use.sse",
    ]


def test_error_midstream_snapshot_at_the_error() -> None:
    expected = load_json("sse/04_error_midstream.expected.json")
    body = (SSE_DIR / "04_error_midstream.sse").read_bytes()
    acc = MessageAccumulator()
    response = httpx.Response(200, request=httpx.Request("POST", "https://api.test/v1/messages"))
    decoder = StreamDecoder(response)

    def feed_all() -> None:
        # line by line, so the events before the error are applied
        for line in body.splitlines(keepends=True):
            for event in decoder.feed(line):
                acc.process(event)

    with pytest.raises(OverloadedError):
        feed_all()
    assert not acc.done
    assert acc.snapshot().to_dict() == expected["partial_snapshot_at_error"]
    with pytest.raises(StreamProtocolError):
        acc.final_message()


# --- snapshots -------------------------------------------------------------------------------


def test_snapshot_mid_stream_shows_the_text_so_far() -> None:
    acc = MessageAccumulator()
    texts = []
    for event in raw_events((SSE_DIR / "01_text.sse").read_bytes()):
        acc.process(event)
        if isinstance(event, RawContentBlockDeltaEvent):
            snap = acc.snapshot()
            block = snap.content[0]
            assert isinstance(block, TextBlock)
            assert snap.stop_reason is None
            texts.append(block.text)
    assert texts == [
        "Tides are caused",
        "Tides are caused mainly by the Moon's gravity",
        "Tides are caused mainly by the Moon's gravity pulling on Earth's oceans.",
    ]


def test_snapshot_is_cached_until_the_next_event() -> None:
    acc, _ = run(start(0, {"type": "text", "text": ""}), text_delta(0, "a"))
    first = acc.snapshot()
    assert acc.snapshot() is first
    acc.process(text_delta(0, "b"))
    second = acc.snapshot()
    assert second is not first
    assert [b.text for b in second.content if isinstance(b, TextBlock)] == ["ab"]
    assert [b.text for b in first.content if isinstance(b, TextBlock)] == ["a"]


def test_snapshot_before_message_start_raises() -> None:
    with pytest.raises(StreamProtocolError, match="before message_start"):
        MessageAccumulator().snapshot()


def test_text_event_snapshots_are_values_at_event_time() -> None:
    _, events = fold((SSE_DIR / "01_text.sse").read_bytes())
    texts = [e for e in events if isinstance(e, TextEvent)]
    # read after the whole stream (and after the final message joined the chunks)
    assert [e.text for e in texts] == [
        "Tides are caused",
        " mainly by the Moon's gravity",
        " pulling on Earth's oceans.",
    ]
    assert [e.snapshot for e in texts] == [
        "Tides are caused",
        "Tides are caused mainly by the Moon's gravity",
        "Tides are caused mainly by the Moon's gravity pulling on Earth's oceans.",
    ]
    assert all(e.type == "text" for e in texts)


def test_event_snapshots_survive_interleaved_snapshot_reads() -> None:
    acc = MessageAccumulator()
    acc.process(parse(MESSAGE_START))
    acc.process(start(0, {"type": "text", "text": ""}))
    events: list[TextEvent] = []
    for piece in ["a", "b", "c", "d"]:
        (_, event) = acc.process(text_delta(0, piece))
        assert isinstance(event, TextEvent)
        events.append(event)
        acc.snapshot()  # joins the chunks so far
    assert [e.snapshot for e in events] == ["a", "ab", "abc", "abcd"]


def test_thinking_and_signature_events() -> None:
    acc, events = fold((SSE_DIR / "02_thinking_text.sse").read_bytes())
    thinking = [e for e in events if isinstance(e, ThinkingEvent)]
    assert [e.snapshot for e in thinking] == [
        "The user wants 17 * 24. ",
        "The user wants 17 * 24. 17 * 20 = 340 and 17 * 4 = 68, ",
        "The user wants 17 * 24. 17 * 20 = 340 and 17 * 4 = 68, so the total is 408.",
    ]
    assert thinking[0].thinking == "The user wants 17 * 24. "
    assert thinking[0].type == "thinking"
    (signature,) = [e for e in events if isinstance(e, SignatureEvent)]
    assert signature.type == "signature"
    block = acc.final_message().content[0]
    assert isinstance(block, ThinkingBlock)
    assert block.signature == signature.signature


def test_input_json_event_snapshots_are_values_at_event_time() -> None:
    _, events = fold((SSE_DIR / "03_text_tool_use.sse").read_bytes())
    pieces = [e for e in events if isinstance(e, InputJsonEvent)]
    assert [e.partial_json for e in pieces] == [
        "",
        '{"location": "Lis',
        'bon, Portugal"',
        ', "unit": "cel',
        'sius"}',
        "",
    ]
    assert [e.snapshot for e in pieces] == [
        {},
        {"location": "Lis"},
        {"location": "Lisbon, Portugal"},
        {"location": "Lisbon, Portugal", "unit": "cel"},
        {"location": "Lisbon, Portugal", "unit": "celsius"},
        {},  # the second tool: its only chunk is ""
    ]
    assert pieces[0].type == "input_json"


def test_block_stop_events_carry_the_finished_blocks() -> None:
    acc, events = fold((SSE_DIR / "03_text_tool_use.sse").read_bytes())
    stops = [e for e in events if isinstance(e, ContentBlockStopEvent)]
    assert [e.index for e in stops] == [0, 1, 2]
    assert [e.type for e in stops] == ["content_block_stop"] * 3
    assert stops[0].content_block == acc.final_message().content[0]
    tool = stops[1].content_block
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {"location": "Lisbon, Portugal", "unit": "celsius"}
    assert tool.input_error is None
    assert tool.raw_input_json is None


def test_partial_tool_input_in_the_snapshot() -> None:
    acc, _ = run(start(0, TOOL), json_delta(0, '{"city": "Par'))
    block = acc.snapshot().content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.input == {"city": "Par"}
    assert acc._blocks[0].joined() == '{"city": "Par'  # the raw JSON so far


def test_partial_tool_input_that_is_not_an_object_shows_as_empty() -> None:
    acc, _ = run(start(0, TOOL), json_delta(0, "[1, 2"))
    block = acc.snapshot().content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.input == {}


# --- tool input ------------------------------------------------------------------------------


def test_empty_tool_input_is_an_empty_object() -> None:
    acc, _ = fold((SSE_DIR / "03_text_tool_use.sse").read_bytes())
    tool = acc.final_message().content[2]
    assert isinstance(tool, ToolUseBlock)
    assert tool.name == "get_server_time"
    assert tool.input == {}
    assert tool.input_error is None


def test_tool_without_any_delta_keeps_its_start_input() -> None:
    acc, _ = run(start(0, TOOL), stop(0), parse(MESSAGE_STOP))
    tool = acc.final_message().content[0]
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {}
    assert tool.input_error is None


def test_whitespace_only_tool_input_is_an_empty_object() -> None:
    acc, _ = run(start(0, TOOL), json_delta(0, "  "), stop(0), parse(MESSAGE_STOP))
    tool = acc.final_message().content[0]
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {}
    assert tool.input_error is None


def test_tool_input_is_parsed_once_at_block_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[str] = []
    partial: list[str] = []

    def counting_loads(text: str) -> Any:
        loads.append(text)
        return json.loads(text)

    def counting_partial(text: str) -> Any:
        partial.append(text)
        return None

    monkeypatch.setattr(accumulate_module, "json", types.SimpleNamespace(loads=counting_loads))
    monkeypatch.setattr(accumulate_module, "parse_partial_json", counting_partial)
    pieces = ['{"n', '": [', "1, 2", "]}"]
    acc = MessageAccumulator()
    acc.process(parse(MESSAGE_START))
    acc.process(start(0, TOOL))
    for piece in pieces:
        acc.process(json_delta(0, piece))
    assert loads == []
    assert partial == []
    acc.process(stop(0))
    assert loads == ['{"n": [1, 2]}']
    acc.process(parse(MESSAGE_STOP))
    assert loads == ['{"n": [1, 2]}']  # not parsed again for the final message
    assert partial == []
    tool = acc.final_message().content[0]
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {"n": [1, 2]}


def test_invalid_tool_json_does_not_crash_the_final_message() -> None:
    acc, events = fold(recorded("tool_use_invalid_json_response.txt"))
    message = acc.final_message()
    assert message.stop_reason == "tool_use"
    text, tool = message.content
    assert isinstance(text, TextBlock)
    assert text.text == "I'll check the current weather in Paris for you."
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {}
    assert tool.raw_input_json == '{"location": "Paris", "unit": celsius}'
    assert tool.input_error is not None
    assert "not valid JSON" in tool.input_error
    stops = [e for e in events if isinstance(e, ContentBlockStopEvent)]
    assert stops[1].content_block is tool


def test_tool_json_that_is_not_an_object_is_marked() -> None:
    acc, _ = run(start(0, TOOL), json_delta(0, "[1, 2]"), stop(0), parse(MESSAGE_STOP))
    tool = acc.final_message().content[0]
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {}
    assert tool.input_error == "the tool input must be a JSON object, got list"
    assert tool.raw_input_json == "[1, 2]"


def test_tool_cut_off_by_max_tokens() -> None:
    acc, events = fold(recorded("incomplete_partial_json_response.txt"))
    # no content_block_stop for the tool block
    assert [e.index for e in events if isinstance(e, ContentBlockStopEvent)] == [0]
    message = acc.final_message()
    assert message.stop_reason == "max_tokens"
    text, tool = message.content
    assert isinstance(text, TextBlock)
    assert text.text.startswith("I'll create a comprehensive tax guide")
    assert isinstance(tool, ToolUseBlock)
    assert tool.name == "make_file"
    assert tool.input == {}
    assert tool.input_error is not None
    assert "cut off" in tool.input_error
    assert tool.raw_input_json is not None
    assert tool.raw_input_json.startswith('{"filename": "taxes.txt"')


def test_cut_off_tool_whose_json_happens_to_be_complete_is_still_marked() -> None:
    acc, _ = run(start(0, TOOL), json_delta(0, '{"a": 1}'), parse(MESSAGE_STOP))
    tool = acc.final_message().content[0]
    assert isinstance(tool, ToolUseBlock)
    assert tool.input == {}
    assert tool.input_error is not None
    assert "cut off" in tool.input_error


def test_cut_off_tool_snapshot_before_stop_shows_the_partial_input() -> None:
    acc = MessageAccumulator()
    for event in raw_events(recorded("incomplete_partial_json_response.txt")):
        if event.type == "message_stop":
            break
        acc.process(event)
    tool = acc.snapshot().content[1]
    assert isinstance(tool, ToolUseBlock)
    assert tool.input["filename"] == "taxes.txt"
    assert tool.input["lines_of_text"][0].startswith("# COMPREHENSIVE TAX GUIDE")


def test_server_tool_use_input_and_citations() -> None:
    acc, events = fold(recorded("server_tool_use_response.txt"))
    message = acc.final_message()
    server_tool = message.content[0]
    assert isinstance(server_tool, ServerToolUseBlock)
    assert server_tool.input  # parsed from the streamed JSON
    assert isinstance(server_tool.input, dict)
    assert message.content[1].type == "web_search_tool_result"
    text = message.content[2]
    assert isinstance(text, TextBlock)
    citations = [e for e in events if isinstance(e, CitationEvent)]
    assert citations
    assert text.citations is not None
    assert len(text.citations) == len(citations)
    assert message.usage.server_tool_use is not None


def test_invalid_server_tool_json_gives_empty_input() -> None:
    server = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}
    acc, _ = run(start(0, server), json_delta(0, "{oops"), stop(0), parse(MESSAGE_STOP))
    block = acc.final_message().content[0]
    assert isinstance(block, ServerToolUseBlock)
    assert block.input == {}


# --- deltas ----------------------------------------------------------------------------------

CITATION_1 = {
    "type": "char_location",
    "cited_text": "one",
    "document_index": 0,
    "document_title": None,
    "start_char_index": 0,
    "end_char_index": 3,
}
CITATION_2 = {**CITATION_1, "cited_text": "two", "start_char_index": 4, "end_char_index": 7}


@pytest.mark.parametrize("initial", [None, []], ids=["no-citations-field", "empty-citations"])
def test_citations_delta_appends(initial: list[Any] | None) -> None:
    block: dict[str, Any] = {"type": "text", "text": ""}
    if initial is not None:
        block["citations"] = initial
    acc, events = run(
        start(0, block),
        text_delta(0, "one two"),
        delta(0, {"type": "citations_delta", "citation": CITATION_1}),
        delta(0, {"type": "citations_delta", "citation": CITATION_2}),
        stop(0),
        parse(MESSAGE_STOP),
    )
    cites = [e for e in events if isinstance(e, CitationEvent)]
    assert [len(e.snapshot) for e in cites] == [1, 2]  # snapshot at event time
    assert cites[0].type == "citation"
    text = acc.final_message().content[0]
    assert isinstance(text, TextBlock)
    assert text.citations is not None
    assert [c.to_dict()["cited_text"] for c in text.citations] == ["one", "two"]
    assert acc.content_deltas == 3


def test_text_block_without_citations_has_none() -> None:
    acc, _ = run(start(0, {"type": "text", "text": "hi"}), stop(0), parse(MESSAGE_STOP))
    text = acc.final_message().content[0]
    assert isinstance(text, TextBlock)
    assert text.text == "hi"  # text given in the start event is kept
    assert text.citations is None
    assert "citations" not in text.to_dict()


def test_signature_delta_replaces() -> None:
    thinking = {"type": "thinking", "thinking": "Let me ", "signature": "old"}
    acc, _ = run(
        start(0, thinking),
        delta(0, {"type": "thinking_delta", "thinking": "think."}),
        delta(0, {"type": "signature_delta", "signature": "sig-1"}),
        delta(0, {"type": "signature_delta", "signature": "sig-2"}),
        stop(0),
        parse(MESSAGE_STOP),
    )
    block = acc.final_message().content[0]
    assert isinstance(block, ThinkingBlock)
    assert block.thinking == "Let me think."
    assert block.signature == "sig-2"


def test_thinking_snapshot_without_signature_has_empty_signature() -> None:
    thinking = {"type": "thinking", "thinking": "", "signature": ""}
    acc, _ = run(start(0, thinking), delta(0, {"type": "thinking_delta", "thinking": "hm"}))
    block = acc.snapshot().content[0]
    assert isinstance(block, ThinkingBlock)
    assert block.thinking == "hm"
    assert block.signature == ""


def test_unknown_block_and_delta_types_are_kept() -> None:
    future_block = {"type": "future_block", "payload": {"x": 1}}
    acc, events = run(
        start(0, future_block),
        delta(0, {"type": "future_delta", "more": 2}),
        stop(0),
        start(1, {"type": "text", "text": ""}),
        delta(1, {"type": "future_delta", "more": 3}),
        text_delta(1, "ok"),
        stop(1),
        parse(MESSAGE_STOP),
    )
    block, text = acc.final_message().content
    assert isinstance(block, UnknownBlock)
    assert block.to_dict() == future_block
    assert isinstance(text, TextBlock)
    assert text.text == "ok"
    unknown_deltas = [
        e
        for e in events
        if isinstance(e, RawContentBlockDeltaEvent) and e.delta.type == "future_delta"
    ]
    assert len(unknown_deltas) == 2  # passed on to the caller
    assert isinstance(unknown_deltas[0].delta, UnknownDelta)
    assert acc.content_deltas == 1  # only the text delta was applied


def test_beta_compaction_block_is_kept_as_unknown() -> None:
    acc, _ = fold(recorded("compaction_response.txt"))
    block, text = acc.final_message().content
    assert isinstance(block, UnknownBlock)
    assert block.type == "compaction"
    assert isinstance(text, TextBlock)
    assert text.text == "Hello there!"


# --- message_delta ---------------------------------------------------------------------------


def test_message_delta_overwrites_cumulative_usage() -> None:
    acc, _ = fold(recorded("message_delta_fields_response.txt"))
    message = acc.final_message()
    usage = message.usage.to_dict()
    assert usage["input_tokens"] == 40
    assert usage["cache_creation_input_tokens"] == 12
    assert usage["cache_read_input_tokens"] == 7
    assert usage["output_tokens"] == 8
    assert usage["output_tokens_details"] == {"thinking_tokens": 3}
    assert usage["server_tool_use"] == {"web_search_requests": 1, "web_fetch_requests": 0}
    # fields only message_start carries are kept
    assert usage["service_tier"] == "standard"
    assert usage["cache_creation"] == {
        "ephemeral_5m_input_tokens": 10,
        "ephemeral_1h_input_tokens": 0,
    }
    assert message.container is not None
    assert message.container.id == "container_01AbCdEfGh"
    assert message.stop_reason == "end_turn"


def test_message_delta_omitted_usage_fields_keep_their_values() -> None:
    acc, _ = fold(recorded("message_delta_omitted_usage_response.txt"))
    usage = acc.final_message().usage.to_dict()
    assert usage["input_tokens"] == 25
    assert usage["cache_creation_input_tokens"] == 10
    assert usage["cache_read_input_tokens"] == 5
    assert usage["output_tokens"] == 8
    assert usage["service_tier"] == "priority"
    assert "output_tokens_details" not in usage
    assert "server_tool_use" not in usage


def test_usage_is_overwritten_not_added_and_nulls_do_not_erase() -> None:
    acc, _ = run(
        message_delta({"output_tokens": 5, "input_tokens": 12}, stop_reason="end_turn"),
        message_delta({"output_tokens": 9, "input_tokens": None}),
        parse(MESSAGE_STOP),
    )
    message = acc.final_message()
    assert message.usage.output_tokens == 9  # cumulative: replaced, never summed
    assert message.usage.input_tokens == 12  # null / omitted keep the previous value
    assert message.stop_reason == "end_turn"  # the second delta did not send it


def test_stop_fields_sent_as_null_overwrite() -> None:
    acc, _ = run(
        message_delta({"output_tokens": 1}, stop_reason="stop_sequence", stop_sequence="END"),
        message_delta({"output_tokens": 2}, stop_sequence=None),
        parse(MESSAGE_STOP),
    )
    message = acc.final_message()
    assert message.stop_reason == "stop_sequence"
    assert message.stop_sequence is None


def test_refusal_stop_details() -> None:
    acc, _ = fold(recorded("refusal_response.txt"))
    message = acc.final_message()
    assert message.stop_reason == "refusal"
    assert message.stop_details is not None
    assert message.stop_details.to_dict()["category"] == "cyber"


def test_unknown_message_delta_fields_are_set_on_the_message() -> None:
    acc, _ = run(message_delta({"output_tokens": 1}, brand_new={"k": 1}), parse(MESSAGE_STOP))
    assert acc.final_message().to_dict()["brand_new"] == {"k": 1}


# --- event order -----------------------------------------------------------------------------


def test_events_before_message_start_are_ignored() -> None:
    acc = MessageAccumulator()
    raws = raw_events(recorded("unknown_events_response.txt"))
    first, second = raws[0], raws[1]
    assert isinstance(first, UnknownEvent)
    assert first.type == "future_event"
    assert acc.process(first) == [first]  # unknown events are passed on
    assert second.type == "content_block_stop"
    assert acc.process(second) == []  # a content event with nothing to apply to: ignored
    assert not acc.started
    out: list[MessageStreamEvent] = []
    for event in raws[2:]:
        out.extend(acc.process(event))
    message = acc.final_message()
    text = message.content[0]
    assert isinstance(text, TextBlock)
    assert text.text == "Hello there!"
    assert message.usage.output_tokens == 6  # the unknown events' usage was not applied
    assert message.usage.input_tokens == 11
    assert sum(isinstance(e, UnknownEvent) for e in out) == 2


def test_ping_is_ignored() -> None:
    acc = MessageAccumulator()
    ping = PingEvent(type="ping")
    assert acc.process(ping) == []
    acc.process(parse(MESSAGE_START))
    assert acc.process(ping) == []


def test_event_sequence_of_a_stream() -> None:
    _, events = fold((SSE_DIR / "03_text_tool_use.sse").read_bytes())
    assert [e.type for e in events] == [
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


def test_second_message_start_starts_over() -> None:
    acc, _ = run(start(0, {"type": "text", "text": ""}), text_delta(0, "old"))
    acc.process(parse(MESSAGE_START))
    acc.process(start(0, {"type": "text", "text": ""}))
    acc.process(text_delta(0, "new"))
    acc.process(stop(0))
    acc.process(parse(MESSAGE_STOP))
    assert [b.text for b in acc.final_message().content if isinstance(b, TextBlock)] == ["new"]


def test_counters_and_flags() -> None:
    acc = MessageAccumulator()
    flags = [(acc.started, acc.done)]
    acc.process(parse(MESSAGE_START))
    flags.append((acc.started, acc.done))
    acc.process(start(0, {"type": "text", "text": ""}))
    acc.process(text_delta(0, "a"))
    acc.process(text_delta(0, "b"))
    assert acc.content_deltas == 2
    acc.process(stop(0))
    acc.process(parse(MESSAGE_STOP))
    flags.append((acc.started, acc.done))
    assert flags == [(False, False), (True, False), (True, True)]


# --- protocol errors -------------------------------------------------------------------------


def test_delta_for_an_unknown_index() -> None:
    acc = MessageAccumulator()
    acc.process(parse(MESSAGE_START))
    with pytest.raises(StreamProtocolError, match="content block 0, but 0 block"):
        acc.process(text_delta(0, "x"))


def test_negative_index() -> None:
    acc, _ = run(start(0, {"type": "text", "text": ""}))
    with pytest.raises(StreamProtocolError, match="content block -1"):
        acc.process(text_delta(-1, "x"))


def test_stop_for_an_unknown_index() -> None:
    acc, _ = run(start(0, {"type": "text", "text": ""}))
    with pytest.raises(StreamProtocolError, match="content block 3, but 1 block"):
        acc.process(stop(3))


def test_start_with_the_wrong_index() -> None:
    acc = MessageAccumulator()
    acc.process(parse(MESSAGE_START))
    with pytest.raises(StreamProtocolError, match="index 1, expected 0"):
        acc.process(start(1, {"type": "text", "text": ""}))


def test_final_message_before_message_stop() -> None:
    acc, _ = run(start(0, {"type": "text", "text": ""}), text_delta(0, "x"), stop(0))
    with pytest.raises(StreamProtocolError, match="not reached message_stop"):
        acc.final_message()
    with pytest.raises(StreamProtocolError):
        MessageAccumulator().final_message()


def test_stream_protocol_error_is_in_the_error_tree() -> None:
    from agentkit import AgentkitError, APIError

    assert issubclass(StreamProtocolError, APIError)
    assert issubclass(StreamProtocolError, AgentkitError)


# --- linear time, as behaviour ---------------------------------------------------------------


def test_chunks_are_kept_until_asked_for_then_joined_once() -> None:
    n = 1000
    acc = MessageAccumulator()
    acc.process(parse(MESSAGE_START))
    acc.process(start(0, {"type": "text", "text": ""}))
    piece = text_delta(0, "x")
    for _ in range(n):
        acc.process(piece)
    block = acc._blocks[0]
    assert len(block.chunks) == n  # nothing was joined while streaming
    assert block.size == n
    text = block.joined()
    assert text == "x" * n
    assert block.chunks == [text]  # collapsed into one piece
    assert block.joined() is text  # a second join does no work
    acc.process(piece)
    assert len(block.chunks) == 2  # later joins start from the collapsed piece
    assert block.joined() == "x" * (n + 1)
    assert len(block.chunks) == 1


def test_joined_prefix_and_empty_block() -> None:
    acc, _ = run(start(0, {"type": "text", "text": ""}))
    block = acc._blocks[0]
    assert block.joined() == ""
    assert block.joined(0) == ""
    block.add("abc")
    block.add("def")
    assert block.joined(4) == "abcd"
    assert block.joined(6) == "abcdef"


def test_snapshot_usage_is_not_changed_by_later_deltas() -> None:
    from pydantic import TypeAdapter

    from agentkit.types import RawMessageStreamEvent

    adapter: TypeAdapter[RawMessageStreamEvent] = TypeAdapter(RawMessageStreamEvent)
    acc = MessageAccumulator()
    start = {
        "type": "message_start",
        "message": {
            "id": "m",
            "type": "message",
            "role": "assistant",
            "model": "x",
            "content": [],
            "stop_reason": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        },
    }
    acc.process(adapter.validate_python(start))
    snapshot = acc.snapshot()
    delta = {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn"},
        "usage": {"output_tokens": 9, "future_usage": 3},
        "context_management": {"applied_edits": []},
    }
    acc.process(adapter.validate_python(delta))
    assert snapshot.usage.output_tokens == 1
    later = acc.snapshot()
    assert later.usage.output_tokens == 9
    assert later.usage.model_extra == {"future_usage": 3}
    assert later.model_extra == {"context_management": {"applied_edits": []}}
