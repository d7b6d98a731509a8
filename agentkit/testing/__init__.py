"""Offline models that speak the real wire protocol, for examples and tests.

Every model answers `POST /v1/messages` (JSON, or the exact SSE stream with `stream: true`),
`POST /v1/messages/count_tokens`, the Message Batches and the Models endpoints (see
`OfflineBatches`) through an httpx transport, so your code runs the same
client path as in production:

```python
from agentkit.testing import TestModel

client = TestModel().client()            # an Anthropic client; no key, no network
```

- `FunctionModel(fn)`: your function decides each answer.
- `ScriptedModel([...])`: answers in order; an unexpected extra request is a clear error.
- `TestModel()`: calls every tool with schema-valid input, then summarises the results (or,
  asked for typed output, gives schema-valid output: the output tool's call, or JSON text).
- `EchoModel()`: answers with the user's last text.

All validate requests like the API does (400 with the API's wording) and can inject faults
(`Fault`): error statuses with `retry-after`, `error` events and dropped connections mid-stream,
resets and delays. `RateLimits(...)` makes a model enforce rate limits (429s, the
`anthropic-ratelimit-*` headers) on a `VirtualClock` or `ScaledClock`. `record_sleeps()`
records the clients' retry waits instead of sleeping them.
`output_call(data)` and `output_text(data)` are typed output as a scripted model answers it.
"""

from .._drive import RecordedSleeps as RecordedSleeps
from .._drive import record_sleeps as record_sleeps
from ._batches import OfflineBatches as OfflineBatches
from ._cassette import Cassette as Cassette
from ._cassette import CassetteMismatchError as CassetteMismatchError
from ._cassette import cassette as cassette
from ._chaos import RandomFaults as RandomFaults
from ._models import EchoModel as EchoModel
from ._models import Exchange as Exchange
from ._models import FunctionModel as FunctionModel
from ._models import MockModel as MockModel
from ._models import ReplyLike as ReplyLike
from ._models import ScriptedModel as ScriptedModel
from ._models import TestModel as TestModel
from ._protocol import RequestProblem as RequestProblem
from ._protocol import check_request as check_request
from ._ratelimits import RateLimits as RateLimits
from ._ratelimits import ScaledClock as ScaledClock
from ._ratelimits import VirtualClock as VirtualClock
from ._replies import ErrorReply as ErrorReply
from ._replies import Fault as Fault
from ._replies import ModelRequest as ModelRequest
from ._replies import RawReply as RawReply
from ._replies import Reply as Reply
from ._replies import ScriptExhaustedError as ScriptExhaustedError
from ._replies import output_call as output_call
from ._replies import output_text as output_text
from ._replies import output_value as output_value
from ._transport import ModelTransport as ModelTransport
from ._wire import count_input_tokens as count_input_tokens
from ._wire import encode_stream as encode_stream

__all__ = [
    "Cassette",
    "CassetteMismatchError",
    "EchoModel",
    "ErrorReply",
    "Exchange",
    "Fault",
    "FunctionModel",
    "MockModel",
    "ModelRequest",
    "ModelTransport",
    "OfflineBatches",
    "RandomFaults",
    "RateLimits",
    "RawReply",
    "RecordedSleeps",
    "Reply",
    "ReplyLike",
    "RequestProblem",
    "ScriptExhaustedError",
    "ScaledClock",
    "ScriptedModel",
    "TestModel",
    "VirtualClock",
    "cassette",
    "check_request",
    "count_input_tokens",
    "encode_stream",
    "output_call",
    "output_text",
    "output_value",
    "record_sleeps",
]
