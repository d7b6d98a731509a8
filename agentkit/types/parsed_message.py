"""A `Message` with typed output: what `messages.parse(..., output_format=T)` returns.

`ParsedMessage[T].parsed_output` is the validated value of type `T` (None when the model did
not finish an answer: a refusal, `max_tokens`, a tool call). The value lives outside the wire
data: `to_dict()`, `to_json()` and `to_param()` give the message exactly as the API sent it, so
the message can go back into the conversation unchanged.
"""

from __future__ import annotations

from typing import Generic

from pydantic import Field
from typing_extensions import TypeVar

from .content import TextBlock
from .message import Message

__all__ = ["ParsedMessage", "ParsedTextBlock"]

ResponseFormatT = TypeVar("ResponseFormatT", default=None)


class ParsedTextBlock(TextBlock, Generic[ResponseFormatT]):
    """A text block of a `ParsedMessage`.

    The message's first text block carries the typed output of the whole message (its text
    blocks joined); the other text blocks carry None.
    """

    parsed_output: ResponseFormatT | None = Field(default=None, exclude=True)
    """The typed output (not part of the wire data)."""


class ParsedMessage(Message, Generic[ResponseFormatT]):
    """A `Message` whose text was validated against an output type.

    Its text blocks are `ParsedTextBlock`s; the other blocks are as in `Message`.
    """

    @property
    def parsed_output(self) -> ResponseFormatT | None:
        """The typed output; None when the model stopped without a finished answer.

        None for `stop_reason` `refusal`, `max_tokens`, `model_context_window_exceeded`,
        `tool_use` and `pause_turn` (read `stop_reason` to tell them apart). Output that does
        not validate is never None here: `messages.parse` raises `OutputValidationError`.
        """
        for block in self.content:
            if isinstance(block, ParsedTextBlock):
                value: ResponseFormatT | None = block.parsed_output
                return value
        return None
