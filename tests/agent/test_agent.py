"""The agent loop through the real client and offline models (which validate every request)."""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from agentkit import (
    Agent,
    AsyncAgent,
    Hooks,
    OverloadedError,
    RunFinished,
    RunLimitExceeded,
    RunResult,
    TextChunk,
    ToolCallFinished,
    ToolCallStarted,
    ToolContext,
    TurnFinished,
    UsageError,
    deny,
    replace_input,
    tool,
)
from agentkit.agent import AgentEvent
from agentkit.testing import (
    Fault,
    FunctionModel,
    ModelRequest,
    RawReply,
    RecordedSleeps,
    Reply,
    ScriptedModel,
    TestModel,
)
from agentkit.testing._models import MockModel
from tests.helpers import FIXTURES

MODEL = "claude-sonnet-4-5"
CALLS: list[str] = []


@tool
def get_weather(city: str, unit: str = "c") -> str:
    """Current weather for a city.

    Args:
        city: City name.
        unit: Temperature unit.
    """
    CALLS.append(f"weather:{city}")
    return f"{city}: 21{unit}"


@tool
async def add(a: int, b: int) -> int:
    """Add two integers."""
    CALLS.append(f"add:{a}+{b}")
    await anyio.lowlevel.checkpoint()
    return a + b


@tool
def explode() -> str:
    """Always fails."""
    raise RuntimeError("kaput")


@tool(requires_approval=True)
def delete_file(path: str) -> str:
    """Delete a file (needs a human's yes)."""
    CALLS.append(f"delete:{path}")
    return f"deleted {path}"


@tool
def whoami(context: ToolContext[dict[str, str]]) -> str:
    """Who is asking."""
    return f"{context.deps['user']} ({context.tool_name}, {len(context.messages)} messages)"


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    CALLS.clear()


def run(kind: str, model: MockModel, prompt: Any = "Go", **options: Any) -> RunResult:
    """One run with a sync or async agent; `messages=` / `deps=` go to run()."""
    run_kwargs = {k: options.pop(k) for k in ("messages", "deps") if k in options}
    options.setdefault("model", MODEL)
    if kind == "sync":
        return Agent(model.client(), **options).run(prompt, **run_kwargs)

    async def main() -> RunResult:
        return await AsyncAgent(model.async_client(), **options).run(prompt, **run_kwargs)

    return anyio.run(main)


def events(kind: str, model: MockModel, prompt: str = "Go", **options: Any) -> list[AgentEvent]:
    options.setdefault("model", MODEL)
    if kind == "sync":
        return list(Agent(model.client(), **options).stream(prompt))

    async def main() -> list[AgentEvent]:
        agent = AsyncAgent(model.async_client(), **options)
        return [event async for event in agent.stream(prompt)]

    return anyio.run(main)


def final(seen: list[AgentEvent]) -> RunResult:
    last = seen[-1]
    assert isinstance(last, RunFinished)
    return last.result


def content(message: Any) -> Any:
    """A message param's content, for indexing in assertions."""
    return message["content"]


def tool_use(name: str, tool_input: dict[str, Any], tid: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": tid, "name": name, "input": tool_input}


# -- the basic loop ------------------------------------------------------------------------------


def test_two_turn_tool_loop(kind: str) -> None:
    model = TestModel()
    result = run(kind, model, "Weather and sums?", tools=[get_weather, add])
    assert result.stop_reason == "end_turn"
    assert result.turns == 2
    assert sorted(CALLS) == ["add:1+1", "weather:example"]
    assert result.text == "Tool results: get_weather: example: 21c; add: 2"
    assert [c.name for c in result.tool_calls] == ["get_weather", "add"]
    assert all(not c.is_error for c in result.tool_calls)
    assert result.usage.requests == 2
    assert result.usage.input_tokens > 0
    assert result.usage.output_tokens > 0
    roles = [m["role"] for m in result.messages]
    assert roles == ["user", "assistant", "user", "assistant"]
    second = model.requests[1]
    assert second["messages"][1]["content"] == result.messages[1]["content"]


def test_parallel_calls_answer_in_call_order(kind: str) -> None:
    finished = {label: threading.Event() for label in ("L0", "L1", "L2")}

    @tool
    def after(label: str, previous: str = "") -> str:
        """Echo the label once the call labelled `previous` has finished."""
        if previous and not finished[previous].wait(5):
            return f"{label}: {previous} never finished"
        finished[label].set()
        return label

    # they finish in the order L1, L2, L0: possible only if they run at once
    calls = [
        tool_use("after", {"label": label, "previous": previous}, f"toolu_{i}")
        for i, (label, previous) in enumerate([("L0", "L2"), ("L1", ""), ("L2", "L1")])
    ]
    model = ScriptedModel([calls, "done"])
    result = run(kind, model, tools=[after])
    answer = model.requests[1]["messages"][2]["content"]
    assert [b["tool_use_id"] for b in answer] == ["toolu_0", "toolu_1", "toolu_2"]
    assert [b["content"] for b in answer] == ["L0", "L1", "L2"]
    assert result.text == "done"


def test_assistant_turn_with_thinking_is_echoed_verbatim(kind: str) -> None:
    turn = [
        {"type": "thinking", "thinking": "Let me check.", "signature": "c2lnbmF0dXJl"},
        {"type": "redacted_thinking", "data": "opaque=="},
        {"type": "text", "text": "Checking."},
        tool_use("get_weather", {"city": "Paris"}, "toolu_a"),
    ]
    model = ScriptedModel([Reply(turn), "Sunny."])
    run(kind, model, tools=[get_weather], thinking={"type": "enabled", "budget_tokens": 2048})
    echoed = model.requests[1]["messages"][1]
    assert echoed == {"role": "assistant", "content": turn}


# -- stop reasons ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["end_turn", "stop_sequence", "model_context_window_exceeded"])
def test_stop_reasons_that_end_the_run(kind: str, reason: str) -> None:
    extra = {"stop_sequence": "STOP"} if reason == "stop_sequence" else {}
    model = ScriptedModel([Reply("Bye", stop_reason=reason, **extra)])  # type: ignore[arg-type]
    result = run(kind, model, tools=[get_weather])
    assert result.stop_reason == reason
    assert result.turns == 1
    assert result.text == "Bye"


def test_refusal_does_not_run_tools_and_keeps_history_valid(kind: str) -> None:
    refused = Reply(
        ["I can't help with that.", tool_use("get_weather", {"city": "X"}, "toolu_r")],
        stop_reason="refusal",
        extra={"stop_details": {"type": "refusal", "category": "cyber"}},
    )
    model = ScriptedModel([refused, "ok"])
    result = run(kind, model, tools=[get_weather])
    assert result.stop_reason == "refusal"
    assert CALLS == []
    assert result.messages[-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "I can't help with that."}],
    }
    again = run(kind, model, "Something else", tools=[get_weather], messages=result.messages)
    assert again.text == "ok"  # the stored history was accepted by the validating model


def test_max_tokens_with_cut_off_tool_call_from_a_stream(kind: str) -> None:
    path = next(
        FIXTURES.glob("recorded/anthropic-sdk-python/**/incomplete_partial_json_response.txt")
    )
    model = ScriptedModel([RawReply(path.read_bytes()), "Continuing."])
    finished = events(kind, model, tools=[get_weather])
    result = final(finished)
    assert result.stop_reason == "max_tokens"
    assert CALLS == []
    assert not any(isinstance(e, ToolCallStarted) for e in finished)
    last = result.messages[-1]
    assert last["role"] == "assistant"
    assert all(b["type"] != "tool_use" for b in content(last))
    again = run(kind, model, "Go on", tools=[get_weather], messages=result.messages)
    assert again.text == "Continuing."


def test_max_tokens_with_only_a_tool_call_drops_the_turn(kind: str) -> None:
    cut = Reply([tool_use("get_weather", {"city": "Pa"}, "toolu_c")], stop_reason="max_tokens")
    model = ScriptedModel([cut, "Fine."])
    result = run(kind, model, tools=[get_weather])
    assert result.stop_reason == "max_tokens"
    assert CALLS == []
    assert [m["role"] for m in result.messages] == ["user"]
    again = run(kind, model, "Retry", tools=[get_weather], messages=result.messages)
    assert again.messages[0]["content"] == [
        {"type": "text", "text": "Go"},
        {"type": "text", "text": "Retry"},
    ]


def test_pause_turn_is_sent_back_unchanged(kind: str) -> None:
    paused = Reply(
        [
            {
                "type": "server_tool_use",
                "id": "srvtoolu_1",
                "name": "web_search",
                "input": {"query": "q"},
            },
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
        ],
        stop_reason="pause_turn",
    )
    model = ScriptedModel([paused, "Found it."])
    web_search = {"type": "web_search_20250305", "name": "web_search"}
    result = run(kind, model, tools=[web_search], max_turns=1)  # the continuation is no new turn
    assert result.stop_reason == "end_turn"
    assert result.text == "Found it."
    assert (result.turns, result.usage.requests) == (1, 2)
    second = model.requests[1]["messages"]
    assert second[-1]["role"] == "assistant"
    assert second[-1]["content"][0]["type"] == "server_tool_use"


# -- limits ----------------------------------------------------------------------------------------


def test_max_turns_returns_a_resumable_history(kind: str) -> None:
    model = TestModel()
    result = run(kind, model, tools=[add], max_turns=1)
    assert result.stop_reason == "max_turns"
    assert CALLS == ["add:1+1"]  # the work of the last turn is kept, not discarded
    assert result.messages[-1]["role"] == "user"
    assert content(result.messages[-1])[0]["type"] == "tool_result"
    resumed = run(kind, model, None, tools=[add], messages=result.messages)
    assert resumed.stop_reason == "end_turn"
    assert resumed.text == "Tool results: add: 2"
    assert CALLS == ["add:1+1"]  # nothing ran twice


def test_raise_on_limit(kind: str) -> None:
    with pytest.raises(RunLimitExceeded) as info:
        run(kind, TestModel(), tools=[add], max_turns=1, raise_on_limit=True)
    assert info.value.limit == "max_turns"
    assert info.value.result.tool_calls[0].name == "add"


def test_token_budget(kind: str) -> None:
    result = run(kind, TestModel(), tools=[add], max_output_tokens=1)
    assert result.stop_reason == "usage_limit"
    with pytest.raises(RunLimitExceeded):
        run(kind, TestModel(), tools=[add], max_total_tokens=5, raise_on_limit=True)
    assert run(kind, TestModel(), tools=[add], max_input_tokens=10).stop_reason == "usage_limit"


# -- tool failures become results ------------------------------------------------------------------


def test_tool_errors_become_results_and_the_loop_continues(kind: str) -> None:
    calls = [
        tool_use("explode", {}, "toolu_1"),
        tool_use("get_weather", {"city": 3}, "toolu_2"),
        tool_use("nope", {}, "toolu_3"),
    ]
    model = ScriptedModel([calls, "Sorry about that."])
    result = run(kind, model, tools=[explode, get_weather])
    assert result.stop_reason == "end_turn"
    answers = model.requests[1]["messages"][2]["content"]
    assert [a["is_error"] for a in answers] == [True, True, True]
    assert answers[0]["content"] == "RuntimeError: kaput"
    assert "city: 3 is not of type 'string'" in answers[1]["content"]
    assert "Unknown tool 'nope'" in answers[2]["content"]
    assert CALLS == []


def test_invalid_streamed_tool_json_is_an_error_result(kind: str) -> None:
    path = next(
        FIXTURES.glob("recorded/anthropic-sdk-python-2.14.0/**/tool_use_invalid_json_response.txt")
    )
    model = ScriptedModel([RawReply(path.read_bytes()), "Retried."])
    name = model_tool_name(path.read_bytes())

    def never(location: str = "") -> str:
        return "never"

    placeholder = tool(name=name)(never)
    result = final(events(kind, model, tools=[placeholder]))
    assert result.stop_reason == "end_turn"
    answer = model.requests[1]["messages"][2]["content"][0]
    assert answer["is_error"] is True
    assert "not valid JSON" in answer["content"]


def model_tool_name(body: bytes) -> str:
    for line in body.decode().splitlines():
        if '"tool_use"' in line and line.startswith("data:"):
            return str(json.loads(line[5:])["content_block"]["name"])
    raise AssertionError("no tool_use in the fixture")


# -- hooks and approval ---------------------------------------------------------------------------


def test_approval(kind: str) -> None:
    call = [tool_use("delete_file", {"path": "/tmp/x"}, "toolu_d")]
    denied = run(
        kind, ScriptedModel([call, "ok"]), tools=[delete_file], hooks=Hooks(approve=lambda c: False)
    )
    assert CALLS == []
    assert denied.tool_calls[0].is_error
    assert "did not approve" in denied.tool_calls[0].result
    none = run(kind, ScriptedModel([call, "ok"]), tools=[delete_file])
    assert "no approver is configured" in none.tool_calls[0].result

    async def yes(c: Any) -> bool:
        return bool(c.input["path"] == "/tmp/x")

    approved = run(kind, ScriptedModel([call, "ok"]), tools=[delete_file], hooks=Hooks(approve=yes))
    assert CALLS == ["delete:/tmp/x"]
    assert approved.tool_calls[0].result == "deleted /tmp/x"


def test_hooks_replace_deny_after_and_on_turn(kind: str) -> None:
    seen: list[str] = []
    calls = [
        tool_use("get_weather", {"city": "Pari"}, "toolu_1"),
        tool_use("add", {"a": 1, "b": 2}, "toolu_2"),
    ]

    def before(call: Any) -> Any:
        if call.name == "get_weather":
            return replace_input({"city": "Paris"})
        return deny("adding is not allowed today")

    async def after(call: Any, result: Any) -> None:
        seen.append(f"{call.name}:{result.is_error}")

    hooks = Hooks(
        before_tool_call=before,
        after_tool_call=after,
        on_turn=lambda m: seen.append(f"turn:{m.stop_reason}"),
    )
    result = run(kind, ScriptedModel([calls, "done"]), tools=[get_weather, add], hooks=hooks)
    assert CALLS == ["weather:Paris"]
    assert result.tool_calls[0].input == {"city": "Paris"}
    assert "adding is not allowed today" in result.tool_calls[1].result
    assert seen == ["turn:tool_use", "get_weather:False", "add:True", "turn:end_turn"]


def test_results_say_why_a_call_did_not_run(kind: str) -> None:
    calls = [
        tool_use("get_weather", {"city": "Paris"}, "toolu_1"),
        tool_use("add", {"a": 1, "b": 2}, "toolu_2"),
        tool_use("nope", {}, "toolu_3"),
        tool_use("add", {"a": "one"}, "toolu_4"),
    ]
    why: dict[str, str | None] = {}

    def after(call: Any, result: Any) -> None:
        why[call.id] = result.not_run

    hooks = Hooks(
        before_tool_call=lambda c: deny("no") if c.id == "toolu_2" else None, after_tool_call=after
    )
    run(kind, ScriptedModel([calls, "done"]), tools=[get_weather, add], hooks=hooks)
    assert why == {
        "toolu_1": None,
        "toolu_2": "denied",
        "toolu_3": "tool_not_found",
        "toolu_4": "invalid_input",
    }


def test_bad_hook_decision_is_a_clear_error(kind: str) -> None:
    calls = [tool_use("get_weather", {"city": "X"}, "toolu_1")]
    with pytest.raises(TypeError, match="return allow"):
        run(
            kind,
            ScriptedModel([calls]),
            tools=[get_weather],
            hooks=Hooks(before_tool_call=lambda c: "yes"),  # type: ignore[arg-type, return-value]
        )


def test_deps_reach_tools_through_the_context(kind: str) -> None:
    model = ScriptedModel([[tool_use("whoami", {}, "toolu_w")], "ok"])
    result = run(kind, model, tools=[whoami], deps={"user": "ada"})
    assert result.tool_calls[0].result == "ada (whoami, 2 messages)"
    model = ScriptedModel([[tool_use("whoami", {}, "toolu_w")], "ok"])
    override = run(kind, model, tools=[whoami], deps={"user": "ada"})
    assert override.tool_calls[0].result.startswith("ada")


# -- conversations and history ---------------------------------------------------------------------


def test_continue_a_conversation_and_json_round_trip(kind: str) -> None:
    model = FunctionModel(lambda r: f"You said {r.last_user_text!r} ({len(r.messages)} messages)")
    first = run(kind, model, "Hello")
    saved = json.loads(json.dumps(first.messages))
    second = run(kind, model, "And again", messages=saved)
    assert second.text == "You said 'And again' (3 messages)"
    assert json.loads(first.to_json())["messages"] == first.messages
    assert first.to_dict()["usage"]["requests"] == 1


def test_content_blocks_as_prompt(kind: str) -> None:
    model = FunctionModel(lambda r: r.last_user_text)
    result = run(kind, model, [{"type": "text", "text": "block prompt"}])
    assert result.text == "block prompt"


def test_nothing_to_send_is_a_usage_error(kind: str) -> None:
    with pytest.raises(UsageError, match="nothing to send"):
        run(kind, TestModel(), None)


# -- errors carry the run so far -----------------------------------------------------------------


def test_api_error_carries_a_resumable_run_state(kind: str, waits: RecordedSleeps) -> None:
    overloaded = Fault.error_status(529)
    model = TestModel(faults=[None, overloaded, overloaded, overloaded])
    with pytest.raises(OverloadedError) as info:
        run(kind, model, tools=[add])
    state = info.value.run_state
    assert isinstance(state, RunResult)
    assert state.stop_reason == "error"
    assert CALLS == ["add:1+1"]
    assert content(state.messages[-1])[0]["type"] == "tool_result"
    resumed = run(kind, model, None, tools=[add], messages=state.messages)
    assert resumed.stop_reason == "end_turn"
    assert CALLS == ["add:1+1"]  # resuming did not run the tool again


# -- streaming -------------------------------------------------------------------------------


def test_stream_events_in_order(kind: str) -> None:
    seen = events(kind, TestModel(text_chunk=4), tools=[get_weather])
    kinds = [type(e).__name__ for e in seen]
    assert kinds[0] == "TurnFinished"
    assert kinds[1:3] == ["ToolCallStarted", "ToolCallFinished"]
    assert kinds[-2:] == ["TurnFinished", "RunFinished"]
    texts = [e.text for e in seen if isinstance(e, TextChunk)]
    assert len(texts) > 1
    final = seen[-1]
    assert isinstance(final, RunFinished)
    assert "".join(texts) == final.result.text
    started = next(e for e in seen if isinstance(e, ToolCallStarted))
    assert (started.name, started.input) == ("get_weather", {"city": "example", "unit": "c"})
    assert started.id.startswith("toolu_")
    finished = next(e for e in seen if isinstance(e, ToolCallFinished))
    assert (finished.name, finished.is_error, finished.content) == (
        "get_weather",
        False,
        "example: 21c",
    )
    turn = next(e for e in seen if isinstance(e, TurnFinished))
    assert turn.usage.output_tokens > 0


# -- caching and configuration ---------------------------------------------------------------


def test_cache_marks_tools_and_system(kind: str) -> None:
    model = FunctionModel(
        lambda r: Reply(
            "ok", usage={"cache_read_input_tokens": 100, "cache_creation_input_tokens": 7}
        )
    )
    result = run(kind, model, tools=[get_weather, add], system="Be brief.", cache=True)
    request = model.requests[0]
    assert request["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in request["tools"][0]
    assert request["system"] == [
        {"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}
    ]
    assert result.usage.cache_read_input_tokens == 100
    assert result.usage.cache_creation_input_tokens == 7
    blocks = run(kind, model, system=[{"type": "text", "text": "A"}], cache=True)
    assert blocks.turns == 1
    assert model.requests[-1]["system"][-1]["cache_control"] == {"type": "ephemeral"}


def test_extra_create_params_are_sent(kind: str) -> None:
    model = FunctionModel(lambda r: "ok")
    run(
        kind,
        model,
        metadata={"user_id": "u1"},
        stop_sequences=["END"],
        tool_choice={"type": "auto"},
        tools=[add],
    )
    assert model.requests[0]["metadata"] == {"user_id": "u1"}
    assert model.requests[0]["tool_choice"] == {"type": "auto"}


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"tool_choice": {"type": "tool", "name": "missing"}}, "not one of the agent's tools"),
        ({"tool_choice": {"type": "sometimes"}}, "tool_choice type"),
        (
            {
                "tool_choice": {"type": "any"},
                "thinking": {"type": "enabled", "budget_tokens": 2048},
            },
            "extended thinking",
        ),
        ({"max_turns": 0}, "max_turns"),
        ({"max_tokens": -1}, "max_tokens"),
        ({"max_total_tokens": 0}, "max_total_tokens"),
        ({"temprature": 0.5}, "did you mean 'temperature'|Did you mean 'temperature'"),
        ({"max_turn": 3}, "Did you mean 'max_turns'"),
        ({"raise_on_limits": True}, "Did you mean 'raise_on_limit'"),
        ({"hook": {}}, "Did you mean 'hooks'"),
        ({"messages": []}, "agent's own argument"),
        ({"model": ""}, "model must be"),
    ],
)
def test_configuration_errors(options: dict[str, Any], match: str) -> None:
    options = {"model": MODEL, "tools": [add], **options}
    with pytest.raises(UsageError, match=match):
        Agent(TestModel().client(), **options)


def test_default_client_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-env")
    assert Agent(model=MODEL).client.api_key == "sk-env"
    assert AsyncAgent(model=MODEL).client.api_key == "sk-env"


def test_large_max_tokens_streams_under_the_hood(kind: str) -> None:
    model = FunctionModel(lambda r: "long")
    result = run(kind, model, max_tokens=64_000)
    assert result.text == "long"
    assert model.requests[0]["stream"] is True


def test_agent_parity() -> None:
    def public(cls: type) -> dict[str, Callable[..., Any]]:
        return {n: v for n, v in vars(cls).items() if not n.startswith("_") and callable(v)}

    methods = {"close", "run", "stream", "map", "map_all"}
    assert set(public(Agent)) == set(public(AsyncAgent)) == methods
    for name in methods:
        assert list(inspect.signature(public(Agent)[name]).parameters) == list(
            inspect.signature(public(AsyncAgent)[name]).parameters
        )
    # no constructor of their own: AgentBase's serves both, so their parameters are the same
    assert "__init__" not in vars(Agent)
    assert "__init__" not in vars(AsyncAgent)


def test_model_request_unused() -> None:
    assert ModelRequest({"a": 1}, path="/", headers={}, index=0)["a"] == 1
