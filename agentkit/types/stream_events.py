"""Raw server-sent events of a streamed ``POST /v1/messages`` response.

Each SSE ``data:`` payload parses as a `RawMessageStreamEvent`. Events and deltas of unknown
types parse as `UnknownEvent` and `UnknownDelta` (all fields kept), so a stream from a newer API
version never fails to parse; the protocol says to ignore them.
"""

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Discriminator, Tag

from ._base import BaseModel
from .content import ContentBlock, TextCitation, _type_tagger
from .message import (
    Container,
    Message,
    OutputTokensDetails,
    ServerToolUsage,
    StopDetails,
    StopReason,
)

__all__ = [
    "KNOWN_DELTA_TYPES",
    "KNOWN_EVENT_TYPES",
    "CitationsDelta",
    "ErrorEvent",
    "ErrorObject",
    "InputJSONDelta",
    "MessageDelta",
    "MessageDeltaUsage",
    "PingEvent",
    "RawContentBlockDelta",
    "RawContentBlockDeltaEvent",
    "RawContentBlockStartEvent",
    "RawContentBlockStopEvent",
    "RawMessageDeltaEvent",
    "RawMessageStartEvent",
    "RawMessageStopEvent",
    "RawMessageStreamEvent",
    "SignatureDelta",
    "TextDelta",
    "ThinkingDelta",
    "UnknownDelta",
    "UnknownEvent",
]

# --- deltas ----------------------------------------------------------------------------------


class TextDelta(BaseModel):
    """Text to append to a ``text`` block."""

    type: Literal["text_delta"]
    text: str


class InputJSONDelta(BaseModel):
    """A chunk of a tool call's JSON input; the chunks joined form the whole input."""

    type: Literal["input_json_delta"]
    partial_json: str
    """A fragment of JSON text; not valid JSON on its own."""


class ThinkingDelta(BaseModel):
    """Reasoning text to append to a ``thinking`` block."""

    type: Literal["thinking_delta"]
    thinking: str


class SignatureDelta(BaseModel):
    """The signature of a ``thinking`` block (replaces, not appends)."""

    type: Literal["signature_delta"]
    signature: str


class CitationsDelta(BaseModel):
    """A citation to append to a ``text`` block's citations."""

    type: Literal["citations_delta"]
    citation: TextCitation


class UnknownDelta(BaseModel):
    """A delta of a type this version of agentkit does not know; all fields are kept."""

    type: str


KNOWN_DELTA_TYPES: frozenset[str] = frozenset(
    {"text_delta", "input_json_delta", "thinking_delta", "signature_delta", "citations_delta"}
)
"""The delta ``type`` values that have their own model."""

RawContentBlockDelta: TypeAlias = Annotated[
    Annotated[TextDelta, Tag("text_delta")]
    | Annotated[InputJSONDelta, Tag("input_json_delta")]
    | Annotated[ThinkingDelta, Tag("thinking_delta")]
    | Annotated[SignatureDelta, Tag("signature_delta")]
    | Annotated[CitationsDelta, Tag("citations_delta")]
    | Annotated[UnknownDelta, Tag("unknown")],
    Discriminator(_type_tagger(KNOWN_DELTA_TYPES, UnknownDelta)),
]
"""The delta of a ``content_block_delta`` event, chosen by its ``type``."""


# --- events ----------------------------------------------------------------------------------


class RawMessageStartEvent(BaseModel):
    """The first event: the message with empty content and no stop reason yet."""

    type: Literal["message_start"]
    message: Message


class RawContentBlockStartEvent(BaseModel):
    """A new content block starts at ``index``."""

    type: Literal["content_block_start"]
    index: int
    """Position of the block in the final ``Message.content``."""
    content_block: ContentBlock
    """The block's initial state: empty for text, thinking and tool calls; complete otherwise."""


class RawContentBlockDeltaEvent(BaseModel):
    """An increment of the content block at ``index``."""

    type: Literal["content_block_delta"]
    index: int
    delta: RawContentBlockDelta


class RawContentBlockStopEvent(BaseModel):
    """The content block at ``index`` is complete."""

    type: Literal["content_block_stop"]
    index: int


class MessageDeltaUsage(BaseModel):
    """Cumulative usage counts sent with a ``message_delta`` event (totals, not increments)."""

    output_tokens: int
    input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    server_tool_use: ServerToolUsage | None = None
    output_tokens_details: OutputTokensDetails | None = None


class MessageDelta(BaseModel):
    """Top-level message fields set near the end of the stream."""

    stop_reason: StopReason | str | None = None
    stop_sequence: str | None = None
    stop_details: StopDetails | None = None
    container: Container | None = None


class RawMessageDeltaEvent(BaseModel):
    """The stop reason and the usage so far."""

    type: Literal["message_delta"]
    delta: MessageDelta
    usage: MessageDeltaUsage


class RawMessageStopEvent(BaseModel):
    """The last event of a complete stream."""

    type: Literal["message_stop"]


class PingEvent(BaseModel):
    """A keep-alive event; carries nothing."""

    type: Literal["ping"]


class ErrorObject(BaseModel):
    """The error carried by an error event or an error response body."""

    type: str
    """Error type, e.g. ``"overloaded_error"``."""
    message: str
    details: Any | None = None


class ErrorEvent(BaseModel):
    """An error after the stream started; the stream ends without ``message_stop``."""

    type: Literal["error"]
    error: ErrorObject
    request_id: str | None = None


class UnknownEvent(BaseModel):
    """An event of a type this version of agentkit does not know; all fields are kept."""

    type: str


KNOWN_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
        "error",
    }
)
"""The event ``type`` values that have their own model."""

RawMessageStreamEvent: TypeAlias = Annotated[
    Annotated[RawMessageStartEvent, Tag("message_start")]
    | Annotated[RawContentBlockStartEvent, Tag("content_block_start")]
    | Annotated[RawContentBlockDeltaEvent, Tag("content_block_delta")]
    | Annotated[RawContentBlockStopEvent, Tag("content_block_stop")]
    | Annotated[RawMessageDeltaEvent, Tag("message_delta")]
    | Annotated[RawMessageStopEvent, Tag("message_stop")]
    | Annotated[PingEvent, Tag("ping")]
    | Annotated[ErrorEvent, Tag("error")]
    | Annotated[UnknownEvent, Tag("unknown")],
    Discriminator(_type_tagger(KNOWN_EVENT_TYPES, UnknownEvent)),
]
"""One parsed SSE ``data:`` payload, chosen by its ``type``."""
