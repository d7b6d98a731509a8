"""Secrets never leak: logs, reprs, errors, cassettes and run results hold no key or token."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentkit import (
    Agent,
    AgentkitError,
    Anthropic,
    RunResult,
    Toolbox,
    tool,
)
from agentkit._core.request import PreparedRequest
from agentkit.testing import (
    ErrorReply,
    Fault,
    FunctionModel,
    RecordedSleeps,
    ScriptedModel,
    TestModel,
    cassette,
)
from agentkit.tools import redacting_formatter

API_KEY = "sk-ant-api03-SECRET-KEY-0123456789abcdef"
AUTH_TOKEN = "oauth-SECRET-TOKEN-9876543210"
SECRETS = (API_KEY, AUTH_TOKEN)


@tool
def connect(host: str) -> str:
    """Connect to a service (fails, quoting its credentials, as careless code does)."""
    raise ConnectionError(f"login to {host} refused for key {API_KEY}")


def _texts_of(obj: Any) -> list[str]:
    return [repr(obj), str(obj)]


def test_no_secret_anywhere(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    waits: RecordedSleeps,
) -> None:
    monkeypatch.setenv("ANTHROPIC_LOG", "debug")
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    # a client with both credentials, through retries, errors, streaming and raw responses
    model = ScriptedModel(
        ["hello", "streamed", ErrorReply(401, message="bad key"), "raw"],
        faults=[Fault.error_status(529, retry_after=0.001)],
    )
    client = Anthropic(
        api_key=API_KEY,
        auth_token=AUTH_TOKEN,
        http_client=httpx.Client(transport=model.transport()),
    )
    seen += _texts_of(client)
    message = client.messages.create(
        model="m", max_tokens=5, messages=[{"role": "user", "content": "a"}]
    )
    seen += [*_texts_of(message), message.to_json()]
    with client.messages.stream(
        model="m", max_tokens=5, messages=[{"role": "user", "content": "b"}]
    ) as stream:
        seen += _texts_of(stream.get_final_message()) + _texts_of(stream.response.request)
    with pytest.raises(AgentkitError) as info:
        client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "c"}])
    seen += [*_texts_of(info.value), str(info.value.args)]
    raw = client.messages.with_raw_response.create(
        model="m", max_tokens=5, messages=[{"role": "user", "content": "d"}]
    )
    seen += _texts_of(raw) + _texts_of(raw.http_response) + _texts_of(raw.http_response.request)
    prepared = client.prepare("POST", "/v1/messages", {"a": 1})
    seen += _texts_of(prepared)

    # an agent whose tool quotes the key: the redaction hook keeps it from the model
    tools = Toolbox([connect], format_error=redacting_formatter(API_KEY, AUTH_TOKEN))
    result: RunResult = Agent(TestModel().client(api_key=API_KEY), model="m", tools=tools).run(
        "connect"
    )
    assert result.tool_calls[0].is_error
    assert "<redacted>" in result.tool_calls[0].result
    seen += [result.to_json(), json.dumps(result.messages)]

    # a cassette recorded with both credentials
    path = tmp_path / "tape.json"
    with cassette(path, "record", transport=FunctionModel(lambda r: "taped").transport()) as tape:
        recorded = tape.client(api_key=API_KEY, auth_token=AUTH_TOKEN)
        recorded.messages.create(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "e"}]
        )
    seen.append(path.read_text())

    seen.append(caplog.text)
    assert "<redacted>" in caplog.text  # credentials were logged, redacted
    leaks = [text for text in seen for secret in SECRETS if secret in text]
    assert leaks == []


def test_without_the_hook_the_exception_text_reaches_the_model() -> None:
    """Why the hook matters: by default the model reads `ExceptionType: message`."""
    result = Agent(TestModel().client(), model="m", tools=[connect]).run("connect")
    assert API_KEY in result.tool_calls[0].result


def test_prepared_request_repr() -> None:
    prepared = PreparedRequest("POST", "/v1/messages", None, {"x-api-key": API_KEY})
    assert API_KEY not in repr(prepared)
