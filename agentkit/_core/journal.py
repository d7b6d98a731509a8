"""A journaled run's records, without I/O: what they hold and what a resume may reuse.

A journal (`agentkit.Journal`) stores, for each run, the steps in the order they happened:

| kind            | key                | data                                               |
|-----------------|--------------------|----------------------------------------------------|
| `request`       | model step (`"0"`) | the request's digest (the first one: its messages) |
| `response`      | model step         | the `Message` received (JSON), tool input errors   |
| `tool_started`  | `step:call_id`     | the call (name, input)                              |
| `tool_finished` | `step:call_id`     | its result (content, is_error, duration)            |

`RunRecords` is the in-memory view a resume works from: the responses already received (not
requested again), the tool calls finished (their results reused) and the ones started but never
finished (run again only when the tool is idempotent). A request is recorded before it is sent
and a response as soon as it arrives, so a step requested again after a crash is one whose
response never reached the journal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

__all__ = [
    "RecordKind",
    "RunRecords",
    "RunStatus",
    "interrupted_text",
    "request_digest",
    "tool_key",
]

RecordKind: TypeAlias = Literal["request", "response", "tool_started", "tool_finished"]
"""The kinds of step a journal records."""

RunStatus: TypeAlias = Literal["running", "failed", "finished"]
"""A journaled run's status: in progress (or interrupted), ended by an error, or finished."""


def request_digest(params: Mapping[str, Any]) -> str:
    """A digest of a request's parameters (the same request gives the same digest)."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def tool_key(step: int, call_id: str) -> str:
    """The key of a tool call's records: the model step that asked for it, and its id."""
    return f"{step}:{call_id}"


def interrupted_text(name: str) -> str:
    """What the model is told about a call that started but never finished (not re-run)."""
    return (
        f"The call to {name!r} was interrupted (the process running it stopped) before its "
        "result was recorded; it may or may not have taken effect. Check before calling it "
        "again."
    )


@dataclass
class RunRecords:
    """What a journal holds for one run, ready for a resume.

    Attributes:
        requests: Model step -> the digest of the request sent at that step.
        first_messages: The history the run's first request was sent with.
        responses: Model step -> the response received (`Message` JSON plus input errors).
        started: Tool key -> the call, for calls started.
        finished: Tool key -> the result, for calls finished.
    """

    requests: dict[int, str] = field(default_factory=dict)
    first_messages: list[Any] | None = None
    responses: dict[int, dict[str, Any]] = field(default_factory=dict)
    started: dict[str, dict[str, Any]] = field(default_factory=dict)
    finished: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str]]) -> RunRecords:
        """From stored `(kind, key, data JSON)` rows, in the order they were written."""
        records = cls()
        for kind, key, data in rows:
            records.add(kind, key, json.loads(data))
        return records

    def add(self, kind: str, key: str, data: Any) -> None:
        """Take in one record."""
        if kind == "request":
            step = int(key)
            self.requests[step] = data["digest"]
            if step == 0 and "messages" in data:
                self.first_messages = data["messages"]
        elif kind == "response":
            self.responses[int(key)] = data
        elif kind == "tool_started":
            self.started[key] = data
        elif kind == "tool_finished":
            self.finished[key] = data
        else:
            raise ValueError(f"unknown journal record kind {kind!r}")

    def interrupted(self, key: str) -> bool:
        """Whether the call started and never finished."""
        return key in self.started and key not in self.finished
