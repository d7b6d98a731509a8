"""MCP tool calls per second: agentkit's `MCPServerStdio` vs the `mcp` package's own session.

Each contender has its own server subprocess (`bench/_mcp_server.py`, one `add` tool) and makes
`--calls` sequential calls per measurement:
- `mcp ClientSession (direct)`: `client.session.call_tool("add", ...)` in an event loop;
- `agentkit MCPServerStdio (async)`: `Toolbox.arun(tool_use)` with the server opened by
  `async with` in that same event loop (validation and result mapping included);
- `agentkit MCPServerStdio (sync)`: `Toolbox.run(tool_use)` from a plain thread, the session on
  agentkit's background event-loop thread.
The two async contenders run in one event loop on a portal thread; each measurement is one
`portal.call`, so both pay the same single hop per batch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from anyio.from_thread import start_blocking_portal
from mcp import Client, StdioServerParameters, stdio_client

from agentkit import Toolbox
from agentkit.mcp import MCPServerStdio
from bench._harness import run_alternating, table

SERVER = str(Path(__file__).with_name("_mcp_server.py"))


def block(i: int) -> dict[str, Any]:
    return {"type": "tool_use", "id": f"toolu_{i}", "name": "add", "input": {"a": i, "b": 1}}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the MCP benchmark and print its table."""
    parser = argparse.ArgumentParser(description="MCP tool calls per second.")
    parser.add_argument("--calls", type=int, default=500, help="calls per measurement")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    calls = args.calls
    params = StdioServerParameters(command=sys.executable, args=[SERVER])
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal())
        direct = stack.enter_context(
            portal.wrap_async_context_manager(Client(stdio_client(params), cache=None))
        )
        ours = stack.enter_context(
            portal.wrap_async_context_manager(MCPServerStdio(sys.executable, [SERVER]))
        )
        threaded = stack.enter_context(MCPServerStdio(sys.executable, [SERVER]))
        box, sync_box = Toolbox([ours]), Toolbox([threaded])

        async def call_direct() -> None:
            for i in range(calls):
                result = await direct.session.call_tool("add", {"a": i, "b": 1})
                assert not result.is_error

        async def call_ours() -> None:
            for i in range(calls):
                assert "is_error" not in await box.arun(block(i))

        def call_sync() -> None:
            for i in range(calls):
                assert "is_error" not in sync_box.run(block(i))

        contenders: dict[str, Callable[[], object]] = {
            "mcp ClientSession (direct)": lambda: portal.call(call_direct),
            "agentkit MCPServerStdio (async)": lambda: portal.call(call_ours),
            "agentkit MCPServerStdio (sync)": call_sync,
        }
        results = run_alternating(contenders, repeat=args.repeat, units=calls, memory=False)
    print(
        table(
            f"MCP over stdio: {calls} sequential tool calls per measurement (rate = calls/s)",
            results,
            ["mcp ClientSession (direct)"],
            "calls",
        )
    )
    return {name: r.as_dict() for name, r in results.items()}


if __name__ == "__main__":
    main()
