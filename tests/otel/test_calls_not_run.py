"""`execute_tool` spans of tool calls answered without running their function.

Every path that answers a `tool_use` block without calling the tool (an unknown name, input
that is not JSON or does not validate, a `before_tool_call` denial, a refused approval) gets
a zero-length span under the run, with `error.type` naming the cause. Each test runs with the
sync agent and the async one (on asyncio and on trio).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import NoOpTracerProvider, SpanKind, StatusCode

from agentkit import (
    Agent,
    AsyncAgent,
    BadRequestError,
    Hooks,
    Journal,
    RunResult,
    Toolbox,
    deny,
    otel,
    tool,
)
from agentkit.agent import RunFinished
from agentkit.testing import ErrorReply, RawReply, ScriptedModel
from agentkit.tools._calls import Planned, ToolCall, ToolResult
from tests.helpers import FIXTURES
from tests.otel.conftest import Spans
from tests.otel.test_spans import MODEL, parent_of, run, span_id, stream, use

pytestmark = pytest.mark.kinds("sync", "asyncio", "trio")

ADDED: list[int] = []


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    ADDED.append(a + b)
    return a + b


@tool(requires_approval=True)
def wire(amount: int) -> str:
    """Wire money (needs approval)."""
    return f"wired {amount}"


@pytest.fixture(autouse=True)
def _clear_added() -> None:
    ADDED.clear()


def not_run_span(spans: Spans, name: str, call_id: str, error_type: str) -> ReadableSpan:
    """The span of `call_id`, checked: a sibling of the turn's calls, failed with `error_type`."""
    [span] = [s for s in spans.named(f"execute_tool {name}") if attribute(s, "call.id") == call_id]
    assert span.kind is SpanKind.INTERNAL
    assert parent_of(span) == span_id(spans.one("invoke_agent"))
    assert dict(span.attributes or {}) == {  # no content: it is opt-in
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.tool.name": name,
        "gen_ai.tool.call.id": call_id,
        "error.type": error_type,
    }
    assert span.status.status_code is StatusCode.ERROR
    assert span.events == ()  # no exception was raised
    assert span.start_time == span.end_time  # answered at once: a point in the turn
    return span


def attribute(span: ReadableSpan, name: str) -> Any:
    return (span.attributes or {}).get(f"gen_ai.tool.{name}")


def test_a_call_to_an_unknown_tool(kind: str, spans: Spans) -> None:
    model = ScriptedModel([[use("nope", {"x": 1}, "toolu_1")], "sorry"])
    result = run(kind, model, tools=[add])
    assert result.tool_calls[0].is_error
    span = not_run_span(spans, "nope", "toolu_1", "tool_not_found")
    assert span.status.description == "the model called a tool that does not exist"


def test_input_that_does_not_validate(kind: str, spans: Spans) -> None:
    model = ScriptedModel([[use("add", {"a": "two", "b": 3}, "toolu_1")], "sorry"])
    result = run(kind, model, tools=[add])
    assert ADDED == []
    assert "Invalid input for tool 'add'" in result.tool_calls[0].result
    span = not_run_span(spans, "add", "toolu_1", "invalid_input")
    assert span.status.description == "the tool input did not validate"


def test_input_that_is_not_json(kind: str, spans: Spans) -> None:
    path = next(
        FIXTURES.glob("recorded/anthropic-sdk-python-2.14.0/**/tool_use_invalid_json_response.txt")
    )
    name = tool_name_in(path)
    called: list[str] = []

    @tool(name=name)
    def placeholder(location: str = "") -> str:
        """Never called: the model's input is not JSON."""
        called.append(location)
        return "never"

    model = ScriptedModel([RawReply(path.read_bytes()), "Retried."])
    events = stream(kind, model, [], tools=[placeholder])
    assert isinstance(events[-1], RunFinished)
    [record] = events[-1].result.tool_calls
    assert called == []
    span = not_run_span(spans, name, record.id, "malformed_input")
    assert span.status.description == "the tool input was not a complete JSON object"


def tool_name_in(path: Path) -> str:
    for line in path.read_text().splitlines():
        if '"tool_use"' in line and line.startswith("data:"):
            return str(json.loads(line[5:])["content_block"]["name"])
    raise AssertionError("no tool_use in the fixture")


def test_a_call_denied_by_a_hook(kind: str, spans: Spans) -> None:
    model = ScriptedModel([[use("add", {"a": 1, "b": 2}, "toolu_1")], "ok"])
    hooks = Hooks(before_tool_call=lambda call: deny("not today"))
    result = run(kind, model, tools=[add], hooks=hooks)
    assert ADDED == []
    assert result.tool_calls[0].result == "The tool call was denied and did not run: not today"
    span = not_run_span(spans, "add", "toolu_1", "denied")
    assert span.status.description == "a before_tool_call hook denied the call"


def test_calls_refused_approval_or_denied_before_it(kind: str, spans: Spans) -> None:
    calls = [use("wire", {"amount": 10}, "toolu_1"), use("wire", {"amount": 99}, "toolu_2")]
    model = ScriptedModel([calls, "ok"])
    hooks = Hooks(
        before_tool_call=lambda call: deny("too much") if call.input["amount"] > 50 else None,
        approve=lambda call: False,
    )
    result = run(kind, model, tools=[wire], hooks=hooks)
    assert [c.is_error for c in result.tool_calls] == [True, True]
    refused = not_run_span(spans, "wire", "toolu_1", "not_approved")
    assert refused.status.description == "the call needed approval and did not get it"
    not_run_span(spans, "wire", "toolu_2", "denied")  # denied before approval was asked


def test_a_call_without_an_approver(kind: str, spans: Spans) -> None:
    model = ScriptedModel([[use("wire", {"amount": 1}, "toolu_1")], "ok"])
    result = run(kind, model, tools=[wire])
    assert "no approver is configured" in result.tool_calls[0].result
    not_run_span(spans, "wire", "toolu_1", "not_approved")


def test_an_answer_of_unknown_cause_is_not_called_a_denial(kind: str, spans: Spans) -> None:
    class Answering(Toolbox):
        """Answers every call itself (a cache, say)."""

        def plan(self, block: Any) -> Planned | ToolResult:
            call = block if isinstance(block, ToolCall) else ToolCall.from_block(block)
            return ToolResult(call=call, content="from the cache")

    model = ScriptedModel([[use("add", {"a": 1, "b": 2}, "toolu_1")], "ok"])
    result = run(kind, model, tools=Answering([add]))
    assert result.tool_calls[0].result == "from the cache"
    assert ADDED == []
    assert spans.named("execute_tool") == []  # no cause to tell, and nothing ran


def test_an_approved_call_runs_in_a_span_of_its_own(kind: str, spans: Spans) -> None:
    model = ScriptedModel([[use("wire", {"amount": 1}, "toolu_1")], "ok"])
    result = run(kind, model, tools=[wire], hooks=Hooks(approve=lambda call: True))
    assert result.tool_calls[0].result == "wired 1"
    span = spans.one("execute_tool wire")
    assert span.attributes is not None
    assert "error.type" not in span.attributes
    assert span.status.status_code is StatusCode.UNSET


def test_calls_of_one_turn_are_siblings_in_time_order(kind: str, spans: Spans) -> None:
    calls = [use("add", {"a": 1, "b": 2}, "toolu_1"), use("nope", {}, "toolu_2")]
    model = ScriptedModel([calls, "done"])
    run(kind, model, tools=[add])
    assert ADDED == [3]
    ran = spans.one("execute_tool add")
    assert ran.attributes is not None
    assert "error.type" not in ran.attributes
    unknown = not_run_span(spans, "nope", "toolu_2", "tool_not_found")
    assert parent_of(ran) == parent_of(unknown)
    first, second = sorted(spans.named("chat "), key=lambda s: s.start_time or 0)
    assert unknown.start_time is not None
    assert first.end_time is not None
    assert ran.start_time is not None
    # answered when the turn's calls started, before the one that ran, after the response
    assert first.end_time <= unknown.start_time <= ran.start_time
    assert second.start_time is not None
    assert ran.end_time is not None
    assert ran.end_time <= second.start_time


def test_content_is_recorded_only_when_asked(kind: str, spans: Spans) -> None:
    def calls() -> ScriptedModel:
        return ScriptedModel([[use("nope", {"q": "secret"}, "toolu_1")], "ok"])

    run(kind, calls(), tools=[add])
    not_run_span(spans, "nope", "toolu_1", "tool_not_found")  # no content attributes
    spans.exporter.clear()

    result = run(kind, calls(), tools=[add], capture_content=True)
    span = spans.one("execute_tool nope")
    assert span.attributes is not None
    assert span.attributes["error.type"] == "tool_not_found"
    assert json.loads(str(span.attributes["gen_ai.tool.call.arguments"])) == {"q": "secret"}
    told = json.loads(str(span.attributes["gen_ai.tool.call.result"]))
    assert told == result.tool_calls[0].result
    assert told == "Unknown tool 'nope'. Available tools: add."


def test_nothing_is_recorded_when_spans_are_off(kind: str, spans: Spans) -> None:
    hooks = Hooks(before_tool_call=lambda call: deny())

    def refused_run(**options: Any) -> RunResult:
        calls = [use("nope", {}, "toolu_1"), use("add", {"a": 1, "b": 1}, "toolu_2")]
        return run(kind, ScriptedModel([calls, "ok"]), tools=[add], hooks=hooks, **options)

    assert refused_run(instrument=False).text == "ok"
    otel.configure(tracer_provider=NoOpTracerProvider())  # opentelemetry-api, no SDK
    assert refused_run().text == "ok"
    assert spans.all() == []


def run_journaled(kind: str, model: ScriptedModel, options: dict[str, Any]) -> RunResult:
    """Run "Go" as the journaled run "r" with the `kind` of agent `options` describe."""
    if kind == "sync":
        return Agent(model.client(), model=MODEL, **options).run("Go", run_id="r")

    async def main() -> RunResult:
        agent = AsyncAgent(model.async_client(), model=MODEL, **options)
        return await agent.run("Go", run_id="r")

    return anyio.run(main, backend=kind)


def test_a_resumed_journaled_run_does_not_repeat_answered_calls(
    kind: str, spans: Spans, tmp_path: Path
) -> None:
    calls = [use("nope", {}, "toolu_1"), use("add", {"a": 1, "b": 2}, "toolu_2")]
    model = ScriptedModel([calls, ErrorReply(400), "done"])
    hooks = Hooks(before_tool_call=lambda call: deny() if call.name == "add" else None)

    with Journal(tmp_path / "runs.db") as journal:
        options: dict[str, Any] = {"tools": [add], "hooks": hooks, "journal": journal}
        with pytest.raises(BadRequestError):
            run_journaled(kind, model, options)
        not_run_span(spans, "nope", "toolu_1", "tool_not_found")
        not_run_span(spans, "add", "toolu_2", "denied")
        spans.exporter.clear()

        result = run_journaled(kind, model, options)  # the first turn's answers: the journal's
    assert result.text == "done"
    assert [c.is_error for c in result.tool_calls] == [True, True]
    assert spans.named("execute_tool") == []  # they were answered in the first run
    assert len(spans.named("chat ")) == 1  # only the request sent again


class Crash(BaseException):
    """The process dies (a BaseException: the run records nothing more)."""


def test_a_call_interrupted_by_a_crash_is_answered_with_a_span_on_resume(
    kind: str, spans: Spans, tmp_path: Path
) -> None:
    model = ScriptedModel([[use("charge", {"amount": 5}, "toolu_1")], "noted"])
    charged: list[int] = []

    @tool
    def charge(amount: int) -> str:
        """Charge (not idempotent)."""
        charged.append(amount)
        if len(charged) == 1:
            raise Crash  # dies after the side effect, before the result is recorded
        return "charged"

    with Journal(tmp_path / "runs.db") as journal:
        options: dict[str, Any] = {"tools": [charge], "journal": journal}
        with pytest.raises(Crash):
            run_journaled(kind, model, options)
        spans.exporter.clear()
        result = run_journaled(kind, model, options)  # answered as interrupted, not run again
    assert charged == [5]
    assert result.tool_calls[0].is_error
    span = not_run_span(spans, "charge", "toolu_1", "interrupted")
    assert span.status.description == (
        "the run stopped while the call was running; it was not run again"
    )
