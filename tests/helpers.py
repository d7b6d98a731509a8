"""Shared test helpers: canned API responses, a recording mock transport, fixture loading."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

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


def user(text: str) -> list[MessageParam]:
    return [{"role": "user", "content": text}]


def default_params() -> dict[str, Any]:
    return {"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": user("Hello")}


def header_values(requests: Iterable[httpx.Request], name: str) -> list[str | None]:
    return [r.headers.get(name) for r in requests]
