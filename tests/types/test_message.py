"""The response message: fixtures, usage, stop reasons, unknown data and ``to_param``."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from agentkit.types import (
    CacheCreation,
    Container,
    Diagnostics,
    Message,
    MessageTokensCount,
    OutputTokensDetails,
    ServerToolUsage,
    StopDetails,
    StopReason,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    UnknownBlock,
    Usage,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
RECORDED = FIXTURES / "recorded"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def parse(body: dict[str, Any]) -> Message:
    return Message.model_validate_json(json.dumps(body).encode())


def recorded_message_bodies() -> list[tuple[str, dict[str, Any]]]:
    """Every message body in the recorded captures (JSON responses, not SSE)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(RECORDED.rglob("*.json")):
        name = str(path.relative_to(RECORDED))
        for i, exchange in enumerate(load(path)):
            response = exchange["response"]
            body = response.get("body", response) if isinstance(response, dict) else None
            if isinstance(body, dict) and body.get("type") == "message":
                found.append((f"{name}[{i}]", body))
    return found


RECORDED_MESSAGES = recorded_message_bodies()


def fixture_message_bodies() -> list[tuple[str, dict[str, Any]]]:
    found = [(p.name, load(p)) for p in sorted((FIXTURES / "sse").glob("*.final.json"))]
    found.append(("turn2_response.json", load(FIXTURES / "tool_loop" / "turn2_response.json")))
    expected = load(FIXTURES / "sse" / "04_error_midstream.expected.json")
    found.append(("04_error_midstream partial", expected["partial_snapshot_at_error"]))
    for line in (FIXTURES / "batches" / "results.jsonl").read_text().splitlines():
        result = json.loads(line)["result"]
        if result["type"] == "succeeded":
            found.append(("batch result", result["message"]))
    return found


ALL_MESSAGES = fixture_message_bodies() + RECORDED_MESSAGES


def test_recorded_captures_hold_many_messages() -> None:
    # Guards the discovery above: if the layout changes, the parametrized test must not go empty.
    assert len(RECORDED_MESSAGES) >= 40
    assert len(ALL_MESSAGES) >= 48


@pytest.mark.parametrize(("name", "body"), ALL_MESSAGES, ids=[n for n, _ in ALL_MESSAGES])
def test_fixture_messages_parse_and_round_trip_verbatim(name: str, body: dict[str, Any]) -> None:
    message = parse(body)
    assert message.id == body["id"]
    assert message.model == body["model"]
    assert message.stop_reason == body["stop_reason"]
    assert len(message.content) == len(body["content"])
    assert message.model_dump(mode="json", exclude_unset=True) == body
    assert message.to_param() == {"role": "assistant", "content": body["content"]}


def test_recorded_messages_use_known_blocks() -> None:
    kinds = {type(b) for _, body in RECORDED_MESSAGES for b in parse(body).content}
    assert {TextBlock, ToolUseBlock} <= kinds
    assert UnknownBlock not in kinds


def test_thinking_fixture_fields() -> None:
    message = Message.model_validate_json(
        (FIXTURES / "sse" / "02_thinking_text.final.json").read_bytes()
    )
    thinking, text = message.content
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.signature.startswith("RXhhbXBs")
    assert isinstance(text, TextBlock)
    assert text.text.endswith("= **408**.")
    assert message.usage.output_tokens_details == OutputTokensDetails(thinking_tokens=44)
    assert message.usage.inference_geo == "global"


def test_tool_use_fixture_fields() -> None:
    message = Message.model_validate_json(
        (FIXTURES / "sse" / "03_text_tool_use.final.json").read_bytes()
    )
    tools = [b for b in message.content if isinstance(b, ToolUseBlock)]
    assert message.stop_reason == "tool_use"
    assert len(tools) == 2
    assert all(t.id.startswith("toolu_") for t in tools)
    assert tools[-1].input == {}


def test_programmatic_tool_call_capture_has_container_and_caller() -> None:
    path = next(RECORDED.rglob("092be1de-d3f8-4c22-a4ea-a7ad54689836.json"))
    message = parse(load(path)[0]["response"]["body"])
    assert isinstance(message.container, Container)
    assert message.container.id.startswith("container_")
    callers = [b.caller for b in message.content if isinstance(b, ToolUseBlock)]
    assert callers
    assert all(c is not None and c.type == "code_execution_20260120" for c in callers)


MINIMAL: dict[str, Any] = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-5-5",
    "content": [],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 4},
}


def test_usage_with_cache_and_ttl_breakdown() -> None:
    usage_wire = {
        "input_tokens": 12,
        "cache_creation_input_tokens": 2048,
        "cache_read_input_tokens": 4096,
        "cache_creation": {"ephemeral_5m_input_tokens": 48, "ephemeral_1h_input_tokens": 2000},
        "output_tokens": 300,
        "output_tokens_details": {"thinking_tokens": 120},
        "server_tool_use": {"web_search_requests": 2, "web_fetch_requests": 1},
        "service_tier": "priority",
        "inference_geo": "us",
        "speed": "fast",
    }
    usage = parse({**MINIMAL, "usage": usage_wire}).usage
    assert usage.input_tokens == 12
    assert usage.cache_creation_input_tokens == 2048
    assert usage.cache_read_input_tokens == 4096
    assert usage.cache_creation == CacheCreation(
        ephemeral_5m_input_tokens=48, ephemeral_1h_input_tokens=2000
    )
    assert usage.server_tool_use == ServerToolUsage(web_search_requests=2, web_fetch_requests=1)
    assert usage.output_tokens_details is not None
    assert usage.output_tokens_details.thinking_tokens == 120
    assert (usage.service_tier, usage.inference_geo, usage.speed) == ("priority", "us", "fast")
    assert usage.model_dump(mode="json", exclude_unset=True) == usage_wire


def test_partial_and_null_usage_parse_with_defaults() -> None:
    usage = Usage.model_validate_json(b"{}")
    assert (usage.input_tokens, usage.output_tokens) == (0, 0)
    assert usage.cache_creation is None
    nulls = Usage.model_validate_json(
        b'{"output_tokens": 5, "cache_creation_input_tokens": null, "cache_creation": null,'
        b' "server_tool_use": null, "service_tier": null, "speed": null}'
    )
    assert nulls.output_tokens == 5
    assert nulls.cache_creation_input_tokens is None
    assert nulls.server_tool_use is None
    partial = Usage.model_validate_json(b'{"cache_creation": {}, "server_tool_use": {}}')
    assert partial.cache_creation == CacheCreation(
        ephemeral_5m_input_tokens=0, ephemeral_1h_input_tokens=0
    )
    assert partial.server_tool_use == ServerToolUsage(web_search_requests=0, web_fetch_requests=0)


def test_unknown_usage_fields_are_kept() -> None:
    usage = Usage.model_validate({"input_tokens": 1, "output_tokens": 1, "iterations": [{"n": 1}]})
    assert usage.model_extra == {"iterations": [{"n": 1}]}


@pytest.mark.parametrize("reason", typing.get_args(StopReason))
def test_known_stop_reasons(reason: str) -> None:
    assert parse({**MINIMAL, "stop_reason": reason}).stop_reason == reason


def test_stop_reason_literal_is_complete() -> None:
    assert set(typing.get_args(StopReason)) == {
        "end_turn",
        "max_tokens",
        "stop_sequence",
        "tool_use",
        "pause_turn",
        "refusal",
        "model_context_window_exceeded",
    }


def test_unknown_stop_reason_is_kept() -> None:
    message = parse({**MINIMAL, "stop_reason": "compaction"})
    assert message.stop_reason == "compaction"
    assert message.model_dump(mode="json", exclude_unset=True)["stop_reason"] == "compaction"


def test_null_or_absent_stop_reason() -> None:
    assert parse({**MINIMAL, "stop_reason": None}).stop_reason is None
    body = dict(MINIMAL)
    del body["stop_reason"]
    assert parse(body).stop_reason is None


def test_non_string_stop_reason_is_rejected() -> None:
    with pytest.raises(ValidationError):
        parse({**MINIMAL, "stop_reason": 3})


def test_stop_sequence() -> None:
    message = parse({**MINIMAL, "stop_reason": "stop_sequence", "stop_sequence": "\n\nHuman:"})
    assert message.stop_sequence == "\n\nHuman:"


def test_refusal_stop_details() -> None:
    details = {"type": "refusal", "category": "cyber", "explanation": "Refused by policy."}
    message = parse({**MINIMAL, "stop_reason": "refusal", "stop_details": details})
    assert message.stop_details == StopDetails(
        type="refusal", category="cyber", explanation="Refused by policy."
    )
    open_details = {"type": "refusal", "category": "new_category", "explanation": None, "x": 1}
    parsed = parse({**MINIMAL, "stop_details": open_details}).stop_details
    assert parsed is not None
    assert parsed.category == "new_category"
    assert parsed.model_extra == {"x": 1}
    assert parse({**MINIMAL, "stop_details": None}).stop_details is None


def test_container_and_diagnostics() -> None:
    message = parse(
        {
            **MINIMAL,
            "container": {"id": "container_01", "expires_at": "2026-11-25T12:00:00Z", "skills": []},
            "diagnostics": {"cache_miss_reason": {"type": "tools_changed"}},
        }
    )
    assert message.container is not None
    assert (message.container.id, message.container.expires_at) == (
        "container_01",
        "2026-11-25T12:00:00Z",
    )
    assert message.container.model_extra == {"skills": []}
    assert message.diagnostics == Diagnostics(cache_miss_reason={"type": "tools_changed"})
    pending = parse({**MINIMAL, "diagnostics": {"cache_miss_reason": None}}).diagnostics
    assert pending is not None
    assert pending.cache_miss_reason is None


def test_unknown_top_level_fields_are_kept() -> None:
    message = parse({**MINIMAL, "context_management": {"applied_edits": []}})
    assert message.model_extra == {"context_management": {"applied_edits": []}}


@pytest.mark.parametrize("missing", ["id", "type", "role", "model", "content", "usage"])
def test_required_fields(missing: str) -> None:
    body = dict(MINIMAL)
    del body[missing]
    with pytest.raises(ValidationError, match=missing):
        parse(body)


@pytest.mark.parametrize(("field", "value"), [("type", "completion"), ("role", "user")])
def test_fixed_literals(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        parse({**MINIMAL, field: value})


def test_to_param_echoes_blocks_verbatim() -> None:
    content = [
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "redacted_thinking", "data": "abc"},
        {"type": "text", "text": "Hi", "citations": None},
        {"type": "compaction", "content": "summary", "encrypted_content": "Ep", "extra": [1]},
        {
            "type": "tool_use",
            "id": "toolu_1",
            "name": "f",
            "input": {"a": [1, {"b": None}]},
            "caller": {"type": "direct"},
        },
    ]
    message = parse({**MINIMAL, "content": content, "stop_reason": "tool_use"})
    param = message.to_param()
    assert param == {"role": "assistant", "content": content}
    # Must be sendable as-is.
    assert json.loads(json.dumps(param)) == param


def test_to_param_includes_changes_made_after_parsing() -> None:
    message = parse({**MINIMAL, "content": [{"type": "text", "text": "Hel"}]})
    block = message.content[0]
    assert isinstance(block, TextBlock)
    block.text += "lo"
    assert message.to_param()["content"] == [{"type": "text", "text": "Hello"}]


def test_to_param_of_constructed_message() -> None:
    message = Message(
        id="msg_1",
        type="message",
        role="assistant",
        model="m",
        content=[TextBlock(type="text", text="x")],
        usage=Usage(input_tokens=1, output_tokens=1),
    )
    assert message.to_param() == {"role": "assistant", "content": [{"type": "text", "text": "x"}]}


def test_message_tokens_count() -> None:
    raw = (FIXTURES / "count_tokens" / "response.json").read_bytes()
    count = MessageTokensCount.model_validate_json(raw)
    assert count.input_tokens == json.loads(raw)["input_tokens"]
    with pytest.raises(ValidationError):
        MessageTokensCount.model_validate_json(b"{}")


def test_dict_validation_matches_json_validation() -> None:
    for _, body in ALL_MESSAGES[:8]:
        assert Message.model_validate(body) == parse(body)


def test_to_dict_and_to_json_leave_out_unsent_fields() -> None:
    body = {**MINIMAL, "content": [{"type": "text", "text": "Hi"}, {"type": "future", "x": 1}]}
    message = parse(body)
    assert message.to_dict() == body
    assert json.loads(message.to_json()) == body
    compact = message.to_json(indent=None)
    assert "\n" not in compact
    assert json.loads(compact) == body
