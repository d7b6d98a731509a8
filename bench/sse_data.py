"""Synthetic SSE bodies with the exact grammar of the Messages API (PROTOCOL §6)."""

from __future__ import annotations

import json


def _event(name: str, data: dict[str, object]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _start(model: str = "claude-sonnet-4-5") -> bytes:
    message = {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    return _event("message_start", {"type": "message_start", "message": message})


def _end(stop_reason: str, output_tokens: int) -> bytes:
    return _event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": output_tokens},
        },
    ) + _event("message_stop", {"type": "message_stop"})


def text_stream(deltas: int, piece: str = "word ") -> bytes:
    """A text answer in `deltas` text deltas."""
    parts = [
        _start(),
        _event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
    ]
    delta = _event(
        "content_block_delta",
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
    )
    parts.extend([delta] * deltas)
    parts.append(_event("content_block_stop", {"type": "content_block_stop", "index": 0}))
    parts.append(_end("end_turn", deltas))
    return b"".join(parts)


def tool_stream(total_bytes: int, chunks: int) -> bytes:
    """One tool call whose input JSON (about `total_bytes`) arrives in `chunks` pieces."""
    payload = json.dumps({"data": "x" * max(0, total_bytes - 12)})
    size = max(1, -(-len(payload) // chunks))
    pieces = [payload[i : i + size] for i in range(0, len(payload), size)]
    block = {"type": "tool_use", "id": "toolu_bench", "name": "save", "input": {}}
    parts = [
        _start(),
        _event(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        ),
    ]
    for piece in pieces:
        parts.append(
            _event(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "input_json_delta", "partial_json": piece},
                },
            )
        )
    parts.append(_event("content_block_stop", {"type": "content_block_stop", "index": 0}))
    parts.append(_end("tool_use", len(pieces)))
    return b"".join(parts)
