from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import agentkit
from agentkit import (
    AgentkitError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GatewayTimeoutError,
    InternalServerError,
    NotFoundError,
    OverloadedError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestTooLargeError,
    ServiceUnavailableError,
    ToolError,
    UnprocessableEntityError,
    UsageError,
)
from agentkit._core.response import make_status_error
from agentkit._exceptions import status_error_class
from tests.helpers import FIXTURES

EXPECTED = {
    "400_invalid_request": BadRequestError,
    "400_missing_tool_result": BadRequestError,
    "400_sampling_param_2026_10_21": BadRequestError,
    "401_authentication": AuthenticationError,
    "402_billing": PaymentRequiredError,
    "403_permission": PermissionDeniedError,
    "404_not_found": NotFoundError,
    "409_conflict": ConflictError,
    "413_request_too_large": RequestTooLargeError,
    "429_enforced_spend_limit": RateLimitError,
    "429_ramp_limit": RateLimitError,
    "429_rate_limit": RateLimitError,
    "500_api_error": InternalServerError,
    "504_timeout": GatewayTimeoutError,
    "529_overloaded": OverloadedError,
}


def test_every_fixture_is_covered() -> None:
    assert {p.stem for p in (FIXTURES / "http_errors").glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_http_error_fixture_maps_to_class(name: str) -> None:
    case = json.loads((FIXTURES / "http_errors" / f"{name}.json").read_text())
    response = httpx.Response(
        case["status"],
        headers=case["headers"],
        content=json.dumps(case["body"]).encode(),
        request=httpx.Request("POST", "https://api.anthropic.com/v1/messages"),
    )
    error = make_status_error(
        response.status_code, response.headers, response.content, response=response
    )
    assert type(error) is EXPECTED[name]
    assert error.status_code == case["status"]
    assert error.body == case["body"]
    assert error.response is response
    assert error.request is response.request
    assert error.type == case["body"]["error"]["type"]
    assert error.error_type == error.type
    assert error.api_message == case["body"]["error"]["message"]
    assert error.error_message == error.api_message
    assert error.request_id == case["body"]["request_id"]
    assert str(error).startswith(f"{case['status']} {error.type}: {error.api_message}")
    assert f"(request_id={error.request_id})" in str(error)
    details = case["body"]["error"].get("details")
    assert error.error_code == (details or {}).get("error_code")


def test_str_reads_like_the_issue_example() -> None:
    error = make_status_error(
        529,
        {},
        b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},'
        b'"request_id":"req_011"}',
    )
    assert str(error) == "529 overloaded_error: Overloaded (request_id=req_011)"


def test_unknown_error_type_is_kept() -> None:
    error = make_status_error(
        400, {}, b'{"type":"error","error":{"type":"brand_new_error","message":"new"}}'
    )
    assert type(error) is BadRequestError
    assert error.type == "brand_new_error"
    assert str(error) == "400 brand_new_error: new"


def test_non_json_error_body() -> None:
    error = make_status_error(502, {"request-id": "req_x"}, b"<html>Bad gateway</html>")
    assert type(error) is InternalServerError
    assert error.body == "<html>Bad gateway</html>"
    assert error.type is None
    assert str(error) == "502: <html>Bad gateway</html> (request_id=req_x)"
    assert str(make_status_error(500, {}, b"")) == "500"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (408, agentkit.RequestTimeoutError),
        (422, UnprocessableEntityError),
        (503, ServiceUnavailableError),
        (599, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_table(status: int, cls: type[APIStatusError]) -> None:
    assert status_error_class(status) is cls


@pytest.mark.parametrize(
    ("error_type", "cls"),
    [
        ("overloaded_error", OverloadedError),
        ("rate_limit_error", RateLimitError),
        ("api_error", InternalServerError),
        ("invalid_request_error", BadRequestError),
        ("something_new", InternalServerError),
    ],
)
def test_error_types_inside_a_stream(error_type: str, cls: type[APIStatusError]) -> None:
    assert status_error_class(200, error_type) is cls


def test_tree() -> None:
    for cls in EXPECTED.values():
        assert issubclass(cls, APIStatusError)
    for cls in (ServiceUnavailableError, GatewayTimeoutError, OverloadedError):
        assert issubclass(cls, InternalServerError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(APIStatusError, APIError)
    for base in (APIError, UsageError, ToolError):
        assert issubclass(base, AgentkitError)
    assert agentkit.ContentTooLargeError is RequestTooLargeError


def test_tree_is_drawn_in_the_module_docstring() -> None:
    doc = agentkit._exceptions.__doc__ or ""
    for name in agentkit._exceptions.__all__:
        obj = getattr(agentkit._exceptions, name)
        if isinstance(obj, type) and issubclass(obj, AgentkitError) and obj.__name__ == name:
            assert name in doc, name


def test_rate_limits_on_error() -> None:
    response = httpx.Response(
        429,
        headers={"anthropic-ratelimit-requests-remaining": "0", "retry-after": "5"},
        json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
    )
    error = make_status_error(429, response.headers, response.content, response=response)
    assert error.rate_limits.requests.remaining == 0
    assert error.rate_limits.retry_after == 5.0
    assert error.request is None  # a response built without a request
    bare = make_status_error(429, {}, b"")
    assert bare.rate_limits.requests.remaining is None


def test_tool_error_content() -> None:
    assert ToolError("nope").content == "nope"
    assert str(ToolError("nope")) == "nope"
    blocks = ToolError([{"type": "text", "text": "a"}])
    assert blocks.content == [{"type": "text", "text": "a"}]


def test_connection_errors_have_useful_defaults() -> None:
    assert "streaming" in str(APITimeoutError())
    assert str(APIConnectionError()) == "Connection error."
    assert Path(agentkit._exceptions.__file__).name == "_exceptions.py"
