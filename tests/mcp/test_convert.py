"""MCP results to `tool_result` content and back (pure)."""

from __future__ import annotations

import json
from typing import Any

from agentkit.mcp._convert import mcp_content, tool_content

PNG = "iVBORw0KGgo="
PDF = "JVBERi0xLjQ="
PDF_BLOCK = {
    "type": "document",
    "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
}
NO_AUDIO = "tool results take no audio"


def result(*content: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"content": list(content), **fields}


def test_a_lone_text_block_is_text() -> None:
    assert tool_content(result({"type": "text", "text": "hi"})) == ("hi", False)


def test_each_block_kind() -> None:
    content, is_error = tool_content(
        result(
            {"type": "text", "text": "a"},
            {"type": "image", "data": PNG, "mimeType": "image/png"},
            {"type": "image", "data": PNG, "mimeType": "image/bmp"},
            {"type": "resource", "resource": {"uri": "file:///n.txt", "text": "notes"}},
            {
                "type": "resource",
                "resource": {"uri": "d.pdf", "blob": PDF, "mimeType": "application/pdf"},
            },
            {"type": "resource", "resource": {"uri": "file:///x.bin", "blob": "AAAA"}},
            {"type": "audio", "data": "AAAA", "mimeType": "audio/wav"},
            {"type": "resource_link", "uri": "big.csv", "name": "big", "mimeType": "text/csv"},
            {"type": "hologram"},
        )
    )
    assert not is_error
    assert content == [
        {"type": "text", "text": "a"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "text", "text": "[image: image/bmp data (9 bytes) not shown]"},
        {"type": "text", "text": "[resource file:///n.txt]\nnotes"},
        PDF_BLOCK,
        {"type": "text", "text": "[resource file:///x.bin: binary data (3 bytes) not shown]"},
        {"type": "text", "text": f"[audio (audio/wav, 3 bytes) not shown: {NO_AUDIO}]"},
        {"type": "text", "text": "[resource link: big <big.csv> (text/csv)]"},
        {"type": "text", "text": "[MCP content of type 'hologram' not shown]"},
    ]


def test_structured_content_is_used_only_without_text() -> None:
    assert tool_content(result(structuredContent={"total": 5})) == ('{"total": 5}', False)
    with_text = result({"type": "text", "text": "five"}, structuredContent={"total": 5})
    assert tool_content(with_text) == ("five", False)


def test_errors_keep_the_server_text() -> None:
    failed = result({"type": "text", "text": "no such city"}, isError=True)
    assert tool_content(failed) == ("no such city", True)
    assert tool_content(result(isError=True)) == (
        "The tool reported an error and gave no text.",
        True,
    )


def test_no_content() -> None:
    assert tool_content(result()) == ("", False)


def test_back_to_mcp_and_round_trip() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "text", "text": "a"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        PDF_BLOCK,
    ]
    served = mcp_content(blocks)
    assert served[1] == {"type": "image", "data": PNG, "mimeType": "image/png"}
    assert served[2]["type"] == "resource"
    assert tool_content({"content": served}) == (blocks, False)
    assert mcp_content("text") == [{"type": "text", "text": "text"}]
    assert mcp_content(None) == []


def test_other_blocks_to_mcp() -> None:
    url_image = {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}
    text_doc = {"type": "document", "source": {"type": "text", "data": "body"}}
    search = {"type": "search_result", "source": "s", "title": "t", "content": []}
    assert mcp_content([url_image, text_doc, search]) == [
        {"type": "resource_link", "uri": "https://x/y.png", "name": "image 0"},
        {"type": "text", "text": "body"},
        {"type": "text", "text": json.dumps(search)},
    ]
