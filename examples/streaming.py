"""Streaming: print the agent's text as it arrives, and each tool call as it happens.

python examples/streaming.py [--live]
"""

from __future__ import annotations

from _common import MODEL, client_for, parse_args

from agentkit import (
    Agent,
    RunFinished,
    TextChunk,
    ToolCallFinished,
    ToolCallStarted,
    TurnFinished,
    tool,
)
from agentkit.testing import TestModel


@tool
def search_docs(query: str, limit: int = 3) -> list[str]:
    """Search the product documentation.

    Args:
        query: What to look for.
        limit: How many results to return.
    """
    pages = ["Installing agentkit", "Writing tools", "Streaming events", "Testing offline"]
    return [page for page in pages if any(w in page.lower() for w in query.lower().split())][:limit]


def main(argv: list[str] | None = None) -> None:
    """Stream one run to the terminal."""
    args = parse_args(__doc__ or "", argv)
    offline = TestModel(text_chunk=6, tool_inputs={"search_docs": {"query": "streaming tools"}})
    agent = Agent(client_for(args, offline), model=MODEL, tools=[search_docs])
    for event in agent.stream("How do I stream tool calls? Search the docs."):
        if isinstance(event, TextChunk):
            print(event.text, end="", flush=True)
        elif isinstance(event, ToolCallStarted):
            print(f"\n-> {event.name}({event.input})")
        elif isinstance(event, ToolCallFinished):
            status = "error" if event.is_error else "ok"
            print(f"<- {event.name} [{status}, {event.duration * 1000:.1f} ms]: {event.content}")
        elif isinstance(event, TurnFinished):
            print(f"\n[turn finished: {event.message.stop_reason}]")
        elif isinstance(event, RunFinished):
            usage = event.result.usage
            print(f"[done: {event.result.turns} turns, {usage.total_tokens} tokens]")


if __name__ == "__main__":
    main()
