"""A fast loopback fake of the Messages API for benchmarks (a separate process).

Answers `POST /v1/messages` with a canned body chosen by the `x-bench-scenario` request header:
`text:N` (SSE, N text deltas), `tool:BYTES:CHUNKS` (SSE, one tool input in CHUNKS pieces),
`message` (JSON, a short message), `tooluse` (JSON, one tool call). HTTP/1.1 with keep-alive.

    python -m bench.server [--port 0]      # prints "PORT <n>" when ready
"""

from __future__ import annotations

import argparse
import functools
import json
import sys

import anyio
from anyio.abc import SocketStream

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
    return b"application/json", MESSAGE


async def send_events(stream: SocketStream, head: bytes, body: bytes) -> None:
    """Send an SSE body as the API does: chunked transfer encoding, one write per event."""
    await stream.send(head + b"transfer-encoding: chunked\r\n\r\n")
    for event in events_of(body):
        await stream.send(b"%x\r\n%s\r\n" % (len(event), event))
    await stream.send(b"0\r\n\r\n")


@functools.lru_cache(maxsize=64)
def events_of(body: bytes) -> tuple[bytes, ...]:
    """The body split into its events (each ending with its blank line)."""
    return tuple(part + b"\n\n" for part in body.split(b"\n\n") if part)


async def handle(stream: SocketStream) -> None:
    """Serve requests on one keep-alive connection."""
    buffer = b""
    async with stream:
        while True:
            while b"\r\n\r\n" not in buffer:
                try:
                    chunk = await stream.receive(65536)
                except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionError):
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            headers = {}
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            while len(buffer) < length:
                try:
                    buffer += await stream.receive(65536)
                except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionError):
                    return
            request_body, buffer = buffer[:length], buffer[length:]
            scenario = headers.get(b"x-bench-scenario", b"message").decode()
            if head.startswith(b"POST /v1/messages/count_tokens"):
                content_type, body = b"application/json", b'{"input_tokens": 12}'
            elif scenario in ("loop", "tools10"):
                content_type, body = loop_body(scenario, request_body)
            else:
                content_type, body = body_for(scenario)
            head = (
                b"HTTP/1.1 200 OK\r\ncontent-type: "
                + content_type
                + b"\r\nrequest-id: req_bench\r\n"
            )
            if content_type == b"text/event-stream":
                await send_events(stream, head, body)
            else:
                length = str(len(body)).encode()
                await stream.send(head + b"content-length: " + length + b"\r\n\r\n" + body)


async def serve(port: int) -> None:
    """Listen on 127.0.0.1 and print the port once ready."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=port)
    actual = listener.extra(anyio.abc.SocketAttribute.local_port)
    print(f"PORT {actual}", flush=True)
    await listener.serve(handle)


def main(argv: list[str] | None = None) -> None:
    """Run the server until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        anyio.run(serve, args.port)
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
