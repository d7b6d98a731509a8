"""The request protocol, written once: send, and on a retryable failure wait and send again.

`request_flow` yields `Send` and `Sleep` effects (see `effects`); the senders in `_send.py`
perform them (for the stream helper's re-sends too). A failure to get any response reaches the
flow as the `APIConnectionError` the driver translated it into (thrown into the generator); an
error response reaches it as the response itself, with its body read.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

from .._exceptions import APIConnectionError, APIStatusError, UncertainDeliveryError
from .effects import RequestEffect, Send, Sleep
from .request import PreparedRequest
from .response import make_status_error
from .retry import RetryDecision, RetryPolicy

__all__ = ["request_flow", "status_failure", "uncertain_delivery"]

log = logging.getLogger("agentkit.client")


def request_flow(
    prepared: PreparedRequest, policy: RetryPolicy, *, retries_taken: int = 0
) -> Generator[RequestEffect, Any, tuple[Any, int]]:
    """Send `prepared` until it succeeds or may not be retried.

    Returns the successful response and the retries taken (counting `retries_taken`, those
    spent before, e.g. by a stream being re-sent); raises the typed error otherwise.
    """
    send = Send(prepared, prepared.content())
    retries = retries_taken
    while True:
        try:
            response = yield send
        except APIConnectionError as exc:
            if prepared.retry_unsent_only and exc.request_sent is not False:
                raise uncertain_delivery(prepared, exc) from exc
            decision = policy.for_connection_error(retries)
            if not decision.retry:
                raise
        else:
            if 200 <= response.status_code < 300:
                return response, retries
            decision, error = status_failure(policy, prepared, response, retries)
            if not decision.retry:
                raise error
        log.warning(
            "retrying %s %s in %.2f s (%s; retry %d)",
            prepared.method,
            prepared.path,
            decision.delay,
            decision.reason,
            retries + 1,
        )
        yield Sleep(decision.delay)
        retries += 1


def uncertain_delivery(
    prepared: PreparedRequest, failure: APIConnectionError
) -> UncertainDeliveryError:
    """The error for a non-idempotent request that got no response after it may have left."""
    error = UncertainDeliveryError(
        f"{prepared.method} {prepared.path} got no response ({failure.message}), and the request "
        "may have reached the server: it is not sent again, as a second attempt could act twice "
        "(a second batch). Look first (client.messages.batches.list()), then create it again "
        "if it is not there.",
        request=failure.request,
    )
    error.request_sent = None
    return error


def status_failure(
    policy: RetryPolicy, prepared: PreparedRequest, response: Any, retries_taken: int
) -> tuple[RetryDecision, APIStatusError]:
    """For a read error response: the typed error, and whether to retry it.

    `response` is anything with `status_code`, `headers` and `content` (an `httpx.Response`).
    """
    error = make_status_error(
        response.status_code, response.headers, response.content, response=response
    )
    decision = policy.for_status(
        retries_taken,
        response.status_code,
        response.headers,
        error_code=error.error_code,
        unsent_only=prepared.retry_unsent_only,
    )
    if not decision.retry and decision.retry_after is not None:
        error.retry_after = decision.retry_after
    log.debug(
        "response: %s %s -> %s (request_id=%s)",
        prepared.method,
        prepared.path,
        response.status_code,
        error.request_id,
    )
    return decision, error
