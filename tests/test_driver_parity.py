"""Behavioural parity of the sync and async drivers: one table of scenarios, run through both.

Each protocol is written once as a generator of effects (the request flow, the stream helper's
re-send, the agent run) and driven twice: by `Anthropic` / `MessageStream` / `Agent` and by
`AsyncAnthropic` / `AsyncMessageStream` / `AsyncAgent`. Every row below is run through the sync
driver and through the async one (on asyncio and on trio), each against a freshly built,
identical offline model, and the normalised outcomes must be identical: the value returned, the
error raised (class, status, request id, message, the run so far), the events seen, the hook and
tool calls made, the retry waits recorded, and the requests the model received.

Equal is not enough (a bug in the shared flow would be in both): each row also states what its
outcome must be.

Determinism: the offline models number their message, tool-use and request ids per instance, so
identical models give identical ids; the retry jitter is fixed (the client's retry policy gets a
constant `rand`), and tool durations are normalised out. Tool calls of one turn run concurrently,
so the tools' own log is compared sorted; hooks run one at a time and their log keeps its order.
"""

from __future__ import annotations

import dataclasses
import gc
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, get_args

import anyio
import anyio.lowlevel
import pytest

from agentkit import (
    Agent,
    AgentEvent,
    Anthropic,
    APIError,
    APIStatusError,
    AsyncAgent,
    AsyncAnthropic,
    ContentBlockStopEvent,
    Hooks,
    MessageStopEvent,
    MessageStreamEvent,
    OutputChunk,
    RunFinished,
    RunLimitExceeded,
    RunResult,
    TextEvent,
    ThinkingEvent,
    ToolCall,
    ToolCallFinished,
    ToolCallStarted,
    ToolContext,
    ToolDecision,
    ToolResult,
    TurnFinished,
    deny,
    replace_input,
    tool,
)
from agentkit.testing import (
    ErrorReply,
    Fault,
    ModelRequest,
    RecordedSleeps,
    Reply,
    ReplyLike,
    ScriptedModel,
    record_sleeps,
)
from agentkit.types.message import Message

MODEL = "claude-sonnet-4-5"
ANSWER = "A reasonably long answer, streamed in several pieces."
PARAMS: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hi"}],
}
JITTER = 0.5
"""The retry policy's `rand()` in every run: backoff waits are 0.4375, 0.875, ... seconds."""
ASYNC_BACKENDS = ("asyncio", "trio")

# On trio, httpx's own body iterators left suspended when an `error` event or a cut ends a
# stream early are reported when garbage collected (filtered as in tests/test_streaming.py).
HTTPX_LEFTOVERS = re.compile(r"BoundAsyncStream\.__aiter__|Response\.aiter_raw")

Log: TypeAlias = list[str]
Surface = Literal["create", "stream", "text_stream", "agent.run", "agent.stream"]
Outcome: TypeAlias = dict[str, Any]


# -- tools (they log through their deps) and hooks (they log through a closure) -------------------


@tool
def get_weather(context: ToolContext[Log], city: str) -> str:
    """Current weather for a city.

    Args:
        city: City name.
    """
    context.deps.append(f"get_weather:{city}")
    return f"{city}: 21c"


@tool
async def add(context: ToolContext[Log], a: int, b: int) -> int:
    """Add two integers."""
    await anyio.lowlevel.checkpoint()
    context.deps.append(f"add:{a}+{b}")
    return a + b


@tool
def explode(context: ToolContext[Log]) -> str:
    """Always fails."""
    context.deps.append("explode")
    raise RuntimeError("kaput")


@tool(requires_approval=True)
def delete_file(context: ToolContext[Log], path: str) -> str:
    """Delete a file (needs a human's yes)."""
    context.deps.append(f"delete_file:{path}")
    return f"deleted {path}"


@tool
def whoami(context: ToolContext[Log]) -> str:
    """What the tool sees of the run."""
    context.deps.append("whoami")
    usage = context.usage
    requests = usage.requests if usage is not None else -1
    return f"{context.tool_name}: {len(context.messages)} messages, {requests} requests"


HookFactory: TypeAlias = Callable[[Log], Hooks]


def deny_add(log: Log) -> Hooks:
    def before(call: ToolCall) -> ToolDecision:
        log.append(f"before:{call.name}:{call.input}")
        return deny("adding is not allowed today") if call.name == "add" else None

    return Hooks(before_tool_call=before)


def fix_city(log: Log) -> Hooks:
    def before(call: ToolCall) -> ToolDecision:
        log.append(f"before:{call.name}:{call.input}")
        return replace_input({"city": "Paris"}) if call.input.get("city") == "Pari" else None

    return Hooks(before_tool_call=before)


def after_each(log: Log) -> Hooks:
    def after(call: ToolCall, result: ToolResult) -> None:
        log.append(f"after:{call.id}:{call.name}:{result.content}:{result.is_error}:{result.ran}")

    return Hooks(after_tool_call=after)


def each_turn(log: Log) -> Hooks:
    def on_turn(message: Message) -> None:
        log.append(f"turn:{message.id}:{message.stop_reason}")

    return Hooks(on_turn=on_turn)


def all_async(log: Log) -> Hooks:
    """Every hook async (the sync agent runs them too)."""

    async def before(call: ToolCall) -> ToolDecision:
        await anyio.lowlevel.checkpoint()
        log.append(f"before:{call.name}")
        return deny("no") if call.name == "add" else None

    async def after(call: ToolCall, result: ToolResult) -> None:
        log.append(f"after:{call.name}:{result.is_error}")

    async def on_turn(message: Message) -> None:
        log.append(f"turn:{message.stop_reason}")

    async def approve(call: ToolCall) -> bool:
        log.append(f"approve:{call.input}")
        return call.input.get("path") == "/tmp/x"

    return Hooks(before_tool_call=before, after_tool_call=after, on_turn=on_turn, approve=approve)


def approver(answer: bool) -> HookFactory:
    def hooks(log: Log) -> Hooks:
        def approve(call: ToolCall) -> bool:
            log.append(f"approve:{call.name}:{call.input}")
            return answer

        return Hooks(approve=approve)

    return hooks


# -- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One row: what to call, what the model answers, and what the outcome must contain.

    Attributes:
        surface: The driver surface called (`create` is `messages.with_raw_response.create`).
        replies: The `ScriptedModel`'s answers.
        faults: The model's faults, by request index.
        client: Client options (`max_retries`, `max_retry_wait`).
        params: Request parameters over `PARAMS` (client surfaces only).
        agent: Agent options (tools, limits, create params).
        hooks: Builds the agent's hooks around the hook log.
        expect: Dotted paths into the outcome record and the values they must have (`#` is a
            list's length, `*` maps the rest of the path over a list).
    """

    surface: Surface
    replies: Sequence[ReplyLike] = (ANSWER,)
    faults: Sequence[Fault | None] = ()
    client: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    agent: Mapping[str, Any] = field(default_factory=dict)
    hooks: HookFactory | None = None
    expect: Mapping[str, Any] = field(default_factory=dict)


def row(row_id: str, surface: Surface, **fields: Any) -> tuple[str, Scenario]:
    return row_id, Scenario(surface, **fields)


def tool_use(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    """A tool call; the model gives it its id."""
    return {"type": "tool_use", "name": name, "input": tool_input}


def overloaded(n: int = 1, retry_after: float | None = None) -> list[Fault | None]:
    return [Fault.error_status(529, retry_after=retry_after)] * n


WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search"}
PAUSED = Reply(
    [
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"q": "x"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
    ],
    stop_reason="pause_turn",
)
WEATHER_CALL = [tool_use("get_weather", {"city": "Paris"})]
DELETE_CALL = [tool_use("delete_file", {"path": "/tmp/x"})]
# A fresh model numbers its ids in the order it makes them: for a first reply calling a tool,
# toolu_test_0001, then msg_test_0002, then req_test_0003 (the response's request-id); an
# injected error status takes a request-id only.
BACKOFF = [0.4375, 0.875]
OK = {"error": None}
ANSWER_PIECES = [ANSWER[i : i + 16] for i in range(0, len(ANSWER), 16)]
APPROVAL_REFUSED = "The user did not approve this call to 'delete_file'; it did not run."
NO_APPROVER = (
    "The tool 'delete_file' requires approval and no approver is configured; it did not run."
)

ROWS = [
    # -- retries ---------------------------------------------------------------------------------
    row(
        "retry/429-retry-after",
        "create",
        faults=[Fault.error_status(429, retry_after=0.25)] * 2,
        expect={
            **OK,
            "value.retries_taken": 2,
            "value.message.content.0.text": ANSWER,
            "value.request_id": "req_test_0004",
            "waits.request": [0.25, 0.25],
            "waits.stream": [],
            "requests.#": 3,
        },
    ),
    row(
        "retry/529-backoff",
        "create",
        faults=overloaded(2),
        expect={**OK, "value.retries_taken": 2, "waits.request": BACKOFF, "requests.#": 3},
    ),
    row(
        "retry/connection-reset",
        "create",
        faults=[Fault(reset=True)],
        expect={**OK, "value.retries_taken": 1, "waits.request": BACKOFF[:1], "requests.#": 2},
    ),
    row(
        "retry/exhausted-529",
        "create",
        faults=overloaded(3, retry_after=0.01),
        client={"max_retries": 2},
        expect={
            "value": None,
            "error.class": "OverloadedError",
            "error.status": 529,
            "error.request_id": "req_test_0003",
            "error.api_message": "Injected failure",
            "waits.request": [0.01, 0.01],
            "requests.#": 3,
        },
    ),
    row(
        "retry/exhausted-resets",
        "create",
        faults=[Fault(reset=True)] * 3,
        expect={
            "error.class": "APIConnectionError",
            "error.message": "Connection error: connection reset by peer (injected fault)",
            "waits.request": BACKOFF,
            "requests.#": 3,
        },
    ),
    row(
        "retry/max-retries-0",
        "create",
        faults=[Fault.error_status(429, retry_after=1)],
        client={"max_retries": 0},
        expect={
            "error.class": "RateLimitError",
            "error.status": 429,
            "error.request_id": "req_test_0001",
            "waits.request": [],
            "requests.#": 1,
        },
    ),
    row(
        "retry/retry-after-beyond-max-retry-wait",
        "create",
        faults=[Fault.error_status(429, retry_after=30)],
        client={"max_retry_wait": 5},
        expect={
            "error.class": "RateLimitError",
            "error.retry_after": 30.0,
            "waits.request": [],
            "requests.#": 1,
        },
    ),
    row(
        "retry/400-not-retried",
        "create",
        faults=[Fault.error_status(400)],
        expect={
            "error.class": "BadRequestError",
            "error.status": 400,
            "error.type": "invalid_request_error",
            "waits.request": [],
            "requests.#": 1,
        },
    ),
    row(
        "retry/should-retry-false",
        "create",
        faults=[Fault.error_status(529, retry_after=1, should_retry=False)],
        expect={"error.class": "OverloadedError", "waits.request": [], "requests.#": 1},
    ),
    row(
        "retry/agent-run-429-mid-run",
        "agent.run",
        replies=[WEATHER_CALL, "Sunny."],
        faults=[None, Fault.error_status(429, retry_after=0.25)],
        agent={"tools": [get_weather]},
        expect={
            **OK,
            "value.stop_reason": "end_turn",
            "value.text": "Sunny.",
            "value.usage.requests": 2,
            "waits.request": [0.25],
            "requests.#": 3,
            "tools": ["get_weather:Paris"],
        },
    ),
    row(
        "retry/agent-run-exhausted-keeps-run-state",
        "agent.run",
        replies=[WEATHER_CALL],
        faults=[None, *overloaded(3, retry_after=0.01)],
        agent={"tools": [get_weather]},
        expect={
            "value": None,
            "error.class": "OverloadedError",
            "error.run_state.stop_reason": "error",
            "error.run_state.turns": 1,
            "error.run_state.messages.*.role": ["user", "assistant", "user"],
            "error.run_state.tool_calls.0.result": "Paris: 21c",
            "waits.request": [0.01, 0.01],
            "requests.#": 4,
        },
    ),
    # -- errors ----------------------------------------------------------------------------------
    row(
        "error/400-from-validation",
        "create",
        params={"extra_body": {"bogus": 1}},
        expect={
            "error.class": "BadRequestError",
            "error.status": 400,
            "error.request_id": "req_test_0001",
            "error.api_message": "bogus: Extra inputs are not permitted",
            "error.message": "400 invalid_request_error: bogus: Extra inputs are not permitted "
            "(request_id=req_test_0001)",
        },
    ),
    row(
        "error/401-authentication",
        "create",
        replies=[ErrorReply(401, message="invalid x-api-key")],
        expect={
            "error.class": "AuthenticationError",
            "error.status": 401,
            "error.type": "authentication_error",
            "error.request_id": "req_test_0001",
            "requests.#": 1,
        },
    ),
    row(
        "error/404-in-a-stream-request",
        "stream",
        replies=[ErrorReply(404, message="model: claude-nope")],
        expect={
            "error.class": "NotFoundError",
            "error.api_message": "model: claude-nope",
            "seen": [],
            "requests.#": 1,
        },
    ),
    row(
        "error/agent-400-carries-run-state",
        "agent.stream",
        replies=[ErrorReply(400, message="messages: too long")],
        expect={
            "error.class": "BadRequestError",
            "error.run_state.turns": 0,
            "error.run_state.messages": [{"role": "user", "content": "Go"}],
            "seen": [],
        },
    ),
    # -- streams ---------------------------------------------------------------------------------
    row(
        "stream/events",
        "stream",
        expect={
            **OK,
            "value.message.content.0.text": ANSWER,
            "value.retries_taken": 0,
            "value.request_id": "req_test_0002",
            "seen.*.0": [
                "message_start",
                "content_block_start",
                *["content_block_delta", "text"] * len(ANSWER_PIECES),
                "content_block_stop",
                "message_delta",
                "message_stop",
            ],
            "requests.0.body.stream": True,
        },
    ),
    row("stream/text-stream", "text_stream", expect={**OK, "seen": ANSWER_PIECES}),
    row(
        "stream/429-before-the-stream",
        "stream",
        faults=[Fault.error_status(429, retry_after=0.25)],
        expect={**OK, "value.retries_taken": 1, "waits.request": [0.25], "waits.stream": []},
    ),
    row(
        "stream/resent-after-error-event-before-first-delta",
        "stream",
        replies=[ANSWER] * 2,  # a stream fails after its answer was made: each send takes one
        faults=[Fault.error_event(after=2)],
        expect={
            **OK,
            "value.retries_taken": 1,
            "value.message.content.0.text": ANSWER,
            "value.request_id": "req_test_0004",
            "waits.request": [],
            "waits.stream": BACKOFF[:1],
            "requests.#": 2,
        },
    ),
    row(
        "stream/resent-after-cuts-before-first-delta",
        "text_stream",
        replies=[ANSWER] * 3,
        faults=[Fault.cut(after=1), Fault.cut(after=2)],
        expect={
            **OK,
            "seen": ANSWER_PIECES,
            "value.retries_taken": 2,
            "waits.stream": BACKOFF,
            "requests.#": 3,
        },
    ),
    row(
        "stream/resends-exhausted",
        "stream",
        replies=[ANSWER] * 3,
        faults=[Fault.cut(after=1)] * 3,
        expect={"error.class": "APIConnectionError", "waits.stream": BACKOFF, "requests.#": 3},
    ),
    row(
        "stream/max-retries-0-no-resend",
        "stream",
        faults=[Fault.error_event(after=2)],
        client={"max_retries": 0},
        expect={
            "error.class": "OverloadedError",
            "error.status": 200,
            "seen.*.0": ["message_start", "content_block_start"],
            "waits.stream": [],
            "requests.#": 1,
        },
    ),
    row(
        "stream/agent-run-streams-a-large-max-tokens",
        "agent.run",
        replies=[WEATHER_CALL, "Sunny."],
        agent={"tools": [get_weather], "max_tokens": 64_000},
        expect={
            **OK,
            "value.text": "Sunny.",
            "requests.*.body.stream": [True, True],
            "tools": ["get_weather:Paris"],
        },
    ),
    row(
        "stream/cut-after-content-raises",
        "stream",
        faults=[Fault.cut(after=4)],
        expect={
            "value": None,
            "error.class": "APIConnectionError",
            "seen.*.0": ["message_start", "content_block_start", "content_block_delta", "text"],
            "waits.stream": [],
            "requests.#": 1,
        },
    ),
    row(
        "stream/error-event-after-content-raises",
        "text_stream",
        faults=[Fault.error_event(after=5)],
        expect={
            "error.class": "OverloadedError",
            "error.status": 200,
            "error.type": "overloaded_error",
            "error.request_id": "req_test_0002",
            "error.api_message": "Injected stream failure",
            "seen": ANSWER_PIECES[:2],
            "requests.#": 1,
        },
    ),
    row(
        "stream/agent-resent-before-first-delta",
        "agent.stream",
        replies=[ANSWER] * 2,
        faults=[Fault.error_event(after=2)],
        expect={
            **OK,
            "value.text": ANSWER,
            "value.usage.requests": 1,
            "seen.*.0": [*["text"] * len(ANSWER_PIECES), "turn_finished", "run_finished"],
            "waits.stream": BACKOFF[:1],
            "requests.#": 2,
        },
    ),
    row(
        "stream/agent-cut-after-content-raises",
        "agent.stream",
        faults=[Fault.cut(after=5)],
        expect={
            "error.class": "APIConnectionError",
            "error.run_state.stop_reason": "error",
            "error.run_state.turns": 0,
            "seen": [["text", ANSWER_PIECES[0]], ["text", ANSWER_PIECES[1]]],
        },
    ),
    # -- stop reasons ----------------------------------------------------------------------------
    row(
        "stop/end-turn",
        "agent.run",
        replies=["Bye."],
        agent={"tools": [get_weather]},
        expect={
            **OK,
            "value.stop_reason": "end_turn",
            "value.text": "Bye.",
            "value.turns": 1,
            "value.message.id": "msg_test_0001",
        },
    ),
    row(
        "stop/max-tokens",
        "agent.run",
        replies=[Reply("Half an ans", stop_reason="max_tokens")],
        expect={**OK, "value.stop_reason": "max_tokens", "value.text": "Half an ans"},
    ),
    row(
        "stop/max-tokens-cutting-a-tool-call",
        "agent.stream",
        replies=[Reply(WEATHER_CALL, stop_reason="max_tokens")],
        agent={"tools": [get_weather]},
        expect={
            **OK,
            "value.stop_reason": "max_tokens",
            "value.messages.*.role": ["user"],
            "seen.*.0": ["turn_finished", "run_finished"],
            "tools": [],
        },
    ),
    row(
        "stop/stop-sequence",
        "agent.run",
        replies=[Reply("Bye", stop_reason="stop_sequence", stop_sequence="STOP")],
        agent={"stop_sequences": ["STOP"]},
        expect={
            **OK,
            "value.stop_reason": "stop_sequence",
            "value.message.stop_sequence": "STOP",
            "requests.0.body.stop_sequences": ["STOP"],
        },
    ),
    row(
        "stop/refusal",
        "agent.run",
        replies=[
            Reply(
                ["I can't help with that.", tool_use("get_weather", {"city": "X"})],
                stop_reason="refusal",
                extra={"stop_details": {"type": "refusal", "category": "cyber"}},
            )
        ],
        agent={"tools": [get_weather]},
        expect={
            **OK,
            "value.stop_reason": "refusal",
            "value.messages.-1": {
                "role": "assistant",
                "content": [{"type": "text", "text": "I can't help with that."}],
            },
            "value.tool_calls": [],
            "tools": [],
        },
    ),
    row(
        "stop/tool-use-then-end-turn",
        "agent.run",
        replies=[WEATHER_CALL, "Sunny in Paris."],
        agent={"tools": [get_weather]},
        expect={
            **OK,
            "value.stop_reason": "end_turn",
            "value.turns": 2,
            "value.text": "Sunny in Paris.",
            "value.tool_calls.0.id": "toolu_test_0001",
            "value.tool_calls.0.result": "Paris: 21c",
            "value.messages.*.role": ["user", "assistant", "user", "assistant"],
            "requests.1.body.messages.2.content.0.tool_use_id": "toolu_test_0001",
            "tools": ["get_weather:Paris"],
        },
    ),
    row(
        "stop/tool-use-then-end-turn-streamed",
        "agent.stream",
        replies=[[*WEATHER_CALL, tool_use("add", {"a": 1, "b": 2})], "Done."],
        agent={"tools": [get_weather, add]},
        expect={
            **OK,
            "value.stop_reason": "end_turn",
            "value.tool_calls.*.result": ["Paris: 21c", "3"],
            "seen.*.0": [
                "turn_finished",
                "tool_call_started",
                "tool_call_started",
                "tool_call_finished",
                "tool_call_finished",
                "text",
                "turn_finished",
                "run_finished",
            ],
            "tools": ["add:1+2", "get_weather:Paris"],
        },
    ),
    row(
        "stop/pause-turn",
        "agent.run",
        replies=[PAUSED, "Found it."],
        agent={"tools": [WEB_SEARCH], "max_turns": 1},
        expect={
            **OK,
            "value.stop_reason": "end_turn",
            "value.text": "Found it.",
            "value.turns": 1,
            "value.usage.requests": 2,
            "requests.1.body.messages.-1.content.0.type": "server_tool_use",
        },
    ),
    row(
        "stop/pause-turn-streamed",
        "agent.stream",
        replies=[PAUSED, "Found it."],
        agent={"tools": [WEB_SEARCH]},
        expect={
            **OK,
            "value.stop_reason": "end_turn",
            "value.messages.*.role": ["user", "assistant"],
            "seen.*.0": ["turn_finished", "text", "turn_finished", "run_finished"],
        },
    ),
    # -- tools -------------------------------------------------------------------------------------
    row(
        "tools/errors-become-results",
        "agent.run",
        replies=[
            [
                tool_use("explode", {}),
                tool_use("get_weather", {"city": 3}),
                tool_use("nope", {}),
            ],
            "Sorry.",
        ],
        agent={"tools": [explode, get_weather]},
        expect={
            **OK,
            "value.tool_calls.*.is_error": [True, True, True],
            "value.tool_calls.0.result": "RuntimeError: kaput",
            "tools": ["explode"],
        },
    ),
    row(
        "tools/context-sees-the-run",
        "agent.run",
        replies=[[tool_use("whoami", {})], "ok"],
        agent={"tools": [whoami]},
        expect={**OK, "value.tool_calls.0.result": "whoami: 2 messages, 1 requests"},
    ),
    # -- hooks -------------------------------------------------------------------------------------
    row(
        "hooks/before-tool-call-deny",
        "agent.run",
        replies=[[*WEATHER_CALL, tool_use("add", {"a": 1, "b": 2})], "Done."],
        agent={"tools": [get_weather, add]},
        hooks=deny_add,
        expect={
            **OK,
            "value.tool_calls.*.is_error": [False, True],
            "value.tool_calls.1.result": "The tool call was denied and did not run: "
            "adding is not allowed today",
            "hooks": ["before:get_weather:{'city': 'Paris'}", "before:add:{'a': 1, 'b': 2}"],
            "tools": ["get_weather:Paris"],
        },
    ),
    row(
        "hooks/before-tool-call-replace-input",
        "agent.stream",
        replies=[[tool_use("get_weather", {"city": "Pari"})], "Done."],
        agent={"tools": [get_weather]},
        hooks=fix_city,
        expect={
            **OK,
            "value.tool_calls.0.input": {"city": "Paris"},
            "seen.1": ["tool_call_started", "toolu_test_0001", "get_weather", {"city": "Paris"}],
            "requests.0.body.messages.#": 1,
            "requests.1.body.messages.1.content.0.input": {"city": "Pari"},
            "hooks": ["before:get_weather:{'city': 'Pari'}"],
            "tools": ["get_weather:Paris"],
        },
    ),
    row(
        "hooks/after-tool-call",
        "agent.run",
        replies=[[*WEATHER_CALL, tool_use("explode", {})], "Done."],
        agent={"tools": [get_weather, explode]},
        hooks=after_each,
        expect={
            **OK,
            "hooks": [
                "after:toolu_test_0001:get_weather:Paris: 21c:False:True",
                "after:toolu_test_0002:explode:RuntimeError: kaput:True:True",
            ],
        },
    ),
    row(
        "hooks/on-turn",
        "agent.stream",
        replies=[WEATHER_CALL, "Done."],
        agent={"tools": [get_weather]},
        hooks=each_turn,
        expect={
            **OK,
            "hooks": ["turn:msg_test_0002:tool_use", "turn:msg_test_0004:end_turn"],
        },
    ),
    row(
        "hooks/all-async",
        "agent.run",
        replies=[[*DELETE_CALL, tool_use("add", {"a": 1, "b": 2})], "Done."],
        agent={"tools": [delete_file, add]},
        hooks=all_async,
        expect={
            **OK,
            "hooks": [
                "turn:tool_use",
                "before:delete_file",
                "before:add",
                "approve:{'path': '/tmp/x'}",
                "after:delete_file:False",
                "after:add:True",
                "turn:end_turn",
            ],
            "tools": ["delete_file:/tmp/x"],
        },
    ),
    # -- approval ----------------------------------------------------------------------------------
    row(
        "approval/approved",
        "agent.run",
        replies=[DELETE_CALL, "Deleted."],
        agent={"tools": [delete_file]},
        hooks=approver(True),
        expect={
            **OK,
            "value.tool_calls.0.result": "deleted /tmp/x",
            "hooks": ["approve:delete_file:{'path': '/tmp/x'}"],
            "tools": ["delete_file:/tmp/x"],
        },
    ),
    row(
        "approval/refused",
        "agent.stream",
        replies=[DELETE_CALL, "Not deleted."],
        agent={"tools": [delete_file]},
        hooks=approver(False),
        expect={
            **OK,
            "value.tool_calls.0.result": APPROVAL_REFUSED,
            "value.tool_calls.0.is_error": True,
            "seen.2": ["tool_call_finished", "toolu_test_0001", APPROVAL_REFUSED, True, False],
            "hooks": ["approve:delete_file:{'path': '/tmp/x'}"],
            "tools": [],
        },
    ),
    row(
        "approval/no-approver",
        "agent.run",
        replies=[DELETE_CALL, "Not deleted."],
        agent={"tools": [delete_file]},
        expect={**OK, "value.tool_calls.0.result": NO_APPROVER, "tools": []},
    ),
    # -- limits ------------------------------------------------------------------------------------
    row(
        "limits/max-turns",
        "agent.run",
        replies=[WEATHER_CALL],
        agent={"tools": [get_weather], "max_turns": 1},
        expect={
            **OK,
            "value.stop_reason": "max_turns",
            "value.turns": 1,
            "value.messages.-1.content.0.type": "tool_result",
            "tools": ["get_weather:Paris"],
        },
    ),
    row(
        "limits/output-token-budget",
        "agent.stream",
        replies=[
            Reply(WEATHER_CALL, usage={"input_tokens": 10, "output_tokens": 30}),
            "never sent",
        ],
        agent={"tools": [get_weather], "max_output_tokens": 25},
        expect={
            **OK,
            "value.stop_reason": "usage_limit",
            "value.usage": {
                "input_tokens": 10,
                "output_tokens": 30,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "requests": 1,
            },
            "seen.-1": ["run_finished", "usage_limit"],
            "requests.#": 1,
        },
    ),
    row(
        "limits/raise-on-max-turns",
        "agent.run",
        replies=[WEATHER_CALL],
        agent={"tools": [get_weather], "max_turns": 1, "raise_on_limit": True},
        expect={
            "value": None,
            "error.class": "RunLimitExceeded",
            "error.limit": "max_turns",
            "error.run_state.tool_calls.0.result": "Paris: 21c",
        },
    ),
    row(
        "limits/raise-on-total-token-budget",
        "agent.stream",
        replies=[Reply(WEATHER_CALL, usage={"input_tokens": 10, "output_tokens": 5})],
        agent={"tools": [get_weather], "max_total_tokens": 15, "raise_on_limit": True},
        expect={
            "error.class": "RunLimitExceeded",
            "error.limit": "usage_limit",
            "error.run_state.usage.requests": 1,
            "seen.*.0": ["turn_finished", "tool_call_started", "tool_call_finished"],
        },
    ),
]


# -- running one scenario through one driver -------------------------------------------------------


def build_model(scenario: Scenario) -> ScriptedModel:
    return ScriptedModel(list(scenario.replies), faults=list(scenario.faults))


def fixed_jitter(client: Anthropic | AsyncAnthropic) -> None:
    client._retry_policy = dataclasses.replace(client._retry_policy, rand=lambda: JITTER)


def request_params(scenario: Scenario) -> dict[str, Any]:
    return {**PARAMS, **scenario.params}


def agent_options(scenario: Scenario, hook_log: Log, tool_log: Log) -> dict[str, Any]:
    hooks = scenario.hooks(hook_log) if scenario.hooks is not None else None
    return {"model": MODEL, "deps": tool_log, "hooks": hooks, **scenario.agent}


def message_record(message: Message) -> dict[str, Any]:
    return message.to_dict()


def result_record(result: RunResult) -> dict[str, Any]:
    record = result.to_dict()
    for call in record["tool_calls"]:
        assert call["duration"] >= 0
        call["duration"] = None  # wall-clock time
        call["started_at"] = None
    for request in record["requests"]:  # the times of the run timeline
        assert request["started_at"] is not None
        assert request["duration"] >= 0
        request["started_at"] = request["duration"] = None
    return record


def stream_event_record(event: MessageStreamEvent) -> list[Any]:
    if isinstance(event, TextEvent):
        return [event.type, event.text, event.snapshot]
    if isinstance(event, ContentBlockStopEvent):
        return [event.type, event.index, event.content_block.to_dict()]
    if isinstance(event, MessageStopEvent):
        return [event.type, message_record(event.message)]
    to_dict = getattr(event, "to_dict", None)
    return [event.type, to_dict() if to_dict is not None else repr(event)]


def agent_event_record(event: AgentEvent) -> list[Any]:
    if isinstance(event, TextEvent):
        return [event.type, event.text]
    if isinstance(event, ThinkingEvent):
        return [event.type, event.thinking]
    if isinstance(event, ToolCallStarted):
        return [event.type, event.id, event.name, event.input]
    if isinstance(event, ToolCallFinished):
        return [event.type, event.id, event.content, event.is_error, event.tool_result.ran]
    if isinstance(event, TurnFinished):
        return [event.type, message_record(event.message)]
    if isinstance(event, OutputChunk):
        return [event.type, event.partial]
    return [event.type, event.result.stop_reason]


def error_record(exc: Exception) -> dict[str, Any]:
    record: dict[str, Any] = {"class": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, APIStatusError):
        record.update(
            status=exc.status_code,
            type=exc.type,
            request_id=exc.request_id,
            api_message=exc.api_message,
            retry_after=exc.retry_after,
        )
    if isinstance(exc, RunLimitExceeded):
        record["limit"] = exc.limit
    if isinstance(exc, (APIError, RunLimitExceeded)) and exc.run_state is not None:
        record["run_state"] = result_record(exc.run_state)
    return record


def request_record(request: ModelRequest) -> dict[str, Any]:
    return {"path": request.path, "headers": request.headers, "body": dict(request)}


def outcome_of(
    model: ScriptedModel,
    waits: RecordedSleeps,
    value: Any,
    error: Exception | None,
    seen: list[Any],
    hook_log: Log,
    tool_log: Log,
) -> Outcome:
    return {
        "value": value,
        "error": None if error is None else error_record(error),
        "seen": seen,
        "hooks": hook_log,
        "tools": sorted(tool_log),  # one turn's calls run concurrently
        "waits": {"request": list(waits.request), "stream": list(waits.stream)},
        "requests": [request_record(r) for r in model.requests],
    }


def sync_surface(
    client: Anthropic, scenario: Scenario, seen: list[Any], hook_log: Log, tool_log: Log
) -> Any:
    surface = scenario.surface
    if surface == "create":
        raw = client.messages.with_raw_response.create(**request_params(scenario))
        message = raw.parse()
        assert isinstance(message, Message)
        return {
            "message": message_record(message),
            "retries_taken": raw.retries_taken,
            "request_id": raw.request_id,
        }
    if surface in ("stream", "text_stream"):
        with client.messages.stream(**request_params(scenario)) as stream:
            if surface == "stream":
                for event in stream:
                    seen.append(stream_event_record(event))
            else:
                for text in stream.text_stream:
                    seen.append(text)
            return {
                "message": message_record(stream.get_final_message()),
                "retries_taken": stream.retries_taken,
                "request_id": stream.request_id,
            }
    agent: Agent[Log] = Agent(client, **agent_options(scenario, hook_log, tool_log))
    if surface == "agent.run":
        return result_record(agent.run("Go"))
    finished = None
    for agent_event in agent.stream("Go"):  # read to the end, as a caller should
        seen.append(agent_event_record(agent_event))
        if isinstance(agent_event, RunFinished):
            finished = agent_event.result
    assert finished is not None, "the stream ended without RunFinished"
    return result_record(finished)


async def async_surface(
    client: AsyncAnthropic, scenario: Scenario, seen: list[Any], hook_log: Log, tool_log: Log
) -> Any:
    surface = scenario.surface
    if surface == "create":
        raw = await client.messages.with_raw_response.create(**request_params(scenario))
        message = raw.parse()
        assert isinstance(message, Message)
        return {
            "message": message_record(message),
            "retries_taken": raw.retries_taken,
            "request_id": raw.request_id,
        }
    if surface in ("stream", "text_stream"):
        async with client.messages.stream(**request_params(scenario)) as stream:
            if surface == "stream":
                async for event in stream:
                    seen.append(stream_event_record(event))
            else:
                async for text in stream.text_stream:
                    seen.append(text)
            return {
                "message": message_record(await stream.get_final_message()),
                "retries_taken": stream.retries_taken,
                "request_id": stream.request_id,
            }
    agent: AsyncAgent[Log] = AsyncAgent(client, **agent_options(scenario, hook_log, tool_log))
    if surface == "agent.run":
        return result_record(await agent.run("Go"))
    finished = None
    async for agent_event in agent.stream("Go"):  # read to the end, as a caller should
        seen.append(agent_event_record(agent_event))
        if isinstance(agent_event, RunFinished):
            finished = agent_event.result
    assert finished is not None, "the stream ended without RunFinished"
    return result_record(finished)


@contextmanager
def leftovers() -> Iterator[list[str]]:
    """Warnings and unraisable exceptions (e.g. unfinished generators) while the block runs."""
    found: list[str] = []

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        found.append(f"{unraisable.exc_type.__name__} in {unraisable.object!r}")

    previous, sys.unraisablehook = sys.unraisablehook, hook
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield found
            gc.collect()
        found.extend(f"{w.category.__name__}: {w.message}" for w in caught)
    finally:
        sys.unraisablehook = previous
    found[:] = [
        re.sub(r" at 0x[0-9a-f]+", "", text) for text in found if not HTTPX_LEFTOVERS.search(text)
    ]


def run_sync(scenario: Scenario) -> Outcome:
    model = build_model(scenario)
    seen: list[Any] = []
    hook_log: Log = []
    tool_log: Log = []
    value: Any = None
    error: Exception | None = None
    with leftovers() as left:
        with record_sleeps() as waits, model.client(**scenario.client) as client:
            fixed_jitter(client)
            try:
                value = sync_surface(client, scenario, seen, hook_log, tool_log)
            except Exception as exc:
                error = exc
        outcome = outcome_of(model, waits, value, error, seen, hook_log, tool_log)
    return {**outcome, "leftovers": left}


def run_async(scenario: Scenario, backend: str) -> Outcome:
    async def main() -> Outcome:
        model = build_model(scenario)
        seen: list[Any] = []
        hook_log: Log = []
        tool_log: Log = []
        value: Any = None
        error: Exception | None = None
        with record_sleeps() as waits:
            async with model.async_client(**scenario.client) as client:
                fixed_jitter(client)
                try:
                    value = await async_surface(client, scenario, seen, hook_log, tool_log)
                except Exception as exc:
                    error = exc
        return outcome_of(model, waits, value, error, seen, hook_log, tool_log)

    with leftovers() as left:
        outcome = anyio.run(main, backend=backend)
    return {**outcome, "leftovers": left}


# -- expectations ----------------------------------------------------------------------------------


_MISSING = object()


def pick(data: Any, path: Sequence[str]) -> Any:
    """The value at a dotted path (`#`: a list's length; `*`: the rest, over each item)."""
    for i, key in enumerate(path):
        if key == "#":
            return len(data)
        if key == "*":
            return [pick(item, path[i + 1 :]) for item in data]
        if isinstance(data, Mapping):
            data = data.get(key, _MISSING)
        elif isinstance(data, list) and key.lstrip("-").isdigit() and data:
            data = data[int(key)] if -len(data) <= int(key) < len(data) else _MISSING
        else:
            data = _MISSING
        if data is _MISSING:
            return f"<nothing at {'.'.join(path[: i + 1])}>"
    return data


def check(outcome: Outcome, expect: Mapping[str, Any]) -> None:
    wrong = {
        path: (got, wanted)
        for path, wanted in expect.items()
        if (got := pick(outcome, path.split("."))) != wanted
    }
    assert not wrong, f"(got, expected) at: {wrong}\nerror: {outcome['error']}"


# -- the test --------------------------------------------------------------------------------------


# Differences found between the drivers (the library is not fixed here): which rows they affect.
def cases() -> list[Any]:
    """Every row with every async backend."""
    return [
        pytest.param(scenario, backend, id=f"{row_id}[{backend}]")
        for row_id, scenario in ROWS
        for backend in ASYNC_BACKENDS
    ]


@pytest.mark.parametrize(("scenario", "backend"), cases())
def test_sync_and_async_drivers_agree(scenario: Scenario, backend: str) -> None:
    assert scenario.expect, "every row states what its outcome must be"
    sync = run_sync(scenario)
    check(sync, scenario.expect)
    assert sync.pop("leftovers") == [], "the sync driver left something behind"
    async_ = run_async(scenario, backend)
    left = async_.pop("leftovers")
    assert async_ == sync
    assert left == [], f"the async driver ({backend}) left something behind"


def test_the_table_covers_every_surface() -> None:
    assert {scenario.surface for _, scenario in ROWS} == set(get_args(Surface))
    assert len({row_id for row_id, _ in ROWS}) == len(ROWS)
