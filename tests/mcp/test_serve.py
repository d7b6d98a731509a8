"""agentkit tools served over MCP, and consumed back: the same results as the Toolbox gives."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from agentkit import Toolbox, UsageError
from agentkit.cli import main
from agentkit.mcp import MCPServer, MCPServerHTTP, MCPServerStdio, to_mcp_server
from agentkit.mcp._serve import serve_async

from .served_tools import box as local
from .support import call, http_server, text

SERVED = Path(__file__).with_name("served_tools.py")

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("forecast", {"city": "Oslo"}),
    ("forecast", {"city": "Oslo", "unit": "f", "days": 3}),
    ("forecast", {"city": 3, "unit": "k"}),  # invalid: every problem, with its path
    ("forecast", {"city": "Oslo", "days": "[1]"}),
    ("shout", {"text": "hi"}),
    ("chart", {}),
    ("items", {"count": 3}),
    ("fail", {"why": "closed"}),
    ("nope", {}),
]


async def same_results(remote: Toolbox) -> None:
    for name, tool_input in CALLS:
        block = call(name, tool_input)
        assert await remote.arun(block) == await local.arun(block), name


@pytest.mark.anyio
async def test_round_trip_in_process(anyio_backend: str) -> None:
    async with MCPServer(to_mcp_server(local, name="served")) as server:
        assert server.name == "served"
        remote = Toolbox([server])
        assert remote.params() == local.params()
        await same_results(remote)


@pytest.mark.anyio
async def test_round_trip_over_stdio(anyio_backend: str) -> None:
    async with MCPServerStdio(sys.executable, [str(SERVED)]) as server:
        await same_results(Toolbox([server]))


@pytest.mark.anyio
async def test_round_trip_over_http(anyio_backend: str) -> None:
    with http_server(SERVED) as url:
        async with MCPServerHTTP(url) as server:
            await same_results(Toolbox([server]))


def test_the_command_line_serves_a_module() -> None:
    args = ["-m", "agentkit", "mcp", "serve", f"{SERVED}:box"]
    with MCPServerStdio(sys.executable, args, name="cli") as server:
        remote = Toolbox([server])
        assert remote.names == local.names
        assert remote.run(call("shout", {"text": "cli"}))["content"] == "CLI"


def test_the_command_line_checks_its_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mcp", "serve", f"{SERVED}:nope"]) == 2
    assert "has no attribute 'nope'" in capsys.readouterr().err
    assert main(["mcp", "serve", f"{SERVED}:PNG"]) == 2
    assert "is a bytes, not tools to serve" in capsys.readouterr().err


@pytest.mark.anyio
async def test_json_results_carry_structured_content(anyio_backend: str) -> None:
    async with Client(to_mcp_server(local)) as client:
        result = await client.call_tool("forecast", {"city": "Rome"})
        assert result.structured_content == {"city": "Rome", "high": 22, "unit": "c"}
        assert not result.is_error
        bad = await client.call_tool("forecast", {"city": 1})
        assert bad.is_error
        problem = text({"content": getattr(bad.content[0], "text", None)})
        assert "- city: 1 is not of type 'string'" in problem


@pytest.mark.anyio
async def test_nothing_to_serve(anyio_backend: str) -> None:
    with pytest.raises(UsageError, match="nothing to serve"):
        await serve_async([])
    with pytest.raises(UsageError, match="transport must be 'stdio' or 'http'"):
        await serve_async(local, transport="smoke")  # type: ignore[arg-type]
