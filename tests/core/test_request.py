from __future__ import annotations

import json
from typing import Any

import pytest

from agentkit import NOT_GIVEN, UsageError
from agentkit._core.request import (
    build_body,
    build_headers,
    encode_json,
    expected_seconds,
    redact_headers,
    validate_count_tokens,
    validate_create,
)
from agentkit.types import Message


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "m",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}],
    }
    body.update(overrides)
    return body


def _validate(body: dict[str, Any], **kwargs: Any) -> None:
    options = {"api_version": "2023-06-01", "stream": False, "timeout_given": False, **kwargs}
    validate_create(body, **options)


def test_build_body_drops_not_given_and_merges_extra_body() -> None:
    messages = ({"role": "user", "content": c} for c in ["a", "b"])
    body = build_body(
        {"model": "m", "temperature": NOT_GIVEN, "messages": messages, "top_k": None},
        {"model": "override", "new_field": [1, 2]},
    )
    assert body == {
        "model": "override",
        "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
        "top_k": None,
        "new_field": [1, 2],
    }


def test_build_body_turns_models_into_wire_dicts() -> None:
    message = Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [{"type": "text", "text": "hi"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    body = build_body({"content": message.content, "one": message.content[0]}, None)
    assert body == {
        "content": [{"type": "text", "text": "hi"}],
        "one": {"type": "text", "text": "hi"},
    }


def test_encode_json_is_compact_utf8_and_handles_models_and_iterables() -> None:
    message = Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [{"type": "text", "text": "é"}],
            "stop_reason": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    raw = encode_json({"a": "é", "blocks": message.content, "t": (1, 2), "s": iter([3])})
    assert raw == '{"a":"é","blocks":[{"type":"text","text":"é"}],"t":[1,2],"s":[3]}'.encode()
    with pytest.raises(UsageError, match="JSON-serialisable"):
        encode_json({"bad": object()})


@pytest.mark.parametrize("max_tokens", [0, -1, 1.5, "10", True, None])
def test_max_tokens_must_be_positive_int(max_tokens: object) -> None:
    with pytest.raises(UsageError, match="max_tokens must be a positive integer"):
        _validate(_body(max_tokens=max_tokens))


@pytest.mark.parametrize(
    "messages",
    [[], None, "hello", [{"role": "assistant", "content": "hi"}], [{"content": "x"}]],
)
def test_messages_must_start_with_user(messages: object) -> None:
    with pytest.raises(UsageError, match="messages|role 'user'"):
        _validate(_body(messages=messages))


def test_model_required_and_non_empty() -> None:
    body = _body()
    del body["model"]
    with pytest.raises(UsageError, match="model"):
        _validate(body)
    with pytest.raises(UsageError, match="model must be a non-empty string"):
        _validate(_body(model=""))


@pytest.mark.parametrize("param", ["temperature", "top_p", "top_k"])
def test_sampling_params_refused_on_2026_10_21(param: str) -> None:
    with pytest.raises(UsageError, match=f"{param}.*2026-10-21.*2023-06-01"):
        _validate(_body(**{param: 1}), api_version="2026-10-21")
    _validate(_body(**{param: 1}))  # fine on 2023-06-01
    with pytest.raises(UsageError, match=param):
        validate_count_tokens(_body(**{param: 1}), api_version="2026-10-21")


def test_long_non_streaming_request_needs_streaming_or_timeout() -> None:
    assert expected_seconds(21_333) <= 600 < expected_seconds(21_334)
    _validate(_body(max_tokens=21_333))
    with pytest.raises(UsageError, match="stream"):
        _validate(_body(max_tokens=21_334))
    _validate(_body(max_tokens=64_000), stream=True)
    _validate(_body(max_tokens=64_000), timeout_given=True)


def _headers(**kwargs: Any) -> dict[str, str]:
    options: dict[str, Any] = {
        "api_key": "k",
        "auth_token": None,
        "api_version": "2023-06-01",
        "user_agent": "ua",
        "default_headers": None,
        "extra_headers": None,
    }
    options.update(kwargs)
    return build_headers(**options)


def test_headers_auth_and_version() -> None:
    headers = _headers()
    assert headers["x-api-key"] == "k"
    assert "authorization" not in headers
    assert headers["anthropic-version"] == "2023-06-01"
    assert headers["content-type"] == "application/json"
    bearer = _headers(api_key=None, auth_token="tok")
    assert bearer["authorization"] == "Bearer tok"
    assert "x-api-key" not in bearer


def test_headers_defaults_extras_and_removal() -> None:
    headers = _headers(
        default_headers={"X-Team": "a", "anthropic-beta": "b1"},
        extra_headers={"x-team": "b", "anthropic-version": NOT_GIVEN},
    )
    assert headers["x-team"] == "b"
    assert headers["anthropic-beta"] == "b1"
    assert "anthropic-version" not in headers
    assert "content-type" not in _headers(has_body=False)


def test_missing_credentials_is_a_usage_error_naming_the_env_var() -> None:
    with pytest.raises(UsageError, match="ANTHROPIC_API_KEY"):
        _headers(api_key=None)
    # credentials set by hand in headers, or auth deliberately removed, are accepted
    assert _headers(api_key=None, default_headers={"X-Api-Key": "h"})["x-api-key"] == "h"
    assert "x-api-key" not in _headers(api_key=None, extra_headers={"x-api-key": NOT_GIVEN})


def test_redact_headers() -> None:
    redacted = redact_headers({"X-Api-Key": "secret", "Authorization": "Bearer s", "a": "b"})
    assert redacted == {"X-Api-Key": "<redacted>", "Authorization": "<redacted>", "a": "b"}
    assert "secret" not in json.dumps(redacted)


def test_prepared_request_repr_hides_credentials() -> None:
    from agentkit._core.request import PreparedRequest

    prepared = PreparedRequest("POST", "/v1/messages", {"a": 1}, _headers(api_key="sk-SECRET"))
    assert "sk-SECRET" not in repr(prepared)
    assert "sk-SECRET" not in str(prepared)
    assert "<redacted>" in repr(prepared)
    assert prepared.content() == b'{"a":1}'
