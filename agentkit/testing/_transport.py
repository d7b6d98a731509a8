"""An httpx transport (sync and async) that serves a `MockModel`, faults included."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Protocol

import httpx

from .._core.effects import Sleep
from .._drive import CallerCodeError, asleep, sleep
from .._exceptions import AgentkitError
from ._replies import Exchange, Fault

__all__ = ["ModelTransport"]

_ERROR_EVENT = (
    b'event: error\ndata: {"type":"error","error":{"details":null,"type":"%s",'
    b'"message":"Injected stream failure"},"request_id":"%s"}\n\n'
)


class _Events(httpx.SyncByteStream, httpx.AsyncByteStream):
    """SSE events one chunk each, with an injected `error` event or dropped connection."""

    def __init__(self, exchange: Exchange, request: httpx.Request) -> None:
        self._events = exchange.events or []
        self._fault = exchange.fault or Fault()
        self._request_id = exchange.headers.get("request-id", "").encode()
        self._request = request

    def _plan(self) -> Iterator[bytes]:
        fault = self._fault
        for position, event in enumerate(self._events):
            if fault.error_event_after is not None and position == fault.error_event_after:
                kind = (fault.error_type or "overloaded_error").encode()
                yield _ERROR_EVENT % (kind, self._request_id)
                return
            if fault.cut_after is not None and position == fault.cut_after:
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body (injected fault)",
                    request=self._request,
                )
            yield event

    def __iter__(self) -> Iterator[bytes]:
        return self._plan()

    def __aiter__(self) -> AsyncIterator[bytes]:
        # an iterator object, not an async generator: a client that stops reading early (at an
        # error event) leaves nothing for trio to report as garbage collected unexhausted
        return _AsyncChunks(self._plan())


class _AsyncChunks:
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> _AsyncChunks:
        return self

    async def __anext__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            raise StopAsyncIteration from None


def _query(request: httpx.Request) -> str:
    return request.url.query.decode("ascii", "replace")


def _timeout(request: httpx.Request) -> float | None:
    value = (request.extensions.get("timeout") or {}).get("read")
    return float(value) if value is not None else None


def _response(exchange: Exchange, request: httpx.Request) -> httpx.Response:
    if exchange.events is not None:
        return httpx.Response(
            exchange.status, headers=exchange.headers, stream=_Events(exchange, request)
        )
    return httpx.Response(
        exchange.status, headers=exchange.headers, stream=httpx.ByteStream(exchange.body)
    )


def _injected_wait(exchange: Exchange, request: httpx.Request) -> tuple[float, bool]:
    """How long an injected delay holds the response, and whether the timeout comes first."""
    fault = exchange.fault
    if fault is None or not fault.delay:
        return 0.0, False
    timeout = _timeout(request)
    if timeout is not None and fault.delay >= timeout:
        return timeout, True
    return fault.delay, False


def _fail_early(exchange: Exchange, request: httpx.Request, timed_out: bool) -> None:
    fault = exchange.fault
    if fault is None:
        return
    if timed_out:
        raise httpx.ReadTimeout(
            "timed out waiting for the response (injected delay)", request=request
        )
    if fault.reset:
        raise httpx.ConnectError("connection reset by peer (injected fault)", request=request)
    if fault.lost:
        raise httpx.ReadError(
            "connection lost after the request was received (injected fault)", request=request
        )


class ExchangeModel(Protocol):
    """What a transport serves: a model answering HTTP requests (a `MockModel`)."""

    def exchange(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, query: str = ""
    ) -> Exchange: ...

    async def aexchange(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, query: str = ""
    ) -> Exchange: ...


class ModelTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves a model (a `MockModel`) to an `httpx.Client` or `httpx.AsyncClient`, offline."""

    def __init__(self, model: ExchangeModel) -> None:
        self.model = model

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        try:
            exchange = self.model.exchange(
                request.method, request.url.path, request.headers, body, _query(request)
            )
        except (httpx.HTTPError, AgentkitError):
            raise
        except Exception as exc:
            raise CallerCodeError(exc) from exc
        seconds, timed_out = _injected_wait(exchange, request)
        if seconds:
            sleep(Sleep(seconds, "delay"))
        _fail_early(exchange, request, timed_out)
        return _response(exchange, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        try:
            exchange = await self.model.aexchange(
                request.method, request.url.path, request.headers, body, _query(request)
            )
        except (httpx.HTTPError, AgentkitError):
            raise
        except Exception as exc:
            raise CallerCodeError(exc) from exc
        seconds, timed_out = _injected_wait(exchange, request)
        if seconds:
            await asleep(Sleep(seconds, "delay"))
        _fail_early(exchange, request, timed_out)
        return _response(exchange, request)
