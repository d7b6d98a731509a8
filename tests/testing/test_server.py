"""The loopback server over real HTTP/1.1: agentkit's clients and the official SDK as clients.

Every server binds 127.0.0.1 on a free port; nothing leaves the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import anthropic
import anyio
import httpx
import pytest

from agentkit import (
    Anthropic,
    APIConnectionError,
    APITimeoutError,
    AsyncAnthropic,
    BadRequestError,
    InternalServerError,
    Message,
    OverloadedError,
    TextBlock,
    ToolUseBlock,
    UsageError,
)
from agentkit.testing import (
    EchoModel,
    Fault,
    FunctionModel,
    MockModel,
    RawReply,
    ScriptedModel,
    TestModel,
)
from agentkit.testing.server import ModelServer, load_model, main, serve_in_background
from tests.helpers import sse_bytes

PARAMS: dict[str, Any] = {
    "model": "claude-test-1",
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hello over the wire!"}],
}
WEATHER_TOOL: Any = {
    "name": "get_weather",
    "description": "Current weather.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "minLength": 3},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "when": {"type": "string", "format": "date"},
        },
        "required": ["city", "unit"],
    },
}
EXPECTED_INPUT = {"city": "example", "unit": "celsius", "days": 1, "when": "2026-01-15"}


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[tuple[MockModel, str]]:
    """A fresh served model: `TestModel`, or made by the factory the test is parametrised with."""
    factory = cast(Callable[[], MockModel], getattr(request, "param", TestModel))
    model = factory()
    with serve_in_background(model) as url:
        yield model, url


def text_of(message: Message) -> str:
    return "".join(b.text for b in message.content if isinstance(b, TextBlock))


# --- agentkit's own clients --------------------------------------------------------------------


def test_sync_client_over_http(served: tuple[MockModel, str]) -> None:
    model, url = served
    assert url.startswith("http://127.0.0.1:")
    with Anthropic(base_url=url, api_key="sk-local", max_retries=0) as client:
        message = client.messages.create(**PARAMS)
        with client.messages.stream(**PARAMS, tools=[WEATHER_TOOL]) as stream:
            streamed = stream.get_final_message()
        counted = client.messages.count_tokens(model="m", messages=PARAMS["messages"])
        bad = [*PARAMS["messages"], {"role": "system", "content": "Be brief."}]
        with pytest.raises(BadRequestError, match="system=") as caught:
            client.messages.create(**{**PARAMS, "messages": bad})
    assert text_of(message) == "This is TestModel's answer."
    assert message._request_id is not None
    assert message._request_id.startswith("req_test_")
    calls = [b for b in streamed.content if isinstance(b, ToolUseBlock)]
    assert [(c.name, c.input) for c in calls] == [("get_weather", EXPECTED_INPUT)]
    assert counted.input_tokens == message.usage.input_tokens
    assert caught.value.status_code == 400
    assert [r.path for r in model.requests] == [
        "/v1/messages",
        "/v1/messages",
        "/v1/messages/count_tokens",
        "/v1/messages",
    ]
    assert model.requests[0].headers["x-api-key"] == "sk-local"


def test_async_client_over_http(served: tuple[MockModel, str], anyio_backend: str) -> None:
    model, url = served

    async def scenario() -> tuple[Message, list[str], int]:
        async with AsyncAnthropic(base_url=url, api_key="sk-local", max_retries=0) as client:
            message = await client.messages.create(**PARAMS)
            async with client.messages.stream(**PARAMS) as stream:
                pieces = [text async for text in stream.text_stream]
            counted = await client.messages.count_tokens(model="m", messages=PARAMS["messages"])
            with pytest.raises(BadRequestError):
                await client.messages.create(**{**PARAMS, "tools": [WEATHER_TOOL] * 2})
            return message, pieces, counted.input_tokens

    message, pieces, counted = anyio.run(scenario, backend=anyio_backend)
    assert text_of(message) == "This is TestModel's answer."
    assert pieces == ["This is TestMode", "l's answer."]
    assert counted == message.usage.input_tokens
    assert len(model.requests) == 4


@pytest.mark.parametrize(
    "served",
    [lambda: FunctionModel(lambda r: "x" * 80, faults=[Fault.cut(after=4)])],
    indirect=True,
)
def test_a_cut_over_real_http(served: tuple[MockModel, str]) -> None:
    _, url = served
    with Anthropic(base_url=url, api_key="k", max_retries=0) as client:
        with (
            pytest.raises(APIConnectionError) as caught,
            client.messages.create(**PARAMS, stream=True) as stream,
        ):
            for _ in stream:
                pass
        # the connection was dropped; the next request gets a fresh one and succeeds
        assert text_of(client.messages.create(**PARAMS)) == "x" * 80
    assert not isinstance(caught.value, APITimeoutError)


@pytest.mark.parametrize(
    "served",
    [lambda: FunctionModel(lambda r: "y" * 80, faults=[Fault.cut(after=4)])],
    indirect=True,
)
def test_a_cut_over_real_http_async(served: tuple[MockModel, str], anyio_backend: str) -> None:
    _, url = served

    async def scenario() -> None:
        async with AsyncAnthropic(base_url=url, api_key="k", max_retries=0) as client:
            stream = await client.messages.create(**PARAMS, stream=True)
            async with stream:
                async for _ in stream:
                    pass

    with pytest.raises(APIConnectionError):
        anyio.run(scenario, backend=anyio_backend)


@pytest.mark.parametrize(
    "served",
    [
        lambda: FunctionModel(
            lambda r: "z" * 40, faults=[Fault.error_event(after=4), Fault(delay=0.01)]
        )
    ],
    indirect=True,
)
def test_error_event_and_delay_over_real_http(served: tuple[MockModel, str]) -> None:
    _, url = served
    with Anthropic(base_url=url, api_key="k", max_retries=0) as client:
        with (
            pytest.raises(OverloadedError) as caught,
            client.messages.stream(**PARAMS) as stream,
        ):
            stream.get_final_message()
        assert caught.value.request_id is not None
        assert text_of(client.messages.create(**PARAMS)) == "z" * 40  # after a delay


@pytest.mark.parametrize(
    "served", [lambda: FunctionModel(lambda r: "ok", faults=[Fault(reset=True)])], indirect=True
)
def test_a_reset_over_real_http(served: tuple[MockModel, str]) -> None:
    model, url = served
    with Anthropic(base_url=url, api_key="k", max_retries=0) as client:
        with pytest.raises(APIConnectionError):
            client.messages.create(**PARAMS)
        assert text_of(client.messages.create(**PARAMS)) == "ok"
    assert len(model.requests) == 2


@pytest.mark.parametrize("served", [lambda: ScriptedModel(["only one"])], indirect=True)
def test_a_model_error_is_a_500(served: tuple[MockModel, str]) -> None:
    _, url = served
    with Anthropic(base_url=url, api_key="k") as client:
        client.messages.create(**PARAMS)
        with pytest.raises(InternalServerError) as caught:
            client.messages.create(**PARAMS)  # x-should-retry: false, so no retries
    assert caught.value.type == "api_error"
    assert str(caught.value.api_message).startswith(
        "ScriptExhaustedError: ScriptedModel has 1 replies but got request #2"
    )


@pytest.mark.parametrize(
    "served", [lambda: FunctionModel(lambda r: RawReply(sse_bytes("01_text")))], indirect=True
)
def test_raw_bytes_over_real_http(served: tuple[MockModel, str]) -> None:
    _, url = served
    with Anthropic(base_url=url, api_key="k") as client, client.messages.stream(**PARAMS) as s:
        assert s.get_final_text().startswith("Tides are caused")


def test_keep_alive_reuses_one_connection(served: tuple[MockModel, str]) -> None:
    model, url = served
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    peers = []
    with httpx.Client(base_url=url, headers=headers) as http:
        for body, path in [
            (PARAMS, "/v1/messages"),
            ({**PARAMS, "stream": True}, "/v1/messages"),  # chunked
            ({"model": "m", "messages": PARAMS["messages"]}, "/v1/messages/count_tokens"),
            ({**PARAMS, "messages": []}, "/v1/messages"),  # a 400
            (PARAMS, "/v1/messages"),
        ]:
            response = http.post(path, json=body)
            assert response.http_version == "HTTP/1.1"
            assert response.headers.get("connection", "keep-alive") != "close"
            stream = response.extensions["network_stream"]
            peers.append(stream.get_extra_info("client_addr"))
        not_found = http.get("/v1/nothing-here")
    assert [r.path for r in model.requests] == [
        "/v1/messages",
        "/v1/messages",
        "/v1/messages/count_tokens",
        "/v1/messages",
        "/v1/messages",
        "/v1/nothing-here",
    ]
    assert len(set(peers)) == 1  # one TCP connection (same client port) for all
    assert not_found.status_code == 404


def test_a_verbose_server_logs_requests(capfd: pytest.CaptureFixture[str]) -> None:
    server = ModelServer(EchoModel(), verbose=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        with Anthropic(base_url=server.url, api_key="k") as client:
            assert text_of(client.messages.create(**PARAMS)) == "Hello over the wire!"
    finally:
        server.shutdown()
        server.server_close()
    assert '"POST /v1/messages HTTP/1.1" 200' in capfd.readouterr().err


def test_clients_going_away_are_not_reported(capsys: pytest.CaptureFixture[str]) -> None:
    server = ModelServer(EchoModel())
    try:
        for error in (ConnectionResetError("reset"), BrokenPipeError("pipe"), ValueError("bug")):
            try:
                raise error
            except Exception:
                server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.server_close()
    err = capsys.readouterr().err
    assert err.count("Exception occurred during processing of request") == 1
    assert "ValueError: bug" in err
    assert "reset" not in err


def test_a_quiet_server_logs_nothing(
    served: tuple[MockModel, str], capfd: pytest.CaptureFixture[str]
) -> None:
    _, url = served
    with Anthropic(base_url=url, api_key="k") as client:
        client.messages.create(**PARAMS)
    assert "POST /v1/messages" not in capfd.readouterr().err


# --- the official SDK as the client ------------------------------------------------------------


@pytest.fixture
def sdk(served: tuple[MockModel, str]) -> Iterator[anthropic.Anthropic]:
    _, url = served
    with anthropic.Anthropic(base_url=url, api_key="sk-ant-local", max_retries=0) as client:
        yield client


def test_official_sdk_create(sdk: anthropic.Anthropic, served: tuple[MockModel, str]) -> None:
    model, _ = served
    message = sdk.messages.create(**PARAMS)
    assert isinstance(message, anthropic.types.Message)
    assert message.content[0].type == "text"
    assert message.content[0].text == "This is TestModel's answer."
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0
    assert message._request_id is not None
    assert message._request_id.startswith("req_test_")
    assert model.requests[0].headers["authorization"] == "Bearer sk-ant-local"
    assert model.requests[0].headers["anthropic-version"] == "2026-10-21"


def test_official_sdk_stream_with_text_and_tool_input(
    sdk: anthropic.Anthropic, served: tuple[MockModel, str]
) -> None:
    model, _ = served
    with sdk.messages.stream(**PARAMS, tools=[WEATHER_TOOL]) as stream:
        events = list(stream)
        first = stream.get_final_message()
    input_json = [e for e in events if e.type == "input_json"]
    assert input_json, "tool input arrives as input_json_delta chunks"
    assert first.stop_reason == "tool_use"
    call = first.content[0]
    assert call.type == "tool_use"
    assert call.name == "get_weather"
    assert call.input == EXPECTED_INPUT
    assert call.id == "toolu_test_0001"

    follow_up = [
        *PARAMS["messages"],
        {"role": "assistant", "content": [b.model_dump() for b in first.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "sunny"}],
        },
    ]
    with sdk.messages.stream(**{**PARAMS, "messages": follow_up}, tools=[WEATHER_TOOL]) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(texts) == "Tool results: get_weather: sunny"
    assert len(texts) > 1
    assert final.stop_reason == "end_turn"
    assert model.requests[-1].tool_results[0]["tool_use_id"] == call.id


def test_official_sdk_count_tokens(sdk: anthropic.Anthropic) -> None:
    counted = sdk.messages.count_tokens(model="m", messages=PARAMS["messages"])
    created = sdk.messages.create(**PARAMS)
    assert counted.input_tokens == created.usage.input_tokens


def test_official_sdk_bad_request(sdk: anthropic.Anthropic) -> None:
    fixture = json.loads(
        (
            Path(__file__).parents[1]
            / "fixtures/tool_loop/invalid_unknown_tool_use_id.request.json"
        ).read_text()
    )
    request = {k: v for k, v in fixture["request"].items() if k != "stream"}
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk.messages.create(**request)
    assert caught.value.status_code == 400
    assert "unexpected `tool_use_id` found in `tool_result` blocks" in caught.value.message
    body = cast(dict[str, Any], caught.value.body)
    assert body["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "served",
    [lambda: FunctionModel(lambda r: "late", faults=[Fault.error_status(529)])],
    indirect=True,
)
def test_official_sdk_overloaded(sdk: anthropic.Anthropic, served: tuple[MockModel, str]) -> None:
    model, _ = served
    with pytest.raises(anthropic.InternalServerError) as caught:
        sdk.messages.create(**PARAMS)
    assert type(caught.value).__name__ == "OverloadedError"
    assert isinstance(caught.value, anthropic.OverloadedError)
    assert caught.value.status_code == 529
    assert len(model.requests) == 1
    assert sdk.messages.create(**PARAMS).content[0].text == "late"


@pytest.mark.parametrize(
    "served",
    [lambda: FunctionModel(lambda r: "ok", faults=[Fault.error_event(after=2)])],
    indirect=True,
)
def test_official_sdk_error_event(sdk: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.APIStatusError) as caught, sdk.messages.stream(**PARAMS) as s:
        s.get_final_message()
    assert "overloaded_error" in str(caught.value)


def test_official_async_sdk(served: tuple[MockModel, str], anyio_backend: str) -> None:
    _, url = served

    async def scenario() -> tuple[str, str]:
        async with anthropic.AsyncAnthropic(base_url=url, api_key="k", max_retries=0) as c:
            message = await c.messages.create(**PARAMS)
            async with c.messages.stream(**PARAMS) as stream:
                text = await stream.get_final_text()
            first = message.content[0]
            return (first.text if first.type == "text" else ""), text

    assert anyio.run(scenario, backend=anyio_backend) == ("This is TestModel's answer.",) * 2


# --- load_model and main ---------------------------------------------------------------------


def test_load_model_specs(tmp_path: Path) -> None:
    assert type(load_model("test")) is TestModel
    assert type(load_model("echo")) is EchoModel
    script = tmp_path / "script.json"
    script.write_text(json.dumps(["first", [{"type": "text", "text": "second"}]]))
    model = load_model(f"scripted:{script}")
    assert isinstance(model, ScriptedModel)
    assert model.remaining == 2
    with serve_in_background(model) as url, Anthropic(base_url=url, api_key="k") as client:
        answers = [text_of(client.messages.create(**PARAMS)) for _ in range(2)]
    assert answers == ["first", "second"]
    assert model.requests == []  # a server keeps no log of what it answered


@pytest.mark.parametrize(
    ("spec", "content", "message"),
    [
        ("gpt", None, "unknown model 'gpt': use 'test', 'echo' or 'scripted:FILE'."),
        ("scripted:{dir}/missing.json", None, "cannot read the script"),
        ("scripted:{dir}/bad.json", "[not json", "cannot read the script"),
        ("scripted:{dir}/object.json", '{"a": 1}', "must be a JSON list of replies"),
    ],
)
def test_load_model_errors(tmp_path: Path, spec: str, content: str | None, message: str) -> None:
    spec = spec.format(dir=tmp_path)
    if content is not None:
        Path(spec.partition(":")[2]).write_text(content)
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_model(spec)


def test_main_with_a_bad_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--model", "nope", "--port", "0"]) == 2
    assert "error: unknown model 'nope'" in capsys.readouterr().err


def test_main_serves_until_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[ModelServer] = []

    def serve_forever(self: ModelServer, poll_interval: float = 0.5) -> None:
        started.append(self)
        # accept one connection (on a thread, as the client blocks), then "Ctrl-C"
        thread = threading.Thread(target=self.handle_request)
        thread.start()
        with Anthropic(base_url=self.url, api_key="k") as client:
            assert text_of(client.messages.create(**PARAMS)) == "Hello over the wire!"
        thread.join()
        raise KeyboardInterrupt

    monkeypatch.setattr(ModelServer, "serve_forever", serve_forever)
    assert main(["--model", "echo", "--port", "0"]) == 0
    assert "Serving echo model at http://127.0.0.1:" in capsys.readouterr().out
    assert len(started) == 1


def test_module_entry_point() -> None:
    """`python -m agentkit.testing.server` runs `main` (here: refusing an unknown model)."""
    done = subprocess.run(
        [sys.executable, "-m", "agentkit.testing.server", "--model", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "error: unknown model 'nope'" in done.stderr
