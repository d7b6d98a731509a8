"""`RandomFaults`: faults at configurable rates, reproducible from a seed (for soak tests)."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

from ._replies import Fault, ModelRequest

__all__ = ["RandomFaults"]


@dataclass(frozen=True)
class RandomFaults:
    """Pass as `faults=` to any model: each request draws at most one fault.

    Rates are probabilities per request; stream-only faults (cuts, error events) are drawn only
    for streaming requests. The draw for request `i` depends only on `seed` and `i`, so a run
    can be replayed exactly.

    Attributes:
        seed: Makes the sequence of faults reproducible.
        rate_429: 429 `rate_limit_error` with `retry-after`.
        rate_500: 500 `api_error`.
        rate_529: 529 `overloaded_error`.
        rate_no_retry: 529 with `x-should-retry: false` (the client must not retry).
        rate_reset: connection reset before any response.
        rate_slow: an answer slower than the client's timeout (`slow_delay` seconds).
        rate_cut: a stream cut in the middle (after its first content delta).
        rate_error_early: an `error` event before the first content delta.
        rate_error_late: an `error` event after content was delivered.
        retry_after: Seconds in `retry-after` headers.
        slow_delay: Seconds a slow answer waits.
    """

    seed: int = 0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_529: float = 0.0
    rate_no_retry: float = 0.0
    rate_reset: float = 0.0
    rate_slow: float = 0.0
    rate_cut: float = 0.0
    rate_error_early: float = 0.0
    rate_error_late: float = 0.0
    retry_after: float = 0.001
    slow_delay: float = 1.0

    def __post_init__(self) -> None:
        rates = [getattr(self, f.name) for f in fields(self) if f.name.startswith("rate_")]
        if any(rate < 0 for rate in rates) or sum(rates) > 1:
            raise ValueError("fault rates must be >= 0 and sum to at most 1")

    def __call__(self, index: int, request: ModelRequest) -> Fault | None:
        """The fault for request number `index`, or None."""
        draw = random.Random(self.seed * 1_000_003 + index).random()
        for fault, rate in self._choices(request.stream):
            if draw < rate:
                return fault
            draw -= rate
        return None

    def _choices(self, streaming: bool) -> list[tuple[Fault, float]]:
        wait = self.retry_after
        choices = [
            (Fault(status=429, retry_after=wait), self.rate_429),
            (Fault(status=500), self.rate_500),
            (Fault(status=529, retry_after=wait), self.rate_529),
            (Fault(status=529, should_retry=False), self.rate_no_retry),
            (Fault(reset=True), self.rate_reset),
            (Fault(delay=self.slow_delay), self.rate_slow),
        ]
        if streaming:
            choices += [
                (Fault(cut_after=4), self.rate_cut),
                (Fault(error_event_after=1, error_type="overloaded_error"), self.rate_error_early),
                (Fault(error_event_after=4, error_type="overloaded_error"), self.rate_error_late),
            ]
        return choices
