"""The sans-IO SSE decoder: bytes in, events out, identical for any chunking of the bytes."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentkit._core.sse import (
    DEFAULT_MAX_LINE_BYTES,
    ServerSentEvent,
    SSEDecoder,
    SSELineTooLongError,
)
from tests.helpers import SSE_DIR

FIXTURE_FILES = sorted(SSE_DIR.glob("*.sse"))

SMALL_STREAM = (
    b": a comment\r\n"
    b"event: greeting\r\n"
    b"data: h\xc3\xa9llo \xf0\x9f\x8c\x8d\r\n"
    b"data: second line\r\n"
    b"\r\n"
    b'id: 7\rretry: 10\rdata:{"k": 1}  \r\r'
    b"event: ping\n\n"
    b"data: last\n\n"
)
SMALL_STREAM_EVENTS = [
    ServerSentEvent("greeting", "h\u00e9llo \U0001f30d\nsecond line"),
    ServerSentEvent("message", '{"k": 1}  '),
    ServerSentEvent("message", "last"),
]


def decode(chunks: Iterable[bytes], decoder: SSEDecoder | None = None) -> list[ServerSentEvent]:
    decoder = decoder or SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    return events


def split_at(body: bytes, cuts: Iterable[int]) -> list[bytes]:
    points = [0, *sorted(set(cuts)), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(points)]


# --- line endings ----------------------------------------------------------------------------


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending(ending: bytes) -> None:
    lines = [b"event: one", b"data: 1", b"", b"data: 2", b"data: 3", b"", b""]
    body = ending.join(lines)
    assert decode([body]) == [
        ServerSentEvent("one", "1"),
        ServerSentEvent("message", "2\n3"),
    ]


def test_mixed_line_endings_in_one_stream() -> None:
    body = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"
    assert decode([body]) == [
        ServerSentEvent("message", "a\nb\nc"),
        ServerSentEvent("message", "d"),
    ]


def test_cr_then_crlf_is_two_line_ends() -> None:
    # "\r" ends "data: x"; the following "\r\n" is a blank line, not the rest of the first end
    assert decode([b"data: x\r", b"\r\n"]) == [ServerSentEvent("message", "x")]


# --- chunking --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_byte_by_byte_equals_one_shot(path: Path) -> None:
    body = path.read_bytes()
    whole = decode([body])
    assert whole  # the fixture has events
    assert decode(body[i : i + 1] for i in range(len(body))) == whole


def test_small_stream_one_shot() -> None:
    assert decode([SMALL_STREAM]) == SMALL_STREAM_EVENTS


def test_every_two_chunk_split_of_a_small_stream() -> None:
    for cut in range(len(SMALL_STREAM) + 1):
        chunks = [SMALL_STREAM[:cut], SMALL_STREAM[cut:]]
        assert decode(chunks) == SMALL_STREAM_EVENTS, cut


def test_every_three_chunk_split_of_a_crlf_stream() -> None:
    body = b"data: \xe2\x82\xac1\r\n\r\ndata: 2\r\n\r\n"
    expected = [ServerSentEvent("message", "\u20ac1"), ServerSentEvent("message", "2")]
    for a in range(len(body) + 1):
        for b in range(a, len(body) + 1):
            assert decode([body[:a], body[a:b], body[b:]]) == expected, (a, b)


def test_utf8_character_split_across_chunks() -> None:
    body = "data: caf\u00e9 \U0001f30d\n\n".encode()
    emoji_start = body.index(b"\xf0")
    for cut in range(emoji_start + 1, emoji_start + 4):  # inside the 4-byte character
        assert decode([body[:cut], body[cut:]]) == [
            ServerSentEvent("message", "caf\u00e9 \U0001f30d")
        ]


def test_crlf_split_across_chunks() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    # the "\n" completing the "\r" must not count as an (event-dispatching) blank line
    assert decoder.feed(b"\n") == []
    assert decoder.pending()
    assert decoder.feed(b"data: b\r") == []
    assert decoder.feed(b"\n\r") == [ServerSentEvent("message", "a\nb")]
    assert decoder.feed(b"\n") == []
    assert not decoder.pending()


def test_cr_at_chunk_end_followed_by_empty_chunk() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"") == []
    assert decoder.feed(b"\n\n") == [ServerSentEvent("message", "a")]


def test_empty_chunks_are_harmless() -> None:
    assert decode([b"", b"data: x\n", b"", b"\n", b""]) == [ServerSentEvent("message", "x")]


def test_line_split_over_many_chunks() -> None:
    decoder = SSEDecoder()
    for piece in (b"da", b"ta", b": ", b"hel", b"lo"):
        assert decoder.feed(piece) == []
    assert decoder.feed(b"\n\n") == [ServerSentEvent("message", "hello")]


# --- fields ----------------------------------------------------------------------------------


def test_comment_lines_are_ignored() -> None:
    body = b": keep-alive\n:\nevent: x\n: in the middle\ndata: 1\n\n: after\n\n"
    assert decode([body]) == [ServerSentEvent("x", "1")]


def test_multi_line_data_joined_with_newline() -> None:
    body = b'data: {\ndata:   "a": 1\ndata: }\n\n'
    assert decode([body]) == [ServerSentEvent("message", '{\n  "a": 1\n}')]


def test_field_without_space_after_colon() -> None:
    assert decode([b"event:x\ndata:1\n\n"]) == [ServerSentEvent("x", "1")]


def test_only_one_leading_space_is_stripped() -> None:
    assert decode([b"data:  two\n\n"]) == [ServerSentEvent("message", " two")]


def test_field_without_colon_has_empty_value() -> None:
    assert decode([b"data\n\n"]) == [ServerSentEvent("message", "")]
    assert decode([b"data\ndata\n\n"]) == [ServerSentEvent("message", "\n")]


def test_empty_event_name_means_message() -> None:
    assert decode([b"event:\ndata: 1\n\n"]) == [ServerSentEvent("message", "1")]


def test_unknown_event_names_are_kept() -> None:
    assert decode([b"event: future_thing\ndata: {}\n\n"]) == [ServerSentEvent("future_thing", "{}")]


def test_unknown_fields_are_ignored() -> None:
    body = b"id: 42\nretry: 1000\nevent: a\nfoo: bar\ndata: 1\nid\n\n"
    assert decode([body]) == [ServerSentEvent("a", "1")]


def test_event_without_data_is_not_dispatched() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: ping\n\n") == []
    assert decoder.feed(b"id: 3\nretry: 5\n\n") == []
    assert not decoder.pending()
    # the discarded event's name does not leak into the next event
    assert decoder.feed(b"data: 1\n\n") == [ServerSentEvent("message", "1")]


def test_event_name_resets_after_dispatch() -> None:
    assert decode([b"event: a\ndata: 1\n\ndata: 2\n\n"]) == [
        ServerSentEvent("a", "1"),
        ServerSentEvent("message", "2"),
    ]


def test_consecutive_blank_lines_dispatch_nothing_extra() -> None:
    assert decode([b"\n\n\ndata: 1\n\n\n\n"]) == [ServerSentEvent("message", "1")]


def test_whitespace_inside_json_is_kept_verbatim() -> None:
    data = '{"type":"message_stop"      }'
    assert decode([f"data: {data}\n\n".encode()]) == [ServerSentEvent("message", data)]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert decode([b"data: a\xffb\n\n"]) == [ServerSentEvent("message", "a\ufffdb")]


# --- end of stream ---------------------------------------------------------------------------


def test_unterminated_final_event_is_dropped_and_pending() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"data: 1\n\nevent: message_stop\ndata: {}\n")
    assert events == [ServerSentEvent("message", "1")]
    assert decoder.pending()  # data buffered, no blank line yet


def test_pending_states() -> None:
    decoder = SSEDecoder()
    assert not decoder.pending()
    decoder.feed(b"dat")  # a partial line
    assert decoder.pending()
    decoder.feed(b"a: x\n\n")
    assert not decoder.pending()
    decoder.feed(b"event: only-a-name\n")  # a name without data yet
    assert decoder.pending()
    decoder.feed(b"\n")
    assert not decoder.pending()


def test_terminated_fixture_leaves_nothing_pending() -> None:
    decoder = SSEDecoder()
    decode([(SSE_DIR / "01_text.sse").read_bytes()], decoder)
    assert not decoder.pending()


# --- line length limit -----------------------------------------------------------------------


def test_default_limit() -> None:
    assert DEFAULT_MAX_LINE_BYTES == 32 * 1024 * 1024


def test_complete_line_over_the_limit_raises() -> None:
    decoder = SSEDecoder(max_line_bytes=16)
    with pytest.raises(SSELineTooLongError, match="exceeded 16 bytes"):
        decoder.feed(b"data: " + b"x" * 20 + b"\n\n")


def test_line_at_the_limit_is_fine() -> None:
    decoder = SSEDecoder(max_line_bytes=16)
    line = b"data: " + b"x" * 10  # exactly 16 bytes
    assert decoder.feed(line + b"\n\n") == [ServerSentEvent("message", "x" * 10)]
    # also when the line arrives in pieces
    assert decoder.feed(line[:5]) == []
    assert decoder.feed(line[5:]) == []
    assert decoder.feed(b"\n\n") == [ServerSentEvent("message", "x" * 10)]


def test_endless_partial_line_raises() -> None:
    decoder = SSEDecoder(max_line_bytes=64)
    decoder.feed(b"data: ")
    for _ in range(7):  # 6 + 7 * 8 = 62 bytes: still within the limit
        assert decoder.feed(b"y" * 8) == []
    with pytest.raises(SSELineTooLongError, match="without a line end"):
        decoder.feed(b"y" * 8)


def test_partial_line_completed_over_the_limit_raises() -> None:
    decoder = SSEDecoder(max_line_bytes=10)
    decoder.feed(b"data: 1234")  # 10 bytes: at the limit, kept
    with pytest.raises(SSELineTooLongError):
        decoder.feed(b"5\n\n")


def test_line_too_long_is_a_value_error() -> None:
    assert issubclass(SSELineTooLongError, ValueError)


# --- properties ------------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]),
    max_size=12,
)
_EVENT = st.tuples(
    st.one_of(st.none(), _TEXT),  # event name (None: no event line)
    st.lists(_TEXT, max_size=3),  # data lines (none: the event is not dispatched)
    st.booleans(),  # a comment line
    st.booleans(),  # id / retry lines
)


def _render(
    events: list[tuple[str | None, list[str], bool, bool]], endings: list[str]
) -> tuple[bytes, list[ServerSentEvent]]:
    lines: list[str] = []
    expected: list[ServerSentEvent] = []
    for name, data, comment, ids in events:
        if comment:
            lines.append(": note")
        if name is not None:
            lines.append(f"event: {name}")
        if ids:
            lines.extend(["id: 1", "retry: 2"])
        lines.extend(f"data: {line}" for line in data)
        lines.append("")
        if data:
            expected.append(ServerSentEvent(name or "message", "\n".join(data)))
    out: list[str] = []
    previous = ""
    for i, line in enumerate(lines):
        ending = endings[i % len(endings)]
        if previous == "\r" and ending == "\n" and line == "":
            ending = "\r\n"  # "\r" + "\n" would be a single line end
        out.append(line + ending)
        previous = ending
    return "".join(out).encode(), expected


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(_EVENT, max_size=6),
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=4),
    data=st.data(),
)
def test_any_chunking_of_any_stream_gives_the_same_events(
    events: list[tuple[str | None, list[str], bool, bool]],
    endings: list[str],
    data: st.DataObject,
) -> None:
    body, expected = _render(events, endings)
    assert decode([body]) == expected
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=12))
    assert decode(split_at(body, cuts)) == expected


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_chunking_of_a_fixture_gives_the_same_events(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(FIXTURE_FILES))
    body = path.read_bytes()
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=30))
    assert decode(split_at(body, cuts)) == decode([body])


def test_one_chunk_event_whose_second_line_is_not_data() -> None:
    # shaped like the one-event-per-chunk fast path, but not a plain "event"+"data" pair
    assert decode([b"event: a\nid: 1\n\n"]) == []
    assert decode([b"event: a\ndata:x\n\n"]) == [ServerSentEvent("a", "x")]
    assert decode([b"event: a\ndata: x\n\n"]) == [ServerSentEvent("a", "x")]
    assert decode([b"event: \ndata: x\n\n"]) == [ServerSentEvent("message", "x")]


def test_flush_offers_an_event_missing_only_its_line_ends() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'event: message_stop\ndata: {"type":"message_stop"}') == []
    assert decoder.pending()
    assert decoder.flush() == ServerSentEvent("message_stop", '{"type":"message_stop"}')
    assert not decoder.pending()
    assert decoder.flush() is None


def test_flush_handles_a_partial_non_data_line_and_a_terminated_data_line() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: 1\nevent: x")
    assert decoder.flush() == ServerSentEvent("x", "1")
    decoder = SSEDecoder()
    decoder.feed(b"data: 2\r")
    assert decoder.flush() == ServerSentEvent("message", "2")


@pytest.mark.parametrize("split", [0, 1, 2, 3, 4])
def test_a_leading_byte_order_mark_is_ignored_however_it_is_split(split: int) -> None:
    body = b"\xef\xbb\xbfevent: ping\ndata: {}\n\n"
    decoder = SSEDecoder()
    events = decoder.feed(body[:split]) + decoder.feed(body[split:])
    assert events == [ServerSentEvent("ping", "{}")]


def test_byte_order_mark_alone_and_short_non_bom_start() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"\xef\xbb\xbf") == []
    assert decoder.feed(b"data: 1\n\n") == [ServerSentEvent("message", "1")]
    decoder = SSEDecoder()
    assert decoder.feed(b"d") == []
    assert decoder.feed(b"ata: 2\n\n") == [ServerSentEvent("message", "2")]
