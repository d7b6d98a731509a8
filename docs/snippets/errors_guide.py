"""Code of the "Errors and retries" guide; run by the test suite."""

from __future__ import annotations

from agentkit import (
    APIStatusError,
    BadRequestError,
    RateLimitError,
    UsageError,
)
from agentkit.testing import ErrorReply, Fault, ScriptedModel

MODEL = "claude-sonnet-4-5"
messages = [{"role": "user", "content": "Hi"}]

# --8<-- [start:typed]
client = ScriptedModel([ErrorReply(400, message="messages.0: bad")]).client()
try:
    client.messages.create(model=MODEL, max_tokens=100, messages=messages)  # type: ignore[arg-type]
except BadRequestError as error:
    assert error.status_code == 400
    assert error.type == "invalid_request_error"
    assert str(error).startswith("400 invalid_request_error: messages.0: bad (request_id=req_")
# --8<-- [end:typed]

# --8<-- [start:retries]
model = ScriptedModel(["Hello"], faults=[Fault.error_status(529, retry_after=0.01)])
raw = model.client(max_retries=2).messages.with_raw_response.create(
    model=MODEL,
    max_tokens=100,
    messages=messages,  # type: ignore[arg-type]
)
assert raw.retries_taken == 1  # the 529 was retried after the server's retry-after
# --8<-- [end:retries]

# --8<-- [start:long_wait]
slow = ScriptedModel(["Hello"], faults=[Fault.error_status(429, retry_after=120)])
try:
    slow.client(max_retry_wait=60).messages.create(
        model=MODEL,
        max_tokens=100,
        messages=messages,  # type: ignore[arg-type]
    )
except RateLimitError as error:
    assert error.retry_after == 120  # raised at once: schedule the retry yourself
# --8<-- [end:long_wait]

# --8<-- [start:usage]
try:
    client.messages.create(model=MODEL, max_tokens=0, messages=messages)  # type: ignore[arg-type]
except UsageError as error:
    assert "max_tokens must be a positive integer" in str(error)
# --8<-- [end:usage]

# --8<-- [start:catch_all]
try:
    ScriptedModel([ErrorReply(500)]).client(max_retries=0).messages.create(
        model=MODEL,
        max_tokens=10,
        messages=messages,  # type: ignore[arg-type]
    )
except APIStatusError as error:  # any status error; or AgentkitError for everything
    assert error.status_code == 500
# --8<-- [end:catch_all]
