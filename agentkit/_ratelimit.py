"""`RateLimiter`: keeps a program under the account's rate limits, shared by clients and agents.

The buckets and every decision are sans-IO (`agentkit._core.ratelimit.Buckets`); this driver
adds a lock (one limiter serves threads and tasks alike), the clock, and the waiting. The
senders (`agentkit._send`) call it around each attempt of `POST /v1/messages`: `acquire` (or
`aacquire`) before sending, `settle` when the response arrives, `release` when none did. A
streamed response is settled when its stream ends (`StreamSettlement`, held for the stream by
`hold_for_stream` and taken by `agentkit._streaming` with `take_for_stream`).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio

from ._core.effects import Send
from ._core.headers import parse_retry_after
from ._core.ratelimit import Buckets, Clock, Cost, InFlight, limits_from_headers, usage_from_body

if TYPE_CHECKING:
    import httpx

__all__ = ["RateLimiter", "SystemClock", "Ticket"]

RATE_LIMITED_PATHS = frozenset({"/v1/messages"})
"""The requests a limiter paces (count_tokens and batches have limits of their own)."""

DEFAULT_PAUSE = 1.0
"""Seconds every request is held back after a 429 that gave no `retry-after`."""

COUNTED_FIELDS = (
    "model",
    "messages",
    "system",
    "tools",
    "tool_choice",
    "thinking",
    "output_config",
)
"""The fields of a message request that `count_tokens` takes (what makes its input)."""


class SystemClock:
    """The real clock: `time.monotonic()`, `time.sleep`, `anyio.sleep`."""

    def now(self) -> float:
        """Seconds on the monotonic clock."""
        return time.monotonic()

    def sleep_until(self, deadline: float) -> None:
        """Block until the deadline."""
        seconds = deadline - time.monotonic()
        if seconds > 0:
            time.sleep(seconds)

    async def asleep_until(self, deadline: float) -> None:
        """Wait until the deadline without blocking the event loop."""
        seconds = deadline - time.monotonic()
        if seconds > 0:
            await anyio.sleep(seconds)


@dataclass(frozen=True)
class Ticket:
    """A reservation: what was taken, from which buckets, and its number in sending order."""

    cost: Cost
    charged: tuple[str, ...]
    number: int = -1


class RateLimiter:
    """Paces requests to stay under rate limits: a continuously refilled bucket per limit.

    Before each `POST /v1/messages` it reserves the request (one request, its input tokens
    estimated from its size, its `max_tokens` as output tokens) and waits until every bucket
    has room; when the response arrives it settles the real usage (a streamed response when its
    stream ends), and learns the limits and what is left from the `anthropic-ratelimit-*`
    headers. A 429 pauses every request for its
    `retry-after`. Share one limiter across clients and agents that share an account:
    `Anthropic(rate_limiter=limiter)`; thread- and task-safe.

    Args:
        requests_per_minute: A request limit set by hand (else learned from headers).
        input_tokens_per_minute: An input-token limit set by hand.
        output_tokens_per_minute: An output-token limit set by hand.
        tokens_per_minute: A combined token limit (input and output) set by hand.
        clock: Where time comes from (`agentkit.testing.VirtualClock` in tests).
        count_tokens: Estimate each request's input exactly with the count_tokens endpoint
            (`messages.count_tokens` with the request's model, messages, system and tools)
            rather than from its size: one extra request per message request (once per
            call, not per retry), paced by count_tokens' own limit, not these. When counting
            fails the size estimate is used.

    Attributes:
        rate_limited: Requests answered 429 so far.
        waited: Seconds requests spent waiting: for room in the buckets, and before retrying
            after a 429.
    """

    def __init__(
        self,
        *,
        requests_per_minute: float | None = None,
        input_tokens_per_minute: float | None = None,
        output_tokens_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        clock: Clock | None = None,
        count_tokens: bool = False,
    ) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.count_tokens = count_tokens
        self._lock = threading.Lock()
        self._buckets = Buckets.of(
            {
                "requests": requests_per_minute,
                "input_tokens": input_tokens_per_minute,
                "output_tokens": output_tokens_per_minute,
                "tokens": tokens_per_minute,
            },
            self.clock.now(),
        )
        self._in_flight = InFlight()
        self._answered = -1  # the number of the latest reservation answered
        self.rate_limited = 0
        self.waited = 0.0

    @property
    def limits(self) -> dict[str, float]:
        """The limits in effect (per minute), by family: set by hand or learned."""
        with self._lock:
            return {name: bucket.limit for name, bucket in self._buckets.buckets.items()}

    def __repr__(self) -> str:
        limits = ", ".join(f"{name}={value:g}/min" for name, value in self.limits.items())
        return f"RateLimiter({limits or 'limits not known yet'})"

    @staticmethod
    def paces(send: Send) -> bool:
        """Whether this request goes through the limiter."""
        return send.request.path in RATE_LIMITED_PATHS

    @staticmethod
    def estimate(send: Send) -> Cost:
        """A request's cost before it is sent: its size in tokens, its `max_tokens` as output.

        About four bytes of request JSON per token: an over-estimate for text (settled when
        the response arrives), a large one for images and documents.
        """
        body = send.request.body or {}
        max_tokens = body.get("max_tokens")
        output = max_tokens if isinstance(max_tokens, int) and max_tokens > 0 else 0
        size = len(send.content or b"")
        return Cost(requests=1, input_tokens=max(1, size // 4), output_tokens=output)

    @staticmethod
    def count_request(send: Send) -> dict[str, Any]:
        """The `count_tokens` parameters of a message request: its input, and its betas."""
        body = send.request.body or {}
        params = {name: body[name] for name in COUNTED_FIELDS if name in body}
        beta = send.request.headers.get("anthropic-beta")
        if beta:
            params["extra_headers"] = {"anthropic-beta": beta}
        return params

    @staticmethod
    def counted(cost: Cost, input_tokens: int | None) -> Cost:
        """`cost` with the input counted by `count_tokens` (None: not counted, kept as is)."""
        if input_tokens is None:
            return cost
        return Cost(cost.requests, max(1, input_tokens), cost.output_tokens)

    def _try(self, cost: Cost) -> tuple[float, Ticket | None]:
        with self._lock:
            now = self.clock.now()
            wait = self._buckets.reserve(now, cost)
            if wait <= 0:
                number = self._in_flight.add(cost)
                return now, Ticket(cost, tuple(self._buckets.buckets), number)
            return now + wait, None

    def acquire(self, cost: Cost) -> Ticket:
        """Wait until `cost` fits, and take it."""
        started = self.clock.now()
        while True:
            deadline, ticket = self._try(cost)
            if ticket is not None:
                self._note_wait(deadline - started)
                return ticket
            self.clock.sleep_until(deadline)

    async def aacquire(self, cost: Cost) -> Ticket:
        """Wait (without blocking the event loop) until `cost` fits, and take it."""
        started = self.clock.now()
        while True:
            deadline, ticket = self._try(cost)
            if ticket is not None:
                self._note_wait(deadline - started)
                return ticket
            await self.clock.asleep_until(deadline)

    def settle(
        self, ticket: Ticket, status: int, headers: Mapping[str, str], body: bytes | None
    ) -> None:
        """Correct the reservation with the response (`body`: None when not read, a stream)."""
        actual = ticket.cost
        if 200 <= status < 300:
            if body is not None:
                actual = usage_from_body(body) or ticket.cost
        else:
            actual = Cost(requests=1)  # refused: no tokens used
        with self._lock:
            now = self.clock.now()
            self._in_flight.remove(ticket.number)
            self._buckets.settle(now, ticket.cost, actual, ticket.charged)
            if status == 429:
                self.rate_limited += 1
                retry_after = parse_retry_after(headers)
                self._buckets.pause(now, DEFAULT_PAUSE if retry_after is None else retry_after)
            unseen = self._in_flight.after(ticket.number)
            newest = ticket.number > self._answered
            self._answered = max(self._answered, ticket.number)
            in_flight = self._in_flight.after(-1) if newest else None
            self._buckets.learn(now, limits_from_headers(headers), unseen, in_flight=in_flight)

    def release(self, ticket: Ticket) -> None:
        """Give back a reservation whose request got no response."""
        with self._lock:
            self._in_flight.remove(ticket.number)
            self._buckets.settle(self.clock.now(), ticket.cost, Cost(requests=1), ticket.charged)

    def correct(self, ticket: Ticket, actual: Cost) -> None:
        """Correct a reservation already settled with the estimate (a stream, at its end)."""
        with self._lock:
            self._buckets.settle(self.clock.now(), ticket.cost, actual, ticket.charged)

    def note_retry_wait(self, seconds: float) -> None:
        """Count a wait before retrying a request (after a 429, say)."""
        self._note_wait(seconds)

    def _note_wait(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self.waited += seconds


class StreamSettlement:
    """A streamed response's reservation, corrected once when its stream ends.

    `observe` takes the usage of each event (`message_start`, then the cumulative counts of
    `message_delta`); `finish` settles with the last usage seen, the final one when the stream
    completed. A stream that ends before any usage (failed, or closed unread) gives its tokens
    back; one cut short is charged what it had used so far.
    """

    def __init__(self, limiter: RateLimiter, ticket: Ticket) -> None:
        self._limiter = limiter
        self._ticket = ticket
        self._input: int | None = None
        self._output: int | None = None
        self._done = False

    def observe(self, events: Iterable[Any]) -> None:
        """Note the usage in stream events (`RawMessageStreamEvent`s)."""
        for event in events:
            kind = event.type
            if kind == "message_start":
                usage = event.message.usage
                self._input = usage.input_tokens + (usage.cache_creation_input_tokens or 0)
                self._output = usage.output_tokens
            elif kind == "message_delta":
                delta = event.usage
                self._output = delta.output_tokens
                if delta.input_tokens is not None:
                    cached = delta.cache_creation_input_tokens or 0
                    self._input = delta.input_tokens + cached

    def finish(self) -> None:
        """Settle with the usage seen, once (later calls do nothing)."""
        if self._done:
            return
        self._done = True
        if self._input is None and self._output is None:
            self._limiter.release(self._ticket)
            return
        actual = Cost(requests=1, input_tokens=self._input or 0, output_tokens=self._output or 0)
        self._limiter.correct(self._ticket, actual)


_held: weakref.WeakKeyDictionary[httpx.Response, StreamSettlement] = weakref.WeakKeyDictionary()
_held_lock = threading.Lock()


def hold_for_stream(response: httpx.Response, settlement: StreamSettlement) -> None:
    """Keep a streamed response's settlement until its stream takes it."""
    with _held_lock:
        _held[response] = settlement


def take_for_stream(response: httpx.Response) -> StreamSettlement | None:
    """The settlement held for a streamed response, if its request was paced."""
    with _held_lock:
        return _held.pop(response, None)
