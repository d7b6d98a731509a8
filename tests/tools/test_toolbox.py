"""`Toolbox`: the registry, and running one turn's tool calls (sync and async): errors become
results, timeouts, concurrency, the run context, and result conversion."""

import json
import threading
import time
from collections.abc import Awaitable, Iterator
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

from agentkit import (
    Tool,
    Toolbox,
    ToolCall,
    ToolContext,
    ToolError,
    ToolResult,
    ToolUseBlock,
    UsageError,
    tool,
)
from agentkit._core.accumulate import MessageAccumulator
from agentkit._core.loop import RunUsage
from agentkit._core.stream_decoder import StreamDecoder
from agentkit.tools import default_error_formatter, image
from agentkit.tools._calls import Planned
from agentkit.types.params import MessageParam


def use(name: str, tool_input: Any = None, id: str = "toolu_1") -> dict[str, Any]:
    """A `tool_use` block as a dict."""
    return {
        "type": "tool_use",
        "id": id,
        "name": name,
        "input": {} if tool_input is None else tool_input,
    }


def block(name: str, tool_input: dict[str, Any] | None = None, id: str = "toolu_1") -> ToolUseBlock:
    """A `tool_use` block as the response model."""
    return ToolUseBlock(type="tool_use", id=id, name=name, input=tool_input or {})


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of the test: lets abandoned worker threads finish."""
    event = threading.Event()
    yield event
    event.set()


def echo(text: str) -> str:
    """Echo the text."""
    return text


def add(a: int, b: int = 1) -> int:
    return a + b


async def shout(text: str) -> str:
    await anyio.lowlevel.checkpoint()
    return text.upper()


# --- registry --------------------------------------------------------------------------------


def test_add_functions_and_tools() -> None:
    box = Toolbox()
    made = box.add(echo)
    assert isinstance(made, Tool)
    assert made.name == "echo"
    existing = tool(name="plus")(add)
    assert box.add(existing) is existing
    renamed = box.add(shout, name="loud", timeout=3.0)
    assert (renamed.name, renamed.timeout) == ("loud", 3.0)
    assert box.names == ["echo", "plus", "loud"]
    assert len(box) == 3
    assert "echo" in box
    assert "nope" not in box
    assert 42 not in box
    assert list(box) == [box["echo"], existing, renamed]
    assert box["plus"] is existing
    with pytest.raises(KeyError):
        box["nope"]
    assert repr(box) == "Toolbox(['echo', 'loud', 'plus'])"


def test_constructor_takes_tools_and_functions() -> None:
    box = Toolbox([echo, tool(add)])
    assert box.names == ["echo", "add"]
    assert Toolbox().names == []
    assert Toolbox().params() == []


def test_decorator_with_and_without_options() -> None:
    box = Toolbox()

    @box.tool
    def ping() -> str:
        return "pong"

    @box.tool(name="slow_ping", timeout=2.0, description="Slowly.")
    def other() -> str:
        return "pong"

    assert isinstance(ping, Tool)
    assert ping() == "pong"
    assert isinstance(other, Tool)
    assert box.names == ["ping", "slow_ping"]
    assert box["slow_ping"].timeout == 2.0
    assert box["slow_ping"].description == "Slowly."


def test_duplicate_names_are_refused() -> None:
    box = Toolbox([echo])
    with pytest.raises(UsageError, match="a tool named 'echo' is already registered"):
        box.add(echo)
    with pytest.raises(UsageError, match="already registered"):
        box.add(tool(name="echo")(add))
    with pytest.raises(UsageError, match="already registered"):
        Toolbox([echo, echo])
    box.add(echo, name="echo2")
    assert box.names == ["echo", "echo2"]


def test_options_only_apply_to_functions() -> None:
    with pytest.raises(UsageError, match="already a Tool"):
        Toolbox().add(tool(echo), name="other")


def test_params() -> None:
    box = Toolbox([echo, tool(strict=True)(add)])
    assert box.params() == [box["echo"].to_param(), box["add"].to_param()]
    assert box.params()[0] == {
        "name": "echo",
        "input_schema": {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
            "additionalProperties": False,
        },
        "description": "Echo the text.",
    }
    assert box.params()[1]["strict"] is True


def test_from_object_without_tools() -> None:
    class Plain:
        def method(self) -> None:
            return None

    with pytest.raises(UsageError, match="Plain has no methods decorated with @tool"):
        Toolbox.from_object(Plain())


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "2", None])
def test_invalid_max_concurrency(value: Any) -> None:
    with pytest.raises(UsageError, match="max_concurrency must be an int >= 1"):
        Toolbox(max_concurrency=value)


# --- running ---------------------------------------------------------------------------------


def test_run_with_a_block_model_and_a_dict() -> None:
    box = Toolbox([echo, add])
    assert box.run(block("echo", {"text": "hi"}, id="toolu_A")) == {
        "type": "tool_result",
        "tool_use_id": "toolu_A",
        "content": "hi",
    }
    assert box.run(use("add", {"a": 2}, id="toolu_B")) == {
        "type": "tool_result",
        "tool_use_id": "toolu_B",
        "content": "3",
    }


def test_run_all_in_the_order_of_the_calls() -> None:
    box = Toolbox([echo, add, shout])
    calls: list[Any] = [
        use("add", {"a": 1, "b": 2}, id="t1"),
        block("echo", {"text": "x"}, id="t2"),
        use("shout", {"text": "y"}, id="t3"),
        use("nope", {}, id="t4"),
        use("add", {"a": "bad"}, id="t5"),
    ]
    results = box.run_all(calls)
    assert [r["tool_use_id"] for r in results] == ["t1", "t2", "t3", "t4", "t5"]
    assert [r.get("content") for r in results[:3]] == ["3", "x", "Y"]
    assert [r.get("is_error", False) for r in results] == [False, False, False, True, True]
    assert box.run_all([]) == []


@pytest.mark.anyio
async def test_arun_and_arun_all() -> None:
    box = Toolbox([echo, add, shout])
    assert await box.arun(block("shout", {"text": "hey"}, id="a1")) == {
        "type": "tool_result",
        "tool_use_id": "a1",
        "content": "HEY",
    }
    results = await box.arun_all(
        [use("echo", {"text": "e"}, id="b1"), block("add", {"a": 5}, id="b2"), use("nope", id="b3")]
    )
    assert [r["tool_use_id"] for r in results] == ["b1", "b2", "b3"]
    assert [r.get("content") for r in results[:2]] == ["e", "6"]
    assert results[2]["is_error"] is True
    assert await box.arun_all([]) == []


def test_results_keep_the_call_order_when_later_calls_finish_first() -> None:
    box = Toolbox()

    @box.tool
    def nap(seconds: float, label: str) -> str:
        time.sleep(seconds)
        return label

    results = box.run_all(
        [use("nap", {"seconds": 0.3 - i * 0.1, "label": f"L{i}"}, id=f"t{i}") for i in range(3)]
    )
    assert [(r["tool_use_id"], r.get("content")) for r in results] == [
        ("t0", "L0"),
        ("t1", "L1"),
        ("t2", "L2"),
    ]


@pytest.mark.anyio
async def test_async_results_keep_the_call_order_when_later_calls_finish_first() -> None:
    box = Toolbox()

    @box.tool
    async def nap(seconds: float, label: str) -> str:
        await anyio.sleep(seconds)
        return label

    results = await box.arun_all(
        [use("nap", {"seconds": 0.3 - i * 0.1, "label": f"L{i}"}, id=f"t{i}") for i in range(3)]
    )
    assert [(r["tool_use_id"], r.get("content")) for r in results] == [
        ("t0", "L0"),
        ("t1", "L1"),
        ("t2", "L2"),
    ]


# --- errors become results -------------------------------------------------------------------


def kaput() -> str:
    raise RuntimeError("kaput")


def silent_failure() -> str:
    raise ValueError


def test_an_exception_becomes_an_error_result() -> None:
    box = Toolbox([kaput, silent_failure])
    result = box.run(use("kaput", id="t1"))
    assert result == {
        "type": "tool_result",
        "tool_use_id": "t1",
        "content": "RuntimeError: kaput",
        "is_error": True,
    }
    assert "Traceback" not in json.dumps(result)
    assert box.run(use("silent_failure"))["content"] == "ValueError"


@pytest.mark.anyio
async def test_an_exception_becomes_an_error_result_async() -> None:
    box = Toolbox([kaput])

    @box.tool
    async def akaput() -> str:
        raise KeyError("missing")

    results = await box.arun_all([use("kaput", id="a"), use("akaput", id="b")])
    assert results == [
        {
            "type": "tool_result",
            "tool_use_id": "a",
            "content": "RuntimeError: kaput",
            "is_error": True,
        },
        {
            "type": "tool_result",
            "tool_use_id": "b",
            "content": "KeyError: 'missing'",
            "is_error": True,
        },
    ]


SECRET = "sk-live-1234"


def leaky() -> str:
    raise ConnectionError(f"could not connect with key {SECRET}")


def test_a_custom_error_formatter_is_used() -> None:
    seen: list[tuple[BaseException, ToolCall]] = []

    def redact(exc: BaseException, call: ToolCall) -> str:
        seen.append((exc, call))
        return default_error_formatter(exc, call).replace(SECRET, "[redacted]")

    box = Toolbox([leaky], format_error=redact)
    result = box.run(use("leaky", id="t9"))
    assert result["content"] == "ConnectionError: could not connect with key [redacted]"
    assert result["is_error"] is True
    assert SECRET not in json.dumps(result)
    ((exc, call),) = seen
    assert isinstance(exc, ConnectionError)
    assert (call.id, call.name, call.input) == ("t9", "leaky", {})
    # ToolError content is the tool's own message, not formatted
    box.add(refuse)
    assert box.run(use("refuse"))["content"] == "Not allowed: ask the user first."
    assert len(seen) == 1


@pytest.mark.anyio
async def test_a_custom_error_formatter_is_used_async() -> None:
    box = Toolbox([leaky], format_error=lambda exc, call: f"{call.name} failed")
    assert (await box.arun(use("leaky")))["content"] == "leaky failed"


def refuse() -> str:
    raise ToolError("Not allowed: ask the user first.")


def refuse_with_blocks() -> str:
    raise ToolError([{"type": "text", "text": "See the chart."}, image(b"GIF89a" + b"\0" * 8)])


def test_tool_error_gives_exactly_its_content() -> None:
    box = Toolbox([refuse, refuse_with_blocks])
    assert box.run(use("refuse", id="r")) == {
        "type": "tool_result",
        "tool_use_id": "r",
        "content": "Not allowed: ask the user first.",
        "is_error": True,
    }
    result = box.run(use("refuse_with_blocks"))
    assert result["is_error"] is True
    assert result["content"] == [
        {"type": "text", "text": "See the chart."},
        dict(image(b"GIF89a" + b"\0" * 8)),
    ]


@pytest.mark.anyio
async def test_tool_error_async() -> None:
    box = Toolbox()

    @box.tool
    async def arefuse() -> str:
        raise ToolError("nope")

    assert await box.arun(use("arefuse")) == {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "content": "nope",
        "is_error": True,
    }


def test_an_unknown_tool_names_the_available_tools() -> None:
    box = Toolbox([echo, add])
    result = box.run(use("search", {"q": "x"}, id="u1"))
    assert result == {
        "type": "tool_result",
        "tool_use_id": "u1",
        "content": "Unknown tool 'search'. Available tools: add, echo.",
        "is_error": True,
    }
    assert (
        Toolbox().run(use("search"))["content"] == "Unknown tool 'search'. Available tools: (none)."
    )


def _cut_off_block() -> ToolUseBlock:
    """The tool_use block of a stream cut by max_tokens (its input JSON incomplete)."""
    events: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-test",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_cut", "name": "echo", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": '{"text": "a long tex'},
        },
        {
            "type": "message_delta",
            "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
            "usage": {"output_tokens": 5},
        },
        {"type": "message_stop"},
    ]
    body = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    response = httpx.Response(200, request=httpx.Request("POST", "https://api.test/v1/messages"))
    accumulator = MessageAccumulator()
    for event in StreamDecoder(response).feed(body):
        accumulator.process(event)
    cut = accumulator.final_message().content[0]
    assert isinstance(cut, ToolUseBlock)
    assert cut.input_error is not None
    return cut


def test_a_cut_off_tool_use_is_answered_without_running() -> None:
    calls: list[str] = []

    def save(text: str) -> str:
        calls.append(text)
        return "saved"

    box = Toolbox([tool(name="echo")(save)])
    result = box.run(_cut_off_block())
    assert result["tool_use_id"] == "toolu_cut"
    assert result["is_error"] is True
    content = result["content"]
    assert isinstance(content, str)
    assert content.startswith(
        "The input for tool 'echo' could not be used: the tool call was cut off before its "
        'input was complete: \'{"text": "a long tex\'.'
    )
    assert "The tool was not run" in content
    assert calls == []
    (executed,) = box.execute_all([_cut_off_block()])
    assert executed.ran is False


@pytest.mark.anyio
async def test_a_cut_off_tool_use_is_answered_without_running_async() -> None:
    box = Toolbox([echo])
    (result,) = await box.aexecute_all([_cut_off_block()])
    assert result.is_error
    assert not result.ran
    assert "cut off" in str(result.content)


def test_a_dict_block_whose_input_is_not_an_object() -> None:
    result = Toolbox([echo]).run(use("echo", "just text"))
    assert result["is_error"] is True
    assert result["content"] == (
        "The input for tool 'echo' could not be used: the tool input is not a JSON object. "
        "The tool was not run; call it again with a complete JSON object."
    )


def test_a_return_value_that_cannot_be_sent() -> None:
    def loop() -> list[Any]:
        items: list[Any] = []
        items.append(items)
        return items

    (result,) = Toolbox([loop]).execute_all([use("loop")])
    assert result.is_error
    assert str(result.content).startswith("Tool 'loop' returned a value that cannot be sent: ")
    assert isinstance(result.exception, ValueError)
    assert result.output is None


# --- timeouts --------------------------------------------------------------------------------


def test_a_sync_tool_past_its_timeout_is_abandoned(release: threading.Event) -> None:
    returned = threading.Event()
    box = Toolbox()

    @box.tool(timeout=0.2)
    def stuck() -> str:
        release.wait(5)
        returned.set()
        return "late"

    (result,) = box.execute_all([use("stuck", id="s1")])
    assert not returned.is_set()  # answered while the call still runs: not waited for
    assert result.is_error
    assert result.content == (
        "Tool 'stuck' timed out after 0.2 s; its result is unknown. "
        "Try again, perhaps with a smaller request."
    )
    assert result.ran
    assert result.duration >= 0.19
    assert result.to_param()["tool_use_id"] == "s1"


def test_several_timeouts_do_not_add_up(release: threading.Event) -> None:
    box = Toolbox()

    @box.tool(timeout=0.3)
    def stuck(n: int) -> str:
        release.wait(5)
        return "late"

    @box.tool
    def quick() -> str:
        return "fast"

    results = box.execute_all(
        [use("stuck", {"n": i}, id=f"s{i}") for i in range(5)] + [use("quick")]
    )
    assert [r.is_error for r in results] == [True] * 5 + [False]
    assert all("timed out" in str(r.content) for r in results[:5])
    assert results[5].content == "fast"
    # each call gets 0.3 s from its own start: they time out together, not one after another
    durations = [r.duration for r in results[:5]]
    assert max(durations) < 2 * min(durations)


def test_a_slow_call_without_timeout_is_waited_for_next_to_a_timed_out_one(
    release: threading.Event,
) -> None:
    box = Toolbox()

    @box.tool(timeout=0.1)
    def stuck() -> str:
        release.wait(5)
        return "late"

    @box.tool
    def slow() -> str:
        time.sleep(0.3)
        return "done"

    results = box.run_all([use("stuck", id="a"), use("slow", id="b")])
    assert results[0]["is_error"] is True
    assert results[1] == {"type": "tool_result", "tool_use_id": "b", "content": "done"}


def test_a_timeout_is_noticed_while_a_call_without_timeout_still_runs(
    release: threading.Event,
) -> None:
    box = Toolbox()

    @box.tool(timeout=0.1)
    def stuck() -> str:
        release.wait(5)
        return "late"

    @box.tool
    def slow() -> str:
        time.sleep(0.5)
        return "done"

    stuck_result, slow_result = box.execute_all([use("stuck"), use("slow")])
    assert stuck_result.is_error
    # answered at its timeout, not when `slow` ended (it started first: it would last longer)
    assert stuck_result.duration < slow_result.duration
    assert slow_result.content == "done"


def test_a_timed_out_call_frees_its_slot(release: threading.Event) -> None:
    box = Toolbox(max_concurrency=1)
    returned = threading.Event()  # set when an abandoned call ends after all

    @box.tool(timeout=0.2)
    def stuck() -> str:
        release.wait(5)
        returned.set()
        return "late"

    @box.tool
    def note(text: str) -> str:
        """Echo the text, saying whether an abandoned call had ended by then."""
        return f"{text} (after an abandoned call ended)" if returned.is_set() else text

    results = box.run_all(
        [use("stuck", id="a"), use("note", {"text": "next"}, id="b"), use("stuck", id="c")]
    )
    # the abandoned thread still runs, but the next call does not wait for it
    assert [r.get("is_error", False) for r in results] == [True, False, True]
    assert results[1]["content"] == "next"


@pytest.mark.anyio
async def test_an_async_tool_past_its_timeout_is_cancelled() -> None:
    state = {"cancelled": False, "finished": False}
    box = Toolbox()

    @box.tool(timeout=0.2)
    async def stuck() -> str:
        try:
            await anyio.sleep(5)
            state["finished"] = True
            return "late"
        finally:
            state["cancelled"] = not state["finished"]

    (result,) = await box.arun_all([use("stuck", id="c1")])
    assert result == {
        "type": "tool_result",
        "tool_use_id": "c1",
        "content": "Tool 'stuck' timed out after 0.2 s; its result is unknown. "
        "Try again, perhaps with a smaller request.",
        "is_error": True,
    }
    assert state == {"cancelled": True, "finished": False}


def test_an_async_tool_past_its_timeout_is_cancelled_from_sync_code() -> None:
    state = {"cancelled": False, "finished": False}
    box = Toolbox()

    @box.tool(timeout=0.2)
    async def stuck() -> str:
        try:
            await anyio.sleep(5)
            state["finished"] = True
        finally:
            state["cancelled"] = not state["finished"]
        return "late"

    result = box.run(use("stuck"))
    assert result["is_error"] is True
    assert "timed out after 0.2 s" in str(result["content"])
    assert state == {"cancelled": True, "finished": False}


@pytest.mark.anyio
async def test_a_sync_tool_past_its_timeout_is_abandoned_async(release: threading.Event) -> None:
    returned = threading.Event()
    box = Toolbox()

    @box.tool(timeout=0.2)
    def stuck() -> str:
        release.wait(5)
        returned.set()
        return "late"

    results = await box.arun_all([use("stuck", id="x"), use("stuck", id="y")])
    assert not returned.is_set()  # answered while the calls still run: not waited for
    assert [r["is_error"] for r in results] == [True, True]
    assert all("timed out" in str(r["content"]) for r in results)


def test_a_call_within_its_timeout_succeeds() -> None:
    box = Toolbox()

    @box.tool(timeout=5.0)
    def fine() -> str:
        return "ok"

    @box.tool(timeout=5.0)
    async def afine() -> str:
        await anyio.sleep(0.01)
        return "aok"

    assert [r["content"] for r in box.run_all([use("fine"), use("afine")])] == ["ok", "aok"]
    assert box.run(use("fine")) == {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "content": "ok",
    }


# --- concurrency -----------------------------------------------------------------------------


def _meeting_box(tool_kind: str, parties: int, wait: float = 5.0, **options: Any) -> Toolbox:
    """A toolbox whose `meet(i)` calls wait up to `wait` s for `parties` calls to run at once.

    A call answers `i` if they met, -1 if it waited in vain (a test fails rather than hangs).
    The tool is a `def` or an `async def` (`tool_kind`).
    """
    barrier = threading.Barrier(parties, timeout=wait)

    def met() -> bool:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return False
        return True

    box = Toolbox(**options)
    if tool_kind == "sync":

        @box.tool
        def meet(i: int) -> int:
            return i if met() else -1

    else:

        @box.tool
        async def meet(i: int) -> int:
            return i if await anyio.to_thread.run_sync(met) else -1

    return box


TEN = [use("meet", {"i": i}, id=f"n{i}") for i in range(10)]


@pytest.mark.parametrize("tool_kind", ["sync", "async"])
def test_ten_calls_run_concurrently_from_sync_code(tool_kind: str) -> None:
    results = _meeting_box(tool_kind, 10).run_all(TEN)  # each call waits for all ten
    assert [r["content"] for r in results] == [str(i) for i in range(10)]
    assert [r["tool_use_id"] for r in results] == [f"n{i}" for i in range(10)]


@pytest.mark.anyio
@pytest.mark.parametrize("tool_kind", ["sync", "async"])
async def test_ten_calls_run_concurrently_from_async_code(tool_kind: str) -> None:
    results = await _meeting_box(tool_kind, 10).arun_all(TEN)
    assert [r["content"] for r in results] == [str(i) for i in range(10)]


# Two calls that wait for each other never meet when one runs at a time.


@pytest.mark.parametrize("tool_kind", ["sync", "async"])
def test_max_concurrency_one_serialises(tool_kind: str) -> None:
    results = _meeting_box(tool_kind, 2, wait=0.2, max_concurrency=1).run_all(TEN[:2])
    assert [r["content"] for r in results] == ["-1", "-1"]
    # the limit can also be given per turn
    box = _meeting_box(tool_kind, 2, wait=0.2)
    assert [r.output for r in box.execute_all(TEN[:2], max_concurrency=1)] == [-1, -1]


@pytest.mark.anyio
@pytest.mark.parametrize("tool_kind", ["sync", "async"])
async def test_max_concurrency_one_serialises_async(tool_kind: str) -> None:
    results = await _meeting_box(tool_kind, 2, wait=0.2, max_concurrency=1).arun_all(TEN[:2])
    assert [r["content"] for r in results] == ["-1", "-1"]
    box = _meeting_box(tool_kind, 2, wait=0.2)
    assert [r.output for r in await box.aexecute_all(TEN[:2], max_concurrency=1)] == [-1, -1]


class Peak:
    """Tracks how many calls run at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


def test_max_concurrency_is_a_ceiling() -> None:
    peak = Peak()
    three = threading.Barrier(3, timeout=5)  # calls go through three at a time
    box = Toolbox(max_concurrency=3)

    @box.tool
    def busy(i: int) -> int:
        peak.enter()
        three.wait()
        peak.leave()
        return i

    results = box.run_all([use("busy", {"i": i}, id=str(i)) for i in range(9)])
    assert [r["content"] for r in results] == [str(i) for i in range(9)]
    assert peak.peak == 3


@pytest.mark.anyio
async def test_max_concurrency_is_a_ceiling_async() -> None:
    peak = Peak()
    three = threading.Barrier(3, timeout=5)
    box = Toolbox(max_concurrency=3)

    @box.tool
    async def busy(i: int) -> int:
        peak.enter()
        await anyio.to_thread.run_sync(three.wait)
        peak.leave()
        return i

    results = await box.arun_all([use("busy", {"i": i}, id=str(i)) for i in range(9)])
    assert [r["content"] for r in results] == [str(i) for i in range(9)]
    assert peak.peak == 3


# --- the run context -------------------------------------------------------------------------


class Deps:
    def __init__(self, region: str) -> None:
        self.region = region


MESSAGES: list[MessageParam] = [
    {"role": "user", "content": "Weather in Paris?"},
    {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_ctx", "name": "where", "input": {}}],
    },
]
USAGE = RunUsage(input_tokens=12, output_tokens=34, requests=1)


def _context_box() -> tuple[Toolbox, list[ToolContext[Deps]]]:
    seen: list[ToolContext[Deps]] = []
    box = Toolbox()

    @box.tool
    def where(ctx: ToolContext[Deps], city: str) -> str:
        seen.append(ctx)
        return f"{ctx.deps.region}/{city}"

    @box.tool
    async def awhere(city: str, ctx: ToolContext[Deps]) -> str:
        await anyio.lowlevel.checkpoint()
        seen.append(ctx)
        return f"{ctx.deps.region}/{city}"

    @box.tool
    def positional(ctx: ToolContext[Deps], city: str, /) -> str:
        seen.append(ctx)
        return f"{ctx.deps.region}/{city}"

    return box, seen


CONTEXT_CALLS = [
    use("where", {"city": "Paris"}, id="c1"),
    use("awhere", {"city": "Oslo"}, id="c2"),
    use("positional", {"city": "Rome"}, id="c3"),
]


def _check_contexts(results: list[Any], seen: list[ToolContext[Deps]], deps: Deps) -> None:
    assert [r["content"] for r in results] == ["eu/Paris", "eu/Oslo", "eu/Rome"]
    by_name = {ctx.tool_name: ctx for ctx in seen}
    assert set(by_name) == {"where", "awhere", "positional"}
    for (name, ctx), call_id in zip(sorted(by_name.items()), ["c2", "c3", "c1"], strict=True):
        assert ctx.deps is deps, name
        assert ctx.tool_use_id == call_id
        assert list(ctx.messages) == MESSAGES
        assert ctx.usage == USAGE


def test_context_is_injected_from_sync_code() -> None:
    box, seen = _context_box()
    deps = Deps("eu")
    results = box.run_all(CONTEXT_CALLS, deps=deps, messages=MESSAGES, usage=USAGE)
    _check_contexts(results, seen, deps)


@pytest.mark.anyio
async def test_context_is_injected_from_async_code() -> None:
    box, seen = _context_box()
    deps = Deps("eu")
    results = await box.arun_all(CONTEXT_CALLS, deps=deps, messages=MESSAGES, usage=USAGE)
    _check_contexts(results, seen, deps)


def test_context_for_a_single_call() -> None:
    box, seen = _context_box()
    deps = Deps("us")
    assert box.run(use("where", {"city": "NYC"}, id="one"), deps=deps)["content"] == "us/NYC"
    (ctx,) = seen
    assert (ctx.deps, ctx.tool_use_id, ctx.tool_name) == (deps, "one", "where")
    assert tuple(ctx.messages) == ()
    assert ctx.usage is None


@pytest.mark.anyio
async def test_context_for_a_single_async_call() -> None:
    box, seen = _context_box()
    result = await box.arun(use("awhere", {"city": "Lima"}, id="two"), deps=Deps("sa"))
    assert result["content"] == "sa/Lima"
    assert seen[0].tool_use_id == "two"
    assert seen[0].tool_name == "awhere"


def test_the_context_parameter_is_not_in_the_schema() -> None:
    box, _ = _context_box()
    for name in ("where", "awhere", "positional"):
        assert list(box[name].input_schema["properties"]) == ["city"]
    # the model cannot fill it in either
    result = box.run(use("where", {"city": "x", "ctx": {}}), deps=Deps("eu"))
    assert result["is_error"] is True
    assert "'ctx' was unexpected" in str(result["content"])


# --- sync and async, both ways ---------------------------------------------------------------


def test_a_sync_function_returning_an_awaitable_is_awaited() -> None:
    def later() -> Awaitable[str]:
        return shout("later")

    box = Toolbox([later])
    assert not box["later"].is_async
    assert box.run(use("later"))["content"] == "LATER"
    assert [r["content"] for r in box.run_all([use("later"), use("later")])] == ["LATER", "LATER"]


@pytest.mark.anyio
async def test_a_sync_function_returning_an_awaitable_is_awaited_async() -> None:
    def later() -> Awaitable[str]:
        return shout("later")

    assert (await Toolbox([later]).arun(use("later")))["content"] == "LATER"


def test_async_tools_from_sync_code_get_their_own_event_loop() -> None:
    box = Toolbox([shout])
    assert box.run(use("shout", {"text": "a"})) == {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "content": "A",
    }


@pytest.mark.anyio
async def test_sync_tools_from_async_code_run_on_worker_threads() -> None:
    main = threading.get_ident()
    box = Toolbox()

    @box.tool
    def where_am_i() -> bool:
        return threading.get_ident() != main

    assert (await box.arun(use("where_am_i")))["content"] == "true"


# --- result conversion -----------------------------------------------------------------------


def test_results_are_converted() -> None:
    box = Toolbox()

    @box.tool
    def as_dict() -> dict[str, Any]:
        return {"temp": 21, "unit": "c"}

    @box.tool
    def as_none() -> None:
        return None

    @box.tool
    def as_empty() -> str:
        return ""

    @box.tool
    def as_blocks() -> list[dict[str, Any]]:
        return [{"type": "text", "text": "Chart:"}, dict(image(b"\x89PNG\r\n\x1a\n"))]

    assert box.run(use("as_dict"))["content"] == '{"temp":21,"unit":"c"}'
    assert box.run(use("as_none")) == {"type": "tool_result", "tool_use_id": "toolu_1"}
    assert box.run(use("as_empty")) == {"type": "tool_result", "tool_use_id": "toolu_1"}
    blocks = box.run(use("as_blocks"))["content"]
    assert isinstance(blocks, list)
    assert [b["type"] for b in blocks] == ["text", "image"]


def test_max_result_chars_truncates_through_run() -> None:
    box = Toolbox()

    @box.tool(max_result_chars=300)
    def big() -> str:
        return "h" * 1_000 + "t" * 1_000

    @box.tool(max_result_chars=300)
    def big_error() -> str:
        raise RuntimeError("x" * 2_000)

    @box.tool(max_result_chars=300)
    def big_tool_error() -> str:
        raise ToolError("y" * 2_000)

    content = box.run(use("big"))["content"]
    assert isinstance(content, str)
    assert len(content) <= 300
    assert content.startswith("hhh")
    assert content.endswith("ttt")
    assert "characters cut from the middle of this tool result" in content
    for name in ("big_error", "big_tool_error"):
        result = box.run(use(name))
        assert result["is_error"] is True
        assert len(str(result["content"])) <= 300
    default = Toolbox()

    @default.tool
    def medium() -> str:
        return "m" * 50_000

    assert default.run(use("medium"))["content"] == "m" * 50_000


# --- execute_all: the full results -----------------------------------------------------------


def test_execute_all_results() -> None:
    box = Toolbox([kaput])
    payload = {"rows": [1, 2]}

    @box.tool
    def data() -> dict[str, Any]:
        return payload

    ok, failed, unknown, invalid = box.execute_all(
        [
            use("data", id="d"),
            use("kaput", id="k"),
            use("nope", id="n"),
            use("data", {"x": 1}, id="i"),
        ]
    )
    assert isinstance(ok, ToolResult)
    assert ok.call == ToolCall("d", "data", {})
    assert ok.output is payload
    assert ok.content == '{"rows":[1,2]}'
    assert not ok.is_error
    assert ok.ran
    assert ok.exception is None

    assert failed.is_error
    assert failed.ran
    assert isinstance(failed.exception, RuntimeError)
    assert str(failed.exception) == "kaput"
    assert failed.output is None

    for result in (unknown, invalid):
        assert result.is_error
        assert not result.ran
        assert result.duration == 0
        assert result.output is None
        assert result.exception is None
    assert invalid.to_param()["tool_use_id"] == "i"


@pytest.mark.anyio
async def test_aexecute_all_results() -> None:
    box = Toolbox([shout, kaput])
    ok, failed = await box.aexecute_all([use("shout", {"text": "a"}), use("kaput")])
    assert (ok.output, ok.content, ok.ran, ok.is_error) == ("A", "A", True, False)
    assert isinstance(failed.exception, RuntimeError)
    assert failed.ran


def test_planned_calls_can_be_executed_later() -> None:
    box = Toolbox([echo])
    planned = box.plan(use("echo", {"text": "hi"}, id="p1"))
    rejected = box.plan(ToolCall("p2", "nope", {}))
    assert isinstance(planned, Planned)
    assert isinstance(rejected, ToolResult)
    results = box.execute_all([planned, rejected])
    assert [r.to_param() for r in results] == [
        {"type": "tool_result", "tool_use_id": "p1", "content": "hi"},
        {
            "type": "tool_result",
            "tool_use_id": "p2",
            "content": "Unknown tool 'nope'. Available tools: echo.",
            "is_error": True,
        },
    ]


@pytest.mark.anyio
async def test_planned_calls_can_be_executed_later_async() -> None:
    box = Toolbox([echo])
    planned = box.plan(block("echo", {"text": "hi"}))
    results = await box.aexecute_all([planned])
    assert results[0].content == "hi"


def test_tool_call_from_blocks() -> None:
    assert ToolCall.from_block(block("x", {"a": 1}, id="i")) == ToolCall("i", "x", {"a": 1})
    assert ToolCall.from_block({"id": "i", "name": "x", "input": {"a": 1}}) == ToolCall(
        "i", "x", {"a": 1}
    )
    missing = ToolCall.from_block({})
    assert (missing.id, missing.name, missing.input) == ("", "", {})
    assert missing.input_error == "the tool input is not a JSON object"


def test_context_helpers() -> None:
    base: ToolContext[Deps] = ToolContext(Deps("eu"), messages=MESSAGES, usage=USAGE)
    call = base.with_call("toolu_x", "where")
    assert (call.deps, call.tool_use_id, call.tool_name) == (base.deps, "toolu_x", "where")
    assert (call.messages, call.usage) == (base.messages, base.usage)
    assert (base.tool_use_id, base.tool_name) == ("", "")
    empty: ToolContext[None] = ToolContext(None)
    assert (empty.deps, empty.tool_use_id, empty.tool_name) == (None, "", "")
    assert (tuple(empty.messages), empty.usage) == ((), None)
