"""A fast loopback fake of the Messages API for benchmarks (a separate process).

Answers `POST /v1/messages` with a canned body chosen by the `x-bench-scenario` request header:
`text:N` (SSE, N text deltas), `tool:BYTES:CHUNKS` (SSE, one tool input in CHUNKS pieces),
`message` (JSON, a short message), `tooluse` (JSON, one tool call), `invoice_text` /
`invoice_tool` (JSON, an invoice as JSON text / as a call to the output tool `final_result`).
HTTP/1.1 with keep-alive,
on a bare asyncio protocol: fast, since the server must not be what a benchmark measures.

    python -m bench.server [--port 0]      # prints "PORT <n>" when ready
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import socket
import sys

from bench import sse_data

MESSAGE = json.dumps(
    {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": "Hello from the bench server."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 7},
    }
).encode()

TOOLUSE = json.dumps(
    {
        "id": "msg_bench_tool",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [
            {"type": "tool_use", "id": "toolu_bench", "name": "add", "input": {"a": 2, "b": 3}}
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 20, "output_tokens": 9},
    }
).encode()


def _message(content: list[dict[str, object]], stop_reason: str) -> bytes:
    return json.dumps(
        {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 20, "output_tokens": 9},
        }
    ).encode()


TOOLS10 = _message(
    [
        {"type": "tool_use", "id": f"toolu_bench_{i}", "name": f"sleep{i}", "input": {}}
        for i in range(10)
    ],
    "tool_use",
)


INVOICE = {
    "number": "INV-1042",
    "customer": "Blue Harbor Cafe",
    "currency": "EUR",
    "items": [
        {"description": "Espresso machine descaler", "quantity": 2, "unit_price": 14.5},
        {"description": "Milk frother", "quantity": 1, "unit_price": 89.0},
    ],
}
INVOICE_TEXT = _message([{"type": "text", "text": json.dumps(INVOICE)}], "end_turn")
INVOICE_TOOL = _message(
    [{"type": "tool_use", "id": "toolu_bench_out", "name": "final_result", "input": INVOICE}],
    "tool_use",
)


@functools.lru_cache(maxsize=8)
def _as_stream(message: bytes) -> bytes:
    from agentkit.testing import encode_stream  # the exact SSE grammar of the API

    return b"".join(encode_stream(json.loads(message)))


def loop_body(scenario: str, request_body: bytes) -> tuple[bytes, bytes]:
    """A 2-turn tool loop: a tool call first, `end_turn` once a tool result comes back."""
    if b'"tool_result"' in request_body:
        message = MESSAGE
    else:
        message = TOOLS10 if scenario == "tools10" else TOOLUSE
    if b'"stream":true' in request_body.replace(b" ", b""):
        return b"text/event-stream", _as_stream(message)
    return b"application/json", message


@functools.lru_cache(maxsize=64)
def body_for(scenario: str) -> tuple[bytes, bytes]:
    """(content type, body) for a scenario name."""
    kind, _, rest = scenario.partition(":")
    if kind == "text":
        return b"text/event-stream", sse_data.text_stream(int(rest))
    if kind == "tool":
        size, chunks = rest.split(":")
        return b"text/event-stream", sse_data.tool_stream(int(size), int(chunks))
    if kind == "tooluse":
        return b"application/json", TOOLUSE
    if kind in ("invoice_text", "invoice_tool"):
        return b"application/json", INVOICE_TEXT if kind == "invoice_text" else INVOICE_TOOL
    return b"application/json", MESSAGE


class _Connection(asyncio.Protocol):
    """One keep-alive connection: parse requests as bytes arrive, answer with writes."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            headers = {}
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.answer(head, headers, body)

    def answer(self, head: bytes, headers: dict[bytes, bytes], body: bytes) -> None:
        assert self.transport is not None
        scenario = headers.get(b"x-bench-scenario", b"message").decode()
        if head.startswith(b"POST /v1/messages/count_tokens"):
            content_type, payload = b"application/json", b'{"input_tokens": 12}'
        elif scenario in ("loop", "tools10"):
            content_type, payload = loop_body(scenario, body)
        else:
            content_type, payload = body_for(scenario)
        start = (
            b"HTTP/1.1 200 OK\r\ncontent-type: " + content_type + b"\r\nrequest-id: req_bench\r\n"
        )
        if content_type == b"text/event-stream":
            # as the API does: chunked transfer encoding, one chunk (one write) per event
            self.transport.write(start + b"transfer-encoding: chunked\r\n\r\n")
            for event in events_of(payload):
                self.transport.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.transport.write(b"0\r\n\r\n")
        else:
            length = str(len(payload)).encode()
            self.transport.write(start + b"content-length: " + length + b"\r\n\r\n" + payload)


@functools.lru_cache(maxsize=64)
def events_of(body: bytes) -> tuple[bytes, ...]:
    """The body split into its events (each ending with its blank line)."""
    return tuple(part + b"\n\n" for part in body.split(b"\n\n") if part)


async def serve(port: int) -> None:
    """Listen on 127.0.0.1 and print the port once ready."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, "127.0.0.1", port, backlog=1024)
    actual = server.sockets[0].getsockname()[1]
    print(f"PORT {actual}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Run the server until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
