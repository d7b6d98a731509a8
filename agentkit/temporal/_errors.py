"""The errors of `agentkit.temporal` (under `AgentkitError`)."""

from __future__ import annotations

from typing import Any

from .._exceptions import AgentkitError

__all__ = ["PayloadTooLargeError", "RunFailedError"]


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
