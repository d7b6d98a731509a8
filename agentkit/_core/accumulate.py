"""Stream events folded into a `Message` snapshot, in linear time (PROTOCOL §6.3); no I/O.

Text and thinking arrive as lists of chunks joined only when asked for; a tool's input JSON is
buffered and parsed once, when its block stops. `MessageAccumulator.process` also returns the
higher-level events the stream helpers yield (`TextEvent`, `InputJsonEvent`, ...; defined in
`events.py`), whose `snapshot` is computed on access, never eagerly at every delta.
"""

from __future__ import annotations

import json
from typing import Any, TypeAlias

from .._exceptions import StreamProtocolError
from ..types.content import ContentBlock, TextBlock, ThinkingBlock, ToolUseBlock
from ..types.message import Message
from ..types.stream_events import (
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    RawMessageStreamEvent,
    UnknownEvent,
)
from .events import (
    Block,
    CitationEvent,
    ContentBlockStopEvent,
    InputJsonEvent,
    MessageStopEvent,
    SignatureEvent,
    TextEvent,
    ThinkingEvent,
)
from .partial_json import parse_partial_json

__all__ = [
    "CitationEvent",
    "ContentBlockStopEvent",
    "InputJsonEvent",
    "MessageAccumulator",
    "MessageStopEvent",
    "MessageStreamEvent",
    "SignatureEvent",
    "StreamProtocolError",
    "TextEvent",
    "ThinkingEvent",
]

_JSON_INPUT_BLOCKS = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})
"""Blocks whose `input` streams as `input_json_delta` chunks."""


MessageStreamEvent: TypeAlias = (
    TextEvent
    | ThinkingEvent
    | InputJsonEvent
    | SignatureEvent
    | CitationEvent
    | ContentBlockStopEvent
    | MessageStopEvent
    | RawMessageStartEvent
    | RawMessageDeltaEvent
    | RawContentBlockStartEvent
    | RawContentBlockDeltaEvent
    | UnknownEvent
)
"""What iterating a `MessageStream` yields: the raw events, with `content_block_stop` and
`message_stop` enriched with the finished block / message, plus a typed event per delta."""


class MessageAccumulator:
    """Folds raw stream events into a `Message`; linear in the size of the stream."""

    def __init__(self) -> None:
        self._message: Message | None = None
        self._blocks: list[Block] = []
        self._final: Message | None = None
        self._snapshot: Message | None = None
        self.content_deltas = 0
        """Content deltas applied so far (text, JSON, thinking, signature, citation)."""

    @property
    def started(self) -> bool:
        """Whether `message_start` arrived."""
        return self._message is not None

    @property
    def done(self) -> bool:
        """Whether `message_stop` arrived (the message is complete)."""
        return self._final is not None

    def process(self, event: RawMessageStreamEvent) -> list[MessageStreamEvent]:
        """Apply one raw event; return the events a `MessageStream` yields for it."""
        self._snapshot = None
        kind = event.type
        if self._message is None and kind != "message_start":
            # before message_start: nothing to apply to; only unknown events are passed on
            return [event] if isinstance(event, UnknownEvent) else []
        if kind == "content_block_delta":
            assert isinstance(event, RawContentBlockDeltaEvent)
            return self._delta(event)
        if kind == "message_start":
            assert isinstance(event, RawMessageStartEvent)
            self._message = event.message.model_copy(deep=True)
            self._blocks = []
            return [event]
        if kind == "content_block_start":
            assert isinstance(event, RawContentBlockStartEvent)
            self._start_block(event)
            return [event]
        if kind == "content_block_stop":
            block = self._block(event.index)  # type: ignore[union-attr]
            return [ContentBlockStopEvent(event.index, self._finish_block(block))]  # type: ignore[union-attr]
        if kind == "message_delta":
            assert isinstance(event, RawMessageDeltaEvent)
            self._message_delta(event)
            return [event]
        if kind == "message_stop":
            return [MessageStopEvent(self._finish_message())]
        if kind == "ping":
            return []
        assert isinstance(event, UnknownEvent)  # an "error" event is raised by the driver
        return [event]

    def _require_message(self) -> Message:
        if self._message is None:
            raise StreamProtocolError("a content event arrived before message_start")
        return self._message

    def _block(self, index: int) -> Block:
        if not 0 <= index < len(self._blocks):
            raise StreamProtocolError(
                f"event for content block {index}, but {len(self._blocks)} block(s) started"
            )
        return self._blocks[index]

    def _start_block(self, event: RawContentBlockStartEvent) -> None:
        self._require_message()
        if event.index != len(self._blocks):
            raise StreamProtocolError(
                f"content_block_start index {event.index}, expected {len(self._blocks)}"
            )
        block = Block(event.content_block)
        start = event.content_block
        if isinstance(start, TextBlock):
            if start.text:
                block.add(start.text)
            if start.citations is not None:
                block.citations = list(start.citations)
        elif isinstance(start, ThinkingBlock):
            if start.thinking:
                block.add(start.thinking)
            block.signature = start.signature
        self._blocks.append(block)

    def _delta(self, event: RawContentBlockDeltaEvent) -> list[MessageStreamEvent]:
        block = self._block(event.index)
        delta = event.delta
        kind = delta.type
        self.content_deltas += 1
        if kind == "text_delta":
            size = block.add(delta.text)  # type: ignore[union-attr]
            return [event, TextEvent(delta.text, block=block, upto=size)]  # type: ignore[union-attr]
        if kind == "input_json_delta":
            piece = delta.partial_json  # type: ignore[union-attr]
            return [event, InputJsonEvent(piece, block=block, upto=block.add(piece))]
        if kind == "thinking_delta":
            piece = delta.thinking  # type: ignore[union-attr]
            return [event, ThinkingEvent(piece, block=block, upto=block.add(piece))]
        if kind == "signature_delta":
            block.signature = delta.signature  # type: ignore[union-attr]
            return [event, SignatureEvent(delta.signature)]  # type: ignore[union-attr]
        if kind == "citations_delta":
            if block.citations is None:
                block.citations = []
            block.citations.append(delta.citation)  # type: ignore[union-attr]
            return [event, CitationEvent(delta.citation, list(block.citations))]  # type: ignore[union-attr]
        self.content_deltas -= 1  # an unknown delta is passed on, not applied
        return [event]

    def _message_delta(self, event: RawMessageDeltaEvent) -> None:
        message = self._require_message()
        delta = event.delta
        sent = delta.model_fields_set
        for name in ("stop_reason", "stop_sequence", "stop_details"):
            if name in sent:
                setattr(message, name, getattr(delta, name))
        if delta.container is not None:
            message.container = delta.container
        usage = event.usage
        message.usage.output_tokens = usage.output_tokens
        for name in (
            "input_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
            "server_tool_use",
            "output_tokens_details",
        ):
            value = getattr(usage, name)
            if value is not None:
                setattr(message.usage, name, value)
        for extra in (delta.model_extra, event.model_extra):
            for name, value in (extra or {}).items():  # e.g. beta `context_management`
                if name not in ("type", "delta", "usage"):
                    setattr(message, name, value)
        for name, value in (usage.model_extra or {}).items():
            if value is not None:
                setattr(message.usage, name, value)

    def _materialise(self, block: Block, *, final: bool) -> ContentBlock:
        if block.final is not None:
            return block.final
        start = block.start
        if isinstance(start, TextBlock):
            update: dict[str, Any] = {"text": block.joined()}
            if block.citations is not None:
                update["citations"] = list(block.citations)
            return start.model_copy(update=update)
        if isinstance(start, ThinkingBlock):
            return start.model_copy(
                update={"thinking": block.joined(), "signature": block.signature or ""}
            )
        if start.type in _JSON_INPUT_BLOCKS and block.chunks:
            return _with_input(start, block.joined(), final=final)
        return start

    def _finish_block(self, block: Block) -> ContentBlock:
        if block.final is None:
            block.final = self._materialise(block, final=True)
        return block.final

    def _finish_message(self) -> Message:
        message = self._require_message()
        for block in self._blocks:
            if block.final is None and block.start.type in _JSON_INPUT_BLOCKS:
                # never stopped: cut off (e.g. by max_tokens), whatever its JSON looks like
                block.final = _with_input(block.start, block.joined(), final=True, cut_off=True)
        content = [self._finish_block(block) for block in self._blocks]
        self._final = message.model_copy(update={"content": content})
        return self._final

    def snapshot(self) -> Message:
        """The message as accumulated so far (the final message once complete)."""
        if self._final is not None:
            return self._final
        if self._snapshot is None:
            message = self._require_message()
            content = [self._materialise(b, final=False) for b in self._blocks]
            usage = message.usage.model_copy()  # later message_deltas must not change it
            self._snapshot = message.model_copy(update={"content": content, "usage": usage})
        return self._snapshot

    def text(self) -> str:
        """The text blocks' text so far, joined (thinking and tool input left out)."""
        return "".join(b.joined() for b in self._blocks if isinstance(b.start, TextBlock))

    def final_message(self) -> Message:
        """The complete message; raises `StreamProtocolError` before `message_stop`."""
        if self._final is None:
            raise StreamProtocolError("the stream has not reached message_stop")
        return self._final


def _with_input(
    start: ContentBlock, raw: str, *, final: bool, cut_off: bool = False
) -> ContentBlock:
    """A tool block with its input parsed from the streamed JSON `raw`."""
    if not final:
        partial = parse_partial_json(raw)
        return start.model_copy(update={"input": partial if isinstance(partial, dict) else {}})
    error: str | None = None
    value: Any = {}
    if cut_off:
        error = f"the tool call was cut off before its input was complete: {raw[:200]!r}"
    elif raw.strip():
        try:
            value = json.loads(raw)
        except ValueError as exc:
            error = f"the tool input is not valid JSON ({exc}): {raw[:200]!r}"
        else:
            if not isinstance(value, dict):
                error = f"the tool input must be a JSON object, got {type(value).__name__}"
                value = {}
    block = start.model_copy(update={"input": value if error is None else {}})
    if error is not None and isinstance(block, ToolUseBlock):
        block._input_error = error
        block._raw_input_json = raw
    return block
