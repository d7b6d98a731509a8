"""OpenTelemetry spans of agent runs, captured with the SDK's in-memory exporter.

Every run goes through the real client and an offline model; each test runs with the sync
agent and the async one (on asyncio and on trio).
"""

from __future__ import annotations

import json
import threading
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from agentkit import Agent, AsyncAgent, RunResult, ToolContext, tool
from agentkit.agent import AgentEvent
from agentkit.testing import Fault, Reply, ScriptedModel
from agentkit.testing._models import MockModel
from tests.otel.conftest import Spans

pytestmark = pytest.mark.kinds("sync", "asyncio", "trio")

MODEL = "claude-sonnet-4-5"


def run(kind: str, model: MockModel, prompt: str = "Go", **options: Any) -> RunResult:
    """One run with a sync or async agent (`deps=` goes to run())."""
    deps = options.pop("deps", None)
    options.setdefault("model", MODEL)
    if kind == "sync":
        return Agent(model.client(), **options).run(prompt, deps=deps)

    async def main() -> RunResult:
        return await AsyncAgent(model.async_client(), **options).run(prompt, deps=deps)

    return anyio.run(main, backend=kind)


def stream(kind: str, model: MockModel, seen: list[Any], **options: Any) -> list[AgentEvent]:
    """`agent.stream()`, noting the current span the caller sees at each event in `seen`."""
    options.setdefault("model", MODEL)
    if kind == "sync":
        events = []
        for event in Agent(model.client(), **options).stream("Go"):
            seen.append(trace.get_current_span())
            events.append(event)
        return events

    async def main() -> list[AgentEvent]:
        events = []
        async for event in AsyncAgent(model.async_client(), **options).stream("Go"):
            seen.append(trace.get_current_span())
            events.append(event)
        return events

    return anyio.run(main, backend=kind)


def use(name: str, tool_input: dict[str, Any], tid: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": tid, "name": name, "input": tool_input}


def parent_of(span: ReadableSpan) -> int | None:
    return None if span.parent is None else span.parent.span_id


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.span_id)


@tool
def lookup(ctx: ToolContext[Spans], key: str) -> str:
    """Look a key up, in a span of the tool's own (on a worker thread when calls are parallel)."""
    with ctx.deps.provider.get_tracer("tool").start_as_current_span(f"inner {key}"):
        return f"{key}={threading.current_thread().name}"


@tool
async def alookup(ctx: ToolContext[Spans], key: str) -> str:
    """Async: look a key up in a span of the tool's own."""
    with ctx.deps.provider.get_tracer("tool").start_as_current_span(f"inner {key}"):
        await anyio.lowlevel.checkpoint()
        return f"{key}=async"


@tool
def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"kaput: {reason}")


def test_a_run_with_parallel_tools_nests_its_spans(kind: str, spans: Spans) -> None:
    calls = [use("lookup", {"key": "a"}, "toolu_1"), use("alookup", {"key": "b"}, "toolu_2")]
    usage = {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 100}
    model = ScriptedModel([Reply(calls, usage=usage), "done"])
    result = run(kind, model, tools=[lookup, alookup], deps=spans, name="helper", temperature=0.5)
    assert result.text == "done"

    agent = spans.one("invoke_agent")
    assert agent.name == "invoke_agent helper"
    assert agent.kind is SpanKind.INTERNAL
    assert agent.parent is None
    assert agent.attributes is not None
    assert agent.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert agent.attributes["gen_ai.provider.name"] == "anthropic"
    assert agent.attributes["gen_ai.agent.name"] == "helper"
    assert agent.attributes["gen_ai.request.model"] == MODEL
    assert agent.attributes["gen_ai.response.finish_reasons"] == ("end_turn",)
    assert agent.attributes["gen_ai.usage.output_tokens"] == result.usage.output_tokens

    chats = sorted(spans.named("chat "), key=lambda s: s.start_time or 0)
    assert [c.name for c in chats] == [f"chat {MODEL}", f"chat {MODEL}"]
    first = chats[0]
    assert first.kind is SpanKind.CLIENT
    assert all(parent_of(c) == span_id(agent) for c in chats)
    assert first.attributes is not None
    assert first.attributes["gen_ai.operation.name"] == "chat"
    assert first.attributes["gen_ai.provider.name"] == "anthropic"
    assert first.attributes["gen_ai.request.model"] == MODEL
    assert first.attributes["gen_ai.request.max_tokens"] == 4096
    assert first.attributes["gen_ai.request.temperature"] == 0.5
    assert "gen_ai.request.top_p" not in first.attributes
    assert first.attributes["gen_ai.response.model"] == MODEL
    assert str(first.attributes["gen_ai.response.id"]).startswith("msg_")
    assert first.attributes["gen_ai.response.finish_reasons"] == ("tool_use",)
    assert first.attributes["gen_ai.usage.input_tokens"] == 110  # cached input included
    assert first.attributes["gen_ai.usage.output_tokens"] == 5
    assert first.attributes["gen_ai.usage.cache_read.input_tokens"] == 100
    assert "gen_ai.usage.cache_creation.input_tokens" not in first.attributes  # none written
    assert first.attributes["server.address"] == "api.anthropic.com"

    tools = {s.name: s for s in spans.named("execute_tool")}
    assert set(tools) == {"execute_tool lookup", "execute_tool alookup"}
    for name, call_id in (("lookup", "toolu_1"), ("alookup", "toolu_2")):
        span = tools[f"execute_tool {name}"]
        assert span.kind is SpanKind.INTERNAL
        assert parent_of(span) == span_id(agent)  # siblings under the run
        assert span.attributes is not None
        assert span.attributes["gen_ai.operation.name"] == "execute_tool"
        assert span.attributes["gen_ai.tool.name"] == name
        assert span.attributes["gen_ai.tool.call.id"] == call_id
        assert "gen_ai.tool.call.arguments" not in span.attributes  # content is opt-in
    for key, name in (("a", "lookup"), ("b", "alookup")):
        inner = spans.one(f"inner {key}")
        assert parent_of(inner) == span_id(tools[f"execute_tool {name}"])


def test_a_lone_sync_tool_runs_under_its_span(kind: str, spans: Spans) -> None:
    model = ScriptedModel([[use("lookup", {"key": "x"}, "toolu_1")], "done"])
    run(kind, model, tools=[lookup], deps=spans)
    tool_span = spans.one("execute_tool lookup")
    assert parent_of(spans.one("inner x")) == span_id(tool_span)


def test_content_is_recorded_only_when_asked(kind: str, spans: Spans) -> None:
    calls = [use("lookup", {"key": "k"}, "toolu_1")]
    run(kind, ScriptedModel([calls, "done"]), tools=[lookup], deps=spans, system="Be brief.")
    for span in spans.all():
        assert span.attributes is not None
        assert not any(k.startswith(("gen_ai.input", "gen_ai.output")) for k in span.attributes)
        assert "gen_ai.system_instructions" not in span.attributes
        assert "gen_ai.tool.call.result" not in span.attributes
    spans.exporter.clear()

    model = ScriptedModel([calls, "done"])
    run(kind, model, tools=[lookup], deps=spans, system="Be brief.", capture_content=True)
    chats = sorted(spans.named("chat "), key=lambda s: s.start_time or 0)
    assert chats[0].attributes is not None
    assert json.loads(str(chats[0].attributes["gen_ai.input.messages"])) == [
        {"role": "user", "parts": [{"type": "text", "content": "Go"}]}
    ]
    assert json.loads(str(chats[0].attributes["gen_ai.system_instructions"])) == [
        {"type": "text", "content": "Be brief."}
    ]
    output = json.loads(str(chats[0].attributes["gen_ai.output.messages"]))
    assert output[0]["parts"] == [
        {"type": "tool_call", "id": "toolu_1", "name": "lookup", "arguments": {"key": "k"}}
    ]
    assert output[0]["finish_reason"] == "tool_use"
    second = json.loads(str(chats[1].attributes["gen_ai.input.messages"]))  # type: ignore[index]
    assert second[2]["parts"][0]["type"] == "tool_call_response"
    tool_span = spans.one("execute_tool lookup")
    assert tool_span.attributes is not None
    assert json.loads(str(tool_span.attributes["gen_ai.tool.call.arguments"])) == {"key": "k"}
    assert str(tool_span.attributes["gen_ai.tool.call.result"]).startswith('"k=')


def test_the_environment_variable_turns_content_on(
    kind: str, spans: Spans, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    run(kind, ScriptedModel(["hello"]))
    attributes = spans.one("chat ").attributes
    assert attributes is not None
    assert "gen_ai.input.messages" in attributes
    spans.exporter.clear()
    run(kind, ScriptedModel(["hello"]), capture_content=False)  # the agent's choice wins
    attributes = spans.one("chat ").attributes
    assert attributes is not None
    assert "gen_ai.input.messages" not in attributes


def test_a_failing_tool_marks_its_span(kind: str, spans: Spans) -> None:
    model = ScriptedModel([[use("explode", {"reason": "x"}, "toolu_1")], "sorry"])
    result = run(kind, model, tools=[explode])
    assert result.tool_calls[0].is_error
    span = spans.one("execute_tool explode")
    assert span.attributes is not None
    assert span.attributes["error.type"] == "RuntimeError"
    assert span.status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events] == ["exception"]
    assert spans.one("invoke_agent").status.status_code is StatusCode.UNSET  # the run went on


def test_a_failed_request_marks_chat_and_run_and_retries_are_events(
    kind: str, spans: Spans
) -> None:
    faults = [Fault.error_status(529), Fault.error_status(529), Fault.error_status(529)]
    model = ScriptedModel(["never"], faults=faults)
    with pytest.raises(Exception, match="Overloaded|overloaded"):
        run(kind, model)
    chat = spans.one("chat ")
    assert chat.attributes is not None
    assert chat.attributes["error.type"] == "OverloadedError"
    assert chat.status.status_code is StatusCode.ERROR
    retries = [e for e in chat.events if e.name == "retry"]
    assert [e.attributes["agentkit.retry"] for e in retries if e.attributes] == [1, 2]
    assert all(e.attributes and e.attributes["http.response.status_code"] == 529 for e in retries)
    agent = spans.one("invoke_agent")
    assert agent.attributes is not None
    assert agent.attributes["error.type"] == "OverloadedError"
    assert parent_of(chat) == span_id(agent)


def test_streaming_keeps_the_callers_span_current(kind: str, spans: Spans) -> None:
    seen: list[Any] = []
    tracer = spans.provider.get_tracer("app")
    model = ScriptedModel([[use("lookup", {"key": "s"}, "toolu_1")], "a streamed answer"])
    with tracer.start_as_current_span("app") as app:
        events = stream(kind, model, seen, tools=[lookup], deps=spans)
    assert events
    assert all(span is app for span in seen)  # never one of agentkit's between events
    agent = spans.one("invoke_agent")
    assert parent_of(agent) == span_id(spans.one("app"))
    chats = spans.named("chat ")
    assert len(chats) == 2
    assert all(c.attributes and c.attributes["gen_ai.request.stream"] for c in chats)
    assert parent_of(spans.one("inner s")) == span_id(spans.one("execute_tool lookup"))


@pytest.mark.kinds("sync", "asyncio")  # on trio, httpx's own stream generator warns (as before)
def test_a_stream_left_early_ends_its_spans(kind: str, spans: Spans) -> None:
    model = ScriptedModel(["a long answer " * 20], text_chunk=4)
    if kind == "sync":
        events = Agent(model.client(), model=MODEL).stream("Go")
        next(events)
        events.close()
    else:

        async def main() -> None:
            events = AsyncAgent(model.async_client(), model=MODEL).stream("Go")
            await events.__anext__()
            await events.aclose()

        anyio.run(main, backend=kind)
    assert [s.name for s in spans.all()] == [f"chat {MODEL}", "invoke_agent agent"]
    assert all(s.status.status_code is StatusCode.UNSET for s in spans.all())


def test_instrumentation_can_be_turned_off(kind: str, spans: Spans) -> None:
    run(
        kind,
        ScriptedModel([[use("explode", {"reason": "x"}, "t")], "ok"]),
        tools=[explode],
        instrument=False,
    )
    assert spans.all() == []
