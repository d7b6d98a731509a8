"""The MCP server both contenders of `bench/mcp_calls.py` call: one `add` tool (`mcp` package)."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("bench")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


if __name__ == "__main__":
    server.run()
