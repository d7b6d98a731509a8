"""Code of the "Testing your agents" guide; run by the test suite."""

from __future__ import annotations

from agentkit import Agent, BadRequestError
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


# --8<-- [start:typed]
from pydantic import BaseModel  # noqa: E402

from agentkit.testing import TestModel  # noqa: E402


class Invoice(BaseModel):
    number: str
    total: float


schema = {  # what messages.parse and agents send for Invoice
    "type": "object",
    "properties": {"number": {"type": "string"}, "total": {"type": "number"}},
    "required": ["number", "total"],
    "additionalProperties": False,
}
client = TestModel().client()

# native mode: the answer is JSON text valid for output_config.format's schema
reply = client.messages.create(
    model="claude-sonnet-4-5",
    max_tokens=1024,
    messages=[{"role": "user", "content": "Invoice A-1, total 12.5"}],
    output_config={"format": {"type": "json_schema", "schema": schema}},
)
invoice = Invoice.model_validate_json(reply.content[0].text)  # type: ignore[union-attr]
assert invoice == Invoice(number="example", total=1.0)

# tool mode: the output tool final_result is called with valid input
reply = client.messages.create(
    model="claude-sonnet-4-5",
    max_tokens=1024,
    messages=[{"role": "user", "content": "Invoice A-1, total 12.5"}],
    tools=[{"name": "final_result", "input_schema": schema}],
)
assert reply.stop_reason == "tool_use"
assert Invoice.model_validate(reply.content[0].input) == invoice  # type: ignore[union-attr]

# a schema the API would refuse is refused: 400 invalid_request_error, the API's message
try:
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        messages=[{"role": "user", "content": "Invoice A-1, total 12.5"}],
        output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}},
    )
except BadRequestError as error:
    assert error.api_message == (
        "output_config.format.schema: For 'object' type, 'additionalProperties' must be "
        "explicitly set to false"
    )
else:
    raise AssertionError("the open object was accepted")
# --8<-- [end:typed]


# --8<-- [start:reask]
from agentkit.testing import Reply, output_call, output_text  # noqa: E402

# tool mode: a call with invalid input, then, after the agent's is_error tool_result, valid input
tool_mode = ScriptedModel(
    [
        [output_call({"number": "A-1"})],  # no total: invalid
        [output_call(Invoice(number="A-1", total=12.5))],
    ]
)
# native mode: text that is not the schema's JSON, then, after the re-ask, valid JSON
native_mode = ScriptedModel(
    [
        Reply('{"number": "A-1", "tot', stop_reason="max_tokens"),  # cut short
        output_text(Invoice(number="A-1", total=12.5)),
    ]
)
assert output_call([1, 2])["input"] == {"result": [1, 2]}  # non-objects are wrapped
# --8<-- [end:reask]
