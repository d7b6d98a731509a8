"""The Message Batches and Models endpoints, sans I/O: requests, local checks, pages, waiting.

- `prepare_batch_create` checks a batch before anything is sent (`UsageError`): each
  `custom_id` matches ``^[a-zA-Z0-9_-]{1,64}$`` and is unique, each request's `params` are
  `messages.create` parameters (not streaming), at most 100,000 requests and 256 MB. Its request
  is marked `retry_unsent_only`: the retry protocol re-sends it only when it certainly never
  left, or on a 429 / 529 answer (the API takes no idempotency key).
- `prepare_call` builds the other calls (retrieve, list, cancel, delete, results, models).
- `next_page_query` is the cursor rule of list pages; `wait_flow` the polling protocol of
  `batches.wait`, a generator of `Poll` and `Sleep` effects.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .._exceptions import BatchWaitTimeout, UsageError
from .._types import NOT_GIVEN, Headers, NotGiven, Query, TimeoutTypes
from ..types.request_params import MessageCreateParamsStreaming, RequestOptions
from .effects import Sleep
from .endpoints import ClientConfig, check_names
from .request import PreparedRequest, build_body, encode_json, validate_create

__all__ = [
    "CUSTOM_ID_PATTERN",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_REQUESTS",
    "CallOptions",
    "Poll",
    "next_page_query",
    "prepare_batch_create",
    "prepare_call",
    "resource_path",
    "wait_flow",
]

MAX_BATCH_REQUESTS = 100_000
"""The most requests one batch may hold."""

MAX_BATCH_BYTES = 256 * 1024 * 1024
"""The largest batch body (256 MB)."""

CUSTOM_ID_PATTERN = "[a-zA-Z0-9_-]{1,64}"
"""What a `custom_id` must match, whole."""

_CUSTOM_ID = re.compile(CUSTOM_ID_PATTERN)
_OPTION_KEYS = frozenset(RequestOptions.__required_keys__ | RequestOptions.__optional_keys__)
_BATCH_PARAM_KEYS = (
    frozenset(
        MessageCreateParamsStreaming.__required_keys__
        | MessageCreateParamsStreaming.__optional_keys__
    )
    - _OPTION_KEYS
    - {"stream", "user_profile_id", "workspace_id"}
)


@dataclass(frozen=True)
class CallOptions:
    """The per-call options every method takes."""

    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Mapping[str, object] | None = None
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN


def resource_path(prefix: str, resource_id: str, suffix: str = "") -> str:
    """`prefix/<id>suffix`, the id checked and escaped (an empty id is a `UsageError`)."""
    if not isinstance(resource_id, str) or not resource_id:
        raise UsageError(f"expected a non-empty id string for {prefix}/..., got {resource_id!r}.")
    return f"{prefix}/{quote(resource_id, safe='')}{suffix}"


def prepare_call(
    client: ClientConfig,
    method: str,
    path: str,
    options: CallOptions,
    *,
    query: Mapping[str, object] | None = None,
    accept: str | None = None,
) -> PreparedRequest:
    """A request without a body (GET, DELETE, or POST .../cancel)."""
    headers: dict[str, Any] = dict(options.extra_headers or {})
    if accept is not None:
        headers.setdefault("accept", accept)
    params = {k: v for k, v in (query or {}).items() if v is not None and v is not NOT_GIVEN}
    body = build_body({}, options.extra_body) if options.extra_body else None
    return client.prepare(
        method,
        path,
        body,
        extra_headers=headers,
        extra_query={**params, **(options.extra_query or {})},
    )


def list_query(
    *, limit: int | NotGiven, after_id: str | NotGiven, before_id: str | NotGiven
) -> dict[str, object]:
    """The query of a list call, checked: `limit` 1-1000, one cursor at most."""
    if not isinstance(limit, NotGiven) and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000
    ):
        raise UsageError(f"limit must be an integer from 1 to 1000, got {limit!r}.")
    if not isinstance(after_id, NotGiven) and not isinstance(before_id, NotGiven):
        raise UsageError("give after_id or before_id, not both.")
    query = {"limit": limit, "after_id": after_id, "before_id": before_id}
    return {k: v for k, v in query.items() if not isinstance(v, NotGiven)}


def next_page_query(
    query: Mapping[str, object], page: Mapping[str, Any]
) -> dict[str, object] | None:
    """The query of the page after `page` (fetched with `query`); None on the last page.

    Paging backwards (`before_id` given) continues before the page's `first_id`; otherwise
    after its `last_id`. `has_more: false` ends it.
    """
    if page.get("has_more") is False or not page.get("data"):
        return None
    rest = {k: v for k, v in query.items() if k not in ("after_id", "before_id")}
    if query.get("before_id"):
        first = page.get("first_id")
        return {**rest, "before_id": first} if first else None
    last = page.get("last_id")
    return {**rest, "after_id": last} if last else None


def _batch_requests(requests: Iterable[Any], api_version: str) -> list[dict[str, Any]]:
    if isinstance(requests, (str, bytes, Mapping)) or not isinstance(requests, Iterable):
        raise UsageError(
            "requests must be a list of {'custom_id': ..., 'params': {...}} dicts, got "
            f"{type(requests).__name__}."
        )
    checked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(requests):
        if len(checked) >= MAX_BATCH_REQUESTS:
            raise UsageError(
                f"a batch holds at most {MAX_BATCH_REQUESTS:,} requests; split these into "
                "several batches."
            )
        if not isinstance(item, Mapping) or set(item) != {"custom_id", "params"}:
            keys = sorted(item) if isinstance(item, Mapping) else type(item).__name__
            raise UsageError(
                f"requests[{i}] must be a dict with exactly 'custom_id' and 'params', got {keys}."
            )
        custom_id = item["custom_id"]
        if not isinstance(custom_id, str) or not _CUSTOM_ID.fullmatch(custom_id):
            raise UsageError(
                f"requests[{i}].custom_id {custom_id!r} must be 1-64 characters of letters, "
                "digits, '_' and '-' (^[a-zA-Z0-9_-]{1,64}$)."
            )
        if custom_id in seen:
            raise UsageError(
                f"requests[{i}].custom_id {custom_id!r} is used twice; custom_id values must be "
                "unique within a batch (results are matched to requests by them)."
            )
        seen.add(custom_id)
        params = item["params"]
        if not isinstance(params, Mapping):
            raise UsageError(f"requests[{i}].params must be a dict of messages.create parameters.")
        where = f"messages.batches.create requests[{i}].params"
        if params.get("stream") not in (None, False, NOT_GIVEN):
            raise UsageError(f"{where}: a batch request cannot stream; remove stream=.")
        check_names(where, {k: v for k, v in params.items() if k != "stream"}, _BATCH_PARAM_KEYS)
        body = build_body({k: v for k, v in params.items() if k != "stream"}, None)
        validate_create(body, api_version=api_version, stream=False, timeout_given=True)
        checked.append({"custom_id": custom_id, "params": body})
    if not checked:
        raise UsageError("a batch needs at least one request.")
    return checked


def prepare_batch_create(
    client: ClientConfig, requests: Iterable[Any], options: CallOptions
) -> PreparedRequest:
    """Check a batch locally and build its `POST /v1/messages/batches` (not idempotent)."""
    body = build_body(
        {"requests": _batch_requests(requests, client.api_version)}, options.extra_body
    )
    encoded = encode_json(body)
    if len(encoded) > MAX_BATCH_BYTES:
        raise UsageError(
            f"the batch is {len(encoded):,} bytes; a batch may be at most {MAX_BATCH_BYTES:,} "
            "bytes (256 MB): split it into several batches."
        )
    prepared = client.prepare(
        "POST",
        "/v1/messages/batches",
        body,
        extra_headers=options.extra_headers,
        extra_query=options.extra_query,
    )
    prepared.encoded = encoded
    prepared.retry_unsent_only = True
    return prepared


@dataclass(frozen=True, slots=True)
class Poll:
    """Retrieve the batch once more; the driver sends back the `MessageBatch`."""


def wait_flow(
    batch_id: str,
    *,
    poll_interval: float,
    max_poll_interval: float,
    timeout: float | None,
) -> Generator[Poll | Sleep, Any, Any]:
    """Poll until the batch has ended, waiting longer each time; returns the ended batch.

    The pause starts at `poll_interval` seconds and grows by half each poll, up to
    `max_poll_interval`. `timeout` counts the seconds spent waiting between polls (a fake
    clock in tests, real time otherwise); past it, `BatchWaitTimeout` with the last batch.
    """
    if poll_interval <= 0 or max_poll_interval <= 0:
        raise UsageError("poll_interval and max_poll_interval must be positive numbers of seconds.")
    if timeout is not None and timeout < 0:
        raise UsageError(f"timeout must be >= 0 seconds (or None), got {timeout!r}.")
    waited = 0.0
    interval = min(poll_interval, max_poll_interval)
    while True:
        batch = yield Poll()
        if batch.processing_status == "ended":
            return batch
        if timeout is not None and waited >= timeout:
            raise BatchWaitTimeout(
                f"batch {batch_id} had not ended after {timeout:g} s of waiting "
                f"(processing_status={batch.processing_status!r}); wait again, or cancel it.",
                batch=batch,
            )
        delay = interval if timeout is None else min(interval, timeout - waited)
        yield Sleep(delay, "poll")
        waited += delay
        interval = min(interval * 1.5, max_poll_interval)
