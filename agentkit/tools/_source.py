"""`ToolSource`: something that supplies tools known only once it is connected (an MCP server).

A `Toolbox` (and so an agent) accepts a source beside its tools: it opens the source when it
first needs the tools (`open` / `aopen`), reads them (`tools`), and closes it with itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ._tool import Tool

__all__ = ["ToolSource"]


@runtime_checkable
class ToolSource(Protocol):
    """A supplier of tools, e.g. `agentkit.mcp.MCPServerStdio`.

    Attributes:
        label: How errors name the source (e.g. `MCP server 'docs'`).
    """

    label: str

    @property
    def is_open(self) -> bool:
        """Whether the source is connected (its tools are known)."""

    def tools(self) -> Sequence[Tool[..., Any]]:
        """The tools known now (none before the source is opened)."""

    def open(self) -> None:
        """Connect, if not connected yet (blocks until the tools are known)."""

    async def aopen(self) -> None:
        """Async `open`: connect without blocking the event loop."""

    def close(self) -> None:
        """Release what the source opened on first use."""

    async def aclose(self) -> None:
        """Async `close`."""
