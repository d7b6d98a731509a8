"""The effects a protocol asks its driver to perform, and the generator type they come in.

Each protocol that needs I/O in the middle (a request with its retries, the stream helper's
re-send before the first delta, an agent run) is written once, as a generator that yields these
effects and receives their results through `send()` (or a failure through `throw()`). A sync
driver and an async driver interpret them; neither makes a decision of its own. This is the
shape of httpx's auth flows.

| effect       | the driver                                  | result sent back           |
|--------------|---------------------------------------------|----------------------------|
| `Send`       | sends one attempt of a request              | the response (or an error) |
| `Sleep`      | waits                                       | None                       |
| `ReadStream` | reads the current event stream to its end   | None (or the error)        |
| `CallModel`  | calls `messages.create` / `messages.stream` | the `Message`              |
| `CallHook`   | calls a hook (awaiting it if async)         | the hook's return value    |
| `RunTools`   | runs planned tool calls concurrently        | their results              |
| `Emit`       | hands an event to the caller                | None                       |
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

if TYPE_CHECKING:
    from .request import PreparedRequest

__all__ = [
    "CallHook",
    "CallModel",
    "Effect",
    "Emit",
    "Flow",
    "ReadStream",
    "RequestEffect",
    "RequestTiming",
    "RunTools",
    "Send",
    "Sleep",
]

_R = TypeVar("_R")


@dataclass(frozen=True, slots=True)
class Send:
    """Send one attempt of a request.

    Attributes:
        request: What to send.
        content: The encoded body (encoded once per request, reused by every attempt).
    """

    request: PreparedRequest
    content: bytes | None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait before the next attempt.

    Attributes:
        seconds: How long.
        kind: What the wait is for: a request retry, re-sending a failed stream, the pause
            between two polls of a batch, or (in `agentkit.testing`) a delay injected into an
            offline model's answer.
    """

    seconds: float
    kind: Literal["request", "stream", "poll", "delay"] = "request"


@dataclass(frozen=True, slots=True)
class ReadStream:
    """Read the current event stream to its end, handing each event to the caller."""


@dataclass(frozen=True, slots=True)
class RequestTiming:
    """When a driver sent a model request and how long it took (the core has no clock).

    Attributes:
        started_at: Wall-clock start, in seconds since the epoch (`time.time()`).
        duration: Seconds from sending the request to its whole response (or its failure),
            measured with a monotonic clock.
        retries: Retries the request took, if the driver knows.
    """

    started_at: float
    duration: float
    retries: int | None = None


@dataclass(frozen=True, slots=True)
class CallModel:
    """Ask the model for its next message.

    Attributes:
        params: The `messages.create` parameters.
        stream: Stream the response (its text reaches the caller as it arrives).
        relay: For a streamed response, the caller's events for each stream event (by
            default, text and thinking as they are).
        on_timing: Called by the driver with the request's `RequestTiming` once it has
            answered or failed, before the result is sent back (for the run timeline).
    """

    params: dict[str, Any]
    stream: bool = False
    relay: Callable[[Any], Sequence[Any]] | None = None
    on_timing: Callable[[RequestTiming], None] | None = None


@dataclass(frozen=True, slots=True)
class CallHook:
    """Call a user hook (a plain or an async function) with these arguments."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class RunTools:
    """Run one turn's planned tool calls (concurrently) and return their results in order.

    Attributes:
        plans: The planned calls, and the calls already answered (denied, invalid).
        deps: The run's dependencies, for the tools' `ToolContext`.
        messages: The history so far, for the tools' `ToolContext`.
        usage: The run's usage so far, for the tools' `ToolContext`.
        on_result: Called with each call's result as soon as it is known (a journal records
            it before the other calls finish).
    """

    plans: Sequence[Any]
    deps: Any = None
    messages: Sequence[Any] = field(default_factory=list)
    usage: Any = None
    on_result: Callable[[Any], None] | None = None


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand this event to the caller (a streamed run's consumer)."""

    event: Any


Effect: TypeAlias = Send | Sleep | ReadStream | CallModel | CallHook | RunTools | Emit
"""Any effect."""

RequestEffect: TypeAlias = Send | Sleep
"""The effects of the request protocol."""

Flow: TypeAlias = Generator[Effect, Any, _R]
"""A protocol: yields effects, receives their results, returns its own result."""
