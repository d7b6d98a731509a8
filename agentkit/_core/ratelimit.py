"""Rate limits as the API keeps them: a continuously refilled token bucket per limit (no I/O).

The API limits requests, input tokens and output tokens per minute (RPM, ITPM, OTPM; older
models a combined token limit), each a bucket that refills continuously at `limit / 60` per
second up to `limit`. Output tokens are estimated from `max_tokens` when a request starts and
corrected when it ends (PROTOCOL §12). `Buckets` mirrors that on the client: `reserve` takes a
request's estimated cost before it is sent (or says how long to wait), `settle` corrects it with
the real usage, `learn` takes the limits and what is left from the `anthropic-ratelimit-*`
headers (less what requests the server had not seen yet will take), and `pause` holds every
request back after a 429. Time is passed in (seconds on any
monotonic clock); the same buckets serve the offline models (`agentkit.testing.RateLimits`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .headers import header_int as _int

__all__ = [
    "FAMILIES",
    "Bucket",
    "Buckets",
    "Clock",
    "Cost",
    "InFlight",
    "limits_from_headers",
    "usage_from_body",
]

FAMILIES = ("requests", "tokens", "input_tokens", "output_tokens")
"""The limits, by the name of their `anthropic-ratelimit-<family>-*` headers (with `_`)."""

TOKEN_ROUNDING = 500
"""The API rounds the tokens remaining to the nearest thousand: what it says is +-500 exact."""

PRECISION = 1e-6
"""Less than this is nothing missing: a wait too short for a float clock to move would never end."""


class Clock(Protocol):
    """Where a rate limiter gets the time and waits (real, accelerated or virtual)."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""

    def sleep_until(self, deadline: float) -> None:
        """Block until `now() >= deadline`."""

    async def asleep_until(self, deadline: float) -> None:
        """Wait (without blocking the event loop) until `now() >= deadline`."""


@dataclass(frozen=True)
class Cost:
    """What one request takes from the buckets."""

    requests: int = 1
    input_tokens: int = 0
    output_tokens: int = 0

    def of(self, family: str) -> int:
        """The cost in one family's unit (`tokens`: input and output together)."""
        if family == "tokens":
            return self.input_tokens + self.output_tokens
        value: int = getattr(self, family)
        return value


@dataclass
class Bucket:
    """One limit: `limit` per minute, refilled continuously.

    Attributes:
        limit: The most the bucket holds (the per-minute limit).
        level: What is in it now (may go below 0 when real usage exceeded the estimate).
        updated: When `level` was last brought up to date.
    """

    limit: float
    level: float
    updated: float

    @property
    def rate(self) -> float:
        """Refill per second."""
        return self.limit / 60.0

    def refill(self, now: float) -> None:
        """Bring the level up to `now`."""
        if now > self.updated:
            self.level = min(self.limit, self.level + (now - self.updated) * self.rate)
            self.updated = now

    def wait_for(self, amount: float) -> float:
        """Seconds until `amount` is available (an amount over the limit waits for a full one)."""
        missing = min(amount, self.limit) - self.level
        if missing <= PRECISION or self.rate <= 0:
            return 0.0
        return missing / self.rate

    def seconds_to_full(self) -> float:
        """Seconds until the bucket is full (what `*-reset` headers announce)."""
        return max(0.0, (self.limit - self.level) / self.rate) if self.rate > 0 else 0.0


@dataclass
class Buckets:
    """The buckets of one set of limits, and a pause after a 429.

    Args:
        limits: Per-minute limits by family (`requests`, `input_tokens`, `output_tokens`,
            `tokens`), set by hand; limits learned from headers are added by `learn`.
        now: The current time, for the buckets' start (full).
    """

    buckets: dict[str, Bucket] = field(default_factory=dict)
    configured: dict[str, float] = field(default_factory=dict)
    paused_until: float = 0.0

    @classmethod
    def of(cls, limits: Mapping[str, float | None], now: float) -> Buckets:
        """Buckets for the limits given by hand (None: not limited), full at `now`."""
        configured = {name: float(value) for name, value in limits.items() if value is not None}
        for name, value in configured.items():
            if name not in FAMILIES:
                raise ValueError(f"unknown rate limit {name!r}; known: {', '.join(FAMILIES)}")
            if value <= 0:
                raise ValueError(f"the {name} limit must be positive, got {value!r}")
        buckets = {name: Bucket(value, value, now) for name, value in configured.items()}
        return cls(buckets=buckets, configured=configured)

    def wait(self, now: float, cost: Cost) -> float:
        """Seconds until `cost` fits every bucket (0: it fits now) and any pause is over."""
        longest = max(0.0, self.paused_until - now)
        for name, bucket in self.buckets.items():
            bucket.refill(now)
            longest = max(longest, bucket.wait_for(cost.of(name)))
        return longest

    def reserve(self, now: float, cost: Cost) -> float:
        """Take `cost` if it fits now (returns 0.0); else the seconds to wait (nothing taken)."""
        seconds = self.wait(now, cost)
        if seconds <= 0:
            for name, bucket in self.buckets.items():
                bucket.level -= min(cost.of(name), bucket.limit)
        return seconds

    def settle(self, now: float, reserved: Cost, actual: Cost, charged: Collection[str]) -> None:
        """Correct a reservation with what the request really cost (refunds, or takes more).

        `charged`: the buckets the reservation was taken from (those there at the time).
        """
        for name, bucket in self.buckets.items():
            if name not in charged:
                continue
            bucket.refill(now)
            taken = min(reserved.of(name), bucket.limit)
            bucket.level = min(bucket.limit, bucket.level + taken - actual.of(name))

    def pause(self, now: float, seconds: float) -> None:
        """Hold every request back for `seconds` (a 429's `retry-after`)."""
        self.paused_until = max(self.paused_until, now + max(0.0, seconds))

    def learn(
        self,
        now: float,
        limits: Mapping[str, tuple[int, int | None]],
        unseen: Cost | None = None,
        *,
        in_flight: Cost | None = None,
    ) -> None:
        """Take limits and what remains from a response's headers (`limits_from_headers`).

        The level is brought down to what remains, less `unseen`: what the requests sent after
        the answered one and not answered yet reserved (`InFlight.after`). The server most
        likely had not admitted them when it counted what remains; a level set to what the
        server said without them would forget them, and the next requests would overshoot.
        Given `in_flight` (every request not answered yet; given for the newest figure: no
        request sent later has been answered yet) the level is also raised to what remains
        less all of them and less the API's rounding of tokens to the nearest thousand, a
        figure that holds whichever of them the server had counted: so a level that counted
        a request twice is corrected, and no error lasts. A limit set by hand stays the
        ceiling, and its level is only ever lowered.

        The `tokens-*` headers are not learned as a limit of their own when input and output
        limits are given: they restate those two (the most restrictive, or their sum), and a
        bucket charged input and output together would run below the input bucket by every
        request's output, pacing below the real limit.
        """
        if "input_tokens" in limits or "output_tokens" in limits:
            limits = {name: value for name, value in limits.items() if name != "tokens"}
        for name, (limit, remaining) in limits.items():
            if limit <= 0:
                continue
            ceiling = min(float(limit), self.configured.get(name, float(limit)))
            bucket = self.buckets.get(name)
            pending = unseen.of(name) if unseen is not None else 0
            left = ceiling if remaining is None else float(remaining) - pending
            if bucket is None:
                self.buckets[name] = Bucket(ceiling, min(ceiling, left), now)
                continue
            bucket.refill(now)
            bucket.limit = ceiling
            level = min(bucket.level, left)
            if in_flight is not None and remaining is not None and name not in self.configured:
                rounding = 0 if name == "requests" else TOKEN_ROUNDING
                level = max(level, float(remaining) - rounding - in_flight.of(name))
            bucket.level = min(level, ceiling)


class InFlight:
    """The reservations of requests sent and not answered yet, in the order they were taken."""

    def __init__(self) -> None:
        self._costs: dict[int, Cost] = {}
        self._next = 0

    def __len__(self) -> int:
        return len(self._costs)

    def add(self, cost: Cost) -> int:
        """Note a reservation; its number (reservations taken later have larger ones)."""
        number = self._next
        self._next += 1
        self._costs[number] = cost
        return number

    def remove(self, number: int) -> None:
        """Forget a reservation (answered, or given back); a second removal does nothing."""
        self._costs.pop(number, None)

    def after(self, number: int) -> Cost:
        """What the reservations taken after `number` and still in flight add up to."""
        later = []
        for key in reversed(self._costs):  # numbered in order: the later ones come last
            if key <= number:
                break
            later.append(self._costs[key])
        return Cost(
            requests=sum(cost.requests for cost in later),
            input_tokens=sum(cost.input_tokens for cost in later),
            output_tokens=sum(cost.output_tokens for cost in later),
        )


def limits_from_headers(headers: Mapping[str, str]) -> dict[str, tuple[int, int | None]]:
    """`{family: (limit, remaining)}` from the `anthropic-ratelimit-*` headers present."""
    found: dict[str, tuple[int, int | None]] = {}
    for family in FAMILIES:
        prefix = "anthropic-ratelimit-" + family.replace("_", "-")
        limit = _int(headers.get(prefix + "-limit"))
        if limit is not None:
            found[family] = (limit, _int(headers.get(prefix + "-remaining")))
    return found


_USAGE = re.compile(rb'"(input_tokens|output_tokens|cache_creation_input_tokens)"\s*:\s*(\d+)')


def usage_from_body(body: bytes) -> Cost | None:
    """The rate-limited usage of a message response body, without parsing all of it.

    Input counts uncached input and cache writes (cache reads do not count towards ITPM).
    """
    start = body.rfind(b'"usage"')
    if start == -1:
        return None
    end = body.find(b"}", start)
    counts = {m.group(1): int(m.group(2)) for m in _USAGE.finditer(body, start, end)}
    if b"output_tokens" not in counts:
        return None
    return Cost(
        input_tokens=counts.get(b"input_tokens", 0) + counts.get(b"cache_creation_input_tokens", 0),
        output_tokens=counts[b"output_tokens"],
    )
