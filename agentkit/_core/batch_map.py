"""Batch-mode maps, sans I/O: every turn of every unfinished run goes out as one Message Batch.

`batch_map_flow` is the scheduler, written once as a generator of effects (the sync and async
drivers in `agentkit.agent._batch_map` only perform them):

1. `StepRuns`: start the runs (or hand each its model response, or the failure of its
   request); the driver advances each run's own flow, concurrently, running its tools, until
   the run asks for its next model call (`NextCall`) or ends (`Ended`);
2. `Persist` a `round` record: each waiting run's request (`custom_id`, attempt, and, unless the
   runs are journaled, the history to rebuild it from);
3. `SubmitBatch` once per batch (split at `MAX_BATCH_REQUESTS` / `MAX_BATCH_BYTES`), each
   followed by a `Persist`ed `batch` record with the id the API gave it;
4. `PollBatch` every batch of the round (with `Sleep`s that grow by half up to a cap) until all
   have ended, reporting their state (`Report`);
5. `ReadResults` of each batch, matched to the runs by `custom_id` (never by position): a
   `succeeded` message goes to its run; an `errored` result whose error the client's retry
   policy retries (overloaded, server errors, rate limits), or an `expired` one, is sent again
   in the next round while the run has retries left (`max_retries`); otherwise (and for
   `canceled`) the run gets a `RequestFailure`, which ends it with a typed error;
6. `RunEnded` for each run that finished; then the next round, until no run waits.

Restart safety: the records (state lines of the results file; see `agentkit._core.mapping`)
say which batches are in flight. `ResumePoint.from_records` rebuilds the last round, and the
flow, given it, polls THE SAME batches again, submitting only requests that never went out.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

from .._exceptions import ERROR_TYPE_STATUS
from .effects import Sleep
from .journal import request_digest
from .retry import RETRYABLE_STATUSES

__all__ = [
    "BATCH_DISCOUNT",
    "BatchMapEffect",
    "BatchReport",
    "Ended",
    "NextCall",
    "Persist",
    "PollBatch",
    "ReadResults",
    "Report",
    "RequestFailure",
    "ResumePoint",
    "RunEnded",
    "RunStep",
    "StepRuns",
    "SubmitBatch",
    "batch_map_flow",
    "retryable",
    "split_requests",
]

BATCH_DISCOUNT = 0.5
"""Batch requests cost half the standard price, input and output (PROTOCOL §8.2)."""

_BODY_OVERHEAD = len('{"requests":[]}')


# -- effects ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunStep:
    """What one run gets: nothing (start it), its model response, or its request's failure."""

    key: str
    message: Any = None
    failure: RequestFailure | None = None


@dataclass(frozen=True, slots=True)
class StepRuns:
    """Advance these runs concurrently; the driver sends back `{key: NextCall | Ended}`."""

    steps: Sequence[RunStep]


@dataclass(frozen=True, slots=True)
class NextCall:
    """A run waits for a model response to these `messages.create` parameters.

    Attributes:
        params: The request (without `stream`).
        usage: The run's usage so far (`RunUsage.to_dict()`), kept with its state.
    """

    params: dict[str, Any]
    usage: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ended:
    """A run ended: its outcome (a result, or the error that ended it)."""

    outcome: Any


@dataclass(frozen=True, slots=True)
class SubmitBatch:
    """Create one batch of these requests; the driver sends back the batch's id."""

    requests: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PollBatch:
    """Retrieve the batch; the driver sends back the `MessageBatch`."""

    batch_id: str


@dataclass(frozen=True, slots=True)
class ReadResults:
    """Read the ended batch's results; the driver sends back `{custom_id: result}`."""

    batch_id: str


@dataclass(frozen=True, slots=True)
class Persist:
    """Write this state record (a JSON object) durably before going on."""

    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunEnded:
    """Record and hand out a finished run."""

    key: str
    outcome: Any


@dataclass(frozen=True)
class BatchReport:
    """Where the batches of a round stand, for progress displays.

    Attributes:
        round: The round (1 for the runs' first turns).
        batches: Batches in the round.
        processing: Requests still processing.
        succeeded: Requests that succeeded (counted by the API once a batch ends).
        errored: Requests that errored, expired or were canceled.
        waiting: Runs waiting on the round's batches.
        retried: Requests sent again so far in the map (after `errored` or `expired`).
    """

    round: int
    batches: int
    processing: int
    succeeded: int
    errored: int
    waiting: int
    retried: int = 0

    def describe(self) -> str:
        """The report as a short line of text."""
        plural = "es" if self.batches != 1 else ""
        return (
            f"batch round {self.round} ({self.batches} batch{plural}): {self.processing} "
            f"processing, {self.succeeded} succeeded, {self.errored} errored; "
            f"{self.waiting} runs waiting"
        )


@dataclass(frozen=True, slots=True)
class Report:
    """Show this report (progress); the driver sends back None."""

    report: BatchReport


BatchMapEffect: TypeAlias = (
    StepRuns | SubmitBatch | PollBatch | ReadResults | Persist | RunEnded | Report | Sleep
)
"""The effects of `batch_map_flow`."""


@dataclass(frozen=True)
class RequestFailure:
    """A run's request that did not succeed in its batch (after any retries).

    Attributes:
        result_type: `errored`, `expired`, `canceled`, or `missing` (no result for it).
        error: For `errored`: the API's error object (`{"type": ..., "message": ...}`).
        batch_id: The batch of its last attempt.
        custom_id: Its `custom_id` in that batch.
        attempts: How many batches it went out in.
    """

    result_type: str
    error: Mapping[str, Any] | None
    batch_id: str
    custom_id: str
    attempts: int


def retryable(result_type: str, error: Mapping[str, Any] | None) -> bool:
    """Whether a failed batch request may be sent again, by the client's retry rules.

    `expired` (not billed) may; `errored` when its error's status is one the client retries
    (408, 409, 429, >= 500: overloaded, server errors); `canceled` never (it was asked for).
    """
    if result_type == "expired":
        return True
    if result_type != "errored":
        return False
    kind = (error or {}).get("type")
    status = ERROR_TYPE_STATUS.get(kind if isinstance(kind, str) else "", 500)
    return status in RETRYABLE_STATUSES or status >= 500


def split_requests(
    requests: Sequence[dict[str, Any]],
    *,
    max_requests: int | None = None,
    max_bytes: int | None = None,
) -> list[list[dict[str, Any]]]:
    """The requests in batches of at most `max_requests` requests and `max_bytes` bytes.

    The defaults are the API's limits, `MAX_BATCH_REQUESTS` and `MAX_BATCH_BYTES`.
    """
    from .batches import MAX_BATCH_BYTES, MAX_BATCH_REQUESTS  # with the first batch map

    max_requests = MAX_BATCH_REQUESTS if max_requests is None else max_requests
    max_bytes = MAX_BATCH_BYTES if max_bytes is None else max_bytes
    groups: list[list[dict[str, Any]]] = []
    group: list[dict[str, Any]] = []
    size = _BODY_OVERHEAD
    for request in requests:
        length = len(json.dumps(request, separators=(",", ":"), ensure_ascii=False).encode()) + 1
        if group and (len(group) >= max_requests or size + length > max_bytes):
            groups.append(group)
            group, size = [], _BODY_OVERHEAD
        group.append(request)
        size += length
    if group:
        groups.append(group)
    return groups


# -- the state that survives a restart ----------------------------------------------------------


@dataclass
class _Waiting:
    """A run waiting for a model response."""

    params: dict[str, Any]
    usage: dict[str, int]
    attempt: int = 0  # batches this request went out in before this round
    custom_id: str = ""


@dataclass
class ResumePoint:
    """The last round of a map that stopped, rebuilt from its state records.

    Attributes:
        round: The round's number.
        runs: Run key -> its record in the round (`custom_id`, `attempt`, `usage`, and
            `messages` when recorded).
        batches: The batches created in the round: id -> the `custom_id`s it holds.
    """

    round: int
    runs: dict[str, dict[str, Any]]
    batches: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], ended: Iterable[str] = ()
    ) -> ResumePoint | None:
        """The last unfinished round of these records (None when there is none).

        `ended` are keys of runs recorded as finished after the round's record: they are left
        out.
        """
        point: ResumePoint | None = None
        for record in records:
            kind = record.get("batch_map")
            if kind == "round":
                point = cls(int(record["round"]), dict(record["runs"]), dict(record["batches"]))
            elif kind == "batch" and point is not None and record.get("round") == point.round:
                point.batches[str(record["id"])] = list(record["custom_ids"])
            elif kind == "end":
                point = None
        if point is not None:
            for key in ended:
                point.runs.pop(key, None)
        return point


def round_record(
    number: int,
    waiting: Mapping[str, _Waiting],
    batches: Mapping[str, list[str]],
    *,
    with_messages: bool,
) -> dict[str, Any]:
    """The `round` state record: each waiting run's request, and the batches already made."""
    runs: dict[str, Any] = {}
    for key, wait in waiting.items():
        entry: dict[str, Any] = {
            "custom_id": wait.custom_id,
            "attempt": wait.attempt,
            "digest": request_digest(wait.params),
            "usage": wait.usage,
        }
        if with_messages:
            entry["messages"] = wait.params.get("messages", [])
        runs[key] = entry
    return {"batch_map": "round", "round": number, "runs": runs, "batches": dict(batches)}


# -- the scheduler -----------------------------------------------------------------------------


def batch_map_flow(
    keys: Sequence[str],
    resume: ResumePoint | None = None,
    *,
    max_retries: int,
    poll_interval: float,
    max_poll_interval: float,
    with_messages: bool = True,
    max_requests: int | None = None,
    max_bytes: int | None = None,
) -> Generator[BatchMapEffect, Any, None]:
    """Run every run (`keys`; resumed ones included) to its end, one batch round per turn.

    `resume`: where a stopped map was (its runs are among `keys`; the driver starts them from
    their recorded state). `with_messages`: put each run's history in the round records (not
    needed when the runs are journaled). `max_requests` / `max_bytes`: where a round is split
    into several batches (default: the API's limits).
    """
    if poll_interval <= 0 or max_poll_interval <= 0:
        raise ValueError("poll_interval and max_poll_interval must be positive")
    if not keys:
        return
    waiting = yield from _step(StepRuns([RunStep(key) for key in keys]), {})
    number = 0
    retried = 0
    batches: dict[str, list[str]] = {}
    if resume is not None:
        number = resume.round
        batches = dict(resume.batches)
        _resume_round(number, waiting, resume, batches)
    while waiting:
        if resume is None:
            number += 1
            batches = {}
            for key, wait in waiting.items():
                wait.custom_id = f"r{number}-{key_id(key)}"
            retried += sum(1 for wait in waiting.values() if wait.attempt)
        resume = None
        sent = {cid for ids in batches.values() for cid in ids}
        yield Persist(round_record(number, waiting, batches, with_messages=with_messages))
        unsent = [
            {"custom_id": w.custom_id, "params": w.params}
            for w in waiting.values()
            if w.custom_id not in sent
        ]
        for group in split_requests(unsent, max_requests=max_requests, max_bytes=max_bytes):
            batch_id = str((yield SubmitBatch(group)))
            batches[batch_id] = [request["custom_id"] for request in group]
            record = {"batch_map": "batch", "round": number, "id": batch_id}
            yield Persist({**record, "custom_ids": batches[batch_id]})
        report = BatchReport(number, len(batches), 0, 0, 0, len(waiting), retried)
        results = yield from _collect(report, batches, poll_interval, max_poll_interval)
        waiting = yield from _settle(waiting, results, batches, max_retries)
    yield Persist({"batch_map": "end"})


def _resume_round(
    number: int,
    waiting: Mapping[str, _Waiting],
    resume: ResumePoint,
    batches: Mapping[str, list[str]],
) -> None:
    """Match the restarted runs to their requests in the round's batches.

    A run whose request is not the one recorded (a journaled run that got further before the
    stop) gets a new `custom_id`, so it is not handed the old request's result.
    """
    taken = {cid for ids in batches.values() for cid in ids}
    for key, wait in waiting.items():
        saved = resume.runs.get(key)
        if saved is not None and saved.get("digest") == request_digest(wait.params):
            wait.attempt = int(saved["attempt"])
            wait.custom_id = str(saved["custom_id"])
            continue
        custom_id = f"r{number}-{key_id(key)}"
        while custom_id in taken:
            custom_id += "x"
        wait.custom_id = custom_id
        taken.add(custom_id)


def key_id(key: str) -> str:
    """A run key as part of a `custom_id` (`^[a-zA-Z0-9_-]{1,64}$`): the input's position."""
    # keys are "index:N" or "id:...": the position is unique within a map, an id may not fit
    return key.split(":", 1)[1] if key.startswith("index:") else _id_part(key)


def _id_part(key: str) -> str:
    import hashlib

    return "h" + hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def _step(
    effect: StepRuns, carried: Mapping[str, _Waiting]
) -> Generator[BatchMapEffect, Any, dict[str, _Waiting]]:
    """Advance runs; the ones now waiting for a model call (retries in `carried` included)."""
    waiting = dict(carried)
    if not effect.steps:
        return waiting
    outcomes: Mapping[str, NextCall | Ended] = yield effect
    for step in effect.steps:
        outcome = outcomes[step.key]
        if isinstance(outcome, Ended):
            yield RunEnded(step.key, outcome.outcome)
        else:
            waiting[step.key] = _Waiting(outcome.params, outcome.usage)
    return waiting


def _collect(
    report: BatchReport,
    batches: Mapping[str, list[str]],
    poll_interval: float,
    max_poll_interval: float,
) -> Generator[BatchMapEffect, Any, dict[str, tuple[str, Any]]]:
    """Poll the round's batches until all have ended; their results by `custom_id`."""
    open_ids = list(batches)
    interval = min(poll_interval, max_poll_interval)
    seen: dict[str, Any] = {}
    while open_ids:
        for batch_id in open_ids:
            seen[batch_id] = yield PollBatch(batch_id)
        yield Report(replace(report, **_counts(seen.values())))
        open_ids = [b for b in open_ids if seen[b].processing_status != "ended"]
        if open_ids:
            yield Sleep(interval, "poll")
            interval = min(interval * 1.5, max_poll_interval)
    results: dict[str, tuple[str, Any]] = {}
    for batch_id in batches:
        found: Mapping[str, Any] = yield ReadResults(batch_id)
        for custom_id, result in found.items():
            results[custom_id] = (batch_id, result)
    return results


def _counts(batches: Iterable[Any]) -> dict[str, int]:
    counts = dict.fromkeys(("processing", "succeeded", "errored"), 0)
    for batch in batches:
        request_counts = batch.request_counts
        counts["processing"] += request_counts.processing
        counts["succeeded"] += request_counts.succeeded
        counts["errored"] += (
            request_counts.errored + request_counts.expired + request_counts.canceled
        )
    return counts


def _settle(
    waiting: Mapping[str, _Waiting],
    results: Mapping[str, tuple[str, Any]],
    batches: Mapping[str, list[str]],
    max_retries: int,
) -> Generator[BatchMapEffect, Any, dict[str, _Waiting]]:
    """Hand each run its result; the runs waiting for the next round (retries included)."""
    steps: list[RunStep] = []
    retries: dict[str, _Waiting] = {}
    batch_of = {cid: bid for bid, ids in batches.items() for cid in ids}
    for key, wait in waiting.items():
        batch_id, result = results.get(wait.custom_id, (batch_of.get(wait.custom_id, ""), None))
        kind = getattr(result, "type", "missing") if result is not None else "missing"
        if kind == "succeeded":
            steps.append(RunStep(key, message=result.message))
            continue
        error = _error_of(result)
        if retryable(kind, error) and wait.attempt < max_retries:
            retries[key] = _Waiting(wait.params, wait.usage, wait.attempt + 1)
            continue
        failure = RequestFailure(kind, error, batch_id, wait.custom_id, wait.attempt + 1)
        steps.append(RunStep(key, failure=failure))
    return (yield from _step(StepRuns(steps), retries))


def _error_of(result: Any) -> dict[str, Any] | None:
    """The API error object of an `errored` result (`{"type", "message"}`)."""
    response = getattr(result, "error", None)
    inner = getattr(response, "error", None)
    if inner is None:
        return None
    dump = getattr(inner, "model_dump", None)
    data = dump(exclude_none=True) if callable(dump) else inner
    return dict(data) if isinstance(data, Mapping) else None
