"""The keyword parameters of `messages.create`, `count_tokens` and the list calls, as `TypedDict`s.

One definition serves the sync and async clients (`**params: Unpack[...]`), the agent's
`**create_params`, and runtime checks for misspelt parameters.
"""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from typing_extensions import Required, TypedDict

from .._types import Body, Headers, NotGiven, Query

if TYPE_CHECKING:
    import httpx

from .params import (
    CacheControlEphemeral,
    ContainerParam,
    DiagnosticsParam,
    MCPServerURLDefinitionParam,
    MessageParam,
    MetadataParam,
    OutputConfigParam,
    TextBlockParam,
    ThinkingConfigParam,
    ToolChoiceParam,
    ToolUnionParam,
)

__all__ = [
    "ListParams",
    "MessageCountTokensParams",
    "MessageCreateParams",
    "MessageCreateParamsNonStreaming",
    "MessageCreateParamsStreaming",
    "RequestOptions",
]


class RequestOptions(TypedDict, total=False):
    """Per-call options accepted by every API method."""

    extra_headers: Headers | None
    """Headers added to (or, with `NOT_GIVEN` values, removed from) this request."""
    extra_query: Query | None
    """Query-string parameters added to this request."""
    extra_body: Body | None
    """JSON fields merged over the body; for parameters agentkit does not know yet."""
    timeout: "float | httpx.Timeout | NotGiven | None"
    """This request's timeout in seconds (or an `httpx.Timeout`); `None` for no limit."""


class ListParams(RequestOptions, total=False):
    """Parameters of the list calls (`messages.batches.list`, `models.list`)."""

    limit: int | NotGiven
    """The page size, 1-1000 (the API's default: 20)."""
    after_id: str | NotGiven
    """Start after this id (the next page)."""
    before_id: str | NotGiven
    """Start before this id (paging backwards)."""


class MessageCountTokensParams(RequestOptions, total=False):
    """Parameters of `messages.count_tokens` (PROTOCOL §8.1)."""

    model: Required[str]
    """The model id, e.g. `"claude-sonnet-4-5"`."""
    messages: Required[Iterable[MessageParam]]
    """The conversation, starting with a user turn."""
    system: str | Iterable[TextBlockParam] | NotGiven
    """The system prompt, as text or text blocks."""
    tools: Iterable[ToolUnionParam] | NotGiven
    """Tools the model may call."""
    tool_choice: ToolChoiceParam | NotGiven
    """How the model should use the tools."""
    thinking: ThinkingConfigParam | NotGiven
    """Extended thinking configuration."""
    output_config: OutputConfigParam | NotGiven
    """Effort and structured-output format."""
    cache_control: CacheControlEphemeral | NotGiven | None
    """A top-level cache breakpoint on the last cacheable block."""
    speed: Literal["standard", "fast"] | NotGiven | None
    """Inference speed mode."""
    user_profile_id: str | NotGiven
    """Act for a user profile (sent as the `anthropic-user-profile-id` header)."""
    workspace_id: str | NotGiven
    """Workspace for multi-workspace credentials (sent as `anthropic-workspace-id`)."""


class MessageCreateParams(MessageCountTokensParams, total=False):
    """Parameters of `messages.create` other than `stream` (PROTOCOL §2.1)."""

    max_tokens: Required[int]
    """The most tokens to generate; a positive integer."""
    metadata: MetadataParam | NotGiven
    """Request metadata, e.g. an opaque `user_id`."""
    stop_sequences: Sequence[str] | NotGiven
    """Strings that stop generation when produced."""
    temperature: float | NotGiven
    """Sampling temperature (API version 2023-06-01 only)."""
    top_p: float | NotGiven
    """Nucleus sampling (API version 2023-06-01 only)."""
    top_k: int | NotGiven
    """Top-k sampling (API version 2023-06-01 only)."""
    service_tier: Literal["auto", "standard_only"] | NotGiven
    """Use priority capacity when available (`auto`) or never (`standard_only`)."""
    container: str | ContainerParam | NotGiven | None
    """A code-execution container id (or spec) to reuse."""
    diagnostics: DiagnosticsParam | NotGiven | None
    """Ask for prompt-cache diagnostics against an earlier message."""
    inference_geo: str | NotGiven | None
    """Where inference may run, e.g. `"global"` or `"us"`."""
    mcp_servers: Iterable[MCPServerURLDefinitionParam] | NotGiven
    """Remote MCP servers for the API to call (the MCP connector; adds its beta header)."""


class MessageCreateParamsNonStreaming(MessageCreateParams, total=False):
    """`messages.create` parameters for a single JSON response."""

    stream: Literal[False] | NotGiven
    """Leave unset (or False) for a complete `Message`."""


class MessageCreateParamsStreaming(MessageCreateParams, total=False):
    """`messages.create` parameters for a server-sent event stream."""

    stream: Required[Literal[True]]
    """True: the response is a stream of events."""
