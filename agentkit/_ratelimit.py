"""`RateLimiter`: keeps a program under the account's rate limits, shared by clients and agents.

The buckets and every decision are sans-IO (`agentkit._core.ratelimit.Buckets`); this driver
adds a lock (one limiter serves threads and tasks alike), the clock, and the waiting. The
senders (`agentkit._send`) call it around each attempt of `POST /v1/messages`: `acquire` (or
`aacquire`) before sending, `settle` when the response arrives, `release` when none did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import anyio

from ._core.effects import Send
from ._core.headers import parse_retry_after
from ._core.ratelimit import Buckets, Clock, Cost, limits_from_headers, usage_from_body

__all__ = ["RateLimiter", "SystemClock", "Ticket"]

RATE_LIMITED_PATHS = frozenset({"/v1/messages"})
"""The requests a limiter paces (count_tokens and batches have limits of their own)."""

DEFAULT_PAUSE = 1.0
"""Seconds every request is held back after a 429 that gave no `retry-after`."""


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
    """A reservation: what was taken, and from which buckets."""

    cost: Cost
    charged: tuple[str, ...]


class RateLimiter:
    """Paces requests to stay under rate limits: a continuously refilled bucket per limit.

    Before each `POST /v1/messages` it reserves the request (one request, its input tokens
    estimated from its size, its `max_tokens` as output tokens) and waits until every bucket
    has room; when the response arrives it settles the real usage, and learns the limits and
    what is left from the `anthropic-ratelimit-*` headers. A 429 pauses every request for its
    `retry-after`. Share one limiter across clients and agents that share an account:
    `Anthropic(rate_limiter=limiter)`; thread- and task-safe.

    Args:
        requests_per_minute: A request limit set by hand (else learned from headers).
        input_tokens_per_minute: An input-token limit set by hand.
        output_tokens_per_minute: An output-token limit set by hand.
        tokens_per_minute: A combined token limit (input and output) set by hand.
        clock: Where time comes from (`agentkit.testing.VirtualClock` in tests).

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
    ) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
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

    def _try(self, cost: Cost) -> tuple[float, Ticket | None]:
        with self._lock:
            now = self.clock.now()
            wait = self._buckets.reserve(now, cost)
            if wait <= 0:
                return now, Ticket(cost, tuple(self._buckets.buckets))
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
            self._buckets.settle(now, ticket.cost, actual, ticket.charged)
            if status == 429:
                self.rate_limited += 1
                retry_after = parse_retry_after(headers)
                self._buckets.pause(now, DEFAULT_PAUSE if retry_after is None else retry_after)
            self._buckets.learn(now, limits_from_headers(headers))

    def release(self, ticket: Ticket) -> None:
        """Give back a reservation whose request got no response."""
        with self._lock:
            self._buckets.settle(self.clock.now(), ticket.cost, Cost(requests=1), ticket.charged)

    def note_retry_wait(self, seconds: float) -> None:
        """Count a wait before retrying a request (after a 429, say)."""
        self._note_wait(seconds)

    def _note_wait(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self.waited += seconds
