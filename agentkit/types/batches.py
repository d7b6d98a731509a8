"""Message Batches: the batch object, its request counts, and one line of its results file.

A result is discriminated on its ``type``: `MessageBatchSucceededResult` (the `Message`),
`MessageBatchErroredResult` (the error response), `MessageBatchCanceledResult`,
`MessageBatchExpiredResult`; a result type this version does not know parses as
`MessageBatchUnknownResult`, every field kept. Unknown fields are kept everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field, field_validator
from typing_extensions import TypedDict

from ._base import BaseModel
from .message import Message
from .request_params import MessageCreateParamsNonStreaming
from .stream_events import ErrorObject

__all__ = [
    "DeletedMessageBatch",
    "ErrorResponse",
    "MessageBatch",
    "MessageBatchCanceledResult",
    "MessageBatchErroredResult",
    "MessageBatchExpiredResult",
    "MessageBatchIndividualResponse",
    "MessageBatchRequestCounts",
    "MessageBatchRequestParam",
    "MessageBatchResult",
    "MessageBatchSucceededResult",
    "MessageBatchUnknownResult",
    "ProcessingStatus",
]

ProcessingStatus: TypeAlias = Literal["in_progress", "canceling", "ended"]
"""Where a batch is: processing, being canceled, or ended (its results are ready)."""


class MessageBatchRequestCounts(BaseModel):
    """The batch's requests by status; all but `processing` stay 0 until the batch ends."""

    processing: int = 0
    succeeded: int = 0
    errored: int = 0
    canceled: int = 0
    expired: int = 0


class MessageBatch(BaseModel):
    """A Message Batch (``POST /v1/messages/batches`` and the other batch endpoints)."""

    id: str
    """The batch id, ``msgbatch_...``."""
    type: Literal["message_batch"] = "message_batch"
    processing_status: ProcessingStatus | str
    """``in_progress``, ``canceling`` or ``ended`` (another value is kept as a string)."""
    request_counts: MessageBatchRequestCounts
    created_at: datetime
    expires_at: datetime
    """24 hours after creation: requests not processed by then expire."""
    ended_at: datetime | None = None
    """When processing ended (every request succeeded, errored, was canceled or expired)."""
    cancel_initiated_at: datetime | None = None
    archived_at: datetime | None = None
    """When the batch was archived and its results became unavailable."""
    results_url: str | None = None
    """Where the results file (JSONL) is, once processing ended; `batches.results()` reads it."""


class DeletedMessageBatch(BaseModel):
    """The answer to deleting a batch."""

    id: str
    type: Literal["message_batch_deleted"] = "message_batch_deleted"


class ErrorResponse(BaseModel):
    """An API error body: ``{"type": "error", "error": {...}, "request_id": ...}``."""

    type: Literal["error"] = "error"
    error: ErrorObject
    request_id: str | None = None


class MessageBatchSucceededResult(BaseModel):
    """The request succeeded: its `Message`."""

    type: Literal["succeeded"]
    message: Message


class MessageBatchErroredResult(BaseModel):
    """The request failed: the error the Messages API would have answered."""

    type: Literal["errored"]
    error: ErrorResponse


class MessageBatchCanceledResult(BaseModel):
    """The batch was canceled before this request was processed (not billed)."""

    type: Literal["canceled"]


class MessageBatchExpiredResult(BaseModel):
    """The batch reached its 24-hour expiry before this request was processed (not billed)."""

    type: Literal["expired"]


_KNOWN_RESULT_TYPES = frozenset({"succeeded", "errored", "canceled", "expired"})


class MessageBatchUnknownResult(BaseModel):
    """A result of a type this version of agentkit does not know; every field is kept."""

    type: str

    @field_validator("type")
    @classmethod
    def _not_a_known_type(cls, value: str) -> str:
        # a known result that failed its own model must fail, not pass as unknown
        if value in _KNOWN_RESULT_TYPES:
            raise ValueError(f"a {value!r} result that does not match its model")
        return value


# Tried in order, each model validating straight from the JSON (a callable discriminator would
# first turn each line's whole result into Python objects): results decode ~25% faster.
MessageBatchResult: TypeAlias = Annotated[
    MessageBatchSucceededResult
    | MessageBatchErroredResult
    | MessageBatchCanceledResult
    | MessageBatchExpiredResult
    | MessageBatchUnknownResult,
    Field(union_mode="left_to_right"),
]
"""One request's outcome, chosen by its ``type``."""


class MessageBatchIndividualResponse(BaseModel):
    """One line of a batch's results file. Lines come in any order: match on `custom_id`."""

    custom_id: str
    result: MessageBatchResult


class MessageBatchRequestParam(TypedDict):
    """One request of a batch: your id for it, and its `messages.create` parameters."""

    custom_id: str
    """``^[a-zA-Z0-9_-]{1,64}$``, unique within the batch."""
    params: MessageCreateParamsNonStreaming | dict[str, Any]
