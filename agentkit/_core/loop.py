"""The agent loop as a state machine, with no I/O (PROTOCOL §9).

`AgentLoop` decides; the agent's run flow (`AgentBase.run_flow`) turns its steps into effects
for the drivers (`Agent`, `AsyncAgent`). Its `next_step()` returns one of:
- `CallModel(params)` (the effect): send this request, then report the `Message` to
  `on_response()`;
- `RunTools(calls)`: run these tool calls, then report their results to `on_tool_results()`;
- `Finish(result)`: the run is over.

Rules it enforces:
- a `tool_use` turn runs every client tool call and answers with one user message holding one
  `tool_result` per call, in call order, before any other content;
- the assistant turn is echoed verbatim (thinking blocks and signatures included), except that
  a turn which ends the run never leaves a `tool_use` unanswered: its tool calls (e.g. one cut
  off by `max_tokens`, or from a `refusal`) are removed from the stored turn, not executed;
- `pause_turn` sends the turn back unchanged and continues;
- limits (turns, tokens) stop the run only at a point where the history is valid to resend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from .effects import CallModel, RequestTiming
from .tool_calls import ToolCall, ToolResult

if TYPE_CHECKING:
    from ..types.message import Message
    from ..types.params import MessageParam

__all__ = [
    "CONTINUE_REASONS",
    "MAX_PAUSES",
    "STOP_REASONS",
    "AgentLoop",
    "CallModel",
    "Finish",
    "LoopState",
    "RequestRecord",
    "RunTools",
    "RunUsage",
    "ToolCallRecord",
    "UsageLimits",
    "append_user_content",
]

STOP_REASONS = frozenset(
    {"end_turn", "max_tokens", "stop_sequence", "refusal", "model_context_window_exceeded"}
)
"""Stop reasons that end a run (unknown future ones end it too)."""

CONTINUE_REASONS = frozenset({"tool_use", "pause_turn"})
"""Stop reasons after which the loop sends another request."""

MAX_PAUSES = 25
"""Consecutive `pause_turn` responses allowed before the run stops as `max_turns`."""


@dataclass(frozen=True, kw_only=True)
class UsageLimits:
    """Token budgets of a run; a run stops as `"usage_limit"` once one is reached.

    Attributes:
        max_input_tokens: Budget for the run's input tokens (uncached, cache writes and reads).
        max_output_tokens: Budget for the run's output tokens.
        max_total_tokens: Budget for input plus output tokens.
    """

    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    max_total_tokens: int | None = None

    def reached(self, usage: RunUsage) -> bool:
        """Whether `usage` has reached any of the budgets."""
        budgets = (
            (self.max_input_tokens, usage.total_input_tokens),
            (self.max_output_tokens, usage.output_tokens),
            (self.max_total_tokens, usage.total_tokens),
        )
        return any(limit is not None and used >= limit for limit, used in budgets)


@dataclass
class RunUsage:
    """Token usage summed over every request of a run.

    Attributes:
        input_tokens: Uncached input tokens.
        output_tokens: Output tokens.
        cache_creation_input_tokens: Input tokens written to the prompt cache.
        cache_read_input_tokens: Input tokens read from the prompt cache.
        requests: Model requests made.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    requests: int = 0

    @property
    def total_input_tokens(self) -> int:
        """All input tokens: uncached, cache writes and cache reads."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def total_tokens(self) -> int:
        """All input and output tokens."""
        return self.total_input_tokens + self.output_tokens

    def add(self, message: Message) -> None:
        """Add one response's usage."""
        usage = message.usage
        self.input_tokens += usage.input_tokens or 0
        self.output_tokens += usage.output_tokens or 0
        self.cache_creation_input_tokens += usage.cache_creation_input_tokens or 0
        self.cache_read_input_tokens += usage.cache_read_input_tokens or 0
        self.requests += 1

    def __add__(self, other: object) -> RunUsage:
        """The sum of two usages (`sum(usages)` works too: it starts from 0)."""
        if isinstance(other, int) and other == 0:
            return RunUsage(**self.to_dict())
        if not isinstance(other, RunUsage):
            return NotImplemented
        return RunUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_input_tokens=(
                self.cache_creation_input_tokens + other.cache_creation_input_tokens
            ),
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
            requests=self.requests + other.requests,
        )

    __radd__ = __add__

    def to_dict(self) -> dict[str, int]:
        """As JSON-able data."""
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "requests": self.requests,
        }


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool call of a run, as it happened.

    Attributes:
        id: The `tool_use` id.
        name: The tool's name.
        input: The input the model sent (after any hook replaced it).
        result: The `tool_result` content the model received.
        is_error: Whether the model was told the call failed (`result` then says why).
        duration: Seconds the function ran (0 when it never ran).
        started_at: Wall-clock time the function started, in seconds since the epoch (None
            when it never ran, or in a result saved by an older version).
        turn: The turn whose response asked for the call (from 1; 0 when unknown).
        exception: The exception the tool raised, if any (the model read only its
            `Type: message`); not kept by `to_dict()`.
    """

    id: str
    name: str
    input: dict[str, Any]
    result: Any
    is_error: bool
    duration: float
    started_at: float | None = None
    turn: int = 0
    exception: BaseException | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """As JSON-able data."""
        return {
            "id": self.id,
            "name": self.name,
            "input": self.input,
            "result": self.result,
            "is_error": self.is_error,
            "duration": self.duration,
            "started_at": self.started_at,
            "turn": self.turn,
        }


@dataclass(kw_only=True, slots=True)  # not frozen: built on every request, a frozen init is slower
class RequestRecord:
    """One model request of a run, as it happened (what the run timeline shows).

    Attributes:
        turn: The turn it belongs to (from 1; a `pause_turn` continuation shares its turn).
        started_at: Wall-clock start, in seconds since the epoch (None when unknown, e.g. a
            response replayed from a journal).
        duration: Seconds until the whole response arrived (None when unknown).
        retries: Retries the request took (None when unknown).
        message_id: The response's id.
        model: The model that answered.
        stop_reason: The response's stop reason.
        input_tokens: Uncached input tokens.
        output_tokens: Output tokens.
        cache_creation_input_tokens: Input tokens written to the prompt cache.
        cache_read_input_tokens: Input tokens read from the prompt cache.
        message_index: Where the response's assistant turn is in the run's `messages` (None
            when the turn was not stored).
        error: `Type: message` of the error that ended the request (then no response).
    """

    turn: int
    started_at: float | None = None
    duration: float | None = None
    retries: int | None = None
    message_id: str | None = None
    model: str | None = None
    stop_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    message_index: int | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As JSON-able data."""
        return {name: getattr(self, name) for name in _REQUEST_FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RequestRecord:
        """From `to_dict()` data (unknown keys, e.g. from a newer version, are ignored)."""
        return cls(**{k: v for k, v in data.items() if k in _REQUEST_FIELDS})


_REQUEST_FIELDS = tuple(RequestRecord.__dataclass_fields__)


@dataclass
class LoopState:
    """Everything a run has done so far; enough to resume it.

    Attributes:
        messages: The history as message params (JSON-able), valid to send again.
        usage: Token usage so far (`usage.requests` counts every model request).
        turns: Model turns so far, counted as `max_turns` counts them: a `pause_turn`
            continuation is part of the turn it continues.
        tool_calls: Tool calls so far.
        last_message: The last response.
        requests: Model requests so far, with their timings when the driver gave them.
    """

    messages: list[MessageParam] = field(default_factory=list)
    usage: RunUsage = field(default_factory=RunUsage)
    turns: int = 0
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    last_message: Message | None = None
    requests: list[RequestRecord] = field(default_factory=list)


@dataclass(frozen=True)
class RunTools:
    """Run these tool calls (one turn's, in call order)."""

    calls: list[ToolCall]


@dataclass(frozen=True)
class Finish:
    """The run is over; `stop_reason` is the API's, `"max_turns"` or `"usage_limit"`."""

    stop_reason: str
    state: LoopState
    limit_hit: bool = False


def append_user_content(messages: list[MessageParam], content: str | Sequence[Any]) -> None:
    """Add user content to the history, keeping roles alternating.

    A trailing user turn (e.g. tool results of a run stopped at its turn limit) gets the
    content appended after its blocks; otherwise a new user turn is added.
    """
    if messages and messages[-1]["role"] == "user":
        existing: Any = messages[-1]["content"]
        blocks = (
            [{"type": "text", "text": existing}] if isinstance(existing, str) else list(existing)
        )
        extra = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
        merged: Any = {"role": "user", "content": [*blocks, *extra]}
        messages[-1] = merged
    else:
        turn: Any = {"role": "user", "content": content}
        messages.append(turn)


class AgentLoop:
    """One run's decisions.

    Args:
        params: The request parameters other than `messages` (model, max_tokens, tools...).
        messages: The history to start from (copied).
        max_turns: Most model turns (a `pause_turn` continuation is not a new turn) before
            stopping.
        limits: Token budgets.
    """

    def __init__(
        self,
        params: Mapping[str, Any],
        messages: Sequence[MessageParam],
        *,
        max_turns: int,
        limits: UsageLimits | None = None,
    ) -> None:
        self.params = dict(params)
        self.state = LoopState(messages=[cast("MessageParam", dict(m)) for m in messages])
        self.max_turns = max_turns
        self.limits = limits or UsageLimits()
        self._pauses = 0
        self._pending: list[ToolCall] | None = None
        self._finish: Finish | None = None

    # -- what to do next ---------------------------------------------------------------------------

    def next_step(self) -> CallModel | RunTools | Finish:
        """The next effect for the driver."""
        if self._finish is not None:
            return self._finish
        if self._pending is not None:
            return RunTools(self._pending)
        return CallModel({**self.params, "messages": list(self.state.messages)})

    def on_response(self, message: Message, timing: RequestTiming | None = None) -> None:
        """Take in a model response (`timing`: when the driver sent it, if it says)."""
        from ..types.content import ToolUseBlock  # loaded with `message`'s own models

        state = self.state
        state.usage.add(message)
        state.last_message = message
        reason = message.stop_reason or "end_turn"
        turn, earlier_calls = self._assistant_turn(message)
        if reason == "pause_turn":
            self._pauses += 1
            state.messages.append(turn)
            self._record(message, timing)
            if self._pauses >= MAX_PAUSES:
                self._finish = Finish("max_turns", state, limit_hit=True)
            return
        self._pauses = 0
        state.turns += 1
        calls = earlier_calls + [
            ToolCall.from_block(b) for b in message.content if isinstance(b, ToolUseBlock)
        ]
        if reason == "tool_use" and calls:
            state.messages.append(turn)
            self._pending = calls
            self._record(message, timing)
            return
        final_turn = _without_tool_calls(turn)
        if final_turn is not None:
            state.messages.append(final_turn)
        self._record(message, timing, stored=final_turn is not None)
        self._finish = Finish(reason, state)

    def on_request_error(self, error: str, timing: RequestTiming | None = None) -> None:
        """Record a request that failed (`error`: `Type: message`); the history is unchanged."""
        self.state.requests.append(
            RequestRecord(turn=self.state.turns + 1, error=error, **_timing_fields(timing))
        )

    def _record(self, message: Message, timing: RequestTiming | None, stored: bool = True) -> None:
        """Record a response's request (its turn is the last one stored)."""
        state, usage = self.state, message.usage
        state.requests.append(
            RequestRecord(
                turn=state.turns + (1 if self._pauses else 0),
                message_id=message.id,
                model=message.model,
                stop_reason=message.stop_reason,
                input_tokens=usage.input_tokens or 0,
                output_tokens=usage.output_tokens or 0,
                cache_creation_input_tokens=usage.cache_creation_input_tokens or 0,
                cache_read_input_tokens=usage.cache_read_input_tokens or 0,
                message_index=len(state.messages) - 1 if stored else None,
                **_timing_fields(timing),
            )
        )

    def _assistant_turn(self, message: Message) -> tuple[MessageParam, list[ToolCall]]:
        """The turn to store, and the tool calls of the paused turn it continues (if any).

        After `pause_turn` the paused turn is sent back as the last message and the response
        continues it; the API treats the two as one assistant turn, so they are stored as one
        (roles keep alternating, and tool calls in either part are answered together).
        """
        turn = message.to_param()
        messages = self.state.messages
        if not messages or messages[-1]["role"] != "assistant":
            return turn, []
        previous: Any = messages.pop()["content"]
        if isinstance(previous, str):
            previous = [{"type": "text", "text": previous}]
        merged: Any = {"role": "assistant", "content": [*previous, *turn["content"]]}
        earlier = [
            ToolCall.from_block(b)
            for b in previous
            if isinstance(b, Mapping) and b.get("type") == "tool_use"
        ]
        return cast("MessageParam", merged), earlier

    def on_tool_results(self, results: Sequence[ToolResult]) -> None:
        """Take in the results of the pending calls (one per call, in call order)."""
        if self._pending is None:
            raise ValueError("no tool calls are pending: on_tool_results() follows RunTools")
        pending = self._pending
        by_id = {r.call.id: r for r in results}
        missing = [c.id for c in pending if c.id not in by_id]
        if missing:
            raise ValueError(f"no result for tool call(s) {missing}")
        ordered = [by_id[c.id] for c in pending]
        answers: Any = {"role": "user", "content": [r.to_param() for r in ordered]}
        self.state.messages.append(answers)
        turn = self.state.turns
        self.state.tool_calls.extend(
            ToolCallRecord(
                r.call.id,
                r.call.name,
                r.call.input,
                r.content,
                r.is_error,
                r.duration,
                started_at=r.started_at,
                turn=turn,
                exception=r.exception,
            )
            for r in ordered
        )
        self._pending = None
        limit = self._limit_reached()
        if limit is not None:
            self._finish = Finish(limit, self.state, limit_hit=True)

    def reask(self, content: str) -> None:
        """Go on after the model's final answer, with one more user message (a re-ask)."""
        append_user_content(self.state.messages, content)
        self._finish = None

    def end(self, stop_reason: str) -> None:
        """End the run now (e.g. its output arrived with this turn's tool results)."""
        self._pending = None
        self._finish = Finish(stop_reason, self.state)

    def _limit_reached(self) -> str | None:
        if self.state.turns >= self.max_turns:
            return "max_turns"
        if self.limits.reached(self.state.usage):
            return "usage_limit"
        return None


def _timing_fields(timing: RequestTiming | None) -> dict[str, Any]:
    if timing is None:
        return {}
    return {
        "started_at": timing.started_at,
        "duration": timing.duration,
        "retries": timing.retries,
    }


def _without_tool_calls(turn: MessageParam) -> MessageParam | None:
    """The assistant turn to store when the run ends on it.

    Tool calls that will never be answered (cut off by `max_tokens`, from a `refusal`...) are
    removed; everything else is kept verbatim. None when nothing would be left: an empty
    assistant turn cannot be followed by another user turn.
    """
    content: Any = turn["content"]
    blocks = [b for b in content if not (isinstance(b, dict) and b.get("type") == "tool_use")]
    if not blocks:
        return None
    if len(blocks) != len(content):
        kept: Any = {"role": "assistant", "content": blocks}
        return cast("MessageParam", kept)
    return turn
