"""A small MCP server for the tests, written with the `mcp` package (stdio or streamable HTTP).

Run `python tests/mcp/server_app.py` (stdio) or `python tests/mcp/server_app.py --http`
(prints its URL on stdout, then serves on 127.0.0.1, on a free port).
"""

from __future__ import annotations

import base64
import os
import socket
import sys

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
PDF = base64.b64encode(b"%PDF-1.4 tiny").decode()

server = MCPServer("test-server")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


@server.tool()
def pid() -> int:
    """The server's process id."""
    return os.getpid()


@server.tool()
def mixed() -> CallToolResult:
    """One block of every kind."""
    return CallToolResult(
        content=[
            TextContent(type="text", text="hello"),
            ImageContent(type="image", data=PNG, mime_type="image/png"),
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(uri="file:///notes.txt", text="the notes"),
            ),
            EmbeddedResource(
                type="resource",
                resource=BlobResourceContents(
                    uri="file:///doc.pdf", blob=PDF, mime_type="application/pdf"
                ),
            ),
            AudioContent(type="audio", data="AAAA", mime_type="audio/wav"),
            ResourceLink(type="resource_link", uri="file:///big.csv", name="big.csv"),
        ]
    )


@server.tool()
def structured() -> CallToolResult:
    """Structured content only."""
    return CallToolResult(content=[], structured_content={"total": 5, "items": [1, 2]})


@server.tool()
def refuse(reason: str) -> CallToolResult:
    """An error result with the server's text."""
    text = TextContent(type="text", text=f"refused: {reason}")
    return CallToolResult(content=[text], is_error=True)


@server.tool()
def crash() -> str:
    """Exit the server process at once."""
    os._exit(3)


@server.tool()
async def hang(seconds: float = 30.0) -> str:
    """Sleep, then answer."""
    await anyio.sleep(seconds)
    return "woke"


@server.tool()
def shout(text: str) -> str:
    """Write to stderr, answer on stdout."""
    print(f"stderr says {text}", file=sys.stderr, flush=True)
    return text.upper()


@server.tool()
async def grow(ctx: Context) -> str:
    """Add a tool named `extra` and tell the client its tool list changed."""

    def extra() -> str:
        """A tool added at run time."""
        return "extra!"

    server.add_tool(extra)
    await ctx.notify_tools_changed()  # 2026-07-28 clients: subscriptions/listen
    await ctx.session.send_tool_list_changed()  # older clients: a notification
    return "grown"


def main() -> None:
    if "--http" in sys.argv:
        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        print(f"http://127.0.0.1:{sock.getsockname()[1]}/mcp", flush=True)
        config = uvicorn.Config(server.streamable_http_app(), log_level="warning")
        anyio.run(uvicorn.Server(config).serve, [sock])
    else:
        server.run()


if __name__ == "__main__":
    main()
