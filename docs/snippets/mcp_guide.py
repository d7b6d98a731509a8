"""Code of the "MCP" guide; run by the test suite."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import anyio

from agentkit import Agent, AsyncAgent, Toolbox, tool
from agentkit.testing import ScriptedModel, TestModel

MODEL = "claude-sonnet-4-5"
SERVER = str(Path(__file__).parents[2] / "examples" / "_mcp_server.py")

# --8<-- [start:agent]
from agentkit.mcp import MCPServerStdio  # noqa: E402


@tool
def warehouse_for(sku: str) -> str:
    """Which warehouse ships a product."""
    return "Rotterdam"


inventory = MCPServerStdio(sys.executable, [SERVER], prefix="inv", timeout=30)
model = TestModel(
    call_tools=["inv_stock", "warehouse_for"], tool_inputs={"inv_stock": {"sku": "A-100"}}
)

with Agent(model, model=MODEL, tools=[warehouse_for, inventory]) as agent:
    result = agent.run("How many A-100 are in stock, and where do they ship from?")
    print([t.name for t in inventory.tools()])  # ['inv_stock', 'inv_reorder']
# leaving the block closed the server: its process is gone
# --8<-- [end:agent]
assert not inventory.is_open


# --8<-- [start:async]
async def main() -> None:
    async with MCPServerStdio(sys.executable, [SERVER], include=["stock"]) as server:
        offline = TestModel(tool_inputs={"stock": {"sku": "C-300"}})
        agent = AsyncAgent(offline, model=MODEL, tools=[server])
        result = await agent.run("How many A-100?")
        print(result.text)


anyio.run(main)
# --8<-- [end:async]

# --8<-- [start:toolbox]
with MCPServerStdio(sys.executable, [SERVER]) as server:
    box = Toolbox([server])
    print(box.run({"id": "t1", "name": "stock", "input": {"sku": "B-200"}}))
    # {'type': 'tool_result', 'tool_use_id': 't1', 'content': '{"sku":"B-200","units":0}'}
    print(box.run({"id": "t2", "name": "stock", "input": {}})["content"])
    # Invalid input for tool 'stock'; the tool was not run.
    # - (input): 'sku' is a required property ...
# --8<-- [end:toolbox]

# --8<-- [start:logging]
logging.getLogger("agentkit.mcp").setLevel(logging.INFO)  # servers' stderr, restarts
# --8<-- [end:logging]

# --8<-- [start:serve]
from agentkit.mcp import serve  # noqa: E402

tools = Toolbox()


@tools.tool
def convert(amount: float, rate: float) -> float:
    """Convert an amount at a rate."""
    return round(amount * rate, 2)


if __name__ == "__main__" and "--serve" in sys.argv:
    serve(tools)  # stdio; serve(tools, transport="http", port=8000) for streamable HTTP
# --8<-- [end:serve]

# --8<-- [start:connector]
scripted = ScriptedModel(["The docs say so."])
agent = Agent(
    scripted,
    model=MODEL,
    tools=[{"type": "mcp_toolset", "mcp_server_name": "docs"}],
    mcp_servers=[{"type": "url", "url": "https://mcp.example.com/mcp", "name": "docs"}],
)
agent.run("What do the docs say?")
print(scripted.requests[0].headers["anthropic-beta"])  # mcp-client-2026-09-15
# --8<-- [end:connector]
