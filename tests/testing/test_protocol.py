"""Request validation: every offline model answers malformed requests like the API (PROTOCOL §9).

The fixture table (`tests/fixtures/tool_loop/invalid_*.request.json`) goes through the real
clients; requests the client would refuse locally go through a raw httpx client instead.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import pytest

from agentkit import AuthenticationError, BadRequestError, Message, MessageTokensCount
from agentkit.testing import EchoModel, FunctionModel, MockModel, RequestProblem, check_request
from agentkit.testing._protocol import KNOWN_FIELDS, check_count_tokens, check_headers
from tests.helpers import FIXTURES

TOOL_LOOP = FIXTURES / "tool_loop"
INVALID = sorted(TOOL_LOOP.glob("invalid_*.request.json"))
HEADERS = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01"}
USER = {"role": "user", "content": "Hi"}
BASIC: dict[str, Any] = {"model": "m", "max_tokens": 10, "messages": [USER]}


def send(kind: str, model: MockModel, body: dict[str, Any]) -> Message:
    """`messages.create(**body)` through the model's sync or async client (no retries)."""
    if kind == "sync":
        with model.client(max_retries=0) as client:
            return cast(Message, client.messages.create(**body))

    async def main() -> Message:
        async with model.async_client(max_retries=0) as client:
            return cast(Message, await client.messages.create(**body))

    return anyio.run(main)


def post(
    model: MockModel,
    body: object,
    *,
    headers: dict[str, str] | None = None,
    path: str = "/v1/messages",
) -> httpx.Response:
    """A raw POST through the model's transport: what the API receives, nothing checked locally."""
    with httpx.Client(transport=model.transport(), base_url="http://offline") as http:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return http.post(path, content=content, headers=HEADERS if headers is None else headers)


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body["type"] == "error"
    assert body["request_id"] == response.headers["request-id"]
    assert response.headers["x-should-retry"] == "false"
    return cast(dict[str, Any], body["error"])


# --- the fixture table, through the clients --------------------------------------------------


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name.split(".")[0])
@pytest.mark.parametrize("stream", [True, False])
def test_invalid_fixture_requests_are_refused(kind: str, path: Path, stream: bool) -> None:
    case = json.loads(path.read_text())
    body = {**case["request"], "stream": stream}
    model = EchoModel()
    with pytest.raises(BadRequestError) as caught:
        send(kind, model, body)
    error = caught.value
    assert error.status_code == case["expect_status"] == 400
    assert error.type == case["expect_error_type"] == "invalid_request_error"
    if "expect_message_like" in case:
        assert case["expect_message_like"] in str(error.api_message)
    assert len(model.requests) == 1  # refused by the model, not by the client


def test_fixture_messages_name_the_place_and_ids() -> None:
    def message_for(name: str) -> str:
        case = json.loads((TOOL_LOOP / f"{name}.request.json").read_text())
        problem = check_request(case["request"], HEADERS)
        assert problem is not None
        return problem.message

    expected_missing = json.loads(
        (FIXTURES / "http_errors" / "400_missing_tool_result.json").read_text()
    )["body"]["error"]["message"]
    missing = message_for("invalid_missing_tool_result")
    assert missing == expected_missing.replace(
        "toolu_01A7bXcQe3fRkT9mN2pLwVuY", "toolu_01Gz4HsVb8WqN6cJ1kDyRt3M"
    )
    assert missing.startswith("messages.1: ")
    assert message_for("invalid_results_split_across_turns").startswith(
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "toolu_01Gz4HsVb8WqN6cJ1kDyRt3M."
    )
    assert message_for("invalid_unknown_tool_use_id") == (
        "messages.2.content.2: unexpected `tool_use_id` found in `tool_result` blocks: "
        "toolu_0199999999999999999999. Each `tool_result` block must have a corresponding "
        "`tool_use` block in the previous message."
    )
    assert message_for("invalid_text_before_tool_result") == (
        "messages.2.content.1: `tool_result` blocks must come first in the message content, "
        "before any text or other blocks."
    )


@pytest.mark.parametrize("name", ["turn1_request.json", "turn2_request.json"])
def test_valid_fixture_requests_are_accepted(kind: str, name: str) -> None:
    body = json.loads((TOOL_LOOP / name).read_text())
    body.pop("stream")
    message = send(kind, EchoModel(), body)
    assert message.stop_reason == "end_turn"
    assert check_request(body, HEADERS) is None


# --- more refusals, through the client where it sends them ---------------------------------


def with_tools(*tools: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**BASIC, "tools": list(tools), **extra}


def schema_tool(name: str) -> dict[str, Any]:
    return {"name": name, "input_schema": {"type": "object", "properties": {}}}


CLIENT_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "unknown field": (
        {**BASIC, "extra_body": {"temprature": 1}},
        "temprature: Extra inputs are not permitted",
    ),
    "a system turn": (
        {**BASIC, "messages": [USER, {"role": "system", "content": "x"}]},
        "messages.1.role: Input should be 'user' or 'assistant'. The system prompt is not a "
        "message: pass it as the top-level `system` parameter (system=...).",
    ),
    "invalid role": (
        {**BASIC, "messages": [USER, {"role": "tool", "content": "x"}]},
        "messages.1.role: Input should be 'user' or 'assistant'",
    ),
    "content missing": (
        {**BASIC, "messages": [USER, {"role": "assistant"}]},
        "messages.1.content: Field required",
    ),
    "invalid tool name": (
        with_tools(schema_tool("get weather!")),
        "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
    ),
    "tool name too long": (
        with_tools(schema_tool("a"), schema_tool("x" * 65)),
        "tools.1.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
    ),
    "duplicate tool names": (
        with_tools(schema_tool("a"), schema_tool("b"), schema_tool("a")),
        "tools: Tool names must be unique.",
    ),
    "unknown tool_choice name": (
        with_tools(schema_tool("a"), tool_choice={"type": "tool", "name": "b"}),
        "tool_choice.name: Tool 'b' not found in provided tools",
    ),
    "schema not an object": (
        with_tools({"name": "a", "input_schema": {"type": "array"}}),
        "tools.0.custom.input_schema.type: Input should be 'object'",
    ),
    "tool not an object": (
        with_tools(schema_tool("a"), "b"),  # type: ignore[arg-type]
        "tools.1: Input should be a valid dictionary",
    ),
    "tool_use answered late": (
        {
            **BASIC,
            "messages": [
                USER,
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "toolu_x", "name": "a", "input": {}}],
                },
            ],
        },
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "toolu_x.",
    ),
    "tool_result with nothing to answer": (
        {
            **BASIC,
            "messages": [
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_y"}]}
            ],
        },
        "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_y.",
    ),
}


@pytest.mark.parametrize("case", sorted(CLIENT_CASES))
def test_the_api_wording_for_each_mistake(kind: str, case: str) -> None:
    body, message = CLIENT_CASES[case]
    with pytest.raises(BadRequestError) as caught:
        send(kind, EchoModel(), body)
    assert caught.value.status_code == 400
    assert caught.value.type == "invalid_request_error"
    assert str(caught.value.api_message).startswith(message)


def test_server_tools_and_tool_choice_are_accepted(kind: str) -> None:
    body = with_tools(
        schema_tool("a"),
        {"type": "web_search_20250305", "name": "web_search"},
        tool_choice={"type": "tool", "name": "a"},
    )
    assert send(kind, EchoModel(), body).stop_reason == "end_turn"


def test_validation_can_be_switched_off(kind: str) -> None:
    model = FunctionModel(lambda r: f"{len(r.messages)} messages", validate=False)
    body = {**BASIC, "messages": [USER, USER, USER], "extra_body": {"unknown": True}}
    assert send(kind, model, body).content[0].to_dict() == {"type": "text", "text": "3 messages"}
    response = post(model, {"messages": []}, headers={})
    assert response.status_code == 200  # no key, no version, no model: still answered
    counted = post(model, {"bogus": 1}, headers={}, path="/v1/messages/count_tokens")
    assert counted.json() == {"input_tokens": 1}


# --- refusals the clients never send: raw httpx -------------------------------------------


RAW_CASES: dict[str, tuple[object, str]] = {
    "model missing": (
        {"max_tokens": 10, "messages": [USER]},
        "model: Field required",
    ),
    "messages missing": ({"model": "m", "max_tokens": 10}, "messages: Field required"),
    "max_tokens missing": ({"model": "m", "messages": [USER]}, "max_tokens: Field required"),
    "max_tokens negative": (
        {**BASIC, "max_tokens": -1},
        "max_tokens: Input should be a valid integer greater than or equal to 0",
    ),
    "max_tokens a bool": (
        {**BASIC, "max_tokens": True},
        "max_tokens: Input should be a valid integer greater than or equal to 0",
    ),
    "first message from the assistant": (
        {**BASIC, "messages": [{"role": "assistant", "content": "Hi"}, USER]},
        'messages: first message must use the "user" role',
    ),
    "no messages": ({**BASIC, "messages": []}, "messages: at least one message is required"),
    "messages not a list": (
        {**BASIC, "messages": "Hi"},
        "messages: at least one message is required",
    ),
    "message not an object": (
        {**BASIC, "messages": ["Hi"]},
        "messages.0.role: Input should be 'user' or 'assistant'",
    ),
    "body not an object": ([1, 2], "The request body is not valid JSON (expected an object)."),
    "body not JSON": (b"{nope", "The request body is not valid JSON (expected an object)."),
}


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_raw_requests_get_the_api_wording(case: str) -> None:
    body, message = RAW_CASES[case]
    model = EchoModel()
    response = post(model, body)
    assert response.status_code == 400
    assert error_of(response) == {"type": "invalid_request_error", "message": message}
    assert len(model.requests) == 1
    assert model.requests[0] == (body if isinstance(body, dict) else {})


def test_sampling_params_are_refused_on_2026_10_21() -> None:
    expected = json.loads(
        (FIXTURES / "http_errors" / "400_sampling_param_2026_10_21.json").read_text()
    )["body"]["error"]
    model = EchoModel()
    new = {**HEADERS, "anthropic-version": "2026-10-21"}
    for name, value in (("temperature", 1.0), ("top_p", 0.9), ("top_k", 5)):
        response = post(model, {**BASIC, name: value}, headers=new)
        assert response.status_code == 400
        assert error_of(response) == {
            "type": "invalid_request_error",
            "message": f"{name}: Extra inputs are not permitted",
        }
    assert error_of(post(model, {**BASIC, "temperature": 1.0}, headers=new)) == expected
    # the older version still takes them
    assert post(model, {**BASIC, "temperature": 0.5, "top_k": 3}).status_code == 200


def test_missing_credentials_are_401() -> None:
    model = EchoModel()
    response = post(model, BASIC, headers={"anthropic-version": "2023-06-01"})
    assert response.status_code == 401
    assert error_of(response) == {
        "type": "authentication_error",
        "message": "x-api-key header is required",
    }
    bearer = {"authorization": "Bearer tok", "anthropic-version": "2023-06-01"}
    assert post(model, BASIC, headers=bearer).status_code == 200


def test_missing_version_is_400() -> None:
    response = post(EchoModel(), BASIC, headers={"x-api-key": "k"})
    assert response.status_code == 400
    assert error_of(response)["message"] == "anthropic-version: header is required"


def test_a_missing_key_through_the_client_is_an_authentication_error(kind: str) -> None:
    model = EchoModel()
    if kind == "sync":
        with model.client() as client, pytest.raises(AuthenticationError) as caught:
            client.messages.create(**BASIC, extra_headers={"x-api-key": ""})
    else:

        async def main() -> None:
            async with model.async_client() as client:
                await client.messages.create(**BASIC, extra_headers={"x-api-key": ""})

        with pytest.raises(AuthenticationError) as caught:
            anyio.run(main)
    assert caught.value.status_code == 401
    assert caught.value.type == "authentication_error"


# --- count_tokens ---------------------------------------------------------------------------


def count(kind: str, model: MockModel, body: dict[str, Any]) -> MessageTokensCount:
    if kind == "sync":
        with model.client(max_retries=0) as client:
            return client.messages.count_tokens(**body)

    async def main() -> MessageTokensCount:
        async with model.async_client(max_retries=0) as client:
            return await client.messages.count_tokens(**body)

    return anyio.run(main)


def test_count_tokens_is_validated_too(kind: str) -> None:
    ok = {"model": "m", "messages": [USER]}
    assert count(kind, EchoModel(), ok).input_tokens == 12  # 45 characters of JSON
    with pytest.raises(BadRequestError, match="max_tokens: Extra inputs are not permitted"):
        count(kind, EchoModel(), {**ok, "extra_body": {"max_tokens": 5}})
    with pytest.raises(BadRequestError, match="system="):
        count(kind, EchoModel(), {**ok, "messages": [USER, {"role": "system", "content": "x"}]})
    with pytest.raises(BadRequestError, match="Tool names must be unique"):
        count(kind, EchoModel(), {**ok, "tools": [schema_tool("a"), schema_tool("a")]})


def test_count_tokens_raw_refusals() -> None:
    path = "/v1/messages/count_tokens"
    model = EchoModel()
    response = post(model, {"messages": [USER]}, path=path)
    assert error_of(response)["message"] == "model: Field required"
    assert post(model, [], path=path).json()["error"]["message"].startswith("The request body")
    assert post(model, {"model": "m", "messages": [USER]}, headers={}, path=path).status_code == (
        401
    )


# --- check_request and friends, directly ----------------------------------------------------


def test_check_request_accepts_a_full_conversation() -> None:
    body = json.loads((TOOL_LOOP / "turn2_request.json").read_text())
    assert check_request(body, HEADERS) is None
    # every field of the request body is known
    everything = dict.fromkeys(KNOWN_FIELDS) | BASIC
    assert check_request(everything, HEADERS) is None


def test_check_request_returns_the_error_body() -> None:
    problem = check_request({**BASIC, "messages": [{"role": "system", "content": "x"}]}, HEADERS)
    assert isinstance(problem, RequestProblem)
    assert problem.status == 400
    assert problem.type == "invalid_request_error"
    assert problem.body("req_1") == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": problem.message},
        "request_id": "req_1",
    }


def test_consecutive_turns_of_one_role_are_merged_as_the_api_merges_them() -> None:
    twice = {"role": "user", "content": "And another thing."}
    assert check_request({**BASIC, "messages": [USER, twice]}, HEADERS) is None
    calls = {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "t", "input": {}}],
    }
    results = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]}
    note = {"role": "user", "content": "Thanks."}
    thinking = {"role": "assistant", "content": "Let me look."}
    merged_calls = [USER, thinking, calls, results, note]
    assert check_request({**BASIC, "messages": merged_calls}, HEADERS) is None
    # merged, the text comes before the tool results: refused as the API refuses it
    late = [USER, calls, note, results]
    problem = check_request({**BASIC, "messages": late}, HEADERS)
    assert problem is not None
    assert "`tool_result` blocks must come first" in problem.message
    # an assistant turn first is still an assistant turn first
    problem = check_request({**BASIC, "messages": [thinking, USER]}, HEADERS)
    assert problem is not None
    assert "first message" in problem.message


def test_an_offline_model_answers_consecutive_user_turns(kind: str) -> None:
    model = EchoModel()
    body = {**BASIC, "messages": [USER, {"role": "user", "content": "Echo me."}]}
    assert send(kind, model, body).content


def test_check_headers() -> None:
    assert check_headers(HEADERS) is None
    assert check_headers({"authorization": "Bearer t", "anthropic-version": "x"}) is None
    missing_key = check_headers({"anthropic-version": "2023-06-01"})
    assert missing_key == RequestProblem(
        401, "authentication_error", "x-api-key header is required"
    )
    assert check_headers({"x-api-key": "", "anthropic-version": "v"}) == missing_key
    no_version = check_headers({"x-api-key": "k"})
    assert no_version is not None
    assert no_version.status == 400


def test_check_request_tool_pairing_details() -> None:
    def problem(*messages: dict[str, Any]) -> str | None:
        found = check_request({**BASIC, "messages": list(messages)}, HEADERS)
        return None if found is None else found.message

    calls = {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Calling"},
            {"type": "tool_use", "id": "t1", "name": "a", "input": {}},
            {"type": "tool_use", "id": "t2", "name": "b", "input": {}},
        ],
    }

    def results(*ids: str, text_first: bool = False) -> dict[str, Any]:
        blocks: list[Any] = [{"type": "tool_result", "tool_use_id": i} for i in ids]
        if text_first:
            blocks.insert(0, {"type": "text", "text": "here"})
        return {"role": "user", "content": [*blocks, {"type": "text", "text": "after"}, 42]}

    assert problem(USER, calls, results("t2", "t1")) is None  # any order, text after
    assert problem(USER, calls, results("t1")) == (
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "t2. Each `tool_use` block must have a corresponding `tool_result` block in the next "
        "message."
    )
    assert str(problem(USER, calls)).startswith(
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "t1, t2."
    )
    assert str(problem(USER, calls, USER)).startswith("messages.1: `tool_use` ids")
    assert str(problem(USER, calls, results("t1", "t2", text_first=True))).startswith(
        "messages.2.content.1: `tool_result` blocks must come first"
    )
    assert str(problem(USER, calls, results("t1", "t3"))).startswith(
        "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: t3."
    )
    # a plain-text assistant turn needs no results
    assert problem(USER, {"role": "assistant", "content": "Hello"}, USER) is None
    # content that is neither text nor blocks is left to other checks
    assert problem({"role": "user", "content": None}) is None


def test_check_count_tokens_directly() -> None:
    ok = {"model": "m", "messages": [USER], "system": "s", "tools": [schema_tool("a")]}
    assert check_count_tokens(ok, HEADERS) is None
    refused = check_count_tokens({**ok, "stream": True}, HEADERS)
    assert refused is not None
    assert refused.message == "stream: Extra inputs are not permitted"
    assert check_count_tokens(ok, {}) == check_headers({})
    not_object = check_count_tokens("text", HEADERS)
    assert not_object is not None
    assert not_object.status == 400


def test_check_request_leaves_its_input_alone() -> None:
    body = json.loads((TOOL_LOOP / "turn2_request.json").read_text())
    before = copy.deepcopy(body)
    check_request(body, HEADERS)
    assert body == before
