"""Content blocks of a response message (``Message.content``).

Every block type the API documents has its own model. A block whose ``type`` is unknown (for
example a beta-only block, or one added after this release) parses as `UnknownBlock`, which keeps
every field, so an assistant turn can always be echoed back to the API unchanged.

Server-tool result blocks keep their ``content`` as plain JSON data: it is either a result
object, a list of results, or an error object ``{"type": "<tool>_tool_result_error",
"error_code": ...}``.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Discriminator, PrivateAttr, Tag

from ._base import BaseModel

__all__ = [
    "KNOWN_CONTENT_BLOCK_TYPES",
    "BashCodeExecutionToolResultBlock",
    "Caller",
    "CitationCharLocation",
    "CitationContentBlockLocation",
    "CitationPageLocation",
    "CitationsSearchResultLocation",
    "CitationsWebSearchResultLocation",
    "CodeExecutionToolResultBlock",
    "ContainerUploadBlock",
    "ContentBlock",
    "DirectCaller",
    "MCPToolListingBlock",
    "MCPToolResultBlock",
    "MCPToolUseBlock",
    "RedactedThinkingBlock",
    "ServerToolCaller",
    "ServerToolUseBlock",
    "TextBlock",
    "TextCitation",
    "TextEditorCodeExecutionToolResultBlock",
    "ThinkingBlock",
    "ToolSearchToolResultBlock",
    "ToolUseBlock",
    "UnknownBlock",
    "UnknownCaller",
    "UnknownCitation",
    "WebFetchToolResultBlock",
    "WebSearchToolResultBlock",
]

_UNKNOWN = "unknown"


def _type_tagger(known: frozenset[str], unknown: type[BaseModel]) -> Callable[[Any], str]:
    """Build a discriminator that maps a ``type`` value to its tag, or to ``"unknown"``.

    Args:
        known: The ``type`` values that have their own model (each is also its tag).
        unknown: The fallback model; an instance of it is always tagged ``"unknown"``.

    Returns:
        A function usable with `pydantic.Discriminator`, for raw data and model instances.
    """

    def tag(value: Any) -> str:
        if isinstance(value, dict):
            kind = value.get("type")
        elif isinstance(value, unknown):
            return _UNKNOWN
        else:
            kind = getattr(value, "type", None)
        return kind if isinstance(kind, str) and kind in known else _UNKNOWN

    return tag


# --- citations -------------------------------------------------------------------------------


class CitationCharLocation(BaseModel):
    """A citation of a character range in a plain-text document."""

    type: Literal["char_location"]
    cited_text: str
    """The cited text, verbatim."""
    document_index: int
    """Index of the cited document among the request's documents."""
    document_title: str | None = None
    start_char_index: int
    end_char_index: int
    """Exclusive end of the cited range."""
    file_id: str | None = None


class CitationPageLocation(BaseModel):
    """A citation of a page range in a PDF document."""

    type: Literal["page_location"]
    cited_text: str
    document_index: int
    document_title: str | None = None
    start_page_number: int
    end_page_number: int
    """Exclusive end of the cited page range."""
    file_id: str | None = None


class CitationContentBlockLocation(BaseModel):
    """A citation of a range of blocks in a custom-content document."""

    type: Literal["content_block_location"]
    cited_text: str
    document_index: int
    document_title: str | None = None
    start_block_index: int
    end_block_index: int
    """Exclusive end of the cited block range."""
    file_id: str | None = None


class CitationsWebSearchResultLocation(BaseModel):
    """A citation of a web search result."""

    type: Literal["web_search_result_location"]
    cited_text: str
    url: str
    title: str | None = None
    encrypted_index: str
    """Opaque reference to the cited passage; send it back unchanged."""


class CitationsSearchResultLocation(BaseModel):
    """A citation of a range of blocks in a ``search_result`` block of the request."""

    type: Literal["search_result_location"]
    cited_text: str
    search_result_index: int
    """Index of the cited block among the request's ``search_result`` blocks."""
    source: str
    title: str | None = None
    start_block_index: int
    end_block_index: int
    """Exclusive end of the cited block range."""


class UnknownCitation(BaseModel):
    """A citation of a type this version of agentkit does not know; all fields are kept."""

    type: str


_CITATION_TYPES = frozenset(
    {
        "char_location",
        "page_location",
        "content_block_location",
        "web_search_result_location",
        "search_result_location",
    }
)

TextCitation: TypeAlias = Annotated[
    Annotated[CitationCharLocation, Tag("char_location")]
    | Annotated[CitationPageLocation, Tag("page_location")]
    | Annotated[CitationContentBlockLocation, Tag("content_block_location")]
    | Annotated[CitationsWebSearchResultLocation, Tag("web_search_result_location")]
    | Annotated[CitationsSearchResultLocation, Tag("search_result_location")]
    | Annotated[UnknownCitation, Tag(_UNKNOWN)],
    Discriminator(_type_tagger(_CITATION_TYPES, UnknownCitation)),
]
"""A citation in `TextBlock.citations`, chosen by its ``type``."""


# --- callers ---------------------------------------------------------------------------------


class DirectCaller(BaseModel):
    """The model called the tool directly."""

    type: Literal["direct"]


class ServerToolCaller(BaseModel):
    """A server tool (code execution) called the tool on the model's behalf."""

    type: str
    """The calling server tool's type, e.g. ``"code_execution_20260120"``."""
    tool_id: str
    """ID of the ``server_tool_use`` block that made the call."""


class UnknownCaller(BaseModel):
    """A caller of a kind this version of agentkit does not know; all fields are kept."""

    type: str


def _caller_tag(value: Any) -> str:
    """Tag a caller: ``direct``, ``server`` (it has a ``tool_id``) or ``unknown``."""
    if isinstance(value, dict):
        if value.get("type") == "direct":
            return "direct"
        return "server" if "tool_id" in value else _UNKNOWN
    if isinstance(value, DirectCaller):
        return "direct"
    return "server" if isinstance(value, ServerToolCaller) else _UNKNOWN


Caller: TypeAlias = Annotated[
    Annotated[DirectCaller, Tag("direct")]
    | Annotated[ServerToolCaller, Tag("server")]
    | Annotated[UnknownCaller, Tag(_UNKNOWN)],
    Discriminator(_caller_tag),
]
"""Who issued a tool call: the model itself or a server tool."""


# --- content blocks --------------------------------------------------------------------------


class TextBlock(BaseModel):
    """Text written by the model."""

    type: Literal["text"]
    text: str
    citations: list[TextCitation] | None = None
    """Sources supporting the text, when citations were enabled."""


class ThinkingBlock(BaseModel):
    """The model's (possibly summarized) reasoning."""

    type: Literal["thinking"]
    thinking: str
    signature: str
    """Opaque signature; the block must be sent back unchanged."""


class RedactedThinkingBlock(BaseModel):
    """Reasoning returned encrypted; send it back unchanged."""

    type: Literal["redacted_thinking"]
    data: str
    """Opaque encrypted reasoning."""


class ToolUseBlock(BaseModel):
    """A call of a client tool, to be answered with a ``tool_result`` block."""

    type: Literal["tool_use"]
    id: str
    """Tool call ID (``toolu_...``); the matching ``tool_result`` must carry it."""
    name: str
    """Name of the tool to run."""
    input: dict[str, Any]
    """Arguments for the tool, matching its input schema."""
    caller: Caller | None = None
    """Who issued the call; absent or ``direct`` unless programmatic tool calling is used."""
    toolset_name: str | None = None
    """For a member of a toolset (e.g. ``"computer"``), the toolset it belongs to."""

    _input_error: str | None = PrivateAttr(default=None)
    _raw_input_json: str | None = PrivateAttr(default=None)

    @property
    def input_error(self) -> str | None:
        """Why a streamed input is unusable (invalid or cut-off JSON); None when it is fine.

        Such a block keeps `input == {}` (so the turn can still be sent back) and its text in
        `raw_input_json`; the agent loop answers it with an `is_error` tool result.
        """
        return self._input_error

    @property
    def raw_input_json(self) -> str | None:
        """The streamed input text, kept when it could not be parsed."""
        return self._raw_input_json


class ServerToolUseBlock(BaseModel):
    """A call of a server tool; the API runs it and returns the result block itself."""

    type: Literal["server_tool_use"]
    id: str
    """Server tool call ID (``srvtoolu_...``)."""
    name: str
    """Server tool name, e.g. ``"web_search"`` or ``"code_execution"``."""
    input: dict[str, Any]
    caller: Caller | None = None


class WebSearchToolResultBlock(BaseModel):
    """The result of a ``web_search`` server tool call."""

    type: Literal["web_search_tool_result"]
    tool_use_id: str
    content: Any
    """A list of ``web_search_result`` objects, or an error object."""
    caller: Caller | None = None


class WebFetchToolResultBlock(BaseModel):
    """The result of a ``web_fetch`` server tool call."""

    type: Literal["web_fetch_tool_result"]
    tool_use_id: str
    content: Any
    """A ``web_fetch_result`` object (url, fetched document), or an error object."""
    caller: Caller | None = None


class CodeExecutionToolResultBlock(BaseModel):
    """The result of a ``code_execution`` server tool call."""

    type: Literal["code_execution_tool_result"]
    tool_use_id: str
    content: Any
    """A (possibly encrypted) ``code_execution_result`` object, or an error object."""
    caller: Caller | None = None


class BashCodeExecutionToolResultBlock(BaseModel):
    """The result of a ``bash_code_execution`` server tool call."""

    type: Literal["bash_code_execution_tool_result"]
    tool_use_id: str
    content: Any
    """A ``bash_code_execution_result`` object, or an error object."""
    caller: Caller | None = None


class TextEditorCodeExecutionToolResultBlock(BaseModel):
    """The result of a ``text_editor_code_execution`` server tool call."""

    type: Literal["text_editor_code_execution_tool_result"]
    tool_use_id: str
    content: Any
    """A view, create or str_replace result object, or an error object."""
    caller: Caller | None = None


class ToolSearchToolResultBlock(BaseModel):
    """The result of a tool search server tool call."""

    type: Literal["tool_search_tool_result"]
    tool_use_id: str
    content: Any
    """A ``tool_search_tool_search_result`` object with tool references, or an error object."""
    caller: Caller | None = None


class ContainerUploadBlock(BaseModel):
    """A file the code execution container made available."""

    type: Literal["container_upload"]
    file_id: str


class MCPToolUseBlock(BaseModel):
    """A call of a tool on an MCP server the API connected to (`mcp_servers`); run by the API."""

    type: Literal["mcp_tool_use"]
    id: str
    name: str
    """The tool's name on its server."""
    server_name: str
    """The `name` of the server in `mcp_servers`."""
    input: dict[str, Any]


class MCPToolResultBlock(BaseModel):
    """The result of an `mcp_tool_use` call, from the MCP server via the API."""

    type: Literal["mcp_tool_result"]
    tool_use_id: str
    is_error: bool = False
    content: Any
    """Text blocks, or a string."""


class MCPToolListingBlock(BaseModel):
    """The tools of an MCP server, as the API listed them; send it back unchanged."""

    type: Literal["mcp_tool_listing"]
    mcp_server_name: str
    tools: list[Any]


class UnknownBlock(BaseModel):
    """A content block of a type this version of agentkit does not know.

    Every field the API sent is kept as an extra field, so the block round-trips unchanged.
    """

    type: str


KNOWN_CONTENT_BLOCK_TYPES: frozenset[str] = frozenset(
    {
        "text",
        "thinking",
        "redacted_thinking",
        "tool_use",
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "container_upload",
        "mcp_tool_use",
        "mcp_tool_result",
        "mcp_tool_listing",
    }
)
"""The content block ``type`` values that have their own model."""

ContentBlock: TypeAlias = Annotated[
    Annotated[TextBlock, Tag("text")]
    | Annotated[ThinkingBlock, Tag("thinking")]
    | Annotated[RedactedThinkingBlock, Tag("redacted_thinking")]
    | Annotated[ToolUseBlock, Tag("tool_use")]
    | Annotated[ServerToolUseBlock, Tag("server_tool_use")]
    | Annotated[WebSearchToolResultBlock, Tag("web_search_tool_result")]
    | Annotated[WebFetchToolResultBlock, Tag("web_fetch_tool_result")]
    | Annotated[CodeExecutionToolResultBlock, Tag("code_execution_tool_result")]
    | Annotated[BashCodeExecutionToolResultBlock, Tag("bash_code_execution_tool_result")]
    | Annotated[
        TextEditorCodeExecutionToolResultBlock, Tag("text_editor_code_execution_tool_result")
    ]
    | Annotated[ToolSearchToolResultBlock, Tag("tool_search_tool_result")]
    | Annotated[ContainerUploadBlock, Tag("container_upload")]
    | Annotated[MCPToolUseBlock, Tag("mcp_tool_use")]
    | Annotated[MCPToolResultBlock, Tag("mcp_tool_result")]
    | Annotated[MCPToolListingBlock, Tag("mcp_tool_listing")]
    | Annotated[UnknownBlock, Tag(_UNKNOWN)],
    Discriminator(_type_tagger(KNOWN_CONTENT_BLOCK_TYPES, UnknownBlock)),
]
"""A response content block, chosen by its ``type``; unknown types become `UnknownBlock`."""
