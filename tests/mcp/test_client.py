"""MCP servers as tool sources, against real servers: a stdio subprocess written with the `mcp`
package (`server_app.py`), the same on streamable HTTP, and an in-process one."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from agentkit import Agent, AsyncAgent, Toolbox, UsageError, tool
from agentkit.mcp import MCPServer, MCPServerError, MCPServerHTTP, MCPServerStdio
from agentkit.testing import TestModel

from .support import alive, call, http_server, mcp_threads, stdio, text

PNG = "iVBORw0KGgoAAAAAAAAAAAAAAAAAAAAA"
PDF = "JVBERi0xLjQgdGlueQ=="
NO_AUDIO = "tool results take no audio"


@pytest.fixture(scope="module")
def box() -> Iterator[Toolbox]:
    """One server for the result tests (opened on a background thread)."""
    server = stdio(timeout=5, name="shared")
    with server:
        yield Toolbox([server])
    assert mcp_threads("shared") == []


def test_the_tools_are_listed_with_their_schemas(box: Toolbox) -> None:
    assert box.names[:3] == ["add", "echo", "pid"]
    add = box["add"]
    assert add.input_schema["required"] == ["a", "b"]
    assert add.description == "Add two integers."
    assert {p["name"] for p in box.params()} >= {"add", "mixed"}


def test_text_result(box: Toolbox) -> None:
    assert box.run(call("add", {"a": 2, "b": 3})) == {
        "type": "tool_result",
        "tool_use_id": "toolu_add",
        "content": "5",
    }


def test_every_kind_of_content(box: Toolbox) -> None:
    content = box.run(call("mixed"))["content"]
    assert content == [
        {"type": "text", "text": "hello"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "text", "text": "[resource file:///notes.txt]\nthe notes"},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
        },
        {"type": "text", "text": f"[audio (audio/wav, 3 bytes) not shown: {NO_AUDIO}]"},
        {"type": "text", "text": "[resource link: big.csv <file:///big.csv>]"},
    ]


def test_structured_content_without_text(box: Toolbox) -> None:
    assert box.run(call("structured"))["content"] == '{"total": 5, "items": [1, 2]}'


def test_an_error_result_keeps_the_server_text(box: Toolbox) -> None:
    result = box.run(call("refuse", {"reason": "closed"}))
    assert result["is_error"] is True
    assert result["content"] == "refused: closed"


def test_invalid_arguments_are_answered_before_sending(box: Toolbox) -> None:
    result = box.run(call("add", {"a": "two"}))
    assert result["is_error"] is True
    assert result["content"] == (
        "Invalid input for tool 'add'; the tool was not run.\n"
        "- (input): 'b' is a required property\n"
        "- a: 'two' is not of type 'integer'\n"
        "Fix the input and call the tool again."
    )


def test_stderr_goes_to_the_log(box: Toolbox, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="agentkit.mcp"):
        result = box.run(call("shout", {"text": "psst"}))
        for _ in range(200):  # the log line comes from the stderr thread
            if any("stderr says psst" in r.getMessage() for r in caplog.records):
                break
            threading.Event().wait(0.01)
    assert result["content"] == "PSST"
    assert any("stderr says psst" in r.getMessage() for r in caplog.records)


def test_concurrent_calls(box: Toolbox) -> None:
    results = box.run_all([{**call("add", {"a": i, "b": 1}), "id": f"t{i}"} for i in range(8)])
    assert [r["content"] for r in results] == [str(i + 1) for i in range(8)]


# -- lifecycle and faults, on asyncio and trio --------------------------------------------------


@pytest.mark.anyio
async def test_a_crash_then_recovery(anyio_backend: str) -> None:
    server = stdio(timeout=10)
    async with server:
        box = Toolbox([server])
        first = int(text(await box.arun(call("pid"))))
        crashed = await box.arun(call("crash"))
        assert crashed["is_error"] is True
        assert "MCP server 'test' stopped during the call to 'crash'" in crashed["content"]
        again = await box.arun(call("pid"))
        assert "is_error" not in again
        second = int(text(again))
        assert second != first
        assert not alive(first)
    assert not alive(second)
    assert mcp_threads() == []


@pytest.mark.anyio
async def test_a_hanging_tool_times_out_and_the_server_stays(anyio_backend: str) -> None:
    async with stdio(timeout=0.5) as server:
        box = Toolbox([server])
        hung = await box.arun(call("hang", {"seconds": 30}))
        assert hung == {
            "type": "tool_result",
            "tool_use_id": "toolu_hang",
            "content": "MCP server 'test': tool 'hang' gave no answer within 0.5 s; its result "
            "is unknown.",
            "is_error": True,
        }
        assert (await box.arun(call("add", {"a": 1, "b": 1})))["content"] == "2"


@pytest.mark.anyio
async def test_the_tool_list_follows_list_changed(anyio_backend: str) -> None:
    async with stdio() as server:
        box = Toolbox([server])
        assert "extra" not in box
        assert (await box.arun(call("grow")))["content"] == "grown"
        with anyio.fail_after(10):
            while "extra" not in box:  # noqa: ASYNC110 - the list is reloaded in the background
                await anyio.sleep(0.02)
        assert (await box.arun(call("extra")))["content"] == "extra!"


def test_restarts_are_bounded() -> None:
    with stdio(max_restarts=1) as server:
        box = Toolbox([server])
        assert box.run(call("crash"))["is_error"] is True
        assert box.run(call("crash"))["is_error"] is True  # restarted once, crashed again
        failed = box.run(call("add", {"a": 1, "b": 1}))
        assert failed["is_error"] is True
        assert text(failed).startswith(
            "MCP server 'test' is down and was restarted 1 time(s) already; it is not restarted "
            "again. The last problem: the connection closed during a call to 'crash'"
        )


def test_a_server_that_cannot_start() -> None:
    server = MCPServerStdio(sys.executable, ["-c", "import sys; sys.exit(3)"], name="broken")
    with pytest.raises(MCPServerError, match="MCP server 'broken' could not be started: "):
        server.open()
    assert not server.is_open
    assert mcp_threads("broken") == []


# -- names: prefix, filters, clashes ------------------------------------------------------------


def test_prefix_and_filters() -> None:
    with stdio(prefix="t", include=["add", "echo", "pid"], exclude=["pid"]) as server:
        box = Toolbox([server])
        assert box.names == ["t_add", "t_echo"]
        assert box.run(call("t_add", {"a": 1, "b": 2}))["content"] == "3"


def test_a_clash_names_both() -> None:
    @tool
    def echo(text: str) -> str:
        """A local echo."""
        return text

    with stdio(include=["echo"]) as server:
        box = Toolbox([echo, server])
        clash = "two tools are named 'echo': one from MCP server 'test', one from a tool of this"
        with pytest.raises(UsageError, match=clash):
            box.open()


def test_filters_must_name_existing_tools() -> None:
    with pytest.raises(UsageError, match=r"include= names tools it does not have: \['nope'\]"):
        with stdio(include=["nope"]):
            pass
    assert mcp_threads() == []


def test_an_invalid_prefixed_name() -> None:
    with pytest.raises(UsageError, match="would be named 'x-y z_add', which the API refuses"):
        with stdio(prefix="x-y z", include=["add"]):
            pass


# -- transports ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_streamable_http(anyio_backend: str) -> None:
    with http_server() as url:
        server = MCPServerHTTP(url, headers={"X-Test": "yes"}, include=["add", "mixed"])
        async with server:
            assert server.name == "127.0.0.1"
            box = Toolbox([server])
            assert (await box.arun(call("add", {"a": 20, "b": 22})))["content"] == "42"
            assert len(list((await box.arun(call("mixed")))["content"])) == 6


@pytest.mark.anyio
async def test_in_process(anyio_backend: str) -> None:
    from .server_app import server as app

    async with MCPServer(app, include=["echo"]) as server:
        assert server.name == "test-server"
        assert (await Toolbox([server]).arun(call("echo", {"text": "here"})))["content"] == "here"


# -- agents -------------------------------------------------------------------------------------


@tool
def local_double(n: int) -> int:
    """Double a number."""
    return 2 * n


def model() -> TestModel:
    return TestModel(
        call_tools=["add", "local_double"],
        tool_inputs={"add": {"a": 2, "b": 3}, "local_double": {"n": 4}},
    )


def results_of(messages: list[Any]) -> dict[str, Any]:
    blocks = [b for m in messages if isinstance(m["content"], list) for b in m["content"]]
    return {b["tool_use_id"]: b.get("content") for b in blocks if b.get("type") == "tool_result"}


def test_sync_agent_opens_on_first_use_and_closes() -> None:
    server = stdio(include=["add", "pid"])
    with Agent(model(), model="m", tools=[local_double, server]) as agent:
        assert server.tools() == []  # not open yet
        result = agent.run("go")
        assert server.is_open
        assert sorted(results_of(result.messages).values()) == ["5", "8"]
        pid = int(text(Toolbox([server]).run(call("pid"))))
        assert alive(pid)
    assert server.tools() == []  # closed
    assert not alive(pid)
    assert mcp_threads() == []


@pytest.mark.anyio
async def test_async_agent_opens_its_servers_in_its_task(anyio_backend: str) -> None:
    server = stdio(include=["add"])
    agent = AsyncAgent(model(), model="m", tools=[local_double, server])
    async with agent:
        assert server.is_open
        assert mcp_threads() == ["agentkit-mcp-stderr-test"]  # no event-loop thread: in-loop
        result = await agent.run("go")
        assert sorted(results_of(result.messages).values()) == ["5", "8"]
        again = await agent.run("again")
        assert sorted(results_of(again.messages).values()) == ["5", "8"]
    assert server.tools() == []  # closed with the block
    assert mcp_threads() == []


@pytest.mark.anyio
async def test_async_agent_opens_on_first_use_on_a_thread(anyio_backend: str) -> None:
    server = stdio(include=["add"])
    agent = AsyncAgent(model(), model="m", tools=[local_double, server])
    result = await agent.run("go")
    assert sorted(results_of(result.messages).values()) == ["5", "8"]
    assert "agentkit-mcp-test" in mcp_threads()  # the session's own event-loop thread
    await agent.close()
    assert server.tools() == []
    assert mcp_threads() == []


@pytest.mark.anyio
async def test_async_agent_with_a_server_opened_in_the_loop(anyio_backend: str) -> None:
    async with stdio(include=["add"]) as server:
        agent = AsyncAgent(model(), model="m", tools=[local_double, server])
        result = await agent.run("go")
        assert sorted(results_of(result.messages).values()) == ["5", "8"]
        await agent.close()  # not opened by the agent: stays open
        assert server.is_open
    assert not server.is_open


def test_no_processes_left(tmp_path: Any) -> None:
    """After close, the server's process is gone (checked from a fresh interpreter too)."""
    with stdio() as server:
        pid = int(text(Toolbox([server]).run(call("pid"))))
    assert not alive(pid)
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    assert out.stdout.strip() == ""


@pytest.mark.anyio
async def test_blocking_calls_from_the_servers_own_loop_are_refused(anyio_backend: str) -> None:
    async with stdio(include=["add"]) as server:
        result = Toolbox([server]).run(call("add", {"a": 1, "b": 2}))  # would block its loop
        assert result["is_error"] is True
        assert "runs in this thread's event loop" in text(result)
        assert (await Toolbox([server]).arun(call("add", {"a": 1, "b": 2})))["content"] == "3"


@pytest.mark.anyio
async def test_a_protocol_error_is_an_error_result(anyio_backend: str) -> None:
    import mcp_types
    from mcp.server.lowlevel import Server
    from mcp.shared.exceptions import MCPError

    async def list_tools(_ctx: Any, _params: Any) -> mcp_types.ListToolsResult:
        schema = {"type": "object", "properties": {}}
        return mcp_types.ListToolsResult(tools=[mcp_types.Tool(name="odd", input_schema=schema)])

    async def call_tool(_ctx: Any, _params: Any) -> mcp_types.CallToolResult:
        raise MCPError(code=-32602, message="no such thing")

    app = Server("odd", on_list_tools=list_tools, on_call_tool=call_tool)
    async with MCPServer(app) as server:
        result = await Toolbox([server]).arun(call("odd"))
        assert result == {
            "type": "tool_result",
            "tool_use_id": "toolu_odd",
            "content": "MCP server 'odd' answered the call to 'odd' with a protocol error: "
            "no such thing (code -32602).",
            "is_error": True,
        }
