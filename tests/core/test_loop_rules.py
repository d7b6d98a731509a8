"""The agent loop's rules, table-driven, at the core level (PROTOCOL §5.2 and §9).

`AgentLoop` is driven directly: scripted `Message`s go to `on_response()`, tool results built
here go to `on_tool_results()`, and the effects and the resulting history are checked. Every
request the loop makes is also checked with `agentkit.testing.check_request`, and the two-turn
fixture in `tests/fixtures/tool_loop/` is replayed through it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from agentkit._core.accumulate import MessageAccumulator
from agentkit._core.loop import (
    MAX_PAUSES,
    AgentLoop,
    CallModel,
    Finish,
    RunTools,
    UsageLimits,
    append_user_content,
)
from agentkit._core.sse import SSEDecoder
from agentkit._core.tool_calls import ToolCall, ToolResult
from agentkit.testing import check_request
from agentkit.types import RawMessageStreamEvent
from agentkit.types.message import Message
from agentkit.types.params import MessageParam

TOOL_LOOP = Path(__file__).parent.parent / "fixtures" / "tool_loop"
HEADERS = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
PARAMS: dict[str, Any] = {
    "model": "claude-test",
    "max_tokens": 256,
    "tools": [
        {
            "name": "lookup",
            "description": "Look something up.",
            "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
        }
    ],
}
PROMPT: MessageParam = {"role": "user", "content": "go"}
EVENTS: TypeAdapter[RawMessageStreamEvent] = TypeAdapter(RawMessageStreamEvent)


# -- content blocks ----------------------------------------------------------------------------


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def call(call_id: str, q: str = "x") -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": "lookup", "input": {"q": q}}


def answer(call_id: str) -> dict[str, Any]:
    """The `tool_result` block the scenario driver sends for a call."""
    return {"type": "tool_result", "tool_use_id": call_id, "content": f"result of {call_id}"}


def assistant(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": list(blocks)}


def results(*call_ids: str) -> dict[str, Any]:
    return {"role": "user", "content": [answer(i) for i in call_ids]}


THINKING = {"type": "thinking", "thinking": "Which lookup first?", "signature": "c2lnbmF0dXJl"}
REDACTED = {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"}
DIRECT_CALL = {**call("toolu_d"), "caller": {"type": "direct"}}
SERVER_CALL = {
    "type": "server_tool_use",
    "id": "srvtoolu_1",
    "name": "web_search",
    "input": {"query": "lisbon weather"},
}
SERVER_RESULT = {
    "type": "web_search_tool_result",
    "tool_use_id": "srvtoolu_1",
    "content": [
        {
            "type": "web_search_result",
            "url": "https://example.com/lisbon",
            "title": "Lisbon",
            "encrypted_content": "ZW5j",
            "page_age": None,
        }
    ],
}


# -- scripted responses and the driver ---------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One scripted model response."""

    content: list[dict[str, Any]]
    stop_reason: str | None
    input_tokens: int = 10
    output_tokens: int = 5
    cache_read: int = 0
    cache_write: int = 0

    def message(self) -> Message:
        return Message.model_validate(
            {
                "id": "msg_test",
                "type": "message",
                "role": "assistant",
                "model": "claude-test",
                "content": self.content,
                "stop_reason": self.stop_reason,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": self.input_tokens,
                    "output_tokens": self.output_tokens,
                    "cache_read_input_tokens": self.cache_read,
                    "cache_creation_input_tokens": self.cache_write,
                },
            }
        )


def pause(*blocks: dict[str, Any]) -> Reply:
    return Reply(list(blocks), "pause_turn")


def uses(*call_ids: str) -> Reply:
    return Reply([call(i) for i in call_ids], "tool_use")


@dataclass
class Trace:
    """What the driver saw: the finish, the messages of every request, every batch of calls."""

    finish: Finish
    requests: list[list[MessageParam]]
    runs: list[list[str]]


def drive(loop: AgentLoop, replies: list[Reply], *, reverse_results: bool = False) -> Trace:
    """Run the loop to its end, answering each call with `answer(call.id)`."""
    script = list(replies)
    requests: list[list[MessageParam]] = []
    runs: list[list[str]] = []
    for _ in range(1000):
        step = loop.next_step()
        if isinstance(step, Finish):
            assert not script, f"the run ended with {len(script)} scripted replies unused"
            return Trace(step, requests, runs)
        if isinstance(step, CallModel):
            assert script, "the loop asked for a request the scenario does not script"
            requests.append(step.params["messages"])
            loop.on_response(script.pop(0).message())
        else:
            runs.append([c.id for c in step.calls])
            done = [ToolResult(call=c, content=f"result of {c.id}") for c in step.calls]
            loop.on_tool_results(done[::-1] if reverse_results else done)
    raise AssertionError("the loop never finished")


def acceptable(messages: list[Any], params: dict[str, Any] = PARAMS) -> bool:
    problem = check_request({**params, "messages": messages}, HEADERS)
    assert problem is None, problem
    return True


# -- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One rule: the replies, and the finish, calls and history (after the prompt) expected."""

    id: str
    replies: list[Reply]
    stop_reason: str
    history: list[dict[str, Any]]
    runs: list[list[str]] = field(default_factory=list)
    limit_hit: bool = False
    max_turns: int = 10
    budgets: dict[str, int] = field(default_factory=dict)
    reverse_results: bool = False

    def loop(self) -> AgentLoop:
        return AgentLoop(
            PARAMS, [PROMPT], max_turns=self.max_turns, limits=UsageLimits(**self.budgets)
        )


PAUSES = [pause(text(f"step {i}")) for i in range(MAX_PAUSES)]

SCENARIOS = [
    # every stop reason
    Scenario(
        "end_turn", [Reply([text("done")], "end_turn")], "end_turn", [assistant(text("done"))]
    ),
    Scenario(
        "max_tokens", [Reply([text("cut")], "max_tokens")], "max_tokens", [assistant(text("cut"))]
    ),
    Scenario(
        "stop_sequence",
        [Reply([text("up to")], "stop_sequence")],
        "stop_sequence",
        [assistant(text("up to"))],
    ),
    Scenario(
        "refusal", [Reply([text("I can't")], "refusal")], "refusal", [assistant(text("I can't"))]
    ),
    Scenario(
        "model_context_window_exceeded",
        [Reply([text("full")], "model_context_window_exceeded")],
        "model_context_window_exceeded",
        [assistant(text("full"))],
    ),
    Scenario(
        "unknown_future_reason_ends_the_run",
        [Reply([text("new")], "future_reason")],
        "future_reason",
        [assistant(text("new"))],
    ),
    Scenario(
        "missing_stop_reason_is_end_turn",
        [Reply([text("done")], None)],
        "end_turn",
        [assistant(text("done"))],
    ),
    Scenario(
        "tool_use_runs_the_call_and_continues",
        [Reply([text("checking"), call("toolu_1")], "tool_use"), Reply([text("done")], "end_turn")],
        "end_turn",
        [assistant(text("checking"), call("toolu_1")), results("toolu_1"), assistant(text("done"))],
        runs=[["toolu_1"]],
    ),
    Scenario(
        "tool_use_without_client_calls_finishes",
        [Reply([text("hm")], "tool_use")],
        "tool_use",
        [assistant(text("hm"))],
    ),
    Scenario(
        "pause_turn_continues",
        [pause(SERVER_CALL, SERVER_RESULT), Reply([text("found it")], "end_turn")],
        "end_turn",
        [assistant(SERVER_CALL, SERVER_RESULT, text("found it"))],
    ),
    # tool calls of a turn that ends the run are removed, not run
    Scenario(
        "max_tokens_cut_off_call_removed",
        [Reply([text("let me"), call("toolu_cut")], "max_tokens")],
        "max_tokens",
        [assistant(text("let me"))],
    ),
    Scenario(
        "max_tokens_keeps_thinking_drops_call",
        [Reply([THINKING, call("toolu_cut")], "max_tokens")],
        "max_tokens",
        [assistant(THINKING)],
    ),
    Scenario(
        "refusal_call_removed",
        [Reply([text("no"), call("toolu_r")], "refusal")],
        "refusal",
        [assistant(text("no"))],
    ),
    Scenario(
        "context_window_call_removed",
        [Reply([text("a"), call("toolu_c")], "model_context_window_exceeded")],
        "model_context_window_exceeded",
        [assistant(text("a"))],
    ),
    Scenario(
        "unknown_reason_call_removed",
        [Reply([text("a"), call("toolu_u")], "future_reason")],
        "future_reason",
        [assistant(text("a"))],
    ),
    Scenario(
        "end_turn_call_removed",
        [Reply([text("a"), call("toolu_e")], "end_turn")],
        "end_turn",
        [assistant(text("a"))],
    ),
    Scenario(
        "calls_removed_after_tools_ran",
        [uses("toolu_1"), Reply([text("b"), call("toolu_2"), call("toolu_3")], "max_tokens")],
        "max_tokens",
        [assistant(call("toolu_1")), results("toolu_1"), assistant(text("b"))],
        runs=[["toolu_1"]],
    ),
    # an assistant turn left empty is dropped
    Scenario(
        "max_tokens_call_only_turn_dropped",
        [Reply([call("toolu_cut")], "max_tokens")],
        "max_tokens",
        [],
    ),
    Scenario(
        "refusal_call_only_turn_dropped",
        [uses("toolu_1"), Reply([call("toolu_r")], "refusal")],
        "refusal",
        [assistant(call("toolu_1")), results("toolu_1")],
        runs=[["toolu_1"]],
    ),
    Scenario("empty_end_turn_dropped", [Reply([], "end_turn")], "end_turn", []),
    Scenario(
        "empty_end_turn_after_tool_results_dropped",
        [uses("toolu_1"), Reply([], "end_turn")],
        "end_turn",
        [assistant(call("toolu_1")), results("toolu_1")],
        runs=[["toolu_1"]],
    ),
    Scenario("empty_refusal_dropped", [Reply([], "refusal")], "refusal", []),
    # parallel calls: one user message, in call order, before anything else
    Scenario(
        "parallel_calls_answered_in_call_order",
        [
            Reply(
                [text("a"), call("toolu_1"), text("b"), call("toolu_2"), call("toolu_3")],
                "tool_use",
            ),
            Reply([text("done")], "end_turn"),
        ],
        "end_turn",
        [
            assistant(text("a"), call("toolu_1"), text("b"), call("toolu_2"), call("toolu_3")),
            results("toolu_1", "toolu_2", "toolu_3"),
            assistant(text("done")),
        ],
        runs=[["toolu_1", "toolu_2", "toolu_3"]],
    ),
    Scenario(
        "parallel_results_out_of_order_reordered",
        [uses("toolu_1", "toolu_2", "toolu_3"), Reply([text("done")], "end_turn")],
        "end_turn",
        [
            assistant(call("toolu_1"), call("toolu_2"), call("toolu_3")),
            results("toolu_1", "toolu_2", "toolu_3"),
            assistant(text("done")),
        ],
        runs=[["toolu_1", "toolu_2", "toolu_3"]],
        reverse_results=True,
    ),
    Scenario(
        "turn_echoed_verbatim_with_thinking",
        [
            Reply([THINKING, REDACTED, text("a"), DIRECT_CALL], "tool_use"),
            Reply([text("done")], "end_turn"),
        ],
        "end_turn",
        [
            assistant(THINKING, REDACTED, text("a"), DIRECT_CALL),
            results("toolu_d"),
            assistant(text("done")),
        ],
        runs=[["toolu_d"]],
    ),
    # pause_turn: one merged assistant turn, not counted toward max_turns, capped
    Scenario(
        "pauses_then_tool_use_merged_into_one_turn",
        [
            pause(SERVER_CALL),
            pause(SERVER_RESULT),
            uses("toolu_1"),
            Reply([text("ok")], "end_turn"),
        ],
        "end_turn",
        [
            assistant(SERVER_CALL, SERVER_RESULT, call("toolu_1")),
            results("toolu_1"),
            assistant(text("ok")),
        ],
        runs=[["toolu_1"]],
    ),
    Scenario(
        "pause_then_max_tokens_call_removed_from_merged_turn",
        [pause(SERVER_CALL, SERVER_RESULT), Reply([text("so"), call("toolu_cut")], "max_tokens")],
        "max_tokens",
        [assistant(SERVER_CALL, SERVER_RESULT, text("so"))],
    ),
    Scenario(
        "pauses_not_counted_toward_max_turns",
        [pause(text("a")), pause(text("b")), uses("toolu_1"), uses("toolu_2")],
        "max_turns",
        [
            assistant(text("a"), text("b"), call("toolu_1")),
            results("toolu_1"),
            assistant(call("toolu_2")),
            results("toolu_2"),
        ],
        runs=[["toolu_1"], ["toolu_2"]],
        limit_hit=True,
        max_turns=2,
    ),
    Scenario(
        "max_pauses_cap_stops_as_max_turns",
        PAUSES,
        "max_turns",
        [assistant(*(r.content[0] for r in PAUSES))],
        limit_hit=True,
    ),
    Scenario(
        "max_pauses_counts_consecutive_pauses_only",
        [*PAUSES[1:], uses("toolu_1"), *PAUSES[1:], Reply([text("done")], "end_turn")],
        "end_turn",
        [
            assistant(*(r.content[0] for r in PAUSES[1:]), call("toolu_1")),
            results("toolu_1"),
            assistant(*(r.content[0] for r in PAUSES[1:]), text("done")),
        ],
        runs=[["toolu_1"]],
    ),
    # max_turns: stops after the tools ran, the history ending with their results
    Scenario(
        "max_turns_after_tools_ran",
        [uses("toolu_1")],
        "max_turns",
        [assistant(call("toolu_1")), results("toolu_1")],
        runs=[["toolu_1"]],
        limit_hit=True,
        max_turns=1,
    ),
    Scenario(
        "max_turns_after_parallel_tools_ran",
        [uses("toolu_1"), uses("toolu_2", "toolu_3")],
        "max_turns",
        [
            assistant(call("toolu_1")),
            results("toolu_1"),
            assistant(call("toolu_2"), call("toolu_3")),
            results("toolu_2", "toolu_3"),
        ],
        runs=[["toolu_1"], ["toolu_2", "toolu_3"]],
        limit_hit=True,
        max_turns=2,
    ),
    Scenario(
        "max_turns_not_hit_by_a_final_answer",
        [Reply([text("done")], "end_turn")],
        "end_turn",
        [assistant(text("done"))],
        max_turns=1,
    ),
    # token budgets stop as usage_limit once the tools ran
    Scenario(
        "max_input_tokens",
        [uses("toolu_1"), uses("toolu_2")],
        "usage_limit",
        [
            assistant(call("toolu_1")),
            results("toolu_1"),
            assistant(call("toolu_2")),
            results("toolu_2"),
        ],
        runs=[["toolu_1"], ["toolu_2"]],
        limit_hit=True,
        budgets={"max_input_tokens": 20},
    ),
    Scenario(
        "max_input_tokens_counts_cache_reads_and_writes",
        [Reply([call("toolu_1")], "tool_use", input_tokens=1, cache_read=10, cache_write=9)],
        "usage_limit",
        [assistant(call("toolu_1")), results("toolu_1")],
        runs=[["toolu_1"]],
        limit_hit=True,
        budgets={"max_input_tokens": 20},
    ),
    Scenario(
        "max_output_tokens",
        [uses("toolu_1"), uses("toolu_2")],
        "usage_limit",
        [
            assistant(call("toolu_1")),
            results("toolu_1"),
            assistant(call("toolu_2")),
            results("toolu_2"),
        ],
        runs=[["toolu_1"], ["toolu_2"]],
        limit_hit=True,
        budgets={"max_output_tokens": 8},
    ),
    Scenario(
        "max_total_tokens_reached_exactly",
        [uses("toolu_1"), uses("toolu_2")],
        "usage_limit",
        [
            assistant(call("toolu_1")),
            results("toolu_1"),
            assistant(call("toolu_2")),
            results("toolu_2"),
        ],
        runs=[["toolu_1"], ["toolu_2"]],
        limit_hit=True,
        budgets={"max_total_tokens": 30},
    ),
    Scenario(
        "budgets_not_reached",
        [uses("toolu_1"), uses("toolu_2"), Reply([text("done")], "end_turn")],
        "end_turn",
        [
            assistant(call("toolu_1")),
            results("toolu_1"),
            assistant(call("toolu_2")),
            results("toolu_2"),
            assistant(text("done")),
        ],
        runs=[["toolu_1"], ["toolu_2"]],
        budgets={"max_input_tokens": 21, "max_output_tokens": 11, "max_total_tokens": 31},
    ),
    Scenario(
        "budget_spent_by_a_final_answer_keeps_its_reason",
        [Reply([text("done")], "end_turn", output_tokens=50)],
        "end_turn",
        [assistant(text("done"))],
        budgets={"max_output_tokens": 1},
    ),
    Scenario(
        "max_turns_wins_over_a_budget",
        [uses("toolu_1")],
        "max_turns",
        [assistant(call("toolu_1")), results("toolu_1")],
        runs=[["toolu_1"]],
        limit_hit=True,
        max_turns=1,
        budgets={"max_total_tokens": 1},
    ),
]


@pytest.mark.parametrize("case", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_loop_rule(case: Scenario) -> None:
    loop = case.loop()
    trace = drive(loop, case.replies, reverse_results=case.reverse_results)
    finish = trace.finish

    assert (finish.stop_reason, finish.limit_hit) == (case.stop_reason, case.limit_hit)
    assert finish.state is loop.state
    assert loop.state.messages == [PROMPT, *case.history]
    assert trace.runs == case.runs
    assert [r.id for r in loop.state.tool_calls] == [i for run in case.runs for i in run]
    assert [r.result for r in loop.state.tool_calls] == [
        f"result of {i}" for run in case.runs for i in run
    ]
    assert loop.state.usage.requests == len(trace.requests)
    # turns count as max_turns does: a pause_turn continuation is part of the turn it continues
    pauses = sum(1 for reply in case.replies if reply.message().stop_reason == "pause_turn")
    assert loop.state.turns == len(trace.requests) - pauses
    assert loop.state.last_message == case.replies[-1].message()
    assert loop.next_step() is finish  # the run stays over

    # every request the loop made is one the API accepts ...
    assert trace.requests[0] == [PROMPT]
    for messages in trace.requests:
        assert acceptable(messages)
    # ... and each continues the previous response as its rule says
    for reply, following in zip(case.replies[:-1], trace.requests[1:], strict=True):
        last: Any = following[-1]
        if reply.stop_reason == "pause_turn":  # the paused turn, sent back unchanged
            assert last["role"] == "assistant"
            assert last["content"][len(last["content"]) - len(reply.content) :] == reply.content
        else:  # the tool results, in call order, before anything else
            ids = [b["id"] for b in reply.content if b["type"] == "tool_use"]
            assert last == results(*ids)

    # the run can be resumed: its history plus a new prompt is a valid request
    resumed = AgentLoop(PARAMS, loop.state.messages, max_turns=1)
    append_user_content(resumed.state.messages, "continue")
    step = resumed.next_step()
    assert isinstance(step, CallModel)
    assert acceptable(step.params["messages"])


# -- missing (and surplus) tool results ------------------------------------------------------


MISSING = [
    pytest.param([], ["toolu_1", "toolu_2"], id="none"),
    pytest.param(["toolu_1"], ["toolu_2"], id="second_missing"),
    pytest.param(["toolu_2"], ["toolu_1"], id="first_missing"),
    pytest.param(["toolu_9"], ["toolu_1", "toolu_2"], id="only_an_unknown_id"),
    pytest.param(["toolu_1", "toolu_9"], ["toolu_2"], id="unknown_id_instead_of_one"),
]


@pytest.mark.parametrize(("given", "missing"), MISSING)
def test_missing_tool_result_raises(given: list[str], missing: list[str]) -> None:
    loop = AgentLoop(PARAMS, [PROMPT], max_turns=5)
    loop.on_response(uses("toolu_1", "toolu_2").message())
    step = loop.next_step()
    assert isinstance(step, RunTools)
    before = list(loop.state.messages)
    given_results = [ToolResult(call=ToolCall(i, "lookup", {}), content="r") for i in given]

    with pytest.raises(ValueError, match="no result for tool call") as raised:
        loop.on_tool_results(given_results)

    assert str(missing) in str(raised.value)
    assert loop.state.messages == before  # nothing half-stored
    assert loop.state.tool_calls == []
    assert loop.next_step() == step  # still waiting for the same calls
    loop.on_tool_results([ToolResult(call=c, content="r") for c in step.calls])
    assert isinstance(loop.next_step(), CallModel)


def test_surplus_result_for_an_unknown_call_is_not_sent() -> None:
    loop = AgentLoop(PARAMS, [PROMPT], max_turns=5)
    loop.on_response(uses("toolu_1").message())
    step = loop.next_step()
    assert isinstance(step, RunTools)
    stray = ToolResult(call=ToolCall("toolu_stray", "lookup", {}), content="?")
    loop.on_tool_results([stray, ToolResult(call=step.calls[0], content="result of toolu_1")])
    request = loop.next_step()
    assert isinstance(request, CallModel)
    assert request.params["messages"][-1] == results("toolu_1")
    assert [r.id for r in loop.state.tool_calls] == ["toolu_1"]
    assert acceptable(request.params["messages"])


def test_results_carry_error_flags_and_omit_empty_content() -> None:
    loop = AgentLoop(PARAMS, [PROMPT], max_turns=5)
    loop.on_response(uses("toolu_1", "toolu_2", "toolu_3").message())
    step = loop.next_step()
    assert isinstance(step, RunTools)
    first, second, third = step.calls
    loop.on_tool_results(
        [
            ToolResult(call=third, content=[text("block")]),
            ToolResult(call=second, content=""),
            ToolResult(call=first, content="boom", is_error=True),
        ]
    )
    assert loop.state.messages[-1] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "boom", "is_error": True},
            {"type": "tool_result", "tool_use_id": "toolu_2"},
            {"type": "tool_result", "tool_use_id": "toolu_3", "content": [text("block")]},
        ],
    }
    assert [(r.id, r.is_error) for r in loop.state.tool_calls] == [
        ("toolu_1", True),
        ("toolu_2", False),
        ("toolu_3", False),
    ]


def test_calls_in_a_paused_part_are_answered_with_the_continuations() -> None:
    loop = AgentLoop(PARAMS, [PROMPT], max_turns=5)
    trace = drive(
        loop, [pause(call("toolu_a")), uses("toolu_b"), Reply([text("done")], "end_turn")]
    )
    assert trace.runs == [["toolu_a", "toolu_b"]]  # both parts' calls, answered together
    assert acceptable(trace.requests[-1])  # the history after the answers is valid


# -- the two-turn fixture ----------------------------------------------------------------------


def load(name: str) -> Any:
    return json.loads((TOOL_LOOP / name).read_text(encoding="utf-8"))


def turn1_response(source: str) -> Message:
    """The turn-1 response: the SSE transcript accumulated, or its expected final message."""
    ref = load("turn1_response_stream.ref.json")
    if source == "final":
        return Message.model_validate(json.loads((TOOL_LOOP / ref["final"]).read_bytes()))
    decoder = SSEDecoder()
    accumulator = MessageAccumulator()
    for event in decoder.feed((TOOL_LOOP / ref["$ref"]).read_bytes()):
        accumulator.process(EVENTS.validate_json(event.data))
    assert accumulator.done
    return accumulator.final_message()


def without_messages(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k != "messages"}


@pytest.mark.parametrize("source", ["sse", "final"])
def test_two_turn_fixture_replays_through_the_loop(source: str) -> None:
    turn1, turn2 = load("turn1_request.json"), load("turn2_request.json")
    params = without_messages(turn1)
    assert params == without_messages(turn2)
    loop = AgentLoop(params, turn1["messages"], max_turns=10)

    first = loop.next_step()
    assert isinstance(first, CallModel)
    assert first.params == turn1
    loop.on_response(turn1_response(source))

    step = loop.next_step()
    assert isinstance(step, RunTools)
    asked = [b for b in turn2["messages"][1]["content"] if b["type"] == "tool_use"]
    assert step.calls == [ToolCall(b["id"], b["name"], b["input"]) for b in asked]

    answer_turn = turn2["messages"][2]["content"]
    answers = {b["tool_use_id"]: b for b in answer_turn if b["type"] == "tool_result"}
    done = [
        ToolResult(
            call=c, content=answers[c.id]["content"], is_error=answers[c.id].get("is_error", False)
        )
        for c in reversed(step.calls)  # finished out of order
    ]
    loop.on_tool_results(done)
    assert loop.state.messages[-1] == {"role": "user", "content": list(answers.values())}
    trailing = [b for b in answer_turn if b["type"] != "tool_result"]
    append_user_content(loop.state.messages, trailing)  # text goes after the results

    second = loop.next_step()
    assert isinstance(second, CallModel)
    assert second.params == turn2
    assert first.params == turn1  # the first request was not changed afterwards
    assert check_request(first.params, HEADERS) is None
    assert check_request(second.params, HEADERS) is None

    final = load("turn2_response.json")
    loop.on_response(Message.model_validate(final))
    finish = loop.next_step()
    assert isinstance(finish, Finish)
    assert (finish.stop_reason, finish.limit_hit) == ("end_turn", False)
    assert loop.state.messages == [
        *turn2["messages"],
        {"role": "assistant", "content": final["content"]},
    ]
    assert [(r.id, r.name, r.result, r.is_error) for r in loop.state.tool_calls] == [
        (c.id, c.name, answers[c.id]["content"], answers[c.id].get("is_error", False))
        for c in step.calls
    ]
    usage = loop.state.usage
    assert (usage.input_tokens, usage.output_tokens, usage.requests) == (612 + 731, 92 + 31, 2)


# -- the invalid fixtures: the API refuses them, and the loop never produces them ------------------


def fixture_turn() -> tuple[AgentLoop, list[ToolCall]]:
    """The fixture's loop, waiting for the results of turn 1's two calls."""
    turn1 = load("turn1_request.json")
    loop = AgentLoop(without_messages(turn1), turn1["messages"], max_turns=10)
    loop.on_response(turn1_response("final"))
    step = loop.next_step()
    assert isinstance(step, RunTools)
    return loop, step.calls


def one_result_only(loop: AgentLoop, calls: list[ToolCall]) -> CallModel | None:
    with pytest.raises(ValueError, match=calls[1].id):
        loop.on_tool_results([ToolResult(call=calls[0], content="18°C")])
    return None


def results_one_at_a_time(loop: AgentLoop, calls: list[ToolCall]) -> CallModel | None:
    for c, other in ((calls[0], calls[1]), (calls[1], calls[0])):
        with pytest.raises(ValueError, match=other.id):
            loop.on_tool_results([ToolResult(call=c, content="r")])
    return None


def text_before_results(loop: AgentLoop, calls: list[ToolCall]) -> CallModel | None:
    loop.on_tool_results([ToolResult(call=c, content="r") for c in calls])
    append_user_content(loop.state.messages, [text("Here are the results:")])
    step = loop.next_step()
    assert isinstance(step, CallModel)
    content = step.params["messages"][-1]["content"]
    assert [b["type"] for b in content] == ["tool_result", "tool_result", "text"]
    return step


def surplus_result(loop: AgentLoop, calls: list[ToolCall]) -> CallModel | None:
    stray = ToolCall("toolu_0199999999999999999999", "get_weather", {})
    loop.on_tool_results(
        [*(ToolResult(call=c, content="r") for c in calls), ToolResult(call=stray, content="?")]
    )
    step = loop.next_step()
    assert isinstance(step, CallModel)
    ids = [b["tool_use_id"] for b in step.params["messages"][-1]["content"]]
    assert ids == [c.id for c in calls]
    return step


INVALID: dict[str, Callable[[AgentLoop, list[ToolCall]], CallModel | None]] = {
    "invalid_missing_tool_result.request.json": one_result_only,
    "invalid_results_split_across_turns.request.json": results_one_at_a_time,
    "invalid_text_before_tool_result.request.json": text_before_results,
    "invalid_unknown_tool_use_id.request.json": surplus_result,
}


def test_every_invalid_fixture_is_covered() -> None:
    assert sorted(p.name for p in TOOL_LOOP.glob("invalid_*.request.json")) == sorted(INVALID)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_loop_never_produces_an_invalid_fixture_history(name: str) -> None:
    fixture = load(name)
    problem = check_request(fixture["request"], HEADERS)
    assert problem is not None
    assert (problem.status, problem.type) == (
        fixture["expect_status"],
        fixture["expect_error_type"],
    )
    if "expect_message_like" in fixture:
        assert fixture["expect_message_like"] in problem.message

    loop, calls = fixture_turn()
    request = INVALID[name](loop, calls)
    if request is None:  # the loop refused: it still waits for every result, nothing was sent
        step = loop.next_step()
        assert isinstance(step, RunTools)
        assert step.calls == calls
        assert loop.state.messages[-1]["role"] == "assistant"
    else:
        assert request.params["messages"] != fixture["request"]["messages"]
        assert check_request(request.params, HEADERS) is None


def test_tool_results_without_pending_calls_are_refused() -> None:
    loop = AgentLoop(PARAMS, [PROMPT], max_turns=5)
    with pytest.raises(ValueError, match="no tool calls are pending"):
        loop.on_tool_results([])
    assert loop.state.messages == [PROMPT]  # nothing appended
