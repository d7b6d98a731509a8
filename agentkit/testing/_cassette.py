"""Record and replay: real API exchanges saved to a readable JSON file, replayed offline.

`cassette(path, mode)` is an httpx transport (sync and async):
- `record`: forwards each request to the real transport and writes the exchange (request body,
  response status, headers and body, SSE events included) with secrets redacted;
- `replay`: answers from the file, matching method, path and JSON body; a request with no
  recording fails with a diff against the closest recorded one;
- `auto`: replay when the file exists, else record.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import httpx

from .._exceptions import CassetteMismatchError, UsageError

if TYPE_CHECKING:
    from .._base_client import BaseClient
    from .._client import Anthropic, AsyncAnthropic

__all__ = ["Cassette", "CassetteMismatchError", "cassette"]

Mode = Literal["replay", "record", "auto"]
REDACTED = "<redacted>"
_SECRET_HEADER = re.compile(r"key|token|secret|auth|cookie|password", re.IGNORECASE)
_FORMAT_VERSION = 1
_C = TypeVar("_C", bound="BaseClient[Any]")


def cassette(
    path: str | Path,
    mode: Mode = "replay",
    *,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
) -> Cassette:
    """A record/replay transport backed by the JSON file at `path`.

    Args:
        path: The cassette file.
        mode: `"replay"`, `"record"` or `"auto"` (replay if the file exists, else record).
        transport: Where `record` sends requests (default: the real network).
    """
    return Cassette(path, mode, transport=transport)


def _is_secret(name: str) -> bool:
    # rate-limit headers ("anthropic-ratelimit-tokens-remaining") name tokens, hold no secret
    public = name.lower().startswith(("anthropic-ratelimit-", "anthropic-priority-"))
    return bool(_SECRET_HEADER.search(name)) and not public


class Cassette(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """See `cassette()`."""

    def __init__(
        self,
        path: str | Path,
        mode: Mode = "replay",
        *,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if mode not in ("replay", "record", "auto"):
            raise UsageError(f"cassette mode must be 'replay', 'record' or 'auto', got {mode!r}.")
        self.path = Path(path)
        if mode == "auto":
            mode = "replay" if self.path.exists() else "record"
        self.mode: Literal["replay", "record"] = mode
        self._inner = transport
        self._network: httpx.HTTPTransport | None = None  # the default `transport`, sync
        self._anetwork: httpx.AsyncHTTPTransport | None = None  # ... and async
        self._secrets: set[str] = set()
        self._used: set[int] = set()
        if self.mode == "replay":
            if not self.path.exists():
                raise UsageError(
                    f"no cassette at {str(self.path)!r} to replay; record it first "
                    "(mode='record' or 'auto', with a real ANTHROPIC_API_KEY)."
                )
            self.interactions: list[dict[str, Any]] = json.loads(self.path.read_text())[
                "interactions"
            ]
        else:
            self.interactions = []

    # -- clients -------------------------------------------------------------------------------

    def client(self, **options: Any) -> Anthropic:
        """An `Anthropic` client using this cassette (key from the environment when recording)."""
        from .._client import Anthropic

        http = httpx.Client(transport=self)
        return self._own(Anthropic(http_client=http, **self._keyed(options)))

    def async_client(self, **options: Any) -> AsyncAnthropic:
        """An `AsyncAnthropic` client using this cassette."""
        from .._client import AsyncAnthropic

        http = httpx.AsyncClient(transport=self)
        return self._own(AsyncAnthropic(http_client=http, **self._keyed(options)))

    def _keyed(self, options: dict[str, Any]) -> dict[str, Any]:
        """The client's options, with a stand-in key when no request goes to the API."""
        if self.mode == "replay" or self._inner is not None:
            options.setdefault("api_key", "offline-cassette-key")
        return options

    @staticmethod
    def _own(client: _C) -> _C:
        client._owns_http_client = True  # closing the client closes (and saves) the cassette
        return client

    # -- replay --------------------------------------------------------------------------------

    def _replay(self, request: httpx.Request, body: bytes) -> httpx.Response:
        wanted = _request_key(request.method, request.url.path, body)
        matches = [
            i
            for i, item in enumerate(self.interactions)
            if _request_key(**_stored_key(item["request"])) == wanted
        ]
        if not matches:
            raise CassetteMismatchError(self._mismatch(request, body))
        fresh = [i for i in matches if i not in self._used]
        index = fresh[0] if fresh else matches[-1]
        self._used.add(index)
        return _response_from(self.interactions[index]["response"])

    def _mismatch(self, request: httpx.Request, body: bytes) -> str:
        shown = _pretty(body)
        candidates = [item["request"] for item in self.interactions]
        if not candidates:
            return (
                f"the cassette {str(self.path)!r} is empty; got {request.method} {request.url.path}"
            )
        recorded = [_pretty_stored(c) for c in candidates]
        best = max(
            range(len(recorded)),
            key=lambda i: difflib.SequenceMatcher(None, recorded[i], shown).ratio(),
        )
        diff = "\n".join(
            difflib.unified_diff(
                recorded[best].splitlines(),
                shown.splitlines(),
                "recorded",
                "requested",
                lineterm="",
            )
        )
        return (
            f"no recording in {str(self.path)!r} matches {request.method} {request.url.path}.\n"
            f"Closest recording (#{best + 1}) differs:\n{diff}\n"
            "Re-record the cassette (mode='record') if the change is intended."
        )

    # -- record --------------------------------------------------------------------------------

    def _remember(
        self, request: httpx.Request, body: bytes, response: httpx.Response, content: bytes
    ) -> None:
        for name, value in request.headers.items():
            if _is_secret(name):
                self._secrets.add(value)
                self._secrets.add(value.removeprefix("Bearer ").strip())
        item = {
            "request": {
                "method": request.method,
                "path": request.url.path,
                "headers": self._headers(request.headers.items()),
                "body": _decoded(body),
            },
            "response": {
                "status": response.status_code,
                "headers": self._headers(response.headers.items()),
                **_response_body(response.headers.get("content-type", ""), content),
            },
        }
        self.interactions.append(self._scrub(item))
        self.save()

    def _headers(self, items: Iterable[tuple[str, str]]) -> dict[str, str]:
        skip = {"content-length", "transfer-encoding", "content-encoding", "connection"}
        return {
            name.lower(): (REDACTED if _is_secret(name) else value)
            for name, value in items
            if name.lower() not in skip
        }

    def _scrub(self, item: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(item, ensure_ascii=False)
        for secret in sorted((s for s in self._secrets if len(s) >= 8), key=len, reverse=True):
            text = text.replace(json.dumps(secret)[1:-1], REDACTED)
        result: dict[str, Any] = json.loads(text)
        return result

    def save(self) -> None:
        """Write the recorded exchanges (done after each one in record mode)."""
        if self.mode != "record":
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": _FORMAT_VERSION, "interactions": self.interactions}
        self.path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    # -- transport -----------------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        if self.mode == "replay":
            return self._replay(request, body)
        inner = self._inner
        if inner is None:
            inner = self._network = self._network or httpx.HTTPTransport()
        if not isinstance(inner, httpx.BaseTransport):
            raise UsageError("this cassette's transport is async-only; use an async client.")
        response = inner.handle_request(request)
        try:
            content = response.read()  # decoded, like the body the client would have read
        finally:
            response.close()
        self._remember(request, body, response, content)
        return _response_from(self.interactions[-1]["response"], raw=content)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        if self.mode == "replay":
            return self._replay(request, body)
        inner = self._inner
        if inner is None:
            inner = self._anetwork = self._anetwork or httpx.AsyncHTTPTransport()
        if not isinstance(inner, httpx.AsyncBaseTransport):
            raise UsageError("this cassette's transport is sync-only; use a sync client.")
        response = await inner.handle_async_request(request)
        try:
            content = await response.aread()
        finally:
            await response.aclose()
        self._remember(request, body, response, content)
        return _response_from(self.interactions[-1]["response"], raw=content)

    def close(self) -> None:
        """Save (recording) when the client closes its transport; close network connections."""
        self.save()
        if self._network is not None:
            self._network.close()
            self._network = None

    async def aclose(self) -> None:
        """Save (recording) when the async client closes its transport."""
        self.save()
        if self._anetwork is not None:
            await self._anetwork.aclose()
            self._anetwork = None


def _decoded(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _request_key(method: str, path: str, body: bytes | Any) -> tuple[str, str, str]:
    value = _decoded(body) if isinstance(body, bytes) else body
    return method.upper(), path, json.dumps(value, sort_keys=True)


def _stored_key(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {"method": stored["method"], "path": stored["path"], "body": stored.get("body")}


def _pretty(body: bytes) -> str:
    return json.dumps(_decoded(body), indent=2, sort_keys=True, ensure_ascii=False)


def _pretty_stored(stored: Mapping[str, Any]) -> str:
    return json.dumps(stored.get("body"), indent=2, sort_keys=True, ensure_ascii=False)


def _response_body(content_type: str, content: bytes) -> dict[str, Any]:
    text = content.decode("utf-8", errors="replace")
    if "text/event-stream" in content_type:
        return {"sse": [part + "\n\n" for part in text.split("\n\n") if part.strip()]}
    try:
        return {"json": json.loads(text)}
    except ValueError:
        return {"text": text}


def _chunks(stored: Mapping[str, Any]) -> Iterator[bytes]:
    if "sse" in stored:
        for event in stored["sse"]:
            yield event.encode()
    elif "json" in stored:
        yield json.dumps(stored["json"]).encode()
    else:
        yield str(stored.get("text", "")).encode()


def _response_from(stored: Mapping[str, Any], raw: bytes | None = None) -> httpx.Response:
    headers = dict(stored.get("headers") or {})
    content = raw if raw is not None else b"".join(_chunks(stored))
    return httpx.Response(int(stored["status"]), headers=headers, stream=httpx.ByteStream(content))
