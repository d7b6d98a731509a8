"""Request params: literals type-check (mypy --strict), round-trip through JSON, and match the
request bodies recorded in the fixtures."""

from __future__ import annotations

import collections.abc
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

import pytest
import typing_extensions
from typing_extensions import NotRequired, Required

from agentkit.types import (
    Base64ImageSource,
    Base64PDFSource,
    BashCodeExecutionToolResultBlockParam,
    BashToolParam,
    CacheControlEphemeral,
    CacheControlEphemeralParam,
    CitationCharLocationParam,
    CitationContentBlockLocationParam,
    CitationPageLocationParam,
    CitationSearchResultLocationParam,
    CitationWebSearchResultLocationParam,
    CodeExecutionToolParam,
    CodeExecutionToolResultBlockParam,
    ContainerParam,
    ContainerUploadBlockParam,
    ContentBlockParam,
    ContentBlockSource,
    DiagnosticsParam,
    DocumentBlockParam,
    FileDocumentSource,
    FileImageSource,
    ImageBlockParam,
    JSONOutputFormatParam,
    MCPToolListingBlockParam,
    MCPToolResultBlockParam,
    MCPToolUseBlockParam,
    MemoryToolParam,
    Message,
    MessageParam,
    MetadataParam,
    ModelParam,
    OutputConfigParam,
    PlainTextSource,
    RedactedThinkingBlockParam,
    SearchResultBlockParam,
    ServerToolUseBlockParam,
    TextBlockParam,
    TextEditorCodeExecutionToolResultBlockParam,
    TextEditorToolParam,
    ThinkingBlockParam,
    ThinkingConfigAdaptiveParam,
    ThinkingConfigBetweenToolsParam,
    ThinkingConfigDisabledParam,
    ThinkingConfigEnabledParam,
    ThinkingConfigParam,
    ToolChoiceAnyParam,
    ToolChoiceAutoParam,
    ToolChoiceNoneParam,
    ToolChoiceParam,
    ToolChoiceToolParam,
    ToolParam,
    ToolReferenceBlockParam,
    ToolResultBlockParam,
    ToolSearchToolParam,
    ToolSearchToolResultBlockParam,
    ToolsetParam,
    ToolUnionParam,
    ToolUseBlockParam,
    URLImageSource,
    URLPDFSource,
    WebFetchToolParam,
    WebFetchToolResultBlockParam,
    WebSearchToolParam,
    WebSearchToolResultBlockParam,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"


# --- a small structural checker: does JSON data fit a TypedDict / type expression? ---------


def conforms(value: object, tp: Any) -> bool:
    """Return whether JSON-like `value` fits type expression `tp` (TypedDicts are closed)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any or tp is object:
        return True
    if origin in (Required, NotRequired):
        return conforms(value, args[0])
    if origin is Union or origin is types.UnionType:
        return any(conforms(value, arg) for arg in args)
    if origin is Literal:
        return any(value == arg and type(value) is type(arg) for arg in args)
    if origin in (list, collections.abc.Iterable, collections.abc.Sequence):
        return isinstance(value, list) and all(conforms(item, args[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict) and all(conforms(v, args[1]) for v in value.values())
    if typing_extensions.is_typeddict(tp):
        if not isinstance(value, dict):
            return False
        hints = typing_extensions.get_type_hints(tp, include_extras=True)
        return (
            set(value) <= set(hints)
            and tp.__required_keys__ <= set(value)
            and all(conforms(v, hints[k]) for k, v in value.items())
        )
    if tp is type(None):
        return value is None
    if tp is int:
        return type(value) is int
    if tp in (str, bool, float):
        return isinstance(value, tp)
    raise AssertionError(f"unsupported type {tp!r}")


def test_checker_rejects_bad_data() -> None:
    assert conforms({"type": "text", "text": "x"}, TextBlockParam)
    assert not conforms({"type": "text"}, TextBlockParam)  # missing required key
    assert not conforms({"type": "text", "text": "x", "bogus": 1}, TextBlockParam)  # unknown key
    assert not conforms({"type": "image", "text": "x"}, TextBlockParam)  # wrong literal
    assert not conforms({"type": "text", "text": 3}, TextBlockParam)  # wrong value type
    assert not conforms("text", TextBlockParam)
    assert not conforms({"role": "user", "content": [{"type": "nope"}]}, MessageParam)
    assert not conforms({"a": 1}, dict[str, str])
    assert not conforms(True, int)
    assert not conforms(None, str)
    assert conforms(None, type(None))
    with pytest.raises(AssertionError, match="unsupported"):
        conforms(1, complex)


# --- runtime shape of the TypedDicts ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed_dict", "required", "optional"),
    [
        (CacheControlEphemeral, {"type"}, {"ttl"}),
        (TextBlockParam, {"type", "text"}, {"cache_control", "citations"}),
        (ImageBlockParam, {"type", "source"}, {"cache_control", "transformations"}),
        (
            DocumentBlockParam,
            {"type", "source"},
            {"title", "context", "citations", "cache_control"},
        ),
        (
            ToolUseBlockParam,
            {"type", "id", "name", "input"},
            {"caller", "toolset_name", "cache_control"},
        ),
        (
            ToolResultBlockParam,
            {"type", "tool_use_id"},
            {"content", "is_error", "toolset_name", "cache_control"},
        ),
        (
            ToolParam,
            {"name", "input_schema"},
            {
                "description",
                "type",
                "strict",
                "input_examples",
                "cache_control",
                "defer_loading",
                "eager_input_streaming",
                "allowed_callers",
            },
        ),
        (MessageParam, {"role", "content"}, set()),
        (ThinkingConfigEnabledParam, {"type", "budget_tokens"}, {"display"}),
        (MetadataParam, set(), {"user_id"}),
        (OutputConfigParam, set(), {"effort", "format"}),
        (ContainerParam, set(), {"id", "skills"}),
        (DiagnosticsParam, set(), {"previous_message_id"}),
    ],
)
def test_required_and_optional_keys(
    typed_dict: Any, required: set[str], optional: set[str]
) -> None:
    assert typed_dict.__required_keys__ == required
    assert typed_dict.__optional_keys__ == optional


def test_aliases() -> None:
    assert CacheControlEphemeralParam is CacheControlEphemeral
    assert ModelParam is str


# --- literals for every TypedDict (checked by mypy --strict) ---------------------------------

CACHE: CacheControlEphemeral = {"type": "ephemeral", "ttl": "1h"}
CACHE_5M: CacheControlEphemeralParam = {"type": "ephemeral"}

CITATIONS: list[
    CitationCharLocationParam
    | CitationPageLocationParam
    | CitationContentBlockLocationParam
    | CitationWebSearchResultLocationParam
    | CitationSearchResultLocationParam
] = [
    {
        "type": "char_location",
        "cited_text": "a",
        "document_index": 0,
        "document_title": None,
        "start_char_index": 0,
        "end_char_index": 1,
    },
    {
        "type": "page_location",
        "cited_text": "b",
        "document_index": 0,
        "document_title": "Doc",
        "start_page_number": 1,
        "end_page_number": 2,
    },
    {
        "type": "content_block_location",
        "cited_text": "c",
        "document_index": 1,
        "document_title": None,
        "start_block_index": 0,
        "end_block_index": 1,
    },
    {
        "type": "web_search_result_location",
        "cited_text": "d",
        "url": "https://example.com",
        "title": None,
        "encrypted_index": "Eo8B",
    },
    {
        "type": "search_result_location",
        "cited_text": "e",
        "search_result_index": 0,
        "source": "kb://1",
        "title": "KB",
        "start_block_index": 0,
        "end_block_index": 1,
    },
]

TEXT: TextBlockParam = {"type": "text", "text": "Hello", "cache_control": CACHE}
CITED_TEXT: TextBlockParam = {"type": "text", "text": "Cited.", "citations": CITATIONS}

B64_IMAGE: Base64ImageSource = {"type": "base64", "media_type": "image/png", "data": "iVBO"}
URL_IMAGE: URLImageSource = {"type": "url", "url": "https://example.com/cat.png"}
FILE_IMAGE: FileImageSource = {"type": "file", "file_id": "file_01"}
IMAGES: list[ImageBlockParam] = [
    {"type": "image", "source": B64_IMAGE, "cache_control": None},
    {"type": "image", "source": URL_IMAGE, "transformations": {"oversized_image": "error"}},
    {"type": "image", "source": FILE_IMAGE},
]

PDF: Base64PDFSource = {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}
URL_PDF: URLPDFSource = {"type": "url", "url": "https://example.com/a.pdf"}
PLAIN: PlainTextSource = {"type": "text", "media_type": "text/plain", "data": "Grass is green."}
CUSTOM: ContentBlockSource = {"type": "content", "content": [TEXT, IMAGES[1]]}
CUSTOM_STR: ContentBlockSource = {"type": "content", "content": "just a string"}
FILE_DOC: FileDocumentSource = {"type": "file", "file_id": "file_02"}
DOCUMENTS: list[DocumentBlockParam] = [
    {
        "type": "document",
        "source": PDF,
        "title": "Report",
        "context": "Q3",
        "citations": {"enabled": True},
        "cache_control": CACHE,
    },
    {"type": "document", "source": URL_PDF},
    {"type": "document", "source": PLAIN, "citations": {"enabled": False}},
    {"type": "document", "source": CUSTOM},
    {"type": "document", "source": CUSTOM_STR, "title": None},
    {"type": "document", "source": FILE_DOC},
]

SEARCH_RESULT: SearchResultBlockParam = {
    "type": "search_result",
    "source": "https://kb.example/1",
    "title": "KB article",
    "content": [{"type": "text", "text": "The answer is 42."}],
    "citations": {"enabled": True},
}

THINKING: ThinkingBlockParam = {"type": "thinking", "thinking": "Hmm.", "signature": "c2ln"}
REDACTED: RedactedThinkingBlockParam = {"type": "redacted_thinking", "data": "EmwK"}
TOOL_USE: ToolUseBlockParam = {
    "type": "tool_use",
    "id": "toolu_01",
    "name": "get_weather",
    "input": {"location": "Lisbon"},
    "caller": {"type": "direct"},
}
PROGRAMMATIC_TOOL_USE: ToolUseBlockParam = {
    "type": "tool_use",
    "id": "toolu_02",
    "name": "get_weather",
    "input": {},
    "caller": {"type": "code_execution_20260120", "tool_id": "srvtoolu_01"},
    "toolset_name": None,
}
TOOL_REFERENCE: ToolReferenceBlockParam = {"type": "tool_reference", "tool_name": "get_weather"}
TOOL_RESULTS: list[ToolResultBlockParam] = [
    {"type": "tool_result", "tool_use_id": "toolu_01", "content": "18°C, light rain"},
    {"type": "tool_result", "tool_use_id": "toolu_02", "content": "unreachable", "is_error": True},
    {
        "type": "tool_result",
        "tool_use_id": "toolu_03",
        "content": [TEXT, IMAGES[0], DOCUMENTS[2], SEARCH_RESULT, TOOL_REFERENCE],
        "cache_control": CACHE,
    },
    {"type": "tool_result", "tool_use_id": "toolu_04"},
]
SERVER_TOOL_USE: ServerToolUseBlockParam = {
    "type": "server_tool_use",
    "id": "srvtoolu_01",
    "name": "web_search",
    "input": {"query": "weather"},
}
ERROR: dict[str, Any] = {"type": "web_search_tool_result_error", "error_code": "unavailable"}
WEB_SEARCH_RESULT: WebSearchToolResultBlockParam = {
    "type": "web_search_tool_result",
    "tool_use_id": "srvtoolu_01",
    "content": [{"type": "web_search_result", "url": "u", "title": "t", "encrypted_content": "e"}],
}
WEB_FETCH_RESULT: WebFetchToolResultBlockParam = {
    "type": "web_fetch_tool_result",
    "tool_use_id": "srvtoolu_02",
    "content": ERROR,
}
CODE_RESULT: CodeExecutionToolResultBlockParam = {
    "type": "code_execution_tool_result",
    "tool_use_id": "srvtoolu_03",
    "content": {"type": "code_execution_result", "stdout": "", "stderr": "", "return_code": 0},
}
BASH_RESULT: BashCodeExecutionToolResultBlockParam = {
    "type": "bash_code_execution_tool_result",
    "tool_use_id": "srvtoolu_04",
    "content": {"type": "bash_code_execution_tool_result_error", "error_code": "unavailable"},
}
EDITOR_RESULT: TextEditorCodeExecutionToolResultBlockParam = {
    "type": "text_editor_code_execution_tool_result",
    "tool_use_id": "srvtoolu_05",
    "content": {"type": "text_editor_code_execution_create_result", "is_file_update": True},
}
SEARCH_TOOL_RESULT: ToolSearchToolResultBlockParam = {
    "type": "tool_search_tool_result",
    "tool_use_id": "srvtoolu_06",
    "content": {"type": "tool_search_tool_search_result", "tool_references": [TOOL_REFERENCE]},
    "caller": {"type": "direct"},
}
UPLOAD: ContainerUploadBlockParam = {"type": "container_upload", "file_id": "file_03"}
MCP_USE: MCPToolUseBlockParam = {
    "type": "mcp_tool_use",
    "id": "mcptoolu_01",
    "name": "search",
    "server_name": "docs",
    "input": {"q": "x"},
}
MCP_RESULT: MCPToolResultBlockParam = {
    "type": "mcp_tool_result",
    "tool_use_id": "mcptoolu_01",
    "is_error": False,
    "content": [{"type": "text", "text": "found"}],
}
MCP_LISTING: MCPToolListingBlockParam = {
    "type": "mcp_tool_listing",
    "mcp_server_name": "docs",
    "tools": [{"name": "search"}],
}

ALL_BLOCKS: list[ContentBlockParam] = [
    TEXT,
    CITED_TEXT,
    *IMAGES,
    *DOCUMENTS,
    SEARCH_RESULT,
    THINKING,
    REDACTED,
    TOOL_USE,
    PROGRAMMATIC_TOOL_USE,
    *TOOL_RESULTS,
    SERVER_TOOL_USE,
    WEB_SEARCH_RESULT,
    WEB_FETCH_RESULT,
    CODE_RESULT,
    BASH_RESULT,
    EDITOR_RESULT,
    SEARCH_TOOL_RESULT,
    UPLOAD,
    MCP_USE,
    MCP_RESULT,
    MCP_LISTING,
]

MESSAGES: list[MessageParam] = [
    {"role": "user", "content": "What's the weather in Lisbon?"},
    {"role": "assistant", "content": [THINKING, TEXT, TOOL_USE]},
    {"role": "user", "content": [*TOOL_RESULTS, {"type": "text", "text": "Thanks"}]},
    {"role": "user", "content": ALL_BLOCKS},
]

TOOLS: list[ToolUnionParam] = [
    {
        "name": "get_weather",
        "description": "Get the weather.",
        "input_schema": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
            "additionalProperties": False,
        },
        "strict": True,
        "type": "custom",
        "input_examples": [{"location": "Lisbon"}],
        "cache_control": CACHE,
        "defer_loading": False,
        "eager_input_streaming": None,
        "allowed_callers": ["direct", "code_execution_20260120"],
    },
    {"name": "noop", "input_schema": {"type": "object", "properties": {}}},
    {
        "type": "web_search_20260318",
        "name": "web_search",
        "max_uses": 3,
        "allowed_domains": ["example.com"],
        "user_location": {"type": "approximate", "city": "Lisbon", "country": "PT"},
        "response_inclusion": "full",
    },
    {"type": "web_fetch_20250910", "name": "web_fetch", "citations": {"enabled": True}},
    {"type": "code_execution_20260120", "name": "code_execution"},
    {"type": "tool_search_tool_bm25_20251119", "name": "tool_search_tool_bm25"},
    {"type": "bash_20250124", "name": "bash"},
    {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool", "max_characters": 1000},
    {"type": "memory_20250818", "name": "memory"},
    {"type": "computer_toolset_20260801", "configs": None},
]
WEB_SEARCH_TOOL: WebSearchToolParam = {"type": "web_search_20250305", "name": "web_search"}
WEB_FETCH_TOOL: WebFetchToolParam = {
    "type": "web_fetch_20260318",
    "name": "web_fetch",
    "use_cache": False,
}
CODE_TOOL: CodeExecutionToolParam = {"type": "code_execution_20250825", "name": "code_execution"}
SEARCH_TOOL: ToolSearchToolParam = {
    "type": "tool_search_tool_regex",
    "name": "tool_search_tool_regex",
}
BASH_TOOL: BashToolParam = {"type": "bash_20250124", "name": "bash", "strict": True}
EDITOR_TOOL: TextEditorToolParam = {"type": "text_editor_20250124", "name": "str_replace_editor"}
MEMORY_TOOL: MemoryToolParam = {"type": "memory_20250818", "name": "memory", "defer_loading": True}
TOOLSET: ToolsetParam = {"type": "browser_toolset_20260801"}

CHOICES: list[ToolChoiceParam] = [
    {"type": "auto", "disable_parallel_tool_use": True},
    {"type": "any"},
    {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": False},
    {"type": "none"},
]
AUTO: ToolChoiceAutoParam = {"type": "auto"}
ANY: ToolChoiceAnyParam = {"type": "any", "disable_parallel_tool_use": True}
TOOL_CHOICE: ToolChoiceToolParam = {"type": "tool", "name": "noop"}
NONE_CHOICE: ToolChoiceNoneParam = {"type": "none"}

THINKING_CONFIGS: list[ThinkingConfigParam] = [
    {"type": "enabled", "budget_tokens": 2048, "display": "omitted"},
    {"type": "disabled"},
    {"type": "adaptive", "display": "summarized"},
    {"type": "between_tools"},
]
ENABLED: ThinkingConfigEnabledParam = {"type": "enabled", "budget_tokens": 1024}
DISABLED: ThinkingConfigDisabledParam = {"type": "disabled"}
ADAPTIVE: ThinkingConfigAdaptiveParam = {"type": "adaptive"}
BETWEEN: ThinkingConfigBetweenToolsParam = {"type": "between_tools"}

METADATA: MetadataParam = {"user_id": "user-7f3a"}
JSON_FORMAT: JSONOutputFormatParam = {
    "type": "json_schema",
    "schema": {"type": "object", "properties": {"answer": {"type": "integer"}}},
}
OUTPUT: OutputConfigParam = {"effort": "xhigh", "format": JSON_FORMAT}
CONTAINER: ContainerParam = {
    "id": "container_01",
    "skills": [{"type": "anthropic", "skill_id": "pptx", "version": "latest"}],
}
DIAGNOSTICS: DiagnosticsParam = {"previous_message_id": "msg_01"}
MODEL: ModelParam = "claude-sonnet-5-5"

LITERALS: list[tuple[str, object, Any]] = [
    ("cache", CACHE, CacheControlEphemeral),
    ("cache_5m", CACHE_5M, CacheControlEphemeral),
    ("texts", [TEXT, CITED_TEXT], list[TextBlockParam]),
    ("images", IMAGES, list[ImageBlockParam]),
    ("documents", DOCUMENTS, list[DocumentBlockParam]),
    ("search_result", SEARCH_RESULT, SearchResultBlockParam),
    ("tool_results", TOOL_RESULTS, list[ToolResultBlockParam]),
    ("all_blocks", ALL_BLOCKS, list[ContentBlockParam]),
    ("messages", MESSAGES, list[MessageParam]),
    ("tools", TOOLS, list[ToolUnionParam]),
    (
        "server_tools",
        [WEB_SEARCH_TOOL, WEB_FETCH_TOOL, CODE_TOOL, SEARCH_TOOL, TOOLSET],
        list[ToolUnionParam],
    ),
    ("client_tools", [BASH_TOOL, EDITOR_TOOL, MEMORY_TOOL], list[ToolUnionParam]),
    ("choices", [*CHOICES, AUTO, ANY, TOOL_CHOICE, NONE_CHOICE], list[ToolChoiceParam]),
    (
        "thinking",
        [*THINKING_CONFIGS, ENABLED, DISABLED, ADAPTIVE, BETWEEN],
        list[ThinkingConfigParam],
    ),
    ("metadata", METADATA, MetadataParam),
    ("output", OUTPUT, OutputConfigParam),
    ("container", CONTAINER, ContainerParam),
    ("diagnostics", DIAGNOSTICS, DiagnosticsParam),
]


@pytest.mark.parametrize(("name", "value", "tp"), LITERALS, ids=[n for n, _, _ in LITERALS])
def test_literals_round_trip_through_json_and_conform(name: str, value: object, tp: Any) -> None:
    assert json.loads(json.dumps(value)) == value
    assert conforms(value, tp)


def test_every_content_block_param_type_is_exercised() -> None:
    kinds = {block["type"] for block in ALL_BLOCKS}
    members = typing.get_args(ContentBlockParam)
    declared = {typing.get_args(typing_extensions.get_type_hints(m)["type"])[0] for m in members}
    assert kinds == declared


# --- recorded request bodies fit the params --------------------------------------------------

TOP_LEVEL: dict[str, Any] = {
    "messages": list[MessageParam],
    "system": str | list[TextBlockParam],
    "tools": list[ToolUnionParam],
    "tool_choice": ToolChoiceParam,
    "thinking": ThinkingConfigParam,
    "metadata": MetadataParam,
    "output_config": OutputConfigParam,
    "container": str | ContainerParam,
    "diagnostics": DiagnosticsParam,
    "cache_control": CacheControlEphemeral,
}


def request_bodies() -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted((FIXTURES / "tool_loop").glob("*request.json")):
        data = json.loads(path.read_text())
        # Invalid cases wrap a structurally valid request that the API rejects semantically.
        found.append((path.name, data.get("request", data)))
    found.append(
        ("count_tokens", json.loads((FIXTURES / "count_tokens" / "request.json").read_text()))
    )
    batch = json.loads((FIXTURES / "batches" / "create_request.json").read_text())
    found.extend((r["custom_id"], r["params"]) for r in batch["requests"])
    for path in sorted((FIXTURES / "recorded").rglob("*.json")):
        for i, exchange in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            request = exchange.get("request", exchange)
            body = request.get("body")
            if isinstance(body, dict) and "messages" in body:
                found.append((f"{path.name}[{i}]", body))
    return found


REQUESTS = request_bodies()


def test_request_discovery() -> None:
    assert len(REQUESTS) >= 40


@pytest.mark.parametrize(("name", "body"), REQUESTS, ids=[n for n, _ in REQUESTS])
def test_recorded_request_bodies_fit_the_params(name: str, body: dict[str, Any]) -> None:
    checked = 0
    for key, tp in TOP_LEVEL.items():
        if key in body:
            assert conforms(body[key], tp), key
            checked += 1
    assert checked >= 1


def test_to_param_output_fits_message_param() -> None:
    for path in sorted((FIXTURES / "sse").glob("*.final.json")):
        message = Message.model_validate_json(path.read_bytes())
        assert conforms(message.to_param(), MessageParam), path.name
