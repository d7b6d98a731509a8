"""Request parameters of ``POST /v1/messages``, as `TypedDict`s.

Build them as plain dict literals; a type checker verifies the keys and values. Optional keys
may be left out; they are not sent.
"""

from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeAlias

from typing_extensions import Required, TypedDict

__all__ = [
    "AllowedCaller",
    "Base64ImageSource",
    "Base64ImageSourceParam",
    "Base64PDFSource",
    "Base64PDFSourceParam",
    "BashCodeExecutionToolResultBlockParam",
    "BashToolParam",
    "CacheControlEphemeral",
    "CacheControlEphemeralParam",
    "CallerParam",
    "CitationCharLocationParam",
    "CitationContentBlockLocationParam",
    "CitationPageLocationParam",
    "CitationSearchResultLocationParam",
    "CitationWebSearchResultLocationParam",
    "CitationsConfigParam",
    "CodeExecutionToolParam",
    "CodeExecutionToolResultBlockParam",
    "ContainerParam",
    "ContainerUploadBlockParam",
    "ContentBlockParam",
    "ContentBlockSource",
    "ContentBlockSourceContentParam",
    "DiagnosticsParam",
    "DirectCallerParam",
    "DocumentBlockParam",
    "DocumentSource",
    "FileDocumentSource",
    "FileImageSource",
    "ImageBlockParam",
    "ImageSource",
    "ImageTransformationsParam",
    "JSONOutputFormatParam",
    "MCPServerURLDefinitionParam",
    "MCPToolListingBlockParam",
    "MCPToolResultBlockParam",
    "MCPToolUseBlockParam",
    "MCPToolsetParam",
    "MemoryToolParam",
    "MessageParam",
    "MetadataParam",
    "ModelParam",
    "OutputConfigParam",
    "PlainTextSource",
    "PlainTextSourceParam",
    "RedactedThinkingBlockParam",
    "SearchResultBlockParam",
    "ServerToolCallerParam",
    "ServerToolUseBlockParam",
    "SkillParam",
    "TextBlockParam",
    "TextCitationParam",
    "TextEditorCodeExecutionToolResultBlockParam",
    "TextEditorToolParam",
    "ThinkingBlockParam",
    "ThinkingConfigAdaptiveParam",
    "ThinkingConfigBetweenToolsParam",
    "ThinkingConfigDisabledParam",
    "ThinkingConfigEnabledParam",
    "ThinkingConfigParam",
    "ToolChoiceAnyParam",
    "ToolChoiceAutoParam",
    "ToolChoiceNoneParam",
    "ToolChoiceParam",
    "ToolChoiceToolParam",
    "ToolInputSchema",
    "ToolParam",
    "ToolReferenceBlockParam",
    "ToolResultBlockParam",
    "ToolResultContentParam",
    "ToolSearchToolParam",
    "ToolSearchToolResultBlockParam",
    "ToolUnionParam",
    "ToolUseBlockParam",
    "ToolsetParam",
    "URLImageSource",
    "URLImageSourceParam",
    "URLPDFSource",
    "URLPDFSourceParam",
    "UserLocationParam",
    "WebFetchToolParam",
    "WebFetchToolResultBlockParam",
    "WebSearchToolParam",
    "WebSearchToolResultBlockParam",
]

ModelParam: TypeAlias = str
"""A model ID or alias, e.g. ``"claude-sonnet-4-5"``."""

AllowedCaller: TypeAlias = Literal[
    "direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"
]
"""Who may call a tool: the model (``direct``) or code execution (programmatic calling)."""


class CacheControlEphemeral(TypedDict, total=False):
    """A prompt-cache breakpoint: cache the prompt up to and including this item."""

    type: Required[Literal["ephemeral"]]
    ttl: Literal["5m", "1h"]
    """Cache lifetime; ``"5m"`` when omitted."""


CacheControlEphemeralParam: TypeAlias = CacheControlEphemeral
"""Alias of `CacheControlEphemeral` (the official SDK's name)."""


# --- citations -------------------------------------------------------------------------------


class CitationCharLocationParam(TypedDict, total=False):
    """A character-range citation, as echoed back on an assistant text block."""

    type: Required[Literal["char_location"]]
    cited_text: Required[str]
    document_index: Required[int]
    document_title: Required[str | None]
    start_char_index: Required[int]
    end_char_index: Required[int]


class CitationPageLocationParam(TypedDict, total=False):
    """A page-range citation, as echoed back on an assistant text block."""

    type: Required[Literal["page_location"]]
    cited_text: Required[str]
    document_index: Required[int]
    document_title: Required[str | None]
    start_page_number: Required[int]
    end_page_number: Required[int]


class CitationContentBlockLocationParam(TypedDict, total=False):
    """A content-block-range citation, as echoed back on an assistant text block."""

    type: Required[Literal["content_block_location"]]
    cited_text: Required[str]
    document_index: Required[int]
    document_title: Required[str | None]
    start_block_index: Required[int]
    end_block_index: Required[int]


class CitationWebSearchResultLocationParam(TypedDict, total=False):
    """A web search result citation, as echoed back on an assistant text block."""

    type: Required[Literal["web_search_result_location"]]
    cited_text: Required[str]
    url: Required[str]
    title: Required[str | None]
    encrypted_index: Required[str]


class CitationSearchResultLocationParam(TypedDict, total=False):
    """A search result citation, as echoed back on an assistant text block."""

    type: Required[Literal["search_result_location"]]
    cited_text: Required[str]
    search_result_index: Required[int]
    source: Required[str]
    title: Required[str | None]
    start_block_index: Required[int]
    end_block_index: Required[int]


TextCitationParam: TypeAlias = (
    CitationCharLocationParam
    | CitationPageLocationParam
    | CitationContentBlockLocationParam
    | CitationWebSearchResultLocationParam
    | CitationSearchResultLocationParam
)


class CitationsConfigParam(TypedDict, total=False):
    """Whether the model may cite a document or search result."""

    enabled: bool


# --- text and images -------------------------------------------------------------------------


class TextBlockParam(TypedDict, total=False):
    """A text block."""

    type: Required[Literal["text"]]
    text: Required[str]
    cache_control: CacheControlEphemeral | None
    citations: Iterable[TextCitationParam] | None
    """Citations; only on assistant text blocks echoed back (API version 2026-10-21)."""


class Base64ImageSource(TypedDict, total=False):
    """An image given inline as base64 data."""

    type: Required[Literal["base64"]]
    media_type: Required[Literal["image/jpeg", "image/png", "image/gif", "image/webp"]]
    data: Required[str]


class URLImageSource(TypedDict, total=False):
    """An image fetched by the API from a URL."""

    type: Required[Literal["url"]]
    url: Required[str]


class FileImageSource(TypedDict, total=False):
    """An image uploaded with the Files API."""

    type: Required[Literal["file"]]
    file_id: Required[str]


ImageSource: TypeAlias = Base64ImageSource | URLImageSource | FileImageSource


class ImageTransformationsParam(TypedDict, total=False):
    """What the API does with an image larger than the model accepts."""

    oversized_image: Literal["downsize", "error"]


class ImageBlockParam(TypedDict, total=False):
    """An image block."""

    type: Required[Literal["image"]]
    source: Required[ImageSource]
    cache_control: CacheControlEphemeral | None
    transformations: ImageTransformationsParam | None


# --- documents and search results ------------------------------------------------------------


class Base64PDFSource(TypedDict, total=False):
    """A PDF given inline as base64 data."""

    type: Required[Literal["base64"]]
    media_type: Required[Literal["application/pdf"]]
    data: Required[str]


class URLPDFSource(TypedDict, total=False):
    """A PDF fetched by the API from a URL."""

    type: Required[Literal["url"]]
    url: Required[str]


class PlainTextSource(TypedDict, total=False):
    """A plain-text document."""

    type: Required[Literal["text"]]
    media_type: Required[Literal["text/plain"]]
    data: Required[str]


ContentBlockSourceContentParam: TypeAlias = TextBlockParam | ImageBlockParam


class ContentBlockSource(TypedDict, total=False):
    """A document made of custom content blocks (cited by block index)."""

    type: Required[Literal["content"]]
    content: Required[str | Iterable[ContentBlockSourceContentParam]]


class FileDocumentSource(TypedDict, total=False):
    """A document uploaded with the Files API."""

    type: Required[Literal["file"]]
    file_id: Required[str]


DocumentSource: TypeAlias = (
    Base64PDFSource | PlainTextSource | ContentBlockSource | URLPDFSource | FileDocumentSource
)


class DocumentBlockParam(TypedDict, total=False):
    """A document block (PDF, plain text or custom content)."""

    type: Required[Literal["document"]]
    source: Required[DocumentSource]
    title: str | None
    context: str | None
    """Context about the document for the model; it is not cited."""
    citations: CitationsConfigParam | None
    cache_control: CacheControlEphemeral | None


class SearchResultBlockParam(TypedDict, total=False):
    """A search result the model can cite, e.g. returned by a client-side search tool."""

    type: Required[Literal["search_result"]]
    source: Required[str]
    """Where the result comes from, e.g. a URL."""
    title: Required[str]
    content: Required[Iterable[TextBlockParam]]
    citations: CitationsConfigParam
    cache_control: CacheControlEphemeral | None


# --- assistant blocks echoed back ------------------------------------------------------------


class ThinkingBlockParam(TypedDict, total=False):
    """A thinking block, echoed back unchanged."""

    type: Required[Literal["thinking"]]
    thinking: Required[str]
    signature: Required[str]


class RedactedThinkingBlockParam(TypedDict, total=False):
    """A redacted thinking block, echoed back unchanged."""

    type: Required[Literal["redacted_thinking"]]
    data: Required[str]


class DirectCallerParam(TypedDict, total=False):
    """The model called the tool directly."""

    type: Required[Literal["direct"]]


class ServerToolCallerParam(TypedDict, total=False):
    """A server tool called the tool on the model's behalf."""

    type: Required[str]
    tool_id: Required[str]


CallerParam: TypeAlias = DirectCallerParam | ServerToolCallerParam


class ToolUseBlockParam(TypedDict, total=False):
    """A client tool call, echoed back in the assistant turn."""

    type: Required[Literal["tool_use"]]
    id: Required[str]
    name: Required[str]
    input: Required[dict[str, Any]]
    caller: CallerParam
    toolset_name: str | None
    cache_control: CacheControlEphemeral | None


class ToolReferenceBlockParam(TypedDict, total=False):
    """A reference to a deferred tool, returned by a client-side tool search."""

    type: Required[Literal["tool_reference"]]
    tool_name: Required[str]
    cache_control: CacheControlEphemeral | None


ToolResultContentParam: TypeAlias = (
    TextBlockParam
    | ImageBlockParam
    | DocumentBlockParam
    | SearchResultBlockParam
    | ToolReferenceBlockParam
)


class ToolResultBlockParam(TypedDict, total=False):
    """The result of a client tool call, sent in the next user turn."""

    type: Required[Literal["tool_result"]]
    tool_use_id: Required[str]
    """ID of the ``tool_use`` block this answers."""
    content: str | Iterable[ToolResultContentParam]
    is_error: bool
    """Whether the tool failed; ``content`` then explains the failure to the model."""
    toolset_name: str | None
    cache_control: CacheControlEphemeral | None


class ServerToolUseBlockParam(TypedDict, total=False):
    """A server tool call, echoed back in the assistant turn."""

    type: Required[Literal["server_tool_use"]]
    id: Required[str]
    name: Required[str]
    input: Required[dict[str, Any]]
    caller: CallerParam
    cache_control: CacheControlEphemeral | None


class MCPToolUseBlockParam(TypedDict, total=False):
    """A call of a tool on an MCP server the API connected to, echoed back unchanged."""

    type: Required[Literal["mcp_tool_use"]]
    id: Required[str]
    name: Required[str]
    server_name: Required[str]
    input: Required[dict[str, Any]]
    cache_control: CacheControlEphemeral | None


class MCPToolResultBlockParam(TypedDict, total=False):
    """The result of an `mcp_tool_use` call, echoed back unchanged."""

    type: Required[Literal["mcp_tool_result"]]
    tool_use_id: Required[str]
    content: Required[Any]
    is_error: bool
    cache_control: CacheControlEphemeral | None


class MCPToolListingBlockParam(TypedDict, total=False):
    """An MCP server's tool listing, sent back so later requests reuse it."""

    type: Required[Literal["mcp_tool_listing"]]
    mcp_server_name: Required[str]
    tools: Required[list[Any]]


class WebSearchToolResultBlockParam(TypedDict, total=False):
    """A web search result block, echoed back unchanged."""

    type: Required[Literal["web_search_tool_result"]]
    tool_use_id: Required[str]
    content: Required[Any]
    caller: CallerParam
    cache_control: CacheControlEphemeral | None


class WebFetchToolResultBlockParam(TypedDict, total=False):
    """A web fetch result block, echoed back unchanged."""

    type: Required[Literal["web_fetch_tool_result"]]
    tool_use_id: Required[str]
    content: Required[Any]
    caller: CallerParam
    cache_control: CacheControlEphemeral | None


class CodeExecutionToolResultBlockParam(TypedDict, total=False):
    """A code execution result block, echoed back unchanged."""

    type: Required[Literal["code_execution_tool_result"]]
    tool_use_id: Required[str]
    content: Required[Any]
    caller: CallerParam
    cache_control: CacheControlEphemeral | None


class BashCodeExecutionToolResultBlockParam(TypedDict, total=False):
    """A bash code execution result block, echoed back unchanged."""

    type: Required[Literal["bash_code_execution_tool_result"]]
    tool_use_id: Required[str]
    content: Required[Any]
    caller: CallerParam
    cache_control: CacheControlEphemeral | None


class TextEditorCodeExecutionToolResultBlockParam(TypedDict, total=False):
    """A text editor code execution result block, echoed back unchanged."""

    type: Required[Literal["text_editor_code_execution_tool_result"]]
    tool_use_id: Required[str]
    content: Required[Any]
    caller: CallerParam
    cache_control: CacheControlEphemeral | None


class ToolSearchToolResultBlockParam(TypedDict, total=False):
    """A tool search result block, echoed back unchanged."""

    type: Required[Literal["tool_search_tool_result"]]
    tool_use_id: Required[str]
    content: Required[Any]
    caller: CallerParam
    cache_control: CacheControlEphemeral | None


class ContainerUploadBlockParam(TypedDict, total=False):
    """A file to make available in the code execution container."""

    type: Required[Literal["container_upload"]]
    file_id: Required[str]
    cache_control: CacheControlEphemeral | None


ContentBlockParam: TypeAlias = (
    TextBlockParam
    | ImageBlockParam
    | DocumentBlockParam
    | SearchResultBlockParam
    | ThinkingBlockParam
    | RedactedThinkingBlockParam
    | ToolUseBlockParam
    | ToolResultBlockParam
    | ServerToolUseBlockParam
    | WebSearchToolResultBlockParam
    | WebFetchToolResultBlockParam
    | CodeExecutionToolResultBlockParam
    | BashCodeExecutionToolResultBlockParam
    | TextEditorCodeExecutionToolResultBlockParam
    | ToolSearchToolResultBlockParam
    | ContainerUploadBlockParam
    | MCPToolUseBlockParam
    | MCPToolResultBlockParam
    | MCPToolListingBlockParam
)
"""Any content block of a request message."""


class MessageParam(TypedDict):
    """One conversation turn: a string or a list of content blocks."""

    role: Literal["user", "assistant"]
    content: str | Iterable[ContentBlockParam]
    """A string is the same as a single text block."""


# --- tools -----------------------------------------------------------------------------------

ToolInputSchema: TypeAlias = dict[str, Any]
"""A JSON Schema (2020-12) with ``"type": "object"``, describing a tool's input."""


class ToolParam(TypedDict, total=False):
    """A custom tool, run by the client."""

    name: Required[str]
    """Tool name, matching ``^[a-zA-Z0-9_-]{1,64}$``."""
    input_schema: Required[ToolInputSchema]
    description: str
    """What the tool does and when to use it."""
    type: Literal["custom"] | None
    strict: bool
    """Constrain the model's tool inputs to the schema exactly."""
    input_examples: Iterable[dict[str, Any]]
    cache_control: CacheControlEphemeral | None
    defer_loading: bool
    """Load the tool only when a tool search finds it."""
    eager_input_streaming: bool | None
    allowed_callers: list[AllowedCaller]


class UserLocationParam(TypedDict, total=False):
    """The approximate location of the user, to localize web search results."""

    type: Required[Literal["approximate"]]
    city: str | None
    region: str | None
    country: str | None
    timezone: str | None


class WebSearchToolParam(TypedDict, total=False):
    """The web search server tool."""

    type: Required[Literal["web_search_20250305", "web_search_20260209", "web_search_20260318"]]
    name: Required[Literal["web_search"]]
    max_uses: int | None
    allowed_domains: Sequence[str] | None
    blocked_domains: Sequence[str] | None
    user_location: UserLocationParam | None
    response_inclusion: Literal["full", "excluded"]
    cache_control: CacheControlEphemeral | None
    defer_loading: bool
    strict: bool
    allowed_callers: list[AllowedCaller]


class WebFetchToolParam(TypedDict, total=False):
    """The web fetch server tool."""

    type: Required[
        Literal[
            "web_fetch_20250910", "web_fetch_20260209", "web_fetch_20260309", "web_fetch_20260318"
        ]
    ]
    name: Required[Literal["web_fetch"]]
    max_uses: int | None
    allowed_domains: Sequence[str] | None
    blocked_domains: Sequence[str] | None
    citations: CitationsConfigParam | None
    max_content_tokens: int | None
    use_cache: bool
    response_inclusion: Literal["full", "excluded"]
    url_sources: Any
    cache_control: CacheControlEphemeral | None
    defer_loading: bool
    strict: bool
    allowed_callers: list[AllowedCaller]


class CodeExecutionToolParam(TypedDict, total=False):
    """The code execution server tool."""

    type: Required[
        Literal[
            "code_execution_20250522",
            "code_execution_20250825",
            "code_execution_20260120",
            "code_execution_20260521",
        ]
    ]
    name: Required[Literal["code_execution"]]
    cache_control: CacheControlEphemeral | None
    defer_loading: bool
    strict: bool
    allowed_callers: list[AllowedCaller]


class ToolSearchToolParam(TypedDict, total=False):
    """A tool search server tool (BM25 or regex)."""

    type: Required[
        Literal[
            "tool_search_tool_bm25_20251119",
            "tool_search_tool_bm25",
            "tool_search_tool_regex_20251119",
            "tool_search_tool_regex",
        ]
    ]
    name: Required[Literal["tool_search_tool_bm25", "tool_search_tool_regex"]]
    cache_control: CacheControlEphemeral | None
    defer_loading: bool
    strict: bool
    allowed_callers: list[AllowedCaller]


class BashToolParam(TypedDict, total=False):
    """The Anthropic-defined bash tool, run by the client."""

    type: Required[Literal["bash_20250124"]]
    name: Required[Literal["bash"]]
    input_examples: Iterable[dict[str, Any]]
    cache_control: CacheControlEphemeral | None
    defer_loading: bool
    strict: bool
    allowed_callers: list[AllowedCaller]


class TextEditorToolParam(TypedDict, total=False):
    """The Anthropic-defined text editor tool, run by the client."""

    type: Required[Literal["text_editor_20250124", "text_editor_20250429", "text_editor_20250728"]]
    name: Required[Literal["str_replace_editor", "str_replace_based_edit_tool"]]
    max_characters: int | None
    """Truncate viewed files to this many characters (``text_editor_20250728``)."""
    input_examples: Iterable[dict[str, Any]]
    cache_control: CacheControlEphemeral | None
    defer_loading: bool
    strict: bool
    allowed_callers: list[AllowedCaller]


class MemoryToolParam(TypedDict, total=False):
    """The Anthropic-defined memory tool, run by the client."""

    type: Required[Literal["memory_20250818"]]
    name: Required[Literal["memory"]]
    input_examples: Iterable[dict[str, Any]]
    cache_control: CacheControlEphemeral | None
    defer_loading: bool
    strict: bool
    allowed_callers: list[AllowedCaller]


class ToolsetParam(TypedDict, total=False):
    """A computer or browser toolset; its members come back as ``tool_use`` blocks."""

    type: Required[Literal["computer_toolset_20260801", "browser_toolset_20260801"]]
    configs: dict[str, Any] | None
    cache_control: CacheControlEphemeral | None


class MCPToolsetParam(TypedDict, total=False):
    """The tools of an MCP server named in `mcp_servers`, with their configuration."""

    type: Required[Literal["mcp_toolset"]]
    mcp_server_name: Required[str]
    default_config: dict[str, Any]
    configs: dict[str, Any]
    cache_control: CacheControlEphemeral | None


class MCPServerURLDefinitionParam(TypedDict, total=False):
    """A remote MCP server for the API to connect to (the MCP connector, `mcp_servers=`)."""

    type: Required[Literal["url"]]
    url: Required[str]
    name: Required[str]
    authorization_token: str | None
    tool_configuration: dict[str, Any] | None


ToolUnionParam: TypeAlias = (
    ToolParam
    | WebSearchToolParam
    | WebFetchToolParam
    | CodeExecutionToolParam
    | ToolSearchToolParam
    | BashToolParam
    | TextEditorToolParam
    | MemoryToolParam
    | ToolsetParam
    | MCPToolsetParam
)
"""Any entry of the ``tools`` parameter."""


class ToolChoiceAutoParam(TypedDict, total=False):
    """The model decides whether to call tools."""

    type: Required[Literal["auto"]]
    disable_parallel_tool_use: bool
    """Call at most one tool."""


class ToolChoiceAnyParam(TypedDict, total=False):
    """The model must call some tool."""

    type: Required[Literal["any"]]
    disable_parallel_tool_use: bool
    """Call exactly one tool."""


class ToolChoiceToolParam(TypedDict, total=False):
    """The model must call the named tool."""

    type: Required[Literal["tool"]]
    name: Required[str]
    disable_parallel_tool_use: bool
    """Call it exactly once."""


class ToolChoiceNoneParam(TypedDict, total=False):
    """The model must not call tools."""

    type: Required[Literal["none"]]


ToolChoiceParam: TypeAlias = (
    ToolChoiceAutoParam | ToolChoiceAnyParam | ToolChoiceToolParam | ToolChoiceNoneParam
)


# --- other top-level parameters --------------------------------------------------------------


class ThinkingConfigEnabledParam(TypedDict, total=False):
    """Extended thinking with a token budget."""

    type: Required[Literal["enabled"]]
    budget_tokens: Required[int]
    """At least 1024 and less than ``max_tokens``."""
    display: Literal["summarized", "omitted"] | None


class ThinkingConfigDisabledParam(TypedDict, total=False):
    """No extended thinking."""

    type: Required[Literal["disabled"]]


class ThinkingConfigAdaptiveParam(TypedDict, total=False):
    """The model decides when and how much to think."""

    type: Required[Literal["adaptive"]]
    display: Literal["summarized", "omitted"] | None


class ThinkingConfigBetweenToolsParam(TypedDict, total=False):
    """No thinking, but short progress notes between tool calls."""

    type: Required[Literal["between_tools"]]


ThinkingConfigParam: TypeAlias = (
    ThinkingConfigEnabledParam
    | ThinkingConfigDisabledParam
    | ThinkingConfigAdaptiveParam
    | ThinkingConfigBetweenToolsParam
)


class MetadataParam(TypedDict, total=False):
    """Metadata about the request."""

    user_id: str | None
    """An opaque ID of the end user (no personal data)."""


class JSONOutputFormatParam(TypedDict, total=False):
    """Structured output: the response text is JSON matching a schema."""

    type: Required[Literal["json_schema"]]
    schema: Required[dict[str, Any]]


class OutputConfigParam(TypedDict, total=False):
    """Output settings: effort and structured output format."""

    effort: Literal["low", "medium", "high", "xhigh", "max"] | None
    format: JSONOutputFormatParam | None


class SkillParam(TypedDict, total=False):
    """A skill to load into the code execution container."""

    type: Required[Literal["anthropic", "custom"]]
    skill_id: Required[str]
    version: str


class ContainerParam(TypedDict, total=False):
    """The code execution container to reuse and the skills to load into it."""

    id: str | None
    skills: Iterable[SkillParam] | None


class DiagnosticsParam(TypedDict, total=False):
    """Ask the API to explain prompt-cache misses relative to a previous message."""

    previous_message_id: str | None


# The official SDK's names for the sources (same types).
Base64ImageSourceParam = Base64ImageSource
URLImageSourceParam = URLImageSource
Base64PDFSourceParam = Base64PDFSource
URLPDFSourceParam = URLPDFSource
PlainTextSourceParam = PlainTextSource
