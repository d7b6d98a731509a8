"""The drivers of the request protocol: `Sender` (sync) and `AsyncSender`.

The protocol (send, and on a retryable failure wait and send again) is written once, as
`agentkit._core.flows.request_flow`; a sender only performs its effects: `Send` one attempt
(translating any transport failure into `APIConnectionError` at this one boundary) and `Sleep`.
The resources (`messages`) and the stream helper send through their client's sender.

With a `RateLimiter`, each attempt of `POST /v1/messages` reserves its estimated cost first (its
input counted by `count_tokens` once per call when the limiter asks for it) and settles after:
a streamed response when its stream ends (`agentkit._ratelimit.StreamSettlement`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from ._base_client import BaseClient
from ._core.effects import RequestEffect, Send, Sleep
from ._core.endpoints import prepare_count_tokens
from ._core.flows import request_flow
from ._core.request import PreparedRequest
from ._drive import adrive, asleep, drive, sleep
from ._ratelimit import RateLimiter, StreamSettlement, Ticket, hold_for_stream
from ._response import APIResponse
from ._types import NotGiven, TimeoutTypes

__all__ = ["AsyncSender", "Sender"]

_T = TypeVar("_T")

log = logging.getLogger("agentkit")


def _count_failed(exc: Exception) -> None:
    log.debug("count_tokens failed (%s); the request's size estimates its input", exc)


def _settle(
    limiter: RateLimiter, ticket: Ticket, effect: Send, response: httpx.Response, unread: bool
) -> None:
    """Settle an attempt's reservation; a stream's is corrected again when the stream ends."""
    body = None if unread else response.content
    limiter.settle(ticket, response.status_code, response.headers, body)
    if unread and effect.request.stream:
        hold_for_stream(response, StreamSettlement(limiter, ticket))


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
        response, retries = drive(flow, self.performer(timeout, defer_read))
        return APIResponse(response, parser, retries_taken=retries)

    def performer(
        self, timeout: TimeoutTypes | NotGiven, defer_read: bool
    ) -> Callable[[RequestEffect], httpx.Response | None]:
        """The interpreter of `request_flow`'s effects for one call."""
        http_timeout = self.client.request_timeout(timeout)
        limiter = self.client.rate_limiter
        counted: list[int | None] = []  # the input counted by count_tokens: once per call

        def perform(effect: RequestEffect) -> httpx.Response | None:
            if isinstance(effect, Sleep):
                sleep(effect)
                if limiter is not None:
                    limiter.note_retry_wait(effect.seconds)
                return None
            request = self.client.build_attempt(self.http, effect, http_timeout)
            ticket = self.reserve(limiter, effect, counted, timeout)
            try:
                response = self.http.send(request, stream=True)
                unread = (defer_read or effect.request.stream) and response.is_success
                if not unread:
                    reader = self.client.body_reader(response)
                    try:
                        for chunk in response.iter_bytes():
                            reader.add(chunk)
                    finally:
                        response.close()
                    reader.store()
            except Exception as exc:  # any send failure, as the official SDK catches
                if ticket is not None and limiter is not None:
                    limiter.release(ticket)
                self.client.raise_send_failure(exc, request)
            if ticket is not None and limiter is not None:
                _settle(limiter, ticket, effect, response, unread)
            return response

        return perform

    def reserve(
        self,
        limiter: RateLimiter | None,
        effect: Send,
        counted: list[int | None],
        timeout: TimeoutTypes | NotGiven,
    ) -> Ticket | None:
        """Wait for room for a paced attempt and take it (None: not paced).

        `counted`: the call's input counted by `count_tokens`, filled on its first attempt.
        """
        if limiter is None or not limiter.paces(effect):
            return None
        cost = limiter.estimate(effect)
        if limiter.count_tokens:
            if not counted:
                counted.append(self.count_input(limiter, effect, timeout))
            cost = limiter.counted(cost, counted[0])
        return limiter.acquire(cost)

    def count_input(
        self, limiter: RateLimiter, effect: Send, timeout: TimeoutTypes | NotGiven
    ) -> int | None:
        """A message request's input tokens by `count_tokens` (None when counting failed)."""
        from ._base_client import model_parser
        from .types.message import MessageTokensCount

        try:
            prepared, _ = prepare_count_tokens(self.client, limiter.count_request(effect))
            parser = model_parser(MessageTokensCount)
            return self.request(prepared, parser, timeout=timeout).parse().input_tokens
        except Exception as exc:  # an estimate: the message request goes on without it
            _count_failed(exc)
            return None


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
        response, retries = await adrive(flow, self.performer(timeout, defer_read))
        return APIResponse(response, parser, retries_taken=retries)

    def performer(
        self, timeout: TimeoutTypes | NotGiven, defer_read: bool
    ) -> Callable[[RequestEffect], Awaitable[httpx.Response | None]]:
        """See `Sender.performer`."""
        http_timeout = self.client.request_timeout(timeout)
        limiter = self.client.rate_limiter
        counted: list[int | None] = []  # the input counted by count_tokens: once per call

        async def perform(effect: RequestEffect) -> httpx.Response | None:
            if isinstance(effect, Sleep):
                await asleep(effect)
                if limiter is not None:
                    limiter.note_retry_wait(effect.seconds)
                return None
            request = self.client.build_attempt(self.http, effect, http_timeout)
            ticket = await self.reserve(limiter, effect, counted, timeout)
            try:
                response = await self.http.send(request, stream=True)
                unread = (defer_read or effect.request.stream) and response.is_success
                if not unread:
                    reader = self.client.body_reader(response)
                    try:
                        async for chunk in response.aiter_bytes():
                            reader.add(chunk)
                    finally:
                        await response.aclose()
                    reader.store()
            except BaseException as exc:  # cancelled too: the reservation is given back
                if ticket is not None and limiter is not None:
                    limiter.release(ticket)
                if not isinstance(exc, Exception):
                    raise
                self.client.raise_send_failure(exc, request)  # any failure, as the SDK catches
            if ticket is not None and limiter is not None:
                _settle(limiter, ticket, effect, response, unread)
            return response

        return perform

    async def reserve(
        self,
        limiter: RateLimiter | None,
        effect: Send,
        counted: list[int | None],
        timeout: TimeoutTypes | NotGiven,
    ) -> Ticket | None:
        """See `Sender.reserve`."""
        if limiter is None or not limiter.paces(effect):
            return None
        cost = limiter.estimate(effect)
        if limiter.count_tokens:
            if not counted:
                counted.append(await self.count_input(limiter, effect, timeout))
            cost = limiter.counted(cost, counted[0])
        return await limiter.aacquire(cost)

    async def count_input(
        self, limiter: RateLimiter, effect: Send, timeout: TimeoutTypes | NotGiven
    ) -> int | None:
        """See `Sender.count_input`."""
        from ._base_client import model_parser
        from .types.message import MessageTokensCount

        try:
            prepared, _ = prepare_count_tokens(self.client, limiter.count_request(effect))
            parser = model_parser(MessageTokensCount)
            response = await self.request(prepared, parser, timeout=timeout)
            return response.parse().input_tokens
        except Exception as exc:  # an estimate: the message request goes on without it
            _count_failed(exc)
            return None
