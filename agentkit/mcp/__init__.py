"""MCP both ways: an MCP server's tools as agentkit tools, and agentkit tools served over MCP.

- `MCPServerStdio` / `MCPServerHTTP` (and `MCPServer` for anything the `mcp` package's
  `Client` connects to): tool sources for `Agent(tools=[...])` and `Toolbox.add`.
- `serve` / `serve_async` / `to_mcp_server`: a `Toolbox` (or tools) as an MCP server, on
  stdio or streamable HTTP; also `agentkit mcp serve MODULE:OBJ`.

Needs the optional `mcp` package: `pip install 'agentkit[mcp]'`. Nothing outside this
subpackage imports it.

```python
from agentkit import Agent
from agentkit.mcp import MCPServerStdio

agent = Agent(model="claude-sonnet-4-5", tools=[MCPServerStdio("python", ["server.py"])])
```
"""

from __future__ import annotations

from .._exceptions import UsageError

try:
    import mcp as _mcp  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise UsageError("agentkit.mcp needs the mcp package: pip install 'agentkit[mcp]'") from exc

from ._client import MCPServer as MCPServer
from ._client import MCPServerError as MCPServerError
from ._client import MCPServerHTTP as MCPServerHTTP
from ._client import MCPServerStdio as MCPServerStdio
from ._serve import serve as serve
from ._serve import serve_async as serve_async
from ._serve import to_mcp_server as to_mcp_server

__all__ = [
    "MCPServer",
    "MCPServerError",
    "MCPServerHTTP",
    "MCPServerStdio",
    "serve",
    "serve_async",
    "to_mcp_server",
]
