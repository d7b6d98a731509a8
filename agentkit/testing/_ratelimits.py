"""Rate limits for offline models, as the API enforces them; clocks for tests and benchmarks.

`RateLimits` keeps a continuously refilled bucket per limit (the same sans-IO `Buckets` the
client's `RateLimiter` uses), answers every request with the real `anthropic-ratelimit-*`
headers, and a request that does not fit with `429 rate_limit_error` and `retry-after`.
Output tokens are taken as `max_tokens` when a request is admitted and corrected to the real
output when it is answered, as the API does. Time comes from a clock: `VirtualClock` (moves only
when someone waits: tests run in milliseconds) or `ScaledClock` (real time, sped up).
"""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timedelta, timezone

import anyio
import anyio.lowlevel

from .._core.ratelimit import Buckets, Clock, Cost

__all__ = ["RateLimits", "ScaledClock", "VirtualClock"]


class VirtualClock:
    """A clock that stands still until someone waits; waiting moves it to the deadline.

    Share one between an offline model's `RateLimits` and a `RateLimiter` so a test of a
    minute of traffic runs in milliseconds.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        """The virtual time, in seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        with self._lock:
            self._now += max(0.0, seconds)

    def sleep_until(self, deadline: float) -> None:
        """Move the clock to the deadline (if it is not there yet), at once."""
        with self._lock:
            self._now = max(self._now, deadline)

    async def asleep_until(self, deadline: float) -> None:
        """Move the clock to the deadline, letting other tasks run first."""
        await anyio.lowlevel.checkpoint()
        self.sleep_until(deadline)


class ScaledClock:
    """Real time sped up `speed` times (for benchmarks: a minute of limits in seconds)."""

    def __init__(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed!r}")
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> float:
        """Scaled seconds since the clock was made."""
        return (time.monotonic() - self._origin) * self.speed

    def sleep_until(self, deadline: float) -> None:
        """Block until the scaled deadline."""
        seconds = (deadline - self.now()) / self.speed
        if seconds > 0:
            time.sleep(seconds)

    async def asleep_until(self, deadline: float) -> None:
        """Wait until the scaled deadline."""
        seconds = (deadline - self.now()) / self.speed
        if seconds > 0:
            await anyio.sleep(seconds)

    def real_seconds(self, seconds: float) -> float:
        """A scaled duration in real seconds."""
        return seconds / self.speed


class RateLimits:
    """Rate limits an offline model enforces (`MockModel(rate_limits=...)`, `agentkit serve`).

    Args:
        requests_per_minute: Requests per minute (None: not limited).
        input_tokens_per_minute: Input tokens per minute (by the offline counting rule).
        output_tokens_per_minute: Output tokens per minute (`max_tokens` while answering).
        clock: The time (default: the real clock); a `VirtualClock` for fast tests.

    Attributes:
        rejected: Requests answered 429 so far.
        admitted: Requests let through so far.
    """

    def __init__(
        self,
        *,
        requests_per_minute: float | None = None,
        input_tokens_per_minute: float | None = None,
        output_tokens_per_minute: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        from .._ratelimit import SystemClock

        self.clock: Clock = clock if clock is not None else SystemClock()
        self._lock = threading.Lock()
        self._buckets = Buckets.of(
            {
                "requests": requests_per_minute,
                "input_tokens": input_tokens_per_minute,
                "output_tokens": output_tokens_per_minute,
            },
            self.clock.now(),
        )
        self.rejected = 0
        self.admitted = 0

    def admit(self, input_tokens: int, max_tokens: int) -> tuple[Cost | None, float]:
        """Take a request's cost (returns it), or refuse it: (None, seconds to wait)."""
        cost = Cost(requests=1, input_tokens=input_tokens, output_tokens=max_tokens)
        with self._lock:
            wait = self._buckets.reserve(self.clock.now(), cost)
            if wait > 0:
                self.rejected += 1
                return None, wait
            self.admitted += 1
            return cost, 0.0

    def settle(self, cost: Cost, output_tokens: int) -> None:
        """Correct an admitted request's output tokens to what it really produced."""
        actual = Cost(requests=1, input_tokens=cost.input_tokens, output_tokens=output_tokens)
        with self._lock:
            self._buckets.settle(self.clock.now(), cost, actual, tuple(self._buckets.buckets))

    def headers(self) -> dict[str, str]:
        """The `anthropic-ratelimit-*` headers of the state now (`tokens-*`: the tighter)."""
        now_wall = datetime.now(timezone.utc)
        headers: dict[str, str] = {}
        with self._lock:
            now = self.clock.now()
            states = {}
            for name, bucket in self._buckets.buckets.items():
                bucket.refill(now)
                states[name] = (bucket.limit, max(0.0, bucket.level), bucket.seconds_to_full())
        token_states = [states[n] for n in ("input_tokens", "output_tokens") if n in states]
        if token_states:
            states["tokens"] = min(token_states, key=lambda s: s[1] / s[0])
        for name, (limit, level, to_full) in states.items():
            prefix = "anthropic-ratelimit-" + name.replace("_", "-")
            reset = now_wall + timedelta(seconds=to_full)
            headers[f"{prefix}-limit"] = str(int(limit))
            headers[f"{prefix}-remaining"] = str(int(level))
            headers[f"{prefix}-reset"] = reset.strftime("%Y-%m-%dT%H:%M:%SZ")
        return headers

    def retry_after(self, seconds: float) -> str:
        """A `retry-after` value: whole seconds, rounded up, as the API sends (at least 1).

        On a `ScaledClock`, real seconds (with decimals), so any client waits the right time.
        """
        real_seconds = getattr(self.clock, "real_seconds", None)
        if real_seconds is not None:
            return f"{real_seconds(seconds):.3f}"
        return str(max(1, math.ceil(seconds)))
