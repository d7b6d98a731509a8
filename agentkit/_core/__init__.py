"""The sans-IO core: every decision that needs no I/O, shared by the sync and async drivers.

Its modules import the standard library, pydantic, `agentkit.types`, `agentkit._types` and
`agentkit._exceptions` only: no I/O library (httpx, anyio, ...) and nothing from the layers
above (client drivers, tools, agent, testing); a test checks this in a fresh interpreter.

- `effects`: the effects a protocol asks its driver to perform (`Send`, `Sleep`, `CallModel`...).
- `flows`: the request protocol (send; on a retryable failure, wait and send again).
- `request`, `endpoints`: call parameters to a `PreparedRequest`, validated.
- `response`, `retry`, `headers`: a response to a result or a typed error; when and how long
  to retry; the rate-limit and retry headers.
- `sse`, `stream_decoder`, `accumulate`, `partial_json`: stream bytes to events to a
  `Message`, in linear time.
- `loop`, `tool_calls`: the agent loop's decisions, and the tool-call data it reads and writes.
"""
