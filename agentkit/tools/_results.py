"""What a tool returns, turned into `tool_result` content; and the image helper."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pydantic
import pydantic_core

from .._core.tool_calls import ToolContent

if TYPE_CHECKING:
    from ..types.params import ImageBlockParam

__all__ = [
    "DEFAULT_MAX_RESULT_CHARS",
    "ToolContent",
    "image",
    "to_content",
    "truncate",
]

DEFAULT_MAX_RESULT_CHARS = 100_000
"""Tool results longer than this many characters keep their head and tail only."""


_BLOCK_TYPES = frozenset({"text", "image", "document", "search_result"})
_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image(data: bytes, media_type: str | None = None) -> ImageBlockParam:
    """An image content block (base64) for a tool to return, e.g. a chart it drew.

    Args:
        data: The encoded image (PNG, JPEG, GIF or WebP).
        media_type: Its MIME type; detected from the bytes when omitted.

    Raises:
        ValueError: The type could not be detected; pass `media_type`.
    """
    if media_type is None:
        media_type = _sniff(data)
    encoded = base64.b64encode(data).decode("ascii")
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": encoded},  # type: ignore[typeddict-item]
    }


def _sniff(data: bytes) -> str:
    for signature, media_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValueError(
        "cannot tell the image type from its bytes; pass media_type='image/png' (or jpeg, "
        "gif, webp)"
    )


def _is_block(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("type") in _BLOCK_TYPES


def to_content(value: object) -> ToolContent:
    """Convert a tool's return value to `tool_result` content.

    `str` stays text; `None` is no content; a content block (or a list of them: text, image,
    document, search_result) is passed as is; anything else (dicts, lists, pydantic models,
    dataclasses, dates...) becomes JSON text.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if _is_block(value):
        return [dict(value)]  # type: ignore[call-overload]
    if isinstance(value, Sequence) and value and all(_is_block(item) for item in value):
        return [dict(item) for item in value]
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return pydantic_core.to_json(value).decode()
    return pydantic_core.to_json(value, fallback=repr).decode()


def truncate(content: ToolContent, limit: int) -> ToolContent:
    """Keep the head and tail of text longer than `limit` characters, saying how much was cut.

    Applies to plain text and to each text block; other blocks are left alone.
    """
    if isinstance(content, str):
        return _cut(content, limit)
    if isinstance(content, list):
        return [
            {**block, "text": _cut(block["text"], limit)}
            if block.get("type") == "text" and isinstance(block.get("text"), str)
            else block
            for block in content
        ]
    return content


def _marker(removed: int) -> str:
    return f"\n\n[... {removed:,} characters cut from the middle of this tool result ...]\n\n"


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = max(0, limit - len(_marker(len(text))))
    head = keep - keep // 3
    tail = keep - head
    removed = len(text) - head - tail
    return text[:head] + _marker(removed) + (text[len(text) - tail :] if tail else "")
