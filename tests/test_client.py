from __future__ import annotations

import datetime
import json
import logging
from typing import Any

import httpx
import pytest

from agentkit import (
    NOT_GIVEN,
    Anthropic,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncAnthropic,
    BadRequestError,
    InternalServerError,
    Message,
    MessageTokensCount,
    OverloadedError,
    RateLimitError,
    UsageError,
)
from agentkit.testing import RecordedSleeps
from tests.helpers import API_KEY, error, harness, load_json, message_body, ok, user


def test_create_sends_the_request_and_parses_the_message(kind: str) -> None:
    h = harness(kind, ok(request_id="req_123"))
    message = h.create(system="Be brief.")
    assert isinstance(message, Message)
    assert message.content[0].type == "text"
    assert message.stop_reason == "end_turn"
    assert message._request_id == "req_123"
    (request,) = h.handler.requests
    assert request.method == "POST"
    assert request.url == "https://api.anthropic.com/v1/messages"
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("agentkit/")
    assert json.loads(request.content) == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hello"}],
        "system": "Be brief.",
    }


ALL_PARAMS: dict[str, Any] = {
    "system": [{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral"}}],
    "metadata": {"user_id": "u-1"},
    "stop_sequences": ["STOP"],
    "temperature": 0.2,
    "top_p": 0.9,
    "top_k": 5,
    "tools": [{"name": "t", "description": "d", "input_schema": {"type": "object"}}],
    "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
    "service_tier": "standard_only",
    "thinking": {"type": "enabled", "budget_tokens": 2048},
    "output_config": {"effort": "high"},
    "container": "container_1",
    "cache_control": {"type": "ephemeral", "ttl": "1h"},
    "speed": "fast",
    "inference_geo": "us",
    "diagnostics": {"previous_message_id": "msg_0"},
}


def test_every_parameter_is_sent_as_given(kind: str) -> None:
    h = harness(kind)
    h.create(**ALL_PARAMS)
    body = h.handler.last_body
    for name, value in ALL_PARAMS.items():
        assert body[name] == value


def test_not_given_parameters_are_not_sent(kind: str) -> None:
    h = harness(kind)
    h.create(temperature=NOT_GIVEN, system=NOT_GIVEN, metadata=NOT_GIVEN)
    assert set(h.handler.last_body) == {"model", "max_tokens", "messages"}


def test_header_params_and_extras(kind: str) -> None:
    h = harness(kind)
    h.create(
        user_profile_id="prof_1",
        workspace_id="wrkspc_1",
        extra_headers={"anthropic-beta": "fast-mode-2026-02-01"},
        extra_query={"trace": "1"},
        extra_body={"brand_new": {"x": 1}, "max_tokens": 7},
    )
    (request,) = h.handler.requests
    assert request.headers["anthropic-user-profile-id"] == "prof_1"
    assert request.headers["anthropic-workspace-id"] == "wrkspc_1"
    assert request.headers["anthropic-beta"] == "fast-mode-2026-02-01"
    assert request.url.params["trace"] == "1"
    body = json.loads(request.content)
    assert body["brand_new"] == {"x": 1}
    assert body["max_tokens"] == 7
    assert "user_profile_id" not in body


def test_generators_are_accepted_for_messages(kind: str) -> None:
    h = harness(kind)
    h.create(messages=({"role": "user", "content": t} for t in ["a"]))
    assert h.handler.last_body["messages"] == [{"role": "user", "content": "a"}]


def test_assistant_content_from_a_response_can_be_sent_back(kind: str) -> None:
    previous = Message.model_validate(message_body("first"))
    h = harness(kind)
    h.create(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": previous.content},
            {"role": "user", "content": "more"},
        ]
    )
    assert h.handler.last_body["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "first"}],
    }


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"max_token": 5}, "unexpected parameter 'max_token'.*'max_tokens'"),
        ({"stream_it": True}, "unexpected parameter 'stream_it'"),
        ({"model": NOT_GIVEN}, "missing the required parameter 'model'"),
        ({"max_tokens": 0}, "max_tokens must be a positive integer"),
        ({"messages": []}, "non-empty list"),
        ({"messages": [{"role": "assistant", "content": "x"}]}, "role 'user'"),
        ({"max_tokens": 30_000}, "stream"),
        ({"stream": "yes"}, "stream must be True or False"),
    ],
)
def test_misuse_is_caught_before_any_request(kind: str, params: dict[str, Any], match: str) -> None:
    h = harness(kind)
    with pytest.raises(UsageError, match=match):
        h.create(**params)
    assert h.handler.requests == []


def test_missing_required_parameter_entirely(kind: str) -> None:
    h = harness(kind)
    with pytest.raises(UsageError, match="'max_tokens'"):
        h.run(
            lambda c: c.messages.create(model="m", messages=user("x")),  # type: ignore[call-overload]
            lambda c: c.messages.create(model="m", messages=user("x")),  # type: ignore[call-overload]
        )


def test_long_non_streaming_request_allowed_with_explicit_timeout(kind: str) -> None:
    harness(kind).create(max_tokens=30_000, timeout=1200)
    harness(kind, timeout=1200.0).create(max_tokens=30_000)
    harness(kind, timeout=httpx.Timeout(1200)).create(max_tokens=30_000)


def test_sampling_params_with_new_api_version(kind: str) -> None:
    h = harness(kind, api_version="2026-10-21")
    with pytest.raises(UsageError, match="temperature.*2026-10-21"):
        h.create(temperature=0.5)
    assert h.handler.requests == []
    h.create()
    assert h.handler.requests[0].headers["anthropic-version"] == "2026-10-21"


def test_no_credentials(kind: str) -> None:
    h = harness(kind)
    h.client_kwargs = {}
    with pytest.raises(UsageError, match="ANTHROPIC_API_KEY"):
        h.create()
    assert h.handler.requests == []


def test_environment_variables(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://proxy.local/anthropic/")
    h = harness(kind)
    h.client_kwargs = {}
    h.create()
    (request,) = h.handler.requests
    assert request.headers["x-api-key"] == "env-key"
    assert str(request.url) == "http://proxy.local/anthropic/v1/messages"


def test_auth_token_is_sent_as_bearer(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "tok-123")
    h = harness(kind)
    h.client_kwargs = {}
    h.create()
    (request,) = h.handler.requests
    assert request.headers["authorization"] == "Bearer tok-123"
    assert "x-api-key" not in request.headers


def test_explicit_arguments_win_over_environment(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    h = harness(kind, base_url="http://other.local", default_headers={"x-team": "t"})
    h.create()
    (request,) = h.handler.requests
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["x-team"] == "t"
    assert request.url.host == "other.local"


def test_count_tokens(kind: str) -> None:
    request_body = load_json("count_tokens/request.json")
    h = harness(kind, ok(load_json("count_tokens/response.json"), request_id="req_ct"))
    count = h.count_tokens(**request_body)
    assert isinstance(count, MessageTokensCount)
    assert count.input_tokens == 412
    assert count._request_id == "req_ct"
    (request,) = h.handler.requests
    assert request.url.path == "/v1/messages/count_tokens"
    assert json.loads(request.content) == request_body


def test_count_tokens_rejects_create_only_parameters(kind: str) -> None:
    h = harness(kind)
    with pytest.raises(UsageError, match="unexpected parameter 'max_tokens'"):
        h.count_tokens(max_tokens=10)


def test_raw_response(kind: str) -> None:
    headers = {
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-tokens-reset": "2026-11-25T16:40:12Z",
    }
    h = harness(kind, ok(request_id="req_raw", **headers))
    raw = h.raw_create()
    assert raw.status_code == 200
    assert raw.request_id == "req_raw"
    assert raw.headers["anthropic-ratelimit-requests-limit"] == "50"
    assert raw.retries_taken == 0
    assert raw.rate_limits.requests.limit == 50
    assert raw.rate_limits.requests.remaining == 49
    assert raw.rate_limits.tokens.reset is not None
    assert raw.http_response.status_code == 200
    assert raw.method == "POST"
    assert raw.url.path == "/v1/messages"
    assert raw.json()["id"] == "msg_01TEST"
    assert "msg_01TEST" in raw.text
    assert raw.content == raw.http_response.content
    assert isinstance(raw.elapsed, datetime.timedelta)  # readable: the body was read
    assert "req_raw" in repr(raw)
    message = raw.parse()
    assert isinstance(message, Message)
    assert raw.parse() is message
    assert message._request_id == "req_raw"


def test_raw_count_tokens(kind: str) -> None:
    h = harness(kind, ok({"input_tokens": 3}))
    raw = h.run(
        lambda c: c.messages.with_raw_response.count_tokens(model="m", messages=user("x")),
        lambda c: c.messages.with_raw_response.count_tokens(model="m", messages=user("x")),
    )
    assert raw.parse().input_tokens == 3


def test_retry_then_success_counts_retries(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(529, "overloaded_error"), error(500), ok())
    raw = h.raw_create()
    assert raw.retries_taken == 2
    assert len(h.handler.requests) == 3
    assert len(waits.request) == 2
    assert 0.375 <= waits.request[0] <= 0.5
    assert 0.75 <= waits.request[1] <= 1.0


def test_retry_after_header_is_honoured(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(429, "rate_limit_error", headers={"retry-after": "3"}), ok())
    h.create()
    assert waits.request == [3.0]
    h = harness(kind, error(429, headers={"retry-after-ms": "1500", "retry-after": "9"}), ok())
    h.create()
    assert waits.request[-1] == 1.5


def test_retries_exhausted_raise_the_last_error(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(500, "api_error", "broken"))
    with pytest.raises(InternalServerError, match="500 api_error: broken") as info:
        h.create()
    assert len(h.handler.requests) == 3
    assert len(waits.request) == 2
    assert info.value.request_id == "req_500"


def test_max_retries_zero(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(529, "overloaded_error"), max_retries=0)
    with pytest.raises(OverloadedError):
        h.create()
    assert len(h.handler.requests) == 1
    assert waits.request == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
def test_client_errors_are_not_retried(kind: str, waits: RecordedSleeps, status: int) -> None:
    h = harness(kind, error(status, "invalid_request_error"))
    with pytest.raises(APIStatusError) as info:
        h.create()
    assert getattr(info.value, "status_code", None) == status
    assert len(h.handler.requests) == 1


@pytest.mark.parametrize("status", [408, 409, 429, 500, 503, 504, 529])
def test_retryable_statuses(kind: str, waits: RecordedSleeps, status: int) -> None:
    h = harness(kind, error(status), ok())
    assert h.raw_create().retries_taken == 1


def test_x_should_retry_both_ways(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(400, headers={"x-should-retry": "true"}), ok())
    assert h.raw_create().retries_taken == 1
    h = harness(kind, error(529, "overloaded_error", headers={"x-should-retry": "false"}))
    with pytest.raises(OverloadedError):
        h.create()
    assert len(h.handler.requests) == 1


def test_long_retry_after_raises_at_once(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(429, "rate_limit_error", headers={"retry-after": "120"}))
    with pytest.raises(RateLimitError) as info:
        h.create()
    assert info.value.retry_after == 120.0
    assert str(info.value).startswith("429 rate_limit_error: boom (request_id=")
    assert len(h.handler.requests) == 1
    assert waits.request == []
    h = harness(kind, error(429, headers={"retry-after": "120"}), ok(), max_retry_wait=300)
    h.create()
    assert waits.request == [120.0]


def test_connection_errors_are_retried_then_raised(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, httpx.ConnectError("connection refused"), ok())
    assert h.raw_create().retries_taken == 1
    h = harness(kind, httpx.RemoteProtocolError("peer closed"))
    with pytest.raises(APIConnectionError, match="peer closed") as info:
        h.create()
    assert not isinstance(info.value, APITimeoutError)
    assert len(h.handler.requests) == 3
    assert info.value.request is not None


def test_timeouts_raise_api_timeout_error(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, httpx.ReadTimeout("slow"), max_retries=1)
    with pytest.raises(APITimeoutError):
        h.create()
    assert len(h.handler.requests) == 2


def test_default_and_per_call_timeouts(kind: str) -> None:
    h = harness(kind)
    h.create()
    h.create(timeout=7.5)
    h.create(timeout=httpx.Timeout(3.0, connect=1.0))
    h.create(timeout=None)
    timeouts = [r.extensions["timeout"] for r in h.handler.requests]
    assert timeouts[0] == {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}
    assert timeouts[1] == {"connect": 5.0, "read": 7.5, "write": 7.5, "pool": 7.5}
    assert timeouts[2] == {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0}
    assert timeouts[3] == {"connect": None, "read": None, "write": None, "pool": None}


def test_client_timeout(kind: str) -> None:
    h = harness(kind, timeout=2.0)
    h.create()
    assert h.handler.requests[0].extensions["timeout"]["read"] == 2.0
    assert h.handler.requests[0].extensions["timeout"]["connect"] == 2.0


def test_invalid_response_body(kind: str) -> None:
    h = harness(kind, httpx.Response(200, json={"unexpected": True}))
    with pytest.raises(APIResponseValidationError, match="not a valid Message"):
        h.create()


def test_newer_api_response_is_kept(kind: str) -> None:
    body = message_body(
        stop_reason="brand_new_reason",
        future_field={"a": 1},
        content=[{"type": "hologram", "payload": [1, 2]}, {"type": "text", "text": "x"}],
    )
    message = harness(kind, ok(body)).create()
    assert message.stop_reason == "brand_new_reason"
    assert message.model_extra == {"future_field": {"a": 1}}
    assert message.content[0].type == "hologram"
    assert message.to_param()["content"][0] == {"type": "hologram", "payload": [1, 2]}


def test_secrets_never_leak(
    kind: str,
    waits: RecordedSleeps,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ANTHROPIC_LOG", "debug")
    caplog.set_level(logging.DEBUG, logger="agentkit")
    h = harness(
        kind,
        error(529, "overloaded_error"),
        error(401, "authentication_error"),
        auth_token="tok-SECRET-42",
    )
    with pytest.raises(APIStatusError) as info:
        h.create()
    client = h.sync_client()
    texts = [repr(client), str(client), str(info.value), repr(info.value), caplog.text]
    texts += [str(r) + repr(r) for r in h.handler.requests]
    assert "<redacted>" in caplog.text
    assert "retrying" in caplog.text
    assert "POST /v1/messages -> 529 in " in caplog.text  # the request lines are scanned too
    assert "POST /v1/messages -> 401 in " in caplog.text
    for text in texts:
        assert API_KEY not in text
        assert "tok-SECRET-42" not in text
    assert "api_key=<redacted>" in repr(client)


def test_logging_handler_installed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("agentkit")
    saved = (logger.level, list(logger.handlers))
    try:
        logger.handlers.clear()
        monkeypatch.setenv("ANTHROPIC_LOG", "info")
        Anthropic(api_key="k")
        Anthropic(api_key="k")
        assert len(logger.handlers) == 1
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(saved[0])
        logger.handlers[:] = saved[1]


def test_sync_client_lifecycle() -> None:
    client = Anthropic(api_key="k")
    with client as entered:
        assert entered is client
    assert client._http.is_closed
    user_http = httpx.Client()
    with Anthropic(api_key="k", http_client=user_http):
        pass
    assert not user_http.is_closed
    user_http.close()


@pytest.mark.anyio
async def test_async_client_lifecycle() -> None:
    client = AsyncAnthropic(api_key="k")
    async with client as entered:
        assert entered is client
    assert client._http.is_closed
    user_http = httpx.AsyncClient()
    async with AsyncAnthropic(api_key="k", http_client=user_http):
        pass
    assert not user_http.is_closed
    await user_http.aclose()


def test_with_options(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(500))
    base = h.sync_client() if kind == "sync" else h.async_client()
    copy = base.with_options(max_retries=0, api_version="2026-10-21")
    assert copy.max_retries == 0
    assert copy.api_version == "2026-10-21"
    assert copy._http is base._http
    assert copy.api_key == API_KEY
    with pytest.raises(UsageError, match="unknown option"):
        base.with_options(retries=3)


def test_invalid_max_retries() -> None:
    with pytest.raises(UsageError, match="max_retries"):
        Anthropic(api_key="k", max_retries=-1)


def test_tool_loop_fixture_round_trip(kind: str) -> None:
    """The recorded second turn of a tool loop parses, and its request is sent verbatim."""
    request_body = load_json("tool_loop/turn2_request.json")
    request_body.pop("stream", None)
    h = harness(kind, ok(load_json("tool_loop/turn2_response.json")))
    message = h.create(**request_body)
    assert h.handler.last_body == request_body
    assert message.stop_reason == "end_turn"


def test_bad_request_carries_body(kind: str) -> None:
    case = load_json("http_errors/400_missing_tool_result.json")
    h = harness(kind, httpx.Response(case["status"], headers=case["headers"], json=case["body"]))
    with pytest.raises(BadRequestError) as info:
        h.create()
    assert info.value.body == case["body"]
    assert "tool_use" in str(info.value)
