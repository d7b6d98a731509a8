"""MCP tool results to `tool_result` content and back, on wire dicts (no I/O, no `mcp` import).

`tool_content` reads a `CallToolResult` (camelCase wire form) for the model: text stays text,
images become image blocks, an embedded text resource becomes text with its URI, a PDF blob a
document block; audio, resource links and other binaries become a short text note.
`mcp_content` goes the other way for `agentkit.mcp.serve`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._core.tool_calls import ToolContent

__all__ = ["IMAGE_TYPES", "mcp_content", "tool_content"]

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
"""The image types the API accepts."""

_PDF = "application/pdf"


def tool_content(result: Mapping[str, Any]) -> tuple[str | list[dict[str, Any]], bool]:
    """The content for the model and whether it is an error, from a `CallToolResult` dict.

    A lone text block is plain text; `structuredContent` is used (as JSON text) only when
    there is no text. An error result keeps the server's text only.
    """
    blocks = [_block(item) for item in result.get("content") or () if isinstance(item, Mapping)]
    structured = result.get("structuredContent")
    if structured is not None and not any(b["type"] == "text" for b in blocks):
        blocks.insert(0, _text(json.dumps(structured, ensure_ascii=False)))
    if result.get("isError"):
        text = "\n".join(b["text"] for b in blocks if b["type"] == "text")
        return text or "The tool reported an error and gave no text.", True
    if len(blocks) == 1 and blocks[0]["type"] == "text":
        return str(blocks[0]["text"]), False
    return (blocks or ""), False


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _note(text: str) -> dict[str, Any]:
    return _text(f"[{text}]")


def _size(data: object) -> str:
    """The decoded size of base64 data, for a note."""
    length = len(data) if isinstance(data, str) else 0
    return f"{length * 3 // 4:,} bytes"


def _block(item: Mapping[str, Any]) -> dict[str, Any]:
    kind = item.get("type")
    if kind == "text":
        return _text(str(item.get("text", "")))
    if kind == "image":
        return _binary(item.get("data"), item.get("mimeType"), "image")
    if kind == "audio":
        mime = item.get("mimeType") or "audio"
        size = _size(item.get("data"))
        return _note(f"audio ({mime}, {size}) not shown: tool results take no audio")
    if kind == "resource_link":
        mime = item.get("mimeType")
        kind_note = f" ({mime})" if mime else ""
        return _note(f"resource link: {item.get('name', '')} <{item.get('uri', '')}>{kind_note}")
    if kind == "resource":
        resource = item.get("resource") or {}
        uri = resource.get("uri", "")
        if "text" in resource:
            return _text(f"[resource {uri}]\n{resource['text']}")
        return _binary(resource.get("blob"), resource.get("mimeType"), f"resource {uri}")
    return _note(f"MCP content of type {kind!r} not shown")


def _binary(data: object, mime: object, what: str) -> dict[str, Any]:
    if isinstance(data, str) and mime in IMAGE_TYPES:
        return {"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}}
    if isinstance(data, str) and mime == _PDF:
        return {"type": "document", "source": {"type": "base64", "media_type": _PDF, "data": data}}
    return _note(f"{what}: {mime or 'binary'} data ({_size(data)}) not shown")


def mcp_content(content: ToolContent) -> list[dict[str, Any]]:
    """`tool_result` content as MCP content blocks (wire dicts), for serving tools over MCP."""
    if content is None:
        return []
    if isinstance(content, str):
        return [_text(content)]
    return [_mcp_block(block, index) for index, block in enumerate(content)]


def _mcp_block(block: Mapping[str, Any], index: int) -> dict[str, Any]:
    kind = block.get("type")
    source = block.get("source") if isinstance(block.get("source"), Mapping) else {}
    assert isinstance(source, Mapping)
    if kind == "text":
        return _text(str(block.get("text", "")))
    if kind == "image" and source.get("type") == "base64":
        return {"type": "image", "data": source.get("data"), "mimeType": source.get("media_type")}
    if kind == "document" and source.get("type") == "base64":
        resource = {
            "uri": f"agentkit:result/{index}",
            "mimeType": source.get("media_type"),
            "blob": source.get("data"),
        }
        return {"type": "resource", "resource": resource}
    if kind == "document" and source.get("type") == "text":
        return _text(str(source.get("data", "")))
    if source.get("type") == "url":
        return {"type": "resource_link", "uri": source.get("url"), "name": f"{kind} {index}"}
    return _text(json.dumps(dict(block), ensure_ascii=False))
