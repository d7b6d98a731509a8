"""The offline models through the real clients (sync, asyncio, trio), streaming and not.

Every test runs the client's real code path over a `ModelTransport`: the request is encoded,
validated by the model like the API would, and answered with JSON or the exact SSE stream.
"""

from __future__ import annotations

import ast
import datetime
import enum
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, cast

import anyio
import anyio.lowlevel
import httpx
import jsonschema
import pydantic
import pytest

import agentkit.testing._transport
from agentkit import (
    Anthropic,
    AsyncAnthropic,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GatewayTimeoutError,
    InternalServerError,
    Message,
    MessageTokensCount,
    NotFoundError,
    OverloadedError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RawMessageStreamEvent,
    RequestTooLargeError,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
)
from agentkit._core.accumulate import MessageAccumulator
from agentkit._exceptions import ERROR_TABLE, APIStatusError, ErrorRow, error_class_for
from agentkit.testing import (
    EchoModel,
    ErrorReply,
    FunctionModel,
    MockModel,
    ModelRequest,
    ModelTransport,
    RawReply,
    Reply,
    ReplyLike,
    ScriptedModel,
    ScriptExhaustedError,
    TestModel,
    count_input_tokens,
    encode_stream,
)
from agentkit.testing._transport import _AsyncChunks
from agentkit.testing._wire import count_output_tokens, tokens
from agentkit.tools import Toolbox, tool
from agentkit.types.stream_events import (
    InputJSONDelta,
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    TextDelta,
)
from tests.helpers import FIXTURES, SSE_DIR, sse_bytes

T = TypeVar("T")

MODEL = "claude-test-1"
PROMPT = "Hello there, model! Please answer at some length."
PARAMS: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 256,
    "messages": [{"role": "user", "content": PROMPT}],
}


# --- running one scenario on the sync client, or the async one on asyncio / trio ---------------


pytestmark = pytest.mark.kinds("sync", "asyncio", "trio")


def run(
    kind: str,
    model: MockModel,
    sync_call: Callable[[Anthropic], T],
    async_call: Callable[[AsyncAnthropic], Awaitable[T]],
    **options: Any,
) -> T:
    """Run a scenario with `model.client()` or, on `kind`'s event loop, `model.async_client()`."""
    if kind == "sync":
        with model.client(**options) as client:
            return sync_call(client)

    async def main() -> T:
        async with model.async_client(**options) as client:
            return await async_call(client)

    return anyio.run(main, backend=kind)


def create(
    kind: str, model: MockModel, *, client_options: dict[str, Any] | None = None, **params: Any
) -> Message:
    """`messages.create(...)` (not streaming); `client_options` configure the client."""
    params = {**PARAMS, **params}

    def sync(c: Anthropic) -> Message:
        return cast(Message, c.messages.create(**params))

    async def async_(c: AsyncAnthropic) -> Message:
        return cast(Message, await c.messages.create(**params))

    return run(kind, model, sync, async_, **(client_options or {}))


def create_streamed(
    kind: str, model: MockModel, **params: Any
) -> tuple[list[RawMessageStreamEvent], Message]:
    """`create(stream=True)`: the raw events, and the message they add up to."""
    params = {**PARAMS, **params, "stream": True}

    def fold(events: list[RawMessageStreamEvent]) -> tuple[list[RawMessageStreamEvent], Message]:
        accumulator = MessageAccumulator()
        for event in events:
            accumulator.process(event)
        return events, accumulator.final_message()

    def sync(c: Anthropic) -> list[RawMessageStreamEvent]:
        with c.messages.create(**params) as stream:
            return list(stream)

    async def async_(c: AsyncAnthropic) -> list[RawMessageStreamEvent]:
        async with await c.messages.create(**params) as stream:
            return [event async for event in stream]

    return fold(run(kind, model, sync, async_))


def stream_final(kind: str, model: MockModel, **params: Any) -> Message:
    """`messages.stream(...).get_final_message()`."""
    params = {**PARAMS, **params}

    def sync(c: Anthropic) -> Message:
        with c.messages.stream(**params) as stream:
            final: Message = stream.get_final_message()
            return final

    async def async_(c: AsyncAnthropic) -> Message:
        async with c.messages.stream(**params) as stream:
            message: Message = await stream.get_final_message()
            return message

    return run(kind, model, sync, async_)


def text_stream(kind: str, model: MockModel, **params: Any) -> list[str]:
    """The pieces of `messages.stream(...).text_stream`."""
    params = {**PARAMS, **params}

    def sync(c: Anthropic) -> list[str]:
        with c.messages.stream(**params) as stream:
            return list(stream.text_stream)

    async def async_(c: AsyncAnthropic) -> list[str]:
        async with c.messages.stream(**params) as stream:
            return [text async for text in stream.text_stream]

    return run(kind, model, sync, async_)


def count_tokens(kind: str, model: MockModel, **params: Any) -> MessageTokensCount:
    params = {"model": MODEL, "messages": PARAMS["messages"], **params}

    async def acall(c: AsyncAnthropic) -> MessageTokensCount:
        return await c.messages.count_tokens(**params)

    return run(kind, model, lambda c: c.messages.count_tokens(**params), acall)


def expect_error(kind: str, model: MockModel, error: type[Exception], **params: Any) -> Any:
    """The exception `create` raises (with no retries)."""
    with pytest.raises(error) as caught:
        create(kind, model, client_options={"max_retries": 0}, **params)
    return caught.value


def text_of(message: Message) -> str:
    return "".join(b.text for b in message.content if isinstance(b, TextBlock))


def tool_uses(message: Message) -> list[ToolUseBlock]:
    return [b for b in message.content if isinstance(b, ToolUseBlock)]


# --- each model, every way of asking -------------------------------------------------------


def echo_back(request: ModelRequest) -> ReplyLike:
    return f"You said: {request.last_user_text}"


async def echo_back_async(request: ModelRequest) -> ReplyLike:
    await anyio.lowlevel.checkpoint()
    return f"You said: {request.last_user_text}"


MODELS: dict[str, tuple[Callable[[], MockModel], str]] = {
    "function-sync": (lambda: FunctionModel(echo_back), f"You said: {PROMPT}"),
    "function-async": (lambda: FunctionModel(echo_back_async), f"You said: {PROMPT}"),
    "scripted": (lambda: ScriptedModel([f"Scripted: {PROMPT}"]), f"Scripted: {PROMPT}"),
    "test": (lambda: TestModel(), "This is TestModel's answer."),
    "echo": (lambda: EchoModel(), PROMPT),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_way_of_asking_gives_the_same_message(kind: str, name: str) -> None:
    factory, text = MODELS[name]
    plain = create(kind, factory())
    events, streamed = create_streamed(kind, factory())
    helper = stream_final(kind, factory())

    assert plain.content == [TextBlock(type="text", text=text)]
    assert plain.stop_reason == "end_turn"
    assert plain.model == MODEL
    assert plain.role == "assistant"
    assert plain.id.startswith("msg_test_")
    # fresh models number their ids alike, so the messages are identical, ids included
    assert streamed.model_dump() == plain.model_dump()
    assert helper.model_dump() == plain.model_dump()
    assert events[0].type == "message_start"
    assert events[-1].type == "message_stop"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_one_model_streamed_and_not_differs_only_in_the_id(kind: str, name: str) -> None:
    factory, text = MODELS[name]
    model = factory()
    if isinstance(model, ScriptedModel):
        model = ScriptedModel([text, text, text])
    plain = create(kind, model)
    _, streamed = create_streamed(kind, model)
    helper = stream_final(kind, model)
    assert len({plain.id, streamed.id, helper.id}) == 3
    assert streamed.model_dump(exclude={"id"}) == plain.model_dump(exclude={"id"})
    assert helper.model_dump(exclude={"id"}) == plain.model_dump(exclude={"id"})
    assert [r.stream for r in model.requests] == [False, True, True]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_text_stream_arrives_in_chunks(kind: str, name: str) -> None:
    factory, text = MODELS[name]
    pieces = text_stream(kind, factory())
    assert "".join(pieces) == text
    assert pieces == [text[i : i + 16] for i in range(0, len(text), 16)]
    assert len(pieces) > 1


def test_chunk_sizes_are_configurable(kind: str) -> None:
    model = FunctionModel(
        lambda r: ["abcdefghij", {"type": "tool_use", "name": "t", "input": {"k": "v" * 10}}],
        text_chunk=4,
        json_chunk=5,
    )
    events, final = create_streamed(kind, model)
    texts = [
        e.delta.text
        for e in events
        if isinstance(e, RawContentBlockDeltaEvent) and isinstance(e.delta, TextDelta)
    ]
    assert texts == ["abcd", "efgh", "ij"]
    parts = [
        e.delta.partial_json
        for e in events
        if isinstance(e, RawContentBlockDeltaEvent) and isinstance(e.delta, InputJSONDelta)
    ]
    assert parts[0] == ""
    assert all(len(p) == 5 for p in parts[1:-1])
    assert "".join(parts) == '{"k":"vvvvvvvvvv"}'
    assert tool_uses(final)[0].input == {"k": "v" * 10}


def test_the_stream_follows_the_api_grammar(kind: str) -> None:
    tool_input = {"location": "Lisbon, Portugal", "unit": "celsius", "days": [1, 2, 3]}
    model = FunctionModel(
        lambda r: [
            "Let me look that up for you, right away.",
            {"type": "tool_use", "id": "toolu_fixed", "name": "get_weather", "input": tool_input},
            {"type": "tool_use", "name": "get_time"},
        ]
    )
    events, final = create_streamed(kind, model)
    kinds = [e.type for e in events]
    assert kinds == [
        "message_start",
        "content_block_start",
        *["content_block_delta"] * 3,  # 41 characters in pieces of 16
        "content_block_stop",
        "content_block_start",
        *["content_block_delta"] * 4,  # "" then 61 characters of JSON in pieces of 24
        "content_block_stop",
        "content_block_start",
        "content_block_delta",  # an empty input is a single "" chunk
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start = events[0]
    assert isinstance(start, RawMessageStartEvent)
    assert start.message.content == []
    assert start.message.stop_reason is None
    assert start.message.usage.output_tokens == 1
    block_starts = [e for e in events if isinstance(e, RawContentBlockStartEvent)]
    assert [b.index for b in block_starts] == [0, 1, 2]
    assert block_starts[1].content_block.to_dict() == {
        "type": "tool_use",
        "id": "toolu_fixed",
        "name": "get_weather",
        "input": {},
    }
    json_parts = [
        e.delta.partial_json
        for e in events
        if isinstance(e, RawContentBlockDeltaEvent)
        and isinstance(e.delta, InputJSONDelta)
        and e.index == 1
    ]
    assert json_parts[0] == ""
    assert "".join(json_parts) == json.dumps(tool_input, separators=(",", ":"))
    delta = events[-2]
    assert isinstance(delta, RawMessageDeltaEvent)
    assert delta.delta.stop_reason == "tool_use"
    assert delta.usage.output_tokens == final.usage.output_tokens
    assert [b.input for b in tool_uses(final)] == [tool_input, {}]
    assert tool_uses(final)[1].id == "toolu_test_0001"
    assert final.model_dump() == create(kind, FunctionModel(model.fn)).model_dump()

    # the client skips pings; on the wire, one follows the first block's start
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    with httpx.Client(transport=model.transport(), base_url="http://offline") as http:
        response = http.post("/v1/messages", json={**PARAMS, "stream": True}, headers=headers)
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    events_on_wire = [part + b"\n\n" for part in response.content.split(b"\n\n") if part]
    names = [name for name, _ in wire(events_on_wire)]
    assert names == [*kinds[:2], "ping", *kinds[2:]]


@pytest.mark.anyio
async def test_the_async_transport_sends_every_event() -> None:
    model = FunctionModel(lambda r: "Four pieces of up to sixteen characters, or so.")
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    body = {**PARAMS, "stream": True}
    async with (
        httpx.AsyncClient(transport=model.async_transport(), base_url="http://x") as http,
        http.stream("POST", "/v1/messages", json=body, headers=headers) as response,
    ):
        chunks = [chunk async for chunk in response.aiter_raw()]
    # one chunk per event, to the end: start, block start, ping, 3 deltas, stops, delta
    assert [c.split(b"\n")[0] for c in chunks] == [
        b"event: message_start",
        b"event: content_block_start",
        b"event: ping",
        *[b"event: content_block_delta"] * 3,
        b"event: content_block_stop",
        b"event: message_delta",
        b"event: message_stop",
    ]


@pytest.mark.anyio
async def test_the_async_chunk_iterator() -> None:
    chunks = _AsyncChunks(iter([b"a", b"b"]))
    assert [chunk async for chunk in chunks] == [b"a", b"b"]


def test_thinking_and_complete_blocks_stream_like_the_api(kind: str) -> None:
    blocks = [
        {"type": "thinking", "thinking": "Let me think about this carefully...", "signature": "s1"},
        {"type": "redacted_thinking", "data": "opaque-data"},
        {"type": "text", "text": "Done."},
    ]
    events, final = create_streamed(kind, FunctionModel(lambda r: blocks))
    deltas = [e.delta for e in events if isinstance(e, RawContentBlockDeltaEvent)]
    assert [d.type for d in deltas] == [
        "thinking_delta",
        "thinking_delta",
        "thinking_delta",
        "signature_delta",
        "text_delta",
    ]
    starts = [e for e in events if isinstance(e, RawContentBlockStartEvent)]
    assert starts[0].content_block.to_dict() == {
        "type": "thinking",
        "thinking": "",
        "signature": "",
    }
    assert starts[1].content_block.to_dict() == blocks[1]  # complete at its start
    assert isinstance(final.content[0], ThinkingBlock)
    assert [b.to_dict() for b in final.content] == blocks
    plain = create(kind, FunctionModel(lambda r: blocks))
    assert final.model_dump() == plain.model_dump()


# --- encode_stream directly ------------------------------------------------------------------


def wire(events: list[bytes]) -> list[tuple[str, dict[str, Any]]]:
    """(event name, data) pairs, read naively: an oracle independent of the client."""
    out = []
    for raw in events:
        text = raw.decode()
        assert text.endswith("\n\n")
        name_line, data_line = text.strip("\n").split("\n")
        name = name_line.removeprefix("event: ")
        data = json.loads(data_line.removeprefix("data: "))
        assert data["type"] == name
        out.append((name, data))
    return out


def test_encode_stream_without_content_or_ping() -> None:
    message: dict[str, Any] = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 0},
    }
    assert [name for name, _ in wire(encode_stream(message))] == [
        "message_start",
        "message_delta",
        "message_stop",
    ]
    texted = {**message, "content": [{"type": "text", "text": "hi"}]}
    names = [name for name, _ in wire(encode_stream(texted, ping=False))]
    assert "ping" not in names
    events = wire(encode_stream(texted))
    assert events[2] == ("ping", {"type": "ping"})
    assert events[0][1]["message"]["usage"] == {"input_tokens": 3, "output_tokens": 1}
    assert events[-2][1]["usage"] == {"output_tokens": 0}


def test_encode_stream_without_usage() -> None:
    events = wire(encode_stream({"id": "m", "content": [{"type": "text", "text": ""}]}))
    assert [name for name, _ in events] == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert events[0][1]["message"]["usage"] == {"output_tokens": 1}
    assert events[-2][1]["usage"] == {"output_tokens": 1}


# --- what a function may answer --------------------------------------------------------------


def test_answer_text(kind: str) -> None:
    message = create(kind, FunctionModel(lambda r: "plain text"))
    assert message.content == [TextBlock(type="text", text="plain text")]
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None


def test_answer_blocks_with_a_tool_use_without_id(kind: str) -> None:
    def answer(request: ModelRequest) -> ReplyLike:
        return [
            "first",
            TextBlock(type="text", text="second"),
            {"type": "tool_use", "name": "lookup", "input": {"q": "x"}},
            {"type": "tool_use", "name": "other"},
        ]

    message = create(kind, FunctionModel(answer))
    assert [b.type for b in message.content] == ["text", "text", "tool_use", "tool_use"]
    assert text_of(message) == "firstsecond"
    calls = tool_uses(message)
    assert [(c.id, c.name, c.input) for c in calls] == [
        ("toolu_test_0001", "lookup", {"q": "x"}),
        ("toolu_test_0002", "other", {}),
    ]
    assert message.stop_reason == "tool_use"
    assert message.id == "msg_test_0003"


def test_answer_a_message_model_or_dict(kind: str) -> None:
    fixture = json.loads((FIXTURES / "tool_loop" / "turn2_response.json").read_text())
    as_model = Message.model_validate(fixture)
    for answer in (as_model, fixture):
        plain = create(kind, FunctionModel(lambda r, a=answer: a))
        assert plain.to_dict() == fixture  # returned as it is: id, usage and all
        streamed = stream_final(kind, FunctionModel(lambda r, a=answer: a))
        assert streamed.model_dump() == plain.model_dump()


def test_answer_a_reply(kind: str) -> None:
    reply = Reply(
        "Stopped here",
        stop_reason="stop_sequence",
        stop_sequence="END",
        usage={"output_tokens": 7, "cache_read_input_tokens": 11},
        extra={"stop_details": {"type": "refusal", "category": "cyber"}},
    )
    plain = create(kind, FunctionModel(lambda r: reply))
    assert text_of(plain) == "Stopped here"
    assert plain.stop_reason == "stop_sequence"
    assert plain.stop_sequence == "END"
    assert plain.usage.output_tokens == 7
    assert plain.usage.cache_read_input_tokens == 11
    assert plain.usage.input_tokens == count_input_tokens(PARAMS)
    assert plain.stop_details is not None
    assert plain.stop_details.category == "cyber"
    streamed = stream_final(kind, FunctionModel(lambda r: reply))
    assert streamed.model_dump() == plain.model_dump()


def test_reply_stop_reason_defaults_from_the_content(kind: str) -> None:
    calling = create(kind, FunctionModel(lambda r: Reply([{"type": "tool_use", "name": "t"}])))
    assert calling.stop_reason == "tool_use"
    capped = create(kind, FunctionModel(lambda r: Reply("cut sh", stop_reason="max_tokens")))
    assert capped.stop_reason == "max_tokens"


def test_answer_raw_sse_bytes(kind: str) -> None:
    expected = json.loads((SSE_DIR / "01_text.final.json").read_text())
    model = FunctionModel(lambda r: RawReply(sse_bytes("01_text")))
    _, streamed = create_streamed(kind, model)
    assert streamed.to_dict() == expected
    assert stream_final(kind, model).to_dict() == expected


def test_answer_raw_json_bytes(kind: str) -> None:
    body = (FIXTURES / "tool_loop" / "turn2_response.json").read_bytes()
    model = FunctionModel(
        lambda r: RawReply(body, content_type="application/json", headers={"x-extra": "1"})
    )

    def sync(c: Anthropic) -> tuple[Message, str | None]:
        response = c.messages.with_raw_response.create(**PARAMS)
        return response.parse(), response.headers.get("x-extra")

    async def async_(c: AsyncAnthropic) -> tuple[Message, str | None]:
        response = await c.messages.with_raw_response.create(**PARAMS)
        return response.parse(), response.headers.get("x-extra")

    message, extra = run(kind, model, sync, async_)
    assert message.to_dict() == json.loads(body)
    assert extra == "1"


def test_answer_a_raw_error_status(kind: str) -> None:
    body = (FIXTURES / "http_errors" / "400_missing_tool_result.json").read_text()
    raw = json.dumps(json.loads(body)["body"]).encode()
    model = FunctionModel(lambda r: RawReply(raw, status=400, content_type="application/json"))
    error = expect_error(kind, model, BadRequestError)
    assert "`tool_use` ids were found without `tool_result` blocks" in str(error)


ERRORS: list[tuple[int, type[APIStatusError], str]] = [
    (400, BadRequestError, "invalid_request_error"),
    (401, AuthenticationError, "authentication_error"),
    (402, PaymentRequiredError, "billing_error"),
    (403, PermissionDeniedError, "permission_error"),
    (404, NotFoundError, "not_found_error"),
    (409, ConflictError, "conflict_error"),
    (413, RequestTooLargeError, "request_too_large"),
    (429, RateLimitError, "rate_limit_error"),
    (500, InternalServerError, "api_error"),
    (504, GatewayTimeoutError, "timeout_error"),
    (529, OverloadedError, "overloaded_error"),
    (418, APIStatusError, "api_error"),
]


@pytest.mark.parametrize(("status", "error_class", "error_type"), ERRORS)
def test_answer_an_error(
    kind: str, status: int, error_class: type[Exception], error_type: str
) -> None:
    model = FunctionModel(lambda r: ErrorReply(status, message=f"nope {status}"))
    error = expect_error(kind, model, error_class)
    assert error.status_code == status
    assert error.type == error_type
    assert error.api_message == f"nope {status}"
    assert error.request_id == "req_test_0001"
    assert len(model.requests) == 1


@pytest.mark.parametrize("row", ERROR_TABLE, ids=lambda row: str(row.status))
def test_an_error_body_for_every_status_of_the_table(kind: str, row: ErrorRow) -> None:
    model = FunctionModel(lambda r: ErrorReply(row.status))
    error = expect_error(kind, model, row.cls)
    assert error.type == (row.error_type or "api_error")
    assert error_class_for(error.status_code, error.type) is row.cls


def test_models_and_transport_import_one_way() -> None:
    tree = ast.parse(Path(agentkit.testing._transport.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "_models" not in imported
    assert ModelTransport(TestModel()).model is not None


def test_error_reply_headers(kind: str) -> None:
    model = FunctionModel(
        lambda r: ErrorReply(429, type="custom_error", retry_after=30, should_retry=False)
    )
    error = expect_error(kind, model, RateLimitError)
    assert error.type == "custom_error"
    assert error.api_message == "Injected error"
    assert error.response.headers["retry-after"] == "30"
    assert error.response.headers["x-should-retry"] == "false"
    assert len(model.requests) == 1  # the server said: do not retry


def test_a_function_error_reaches_the_caller(kind: str) -> None:
    def broken(request: ModelRequest) -> ReplyLike:
        raise LookupError("the function failed")

    async def abroken(request: ModelRequest) -> ReplyLike:
        raise LookupError("the async function failed")

    with pytest.raises(LookupError, match="the function failed"):
        create(kind, FunctionModel(broken))
    with pytest.raises(LookupError, match="the async function failed"):
        create(kind, FunctionModel(abroken))


def test_the_base_model_decides_nothing() -> None:
    with pytest.raises(NotImplementedError):
        create("sync", MockModel())
    with pytest.raises(NotImplementedError):
        create("asyncio", MockModel())


# --- ScriptedModel ------------------------------------------------------------------------


def test_scripted_model_answers_in_order(kind: str) -> None:
    model = ScriptedModel(
        ["one", lambda r: f"two after {len(r.messages)} messages", Reply("three")]
    )
    assert model.remaining == 3
    answers = [text_of(create(kind, model)) for _ in range(2)]
    assert model.remaining == 1
    answers.append(text_of(stream_final(kind, model)))
    assert answers == ["one", "two after 1 messages", "three"]
    assert model.remaining == 0


def test_scripted_model_running_out_shows_the_request(kind: str) -> None:
    model = ScriptedModel(["only one"])
    create(kind, model)
    unexpected = [{"role": "user", "content": "an unexpected second question"}]
    with pytest.raises(ScriptExhaustedError) as caught:
        create(kind, model, messages=unexpected)
    text = str(caught.value)
    assert "ScriptedModel has 1 replies but got request #2" in text
    assert "an unexpected second question" in text
    assert '"max_tokens": 256' in text
    assert model.remaining == -1


# --- TestModel -----------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(pydantic.BaseModel):
    street: str
    postcode: Annotated[str, pydantic.Field(pattern=r"^\d{4}-\d{3}$")]
    country: Literal["PT", "FR"] = "PT"


class Person(pydantic.BaseModel):
    name: Annotated[str, pydantic.Field(min_length=2, max_length=20)]
    age: Annotated[int, pydantic.Field(ge=18, le=120)]
    address: Address
    tags: list[str] = []


@tool
def register(
    person: Person,
    day: datetime.date,
    ref: uuid.UUID,
    color: Color,
    mode: Literal["fast", "slow"],
    seats: Annotated[int, pydantic.Field(gt=2, lt=9)],
    ratio: Annotated[float, pydantic.Field(gt=0, lt=1)],
    code: Annotated[str, pydantic.Field(pattern=r"^[A-Z]{3}-\d{2}$")],
    at: datetime.datetime,
    backup: Address | None,
    note: str | None = None,
) -> str:
    """Register a person."""
    return (
        f"registered {person.name} ({person.age}, {person.address.postcode}) on "
        f"{day.isoformat()} ref={ref} {color.value} {mode} seats={seats} ratio={ratio} "
        f"code={code}"
    )


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool
async def lookup(query: str, limit: Annotated[int, pydantic.Field(ge=2, le=5)] = 3) -> str:
    """Search."""
    await anyio.lowlevel.checkpoint()
    return f"{limit} hits for {query}"


@tool
def clock() -> str:
    """The time."""
    return "12:00"


TOOLBOX = Toolbox([register, add, lookup, clock])


def tool_conversation(kind: str, model: TestModel, **params: Any) -> tuple[Message, Message]:
    """Ask with tools; run the calls with `TOOLBOX`; send the results; the final answer."""
    params = {**PARAMS, "tools": TOOLBOX.params(), **params}

    def sync(c: Anthropic) -> tuple[Message, Message]:
        first = c.messages.create(**params)
        results = TOOLBOX.run_all(tool_uses(first))
        messages = [
            *params["messages"],
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": results},
        ]
        return first, c.messages.create(**{**params, "messages": messages})

    async def async_(c: AsyncAnthropic) -> tuple[Message, Message]:
        async with c.messages.stream(**params) as stream:
            first = await stream.get_final_message()
        results = await TOOLBOX.arun_all(tool_uses(first))
        messages = [
            *params["messages"],
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": results},
        ]
        return first, await c.messages.create(**{**params, "messages": messages})

    return run(kind, model, sync, async_)


def test_test_model_calls_every_tool_with_valid_input(kind: str) -> None:
    model = TestModel()
    first, final = tool_conversation(kind, model)

    assert first.stop_reason == "tool_use"
    calls = tool_uses(first)
    assert [c.name for c in calls] == ["register", "add", "lookup", "clock"]
    assert [c.id for c in calls] == [f"toolu_test_{i:04d}" for i in range(1, 5)]
    for call in calls:
        schema = TOOLBOX[call.name].to_param()["input_schema"]
        jsonschema.validate(call.input, schema, format_checker=jsonschema.FormatChecker())
        assert not isinstance(TOOLBOX[call.name].bind(call.input), str), call.input
    assert calls[1].input == {"a": 1, "b": 1}
    assert calls[2].input == {"query": "example", "limit": 3}  # the default
    assert calls[3].input == {}

    results = TOOLBOX.run_all(calls)
    assert not any(r.get("is_error") for r in results)
    assert final.stop_reason == "end_turn"
    summary = "; ".join(f"{c.name}: {r['content']}" for c, r in zip(calls, results, strict=True))
    assert text_of(final) == f"Tool results: {summary}"
    assert "register: registered example (18, 0000-000) on 2026-01-15" in text_of(final)
    assert "code=AAA-00" in text_of(final)
    assert "add: 2; lookup: 3 hits for example; clock: 12:00" in text_of(final)
    assert len(model.requests) == 2
    assert model.requests[1].tool_results == [dict(r) for r in results]


def test_test_model_summarises_errors_and_block_content(kind: str) -> None:
    model = TestModel(tool_inputs={"add": {"a": "not a number", "b": 1}})
    _, final = tool_conversation(kind, model)
    text = text_of(final)
    assert "add (error): " in text
    assert "the tool was not run" in text
    assert "clock: 12:00" in text

    history = [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_a", "name": "clock", "input": {}},
                {"type": "tool_use", "id": "toolu_b", "name": "shot", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_a",
                    "content": [{"type": "text", "text": "noon"}, {"type": "text", "text": "!"}],
                },
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_b",
                    "content": [
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": "AA"},
                        }
                    ],
                },
            ],
        },
    ]
    message = create(kind, TestModel(), messages=history)
    assert text_of(message) == "Tool results: clock: noon !; shot: [image]"


def test_test_model_tool_inputs_override(kind: str) -> None:
    model = TestModel(tool_inputs={"add": {"a": 40, "b": 2}})
    first, final = tool_conversation(kind, model)
    assert tool_uses(first)[1].input == {"a": 40, "b": 2}
    assert "add: 42" in text_of(final)


def test_test_model_without_tools_answers_its_text(kind: str) -> None:
    assert text_of(create(kind, TestModel())) == "This is TestModel's answer."
    assert text_of(create(kind, TestModel(text="Custom."))) == "Custom."


@pytest.mark.parametrize(
    ("options", "params", "expected"),
    [
        ({"call_tools": ["clock", "add"]}, {}, ["add", "clock"]),
        ({"call_tools": False}, {}, []),
        ({}, {"tool_choice": {"type": "none"}}, []),
        ({}, {"tool_choice": {"type": "auto"}}, ["register", "add", "lookup", "clock"]),
        ({}, {"tool_choice": {"type": "any"}}, ["register", "add", "lookup", "clock"]),
        ({}, {"tool_choice": {"type": "tool", "name": "lookup"}}, ["lookup"]),
        (
            {},
            {"tool_choice": {"type": "auto", "disable_parallel_tool_use": True}},
            ["register"],
        ),
        (
            {"call_tools": ["clock", "add"]},
            {"tool_choice": {"type": "any", "disable_parallel_tool_use": True}},
            ["add"],
        ),
    ],
)
def test_test_model_chooses_tools(
    kind: str, options: dict[str, Any], params: dict[str, Any], expected: list[str]
) -> None:
    message = create(kind, TestModel(**options), tools=TOOLBOX.params(), **params)
    assert [c.name for c in tool_uses(message)] == expected
    if not expected:
        assert text_of(message) == "This is TestModel's answer."
        assert message.stop_reason == "end_turn"


def test_test_model_calls_only_client_tools(kind: str) -> None:
    tools = [
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 1},
        *TOOLBOX.params()[-1:],
    ]
    model = TestModel()
    message = create(kind, model, tools=tools)
    assert [c.name for c in tool_uses(message)] == ["clock"]
    assert model.requests[0].tool_names == ["clock"]
    assert [t["name"] for t in model.requests[0].tools] == ["web_search", "clock"]


def test_test_model_is_deterministic(kind: str) -> None:
    first = create(kind, TestModel(), tools=TOOLBOX.params())
    second = create(kind, TestModel(), tools=TOOLBOX.params())
    assert first.model_dump() == second.model_dump()
    assert first.id == "msg_test_0005"  # four tool-use ids, then the message's
    prefixed = create(kind, TestModel(id_prefix="run7"), tools=TOOLBOX.params())
    assert [c.id for c in tool_uses(prefixed)][:2] == ["toolu_run7_0001", "toolu_run7_0002"]
    assert prefixed.id == "msg_run7_0005"


def test_usage_follows_the_documented_counting_rule(kind: str) -> None:
    # input: the compact JSON of system, tools and messages, one token per 4 characters
    #   {"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]} is 66 characters
    # output: the compact JSON of the content
    #   [{"type":"text","text":"This is TestModel's answer."}] is 54 characters
    model = TestModel()
    params: dict[str, Any] = {
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Hi"}],
    }
    message = create(kind, model, **params)
    assert message.usage.input_tokens == 17  # ceil(66 / 4)
    assert message.usage.output_tokens == 14  # ceil(54 / 4)
    assert count_tokens(kind, model, **params).input_tokens == 17
    assert stream_final(kind, TestModel(), **params).usage.output_tokens == 14


def test_counting_rule_helpers() -> None:
    assert tokens("") == 1
    assert tokens("abcd") == 1
    assert tokens("abcde") == 2
    assert count_input_tokens({"model": "ignored", "messages": []}) == 4  # {"messages":[]}
    # {"system":"ß","tools":[],"messages":[]}: 39 characters (not bytes)
    assert count_input_tokens({"messages": [], "tools": [], "system": "ß"}) == 10
    assert count_output_tokens([{"type": "text", "text": "é"}]) == 7


def test_count_tokens_counts_tools_and_system(kind: str) -> None:
    plain = count_tokens(kind, TestModel()).input_tokens
    with_tools = count_tokens(kind, TestModel(), tools=TOOLBOX.params()).input_tokens
    with_system = count_tokens(kind, TestModel(), system="You are terse.").input_tokens
    assert plain == 23  # {"messages":[{"role":"user","content":PROMPT}]}: 92 characters
    assert with_system == 30  # '"system":"You are terse.",' adds 26 characters
    assert with_tools == count_input_tokens({**PARAMS, "tools": TOOLBOX.params()})
    assert with_tools > 100


# --- EchoModel -----------------------------------------------------------------------------


def test_echo_model(kind: str) -> None:
    blocks = [
        {"type": "text", "text": "first "},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
        {"type": "text", "text": "second"},
    ]
    message = create(kind, EchoModel(), messages=[{"role": "user", "content": blocks}])
    assert text_of(message) == "first second"
    history = [
        {"role": "user", "content": "call it"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "t", "input": {}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]},
    ]
    assert text_of(create(kind, EchoModel(), messages=history)) == "(no text)"


# --- requests, plumbing --------------------------------------------------------------------


def test_requests_are_recorded(kind: str) -> None:
    model = EchoModel()
    create(kind, model)
    create_streamed(kind, model, system="sys")
    with_system_turn = [
        {"role": "user", "content": "a"},
        {"role": "system", "content": "Be brief."},
    ]
    expect_error(kind, model, BadRequestError, messages=with_system_turn)
    assert [r.index for r in model.requests] == [0, 1, 2]
    first, second, invalid = model.requests
    assert first.path == "/v1/messages"
    assert first.headers["x-api-key"] == "offline-test-key"
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert first == PARAMS  # the parsed body, as a dict
    assert first.messages == PARAMS["messages"]
    assert first.stream is False
    assert second.stream is True
    assert second["system"] == "sys"
    assert invalid.last_user_text == "a"
    assert first.tools == []
    assert first.tool_names == []
    assert first.tool_results == []


def test_keep_requests_off_answers_the_same_and_keeps_no_log(kind: str) -> None:
    kept, unkept = EchoModel(), EchoModel(keep_requests=False)
    for model in (kept, unkept):
        create(kind, model)
        create_streamed(kind, model, system="sys")
    assert len(kept.requests) == 2
    assert unkept.requests == []
    # the ids still count every request, as with a log
    assert create(kind, unkept).id == create(kind, kept).id


def test_model_request_shortcuts() -> None:
    def request(*messages: dict[str, Any]) -> ModelRequest:
        return ModelRequest({"messages": list(messages)}, path="/v1/messages", headers={}, index=0)

    assert request().last_user_text == ""
    assert request().tool_results == []
    assert request({"role": "assistant", "content": "x"}).tool_results == []
    assert request({"role": "user", "content": "plain"}).tool_results == []
    result = {"type": "tool_result", "tool_use_id": "t1", "content": "ok"}
    mixed = request(
        {"role": "user", "content": "before"},
        {"role": "assistant", "content": "reply"},
        {"role": "user", "content": [result, {"type": "text", "text": "after"}, "junk"]},
    )
    assert mixed.tool_results == [result]
    assert mixed.last_user_text == "after"
    asked = request({"role": "user", "content": "question"}, {"role": "assistant", "content": "a"})
    assert asked.last_user_text == "question"  # the last *user* message
    assert request({"role": "user", "content": None}).last_user_text == ""
    assert ModelRequest({}, path="/", headers={"A": "b"}, index=3).headers == {"A": "b"}


def test_unknown_paths_are_404(kind: str) -> None:
    model = TestModel()

    def sync(c: Anthropic) -> Message:
        return cast(Message, c.with_options(base_url="http://x/prefix").messages.create(**PARAMS))

    async def async_(c: AsyncAnthropic) -> Message:
        moved = c.with_options(base_url="http://x/prefix")
        return cast(Message, await moved.messages.create(**PARAMS))

    with pytest.raises(NotFoundError) as caught:
        run(kind, model, sync, async_, max_retries=0)
    assert caught.value.type == "not_found_error"
    assert caught.value.api_message == "Not found: POST /prefix/v1/messages"

    with httpx.Client(transport=model.transport(), base_url="http://offline") as http:
        response = http.get("/v1/messages")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Not found: GET /v1/messages"


def test_transports_and_clients() -> None:
    model = EchoModel()
    transport = model.transport()
    assert isinstance(transport, ModelTransport)
    assert transport.model is model
    assert isinstance(model.async_transport(), ModelTransport)
    client = model.client(api_key="sk-mine", max_retries=5)
    assert client.api_key == "sk-mine"
    assert client.max_retries == 5
    aclient = model.async_client()
    assert aclient.api_key == "offline-test-key"
