from __future__ import annotations

import ast
import json
import subprocess
import sys
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
from agentkit._exceptions import (
    ERROR_TABLE,
    ERROR_TYPE_STATUS,
    STATUS_ERROR_TYPE,
    STATUS_ERRORS,
    error_class_for,
    error_status,
)
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
    assert error_class_for(status) is cls


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
    assert error_class_for(200, error_type) is cls


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


# --- one table --------------------------------------------------------------------------------


def test_every_map_is_derived_from_the_one_table() -> None:
    statuses = [row.status for row in ERROR_TABLE]
    types = [row.error_type for row in ERROR_TABLE if row.error_type is not None]
    assert len(set(statuses)) == len(statuses)
    assert len(set(types)) == len(types)
    assert STATUS_ERRORS == {row.status: row.cls for row in ERROR_TABLE}
    assert ERROR_TYPE_STATUS == {
        row.error_type: row.status for row in ERROR_TABLE if row.error_type
    }
    assert STATUS_ERROR_TYPE == {
        row.status: row.error_type for row in ERROR_TABLE if row.error_type
    }
    for row in ERROR_TABLE:
        assert error_class_for(row.status) is row.cls
        assert error_class_for(row.status, "whatever_error") is row.cls  # the status decides
        if row.error_type is not None:
            assert error_class_for(200, row.error_type) is row.cls


def test_the_table_is_drawn_in_the_tree() -> None:
    lines = (agentkit._exceptions.__doc__ or "").splitlines()
    for row in ERROR_TABLE:
        (line,) = [line for line in lines if f" {row.cls.__name__} " in line]
        assert str(row.status) in line.split()
        if row.error_type is not None:
            assert line.split()[-1] == row.error_type


@pytest.mark.parametrize("status", [200, 0, 204, 299])
def test_below_300_the_error_type_decides(status: int) -> None:
    for error_type, type_status in ERROR_TYPE_STATUS.items():
        assert error_status(status, error_type) == type_status
    assert error_status(status, "something_new") == 500
    assert error_status(status, None) == 500
    assert error_class_for(status, None) is InternalServerError


@pytest.mark.parametrize("status", [400, 418, 429, 500, 599])
def test_from_400_the_status_decides(status: int) -> None:
    assert error_status(status) == status
    assert error_status(status, "overloaded_error") == status


@pytest.mark.parametrize("status", [300, 302, 307, 399])
def test_a_redirect_not_followed_is_a_plain_status_error(status: int) -> None:
    assert error_status(status, "overloaded_error") == status
    assert error_class_for(status, None) is APIStatusError


# --- a leaf -------------------------------------------------------------------------------------


def test_exceptions_module_imports_nothing_from_agentkit() -> None:
    code = (
        "import sys, agentkit._exceptions; "
        "print(' '.join(m for m in sys.modules if m.startswith('agentkit')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split()) - {"agentkit._exceptions"}
    # the package itself: its __init__ and the two tiny modules it loads (version, lazy names)
    assert loaded <= {"agentkit", "agentkit._version", "agentkit._lazy"}
    tree = ast.parse(Path(agentkit._exceptions.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0
            assert not (node.module or "").startswith("agentkit")
        elif isinstance(node, ast.Import):
            assert not any(alias.name.startswith("agentkit") for alias in node.names)


def test_every_error_class_is_defined_in_the_exceptions_module() -> None:
    import agentkit.agent
    import agentkit.cli
    import agentkit.testing
    import agentkit.testing.server
    import agentkit.tools

    def subclasses(cls: type[AgentkitError]) -> list[type[AgentkitError]]:
        found = [cls]
        for sub in cls.__subclasses__():
            found += subclasses(sub)
        return found

    ours = [c for c in subclasses(AgentkitError) if c.__module__.startswith("agentkit")]
    assert {c.__module__ for c in ours} == {"agentkit._exceptions"}
    assert {c.__name__ for c in ours} <= set(agentkit._exceptions.__all__)


def test_errors_keep_their_public_paths() -> None:
    import agentkit.agent._result
    import agentkit.testing
    import agentkit.testing._cassette
    import agentkit.testing._replies

    exc = agentkit._exceptions
    assert agentkit.RunLimitExceeded is agentkit.agent.RunLimitExceeded is exc.RunLimitExceeded
    assert agentkit.agent._result.RunLimitExceeded is exc.RunLimitExceeded
    assert agentkit.testing.ScriptExhaustedError is exc.ScriptExhaustedError
    assert agentkit.testing._replies.ScriptExhaustedError is exc.ScriptExhaustedError
    assert agentkit.testing.CassetteMismatchError is exc.CassetteMismatchError
    assert agentkit.testing._cassette.CassetteMismatchError is exc.CassetteMismatchError
    assert issubclass(exc.UnresolvedTypeError, UsageError)


def test_run_limit_exceeded_carries_the_run() -> None:
    class Run:
        stop_reason = "max_turns"
        turns = 3

    run = Run()
    error = agentkit.RunLimitExceeded(run)
    assert error.result is run
    assert error.run_state is run
    assert error.limit == "max_turns"
    assert "(max_turns) after 3 turn(s)" in str(error)


def test_rate_limits_on_an_error_built_with_response() -> None:
    response = httpx.Response(
        429,
        headers={"anthropic-ratelimit-tokens-remaining": "12000", "retry-after-ms": "1500"},
        json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
    )
    error = RateLimitError(response=response, body=response.json())
    assert error.rate_limits.tokens.remaining == 12000
    assert error.rate_limits.retry_after == 1.5
    assert error.rate_limits is error.rate_limits  # parsed once
    assert RateLimitError(body=None).rate_limits.tokens.remaining is None
