"""Property-based fuzzing (bounded example counts): decoders, accumulator, tools, requests."""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkit import NOT_GIVEN, APIError, Toolbox, tool
from agentkit._core.accumulate import MessageAccumulator
from agentkit._core.request import build_body, encode_json
from agentkit._core.sse import SSEDecoder
from agentkit._core.stream_decoder import StreamDecoder
from agentkit.testing import encode_stream
from agentkit.types import Message

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RESPONSE = httpx.Response(
    200, request=httpx.Request("POST", "https://api.anthropic.com/v1/messages")
)


@FUZZ
@given(st.lists(st.binary(max_size=200), max_size=30))
def test_stream_decoder_on_random_bytes_only_raises_typed_errors(chunks: list[bytes]) -> None:
    decoder = StreamDecoder(RESPONSE, max_line_bytes=4096)
    try:
        for chunk in chunks:
            decoder.feed(chunk)
        decoder.flush()
        decoder.finish()
    except APIError:
        pass  # a typed error (malformed event, cut stream, error event) is the only way out


@FUZZ
@given(st.binary(max_size=2000), st.lists(st.integers(min_value=1, max_value=50), max_size=40))
def test_sse_decoder_any_chunking_of_random_bytes_is_consistent(
    data: bytes, cuts: list[int]
) -> None:
    whole = SSEDecoder().feed(data)
    decoder = SSEDecoder()
    pieces, position = [], 0
    for size in cuts:
        pieces.append(data[position : position + size])
        position += size
    pieces.append(data[position:])
    assert [e for p in pieces for e in decoder.feed(p)] == whole


_text = st.text(max_size=60)
_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_block = st.one_of(
    st.builds(lambda t: {"type": "text", "text": t}, _text),
    st.builds(
        lambda t, s: {"type": "thinking", "thinking": t, "signature": s},
        _text,
        st.text(max_size=20),
    ),
    st.builds(
        lambda i, n, inp: {"type": "tool_use", "id": f"toolu_{i}", "name": n, "input": inp},
        st.integers(0, 999),
        st.sampled_from(["a", "b_tool", "c-tool"]),
        st.dictionaries(st.text(max_size=8), _json_value, max_size=5),
    ),
)


@FUZZ
@given(
    st.lists(_block, max_size=6),
    st.integers(1, 40),
    st.integers(1, 40),
    st.lists(st.integers(1, 300), max_size=20),
)
def test_accumulator_equals_the_reference_message(
    blocks: list[dict[str, Any]], text_chunk: int, json_chunk: int, cuts: list[int]
) -> None:
    reference = {
        "id": "msg_fuzz",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": blocks,
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 7},
    }
    body = b"".join(encode_stream(reference, text_chunk=text_chunk, json_chunk=json_chunk))
    decoder, accumulator = StreamDecoder(RESPONSE), MessageAccumulator()
    position = 0
    for size in [*cuts, len(body)]:
        for event in decoder.feed(body[position : position + size]):
            accumulator.process(event)
        position += size
    decoder.finish()
    assert accumulator.final_message() == Message.model_validate(reference)


@tool
def rich(
    name: str,
    count: int,
    unit: Literal["c", "f"] = "c",
    tags: list[str] | None = None,
    ratio: float = 1.0,
    nested: dict[str, int] | None = None,
) -> str:
    """A tool with varied parameter types."""
    return "ok"


class Point(pydantic.BaseModel):
    x: int
    y: int


@tool
def geometry(points: list[Point], closed: bool = False) -> int:
    """Count points."""
    return len(points)


TOOLS = Toolbox([rich, geometry])


@FUZZ
@given(st.sampled_from(["rich", "geometry", "missing"]), _json_value)
def test_tool_input_validation_never_raises(name: str, tool_input: Any) -> None:
    result = TOOLS.run({"type": "tool_use", "id": "toolu_f", "name": name, "input": tool_input})
    assert result["tool_use_id"] == "toolu_f"
    if result.get("is_error"):
        assert isinstance(result["content"], str)
        assert result["content"]
    else:
        assert name != "missing"


_message = st.builds(
    lambda role, text: {"role": role, "content": text},
    st.sampled_from(["user", "assistant"]),
    st.text(max_size=40),
)


@FUZZ
@given(
    st.lists(_message, min_size=1, max_size=5),
    st.one_of(st.just(NOT_GIVEN), st.text(max_size=30)),
    st.one_of(st.just(NOT_GIVEN), st.floats(0, 1)),
    st.one_of(st.just(NOT_GIVEN), st.lists(st.text(max_size=5), max_size=3)),
    st.one_of(st.just(NOT_GIVEN), st.builds(lambda u: {"user_id": u}, st.text(max_size=10))),
)
def test_request_building_round_trips(
    messages: list[dict[str, Any]], system: Any, temperature: Any, stop: Any, metadata: Any
) -> None:
    params = {
        "model": "m",
        "max_tokens": 5,
        "messages": messages,
        "system": system,
        "temperature": temperature,
        "stop_sequences": stop,
        "metadata": metadata,
    }
    body = build_body(params, None)
    expected = {k: v for k, v in params.items() if v is not NOT_GIVEN}
    assert json.loads(encode_json(body)) == expected
