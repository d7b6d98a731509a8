"""Code of the "Typed output" guide; run by the test suite."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel

from agentkit import (
    Agent,
    OutputChunk,
    OutputValidationError,
    RetryOutput,
    RunFinished,
    ToolContext,
)
from agentkit.testing import FunctionModel, ModelRequest, TestModel

MODEL = "claude-sonnet-4-5"


# --8<-- [start:basic]
class Ticket(BaseModel):
    """A support ticket, classified."""

    category: Literal["billing", "bug", "question"]
    urgent: bool
    summary: str


agent = Agent(TestModel(), model=MODEL, output_type=Ticket)
result = agent.run("My card was charged twice and I need it fixed today!")
ticket = result.output  # a Ticket (and a type checker knows it: Agent[None, Ticket])
assert isinstance(ticket, Ticket)
print(ticket.category, ticket.urgent)
# --8<-- [end:basic]


# --8<-- [start:native]
native = Agent(TestModel(), model=MODEL, output_type=list[Ticket], output_mode="native")
tickets = native.run("Split these three complaints into tickets: ...").output
assert all(isinstance(t, Ticket) for t in tickets)
# --8<-- [end:native]


# --8<-- [start:reask]
answers = iter(
    [
        # the first answer is wrong twice over ...
        [{"type": "tool_use", "name": "final_result", "input": {"category": "refund"}}],
        # ... and after the re-ask, the model corrects it
        [
            {
                "type": "tool_use",
                "name": "final_result",
                "input": {"category": "billing", "urgent": True, "summary": "double charge"},
            }
        ],
    ]
)
model = FunctionModel(lambda request: next(answers))
result = Agent(model, model=MODEL, output_type=Ticket).run("Charged twice!")
assert result.output.category == "billing"

reask = model.requests[1].messages[-1]["content"][0]  # what the model was told
assert reask["is_error"] is True
print(reask["content"])
# The output is not valid:
# - $.category: Input should be 'billing', 'bug' or 'question'
# - $.urgent: Field required
# - $.summary: Field required
# Call the 'final_result' tool again with corrected input.
# --8<-- [end:reask]


# --8<-- [start:exhausted]
always_wrong = FunctionModel(
    lambda request: [{"type": "tool_use", "name": "final_result", "input": {"urgent": "maybe"}}]
)
stubborn = Agent(always_wrong, model=MODEL, output_type=Ticket, output_retries=1)
try:
    stubborn.run("Charged twice!")
except OutputValidationError as error:
    for problem in error.errors:
        print(problem.path, problem.message)  # e.g. "$.category Field required"
    history = error.run_state.messages  # valid to send again: resume later
    fixed = FunctionModel(
        lambda request: [
            {
                "type": "tool_use",
                "name": "final_result",
                "input": {"category": "billing", "urgent": True, "summary": "double charge"},
            }
        ]
    )
    resumed = Agent(fixed, model=MODEL, output_type=Ticket).run(messages=history)
    assert resumed.output.urgent is True
# --8<-- [end:exhausted]


# --8<-- [start:validator]
checked = Agent(TestModel(), model=MODEL, output_type=Ticket, deps={"vip": True})


@checked.output_validator
def escalate_vips(ctx: ToolContext[dict[str, bool]], ticket: Ticket) -> Ticket:
    if not ticket.summary.strip():
        raise RetryOutput("the summary must say what happened")  # re-asks the model
    if ctx.deps["vip"]:
        return ticket.model_copy(update={"urgent": True})  # replaces the output
    return ticket


assert checked.run("Where is my invoice?").output.urgent is True
# --8<-- [end:validator]


# --8<-- [start:stream]
def streamed_answer(request: ModelRequest) -> Any:
    data = {"category": "bug", "urgent": False, "summary": "the export button does nothing"}
    return [{"type": "tool_use", "name": "final_result", "input": data}]


streaming = Agent(FunctionModel(streamed_answer), model=MODEL, output_type=Ticket)
for event in streaming.stream("The export button does nothing."):
    if isinstance(event, OutputChunk):
        print(json.dumps(event.partial))  # {"category": "bug", "urgent": false, "summ...
    elif isinstance(event, RunFinished):
        print(event.result.output)  # the validated Ticket
# --8<-- [end:stream]
