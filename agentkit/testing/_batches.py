"""The Message Batches and Models endpoints of the offline models (`MockModel.batches`).

A batch is answered by the model it was sent to, request by request, when it is created; it
stays `in_progress` for `processing_time` seconds of `clock` (an injectable clock, so tests
control time), then ends. Its results file is served as JSONL, in a shuffled order (seeded by
the batch id, so runs repeat). `outcomes` injects `errored` / `expired` / `canceled` results by
`custom_id`. Bad input gets the API's 4xx answers: an unknown batch id (404), deleting a batch
still processing or reading the results of one (400), a bad or repeated `custom_id` (400).
"""

from __future__ import annotations

import datetime
import json
import random
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias
from urllib.parse import parse_qs, unquote

from ._protocol import RequestProblem, check_headers
from ._replies import ErrorReply

__all__ = ["Answer", "BatchOutcome", "OfflineBatches"]

BatchOutcome: TypeAlias = "Literal['succeeded', 'errored', 'expired', 'canceled'] | ErrorReply"
"""An injected result: a result type, or an `ErrorReply` for an `errored` result with that
error."""

OutcomePlan: TypeAlias = (
    "Mapping[str, BatchOutcome] | Callable[[str, Mapping[str, Any]], BatchOutcome | None]"
)

_CUSTOM_ID = re.compile("[a-zA-Z0-9_-]{1,64}")
_DAY = 24 * 3600.0
_EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

DEFAULT_MODELS: tuple[dict[str, Any], ...] = tuple(
    {
        "type": "model",
        "id": model_id,
        "display_name": name,
        "created_at": created,
        "lifecycle": "active",
        "line": line,
        "max_input_tokens": 200_000,
        "max_tokens": 64_000,
        "capabilities": {"batch": {"supported": True}},
    }
    for model_id, name, created, line in (
        ("claude-sonnet-4-5", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z", "sonnet"),
        ("claude-haiku-4-5", "Claude Haiku 4.5", "2025-10-15T00:00:00Z", "haiku"),
        ("claude-opus-4-1", "Claude Opus 4.1", "2025-08-05T00:00:00Z", "opus"),
    )
)
"""The models an offline model lists by default (newest first is the API's order)."""


@dataclass(frozen=True)
class Answer:
    """An answer of the batch endpoints: status, and a JSON body or raw bytes."""

    status: int
    body: Mapping[str, Any] | bytes
    content_type: str = "application/json"


@dataclass
class _Batch:
    id: str
    created: float
    ends: float
    results: list[tuple[str, dict[str, Any]]]
    base_url: str
    cancel_at: float | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _iso(seconds: float) -> str:
    moment = _EPOCH + datetime.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _invalid(message: str, status: int = 400) -> RequestProblem:
    kind = "not_found_error" if status == 404 else "invalid_request_error"
    return RequestProblem(status, kind, message)


class OfflineBatches:
    """The batches (and models) an offline model serves.

    Args:
        processing_time: Seconds of `clock` a batch stays `in_progress` (0: ended at once).
        clock: The time in seconds (`time.monotonic` by default); give a fake one in tests.
        outcomes: Results to inject, by `custom_id` (`"errored"`, `"expired"`, `"canceled"`,
            `"succeeded"` or an `ErrorReply`); or a function `(custom_id, params) -> outcome`
            (None: the model answers).
        shuffle: Serve results in a shuffled order (as the API may); False keeps request order.
        models: What `GET /v1/models` lists (dicts in the API's `ModelInfo` shape).
    """

    def __init__(
        self,
        *,
        processing_time: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        outcomes: OutcomePlan | None = None,
        shuffle: bool = True,
        models: Sequence[Mapping[str, Any]] = DEFAULT_MODELS,
    ) -> None:
        self.processing_time = processing_time
        self.clock = clock
        self.outcomes = outcomes
        self.shuffle = shuffle
        self.models = [dict(m) for m in models]
        self._batches: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        self._origin = clock()

    @property
    def created(self) -> list[str]:
        """The ids of the batches created (and not deleted), oldest first."""
        with self._lock:
            return list(self._batches)

    def outcome(self, custom_id: str, params: Mapping[str, Any]) -> BatchOutcome | None:
        """The injected outcome for one request, if any."""
        if self.outcomes is None:
            return None
        if callable(self.outcomes):
            return self.outcomes(custom_id, params)
        return self.outcomes.get(custom_id)

    # -- routing -----------------------------------------------------------------------------

    def answer(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: object,
        run: Callable[[str, dict[str, Any]], dict[str, Any]],
        new_id: Callable[[], str],
    ) -> Answer | RequestProblem:
        """Answer one request to `/v1/messages/batches...` or `/v1/models...`.

        `run(custom_id, params)` answers one batch request (a result object); `new_id()`
        names a new batch.
        """
        problem = check_headers(headers)
        if problem is not None:
            return problem
        parts = [unquote(p) for p in path.strip("/").split("/")]
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        if parts[:2] == ["v1", "models"]:
            return self._models(method, parts[2:], params)
        rest = parts[3:]
        if method == "POST" and not rest:
            return self._create(body, headers, run, new_id)
        if method == "GET" and not rest:
            return self._list(params)
        if not rest:
            return _invalid(f"Not found: {method} {path}", 404)
        batch = self._find(rest[0])
        if batch is None:
            return _invalid(f"Not found: message batch {rest[0]!r} does not exist.", 404)
        action = (method, tuple(rest[1:]))
        if action == ("GET", ()):
            return Answer(200, self._view(batch))
        if action == ("POST", ("cancel",)):
            return Answer(200, self._cancel(batch))
        if action == ("DELETE", ()):
            return self._delete(batch)
        if action == ("GET", ("results",)):
            return self._results(batch)
        return _invalid(f"Not found: {method} {path}", 404)

    # -- batches -----------------------------------------------------------------------------

    def _now(self) -> float:
        return self.clock() - self._origin

    def _find(self, batch_id: str) -> _Batch | None:
        with self._lock:
            return self._batches.get(batch_id)

    def _create(
        self,
        body: object,
        headers: Mapping[str, str],
        run: Callable[[str, dict[str, Any]], dict[str, Any]],
        new_id: Callable[[], str],
    ) -> Answer | RequestProblem:
        requests = body.get("requests") if isinstance(body, dict) else None
        problem = _check_requests(requests)
        if problem is not None:
            return problem
        assert isinstance(requests, list)
        results = [(item["custom_id"], self._result(item, run)) for item in requests]
        now = self._now()
        host = headers.get("host", "api.anthropic.com")
        local = host.startswith(("127.", "localhost", "[::1]"))
        batch = _Batch(
            new_id(),
            created=now,
            ends=now + self.processing_time,
            results=results,
            base_url=f"{'http' if local else 'https'}://{host}",
        )
        if self.shuffle:
            random.Random(batch.id).shuffle(batch.results)
        with self._lock:
            self._batches[batch.id] = batch
        return Answer(200, self._view(batch))

    def _result(
        self, item: Mapping[str, Any], run: Callable[[str, dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]:
        custom_id, params = item["custom_id"], item.get("params")
        params = params if isinstance(params, dict) else {}
        outcome = self.outcome(custom_id, params)
        if isinstance(outcome, ErrorReply):
            return errored_result(outcome.type or "api_error", outcome.message)
        if outcome in ("expired", "canceled"):
            return {"type": outcome}
        if outcome == "errored":
            return errored_result("api_error", "Injected failure")
        return run(custom_id, params)

    def _status(self, batch: _Batch) -> str:
        now = self._now()
        if batch.cancel_at is not None and now <= batch.cancel_at and now < batch.ends:
            return "canceling"
        if now >= batch.ends or batch.cancel_at is not None:
            return "ended"
        return "in_progress"

    def _final(self, batch: _Batch) -> list[tuple[str, dict[str, Any]]]:
        """The results once ended: requests not processed before a cancel are `canceled`."""
        if batch.cancel_at is None or batch.cancel_at >= batch.ends:
            return batch.results
        return [
            (cid, result if result["type"] != "succeeded" else {"type": "canceled"})
            for cid, result in batch.results
        ]

    def _view(self, batch: _Batch) -> dict[str, Any]:
        status = self._status(batch)
        ended = status == "ended"
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if ended:
            for _, result in self._final(batch):
                kind = result.get("type", "errored")
                counts[kind if kind in counts else "errored"] += 1
        else:
            counts["processing"] = len(batch.results)
        end_time = min(batch.ends, batch.cancel_at if batch.cancel_at is not None else batch.ends)
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": _iso(batch.created),
            "expires_at": _iso(batch.created + _DAY),
            "ended_at": _iso(end_time) if ended else None,
            "cancel_initiated_at": None if batch.cancel_at is None else _iso(batch.cancel_at),
            "archived_at": None,
            "results_url": (
                f"{batch.base_url}/v1/messages/batches/{batch.id}/results" if ended else None
            ),
        }

    def _cancel(self, batch: _Batch) -> dict[str, Any]:
        if self._status(batch) == "in_progress":
            batch.cancel_at = self._now()
        return self._view(batch)

    def _delete(self, batch: _Batch) -> Answer | RequestProblem:
        if self._status(batch) != "ended":
            return _invalid(
                f"Message Batch {batch.id} is still processing and cannot be deleted; cancel "
                "it first, and delete it once it has ended."
            )
        with self._lock:
            self._batches.pop(batch.id, None)
        return Answer(200, {"id": batch.id, "type": "message_batch_deleted"})

    def _results(self, batch: _Batch) -> Answer | RequestProblem:
        if self._status(batch) != "ended":
            return _invalid(
                f"Message Batch {batch.id} has not ended yet; its results are available once "
                "processing has ended."
            )
        lines = [
            json.dumps({"custom_id": cid, "result": result}, separators=(",", ":"))
            for cid, result in self._final(batch)
        ]
        body = ("\n".join(lines) + "\n").encode()
        return Answer(200, body, "application/x-jsonl")

    def _list(self, params: Mapping[str, str]) -> Answer | RequestProblem:
        with self._lock:
            items = [self._view(b) for b in reversed(self._batches.values())]
        return _page(items, params)

    # -- models ------------------------------------------------------------------------------

    def _models(
        self, method: str, rest: list[str], params: Mapping[str, str]
    ) -> Answer | RequestProblem:
        if method != "GET" or len(rest) > 1:
            return _invalid(f"Not found: {method} /v1/models/{'/'.join(rest)}", 404)
        if not rest:
            return _page(self.models, params)
        for model in self.models:
            if model.get("id") == rest[0]:
                return Answer(200, model)
        return _invalid(f"model: {rest[0]}", 404)


def errored_result(error_type: str, message: str) -> dict[str, Any]:
    """An `errored` result with this error."""
    return {
        "type": "errored",
        "error": {
            "type": "error",
            "error": {"type": error_type, "message": message},
            "request_id": None,
        },
    }


def _check_requests(requests: object) -> RequestProblem | None:
    if not isinstance(requests, list):
        return _invalid("requests: Field required")
    if not requests:
        return _invalid("requests: List should have at least 1 item after validation, not 0")
    seen: set[str] = set()
    for i, item in enumerate(requests):
        if not isinstance(item, dict) or "params" not in item:
            return _invalid(f"requests.{i}.params: Field required")
        custom_id = item.get("custom_id")
        if not isinstance(custom_id, str) or not _CUSTOM_ID.fullmatch(custom_id):
            return _invalid(
                f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
            )
        if custom_id in seen:
            return _invalid(
                f"requests.{i}.custom_id: Duplicate custom_id {custom_id!r}; each request in a "
                "batch must have a unique custom_id."
            )
        seen.add(custom_id)
    return None


def _page(items: Sequence[Mapping[str, Any]], params: Mapping[str, str]) -> Answer | RequestProblem:
    """One page of a list, by the API's cursor rules (`limit`, `after_id`, `before_id`)."""
    try:
        limit = int(params.get("limit", "20"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 1000:
        return _invalid("limit: Input should be greater than or equal to 1 and at most 1000")
    ids = [str(item["id"]) for item in items]
    start, stop = 0, len(items)
    if "after_id" in params:
        start = ids.index(params["after_id"]) + 1 if params["after_id"] in ids else len(ids)
    if "before_id" in params:
        stop = ids.index(params["before_id"]) if params["before_id"] in ids else 0
        start = max(start, stop - limit)
    chosen = list(items[start:stop][:limit])
    more = start + len(chosen) < stop if "before_id" not in params else start > 0
    return Answer(
        200,
        {
            "data": chosen,
            "has_more": more,
            "first_id": chosen[0]["id"] if chosen else None,
            "last_id": chosen[-1]["id"] if chosen else None,
        },
    )
