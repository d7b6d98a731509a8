"""A small MCP server for `mcp_tools.py`: agentkit tools served over MCP (stdio).

python examples/_mcp_server.py          # speaks MCP on stdin/stdout
agentkit mcp serve examples/_mcp_server.py:inventory   # the same, from the command line
"""

from __future__ import annotations

from agentkit import Toolbox, ToolError

inventory = Toolbox()
STOCK = {"A-100": 12, "B-200": 0, "C-300": 41}


@inventory.tool
def stock(sku: str) -> dict[str, object]:
    """How many units of a product are in stock.

    Args:
        sku: The product code, e.g. "A-100".
    """
    if sku not in STOCK:
        raise ToolError(f"no product {sku!r}; known: {', '.join(STOCK)}")
    return {"sku": sku, "units": STOCK[sku]}


@inventory.tool
def reorder(sku: str, units: int) -> str:
    """Order more units of a product.

    Args:
        sku: The product code.
        units: How many to order (1-500).
    """
    return f"ordered {units} x {sku}"


if __name__ == "__main__":
    from agentkit.mcp import serve

    serve(inventory, name="inventory")
