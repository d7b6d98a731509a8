"""Switching spans on and off; what runs without an SDK; what loads when."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import anyio
import pytest
from opentelemetry.trace import NoOpTracerProvider, StatusCode

from agentkit import Agent, AsyncAgent, UsageError, _telemetry, otel, tool
from agentkit.testing import ScriptedModel
from tests.helpers import API_KEY
from tests.otel.conftest import Spans

MODEL = "claude-sonnet-4-5"


def use(name: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": "toolu_1", "name": name, "input": {}}


@tool(timeout=0.05)
async def slow() -> str:
    """Never answers in time."""
    await anyio.sleep(5)
    return "late"


@pytest.mark.kinds("sync", "asyncio")
def test_a_timed_out_tool_marks_its_span(kind: str, spans: Spans) -> None:
    model = ScriptedModel([[use("slow")], "ok"])
    if kind == "sync":
        Agent(model.client(), model=MODEL, tools=[slow]).run("Go")
    else:

        async def main() -> None:
            await AsyncAgent(model.async_client(), model=MODEL, tools=[slow]).run("Go")

        anyio.run(main)
    span = spans.one("execute_tool slow")
    assert span.attributes is not None
    assert span.attributes["error.type"] == "timeout"
    assert span.status.status_code is StatusCode.ERROR


def test_configure_can_switch_every_agent_off(spans: Spans) -> None:
    otel.configure(enabled=False, tracer_provider=spans.provider)
    Agent(ScriptedModel(["hi"]), model=MODEL).run("Go")
    assert spans.all() == []
    assert otel.settings().enabled is False


def test_configure_can_turn_content_on(spans: Spans) -> None:
    otel.configure(capture_content=True, tracer_provider=spans.provider)
    Agent(ScriptedModel(["hi"]), model=MODEL).run("Go")
    attributes = spans.one("invoke_agent").attributes
    assert attributes is not None
    assert "gen_ai.output.messages" in attributes


def test_without_an_sdk_a_run_records_nothing_and_works(spans: Spans) -> None:
    otel.configure(tracer_provider=NoOpTracerProvider())
    model = ScriptedModel([[use("slow")], "ok"])
    agent = Agent(model, model=MODEL, tools=[slow])
    run = agent._start_telemetry()
    assert run is _telemetry._NULL_RUN
    with run:
        pass
    assert agent.run("Go").text == "ok"
    assert spans.all() == []


def test_a_tool_outside_an_instrumented_run_has_no_span(spans: Spans) -> None:
    from agentkit import Toolbox

    box = Toolbox([slow])
    assert box.run(use("slow"))["is_error"] is True
    assert spans.all() == []


def test_an_agent_needs_a_non_empty_name() -> None:
    with pytest.raises(UsageError, match="name must be a non-empty string"):
        Agent(ScriptedModel(["hi"]), model=MODEL, name="")


def test_spans_hold_no_credentials(spans: Spans) -> None:
    model = ScriptedModel([[use("slow")], "ok"])
    client = model.client(api_key=API_KEY, auth_token="tok-SECRET-42")
    Agent(client, model=MODEL, tools=[slow], capture_content=True).run("Go")
    text = repr([(s.name, s.attributes, [e.attributes for e in s.events]) for s in spans.all()])
    assert "gen_ai.input.messages" in text
    assert API_KEY not in text
    assert "tok-SECRET-42" not in text


def run_code(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_import_agentkit_never_loads_opentelemetry() -> None:
    loaded = run_code(
        "import sys, agentkit, agentkit.otel\n"
        "from agentkit import Agent, AsyncAgent, Anthropic, tool\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
    )
    assert loaded == "[]"


def test_without_opentelemetry_configure_says_what_to_install() -> None:
    out = run_code(
        "import sys; sys.modules['opentelemetry'] = None\n"
        "from agentkit import Agent, UsageError, otel\n"
        "from agentkit.testing import ScriptedModel\n"
        "print(Agent(ScriptedModel(['fine']), model='m').run('Go').text)\n"
        "try:\n"
        "    otel.configure()\n"
        "except UsageError as exc:\n"
        "    print(exc)\n"
    )
    assert out.splitlines()[0] == "fine"  # spans are simply off
    assert "pip install 'agentkit[otel]'" in out.splitlines()[1]


def test_a_wait_for_rate_limit_room_is_an_event_of_the_chat_span(spans: Spans) -> None:
    from agentkit import RateLimiter
    from agentkit.testing import VirtualClock

    limiter = RateLimiter(requests_per_minute=1, clock=VirtualClock())
    model = ScriptedModel(["one", "two"])
    agent = Agent(model.client(rate_limiter=limiter), model=MODEL)
    agent.run("Go")
    agent.run("Go")
    first, second = sorted(spans.named("chat "), key=lambda s: s.start_time or 0)
    assert [e.name for e in first.events] == []
    [event] = second.events
    assert event.name == "rate_limit_wait"
    assert event.attributes == {"agentkit.wait_seconds": 60.0}


def test_content_parts_in_the_conventions_form(spans: Spans) -> None:
    import json

    from agentkit.testing import Reply

    thinking = {"type": "thinking", "thinking": "Hmm.", "signature": "c2ln"}
    usage = {"input_tokens": 3, "output_tokens": 4, "cache_creation_input_tokens": 7}
    model = ScriptedModel([Reply([thinking, {"type": "text", "text": "A cat."}], usage=usage)])
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "AA=="},
    }
    agent = Agent(
        model,
        model=MODEL,
        capture_content=True,
        stop_sequences=["END"],
        thinking={"type": "enabled", "budget_tokens": 1024},
    )
    agent.run([image, {"type": "text", "text": "What is it?"}])
    attributes = spans.one("chat ").attributes
    assert attributes is not None
    assert attributes["gen_ai.request.stop_sequences"] == ("END",)
    assert attributes["gen_ai.usage.cache_creation.input_tokens"] == 7
    assert attributes["gen_ai.usage.input_tokens"] == 10
    [sent] = json.loads(str(attributes["gen_ai.input.messages"]))
    assert sent["parts"] == [{"type": "image"}, {"type": "text", "content": "What is it?"}]
    [answer] = json.loads(str(attributes["gen_ai.output.messages"]))
    assert answer["parts"] == [
        {"type": "reasoning", "content": "Hmm."},
        {"type": "text", "content": "A cat."},
    ]
