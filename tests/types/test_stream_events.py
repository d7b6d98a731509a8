"""Raw stream events: every recorded SSE payload parses; unknown events and deltas are kept."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from agentkit.types import (
    KNOWN_DELTA_TYPES,
    KNOWN_EVENT_TYPES,
    CitationsDelta,
    CitationsWebSearchResultLocation,
    ErrorEvent,
    InputJSONDelta,
    Message,
    MessageDelta,
    MessageDeltaUsage,
    PingEvent,
    RawContentBlockDelta,
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawContentBlockStopEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    RawMessageStopEvent,
    RawMessageStreamEvent,
    ServerToolUseBlock,
    SignatureDelta,
    TextBlock,
    TextDelta,
    ThinkingBlock,
    ThinkingDelta,
    ToolUseBlock,
    UnknownBlock,
    UnknownDelta,
    UnknownEvent,
    WebSearchToolResultBlock,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
EVENTS: TypeAdapter[RawMessageStreamEvent] = TypeAdapter(RawMessageStreamEvent)
DELTAS: TypeAdapter[RawContentBlockDelta] = TypeAdapter(RawContentBlockDelta)


def sse_payloads(text: str) -> list[tuple[str | None, str]]:
    """Split an SSE body into (event name, data) pairs, joining multi-line data."""
    events: list[tuple[str | None, str]] = []
    name: str | None = None
    data: list[str] = []
    for line in [*re.split(r"\r\n|\r|\n", text), ""]:
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = None, []
        elif line.startswith("event:"):
            name = line[6:].removeprefix(" ")
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


def parse_sse(text: str) -> list[RawMessageStreamEvent]:
    return [EVENTS.validate_json(data) for _, data in sse_payloads(text)]


def parse_file(relative: str) -> list[RawMessageStreamEvent]:
    return parse_sse((FIXTURES / relative).read_text(encoding="utf-8"))


def stream_bodies() -> list[tuple[str, str]]:
    """Every SSE body among the fixtures: .sse/.txt files and streamed recorded captures."""
    found = [
        (str(p.relative_to(FIXTURES)), p.read_text(encoding="utf-8"))
        for pattern in ("**/*.sse", "recorded/**/*.txt")
        for p in sorted(FIXTURES.glob(pattern))
    ]
    for path in sorted((FIXTURES / "recorded").rglob("*.json")):
        for i, exchange in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            body = exchange.get("response", {}).get("body") if "response" in exchange else None
            if isinstance(body, str) and "event: message_start" in body:
                found.append((f"{path.relative_to(FIXTURES)}[{i}]", body))
    return found


STREAMS = stream_bodies()


def test_stream_discovery_finds_all_fixture_streams() -> None:
    assert len(STREAMS) >= 40


@pytest.mark.parametrize(("name", "body"), STREAMS, ids=[n for n, _ in STREAMS])
def test_every_recorded_event_parses_and_round_trips(name: str, body: str) -> None:
    payloads = sse_payloads(body)
    assert payloads
    for event_name, data in payloads:
        event = EVENTS.validate_json(data)
        wire = json.loads(data)
        assert event.type == wire["type"]
        if event_name is not None and event_name != "message":
            assert event_name == event.type
        if wire["type"] in KNOWN_EVENT_TYPES:
            assert not isinstance(event, UnknownEvent)
        assert event.model_dump(mode="json", exclude_unset=True) == wire


def test_text_stream_rebuilds_the_final_message() -> None:
    events = parse_file("sse/01_text.sse")
    final = Message.model_validate_json((FIXTURES / "sse" / "01_text.final.json").read_bytes())
    start = events[0]
    assert isinstance(start, RawMessageStartEvent)
    assert start.message.content == []
    assert start.message.stop_reason is None
    text = "".join(
        e.delta.text
        for e in events
        if isinstance(e, RawContentBlockDeltaEvent) and isinstance(e.delta, TextDelta)
    )
    (final_block,) = final.content
    assert isinstance(final_block, TextBlock)
    assert text == final_block.text
    (delta_event,) = [e for e in events if isinstance(e, RawMessageDeltaEvent)]
    assert delta_event.delta.stop_reason == final.stop_reason
    assert delta_event.usage.output_tokens == final.usage.output_tokens
    assert isinstance(events[-1], RawMessageStopEvent)


def test_tool_use_stream_events() -> None:
    events = parse_file("sse/03_text_tool_use.sse")
    starts = [e for e in events if isinstance(e, RawContentBlockStartEvent)]
    assert [type(e.content_block) for e in starts] == [TextBlock, ToolUseBlock, ToolUseBlock]
    assert [e.index for e in starts] == [0, 1, 2]
    chunks: dict[int, str] = {}
    for e in events:
        if isinstance(e, RawContentBlockDeltaEvent) and isinstance(e.delta, InputJSONDelta):
            chunks[e.index] = chunks.get(e.index, "") + e.delta.partial_json
    final = json.loads((FIXTURES / "sse" / "03_text_tool_use.final.json").read_text())
    assert json.loads(chunks[1]) == final["content"][1]["input"]
    assert chunks.get(2, "") == ""
    stops = [e.index for e in events if isinstance(e, RawContentBlockStopEvent)]
    assert stops == [0, 1, 2]


def test_thinking_stream_deltas() -> None:
    events = parse_file("sse/02_thinking_text.sse")
    start = next(e for e in events if isinstance(e, RawContentBlockStartEvent))
    assert isinstance(start.content_block, ThinkingBlock)
    deltas = [e.delta for e in events if isinstance(e, RawContentBlockDeltaEvent)]
    thinking = "".join(d.thinking for d in deltas if isinstance(d, ThinkingDelta))
    (signature,) = [d.signature for d in deltas if isinstance(d, SignatureDelta)]
    final = json.loads((FIXTURES / "sse" / "02_thinking_text.final.json").read_text())
    assert thinking == final["content"][0]["thinking"]
    assert signature == final["content"][0]["signature"]


def test_error_event_midstream() -> None:
    events = parse_file("sse/04_error_midstream.sse")
    error = events[-1]
    assert isinstance(error, ErrorEvent)
    expected = json.loads((FIXTURES / "sse" / "04_error_midstream.expected.json").read_text())
    assert error.error.type == expected["error_type"] == "overloaded_error"
    assert error.error.message == "Overloaded"
    assert error.error.details is None
    assert error.request_id == expected["error_event"]["request_id"]
    assert any(isinstance(e, PingEvent) for e in events)
    assert not any(isinstance(e, RawMessageStopEvent) for e in events)


def test_minimal_error_event() -> None:
    event = EVENTS.validate_json(b'{"type":"error","error":{"type":"api_error","message":"boom"}}')
    assert isinstance(event, ErrorEvent)
    assert event.request_id is None
    assert event.error.details is None
    with pytest.raises(ValidationError):
        EVENTS.validate_json(b'{"type":"error","error":{"type":"api_error"}}')


def test_server_tool_stream_and_citations_delta() -> None:
    events = parse_file(
        "recorded/anthropic-sdk-python-2.14.0/lib/streaming/fixtures/server_tool_use_response.txt"
    )
    blocks = [e.content_block for e in events if isinstance(e, RawContentBlockStartEvent)]
    assert [type(b) for b in blocks] == [ServerToolUseBlock, WebSearchToolResultBlock, TextBlock]
    result = blocks[1]
    assert isinstance(result, WebSearchToolResultBlock)
    assert result.content[1]["page_age"] == "2 weeks ago"
    text = blocks[2]
    assert isinstance(text, TextBlock)
    assert text.citations == []
    citations = [
        e.delta.citation
        for e in events
        if isinstance(e, RawContentBlockDeltaEvent) and isinstance(e.delta, CitationsDelta)
    ]
    assert len(citations) == 1
    assert isinstance(citations[0], CitationsWebSearchResultLocation)
    assert citations[0].encrypted_index == "Eo8B_opaque_encrypted_index"
    delta = next(e for e in events if isinstance(e, RawMessageDeltaEvent))
    assert delta.usage.server_tool_use is not None
    assert delta.usage.server_tool_use.web_search_requests == 1
    assert delta.usage.input_tokens == 9281


def test_message_delta_fields() -> None:
    events = parse_file(
        "recorded/anthropic-sdk-python-2.14.0/lib/streaming/fixtures/message_delta_fields_response.txt"
    )
    delta = next(e for e in events if isinstance(e, RawMessageDeltaEvent))
    assert delta.delta.container is not None
    assert delta.delta.container.id == "container_01AbCdEfGh"
    assert delta.delta.stop_details is None
    usage = delta.usage
    assert (usage.input_tokens, usage.output_tokens) == (40, 8)
    assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (12, 7)
    assert usage.output_tokens_details is not None
    assert usage.output_tokens_details.thinking_tokens == 3


def test_message_delta_with_omitted_usage_keys() -> None:
    event = EVENTS.validate_json(
        b'{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},'
        b'"usage":{"output_tokens":8}}'
    )
    assert isinstance(event, RawMessageDeltaEvent)
    assert event.usage == MessageDeltaUsage(output_tokens=8)
    assert event.usage.input_tokens is None
    assert event.usage.server_tool_use is None
    assert event.delta.container is None
    with pytest.raises(ValidationError, match="output_tokens"):
        EVENTS.validate_json(b'{"type":"message_delta","delta":{},"usage":{}}')


def test_refusal_delta() -> None:
    events = parse_file(
        "recorded/anthropic-sdk-python-2.14.0/lib/streaming/fixtures/refusal_response.txt"
    )
    delta = next(e for e in events if isinstance(e, RawMessageDeltaEvent))
    assert delta.delta.stop_reason == "refusal"
    assert delta.delta.stop_details is not None
    assert delta.delta.stop_details.category == "cyber"


def test_unknown_stop_reason_in_message_delta() -> None:
    delta = MessageDelta.model_validate_json(b'{"stop_reason":"compaction","stop_sequence":null}')
    assert delta.stop_reason == "compaction"
    assert MessageDelta.model_validate_json(b"{}").stop_reason is None


def test_unknown_events_are_kept() -> None:
    events = parse_file(
        "recorded/anthropic-sdk-python-2.14.0/lib/streaming/fixtures/unknown_events_response.txt"
    )
    unknown = [e for e in events if isinstance(e, UnknownEvent)]
    assert len(unknown) == 3
    assert unknown[0].type == "future_event"
    assert unknown[0].model_extra == {"usage": {"input_tokens": 99, "output_tokens": 99}}
    assert isinstance(events[1], RawContentBlockStopEvent)


def test_beta_compaction_block_and_delta_are_unknown() -> None:
    events = parse_file(
        "recorded/anthropic-sdk-python-2.14.0/lib/streaming/fixtures/compaction_response.txt"
    )
    start = next(e for e in events if isinstance(e, RawContentBlockStartEvent))
    assert isinstance(start.content_block, UnknownBlock)
    assert start.content_block.type == "compaction"
    assert start.content_block.model_extra == {"content": None, "encrypted_content": None}
    delta = next(e for e in events if isinstance(e, RawContentBlockDeltaEvent))
    assert isinstance(delta.delta, UnknownDelta)
    assert delta.delta.type == "compaction_delta"
    assert delta.delta.model_extra is not None
    assert delta.delta.model_extra["content"] == "Earlier conversation summarized."


@pytest.mark.parametrize(
    ("wire", "model"),
    [
        ({"type": "text_delta", "text": "Hi"}, TextDelta),
        ({"type": "input_json_delta", "partial_json": '{"a": '}, InputJSONDelta),
        ({"type": "thinking_delta", "thinking": "so"}, ThinkingDelta),
        ({"type": "signature_delta", "signature": "sig"}, SignatureDelta),
        (
            {
                "type": "citations_delta",
                "citation": {
                    "type": "page_location",
                    "cited_text": "p",
                    "document_index": 0,
                    "document_title": None,
                    "start_page_number": 1,
                    "end_page_number": 2,
                },
            },
            CitationsDelta,
        ),
        ({"type": "future_delta", "payload": [1, 2]}, UnknownDelta),
    ],
)
def test_each_delta_type(wire: dict[str, Any], model: type[Any]) -> None:
    event_wire = {"type": "content_block_delta", "index": 4, "delta": wire}
    event = EVENTS.validate_json(json.dumps(event_wire))
    assert isinstance(event, RawContentBlockDeltaEvent)
    assert event.index == 4
    assert type(event.delta) is model
    assert event.model_dump(mode="json", exclude_unset=True) == event_wire


def test_known_delta_and_event_types_match_their_unions() -> None:
    for alias, known in (
        (RawContentBlockDelta, KNOWN_DELTA_TYPES),
        (RawMessageStreamEvent, KNOWN_EVENT_TYPES),
    ):
        union, _ = typing.get_args(alias)
        tags = {typing.get_args(member)[1].tag for member in typing.get_args(union)}
        assert tags == known | {"unknown"}


def test_known_delta_with_missing_field_is_an_error() -> None:
    with pytest.raises(ValidationError, match="partial_json"):
        DELTAS.validate_python({"type": "input_json_delta"})


@pytest.mark.parametrize("bad", [b"{}", b'{"type": 1}', b'{"type": ["ping"]}', b"[]"])
def test_events_without_a_string_type_are_errors(bad: bytes) -> None:
    with pytest.raises(ValidationError):
        EVENTS.validate_json(bad)


def test_event_instances_validate_to_themselves() -> None:
    ping = PingEvent(type="ping")
    unknown = UnknownEvent(type="ping")
    delta = UnknownDelta(type="text_delta")
    assert EVENTS.validate_python(ping) is ping
    assert EVENTS.validate_python(unknown) is unknown
    assert DELTAS.validate_python(delta) is delta


def test_ping_with_spaces_and_trailing_whitespace() -> None:
    assert isinstance(EVENTS.validate_json('{"type": "ping"}   '), PingEvent)
    assert isinstance(EVENTS.validate_json('{"type":"message_stop"}\t'), RawMessageStopEvent)


def test_sse_helper_joins_multiline_data() -> None:
    body = ': comment\r\nevent: ping\r\ndata: {"type":\r\ndata: "ping"}\r\n\r\n'
    assert sse_payloads(body) == [("ping", '{"type":\n"ping"}')]
