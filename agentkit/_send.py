"""The drivers of the request protocol: `Sender` (sync) and `AsyncSender`.

The protocol (send, and on a retryable failure wait and send again) is written once, as
`agentkit._core.flows.request_flow`; one attempt is written once too, as `Attempts.attempt`: a
generator that builds the request, reserves room with the `RateLimiter` (its input counted by
`count_tokens` once per call when the limiter asks for it), has the driver transmit it and read
its body, settles the reservation (a streamed response when its stream ends,
`agentkit._ratelimit.StreamSettlement`), translates a failure to send into `APIConnectionError`
and logs the request's line on `agentkit.client`. `Attempts.run` performs a protocol's effects
with those attempts and its waits, leaving only I/O: `Transmit`, `Read`, `Acquire` and `Sleep`.

A sender is a table of that I/O (`_IO` / `_ASYNC_IO`: each operation's type to its blocking or
async call) and the driver (`drive` / `adrive`) that runs a flow through the table; nothing else
differs between them. The resources (`messages`) and the stream helper send through their
client's sender.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import httpx

from ._base_client import BaseClient, BodyReader
from ._core.effects import RequestEffect, Send, Sleep
from ._core.endpoints import prepare_count_tokens
from ._core.flows import request_flow
from ._core.ratelimit import Cost
from ._core.request import PreparedRequest
from ._drive import adrive, asleep, drive, sleep
from ._logs import client_log
from ._ratelimit import RateLimiter, StreamSettlement, Ticket, hold_for_stream
from ._response import APIResponse
from ._telemetry import event
from ._types import NotGiven, TimeoutTypes

__all__ = ["AsyncSender", "Sender"]

_T = TypeVar("_T")
_R = TypeVar("_R")

_NOTABLE_WAIT = 0.01
"""Seconds of waiting for rate-limit room worth a WARNING."""


# The steps are not frozen dataclasses: one or two are made per request, and a frozen one's
# `__init__` (an `object.__setattr__` per field) takes over twice as long as a plain one's.


@dataclass(slots=True)
class Transmit:
    """Send `request` with `http`, its body left unread (the result: the response)."""

    http: httpx.Client | httpx.AsyncClient
    request: httpx.Request


@dataclass(slots=True)
class Read:
    """Read `response`'s body into `reader`, then close it."""

    response: httpx.Response
    reader: BodyReader


@dataclass(slots=True)
class Acquire:
    """Wait for room for `cost` in `limiter` and take it (the result: the `Ticket`)."""

    limiter: RateLimiter
    cost: Cost


IO: TypeAlias = Transmit | Read | Acquire | Sleep
IOFlow: TypeAlias = Generator[IO, Any, _R]
AttemptFlow: TypeAlias = IOFlow[httpx.Response]


class Attempts:
    """One call's attempts, written once for both senders: all but the I/O.

    Attributes:
        client: The client whose configuration applies.
        http: The httpx client that sends.
        timeout: The call's timeout, if it chose one.
        defer_read: Leave a successful body unread (`with_streaming_response`).
        sent: Attempts sent so far.
    """

    def __init__(
        self,
        client: BaseClient[Any],
        http: httpx.Client | httpx.AsyncClient,
        timeout: TimeoutTypes | NotGiven,
        defer_read: bool,
    ) -> None:
        self.client = client
        self.http = http
        self.timeout = timeout
        self.defer_read = defer_read
        self.http_timeout = client.request_timeout(timeout)
        self.limiter = client.rate_limiter
        self.sent = 0
        self._counted: list[int | None] = []  # the input counted by count_tokens: once per call
        self._last: dict[str, Any] = {}  # the last attempt's outcome, for a retry's span event

    def request(
        self, prepared: PreparedRequest, parser: Callable[[httpx.Response], _T]
    ) -> IOFlow[APIResponse[_T]]:
        """Send with retries; the successful response, or its typed error raised."""
        flow = request_flow(prepared, self.client._retry_policy)
        response, retries = yield from self.run(flow)
        return APIResponse(response, parser, retries_taken=retries)

    def run(self, flow: Generator[RequestEffect, Any, _R]) -> IOFlow[_R]:
        """Run `flow`, performing its effects (a failure is thrown into `flow`).

        The attempts run inside this one generator (no generator per effect, no `advance`
        call per step): on the path of every request, each layer costs time.
        """
        value: Any = None
        error: Exception | None = None
        while True:
            try:
                effect = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                result: _R = stop.value
                return result
            try:
                if isinstance(effect, Sleep):
                    yield effect
                    self.slept(effect)
                    value, error = None, None
                else:
                    value, error = (yield from self.attempt(effect)), None
            except Exception as exc:
                value, error = None, exc

    def perform(self, effect: RequestEffect) -> IOFlow[httpx.Response | None]:
        """Perform one effect of `request_flow`: an attempt, or a wait before a retry."""
        return self.run(_only(effect))

    def attempt(self, effect: Send) -> AttemptFlow:
        """One attempt of `effect`'s request: the response, or its send failure raised."""
        request = self.client.build_attempt(self.http, effect, self.http_timeout)
        limiter = self.limiter
        ticket = None if limiter is None else (yield from self._reserve(limiter, effect))
        keep_unread = self.defer_read or effect.request.stream
        retry, self.sent = self.sent, self.sent + 1
        started = time.perf_counter()
        try:
            response: httpx.Response = yield Transmit(self.http, request)
            if not (keep_unread and response.is_success):
                reader = self.client.body_reader(response)
                yield Read(response, reader)
                reader.store()
        except BaseException as exc:  # cancelled too: the reservation is given back
            if ticket is not None and limiter is not None:
                limiter.release(ticket)
            if not isinstance(exc, Exception):
                raise
            self._last = {"error.type": type(exc).__name__}
            _log_no_response(effect, started, retry, exc)
            self.client.raise_send_failure(exc, request)  # any failure, as the SDK catches
        if ticket is not None and limiter is not None:
            _settle(limiter, ticket, effect, response, keep_unread and response.is_success)
        self._last = {"http.response.status_code": response.status_code}
        _log_response(effect, response, started, retry)
        return response

    def _reserve(self, limiter: RateLimiter, effect: Send) -> IOFlow[Ticket | None]:
        """Wait for room for a paced attempt and take it (None: not paced)."""
        if not limiter.paces(effect):
            return None
        cost = limiter.estimate(effect)
        if limiter.count_tokens:
            if not self._counted:
                self._counted.append((yield from self._count(limiter, effect)))
            cost = limiter.counted(cost, self._counted[0])
        started = limiter.clock.now()  # the limiter's clock (a test's virtual one, say)
        ticket: Ticket = yield Acquire(limiter, cost)
        waited = limiter.clock.now() - started
        if waited >= _NOTABLE_WAIT:
            request = effect.request
            client_log.warning(
                "waited %.2f s for rate-limit room before %s %s",
                waited,
                request.method,
                request.path,
            )
            event("rate_limit_wait", {"agentkit.wait_seconds": waited})
        return ticket

    def _count(self, limiter: RateLimiter, effect: Send) -> IOFlow[int | None]:
        """A message request's input tokens by `count_tokens` (None when counting failed)."""
        from ._base_client import model_parser
        from .types.message import MessageTokensCount

        try:
            prepared, _ = prepare_count_tokens(self.client, limiter.count_request(effect))
            counting = Attempts(self.client, self.http, self.timeout, defer_read=False)
            counted = yield from counting.request(prepared, model_parser(MessageTokensCount))
            return counted.parse().input_tokens
        except Exception as exc:  # an estimate: the message request goes on without it
            client_log.debug(
                "count_tokens failed (%s); the request's size estimates its input", exc
            )
            return None

    def slept(self, effect: Sleep) -> None:
        """Note a wait before a retry (the limiter counts it; the current span records it)."""
        if self.limiter is not None:
            self.limiter.note_retry_wait(effect.seconds)
        attributes = {"agentkit.retry": self.sent, "agentkit.wait_seconds": effect.seconds}
        event("retry", {**attributes, **self._last})


def _only(effect: RequestEffect) -> Generator[RequestEffect, Any, httpx.Response | None]:
    """A flow of one effect, returning its result."""
    result: httpx.Response | None = yield effect
    return result


def _settle(
    limiter: RateLimiter, ticket: Ticket, effect: Send, response: httpx.Response, unread: bool
) -> None:
    """Settle an attempt's reservation; a stream's is corrected again when the stream ends."""
    body = None if unread else response.content
    limiter.settle(ticket, response.status_code, response.headers, body)
    if unread and effect.request.stream:
        hold_for_stream(response, StreamSettlement(limiter, ticket))


def _log_response(effect: Send, response: httpx.Response, started: float, retry: int) -> None:
    """The request's INFO line: method, path, status, latency, request id, retry count."""
    if client_log.isEnabledFor(logging.INFO):
        client_log.info(
            "%s %s -> %d in %.3f s (request_id=%s, retry %d)",
            effect.request.method,
            effect.request.path,
            response.status_code,
            time.perf_counter() - started,
            response.headers.get("request-id"),
            retry,
        )


def _log_no_response(effect: Send, started: float, retry: int, exc: Exception) -> None:
    if client_log.isEnabledFor(logging.INFO):
        client_log.info(
            "%s %s -> no response after %.3f s (%s, retry %d)",
            effect.request.method,
            effect.request.path,
            time.perf_counter() - started,
            type(exc).__name__,
            retry,
        )


def _transmit(op: Transmit) -> Any:
    """Send (an `httpx.AsyncClient` gives the response to await)."""
    return op.http.send(op.request, stream=True)


def _read(op: Read) -> None:
    """Read the body into the reader, then close the response."""
    try:
        for chunk in op.response.iter_bytes():
            op.reader.add(chunk)
    finally:
        op.response.close()


async def _aread(op: Read) -> None:
    """See `_read`."""
    try:
        async for chunk in op.response.aiter_bytes():
            op.reader.add(chunk)
    finally:
        await op.response.aclose()


_IO: dict[type[Any], Callable[[Any], Any]] = {
    Transmit: _transmit,
    Read: _read,
    Acquire: lambda op: op.limiter.acquire(op.cost),
    Sleep: sleep,
}
"""`Sender`'s table: each step's blocking call."""

_ASYNC_IO: dict[type[Any], Callable[[Any], Awaitable[Any]]] = {
    Transmit: _transmit,
    Read: _aread,
    Acquire: lambda op: op.limiter.aacquire(op.cost),
    Sleep: asleep,
}
"""`AsyncSender`'s table: each step's async call."""


def _perform(op: IO) -> Any:
    """Perform `op` with `Sender`'s table."""
    return _IO[type(op)](op)


def _aperform(op: IO) -> Awaitable[Any]:
    """Perform `op` with `AsyncSender`'s table."""
    return _ASYNC_IO[type(op)](op)


class Sender:
    """Sends a client's requests with `httpx.Client`: the blocking I/O of `Attempts`.

    Attributes:
        client: The client whose configuration (URL, headers, retries, limits) applies.
        http: The httpx client that sends.
    """

    def __init__(self, client: BaseClient[httpx.Client]) -> None:
        self.client = client
        self.http = client._http

    def request(
        self,
        prepared: PreparedRequest,
        parser: Callable[[httpx.Response], _T],
        *,
        timeout: TimeoutTypes | NotGiven,
        defer_read: bool = False,
    ) -> APIResponse[_T]:
        """Send with retries; the successful response, or its typed error raised.

        Args:
            prepared: The request.
            parser: Turns the successful response into the result.
            timeout: The call's timeout, if it chose one.
            defer_read: Leave the body unread (`with_streaming_response`).
        """
        call = Attempts(self.client, self.http, timeout, defer_read)
        return self._run(call.request(prepared, parser))

    def performer(
        self, timeout: TimeoutTypes | NotGiven, defer_read: bool
    ) -> Callable[[RequestEffect], httpx.Response | None]:
        """The interpreter of `request_flow`'s effects for one call."""
        call = Attempts(self.client, self.http, timeout, defer_read)
        return lambda effect: self._run(call.perform(effect))

    def _run(self, flow: IOFlow[_R]) -> _R:
        try:
            return drive(flow, _perform)
        finally:
            flow.close()  # interrupted (KeyboardInterrupt): a reservation is given back


class AsyncSender:
    """Sends a client's requests with `httpx.AsyncClient`: the async I/O of `Attempts`."""

    def __init__(self, client: BaseClient[httpx.AsyncClient]) -> None:
        self.client = client
        self.http = client._http

    async def request(
        self,
        prepared: PreparedRequest,
        parser: Callable[[httpx.Response], _T],
        *,
        timeout: TimeoutTypes | NotGiven,
        defer_read: bool = False,
    ) -> APIResponse[_T]:
        """See `Sender.request`."""
        call = Attempts(self.client, self.http, timeout, defer_read)
        return await self._run(call.request(prepared, parser))

    def performer(
        self, timeout: TimeoutTypes | NotGiven, defer_read: bool
    ) -> Callable[[RequestEffect], Awaitable[httpx.Response | None]]:
        """See `Sender.performer`."""
        call = Attempts(self.client, self.http, timeout, defer_read)
        return lambda effect: self._run(call.perform(effect))

    async def _run(self, flow: IOFlow[_R]) -> _R:
        try:
            return await adrive(flow, _aperform)
        finally:
            flow.close()  # cancelled: a reservation is given back
