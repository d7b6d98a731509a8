"""agentkit tools served over MCP: `to_mcp_server`, `serve`, `serve_async`.

The served tools keep their input schemas and their validation (bad input is an `isError`
result listing every problem, as the model would read it); results go the other way from
`tool_content`: text, images, PDF documents, and JSON (also as `structuredContent`).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterable
from typing import Any, Literal

import anyio
import mcp_types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from .._exceptions import UsageError
from ..tools._calls import ToolResult
from ..tools._tool import Tool
from ..tools._toolbox import Toolbox
from ._convert import mcp_content

__all__ = ["serve", "serve_async", "to_mcp_server"]

Tools = Toolbox | Tool[..., Any] | Iterable[Tool[..., Any] | Callable[..., Any]]
"""A toolbox, one tool, or tools (and plain functions)."""


def _toolbox(tools: Tools) -> Toolbox:
    if isinstance(tools, Toolbox):
        return tools
    box = Toolbox([tools] if isinstance(tools, Tool) else tools)
    if not len(box) and not box._sources:
        raise UsageError("nothing to serve: pass a Toolbox, a Tool, or a list of tools.")
    return box


def to_mcp_server(tools: Tools, *, name: str = "agentkit") -> Server[Any]:
    """An MCP server (the `mcp` package's low-level `Server`) offering these tools.

    Run it with `serve` / `serve_async`, or hand it to `agentkit.mcp.MCPServer(...)` (or the
    `mcp` package's `Client`) to use it in-process.
    """
    box = _toolbox(tools)

    async def list_tools(_ctx: Any, _params: Any) -> mcp_types.ListToolsResult:
        await box.aopen()
        return mcp_types.ListToolsResult(
            tools=[
                mcp_types.Tool(name=t.name, description=t.description, input_schema=t.input_schema)
                for t in box
            ]
        )

    async def call_tool(_ctx: Any, params: mcp_types.CallToolRequestParams) -> Any:
        block = {"id": "mcp", "name": params.name, "input": dict(params.arguments or {})}
        (result,) = await box.aexecute_all([block])
        return mcp_types.CallToolResult.model_validate(mcp_result(result))

    return Server(name, on_list_tools=list_tools, on_call_tool=call_tool)


def mcp_result(result: ToolResult) -> dict[str, Any]:
    """A tool result as an MCP `CallToolResult` (wire dict)."""
    wire: dict[str, Any] = {"content": mcp_content(result.content), "isError": result.is_error}
    if not result.is_error and isinstance(result.content, str) and result.content[:1] == "{":
        try:
            structured = json.loads(result.content)
        except ValueError:
            structured = None
        if isinstance(structured, dict):
            wire["structuredContent"] = structured
    return wire


async def serve_async(
    tools: Tools,
    *,
    transport: Literal["stdio", "http"] = "stdio",
    host: str = "127.0.0.1",
    port: int = 8000,
    name: str = "agentkit",
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the tools over MCP until cancelled (stdio: until the client closes stdin).

    Args:
        tools: A `Toolbox`, a `Tool`, or a list of tools.
        transport: `"stdio"` or `"http"` (streamable HTTP at `/mcp`).
        host: The address to listen on (HTTP).
        port: The port (HTTP; 0 picks a free one).
        name: The server's name, as clients see it.
        ready: Called with the URL once the HTTP server listens (or `"stdio"`).
    """
    server = to_mcp_server(tools, name=name)
    if transport == "stdio":
        async with stdio_server() as (read, write):
            if ready is not None:
                ready("stdio")
            await server.run(read, write, server.create_initialization_options())
        return
    if transport != "http":
        raise UsageError(f"transport must be 'stdio' or 'http', got {transport!r}.")
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen()
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    app = server.streamable_http_app(host=host)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    if ready is not None:
        ready(f"http://{shown}:{bound}/mcp")
    with sock:
        await uvicorn.Server(config).serve(sockets=[sock])


def serve(
    tools: Tools,
    *,
    transport: Literal["stdio", "http"] = "stdio",
    host: str = "127.0.0.1",
    port: int = 8000,
    name: str = "agentkit",
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the tools over MCP (blocks); see `serve_async` for the arguments.

    ```python
    from agentkit.mcp import serve

    serve([get_weather, convert])  # stdio: e.g. `python tools_server.py` in a client's config
    ```
    """
    anyio.run(
        lambda: serve_async(
            tools, transport=transport, host=host, port=port, name=name, ready=ready
        )
    )
