"""Code of the "Typed output" guide, client part; run by the test suite."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from agentkit import OutputValidationError
from agentkit.testing import ScriptedModel
from agentkit.testing._replies import Reply

MODEL = "claude-sonnet-4-5"
INVOICE = (
    '{"number": "A-17", "items": [{"name": "pen", "price": 2.5}, {"name": "ink", "price": 4}]}'
)
client = ScriptedModel(
    [
        INVOICE,
        '{"result": "negative"}',
        Reply("I can't help with that.", stop_reason="refusal"),
        '{"number": "A-17", "items": [{"name": "pen", "price": "cheap"}]}',
        INVOICE,
        INVOICE,
    ],
    text_chunk=12,
).client()


# --8<-- [start:parse]
class Item(BaseModel):
    name: str
    price: float


class Invoice(BaseModel):
    number: str
    items: list[Item]


message = client.messages.parse(
    model=MODEL,
    max_tokens=1024,
    messages=[{"role": "user", "content": "Extract the invoice: ..."}],
    output_format=Invoice,
)
invoice = message.parsed_output  # an Invoice (None if the model did not finish an answer)
assert invoice is not None
assert invoice.items[0].name == "pen"
# --8<-- [end:parse]

# --8<-- [start:literal]
sentiment = client.messages.parse(
    model=MODEL,
    max_tokens=16,
    messages=[{"role": "user", "content": "Sentiment of: 'this is awful'"}],
    output_format=Literal["positive", "negative", "neutral"],
).parsed_output
assert sentiment == "negative"
# --8<-- [end:literal]

# --8<-- [start:refusal]
message = client.messages.parse(
    model=MODEL,
    max_tokens=1024,
    messages=[{"role": "user", "content": "..."}],
    output_format=Invoice,
)
if message.parsed_output is None:
    assert message.stop_reason == "refusal"  # or max_tokens, tool_use...
# --8<-- [end:refusal]

# --8<-- [start:invalid]
try:
    client.messages.parse(
        model=MODEL,
        max_tokens=1024,
        messages=[{"role": "user", "content": "Extract the invoice: ..."}],
        output_format=Invoice,
    )
except OutputValidationError as error:
    problems = [str(problem) for problem in error.errors]
    assert problems == [
        "$.items[0].price: Input should be a valid number, unable to parse string as a number"
    ]
    raw_text = error.message.content[0].text  # the response as it came
# --8<-- [end:invalid]

# --8<-- [start:stream]
with client.messages.stream(
    model=MODEL,
    max_tokens=1024,
    messages=[{"role": "user", "content": "Extract the invoice: ..."}],
    output_format=Invoice,
) as stream:
    for partial in stream.output_stream:
        print(partial)  # {'number': 'A-17'}, then {'number': 'A-17', 'items': [{'name': 'pen'}]}...
    invoice = stream.get_final_message().parsed_output
assert invoice is not None
assert invoice.number == "A-17"
# --8<-- [end:stream]

# --8<-- [start:config]
message = client.messages.parse(
    model=MODEL,
    max_tokens=1024,
    messages=[{"role": "user", "content": "Extract the invoice: ..."}],
    output_format=Invoice,
    output_config={"effort": "low"},  # sent with the format: {"effort": "low", "format": {...}}
)
# --8<-- [end:config]
