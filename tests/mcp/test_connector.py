"""The API's own MCP connector: `mcp_servers` passes through (with its beta header), and the
`mcp_tool_use` / `mcp_tool_result` / `mcp_tool_listing` blocks are typed, kept and echoed."""

from __future__ import annotations

from typing import Any

import pytest

from agentkit import Agent, AsyncAgent
from agentkit.testing import ScriptedModel
from agentkit.types import (
    MCPServerURLDefinitionParam,
    MCPToolListingBlock,
    MCPToolResultBlock,
    MCPToolsetParam,
    MCPToolUseBlock,
)

SERVERS: list[MCPServerURLDefinitionParam] = [
    {"type": "url", "url": "https://mcp.example.com/sse", "name": "docs"}
]
TOOLSET: MCPToolsetParam = {"type": "mcp_toolset", "mcp_server_name": "docs"}
MCP_BLOCKS: list[dict[str, Any]] = [
    {"type": "mcp_tool_listing", "mcp_server_name": "docs", "tools": [{"name": "search"}]},
    {
        "type": "mcp_tool_use",
        "id": "mcptoolu_1",
        "name": "search",
        "server_name": "docs",
        "input": {"q": "mcp"},
    },
    {
        "type": "mcp_tool_result",
        "tool_use_id": "mcptoolu_1",
        "is_error": False,
        "content": [{"type": "text", "text": "found it"}],
    },
    {"type": "text", "text": "The docs say so."},
]


def model() -> ScriptedModel:
    return ScriptedModel([MCP_BLOCKS, "And again."])


def test_create_sends_mcp_servers_with_the_beta_header() -> None:
    scripted = model()
    client = scripted.client()
    message = client.messages.create(
        model="m",
        max_tokens=100,
        messages=[{"role": "user", "content": "find"}],
        mcp_servers=SERVERS,
        tools=[TOOLSET],
    )
    request = scripted.requests[0]
    assert request.headers["anthropic-beta"] == "mcp-client-2026-09-15"
    assert request["mcp_servers"] == SERVERS
    assert [type(b) for b in message.content[:3]] == [
        MCPToolListingBlock,
        MCPToolUseBlock,
        MCPToolResultBlock,
    ]
    use = message.content[1]
    assert isinstance(use, MCPToolUseBlock)
    assert (use.server_name, use.input) == ("docs", {"q": "mcp"})
    assert [b.to_dict() for b in message.content] == MCP_BLOCKS


def test_other_betas_are_kept_and_a_given_mcp_beta_is_not_doubled() -> None:
    scripted = ScriptedModel(["a", "b"])
    client = scripted.client()
    params: dict[str, Any] = {
        "model": "m",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "x"}],
        "mcp_servers": SERVERS,
    }
    client.messages.create(**params, extra_headers={"anthropic-beta": "other-2025-01-01"})
    client.messages.create(**params, extra_headers={"Anthropic-Beta": "mcp-client-2025-11-20"})
    assert scripted.requests[0].headers["anthropic-beta"] == (
        "other-2025-01-01,mcp-client-2026-09-15"
    )
    assert scripted.requests[1].headers["anthropic-beta"] == "mcp-client-2025-11-20"


def test_no_beta_without_mcp_servers() -> None:
    scripted = ScriptedModel(["a"])
    scripted.client().messages.create(
        model="m", max_tokens=10, messages=[{"role": "user", "content": "x"}]
    )
    assert "anthropic-beta" not in scripted.requests[0].headers


def test_streaming_keeps_the_blocks() -> None:
    scripted = model()
    with scripted.client().messages.stream(
        model="m",
        max_tokens=100,
        messages=[{"role": "user", "content": "find"}],
        mcp_servers=SERVERS,
    ) as stream:
        message = stream.get_final_message()
    assert scripted.requests[0].headers["anthropic-beta"] == "mcp-client-2026-09-15"
    assert [b.to_dict() for b in message.content] == MCP_BLOCKS


def test_the_agent_passes_mcp_servers_and_echoes_the_blocks() -> None:
    scripted = model()
    agent = Agent(scripted, model="m", tools=[TOOLSET], mcp_servers=SERVERS)
    first = agent.run("find")
    assert first.stop_reason == "end_turn"
    assert first.text == "The docs say so."
    agent.run("more", messages=first.messages)
    second = scripted.requests[1]
    assert second.headers["anthropic-beta"] == "mcp-client-2026-09-15"
    assert second["tools"] == [TOOLSET]
    assert second["messages"][1] == {"role": "assistant", "content": MCP_BLOCKS}


@pytest.mark.anyio
async def test_the_async_agent_too(anyio_backend: str) -> None:
    scripted = model()
    agent = AsyncAgent(scripted, model="m", tools=[TOOLSET], mcp_servers=SERVERS)
    first = await agent.run("find")
    await agent.run("more", messages=first.messages)
    assert scripted.requests[1]["messages"][1] == {"role": "assistant", "content": MCP_BLOCKS}
