"""Code of the "Streaming" guide; run by the test suite."""

from __future__ import annotations

from agentkit import Agent, InputJsonEvent, TextChunk, TextEvent, ToolCallStarted, tool
from agentkit.testing import TestModel

MODEL = "claude-sonnet-4-5"
client = TestModel(text="Streaming, one piece at a time.", text_chunk=5).client()

# --8<-- [start:text]
with client.messages.stream(
    model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "Hi"}]
) as stream:
    pieces = list(stream.text_stream)
    message = stream.get_final_message()

assert "".join(pieces) == "Streaming, one piece at a time."
assert message.stop_reason == "end_turn"
# --8<-- [end:text]

# --8<-- [start:events]
with client.messages.stream(
    model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "Hi"}]
) as stream:
    for event in stream:
        if isinstance(event, TextEvent):
            so_far = event.snapshot  # the block's text up to here, joined on request
        elif isinstance(event, InputJsonEvent):
            partial = event.snapshot  # a tool's input as parsed so far, on request
    final_text = stream.get_final_text()
assert so_far == final_text
# --8<-- [end:events]

# --8<-- [start:raw]
with client.messages.create(
    model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "Hi"}], stream=True
) as events:
    kinds = [event.type for event in events]
assert kinds[0] == "message_start"
assert kinds[-1] == "message_stop"
# --8<-- [end:raw]


@tool
def lookup(term: str) -> str:
    """Look a term up."""
    return f"{term}: found"


# --8<-- [start:agent]
agent = Agent(TestModel(text_chunk=4).client(), model=MODEL, tools=[lookup])
for item in agent.stream("Look something up"):
    if isinstance(item, TextChunk):
        print(item.text, end="")
    elif isinstance(item, ToolCallStarted):
        print(f"\n[calling {item.name} with {item.input}]")
# --8<-- [end:agent]
