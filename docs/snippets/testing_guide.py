"""Code of the "Testing your agents" guide; run by the test suite."""

from __future__ import annotations

from agentkit import Agent
from agentkit.testing import EchoModel, Fault, ModelRequest, ScriptedModel, record_sleeps

# --8<-- [start:waits]
model = ScriptedModel(
    ["Done."], faults=[Fault.error_status(429, retry_after=2.5), Fault.error_status(529)]
)
agent = Agent(model.client(max_retries=3), model="claude-sonnet-4-5")
with record_sleeps() as waits:  # retry waits are recorded, not slept
    result = agent.run("Hi")
assert result.text == "Done."
assert waits.request[0] == 2.5  # the server's retry-after
assert 0.75 <= waits.request[1] <= 1.0  # backoff with jitter before the second retry
assert waits.stream == []  # no stream was re-sent
# --8<-- [end:waits]


# --8<-- [start:callback]
def overload_the_first_try(index: int, request: ModelRequest) -> Fault | None:
    """A 529 for the first request only; `request` is the parsed body (a dict)."""
    return Fault.error_status(529) if index == 0 and request.stream is False else None


flaky = EchoModel(faults=overload_the_first_try)
with record_sleeps():
    echoed = Agent(flaky.client(max_retries=1), model="claude-sonnet-4-5").run("Hello")
assert echoed.text == "Hello"
assert len(flaky.requests) == 2  # the 529, then the retry
# --8<-- [end:callback]
