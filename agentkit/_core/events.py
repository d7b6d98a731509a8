"""The events a message stream yields besides the raw ones (PROTOCOL §6.3); no I/O.

A typed event per delta (`TextEvent`, `ThinkingEvent`, `InputJsonEvent`, `SignatureEvent`,
`CitationEvent`), whose `snapshot` is computed on access, never eagerly at every delta, and the
finished block / message (`ContentBlockStopEvent`, `MessageStopEvent`). `MessageAccumulator`
(`accumulate.py`) builds them. They are plain classes that need no response model to be
defined, so `agentkit.agent` can name them without loading the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .partial_json import parse_partial_json

if TYPE_CHECKING:
    from ..types.content import ContentBlock
    from ..types.message import Message

__all__ = [
    "Block",
    "CitationEvent",
    "ContentBlockStopEvent",
    "InputJsonEvent",
    "MessageStopEvent",
    "SignatureEvent",
    "TextEvent",
    "ThinkingEvent",
]


@dataclass(slots=True)
class Block:
    """One content block while it streams."""

    start: ContentBlock
    chunks: list[str] = field(default_factory=list)
    size: int = 0
    """Characters in `chunks` (an event's snapshot is the first `size` characters then)."""
    signature: str | None = None
    citations: list[Any] | None = None
    final: ContentBlock | None = None

    def add(self, piece: str) -> int:
        """Append a piece; return the block's length in characters with it."""
        self.chunks.append(piece)
        self.size += len(piece)
        return self.size

    def joined(self, upto: int | None = None) -> str:
        """The text so far (its first `upto` characters if given); collapses the chunks."""
        if len(self.chunks) > 1:
            self.chunks[:] = ["".join(self.chunks)]  # later joins start from one piece
        text = self.chunks[0] if self.chunks else ""
        return text if upto is None or upto >= len(text) else text[:upto]


class _DeltaEvent:
    """A delta event whose `snapshot` is computed on access, never eagerly.

    Built by the accumulator with the block it belongs to; built by hand (e.g. an expected
    event in a test) with an explicit `snapshot`. Equal when piece and snapshot are equal.
    """

    __slots__ = ("_block", "_given", "_piece", "_upto")

    def __init__(
        self,
        piece: str,
        snapshot: Any = None,
        *,
        block: Block | None = None,
        upto: int = 0,
    ) -> None:
        self._piece = piece
        self._given = snapshot
        self._block = block
        self._upto = upto

    def _text_so_far(self) -> str:
        return "" if self._block is None else self._block.joined(self._upto)

    @property
    def snapshot(self) -> Any:
        """The block so far, up to and including this piece."""
        if self._block is None:
            return self._given
        return self._text_so_far()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _DeltaEvent)
        return self._piece == other._piece and self.snapshot == other.snapshot

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._piece!r})"


class TextEvent(_DeltaEvent):
    """Text arrived for a text block: `text` is the new piece, `snapshot` the block so far."""

    __slots__ = ()
    __match_args__ = ("text", "snapshot")
    type: Literal["text"] = "text"

    def __init__(
        self,
        text: str,
        snapshot: Any = None,
        *,
        block: Block | None = None,
        upto: int = 0,
    ) -> None:
        super().__init__(text, snapshot, block=block, upto=upto)

    @property
    def text(self) -> str:
        """The new piece of text."""
        return self._piece


class ThinkingEvent(_DeltaEvent):
    """Thinking text arrived: `thinking` is the new piece, `snapshot` the block so far."""

    __slots__ = ()
    __match_args__ = ("thinking", "snapshot")
    type: Literal["thinking"] = "thinking"

    def __init__(
        self,
        thinking: str,
        snapshot: Any = None,
        *,
        block: Block | None = None,
        upto: int = 0,
    ) -> None:
        super().__init__(thinking, snapshot, block=block, upto=upto)

    @property
    def thinking(self) -> str:
        """The new piece of thinking."""
        return self._piece


class InputJsonEvent(_DeltaEvent):
    """A piece of a tool call's input JSON arrived.

    `partial_json` is the new piece; `snapshot` parses everything so far into a best-effort
    object, on access only ({} before any).
    """

    __slots__ = ()
    __match_args__ = ("partial_json", "snapshot")
    type: Literal["input_json"] = "input_json"

    def __init__(
        self,
        partial_json: str,
        snapshot: Any = None,
        *,
        block: Block | None = None,
        upto: int = 0,
    ) -> None:
        super().__init__(partial_json, snapshot, block=block, upto=upto)

    @property
    def partial_json(self) -> str:
        """The new piece of JSON."""
        return self._piece

    @property
    def snapshot(self) -> Any:
        """The input as parsed so far (open strings and containers closed)."""
        if self._block is None:
            return self._given
        value = parse_partial_json(self._text_so_far())
        return {} if value is None else value


@dataclass(slots=True)
class SignatureEvent:
    """A thinking block's signature arrived (just before the block stops)."""

    signature: str
    type: Literal["signature"] = "signature"


@dataclass(slots=True)
class CitationEvent:
    """A citation was added to a text block; `snapshot` is the block's citations so far."""

    citation: Any
    snapshot: list[Any]
    type: Literal["citation"] = "citation"


@dataclass(slots=True)
class ContentBlockStopEvent:
    """A content block finished; `content_block` is the complete block."""

    index: int
    content_block: ContentBlock
    type: Literal["content_block_stop"] = "content_block_stop"


@dataclass(slots=True)
class MessageStopEvent:
    """The message finished; `message` is the complete `Message`."""

    message: Message
    type: Literal["message_stop"] = "message_stop"
