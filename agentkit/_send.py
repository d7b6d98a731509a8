"""The drivers of the request protocol: `Sender` (sync) and `AsyncSender`.

The protocol (send, and on a retryable failure wait and send again) is written once, as
`agentkit._core.flows.request_flow`; a sender only performs its effects: `Send` one attempt
(translating any transport failure into `APIConnectionError` at this one boundary) and `Sleep`.
The resources (`messages`) and the stream helper send through their client's sender.

One attempt is written once too, as `Attempts.attempt`: a generator that builds the request,
reserves room with the `RateLimiter` (its input counted by `count_tokens` once per call when the
limiter asks for it), has the driver transmit it, settles the reservation (a streamed response
when its stream ends, `agentkit._ratelimit.StreamSettlement`) and logs the request's line on
`agentkit.client`. The drivers perform its three operations (`CountInput`, `Acquire`,
`Transmit`) with blocking or async I/O; nothing else differs between them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import httpx

from ._base_client import BaseClient
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

_NOTABLE_WAIT = 0.01
"""Seconds of waiting for rate-limit room worth a WARNING."""


@dataclass(frozen=True, slots=True)
class CountInput:
    """Count a message request's input tokens with `count_tokens` (the result: the count)."""

    prepared: PreparedRequest
    parser: Callable[[httpx.Response], Any]


@dataclass(frozen=True, slots=True)
class Acquire:
    """Wait for rate-limit room for `cost` and take it (the result: the `Ticket`)."""

    cost: Cost


@dataclass(frozen=True, slots=True)
class Transmit:
    """Send `request`; read its body unless `keep_unread` (the result: the response)."""

    request: httpx.Request
    keep_unread: bool


AttemptOp: TypeAlias = CountInput | Acquire | Transmit
AttemptFlow: TypeAlias = Generator[AttemptOp, Any, httpx.Response]


class Attempts:
    """One call's attempts, written once for both senders: all but the I/O.

    Attributes:
        client: The client whose configuration applies.
        timeout: The call's timeout, if it chose one.
        defer_read: Leave a successful body unread (`with_streaming_response`).
        sent: Attempts sent so far (counting the retries taken before this call).
    """

    def __init__(
        self,
        client: BaseClient[Any],
        timeout: TimeoutTypes | NotGiven,
        defer_read: bool,
        retries_taken: int = 0,
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.defer_read = defer_read
        self.http_timeout = client.request_timeout(timeout)
        self.limiter = client.rate_limiter
        self.sent = retries_taken
        self._counted: list[int | None] = []  # the input counted by count_tokens: once per call
        self._last: dict[str, Any] = {}  # the last attempt's outcome, for a retry's span event

    def attempt(self, http: httpx.Client | httpx.AsyncClient, effect: Send) -> AttemptFlow:
        """One attempt of `effect`'s request: the response, or its send failure raised."""
        request = self.client.build_attempt(http, effect, self.http_timeout)
        ticket = yield from self._reserve(effect)
        keep_unread = self.defer_read or effect.request.stream
        retry, self.sent = self.sent, self.sent + 1
        started = time.perf_counter()
        try:
            response: httpx.Response = yield Transmit(request, keep_unread)
        except BaseException as exc:  # cancelled too: the reservation is given back
            if ticket is not None and self.limiter is not None:
                self.limiter.release(ticket)
            if not isinstance(exc, Exception):
                raise
            self._last = {"error.type": type(exc).__name__}
            _log_no_response(effect, started, retry, exc)
            self.client.raise_send_failure(exc, request)  # any failure, as the SDK catches
        if ticket is not None and self.limiter is not None:
            _settle(self.limiter, ticket, effect, response, keep_unread and response.is_success)
        self._last = {"http.response.status_code": response.status_code}
        _log_response(effect, response, started, retry)
        return response

    def _reserve(self, effect: Send) -> Generator[AttemptOp, Any, Ticket | None]:
        """Wait for room for a paced attempt and take it (None: not paced)."""
        limiter = self.limiter
        if limiter is None or not limiter.paces(effect):
            return None
        cost = limiter.estimate(effect)
        if limiter.count_tokens:
            if not self._counted:
                self._counted.append((yield from self._count(limiter, effect)))
            cost = limiter.counted(cost, self._counted[0])
        started = limiter.clock.now()  # the limiter's clock (a test's virtual one, say)
        ticket: Ticket = yield Acquire(cost)
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

    def _count(self, limiter: RateLimiter, effect: Send) -> Generator[AttemptOp, Any, int | None]:
        """A message request's input tokens by `count_tokens` (None when counting failed)."""
        from ._base_client import model_parser
        from .types.message import MessageTokensCount

        try:
            prepared, _ = prepare_count_tokens(self.client, limiter.count_request(effect))
            counted: int = yield CountInput(prepared, model_parser(MessageTokensCount))
            return counted
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


class Sender:
    """Sends a client's requests with `httpx.Client`.

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
        retries_taken: int = 0,
        defer_read: bool = False,
    ) -> APIResponse[_T]:
        """Send with retries; the successful response, or its typed error raised.

        Args:
            prepared: The request.
            parser: Turns the successful response into the result.
            timeout: The call's timeout, if it chose one.
            retries_taken: Retries already spent on this request (a re-sent stream).
            defer_read: Leave the body unread (`with_streaming_response`).
        """
        flow = request_flow(prepared, self.client._retry_policy, retries_taken=retries_taken)
        perform = self.performer(timeout, defer_read, retries_taken)
        response, retries = drive(flow, perform)
        return APIResponse(response, parser, retries_taken=retries)

    def performer(
        self, timeout: TimeoutTypes | NotGiven, defer_read: bool, retries_taken: int = 0
    ) -> Callable[[RequestEffect], httpx.Response | None]:
        """The interpreter of `request_flow`'s effects for one call."""
        call = Attempts(self.client, timeout, defer_read, retries_taken)

        def perform(effect: RequestEffect) -> httpx.Response | None:
            if isinstance(effect, Sleep):
                sleep(effect)
                call.slept(effect)
                return None
            flow = call.attempt(self.http, effect)
            try:
                response: httpx.Response = drive(flow, lambda op: self._perform(call, op))
                return response
            finally:
                flow.close()

        return perform

    def _perform(self, call: Attempts, op: AttemptOp) -> Any:
        if isinstance(op, Transmit):
            response = self.http.send(op.request, stream=True)
            if not (op.keep_unread and response.is_success):
                reader = self.client.body_reader(response)
                try:
                    for chunk in response.iter_bytes():
                        reader.add(chunk)
                finally:
                    response.close()
                reader.store()
            return response
        if isinstance(op, Acquire):
            assert call.limiter is not None
            return call.limiter.acquire(op.cost)
        return self.request(op.prepared, op.parser, timeout=call.timeout).parse().input_tokens


class AsyncSender:
    """Sends a client's requests with `httpx.AsyncClient` (the async twin of `Sender`)."""

    def __init__(self, client: BaseClient[httpx.AsyncClient]) -> None:
        self.client = client
        self.http = client._http

    async def request(
        self,
        prepared: PreparedRequest,
        parser: Callable[[httpx.Response], _T],
        *,
        timeout: TimeoutTypes | NotGiven,
        retries_taken: int = 0,
        defer_read: bool = False,
    ) -> APIResponse[_T]:
        """See `Sender.request`."""
        flow = request_flow(prepared, self.client._retry_policy, retries_taken=retries_taken)
        perform = self.performer(timeout, defer_read, retries_taken)
        response, retries = await adrive(flow, perform)
        return APIResponse(response, parser, retries_taken=retries)

    def performer(
        self, timeout: TimeoutTypes | NotGiven, defer_read: bool, retries_taken: int = 0
    ) -> Callable[[RequestEffect], Awaitable[httpx.Response | None]]:
        """See `Sender.performer`."""
        call = Attempts(self.client, timeout, defer_read, retries_taken)

        async def perform(effect: RequestEffect) -> httpx.Response | None:
            if isinstance(effect, Sleep):
                await asleep(effect)
                call.slept(effect)
                return None
            flow = call.attempt(self.http, effect)
            try:
                response: httpx.Response = await adrive(flow, lambda op: self._perform(call, op))
                return response
            finally:
                flow.close()

        return perform

    async def _perform(self, call: Attempts, op: AttemptOp) -> Any:
        if isinstance(op, Transmit):
            response = await self.http.send(op.request, stream=True)
            if not (op.keep_unread and response.is_success):
                reader = self.client.body_reader(response)
                try:
                    async for chunk in response.aiter_bytes():
                        reader.add(chunk)
                finally:
                    await response.aclose()
                reader.store()
            return response
        if isinstance(op, Acquire):
            assert call.limiter is not None
            return await call.limiter.aacquire(op.cost)
        counted = await self.request(op.prepared, op.parser, timeout=call.timeout)
        return counted.parse().input_tokens
