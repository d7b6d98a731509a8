"""Code of "The agent loop" guide; run by the test suite."""

from __future__ import annotations

import json

from agentkit import (
    Agent,
    Hooks,
    Message,
    OverloadedError,
    RunResult,
    ToolCall,
    ToolDecision,
    ToolResult,
    deny,
    tool,
)
from agentkit.testing import Fault, Reply, ScriptedModel, TestModel

MODEL = "claude-sonnet-4-5"


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


# --8<-- [start:run]
agent = Agent(TestModel().client(), model=MODEL, tools=[add], max_turns=10)
result = agent.run("What is 1 + 1?")

assert result.stop_reason == "end_turn"
assert result.turns == 2  # a tool_use turn, then the answer
assert result.tool_calls[0].name == "add"
assert result.usage.requests == 2
print(result.text)
# --8<-- [end:run]


# --8<-- [start:history]
saved = json.dumps(result.messages)  # plain JSON: store it anywhere
follow_up = agent.run("And 2 + 2?", messages=json.loads(saved))
assert len(follow_up.messages) > len(result.messages)
# --8<-- [end:history]


# --8<-- [start:limits]
limited = Agent(TestModel().client(), model=MODEL, tools=[add], max_turns=1).run("Add!")
assert limited.stop_reason == "max_turns"
assert limited.messages[-1]["role"] == "user"  # the tool results are kept...
resumed = agent.run(messages=limited.messages)  # ...so the run can simply continue
assert resumed.stop_reason == "end_turn"
# --8<-- [end:limits]


# --8<-- [start:max_tokens]
cut_off = Reply([{"type": "tool_use", "name": "add", "input": {"a": 1}}], stop_reason="max_tokens")
short = Agent(ScriptedModel([cut_off]).client(), model=MODEL, tools=[add]).run("Add")
assert short.stop_reason == "max_tokens"
assert short.tool_calls == []  # a cut-off call is never executed
assert [m["role"] for m in short.messages] == ["user"]  # and never left unanswered
# --8<-- [end:max_tokens]


# --8<-- [start:hooks]
def no_big_sums(call: ToolCall) -> ToolDecision:
    return deny("sums over 100 need a human") if call.input.get("a", 0) > 100 else None


seen: list[str] = []


def log_result(call: ToolCall, result: ToolResult) -> None:
    seen.append(f"{call.name}: {'error' if result.is_error else 'ok'}")


def log_turn(message: Message) -> None:
    seen.append(f"turn ended: {message.stop_reason}")


guarded = Agent(
    TestModel(tool_inputs={"add": {"a": 500, "b": 1}}).client(),
    model=MODEL,
    tools=[add],
    hooks=Hooks(before_tool_call=no_big_sums, after_tool_call=log_result, on_turn=log_turn),
)
refused = guarded.run("Add 500 and 1")
assert refused.tool_calls[0].is_error
assert "need a human" in refused.tool_calls[0].result
assert seen == ["turn ended: tool_use", "add: error", "turn ended: end_turn"]
# --8<-- [end:hooks]


# --8<-- [start:errors]
model = TestModel(faults=[None] + [Fault.error_status(529, retry_after=0.01)] * 3)
try:
    Agent(model.client(), model=MODEL, tools=[add]).run("Add")
except OverloadedError as error:
    state: RunResult = error.run_state  # the run so far: the tool already ran once
    assert state.tool_calls[0].name == "add"
    finished = Agent(model.client(), model=MODEL, tools=[add]).run(messages=state.messages)
    assert finished.stop_reason == "end_turn"
# --8<-- [end:errors]
