"""MCP tools in an agent: a local tool and an MCP server's tools, called in one turn.

Starts the small bundled MCP server (`_mcp_server.py`, agentkit tools served over MCP) as a
subprocess, lists its tools, and runs an agent that calls them beside a local tool. Offline by
default (an agentkit.testing model plays Claude); `--live` asks Claude.

    python examples/mcp_tools.py [--live]
"""

from __future__ import annotations

import sys
from pathlib import Path

from _common import MODEL, client_for, parse_args

from agentkit import Agent, tool
from agentkit.mcp import MCPServerStdio
from agentkit.testing import TestModel

SERVER = Path(__file__).with_name("_mcp_server.py")


@tool
def warehouse_for(sku: str) -> str:
    """Which warehouse ships a product.

    Args:
        sku: The product code.
    """
    return "Rotterdam" if sku.startswith("A") else "Gdansk"


def main(argv: list[str] | None = None) -> None:
    """Run the agent once with the MCP server's tools and print what happened."""
    args = parse_args(__doc__ or "", argv)
    # prefix= keeps the server's tool names apart from ours: inv_stock, inv_reorder
    inventory = MCPServerStdio(sys.executable, [str(SERVER)], prefix="inv", timeout=10)
    offline = TestModel(
        call_tools=["inv_stock", "warehouse_for"],
        tool_inputs={"inv_stock": {"sku": "A-100"}, "warehouse_for": {"sku": "A-100"}},
    )
    with Agent(
        client_for(args, offline),
        model=MODEL,
        tools=[warehouse_for, inventory],  # the server starts on first use
        system="You answer stock questions briefly.",
    ) as agent:
        result = agent.run("How many A-100 do we have, and where do they ship from?")
        print("MCP tools:", ", ".join(t.name for t in inventory.tools()))
        for call in result.tool_calls:
            print(f"  called {call.name}({call.input}) -> {call.result}")
        print(result.text)
    print(f"closed: server open={inventory.is_open}")  # the agent closed what it opened


if __name__ == "__main__":
    main()
