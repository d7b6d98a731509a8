"""Logging: the `agentkit` logger hierarchy, one line per request, tool tracebacks, `ANTHROPIC_LOG`.

Requests go to offline models through the real client; the subprocess tests check what reaches
stderr, where duplicate lines would show.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from typing import Any

import anyio
import pytest

from agentkit import (
    Agent,
    AsyncAgent,
    RateLimiter,
    RunResult,
    Toolbox,
    ToolCallFinished,
    ToolError,
    tool,
)
from agentkit.testing import Fault, FunctionModel, RecordedSleeps, ScriptedModel, VirtualClock
from agentkit.testing._models import MockModel
from agentkit.tools import redacting_formatter
from tests.helpers import API_KEY

pytestmark = pytest.mark.kinds("sync", "asyncio")

MODEL = "claude-sonnet-4-5"
HI: Any = {"role": "user", "content": "Hi"}


def run(kind: str, model: MockModel, **options: Any) -> RunResult:
    if kind == "sync":
        return Agent(model.client(), model=MODEL, **options).run("Go")

    async def main() -> RunResult:
        return await AsyncAgent(model.async_client(), model=MODEL, **options).run("Go")

    return anyio.run(main, backend=kind)


def use(name: str, tool_input: dict[str, Any], tid: str = "toolu_1") -> dict[str, Any]:
    return {"type": "tool_use", "id": tid, "name": name, "input": tool_input}


@tool
def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"kaput: {reason}")


@tool
def refuse() -> str:
    """Tells the model no."""
    raise ToolError("not today")


def test_the_loggers_have_only_a_null_handler_of_ours() -> None:
    code = (
        "import logging\n"
        "from agentkit import Anthropic\n"
        "Anthropic(api_key='k')\n"
        "for name in ('agentkit', 'agentkit.client', 'agentkit.tools'):\n"
        "    print(name, [type(h).__name__ for h in logging.getLogger(name).handlers])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == [
        "agentkit ['NullHandler']",
        "agentkit.client []",
        "agentkit.tools []",
    ]


def test_with_a_redacting_formatter_the_log_says_no_more_than_the_model_reads(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-SECRET-123"

    @tool
    def login() -> str:
        """Fails, quoting a credential (twice: in its cause too)."""
        try:
            raise KeyError(f"no session for {secret}")
        except KeyError as exc:
            raise ConnectionError(f"refused for key {secret}") from exc

    caplog.set_level(logging.WARNING, logger="agentkit.tools")
    box = Toolbox([login], format_error=redacting_formatter(secret))
    model = ScriptedModel([[use("login", {})], "ok"])
    run(kind, model, tools=box)
    [record] = [r for r in caplog.records if r.name == "agentkit.tools"]
    assert record.exc_info is None
    text = record.getMessage()
    assert secret not in caplog.text
    assert text.startswith(
        "tool 'login' (call toolu_1) raised ConnectionError: refused for key <redacted>\n"
    )
    assert "KeyError: 'no session for <redacted>'\n\nwhich led to:" in text
    assert 'raise ConnectionError(f"refused for key {secret}") from exc' in text  # the frames


def test_one_info_line_per_request_and_a_warning_per_retry(
    kind: str, caplog: pytest.LogCaptureFixture, waits: RecordedSleeps
) -> None:
    caplog.set_level(logging.INFO, logger="agentkit")
    model = ScriptedModel(["hello"], faults=[Fault.error_status(529)])
    run(kind, model)
    client = [r for r in caplog.records if r.name == "agentkit.client"]
    assert [r.levelno for r in client] == [logging.INFO, logging.WARNING, logging.INFO]
    first, retry, second = (r.getMessage() for r in client)
    assert first.startswith("POST /v1/messages -> 529 in ")
    assert first.endswith(", retry 0)")
    assert "request_id=req_" in first
    assert retry.startswith("retrying POST /v1/messages in ")
    assert second.startswith("POST /v1/messages -> 200 in ")
    assert second.endswith(", retry 1)")
    seconds = float(second.split(" in ")[1].split(" s ")[0])
    assert seconds >= 0


def test_a_request_without_response_is_logged(
    kind: str, caplog: pytest.LogCaptureFixture, waits: RecordedSleeps
) -> None:
    caplog.set_level(logging.INFO, logger="agentkit")
    model = ScriptedModel(["hello"], faults=[Fault(reset=True)])
    run(kind, model)
    lines = [r.getMessage() for r in caplog.records if r.name == "agentkit.client"]
    assert "no response after" in lines[0]
    assert "retry 0" in lines[0]
    assert lines[-1].startswith("POST /v1/messages -> 200")


def test_a_wait_for_rate_limit_room_is_a_warning(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = VirtualClock()
    limiter = RateLimiter(requests_per_minute=1, clock=clock)
    model = ScriptedModel(["one", "two"])
    if kind == "sync":
        client = model.client(rate_limiter=limiter)
        for _ in range(2):
            client.messages.create(model=MODEL, max_tokens=10, messages=[HI])
    else:

        async def main() -> None:
            client = model.async_client(rate_limiter=limiter)
            for _ in range(2):
                await client.messages.create(model=MODEL, max_tokens=10, messages=[HI])

        anyio.run(main, backend=kind)
    waits = [r for r in caplog.records if "rate-limit room" in r.getMessage()]
    assert [(r.name, r.levelno) for r in waits] == [("agentkit.client", logging.WARNING)]
    assert waits[0].getMessage() == "waited 60.00 s for rate-limit room before POST /v1/messages"


def test_a_tool_exception_is_logged_with_its_traceback(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agentkit")
    model = ScriptedModel([[use("explode", {"reason": "x"})], "sorry"])
    result = run(kind, model, tools=[explode])
    [record] = [r for r in caplog.records if r.name == "agentkit.tools"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "tool 'explode' (call toolu_1) raised RuntimeError: kaput: x"
    assert record.exc_info is not None
    assert "in explode" in caplog.text  # the traceback reaches the developer
    assert 'raise RuntimeError(f"kaput: {reason}")' in caplog.text
    answer = model.requests[1]["messages"][2]["content"][0]
    assert answer["content"] == "RuntimeError: kaput: x"  # the model reads only this
    exception = result.tool_calls[0].exception
    assert isinstance(exception, RuntimeError)
    assert exception is record.exc_info[1]
    assert "exception" not in result.tool_calls[0].to_dict()


def test_the_finished_event_carries_the_exception(kind: str) -> None:
    model = ScriptedModel([[use("explode", {"reason": "y"})], "sorry"])
    if kind == "sync":
        events = list(Agent(model.client(), model=MODEL, tools=[explode]).stream("Go"))
    else:

        async def main() -> list[Any]:
            agent = AsyncAgent(model.async_client(), model=MODEL, tools=[explode])
            return [e async for e in agent.stream("Go")]

        events = anyio.run(main, backend=kind)
    [finished] = [e for e in events if isinstance(e, ToolCallFinished)]
    assert isinstance(finished.exception, RuntimeError)
    assert str(finished.exception) == "kaput: y"


def test_a_tool_error_is_an_info_line_without_traceback(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agentkit.tools")
    run(kind, ScriptedModel([[use("refuse", {})], "ok"]), tools=[refuse])
    [record] = [r for r in caplog.records if r.name == "agentkit.tools"]
    assert record.levelno == logging.INFO
    assert record.exc_info is None
    assert record.getMessage() == "tool 'refuse' (call toolu_1) raised ToolError: not today"


def test_a_timed_out_tool_is_a_warning(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    @tool(timeout=0.05)
    async def slow() -> str:
        """Never answers in time."""
        await anyio.sleep(5)
        return "late"

    caplog.set_level(logging.INFO, logger="agentkit.tools")
    result = run(kind, ScriptedModel([[use("slow", {})], "ok"]), tools=[slow])
    assert result.tool_calls[0].is_error
    [record] = [r for r in caplog.records if r.name == "agentkit.tools"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "tool 'slow' (call toolu_1) timed out after 0.05 s"


# -- what reaches stderr ------------------------------------------------------------------------

SCRIPT = """
import logging, sys
from agentkit import Agent, tool
from agentkit.testing import ScriptedModel

@tool
def explode() -> str:
    '''Always fails.'''
    raise RuntimeError("kaput")

if "before" in sys.argv:
    logging.basicConfig(level=logging.INFO, format="APP %(name)s %(message)s")
model = ScriptedModel([[{"type": "tool_use", "id": "t1", "name": "explode", "input": {}}], "ok"])
agent = Agent(model.client(api_key=API_KEY, auth_token=TOKEN), model="m", tools=[explode])
if "after" in sys.argv:
    logging.basicConfig(level=logging.INFO, format="APP %(name)s %(message)s")
agent.run("Go")
"""


def stderr_of(*args: str, log: str | None) -> str:
    env = {"PATH": "", "PYTHONPATH": ""}
    if log is not None:
        env["ANTHROPIC_LOG"] = log
    code = f"API_KEY = {API_KEY!r}\nTOKEN = 'tok-SECRET-42'\n" + textwrap.dedent(SCRIPT)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    return done.stderr


@pytest.mark.kinds("sync")
@pytest.mark.parametrize("when", ["before", "after"])
def test_anthropic_log_never_prints_twice_with_basic_config(kind: str, when: str) -> None:
    err = stderr_of(when, log="info")
    lines = [line for line in err.splitlines() if "POST /v1/messages -> 200" in line]
    assert len(lines) == 2  # two requests, one line each
    assert all(line.startswith("APP agentkit.client ") for line in lines)  # the app's format
    assert err.count("raised RuntimeError: kaput") == 1


@pytest.mark.kinds("sync")
def test_anthropic_log_shows_lines_when_the_app_configured_nothing(kind: str) -> None:
    err = stderr_of(log="info")
    lines = [line for line in err.splitlines() if "POST /v1/messages -> 200" in line]
    assert len(lines) == 2
    assert all(" agentkit.client INFO] " in line for line in lines)
    assert "Traceback (most recent call last)" in err
    assert "DEBUG" not in err


@pytest.mark.kinds("sync")
def test_anthropic_log_debug_adds_the_redacted_headers(kind: str) -> None:
    err = stderr_of(log="debug")
    assert "request: POST" in err
    assert "<redacted>" in err
    assert API_KEY not in err
    assert "tok-SECRET-42" not in err


@pytest.mark.kinds("sync")
def test_without_anthropic_log_or_configuration_nothing_is_printed(kind: str) -> None:
    assert stderr_of(log=None) == ""
    assert stderr_of(log="verbose") == ""  # not a level: ignored, as the SDK does


@pytest.mark.kinds("asyncio")
def test_a_cancelled_attempt_gives_its_reservation_back(kind: str) -> None:
    clock = VirtualClock()
    limiter = RateLimiter(output_tokens_per_minute=100, clock=clock)
    first = anyio.Event()

    async def answer(request: Any) -> str:
        if not first.is_set():
            first.set()
            await anyio.sleep(30)  # never answered: the caller gives up first
        return "ok"

    async def main() -> str:
        client = FunctionModel(answer).async_client(rate_limiter=limiter)
        with anyio.move_on_after(0.05):
            await client.messages.create(model=MODEL, max_tokens=100, messages=[HI])
        message = await client.messages.create(model=MODEL, max_tokens=100, messages=[HI])
        return message.content[0].text  # type: ignore[union-attr]

    assert anyio.run(main, backend=kind) == "ok"
    assert clock.now() == 0  # the second request found its 100 output tokens free at once


def test_the_fallback_handler_writes_only_while_no_other_handler_would(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from agentkit._logs import _FallbackHandler

    parent = logging.getLogger("agentkit_fallback_test")
    child = logging.getLogger("agentkit_fallback_test.child")
    handler = _FallbackHandler()
    child.addHandler(handler)
    child.setLevel(logging.INFO)
    parent.propagate = False  # the app's root handlers are out of the way: only ours remains
    try:
        child.info("alone")
        assert "agentkit_fallback_test.child INFO] alone" in capsys.readouterr().err
        own = logging.StreamHandler()  # the application's handler, on the way up
        parent.addHandler(own)
        try:
            child.info("shared")
        finally:
            parent.removeHandler(own)
        assert "] shared" not in capsys.readouterr().err
    finally:
        child.removeHandler(handler)
        parent.propagate = True
