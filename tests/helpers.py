"""Shared test helpers: canned API responses, a recording mock transport, fixture loading."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import anyio
import httpx

from agentkit import Anthropic, AsyncAnthropic, MessageParam

FIXTURES = Path(__file__).parent / "fixtures"
API_KEY = "sk-ant-test-0123456789-SECRET"

T = TypeVar("T")
Kind = Literal["sync", "async"]

Responder = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def load_json(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text())


def message_body(
    text: str = "Hello!",
    *,
    stop_reason: str = "end_turn",
    model: str = "claude-sonnet-4-5",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "msg_01TEST",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }
    body.update(extra)
    return body


def ok(body: Any | None = None, *, request_id: str = "req_ok", **headers: str) -> httpx.Response:
    return httpx.Response(
        200,
        json=message_body() if body is None else body,
        headers={"request-id": request_id, **headers},
    )


def error(
    status: int,
    error_type: str = "api_error",
    message: str = "boom",
    *,
    headers: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {
        "type": "error",
        "error": {"type": error_type, "message": message, "details": details},
        "request_id": f"req_{status}",
    }
    return httpx.Response(status, json=body, headers=headers or {})


class Recorder:
    """A mock API handler: answers from a queue (the last answer repeats) and keeps requests."""

    def __init__(self, *responses: Responder) -> None:
        self.responses: list[Responder] = list(responses) or [ok()]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        index = min(len(self.requests), len(self.responses)) - 1
        answer = self.responses[index]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            # an unread stream, as a real transport returns
            return httpx.Response(
                answer.status_code, headers=answer.headers, stream=httpx.ByteStream(answer.content)
            )
        return answer(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    @property
    def last_body(self) -> dict[str, Any]:
        return self.bodies[-1]


class Harness:
    """Runs one scenario against the sync or the async client, with the same handler."""

    def __init__(self, kind: Kind, handler: Recorder, **client_kwargs: Any) -> None:
        self.kind = kind
        self.handler = handler
        self.client_kwargs: dict[str, Any] = {"api_key": API_KEY, **client_kwargs}

    def sync_client(self) -> Anthropic:
        transport = httpx.MockTransport(self.handler)
        return Anthropic(http_client=httpx.Client(transport=transport), **self.client_kwargs)

    def async_client(self) -> AsyncAnthropic:
        transport = httpx.MockTransport(self.handler)
        return AsyncAnthropic(
            http_client=httpx.AsyncClient(transport=transport), **self.client_kwargs
        )

    def run(
        self,
        sync_call: Callable[[Anthropic], T],
        async_call: Callable[[AsyncAnthropic], Awaitable[T]],
    ) -> T:
        if self.kind == "sync":
            with self.sync_client() as client:
                return sync_call(client)

        async def main() -> T:
            async with self.async_client() as client:
                return await async_call(client)

        return anyio.run(main)

    def create(self, **params: Any) -> Any:
        params = {**default_params(), **params}
        return self.run(
            lambda c: c.messages.create(**params),
            lambda c: c.messages.create(**params),
        )

    def raw_create(self, **params: Any) -> Any:
        params = {**default_params(), **params}
        return self.run(
            lambda c: c.messages.with_raw_response.create(**params),
            lambda c: c.messages.with_raw_response.create(**params),
        )

    def count_tokens(self, **params: Any) -> Any:
        params = {"model": "claude-sonnet-4-5", "messages": user("hi"), **params}
        return self.run(
            lambda c: c.messages.count_tokens(**params),
            lambda c: c.messages.count_tokens(**params),
        )


def harness(kind: str, *responses: Responder, **client_kwargs: Any) -> Harness:
    """A `Harness` for the `kind` client ("sync" or "async") answering with `responses`."""
    return Harness(cast(Kind, kind), Recorder(*responses), **client_kwargs)


def user(text: str) -> list[MessageParam]:
    return [{"role": "user", "content": text}]


def default_params() -> dict[str, Any]:
    return {"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": user("Hello")}


def header_values(requests: Iterable[httpx.Request], name: str) -> list[str | None]:
    return [r.headers.get(name) for r in requests]


# --- server-sent events --------------------------------------------------------------------

SSE_DIR = FIXTURES / "sse"
RECORDED_DIR = FIXTURES / "recorded"


def sse_bytes(name: str) -> bytes:
    """The bytes of `tests/fixtures/sse/<name>.sse`."""
    return (SSE_DIR / f"{name}.sse").read_bytes()


def terminated(body: bytes) -> bytes:
    """`body` with its last event terminated by a blank line, as real streams send it.

    Several recorded SDK fixtures lost the final blank line when stored as text files (see
    `fixtures/recorded/SOURCES.md`); a conformant SSE reader drops such an unterminated event.
    """
    stripped = body.rstrip(b"\r\n")
    return stripped + b"\n\n"


def sse_event(name: str, data: dict[str, Any] | str) -> bytes:
    """One SSE event, terminated."""
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"event: {name}\ndata: {payload}\n\n".encode()


def chunked(body: bytes, size: int) -> list[bytes]:
    """`body` split into pieces of `size` bytes."""
    return [body[i : i + size] for i in range(0, len(body), size)] or [b""]


class ChunkStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in the given chunks, then optionally failing; records close."""

    def __init__(self, chunks: Iterable[bytes], *, error: Exception | None = None) -> None:
        self.chunks = list(chunks)
        self.error = error
        self.closed = False
        self.delivered = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.delivered += 1
            yield chunk
        if self.error is not None:
            raise self.error

    def __aiter__(self) -> AsyncIterator[bytes]:
        # an iterator object, not an async generator: nothing for trio to finalise if dropped
        return _AsyncChunks(self)

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class _AsyncChunks:
    def __init__(self, stream: ChunkStream) -> None:
        self._stream = stream
        self._next = 0

    def __aiter__(self) -> _AsyncChunks:
        return self

    async def __anext__(self) -> bytes:
        stream = self._stream
        if self._next < len(stream.chunks):
            self._next += 1
            stream.delivered += 1
            return stream.chunks[self._next - 1]
        if stream.error is not None:
            raise stream.error
        raise StopAsyncIteration


class SSEReply:
    """A responder serving an SSE body, a fresh stream per request (kept in `streams`).

    Args:
        body: The SSE bytes.
        request_id: The `request-id` header.
        chunk_size: Deliver the body in pieces of this many bytes (default: one piece).
        error: Raise this after the body (a connection reset mid-stream).
    """

    def __init__(
        self,
        body: bytes,
        *,
        request_id: str = "req_sse",
        chunk_size: int | None = None,
        error: Exception | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.body = body
        self.request_id = request_id
        self.chunk_size = chunk_size
        self.error = error
        self.headers = headers or {}
        self.streams: list[ChunkStream] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        chunks = chunked(self.body, self.chunk_size) if self.chunk_size else [self.body]
        stream = ChunkStream(chunks, error=self.error)
        self.streams.append(stream)
        headers = {
            "content-type": "text/event-stream; charset=utf-8",
            "request-id": self.request_id,
            **self.headers,
        }
        return httpx.Response(200, headers=headers, stream=stream)
