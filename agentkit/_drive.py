"""The interpreters' shared parts: running a flow of effects, and sleeping.

A flow (see `agentkit._core.effects`) is driven by handing each effect it yields to a
`perform` function and sending the result back (or throwing the failure in). `drive` and
`adrive` do that for flows whose effects need no event to reach the caller; the stream helper
and the agents, which hand events to their caller as they go, interpret their flows in their
own generators.

Every wait goes through `sleep` / `asleep`, so `agentkit.testing.record_sleeps()` can record the
waits instead of sleeping them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anyio

from ._core.effects import Sleep

__all__ = [
    "CallerCodeError",
    "Done",
    "RecordedSleeps",
    "Steps",
    "adrive",
    "advance",
    "asleep",
    "drive",
    "record_sleeps",
    "sleep",
]

_R = TypeVar("_R")
_E = TypeVar("_E")


class CallerCodeError(Exception):
    """An error of the caller's own code, raised inside a transport, on its way to the caller.

    The senders report any failure to send as an `APIConnectionError`; an offline model's
    transport wraps an error of the caller's code (a fault plan, say) in this instead, and the
    sender raises `error` itself.
    """

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True, slots=True)
class Done(Generic[_R]):
    """A flow finished, returning `value`."""

    value: _R


def advance(flow: Generator[_E, Any, _R], value: Any, error: Exception | None) -> _E | Done[_R]:
    """Hand `flow` the last effect's result (or throw its failure in); get its next effect.

    `Done` once the flow has returned; an exception the flow does not handle propagates.
    """
    try:
        return flow.send(value) if error is None else flow.throw(error)
    except StopIteration as stop:
        return Done(stop.value)


def drive(flow: Generator[_E, Any, _R], perform: Callable[[_E], Any]) -> _R:
    """Run `flow` to its end, performing each effect with `perform`."""
    value: Any = None
    error: Exception | None = None
    while not isinstance(effect := advance(flow, value, error), Done):
        try:
            value, error = perform(effect), None
        except Exception as exc:
            value, error = None, exc
    return effect.value


async def adrive(flow: Generator[_E, Any, _R], perform: Callable[[_E], Awaitable[Any]]) -> _R:
    """Run `flow` to its end, performing each effect with the async `perform`."""
    value: Any = None
    error: Exception | None = None
    while not isinstance(effect := advance(flow, value, error), Done):
        try:
            value, error = await perform(effect), None
        except Exception as exc:
            value, error = None, exc
    return effect.value


class Steps(Generic[_E, _R]):
    """A flow driven by hand, by an interpreter that hands events to its own caller as it goes.

    Iterating gives the flow's effects; inside `with steps:` the interpreter performs one and
    sets `value` to its result; a failure (an `Exception`) is caught there and thrown into
    the flow instead. Iterating ends when the flow returns:

        steps = Steps(flow)
        for effect in steps:
            with steps:
                steps.value = perform(effect)
    """

    def __init__(self, flow: Generator[_E, Any, _R]) -> None:
        self._flow = flow
        self.value: Any = None
        self._error: Exception | None = None

    def __iter__(self) -> Iterator[_E]:
        while not isinstance(effect := advance(self._flow, self.value, self._error), Done):
            self.value, self._error = None, None
            yield effect

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> bool:
        if isinstance(error, Exception):
            self._error = error
            return True
        return False


@dataclass
class RecordedSleeps:
    """The waits asked for while `record_sleeps()` was active, in seconds, in order.

    Attributes:
        request: Waits before retrying a request.
        stream: Waits before re-sending a stream that failed before its first delta.
        poll: Waits between two polls of a batch (`batches.wait`).
        delay: Delays injected into offline models' answers (`Fault(delay=...)`); one that
            outlasts the request's timeout is recorded as the timeout.
    """

    request: list[float] = field(default_factory=list)
    stream: list[float] = field(default_factory=list)
    poll: list[float] = field(default_factory=list)
    delay: list[float] = field(default_factory=list)

    def record(self, effect: Sleep) -> None:
        """Note one wait."""
        getattr(self, effect.kind).append(effect.seconds)


_recorder: ContextVar[RecordedSleeps | None] = ContextVar("agentkit_sleeps", default=None)


@contextmanager
def record_sleeps() -> Iterator[RecordedSleeps]:
    """Within the block, retry waits (and injected delays) are recorded instead of slept."""
    recorded = RecordedSleeps()
    token = _recorder.set(recorded)
    try:
        yield recorded
    finally:
        _recorder.reset(token)


def sleep(effect: Sleep) -> None:
    """Perform a `Sleep` (or record it)."""
    recorder = _recorder.get()
    if recorder is None:
        time.sleep(effect.seconds)
    else:
        recorder.record(effect)


async def asleep(effect: Sleep) -> None:
    """Perform a `Sleep` (or record it) without blocking the event loop."""
    recorder = _recorder.get()
    if recorder is None:
        await anyio.sleep(effect.seconds)
    else:
        recorder.record(effect)
