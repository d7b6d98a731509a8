"""`Journal`: an embedded SQLite journal of agent runs, so a crashed run resumes where it stopped.

One file, the standard library's `sqlite3`, WAL mode: several processes on one machine may share
it. Each run (`run_id`) has a row in `runs` (status, result, lease) and its steps in `steps`, in
the order they happened (see `agentkit._core.journal` for what each step holds). Every step is
committed before the run goes on.

Safety rules:
- a file that is not an agentkit journal (another SQLite database, or not SQLite at all) is
  refused with a `JournalError` before anything is written to it; the schema version is stored
  and a journal from a newer agentkit is refused too;
- one process at a time runs a `run_id`: it holds the run's lease, renewed with every step;
  another process asking for the run gets `RunLockedError` while the lease is live. The lease
  ends when its holder finishes, fails or stops, when it is not renewed for `lease_seconds`, or
  at once when its holder (a process on this machine) is no longer alive.

Durability (`synchronous=`): `"normal"` (default) commits without waiting for the disk: a
committed step survives the process being killed (SIGKILL, a crash, an exception); a power cut
or an OS crash may lose the last steps, never corrupting the file. `"full"` waits for the disk
(fsync) at every commit, so committed steps survive a power cut too, at the cost of a disk
flush per step.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ._core.journal import RecordKind, RunRecords
from ._exceptions import JournalError, RunLockedError, UsageError

__all__ = ["SCHEMA_VERSION", "Journal", "JournalStep", "RunHandle", "RunInfo"]

SCHEMA_VERSION = 1
"""The version of the journal's tables this agentkit writes (stored in the file)."""

_APPLICATION = "agentkit-journal"
_SQLITE_HEADER = b"SQLite format 3\x00"

_SCHEMA = (
    "CREATE TABLE agentkit_journal (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE runs (run_id TEXT PRIMARY KEY, status TEXT NOT NULL, created REAL NOT NULL,"
    " updated REAL NOT NULL, result TEXT, error TEXT, holder TEXT, holder_pid INTEGER,"
    " holder_host TEXT, lease_until REAL)",
    "CREATE TABLE steps (run_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,"
    " key TEXT NOT NULL, data TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (run_id, seq))"
    " WITHOUT ROWID",
)


@dataclass(frozen=True)
class JournalStep:
    """One recorded step of a run.

    Attributes:
        kind: `request`, `response`, `tool_started` or `tool_finished`.
        key: The model step (`"0"`, `"1"`...) or the tool call (`"step:call_id"`).
        data: What was recorded (JSON data).
        at: When (seconds since the epoch).
    """

    kind: str
    key: str
    data: Any
    at: float


@dataclass(frozen=True)
class RunInfo:
    """A journaled run, as `Journal.runs()` and `Journal.get()` describe it.

    Attributes:
        run_id: The run's id.
        status: `"running"` (a live process holds it), `"interrupted"` (it stopped midway:
            run it again to resume), `"failed"` (it ended with an error; running it again
            resumes it too) or `"finished"`.
        created: When the run was first started (seconds since the epoch).
        updated: When it last recorded a step (to within half the journal's `lease_seconds`:
            the lease is renewed, and this time updated, at most twice per lease).
        error: The error a failed run ended with.
        result: A finished run's `RunResult.to_dict()`.
        steps: Its recorded steps (`get()` only; empty in `runs()`).
    """

    run_id: str
    status: str
    created: float
    updated: float
    error: str | None = None
    result: dict[str, Any] | None = None
    steps: tuple[JournalStep, ...] = ()


class Journal:
    """An embedded journal of agent runs in one SQLite file (created if missing).

    Pass it as `Agent(..., journal=Journal("runs.db"))` and give runs an id:
    `agent.run(prompt, run_id="invoice-42")`. Running the same id again resumes it.

    Args:
        path: The database file.
        lease_seconds: How long a run's lease lasts without a new step (default 300 s; set it
            above your slowest model call or tool call). A holder that is no longer alive on
            this machine loses its lease at once.
        synchronous: `"normal"` (default): committed steps survive the process dying;
            `"full"`: they survive a power cut too (a disk flush per step).
        timeout: Seconds to wait for another process's write to finish.

    Raises:
        JournalError: The file is not an agentkit journal, is damaged, or is from a newer
            agentkit. It is left as it was.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lease_seconds: float = 300.0,
        synchronous: Literal["normal", "full"] = "normal",
        timeout: float = 10.0,
    ) -> None:
        if synchronous not in ("normal", "full"):
            raise UsageError(f"synchronous must be 'normal' or 'full', got {synchronous!r}.")
        if isinstance(lease_seconds, bool) or not lease_seconds > 0:
            raise UsageError(f"lease_seconds must be a positive number, got {lease_seconds!r}.")
        self.path = Path(path)
        self.lease_seconds = float(lease_seconds)
        self.synchronous = synchronous
        self._lock = threading.Lock()
        _check_header(self.path)
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open the journal {str(self.path)!r}: {exc}") from exc
        try:
            self._prepare()
        except BaseException:
            self._db.close()
            raise

    # -- opening -------------------------------------------------------------------------------

    def _prepare(self) -> None:
        where = repr(str(self.path))
        try:
            tables = self._tables()
            if tables:
                self._check_version(tables)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={self.synchronous.upper()}")
            if not tables:
                self._create()
        except sqlite3.DatabaseError as exc:
            raise JournalError(
                f"{where} is damaged or is not an agentkit journal ({exc}); it was not changed."
            ) from exc

    def _tables(self) -> set[str]:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}

    def _check_version(self, tables: set[str]) -> None:
        where = repr(str(self.path))
        if "agentkit_journal" not in tables:
            raise JournalError(
                f"{where} is a SQLite database but not an agentkit journal (its tables: "
                f"{', '.join(sorted(tables))}); it was not changed. Give the journal a file "
                "of its own."
            )
        meta = dict(self._db.execute("SELECT key, value FROM agentkit_journal").fetchall())
        if meta.get("application") != _APPLICATION or "schema_version" not in meta:
            raise JournalError(f"{where} is not an agentkit journal; it was not changed.")
        version = int(meta["schema_version"])
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"{where} was written by a newer agentkit (journal schema {version}; this one "
                f"reads up to {SCHEMA_VERSION}); upgrade agentkit to use it."
            )

    def _create(self) -> None:
        with self._transaction():
            tables = self._tables()  # another process may have just created them
            if tables:
                self._check_version(tables)
                return
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._db.executemany(
                "INSERT INTO agentkit_journal (key, value) VALUES (?, ?)",
                [("application", _APPLICATION), ("schema_version", str(SCHEMA_VERSION))],
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # -- runs ------------------------------------------------------------------------------------

    def open_run(self, run_id: str) -> RunHandle:
        """Take the lease of `run_id` (creating the run if new) and load its records.

        Raises:
            RunLockedError: Another live process holds the run.
        """
        if not isinstance(run_id, str) or not run_id:
            raise UsageError(f"run_id must be a non-empty string, got {run_id!r}.")
        holder = uuid.uuid4().hex
        now = time.time()
        with self._lock, self._transaction():
            row = self._db.execute(
                "SELECT status, holder, holder_pid, holder_host, lease_until, result "
                "FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO runs (run_id, status, created, updated, holder, holder_pid,"
                    " holder_host, lease_until) VALUES (?, 'running', ?, ?, ?, ?, ?, ?)",
                    (run_id, now, now, holder, os.getpid(), _HOST, now + self.lease_seconds),
                )
                return RunHandle(self, run_id, holder, "running", RunRecords(), None, 0)
            status, other, pid, host, until, result = row
            if other is not None and _lease_live(until, pid, host, now):
                raise RunLockedError(
                    f"run {run_id!r} is being run by another process (pid {pid} on {host}); "
                    "its lease expires if that process dies. Try again later, or use another "
                    "run_id.",
                    run_id=run_id,
                )
            self._db.execute(
                "UPDATE runs SET holder = ?, holder_pid = ?, holder_host = ?, lease_until = ? "
                "WHERE run_id = ?",
                (holder, os.getpid(), _HOST, now + self.lease_seconds, run_id),
            )
            rows = self._db.execute(
                "SELECT kind, key, data FROM steps WHERE run_id = ? ORDER BY seq", (run_id,)
            ).fetchall()
            (last,) = self._db.execute(
                "SELECT COALESCE(MAX(seq), -1) FROM steps WHERE run_id = ?", (run_id,)
            ).fetchone()
        records = RunRecords.from_rows(rows)
        stored = json.loads(result) if result is not None else None
        return RunHandle(self, run_id, holder, status, records, stored, last + 1)

    def runs(self, status: str | None = None) -> list[RunInfo]:
        """Every run (oldest first), or those with this status; see `RunInfo.status`."""
        with self._lock:
            rows = self._db.execute(
                "SELECT run_id, status, created, updated, error, holder, holder_pid,"
                " holder_host, lease_until FROM runs ORDER BY created, run_id"
            ).fetchall()
        now = time.time()
        infos = [
            RunInfo(run_id, _shown_status(stored, holder, until, pid, host, now), made, last, err)
            for run_id, stored, made, last, err, holder, pid, host, until in rows
        ]
        return [info for info in infos if status is None or info.status == status]

    def get(self, run_id: str) -> RunInfo | None:
        """One run with its result (if finished) and every recorded step; None if unknown."""
        with self._lock:
            row = self._db.execute(
                "SELECT status, created, updated, error, holder, holder_pid, holder_host,"
                " lease_until, result FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                return None
            steps = self._db.execute(
                "SELECT kind, key, data, at FROM steps WHERE run_id = ? ORDER BY seq", (run_id,)
            ).fetchall()
        stored, made, last, err, holder, pid, host, until, result = row
        return RunInfo(
            run_id,
            _shown_status(stored, holder, until, pid, host, time.time()),
            made,
            last,
            err,
            json.loads(result) if result is not None else None,
            tuple(JournalStep(kind, key, json.loads(data), at) for kind, key, data, at in steps),
        )

    def prune(
        self, *, older_than: float = 0.0, statuses: Sequence[str] = ("finished", "failed")
    ) -> int:
        """Delete runs with one of these statuses, last updated over `older_than` seconds ago.

        A run a live process holds is never deleted. Returns how many runs were deleted.
        """
        cutoff = time.time() - older_than
        doomed = [
            info.run_id
            for info in self.runs()
            if info.status in statuses and info.status != "running" and info.updated <= cutoff
        ]
        with self._lock, self._transaction():
            for run_id in doomed:
                self._db.execute("DELETE FROM steps WHERE run_id = ?", (run_id,))
                self._db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
        return len(doomed)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # -- used by RunHandle -------------------------------------------------------------------

    def _write(
        self,
        handle: RunHandle,
        steps: Iterable[tuple[RecordKind, str, Any]],
        end: tuple[str, str | None, str | None] | None = None,
    ) -> None:
        """Record steps (and maybe end the run) in one transaction, renewing the lease.

        The lease is renewed (and ownership checked) at most twice per `lease_seconds`: until
        half of it has passed since the last renewal, no other process can have taken it.
        """
        now = time.time()
        renew = end is None and now >= handle.renewed + self.lease_seconds / 2
        with self._lock, self._transaction():
            updated: sqlite3.Cursor | None = None
            if end is not None:
                status, result, error = end
                updated = self._db.execute(
                    "UPDATE runs SET updated = ?, status = ?, result = ?, error = ?, holder = NULL,"
                    " holder_pid = NULL, holder_host = NULL, lease_until = NULL"
                    " WHERE run_id = ? AND holder = ?",
                    (now, status, result, error, handle.run_id, handle.holder),
                )
            elif renew:
                updated = self._db.execute(
                    "UPDATE runs SET updated = ?, lease_until = ? WHERE run_id = ? AND holder = ?",
                    (now, now + self.lease_seconds, handle.run_id, handle.holder),
                )
            if updated is not None and updated.rowcount != 1:
                raise RunLockedError(
                    f"run {handle.run_id!r} lost its lease (another process took it over after "
                    "it expired); this process stops running it.",
                    run_id=handle.run_id,
                )
            for kind, key, data in steps:
                self._db.execute(
                    "INSERT INTO steps (run_id, seq, kind, key, data, at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (handle.run_id, handle.next_seq, kind, key, _dumps(data), now),
                )
                handle.next_seq += 1
        if renew:
            handle.renewed = now

    def _release(self, handle: RunHandle) -> None:
        with self._lock, self._transaction():
            self._db.execute(
                "UPDATE runs SET holder = NULL, holder_pid = NULL, holder_host = NULL,"
                " lease_until = NULL WHERE run_id = ? AND holder = ?",
                (handle.run_id, handle.holder),
            )


class RunHandle:
    """One process's hold on a journaled run: its records, and the writer of new ones.

    Attributes:
        run_id: The run.
        holder: This hold's lease token.
        status: The run's status when it was opened.
        records: What was recorded before.
        result: A finished run's `RunResult.to_dict()`.
    """

    def __init__(
        self,
        journal: Journal,
        run_id: str,
        holder: str,
        status: str,
        records: RunRecords,
        result: dict[str, Any] | None,
        next_seq: int,
    ) -> None:
        self.journal = journal
        self.run_id = run_id
        self.holder = holder
        self.status = status
        self.records = records
        self.result = result
        self.next_seq = next_seq
        self.open = True
        self.renewed = time.time()  # the lease was taken (or last renewed) then

    def record(self, kind: RecordKind, key: str, data: Any) -> None:
        """Commit one step."""
        self.journal._write(self, [(kind, key, data)])

    def record_many(self, steps: Sequence[tuple[RecordKind, str, Any]]) -> None:
        """Commit several steps at once."""
        self.journal._write(self, steps)

    def finish(self, result: dict[str, Any]) -> None:
        """Record the run's result; the run is finished and its lease released."""
        self.journal._write(self, [], ("finished", _dumps(result), None))
        self.open = False

    def fail(self, error: BaseException) -> None:
        """Record that the run ended with `error` (running it again resumes it)."""
        text = f"{type(error).__name__}: {error}"
        self.journal._write(self, [], ("failed", None, text))
        self.open = False

    def release(self) -> None:
        """Give up the lease without ending the run (it can be resumed at once)."""
        if self.open:
            self.journal._release(self)
            self.open = False


class _Transaction:
    """`BEGIN IMMEDIATE` ... `COMMIT` (or `ROLLBACK` on an error)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


_HOST = socket.gethostname()


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


def _check_header(path: Path) -> None:
    """Refuse a file that exists, is not empty and is not a SQLite database."""
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise JournalError(f"cannot read the journal {str(path)!r}: {exc}") from exc
    if header and header != _SQLITE_HEADER:
        raise JournalError(
            f"{str(path)!r} is not a SQLite database, so not an agentkit journal; it was not "
            "changed. Give the journal a file of its own."
        )


def _alive(pid: int | None, host: str | None) -> bool:
    """Whether the process is alive (a process on another machine is assumed to be)."""
    if pid is None or host != _HOST:
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. it belongs to another user: it exists
        return True
    return True


def _lease_live(until: float | None, pid: int | None, host: str | None, now: float) -> bool:
    return until is not None and until > now and _alive(pid, host)


def _shown_status(
    stored: str,
    holder: str | None,
    until: float | None,
    pid: int | None,
    host: str | None,
    now: float,
) -> str:
    if stored != "running":
        return stored
    live = holder is not None and _lease_live(until, pid, host, now)
    return "running" if live else "interrupted"
