"""Details an SDK user or a test written from the issue text relies on."""

from __future__ import annotations

import inspect
import pickle
import subprocess
import sys
from typing import Any

import anyio
import httpx
import pytest

import agentkit
from agentkit import (
    AgentkitError,
    Anthropic,
    AnthropicError,
    AsyncAnthropic,
    InputJsonEvent,
    Message,
    MessageTokensCount,
    RateLimitError,
    StreamProtocolError,
    TextEvent,
    ThinkingEvent,
    UsageError,
)
from tests.helpers import message_body, sse_bytes

SSE = sse_bytes("01_text")


def sse_client(kind: str, *, content: bool) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream"}
        if content:  # the usual way to write a mock: the body given as `content=`
            return httpx.Response(200, headers=headers, content=SSE)
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(SSE))

    transport = httpx.MockTransport(handler)
    if kind == "sync":
        return Anthropic(api_key="k", http_client=httpx.Client(transport=transport))
    return AsyncAnthropic(api_key="k", http_client=httpx.AsyncClient(transport=transport))


PARAMS: dict[str, Any] = {
    "model": "m",
    "max_tokens": 10,
    "messages": [{"role": "user", "content": "hi"}],
}


@pytest.mark.parametrize("content", [True, False])
def test_streams_from_a_response_built_with_content(content: bool) -> None:
    client = sse_client("sync", content=content)
    with client.messages.create(**PARAMS, stream=True) as stream:
        kinds = [event.type for event in stream]
    assert kinds[0] == "message_start"
    assert kinds[-1] == "message_stop"
    with client.messages.stream(**PARAMS) as helper:
        assert helper.get_final_text().startswith("Tides")

    async def main() -> str:
        async_client = sse_client("async", content=content)
        async with async_client.messages.stream(**PARAMS) as s:
            text: str = await s.get_final_text()
            return text

    assert anyio.run(main).startswith("Tides")


def test_parsed_models_equal_the_same_model_built_from_json() -> None:
    body = message_body("Hi")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body, headers={"request-id": "req_1"})

    client = Anthropic(
        api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    message = client.messages.create(**PARAMS)
    assert message._request_id == "req_1"
    assert message == Message.model_validate(body)
    assert message != Message.model_validate(message_body("Other"))
    assert MessageTokensCount(input_tokens=3) == MessageTokensCount(input_tokens=3)
    assert message.to_dict(mode="python", exclude_none=True)["content"][0]["text"] == "Hi"
    assert "citations" not in message.to_json(exclude_unset=True)


def test_stream_events_can_be_built_and_compared() -> None:
    assert TextEvent("b", "ab") == TextEvent(text="b", snapshot="ab")
    assert TextEvent("b", "ab") != TextEvent("b", "xb")
    assert (TextEvent("a", "a").text, TextEvent("a", "a").snapshot) == ("a", "a")
    assert ThinkingEvent("t", "t").thinking == "t"
    assert InputJsonEvent('{"a"', {"a": None}).partial_json == '{"a"'
    match TextEvent("piece", "so far"):
        case TextEvent(text, snapshot):
            assert (text, snapshot) == ("piece", "so far")
    assert repr(TextEvent("x", "x")) == "TextEvent('x')"
    with sse_client("sync", content=False).messages.stream(**PARAMS) as stream:
        events = [e for e in stream if isinstance(e, TextEvent)]
    assert events[-1] == TextEvent(events[-1].text, stream.get_final_text())


def test_constructor_follows_the_issue_and_checks_the_http_client() -> None:
    names = list(inspect.signature(Anthropic).parameters)
    assert names[:8] == [
        "api_key",
        "auth_token",
        "base_url",
        "api_version",
        "timeout",
        "max_retries",
        "default_headers",
        "http_client",
    ]
    with pytest.raises(UsageError, match="httpx.Client"):
        Anthropic(api_key="k", http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="httpx.AsyncClient"):
        AsyncAnthropic(api_key="k", http_client=httpx.Client())  # type: ignore[arg-type]


def test_runtime_signatures() -> None:
    client = Anthropic(api_key="k")
    signature = inspect.signature(client.messages.create)
    assert signature.parameters["stream"].default is agentkit.NOT_GIVEN
    signature.bind(model="m", messages=[], max_tokens=1)
    raw = inspect.signature(client.messages.with_raw_response.create)
    assert list(raw.parameters)[:3] == ["model", "messages", "max_tokens"]


def test_submodules_and_dir() -> None:
    code = "import agentkit; print(agentkit.types.Message.__name__, agentkit.tools.tool.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Message", "tool"]
    assert dir(agentkit) == sorted(agentkit.__all__)


def test_errors_sdk_style() -> None:
    response = httpx.Response(
        429,
        json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
        headers={"request-id": "req_9", "anthropic-workspace-id": "wrkspc_1"},
        request=httpx.Request("POST", "https://api.anthropic.com/v1/messages"),
    )
    error = RateLimitError("custom message", response=response, body=response.json())
    assert (str(error), error.status_code, error.type) == (
        "custom message",
        429,
        "rate_limit_error",
    )
    assert (error.request_id, error.workspace_id) == ("req_9", "wrkspc_1")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is RateLimitError
    assert (copy.status_code, copy.type, str(copy)) == (429, "rate_limit_error", "custom message")
    assert AnthropicError is AgentkitError
    assert issubclass(StreamProtocolError, AgentkitError)


def test_streaming_response_iterators_and_count_tokens() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("count_tokens"):
            return httpx.Response(200, json={"input_tokens": 5})
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=httpx.ByteStream(SSE)
        )

    client = Anthropic(
        api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    with client.messages.with_streaming_response.create(**PARAMS, stream=True) as response:
        lines = list(response.iter_lines())
    assert lines[0] == "event: message_start"
    with client.messages.with_streaming_response.count_tokens(
        model="m", messages=PARAMS["messages"]
    ) as r:
        assert r.parse().input_tokens == 5

    async def main() -> tuple[list[bytes], int]:
        async_client = AsyncAnthropic(
            api_key="k", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
        )
        async with async_client.messages.with_streaming_response.create(
            **PARAMS, stream=True
        ) as resp:
            chunks = [chunk async for chunk in resp.iter_bytes()]
        async with async_client.messages.with_streaming_response.count_tokens(
            model="m", messages=PARAMS["messages"]
        ) as counted:
            count = (await counted.parse()).input_tokens
        return chunks, count

    chunks, count = anyio.run(main)
    assert b"".join(chunks) == SSE
    assert count == 5


def test_sdk_param_names_exist() -> None:
    from agentkit.types import (
        Base64ImageSourceParam,
        Base64PDFSourceParam,
        PlainTextSourceParam,
        URLImageSourceParam,
        URLPDFSourceParam,
    )

    source: Base64ImageSourceParam = {"type": "base64", "media_type": "image/png", "data": "x"}
    assert source["type"] == "base64"
    assert {URLImageSourceParam, Base64PDFSourceParam, PlainTextSourceParam, URLPDFSourceParam}
