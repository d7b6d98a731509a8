"""Every error agentkit raises, in one tree.

```
AgentkitError                       the root: catch this to catch everything below
├── UsageError                      misuse caught locally, before any request is sent
│   ├── InvalidArgumentTypeError    an argument of the wrong type (also a TypeError, as the SDK)
│   ├── MissingCredentialsError     no API key or token to send (also a TypeError, as the SDK)
│   └── UnresolvedTypeError         a tool's type hint names something not defined (yet)
├── ToolError                       raised by a tool to hand the model an error result
├── RunLimitExceeded                an agent run hit max_turns or a token budget
│                                   (with raise_on_limit=True); the partial run on .result
├── OutputValidationError           typed output that does not validate (after every re-ask);
│                                   every problem with its JSON path on .errors
├── RetryOutput                     raised by an output validator to re-ask the model
├── BatchWaitTimeout                batches.wait() gave up before the batch ended (also a
│                                   TimeoutError); the last batch seen on .batch
├── ScriptExhaustedError            agentkit.testing: a ScriptedModel got one request too many
├── CassetteMismatchError           agentkit.testing: a request with no recording (replay mode)
├── MCPServerError                  agentkit.mcp: an MCP server could not be started or reached
├── PayloadTooLargeError            agentkit.temporal: a payload over Temporal's size limit
├── RunFailedError                  agentkit.temporal: a run in a workflow ended with an error
│                                   (its .error_type, the run so far on .run_state)
├── JournalError                    a journal file that is not agentkit's (or is damaged), or a
│   │                               resumed run that no longer matches its records
│   └── RunLockedError              another live process is running this run_id (.run_id)
└── APIError                        talking to the API failed
    ├── APIConnectionError          no (complete) response: network error, reset, cut stream
    │   ├── APITimeoutError         the request timed out
    │   └── UncertainDeliveryError  no response to a request that is never re-sent once it
    │                               may have arrived (messages.batches.create): not retried
    ├── BatchRequestError           a batch-mode map's request did not succeed in its batch
    │                               (errored, expired or canceled, after the retries it allows)
    ├── APIResponseValidationError  a response body that is not what the API promises
    ├── StreamProtocolError         stream events out of order (a block that never started)
    └── APIStatusError              the API answered with an error (status, or stream event)
        ├── BadRequestError             400 invalid_request_error
        ├── AuthenticationError         401 authentication_error
        ├── PaymentRequiredError        402 billing_error
        ├── PermissionDeniedError       403 permission_error
        ├── NotFoundError               404 not_found_error
        ├── RequestTimeoutError         408
        ├── ConflictError               409 conflict_error
        ├── RequestTooLargeError        413 request_too_large
        ├── UnprocessableEntityError    422
        ├── RateLimitError              429 rate_limit_error
        └── InternalServerError         >= 500 api_error
            ├── ServiceUnavailableError     503
            ├── GatewayTimeoutError         504 timeout_error
            └── OverloadedError             529 overloaded_error
```

Statuses, API error types and classes live in one table, `ERROR_TABLE` (rows
`(status, error_type, class)`); every map is derived from it: `STATUS_ERRORS` (status → class),
`ERROR_TYPE_STATUS` (error type → status) and `STATUS_ERROR_TYPE` (status → error type, for the
offline models' error bodies). `error_status` says which status an error counts as: the HTTP
status, or for an `error` event inside a 200 stream, the status its type comes with.
`error_class_for` picks the class by that status; the retry policy decides by it too.

This module is a leaf: it imports nothing from agentkit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ERROR_TABLE",
    "ERROR_TYPE_STATUS",
    "STATUS_ERRORS",
    "STATUS_ERROR_TYPE",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AgentkitError",
    "AnthropicError",
    "AuthenticationError",
    "BatchWaitTimeout",
    "BadRequestError",
    "BatchRequestError",
    "CassetteMismatchError",
    "ConflictError",
    "ContentTooLargeError",
    "ErrorRow",
    "GatewayTimeoutError",
    "InternalServerError",
    "InvalidArgumentTypeError",
    "JournalError",
    "MCPServerError",
    "MissingCredentialsError",
    "NotFoundError",
    "OutputProblem",
    "OutputValidationError",
    "OverloadedError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "RetryOutput",
    "RunFailedError",
    "RunLimitExceeded",
    "RunLockedError",
    "ScriptExhaustedError",
    "ServiceUnavailableError",
    "StreamProtocolError",
    "ToolError",
    "UncertainDeliveryError",
    "UnprocessableEntityError",
    "UnresolvedTypeError",
    "UsageError",
    "error_class_for",
    "error_status",
]


class AgentkitError(Exception):
    """The root of every error agentkit raises."""


AnthropicError = AgentkitError
"""The official SDK's name for the root error (code catching it keeps working)."""


class UsageError(AgentkitError):
    """The library was called in a way that cannot work; raised before any request.

    The message says what was wrong and what to do instead.
    """


class InvalidArgumentTypeError(UsageError, TypeError):
    """An argument of the wrong type, where the official SDK raises `TypeError`.

    Both a `UsageError` (agentkit's tree) and a `TypeError` (code written for the SDK).
    """


class MissingCredentialsError(UsageError, TypeError):
    """No API key or auth token could be found for a request.

    Also a `TypeError`, as the official SDK raises for unresolvable credentials.
    """


class UnresolvedTypeError(UsageError):
    """A type hint names something not defined (yet)."""


class ToolError(AgentkitError):
    """Raise inside a tool to send the model an error result with exactly this content.

    Args:
        content: The text (or content blocks) the model receives in the `tool_result`,
            which is marked `is_error: true`.
    """

    def __init__(self, content: str | Sequence[Mapping[str, Any]]) -> None:
        self.content: str | list[dict[str, Any]] = (
            content if isinstance(content, str) else [dict(block) for block in content]
        )
        super().__init__(content if isinstance(content, str) else "tool error (content blocks)")


class RunLimitExceeded(AgentkitError):
    """A run hit `max_turns` or a token budget, with `raise_on_limit=True`.

    Attributes:
        result: The run so far, a `RunResult` (history complete and resumable).
        limit: `"max_turns"` or `"usage_limit"`.
    """

    def __init__(self, result: Any) -> None:
        self.result: Any = result
        self.run_state: Any = result
        """The same as `result` (the name API errors use for the run so far)."""
        self.limit: str = result.stop_reason
        super().__init__(
            f"the run stopped at its limit ({result.stop_reason}) after {result.turns} turn(s); "
            "the partial result is on .result; pass .result.messages as messages= to resume."
        )


@dataclass(frozen=True)
class OutputProblem:
    """One reason typed output is invalid.

    Attributes:
        path: Where, as a JSON path into the output (`$` is the whole output,
            `$.items[0].price` a nested field).
        message: What is wrong there.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class OutputValidationError(AgentkitError):
    """The model's output does not validate against the requested output type.

    Raised by `messages.parse(...)` for a complete answer that fails validation, and by an agent
    run whose output is still invalid after `output_retries` re-asks.

    Attributes:
        errors: Every problem, each with its JSON path (`OutputProblem`).
        message: The response (`Message`) whose output failed, when there is one.
        output: The output as the model sent it: the parsed JSON value, or the text when it was
            not JSON.
        run_state: For an agent run, the run so far (a `RunResult`, resumable: pass its
            `.messages` as `messages=`); None otherwise.
    """

    def __init__(
        self,
        errors: Sequence[OutputProblem],
        *,
        message: Any = None,
        output: Any = None,
        run_state: Any = None,
        retries: int = 0,
    ) -> None:
        self.errors: list[OutputProblem] = list(errors)
        self.message: Any = message
        self.output: Any = output
        self.run_state: Any = run_state
        lines = "\n".join(f"  {problem}" for problem in self.errors)
        after = f" after {retries} re-ask(s)" if retries else ""
        super().__init__(f"the output does not match the output type{after}:\n{lines}")


class RetryOutput(AgentkitError):
    """Raise in an output validator to reject the output and re-ask the model.

    Args:
        message: What is wrong, in words for the model; it is sent back as the reason.
    """

    def __init__(self, message: str) -> None:
        self.message: str = message
        super().__init__(message)


class BatchWaitTimeout(AgentkitError, TimeoutError):
    """`client.messages.batches.wait()` waited `timeout` seconds and the batch had not ended.

    Attributes:
        batch: The batch as last retrieved (a `MessageBatch`): still processing, which you may
            wait for again, or cancel.
    """

    def __init__(self, message: str, *, batch: Any) -> None:
        super().__init__(message)
        self.batch = batch


class ScriptExhaustedError(AgentkitError):
    """A `ScriptedModel` received a request after its last reply."""


class CassetteMismatchError(AgentkitError):
    """A request had no recording in the cassette (replay mode)."""


class MCPServerError(AgentkitError):
    """An MCP server could not be started or reached when it was opened (`agentkit.mcp`)."""


class PayloadTooLargeError(AgentkitError):
    """A payload is over the limit Temporal accepts (a request, a response, a tool result...).

    Temporal's server refuses payloads over 2 MiB by default; agentkit checks each one before
    Temporal sees it and fails the run with this error instead of retrying forever.

    Attributes:
        size: The payload's encoded size, in bytes.
        limit: The limit it is over, in bytes.
    """

    def __init__(self, message: str, *, size: int = 0, limit: int = 0) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class RunFailedError(AgentkitError):
    """A run in a Temporal workflow ended with an error.

    Attributes:
        error_type: The name of the agentkit error the run ended with (e.g.
            `"RateLimitError"` after the last retry, `"OutputValidationError"`).
        run_state: The run so far (a `RunResult` whose `messages` resume it), when known.
    """

    def __init__(self, message: str, *, error_type: str, run_state: Any = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.run_state = run_state


class JournalError(AgentkitError):
    """A journal cannot be used, or a resumed run does not match it.

    The file is not an agentkit journal (or is damaged, or from a newer agentkit), or a resumed
    run's requests differ from the ones it recorded. A file that is not an agentkit journal is
    never written to.
    """


class RunLockedError(JournalError):
    """Another process holds this run's lease (it is running the same `run_id` now).

    The lease expires if its holder dies; try again later, or use another `run_id`.

    Attributes:
        run_id: The run.
    """

    def __init__(self, message: str, *, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(message)


class APIError(AgentkitError):
    """Talking to the API failed.

    Attributes:
        message: What went wrong, in words.
        request: The request that failed, when there was one.
        body: The decoded error body the API sent, if any.
    """

    run_state: Any = None
    """When raised inside an agent run: the run so far (a `RunResult` whose `messages` resume
    it with `agent.run(messages=...)`); None otherwise."""

    def __init__(
        self, message: str, *, request: httpx.Request | None = None, body: object | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body


class APIConnectionError(APIError):
    """No complete response arrived: the connection failed, was reset, or a stream was cut."""

    request_sent: bool | None = None
    """False when the failure certainly came before the request was sent (no connection could
    be made); None when the request may have reached the server."""

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class UncertainDeliveryError(APIConnectionError):
    """No response arrived, and the request may have reached the server: it is not re-sent.

    Raised for requests that are not idempotent (`messages.batches.create`: the API takes no
    idempotency key, so a second attempt could create a second batch). The failure it replaces
    (a connection lost after sending, a read timeout) is its `__cause__`. Look before sending
    again: `client.messages.batches.list()` shows the batches created.
    """


class APITimeoutError(APIConnectionError):
    """The request did not complete within its timeout."""

    def __init__(
        self,
        message: str = "Request timed out. For long generations, use streaming "
        "(client.messages.stream(...)) or pass a larger timeout=.",
        *,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)


class BatchRequestError(APIError):
    """A batch-mode run's request did not succeed in its Message Batch: the run ended.

    In `agent.map(..., mode="batch")`, `errored` requests whose error the client's retry policy
    retries (overloaded, server errors, rate limits) and `expired` ones are sent again in the
    next batch, up to the client's `max_retries`; this error ends the run after that, and at
    once for other errors and for `canceled` requests. The map's other runs go on.

    Attributes:
        result_type: `"errored"`, `"expired"`, `"canceled"` (or `"missing"`: the batch had no
            result for the request).
        error: For `errored`, the API's error object (`{"type": ..., "message": ...}`).
        batch_id: The batch of the last attempt.
        custom_id: The request's `custom_id` in that batch.
        attempts: How many batches the request went out in.
        run_state: The run so far (a `RunResult`; `agent.run(messages=...)` resumes it).
    """

    def __init__(
        self,
        message: str,
        *,
        result_type: str,
        error: dict[str, Any] | None = None,
        batch_id: str = "",
        custom_id: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message, body=error)
        self.result_type = result_type
        self.error = error
        self.batch_id = batch_id
        self.custom_id = custom_id
        self.attempts = attempts


class APIResponseValidationError(APIError):
    """The API's response body did not have the shape the API documents."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None = None,
    ) -> None:
        super().__init__(message, request=response.request, body=body)
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """The API answered with an error: an HTTP error status, or an `error` event in a stream.

    A redirect that was not followed (`follow_redirects=False`) is one too, with its 3xx status.

    Attributes:
        status_code: The HTTP status of the response (200 for an error event mid-stream).
        request_id: The `request-id` the API gave the request; quote it to support.
        body: The decoded JSON error body (or the raw text when it was not JSON).
        response: The `httpx.Response`, when there is one.
        type: The API's `error.type` (e.g. `"overloaded_error"`); unknown values are kept.
        api_message: The API's `error.message`.
        error_code: The stable `error.details.error_code`, when the API sent one.
        retry_after: Seconds the server asked the client to wait, from `retry-after-ms` or
            `retry-after`, if present.
    """

    rate_limits_parser: ClassVar[Callable[[Mapping[str, str]], Any] | None] = None
    """Parses response headers into a `RateLimits` for `rate_limits` when the error was built
    without them (an error you construct with `response=`); agentkit's core installs it."""

    def __init__(
        self,
        message: str | None = None,
        *,
        response: httpx.Response | None = None,
        body: object | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        rate_limits: Any = None,
    ) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        if status_code is None:
            status_code = response.status_code if response is not None else 0
        self.status_code = status_code
        self.response = response
        self.type: str | None = _str_or_none(error.get("type"))
        self.api_message: str | None = _str_or_none(error.get("message"))
        details = error.get("details")
        self.details: dict[str, Any] | None = details if isinstance(details, dict) else None
        self.error_code: str | None = _str_or_none((self.details or {}).get("error_code"))
        if request_id is None and isinstance(body, dict):
            request_id = _str_or_none(body.get("request_id"))
        if request_id is None and response is not None:
            request_id = response.headers.get("request-id")
        self.request_id = request_id
        self.workspace_id: str | None = (
            response.headers.get("anthropic-workspace-id") if response is not None else None
        )
        self.retry_after = retry_after
        self._rate_limits: Any = rate_limits
        request = response.request if response is not None and _has_request(response) else None
        super().__init__(message or self._describe(body), request=request, body=body)

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only construction: rebuild from the instance's state (for pickling)
        return _rebuild, (type(self), self.args, self.__dict__)

    @property
    def error_type(self) -> str | None:
        """The API's `error.type`; same as `type`."""
        return self.type

    @property
    def error_message(self) -> str | None:
        """The API's `error.message`; same as `api_message`."""
        return self.api_message

    @property
    def rate_limits(self) -> Any:
        """The `anthropic-ratelimit-*` and `retry-after` headers of the response, parsed.

        A `RateLimits`: computed by the client when it builds the error, or parsed from
        `response.headers` on first access for an error built with `response=`.
        """
        if self._rate_limits is None:
            parse = APIStatusError.rate_limits_parser
            if parse is None:
                raise RuntimeError(
                    "rate_limits needs agentkit's header parser, which loads with the client: "
                    "import agentkit._core.response first"
                )
            self._rate_limits = parse(self.response.headers if self.response is not None else {})
        return self._rate_limits

    def _describe(self, body: object | None) -> str:
        head = str(self.status_code)
        if self.type:
            head += f" {self.type}"
        detail = self.api_message
        if detail is None and body is not None and not isinstance(body, dict):
            detail = str(body)[:500]
        text = f"{head}: {detail}" if detail else head
        if self.request_id:
            text += f" (request_id={self.request_id})"
        return text


class BadRequestError(APIStatusError):
    """400: the request was malformed or asked for something impossible."""


class AuthenticationError(APIStatusError):
    """401: the API key or token is missing, wrong or revoked."""


class PaymentRequiredError(APIStatusError):
    """402: a billing problem on the account."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials may not use this resource."""


class NotFoundError(APIStatusError):
    """404: the resource (or model) does not exist."""


class RequestTimeoutError(APIStatusError):
    """408: the server timed out waiting for the request."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state; retried by default."""


class RequestTooLargeError(APIStatusError):
    """413: the request body exceeds the endpoint's size limit (32 MB for messages)."""


ContentTooLargeError = RequestTooLargeError
"""The official SDK's name for `RequestTooLargeError`."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: a rate or spend limit was hit; `rate_limits` and `retry_after` say how long to wait."""


class InternalServerError(APIStatusError):
    """>= 500: the API failed; retried by default."""


class ServiceUnavailableError(InternalServerError):
    """503: the API is temporarily unavailable."""


class GatewayTimeoutError(InternalServerError):
    """504: the API timed out producing the response."""


class OverloadedError(InternalServerError):
    """529: the API is overloaded; retried by default with backoff."""


class ErrorRow(NamedTuple):
    """One row of `ERROR_TABLE`."""

    status: int
    """The HTTP status."""
    error_type: str | None
    """The API's `error.type` that comes with it (None when the API documents none)."""
    cls: type[APIStatusError]
    """The class raised for it."""


ERROR_TABLE: tuple[ErrorRow, ...] = (
    ErrorRow(400, "invalid_request_error", BadRequestError),
    ErrorRow(401, "authentication_error", AuthenticationError),
    ErrorRow(402, "billing_error", PaymentRequiredError),
    ErrorRow(403, "permission_error", PermissionDeniedError),
    ErrorRow(404, "not_found_error", NotFoundError),
    ErrorRow(408, None, RequestTimeoutError),
    ErrorRow(409, "conflict_error", ConflictError),
    ErrorRow(413, "request_too_large", RequestTooLargeError),
    ErrorRow(422, None, UnprocessableEntityError),
    ErrorRow(429, "rate_limit_error", RateLimitError),
    ErrorRow(500, "api_error", InternalServerError),
    ErrorRow(503, None, ServiceUnavailableError),
    ErrorRow(504, "timeout_error", GatewayTimeoutError),
    ErrorRow(529, "overloaded_error", OverloadedError),
)
"""The one table of error statuses, API error types and classes; every map below is derived."""

STATUS_ERRORS: dict[int, type[APIStatusError]] = {row.status: row.cls for row in ERROR_TABLE}
"""The class of each HTTP status (derived from `ERROR_TABLE`)."""

ERROR_TYPE_STATUS: dict[str, int] = {
    row.error_type: row.status for row in ERROR_TABLE if row.error_type is not None
}
"""The HTTP status each documented `error.type` comes with (derived from `ERROR_TABLE`)."""

STATUS_ERROR_TYPE: dict[int, str] = {
    row.status: row.error_type for row in ERROR_TABLE if row.error_type is not None
}
"""The `error.type` the API sends with each status (derived from `ERROR_TABLE`)."""

_UNKNOWN_ERROR_STATUS = 500
"""The status an error inside a stream counts as when its type is missing or unknown."""


def error_status(status_code: int, error_type: str | None = None) -> int:
    """The status an error counts as, for its class and for the retry decision.

    A status >= 300 is itself: an HTTP error (>= 400), or a redirect that was not followed (a
    plain `APIStatusError`, as the SDK's). Below 300, the error came as an `error` event inside a
    200 stream: it counts as the status its `error_type` comes with (500 when the type is missing
    or unknown).
    """
    if status_code >= 300:
        return status_code
    return ERROR_TYPE_STATUS.get(error_type or "", _UNKNOWN_ERROR_STATUS)


def error_class_for(status_code: int, error_type: str | None = None) -> type[APIStatusError]:
    """The `APIStatusError` subclass for an error status (and, mid-stream, an error type).

    Args:
        status_code: The HTTP status.
        error_type: The body's `error.type`; decides the class when the status is not an
            error status (an `error` event inside a 200 stream), see `error_status`.
    """
    status = error_status(status_code, error_type)
    cls = STATUS_ERRORS.get(status)
    if cls is not None:
        return cls
    if status >= 500:
        return InternalServerError
    return APIStatusError


def _rebuild(cls: type[Exception], args: tuple[Any, ...], state: dict[str, Any]) -> Exception:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class StreamProtocolError(APIError):
    """A stream broke the event grammar (e.g. a delta for a block that never started)."""


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request  # noqa: B018 - raises RuntimeError when the response has no request
    except RuntimeError:
        return False
    return True
