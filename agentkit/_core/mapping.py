"""The pure parts of running one agent over many inputs (`agent.map`): no I/O, no clocks.

- the results file: one JSON line per finished input (`result_line`), and reading an existing
  file back (`read_results`: which inputs are done, where a line cut short by a crash starts,
  or why the file is not a results file at all). A batch-mode map also writes state lines
  (`state_line`: `{"batch_map": ...}`, see `agentkit._core.batch_map`); a reader of results
  tells them apart by their first key and skips them;
- the summary (`MapSummary`): counts by outcome, usage summed, 429s and time waited;
- the order buffer (`OrderBuffer`): results that finished early, held until their turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .loop import RunUsage

__all__ = [
    "MapSummary",
    "OrderBuffer",
    "RecordedResults",
    "ResultsFileError",
    "item_key",
    "read_results",
    "result_line",
    "state_line",
]

_T = TypeVar("_T")

_RECORD_KEYS = frozenset({"id", "index", "error"})
"""The keys every line of a results file has."""

_STATE_KEY = "batch_map"
"""The first (and distinguishing) key of a state line."""


class ResultsFileError(ValueError):
    """An existing file that is not a results file of `agent.map` (it is never overwritten)."""


def item_key(index: int, item_id: str | None) -> str:
    """What identifies an input across runs of the same map: its id, else its position."""
    return f"id:{item_id}" if item_id is not None else f"index:{index}"


def result_line(
    *,
    index: int,
    item_id: str | None,
    output: Any,
    text: str | None,
    stop_reason: str | None,
    usage: Mapping[str, int] | None,
    error: Mapping[str, Any] | None,
    seconds: float | None = None,
) -> str:
    """One finished input as a line of the results file (JSON, no newline).

    `id` comes first: a line cut short by a crash is recognised by that start. `seconds`
    (the run's time, when known) is written only when given.
    """
    record = {
        "id": item_id,
        "index": index,
        "output": output,
        "text": text,
        "stop_reason": stop_reason,
        "usage": dict(usage) if usage is not None else None,
        "error": dict(error) if error is not None else None,
    }
    if seconds is not None:
        record["seconds"] = round(seconds, 6)
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)


def state_line(record: Mapping[str, Any]) -> str:
    """A batch-mode map's state record as a line of the results file (JSON, no newline).

    It starts with `{"batch_map":`, so readers of results skip it (a result line starts with
    `{"id":`).
    """
    if next(iter(record), None) != _STATE_KEY:
        raise ValueError(f"a state record starts with the {_STATE_KEY!r} key")
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass
class RecordedResults:
    """What an existing results file holds.

    Attributes:
        done: Keys (`item_key`) of inputs that finished without an error: skipped on resume.
        failed: Keys of inputs whose last record is an error: run again on resume.
        valid_bytes: The length of the file's valid part; anything after it is a line cut
            short by a crash, to be truncated before appending.
        state: A batch-mode map's state records from its last unfinished round on (empty when
            there is none).
        ended_since_state: Keys of inputs recorded after the first of `state`.
    """

    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    valid_bytes: int = 0
    state: list[dict[str, Any]] = field(default_factory=list)
    ended_since_state: set[str] = field(default_factory=set)

    def add_state(self, record: dict[str, Any]) -> None:
        """Take in a state line."""
        kind = record.get(_STATE_KEY)
        if kind == "round":
            self.state = [record]
            self.ended_since_state = set()
        elif kind == "end":
            self.state = []
            self.ended_since_state = set()
        elif self.state:
            self.state.append(record)


def read_results(data: bytes, *, name: str = "the results file") -> RecordedResults:
    """Read a results file's content; raises `ResultsFileError` for any other kind of file."""
    recorded = RecordedResults()
    position = 0
    number = 0
    while position < len(data):
        number += 1
        end = data.find(b"\n", position)
        complete = end != -1
        line = data[position : end if complete else len(data)]
        record = _record(line)
        if record is None:
            if not complete and line.lstrip().startswith((b'{"id"', b'{"batch_map"')):
                break  # a last line cut short by a crash: dropped, the input runs again
            raise ResultsFileError(
                f"{name} is not a results file of agent.map (line {number} is not a result "
                "record); it was left untouched: choose another output path."
            )
        position = end + 1 if complete else len(data)
        recorded.valid_bytes = position
        if _STATE_KEY in record:
            recorded.add_state(record)
            continue
        key = item_key(record["index"], record["id"])
        if recorded.state:
            recorded.ended_since_state.add(key)
        if record["error"] is None:
            recorded.done.add(key)
            recorded.failed.discard(key)
        elif key not in recorded.done:
            recorded.failed.add(key)
    return recorded


def _record(line: bytes) -> dict[str, Any] | None:
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if isinstance(record, dict) and isinstance(record.get(_STATE_KEY), str):
        return record
    if not isinstance(record, dict) or not _RECORD_KEYS <= record.keys():
        return None
    index, item_id = record["index"], record["id"]
    if isinstance(index, bool) or not isinstance(index, int):
        return None
    if item_id is not None and not isinstance(item_id, str):
        return None
    return record


@dataclass
class MapSummary:
    """How a map went.

    Attributes:
        succeeded: Inputs whose run finished (whatever its stop reason).
        failed: Inputs whose run raised (the error is on their `MapResult`).
        skipped: Inputs already recorded in the results file (not run again).
        outcomes: Finished inputs by outcome: the stop reason of each success, the error's
            class name of each failure.
        usage: Tokens summed over every run (failed runs included, as far as they got).
        wall_time: Seconds from the start of the map to its end.
        rate_limited: Requests answered 429 while the map ran.
        rate_limit_wait: Seconds requests waited for the rate limiter (429 pauses included).
        batch: The map ran in batch mode (`mode="batch"`): its requests are billed at the
            batch price, half the standard price of input and output tokens (see `pricing`).
        batches: Message Batches the map created (batch mode).
        batch_retries: Batch requests sent again after an `errored` or `expired` result.
    """

    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    usage: RunUsage = field(default_factory=RunUsage)
    wall_time: float = 0.0
    rate_limited: int = 0
    rate_limit_wait: float = 0.0
    batch: bool = False
    batches: int = 0
    batch_retries: int = 0

    @property
    def pricing(self) -> str:
        """Which price applies to `usage`: `"batch (50% of standard)"` or `"standard"`."""
        return "batch (50% of standard)" if self.batch else "standard"

    @property
    def finished(self) -> int:
        """Inputs run in this map (succeeded or failed)."""
        return self.succeeded + self.failed

    def count(self, outcome: str, *, ok: bool, usage: RunUsage | None) -> None:
        """Count one finished input."""
        if ok:
            self.succeeded += 1
        else:
            self.failed += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if usage is not None:
            self.usage = self.usage + usage

    def to_dict(self) -> dict[str, Any]:
        """As JSON-able data."""
        return {
            "succeeded": self.succeeded,
            "failed": self.failed,
            "skipped": self.skipped,
            "outcomes": dict(self.outcomes),
            "usage": self.usage.to_dict(),
            "wall_time": self.wall_time,
            "rate_limited": self.rate_limited,
            "rate_limit_wait": self.rate_limit_wait,
            "batch": self.batch,
            "batches": self.batches,
            "batch_retries": self.batch_retries,
            "pricing": self.pricing,
        }


class OrderBuffer(Generic[_T]):
    """Holds results that finished before their turn; hands them out in sequence order."""

    def __init__(self) -> None:
        self._held: dict[int, _T] = {}
        self.next = 0
        """The sequence number handed out next."""

    def push(self, sequence: int, item: _T) -> Iterator[_T]:
        """Hold `item` (number `sequence`); yield every item whose turn has come."""
        self._held[sequence] = item
        while self.next in self._held:
            yield self._held.pop(self.next)
            self.next += 1
