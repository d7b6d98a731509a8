"""Responses on the wire: message JSON, the SSE event sequence of PROTOCOL §6, token counts.

The counting rule is deliberately simple and documented: a text costs one token per four
characters, rounded up (at least one); a request's input tokens are those of its JSON
`system`, `tools` and `messages`; a response's output tokens are those of its content's JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["count_input_tokens", "count_output_tokens", "encode_stream", "tokens"]


def tokens(text: str) -> int:
    """One token per four characters, rounded up; at least one."""
    return max(1, -(-len(text) // 4))


def count_input_tokens(body: Mapping[str, Any]) -> int:
    """The input tokens of a request, by the counting rule."""
    parts = {key: body[key] for key in ("system", "tools", "messages") if key in body}
    return tokens(json.dumps(parts, separators=(",", ":"), ensure_ascii=False))


def count_output_tokens(content: list[dict[str, Any]]) -> int:
    """The output tokens of a response's content, by the counting rule."""
    return tokens(json.dumps(content, separators=(",", ":"), ensure_ascii=False))


def _event(name: str, data: Mapping[str, Any]) -> bytes:
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"event: {name}\ndata: {payload}\n\n".encode()


def _pieces(text: str, size: int) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


def encode_stream(
    message: Mapping[str, Any],
    *,
    text_chunk: int = 16,
    json_chunk: int = 24,
    ping: bool = True,
) -> list[bytes]:
    """The SSE events that stream `message` (a Message as JSON), exactly as the API sends them.

    Text, thinking and tool input arrive in chunks (`text_chunk` / `json_chunk` characters);
    a tool's input JSON starts with an empty `partial_json`, like the API's.
    """
    usage = dict(message.get("usage") or {})
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {**usage, "output_tokens": 1},
    }
    events = [_event("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(message.get("content") or []):
        events.extend(_block_events(index, block, text_chunk, json_chunk))
        if index == 0 and ping:
            events.insert(2, _event("ping", {"type": "ping"}))
    delta: dict[str, Any] = {
        "stop_reason": message.get("stop_reason"),
        "stop_sequence": message.get("stop_sequence"),
    }
    events.append(
        _event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": delta,
                "usage": {"output_tokens": usage.get("output_tokens", 1)},
            },
        )
    )
    events.append(_event("message_stop", {"type": "message_stop"}))
    return events


def _delta(index: int, delta: Mapping[str, Any]) -> bytes:
    return _event(
        "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
    )


def _block_events(
    index: int, block: Mapping[str, Any], text_chunk: int, json_chunk: int
) -> list[bytes]:
    kind = block.get("type")
    deltas: list[bytes] = []
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [
            _delta(index, {"type": "text_delta", "text": p})
            for p in _pieces(block.get("text", ""), text_chunk)
        ]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [
            _delta(index, {"type": "thinking_delta", "thinking": p})
            for p in _pieces(block.get("thinking", ""), text_chunk)
        ]
        deltas.append(
            _delta(index, {"type": "signature_delta", "signature": block.get("signature", "")})
        )
    elif kind in ("tool_use", "server_tool_use"):
        start = {**block, "input": {}}
        raw = json.dumps(block.get("input", {}), separators=(",", ":"), ensure_ascii=False)
        pieces = ["", *_pieces(raw, json_chunk)] if raw != "{}" else [""]
        deltas = [_delta(index, {"type": "input_json_delta", "partial_json": p}) for p in pieces]
    else:
        start = dict(block)  # complete at start: server tool results, redacted thinking...
    return [
        _event(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        ),
        *deltas,
        _event("content_block_stop", {"type": "content_block_stop", "index": index}),
    ]
