"""Code of the "Testing your agents" guide; run by the test suite."""

from __future__ import annotations

from agentkit import Agent
from agentkit.testing import Fault, ScriptedModel, record_sleeps

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
