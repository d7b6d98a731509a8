"""Response content blocks: every known type, the unknown fallback, citations and callers."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from agentkit.types import (
    KNOWN_CONTENT_BLOCK_TYPES,
    BashCodeExecutionToolResultBlock,
    CitationCharLocation,
    CitationContentBlockLocation,
    CitationPageLocation,
    CitationsSearchResultLocation,
    CitationsWebSearchResultLocation,
    CodeExecutionToolResultBlock,
    ContainerUploadBlock,
    ContentBlock,
    DirectCaller,
    MCPToolListingBlock,
    MCPToolResultBlock,
    MCPToolUseBlock,
    Message,
    RedactedThinkingBlock,
    ServerToolCaller,
    ServerToolUseBlock,
    TextBlock,
    TextCitation,
    TextEditorCodeExecutionToolResultBlock,
    ThinkingBlock,
    ToolSearchToolResultBlock,
    ToolUseBlock,
    UnknownBlock,
    UnknownCaller,
    UnknownCitation,
    WebFetchToolResultBlock,
    WebSearchToolResultBlock,
)

BLOCK_ADAPTER: TypeAdapter[ContentBlock] = TypeAdapter(ContentBlock)
CITATION_ADAPTER: TypeAdapter[TextCitation] = TypeAdapter(TextCitation)


def parse_blocks(*blocks: dict[str, Any]) -> Message:
    """Parse blocks the way responses are parsed: a whole message from JSON bytes."""
    body = {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-5-5",
        "content": list(blocks),
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    return Message.model_validate_json(json.dumps(body).encode())


def parse_one(block: dict[str, Any]) -> ContentBlock:
    (parsed,) = parse_blocks(block).content
    return parsed


WEB_SEARCH_ERROR = {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}

# (wire block, expected model) for every shape of PROTOCOL §5.1, error results included.
BLOCK_SAMPLES: list[tuple[dict[str, Any], type[Any]]] = [
    ({"type": "text", "text": "Hello"}, TextBlock),
    ({"type": "text", "text": "", "citations": []}, TextBlock),
    ({"type": "thinking", "thinking": "Let me see.", "signature": "c2ln"}, ThinkingBlock),
    ({"type": "redacted_thinking", "data": "EmwKAhgB"}, RedactedThinkingBlock),
    (
        {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}},
        ToolUseBlock,
    ),
    (
        {
            "type": "tool_use",
            "id": "toolu_02",
            "name": "left_click",
            "input": {"coordinate": [10, 20]},
            "caller": {"type": "direct"},
            "toolset_name": "computer",
        },
        ToolUseBlock,
    ),
    (
        {
            "type": "server_tool_use",
            "id": "srvtoolu_01",
            "name": "web_search",
            "input": {"query": "weather"},
        },
        ServerToolUseBlock,
    ),
    (
        {
            "type": "server_tool_use",
            "id": "srvtoolu_02",
            "name": "some_future_server_tool",
            "input": {},
            "caller": {"type": "direct"},
        },
        ServerToolUseBlock,
    ),
    (
        {
            "type": "web_search_tool_result",
            "tool_use_id": "srvtoolu_01",
            "content": [
                {
                    "type": "web_search_result",
                    "url": "https://example.com",
                    "title": "Example",
                    "encrypted_content": "Eq8C",
                    "page_age": None,
                },
                {
                    "type": "web_search_result",
                    "url": "https://example.org",
                    "title": "Other",
                    "encrypted_content": "Eq8D",
                    "page_age": "2 weeks ago",
                },
            ],
        },
        WebSearchToolResultBlock,
    ),
    (
        {
            "type": "web_search_tool_result",
            "tool_use_id": "srvtoolu_01",
            "content": WEB_SEARCH_ERROR,
            "caller": {"type": "code_execution_20260120", "tool_id": "srvtoolu_00"},
        },
        WebSearchToolResultBlock,
    ),
    (
        {
            "type": "web_fetch_tool_result",
            "tool_use_id": "srvtoolu_03",
            "content": {
                "type": "web_fetch_result",
                "url": "https://example.com/a.pdf",
                "retrieved_at": "2026-11-25T10:00:00Z",
                "content": {
                    "type": "document",
                    "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"},
                    "title": "A",
                    "citations": {"enabled": True},
                },
            },
        },
        WebFetchToolResultBlock,
    ),
    (
        {
            "type": "web_fetch_tool_result",
            "tool_use_id": "srvtoolu_03",
            "content": {"type": "web_fetch_tool_result_error", "error_code": "url_not_allowed"},
        },
        WebFetchToolResultBlock,
    ),
    (
        {
            "type": "code_execution_tool_result",
            "tool_use_id": "srvtoolu_04",
            "content": {
                "type": "code_execution_result",
                "stdout": "4\n",
                "stderr": "",
                "return_code": 0,
                "content": [{"type": "code_execution_output", "file_id": "file_01"}],
            },
        },
        CodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "code_execution_tool_result",
            "tool_use_id": "srvtoolu_04",
            "content": {
                "type": "encrypted_code_execution_result",
                "encrypted_stdout": "ZW5j",
                "stderr": "",
                "return_code": 0,
                "content": [],
            },
        },
        CodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "code_execution_tool_result",
            "tool_use_id": "srvtoolu_04",
            "content": {
                "type": "code_execution_tool_result_error",
                "error_code": "execution_time_exceeded",
            },
        },
        CodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "bash_code_execution_tool_result",
            "tool_use_id": "srvtoolu_05",
            "content": {
                "type": "bash_code_execution_result",
                "stdout": "ok",
                "stderr": "",
                "return_code": 0,
                "content": [{"type": "bash_code_execution_output", "file_id": "file_02"}],
            },
        },
        BashCodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "bash_code_execution_tool_result",
            "tool_use_id": "srvtoolu_05",
            "content": {
                "type": "bash_code_execution_tool_result_error",
                "error_code": "output_file_too_large",
            },
        },
        BashCodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "text_editor_code_execution_tool_result",
            "tool_use_id": "srvtoolu_06",
            "content": {
                "type": "text_editor_code_execution_view_result",
                "content": "line 1\nline 2",
                "file_type": "text",
                "num_lines": 2,
                "start_line": 1,
                "total_lines": 2,
            },
        },
        TextEditorCodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "text_editor_code_execution_tool_result",
            "tool_use_id": "srvtoolu_06",
            "content": {
                "type": "text_editor_code_execution_create_result",
                "is_file_update": False,
            },
        },
        TextEditorCodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "text_editor_code_execution_tool_result",
            "tool_use_id": "srvtoolu_06",
            "content": {
                "type": "text_editor_code_execution_str_replace_result",
                "lines": ["-a", "+b"],
                "new_lines": 1,
                "new_start": 3,
                "old_lines": 1,
                "old_start": 3,
            },
        },
        TextEditorCodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "text_editor_code_execution_tool_result",
            "tool_use_id": "srvtoolu_06",
            "content": {
                "type": "text_editor_code_execution_tool_result_error",
                "error_code": "file_not_found",
                "error_message": None,
            },
        },
        TextEditorCodeExecutionToolResultBlock,
    ),
    (
        {
            "type": "tool_search_tool_result",
            "tool_use_id": "srvtoolu_07",
            "content": {
                "type": "tool_search_tool_search_result",
                "tool_references": [{"type": "tool_reference", "tool_name": "get_weather"}],
            },
        },
        ToolSearchToolResultBlock,
    ),
    (
        {
            "type": "tool_search_tool_result",
            "tool_use_id": "srvtoolu_07",
            "content": {
                "type": "tool_search_tool_result_error",
                "error_code": "unavailable",
                "error_message": "try later",
            },
        },
        ToolSearchToolResultBlock,
    ),
    ({"type": "container_upload", "file_id": "file_03"}, ContainerUploadBlock),
    (
        {
            "type": "mcp_tool_use",
            "id": "mcptoolu_01",
            "name": "search",
            "server_name": "docs",
            "input": {"q": "x"},
        },
        MCPToolUseBlock,
    ),
    (
        {
            "type": "mcp_tool_result",
            "tool_use_id": "mcptoolu_01",
            "is_error": False,
            "content": [{"type": "text", "text": "found"}],
        },
        MCPToolResultBlock,
    ),
    (
        {"type": "mcp_tool_listing", "mcp_server_name": "docs", "tools": [{"name": "search"}]},
        MCPToolListingBlock,
    ),
]


@pytest.mark.parametrize(
    ("wire", "model"),
    BLOCK_SAMPLES,
    ids=[f"{w['type']}-{i}" for i, (w, _) in enumerate(BLOCK_SAMPLES)],
)
def test_every_block_shape_parses_and_round_trips(wire: dict[str, Any], model: type[Any]) -> None:
    block = parse_one(wire)
    assert type(block) is model
    assert block.type == wire["type"]
    assert block.model_dump(mode="json", exclude_unset=True) == wire
    assert BLOCK_ADAPTER.validate_python(wire) == block


def test_all_known_block_types_are_covered_by_samples() -> None:
    assert {wire["type"] for wire, _ in BLOCK_SAMPLES} == KNOWN_CONTENT_BLOCK_TYPES


def test_known_types_match_the_union_tags() -> None:
    union, _discriminator = typing.get_args(ContentBlock)
    tags = set()
    for member in typing.get_args(union):
        model, tag = typing.get_args(member)
        tags.add(tag.tag)
        if model is not UnknownBlock:
            assert model.model_fields["type"].annotation == typing.Literal[tag.tag]
    assert tags == KNOWN_CONTENT_BLOCK_TYPES | {"unknown"}


def test_block_fields_are_typed() -> None:
    message = parse_blocks(*(wire for wire, _ in BLOCK_SAMPLES))
    text, _, thinking, redacted, tool_use, toolset_use, server_use, _, search = message.content[:9]
    assert isinstance(text, TextBlock)
    assert text.text == "Hello"
    assert text.citations is None
    assert isinstance(thinking, ThinkingBlock)
    assert (thinking.thinking, thinking.signature) == ("Let me see.", "c2ln")
    assert isinstance(redacted, RedactedThinkingBlock)
    assert redacted.data == "EmwKAhgB"
    assert isinstance(tool_use, ToolUseBlock)
    assert (tool_use.id, tool_use.name, tool_use.input) == (
        "toolu_01",
        "get_weather",
        {"city": "Paris"},
    )
    assert tool_use.caller is None
    assert tool_use.toolset_name is None
    assert isinstance(toolset_use, ToolUseBlock)
    assert isinstance(toolset_use.caller, DirectCaller)
    assert toolset_use.toolset_name == "computer"
    assert isinstance(server_use, ServerToolUseBlock)
    assert server_use.input == {"query": "weather"}
    assert isinstance(search, WebSearchToolResultBlock)
    assert search.tool_use_id == "srvtoolu_01"
    assert [r["url"] for r in search.content] == ["https://example.com", "https://example.org"]


def test_server_tool_error_content_is_kept_as_data() -> None:
    block = parse_one(
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": WEB_SEARCH_ERROR}
    )
    assert isinstance(block, WebSearchToolResultBlock)
    assert block.content == WEB_SEARCH_ERROR


def test_unknown_block_type_keeps_every_field() -> None:
    wire = {
        "type": "compaction",
        "content": "Earlier conversation summarized.",
        "encrypted_content": None,
        "nested": {"a": [1, 2, {"b": True}]},
    }
    message = parse_blocks({"type": "text", "text": "before"}, wire)
    block = message.content[1]
    assert isinstance(block, UnknownBlock)
    assert block.type == "compaction"
    assert block.model_extra == {
        "content": "Earlier conversation summarized.",
        "encrypted_content": None,
        "nested": {"a": [1, 2, {"b": True}]},
    }
    assert message.to_param()["content"] == [{"type": "text", "text": "before"}, wire]


def test_unknown_block_via_python_validation() -> None:
    block = BLOCK_ADAPTER.validate_python({"type": "fallback", "from": "a", "to": "b"})
    assert isinstance(block, UnknownBlock)
    assert block.model_dump() == {"type": "fallback", "from": "a", "to": "b"}


def test_unknown_field_on_known_block_is_kept() -> None:
    wire = {"type": "text", "text": "hi", "future_field": {"x": 1}}
    block = parse_one(wire)
    assert isinstance(block, TextBlock)
    assert block.model_extra == {"future_field": {"x": 1}}
    assert block.model_dump(mode="json", exclude_unset=True) == wire


def test_known_type_with_missing_field_is_an_error_not_unknown() -> None:
    with pytest.raises(ValidationError, match="text"):
        parse_one({"type": "text"})
    with pytest.raises(ValidationError, match="input"):
        parse_one({"type": "tool_use", "id": "toolu_1", "name": "f"})


@pytest.mark.parametrize(
    "bad", [{}, {"type": None}, {"type": ["text"]}, {"type": {"a": 1}}, {"type": 3}]
)
def test_block_without_a_string_type_is_a_validation_error(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_one(bad)


def test_model_instances_validate_to_themselves() -> None:
    text = TextBlock(type="text", text="hi")
    unknown = UnknownBlock.model_validate({"type": "text", "odd": True})
    thinking = ThinkingBlock(type="thinking", thinking="t", signature="s")
    assert BLOCK_ADAPTER.validate_python(text) is text
    assert BLOCK_ADAPTER.validate_python(thinking) is thinking
    # An UnknownBlock stays unknown even if its type string names a known block.
    assert BLOCK_ADAPTER.validate_python(unknown) is unknown
    with pytest.raises(ValidationError):
        BLOCK_ADAPTER.validate_python(object())


# --- citations -------------------------------------------------------------------------------

CITATION_SAMPLES: list[tuple[dict[str, Any], type[Any]]] = [
    (
        {
            "type": "char_location",
            "cited_text": "grass is green",
            "document_index": 0,
            "document_title": "Facts",
            "start_char_index": 0,
            "end_char_index": 14,
        },
        CitationCharLocation,
    ),
    (
        {
            "type": "char_location",
            "cited_text": "x",
            "document_index": 1,
            "document_title": None,
            "start_char_index": 3,
            "end_char_index": 4,
            "file_id": "file_1",
        },
        CitationCharLocation,
    ),
    (
        {
            "type": "page_location",
            "cited_text": "page text",
            "document_index": 0,
            "start_page_number": 2,
            "end_page_number": 3,
        },
        CitationPageLocation,
    ),
    (
        {
            "type": "content_block_location",
            "cited_text": "block",
            "document_index": 2,
            "document_title": "Custom",
            "start_block_index": 0,
            "end_block_index": 1,
        },
        CitationContentBlockLocation,
    ),
    (
        {
            "type": "web_search_result_location",
            "cited_text": "Claude is ...",
            "url": "https://example.com",
            "title": None,
            "encrypted_index": "Eo8B",
        },
        CitationsWebSearchResultLocation,
    ),
    (
        {
            "type": "search_result_location",
            "cited_text": "result",
            "search_result_index": 0,
            "source": "https://kb.example/1",
            "title": "KB",
            "start_block_index": 1,
            "end_block_index": 2,
        },
        CitationsSearchResultLocation,
    ),
    ({"type": "audio_location", "cited_text": "la", "start_ms": 10}, UnknownCitation),
]


def test_text_block_citations_parse_each_type() -> None:
    wire = {"type": "text", "text": "Cited.", "citations": [c for c, _ in CITATION_SAMPLES]}
    block = parse_one(wire)
    assert isinstance(block, TextBlock)
    assert block.citations is not None
    assert [type(c) for c in block.citations] == [m for _, m in CITATION_SAMPLES]
    char = block.citations[0]
    assert isinstance(char, CitationCharLocation)
    assert (char.start_char_index, char.end_char_index, char.document_title) == (0, 14, "Facts")
    unknown = block.citations[-1]
    assert isinstance(unknown, UnknownCitation)
    assert unknown.model_extra == {"cited_text": "la", "start_ms": 10}
    assert block.model_dump(mode="json", exclude_unset=True) == wire


def test_citation_instances_and_bad_citations() -> None:
    unknown = UnknownCitation(type="page_location")
    assert CITATION_ADAPTER.validate_python(unknown) is unknown
    with pytest.raises(ValidationError):
        CITATION_ADAPTER.validate_python({"type": "page_location", "cited_text": "x"})


# --- callers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "model"),
    [
        ({"type": "direct"}, DirectCaller),
        ({"type": "code_execution_20250825", "tool_id": "srvtoolu_1"}, ServerToolCaller),
        ({"type": "code_execution_20260120", "tool_id": "srvtoolu_2"}, ServerToolCaller),
        ({"type": "code_execution_20270101", "tool_id": "srvtoolu_3", "x": 1}, ServerToolCaller),
        ({"type": "agent_handoff", "agent": "planner"}, UnknownCaller),
    ],
)
def test_callers(caller: dict[str, Any], model: type[Any]) -> None:
    wire = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}, "caller": caller}
    block = parse_one(wire)
    assert isinstance(block, ToolUseBlock)
    assert type(block.caller) is model
    assert block.model_dump(mode="json", exclude_unset=True) == wire


def test_programmatic_caller_fields() -> None:
    block = parse_one(
        {
            "type": "tool_use",
            "id": "toolu_1",
            "name": "get_weather",
            "input": {"location": "SF"},
            "caller": {"type": "code_execution_20260120", "tool_id": "srvtoolu_9"},
        }
    )
    assert isinstance(block, ToolUseBlock)
    assert isinstance(block.caller, ServerToolCaller)
    assert (block.caller.type, block.caller.tool_id) == ("code_execution_20260120", "srvtoolu_9")


def test_caller_instances() -> None:
    direct = DirectCaller(type="direct")
    server = ServerToolCaller(type="code_execution_20260120", tool_id="srvtoolu_1")
    unknown = UnknownCaller(type="other")
    for caller in (direct, server, unknown):
        block = ToolUseBlock(type="tool_use", id="toolu_1", name="f", input={}, caller=caller)
        assert block.caller is caller
    with pytest.raises(ValidationError):
        ToolUseBlock.model_validate(
            {"type": "tool_use", "id": "t", "name": "f", "input": {}, "caller": {"tool_id": 5}}
        )


def test_server_tool_use_without_caller_dumps_without_it() -> None:
    wire = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_fetch", "input": {}}
    block = parse_one(wire)
    assert isinstance(block, ServerToolUseBlock)
    assert block.caller is None
    assert "caller" not in block.model_dump(mode="json", exclude_unset=True)
