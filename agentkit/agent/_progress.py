"""A one-line live progress display for `agent.map` (stderr, on a terminal only).

Small on purpose: one line rewritten in place (a carriage return), at most ten times a second,
and a final line when the map ends. No dependency: tqdm and rich would add a package (and,
for rich, a sizeable import) for one line of text.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .._core.mapping import MapSummary

__all__ = ["ProgressLine", "wants_progress"]


def wants_progress(progress: bool | None, stream: TextIO) -> bool:
    """Whether to show progress: as asked, or (None) when `stream` is a terminal."""
    if progress is not None:
        return progress
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class ProgressLine:
    """Renders done/total, running, failed, rate, ETA, tokens and rate-limit waits."""

    def __init__(self, total: int | None, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self._shown = 0.0
        self._width = 0
        self.note = ""
        """Shown at the end of the line when set (a batch-mode map: its batches' state)."""

    def update(self, summary: MapSummary, running: int, *, final: bool = False) -> None:
        """Show the state now (throttled unless `final`)."""
        now = time.monotonic()
        if not final and now - self._shown < 0.1:
            return
        self._shown = now
        line = self.render(summary, running, now - self.started)
        padding = " " * max(0, self._width - len(line))
        self._width = len(line)
        self.stream.write(f"\r{line}{padding}" + ("\n" if final else ""))
        self.stream.flush()

    def render(self, summary: MapSummary, running: int, elapsed: float) -> str:
        """The progress line's text."""
        done = summary.finished + summary.skipped
        total = f"/{self.total}" if self.total is not None else ""
        rate = summary.finished / elapsed if elapsed > 0 else 0.0
        parts = [f"{done}{total} done", f"{running} running", f"{summary.failed} failed"]
        parts.append(f"{rate:.1f}/s")
        if self.total is not None and rate > 0:
            parts.append(f"ETA {_duration(max(0, self.total - done) / rate)}")
        usage = summary.usage
        tokens_in, tokens_out = _count(usage.total_input_tokens), _count(usage.output_tokens)
        parts.append(f"tokens {tokens_in} in/{tokens_out} out")
        if summary.rate_limited or summary.rate_limit_wait:
            parts.append(
                f"rate-limit waits {summary.rate_limit_wait:.1f}s ({summary.rate_limited} x 429)"
            )
        if self.note:
            parts.append(self.note)
        return " | ".join(parts)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _count(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return str(value)
