"""The drivers of the request protocol: `Sender` (sync) and `AsyncSender`.

The protocol (send, and on a retryable failure wait and send again) is written once, as
`agentkit._core.flows.request_flow`; a sender only performs its effects: `Send` one attempt
(translating any transport failure into `APIConnectionError` at this one boundary) and `Sleep`.
The resources (`messages`) and the stream helper send through their client's sender.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from ._base_client import BaseClient
from ._core.effects import RequestEffect, Sleep
from ._core.flows import request_flow
from ._core.request import PreparedRequest
from ._drive import adrive, asleep, drive, sleep
from ._response import APIResponse
from ._types import NotGiven, TimeoutTypes

__all__ = ["AsyncSender", "Sender"]

_T = TypeVar("_T")


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

        def perform(effect: RequestEffect) -> httpx.Response | None:
            if isinstance(effect, Sleep):
                sleep(effect)
                if limiter is not None:
                    limiter.note_retry_wait(effect.seconds)
                return None
            request = self.client.build_attempt(self.http, effect, http_timeout)
            paced = limiter is not None and limiter.paces(effect)
            ticket = limiter.acquire(limiter.estimate(effect)) if paced and limiter else None
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
                body = None if unread else response.content
                limiter.settle(ticket, response.status_code, response.headers, body)
            return response

        return perform


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

        async def perform(effect: RequestEffect) -> httpx.Response | None:
            if isinstance(effect, Sleep):
                await asleep(effect)
                if limiter is not None:
                    limiter.note_retry_wait(effect.seconds)
                return None
            request = self.client.build_attempt(self.http, effect, http_timeout)
            paced = limiter is not None and limiter.paces(effect)
            ticket = await limiter.aacquire(limiter.estimate(effect)) if paced and limiter else None
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
                body = None if unread else response.content
                limiter.settle(ticket, response.status_code, response.headers, body)
            return response

        return perform
