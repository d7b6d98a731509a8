"""`agent.map(inputs)`: one agent over many inputs, concurrently, resumable.

The map's options are defined once, as `MapOptions` (`Agent.map`, `AsyncAgent.map` and their
`map_all` take them as `**options`). What the sync and async maps share lives in `MapPlan`:
turning inputs into `MapInput`s lazily, skipping those already in the results file, recording
each finished input (a flushed JSON line), the summary, progress, `on_result`, and the journal's
run ids. The scheduling of a live map is written once too, as `live_flow` (a generator of
effects: take an input, start a run, wait for one, hand a result out); `MapRun` performs them
with worker threads (a sync agent's tools, hooks and client are sync), `AsyncMapRun` with tasks
of an anyio task group. The pure parts (the file's format, the summary, the order buffer) are in
`agentkit._core.mapping`. Batch mode (`mode="batch"`) is in `agentkit.agent._batch_map`.

Memory stays O(concurrency): an input is taken from the iterable only when a worker is free (and,
with `ordered=True`, when fewer than `concurrency` results are waiting for an earlier one).
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Sequence,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, Literal, Protocol, TextIO

import anyio
from typing_extensions import Self, TypedDict

from .._core.mapping import (
    MapSummary,
    OrderBuffer,
    RecordedResults,
    ResultsFileError,
    item_key,
    read_results,
    result_line,
)
from .._drive import Done, advance
from .._exceptions import APIStatusError, UsageError
from .._ratelimit import RateLimiter
from ._base import DepsT, OutputT, Prompt
from ._progress import ProgressLine, wants_progress
from ._result import RunResult

if TYPE_CHECKING:
    from .._journal import Journal


class _Runner(Protocol[OutputT]):
    """An `Agent` (its `run`), without importing it here."""

    def run(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Any = None,
        deps: Any = None,
        run_id: str | None = None,
    ) -> RunResult[OutputT]: ...


class _AsyncRunner(Protocol[OutputT]):
    """An `AsyncAgent` (its `run`)."""

    async def run(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Any = None,
        deps: Any = None,
        run_id: str | None = None,
    ) -> RunResult[OutputT]: ...


__all__ = [
    "AsyncMapRun",
    "MapInput",
    "MapOptions",
    "MapPlan",
    "MapResult",
    "MapRun",
    "MapSummary",
    "acollect",
    "as_map_input",
    "collect",
]


@dataclass(frozen=True)
class MapInput(Generic[DepsT]):
    """One input of `agent.map`: a prompt, with an id (for the results file) and run options.

    Attributes:
        prompt: The user's message: text or content blocks (None to resume `messages`).
        id: A stable id: the results file records it, and a resumed map skips inputs by it
            (without one, by position).
        deps: Dependencies for this run's tools (default: the agent's).
        messages: An earlier history to continue.
    """

    prompt: Prompt
    id: str | None = field(default=None, kw_only=True)
    deps: DepsT | None = field(default=None, kw_only=True)
    messages: Sequence[Any] | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class MapResult(Generic[OutputT]):
    """One finished input: its run's result, or the error that ended it.

    Attributes:
        index: The input's position in `inputs` (from 0).
        id: The input's id (`MapInput.id`), if it has one.
        input: The input.
        result: The run's result (None when it failed).
        error: The typed error that ended the run (None when it succeeded); an API error
            carries the run so far as `error.run_state`.
    """

    index: int
    id: str | None
    input: MapInput[Any]
    result: RunResult[OutputT] | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """Whether the run finished without an error."""
        return self.error is None


OnResult = Callable[[MapResult[Any]], Any]


class MapOptions(TypedDict, total=False):
    """The options of `agent.map` and `agent.map_all`, all optional (defined once here)."""

    concurrency: int
    """Most runs at once (default 16): on worker threads (`Agent`) or tasks (`AsyncAgent`);
    in batch mode, the runs whose tools run at once between two batches."""
    ordered: bool
    """Hand results out in input order (default: `False` for `map`, `True` for `map_all`)."""
    output: str | os.PathLike[str] | None
    """A results file (JSON lines): each finished input is appended as it finishes; run the
    same map again to skip the inputs already recorded (and, in batch mode, to pick up the
    batches in flight)."""
    progress: bool | None
    """Show a progress line on stderr (default: when it is a terminal)."""
    on_result: OnResult | None
    """Called with each `MapResult` as it finishes."""
    rate_limiter: RateLimiter | None
    """The `RateLimiter` pacing the runs' requests (default: the client's; a client without
    one is given a new one, which learns the limits from the responses' headers and goes on
    pacing the client). Not used in batch mode (batches have their own limits)."""
    journal: Journal | None
    """Run each input as a journaled run (default: the agent's journal, if it has one), with
    the run id `f"{map_id}:{key}"` (`key`: `id:<MapInput.id>`, else `index:<position>`): a map
    run again returns finished runs from the journal without a request and resumes interrupted
    ones mid-run."""
    map_id: str | None
    """The prefix of the journaled runs' ids (default: the results file's name, else `"map"`):
    give each map sharing a journal its own."""
    mode: Literal["live", "batch"]
    """`"live"` (default): each model call is a `messages.create` request. `"batch"`: every
    turn of every unfinished run goes out as one Message Batch (half price, results within 24
    hours); see the "Batches" guide."""
    poll_interval: float
    """Batch mode: seconds between the first polls of a batch (default 10), each wait half as
    long again as the one before, up to `max_poll_interval`."""
    max_poll_interval: float
    """Batch mode: the longest wait between two polls (default 300 s)."""


def as_map_input(item: object) -> MapInput[Any]:
    """An input as a `MapInput` (a prompt, content blocks, or a `MapInput` already)."""
    if isinstance(item, MapInput):
        return item
    if isinstance(item, str) or (isinstance(item, Sequence) and not isinstance(item, bytes)):
        return MapInput(item)
    raise UsageError(
        f"agent.map inputs must be prompts (text or content blocks) or MapInput(...), got a "
        f"{type(item).__name__}: {item!r:.80}"
    )


def _error_record(error: Exception) -> dict[str, Any]:
    record: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, APIStatusError):
        record["status_code"] = error.status_code
    return record


def _output_of(result: RunResult[Any]) -> Any:
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(result.output, fallback=str)


class MapPlan:
    """What both maps share: inputs, the results file, summary, progress and `on_result`."""

    def __init__(
        self,
        inputs: Iterable[Any] | AsyncIterable[Any],
        *,
        concurrency: int = 16,
        ordered: bool = False,
        output: str | os.PathLike[str] | None = None,
        progress: bool | None = None,
        on_result: OnResult | None = None,
        client: object = None,
        rate_limiter: RateLimiter | None = None,
        progress_stream: TextIO | None = None,
        journal: Journal | None = None,
        map_id: str | None = None,
        mode: Literal["live", "batch"] = "live",
        poll_interval: float = 10.0,
        max_poll_interval: float = 300.0,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise UsageError(f"concurrency must be a positive int, got {concurrency!r}.")
        if mode not in ("live", "batch"):
            raise UsageError(f"mode must be 'live' or 'batch', got {mode!r}.")
        for name, seconds in (
            ("poll_interval", poll_interval),
            ("max_poll_interval", max_poll_interval),
        ):
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
                raise UsageError(f"{name} must be a positive number of seconds, got {seconds!r}.")
        if map_id is not None and (not isinstance(map_id, str) or not map_id):
            raise UsageError(f"map_id must be a non-empty string, got {map_id!r}.")
        self.mode = mode
        self.poll_interval = float(poll_interval)
        self.max_poll_interval = float(max_poll_interval)
        self.journal = journal
        self.map_id = map_id or (Path(output).name if output is not None else "map")
        self.inputs = inputs
        self.concurrency = concurrency
        self.ordered = ordered
        self.on_result = on_result
        self.summary = MapSummary()
        self.path = Path(output) if output is not None else None
        self.recorded = self._read_recorded()
        self._file: IO[str] | None = None
        total = len(inputs) if hasattr(inputs, "__len__") else None  # type: ignore[arg-type]
        stream = progress_stream if progress_stream is not None else sys.stderr
        self.progress = ProgressLine(total, stream) if wants_progress(progress, stream) else None
        self.running = 0
        self._started = time.monotonic()
        self._index = 0
        self._client = client
        self.note = ""
        """A line of state shown after the progress (batch mode: where the batches stand)."""
        self.limiter = None if mode == "batch" else self._limiter_for(client, rate_limiter)
        self._given_limiter = rate_limiter is not None
        self._restore: list[RateLimiter | None] = []
        self._baseline = (
            (self.limiter.rate_limited, self.limiter.waited) if self.limiter else (0, 0.0)
        )

    @staticmethod
    def _limiter_for(client: object, given: RateLimiter | None) -> RateLimiter | None:
        """The limiter to pace the map: the one given, the client's, or a new one."""
        if not hasattr(client, "rate_limiter"):  # a stand-in for a client: nothing to pace
            return given
        current = getattr(client, "rate_limiter", None)
        if given is not None:
            return given
        return current if isinstance(current, RateLimiter) else RateLimiter()

    def _read_recorded(self) -> RecordedResults:
        """The results already in the file (checked before anything runs or is written)."""
        if self.path is None or not self.path.exists():
            return RecordedResults()
        if not self.path.is_file():
            raise UsageError(f"the results path {str(self.path)!r} is not a file.")
        try:
            return read_results(self.path.read_bytes(), name=repr(str(self.path)))
        except ResultsFileError as exc:
            raise UsageError(str(exc)) from None

    def open(self) -> None:
        """Open the results file for appending (dropping a line a crash cut short)."""
        if self.limiter is not None and hasattr(self._client, "rate_limiter"):
            # a client without a limiter keeps the new one (it goes on pacing it); one given
            # for this map is swapped in for its duration
            current = getattr(self._client, "rate_limiter", None)
            if current is not self.limiter:
                if self._given_limiter:
                    self._restore = [current]
                self._client.rate_limiter = self.limiter
        if self.path is None or self._file is not None:
            return
        if self.path.exists() and self.path.stat().st_size > self.recorded.valid_bytes:
            with self.path.open("r+b") as damaged:
                damaged.truncate(self.recorded.valid_bytes)
        self._file = self.path.open("a", encoding="utf-8")

    def close(self) -> None:
        """Close the results file; finish the summary and the progress line."""
        self.summary.wall_time = time.monotonic() - self._started
        self._update_waits()
        if self._restore:
            self._client.rate_limiter = self._restore.pop()  # type: ignore[attr-defined]
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.progress is not None:
            self.progress.note = self.note
            self.progress.update(self.summary, 0, final=True)
            self.progress = None

    def admit(self, item: object) -> tuple[int, MapInput[Any]] | None:
        """Number the next input; None when it is already recorded (skipped)."""
        index = self._index
        self._index += 1
        map_input = as_map_input(item)
        if item_key(index, map_input.id) in self.recorded.done:
            self.summary.skipped += 1
            return None
        return index, map_input

    def runner(self, agent: Any) -> Any:
        """The agent that runs the inputs: `agent`, or a copy of it with the map's journal."""
        if self.journal is None:
            self.journal = getattr(agent, "journal", None)
            return agent
        if getattr(agent, "journal", None) is self.journal:
            return agent
        import copy

        journaled = copy.copy(agent)  # shares the client, tools and configuration
        journaled.journal = self.journal
        return journaled

    def run_id(self, index: int, map_input: MapInput[Any]) -> str | None:
        """The journaled run id of an input (None when the map has no journal)."""
        if self.journal is None:
            return None
        return f"{self.map_id}:{item_key(index, map_input.id)}"

    def run_args(self, index: int, map_input: MapInput[Any]) -> dict[str, Any]:
        """The keyword arguments of `agent.run` for one input."""
        args: dict[str, Any] = {"messages": map_input.messages, "deps": map_input.deps}
        run_id = self.run_id(index, map_input)
        if run_id is not None:
            args["run_id"] = run_id
        return args

    def persist(self, line: str) -> None:
        """Write a state line (batch mode) to the results file, flushed."""
        if self._file is not None:
            self._file.write(line + "\n")
            self._file.flush()

    def finish(
        self, index: int, map_input: MapInput[Any], outcome: RunResult[Any] | Exception
    ) -> MapResult[Any]:
        """Record one finished input: results file, summary, progress, `on_result`."""
        if isinstance(outcome, Exception):
            mapped: MapResult[Any] = MapResult(index, map_input.id, map_input, error=outcome)
            partial = getattr(outcome, "run_state", None)
            usage = partial.usage if isinstance(partial, RunResult) else None
            self.summary.count(type(outcome).__name__, ok=False, usage=usage)
            line = result_line(
                index=index,
                item_id=map_input.id,
                output=None,
                text=None,
                stop_reason=None,
                usage=usage.to_dict() if usage is not None else None,
                error=_error_record(outcome),
                seconds=partial.seconds if isinstance(partial, RunResult) else None,
            )
        else:
            mapped = MapResult(index, map_input.id, map_input, result=outcome)
            self.summary.count(outcome.stop_reason, ok=True, usage=outcome.usage)
            line = result_line(
                index=index,
                item_id=map_input.id,
                output=_output_of(outcome),
                text=outcome.text,
                stop_reason=outcome.stop_reason,
                usage=outcome.usage.to_dict(),
                error=None,
                seconds=outcome.seconds,
            )
        if self._file is not None:
            self._file.write(line + "\n")
            self._file.flush()
        self.show()
        if self.on_result is not None:
            self.on_result(mapped)
        return mapped

    def _update_waits(self) -> None:
        if self.limiter is not None:
            limited, waited = self._baseline
            self.summary.rate_limited = self.limiter.rate_limited - limited
            self.summary.rate_limit_wait = self.limiter.waited - waited

    def show(self) -> None:
        """Refresh the progress line (if any)."""
        self._update_waits()
        if self.progress is not None:
            self.progress.note = self.note
            self.progress.update(self.summary, self.running)


class _Admission:
    """Which input starts next: at most `concurrency` started and not yet handed out."""

    def __init__(self, plan: MapPlan) -> None:
        self.plan = plan
        self.started = 0
        self.handed_out = 0
        self.buffer: OrderBuffer[MapResult[Any]] = OrderBuffer()

    def has_room(self) -> bool:
        return self.started - self.handed_out < self.plan.concurrency

    def deliver(self, sequence: int, result: MapResult[Any]) -> list[MapResult[Any]]:
        """The results to hand out now that `result` (number `sequence`) finished."""
        ready = list(self.buffer.push(sequence, result)) if self.plan.ordered else [result]
        self.handed_out += len(ready)
        return ready


@dataclass(frozen=True, slots=True)
class _Start:
    """Start running an input (its `sequence` number among the inputs started)."""

    sequence: int
    index: int
    map_input: MapInput[Any]


@dataclass(frozen=True, slots=True)
class _Give:
    """Hand this result to the caller."""

    result: MapResult[Any]


class _Take:
    """Take the next input from the iterable (the driver sends it back, or `_EXHAUSTED`)."""


class _Wait:
    """Wait for a run to finish (the driver sends back `(sequence, index, input, outcome)`)."""


_TAKE = _Take()
_WAIT = _Wait()
_EXHAUSTED: Any = object()

LiveEffect = _Take | _Start | _Wait | _Give


def live_flow(plan: MapPlan) -> Generator[LiveEffect, Any, None]:
    """A live map's scheduling, for both drivers.

    Admit inputs while there is room, start their runs, record each finished one and hand the
    results out (in input order if asked).
    """
    admission = _Admission(plan)
    exhausted = False
    while True:
        while not exhausted and admission.has_room():
            item = yield _TAKE
            if item is _EXHAUSTED:
                exhausted = True
                break
            admitted = plan.admit(item)
            if admitted is not None:
                yield _Start(admission.started, *admitted)
                admission.started += 1
                plan.running += 1
        plan.show()
        if plan.running == 0:
            return
        sequence, index, map_input, outcome = yield _WAIT
        plan.running -= 1
        finished = plan.finish(index, map_input, outcome)
        for result in admission.deliver(sequence, finished):
            yield _Give(result)


class _MapIterator(Generic[OutputT]):
    """What both map iterators share: the plan, the agent running the inputs, the summary."""

    def __init__(self, agent: Any, plan: MapPlan) -> None:
        self._agent = plan.runner(agent)
        self._plan = plan

    @property
    def summary(self) -> MapSummary:
        """Counts, usage, time and rate-limit waits (final once the iterator is exhausted)."""
        return self._plan.summary


class MapRun(_MapIterator[OutputT]):
    """The iterator `Agent.map` returns: `MapResult`s as runs finish; `.summary` at the end.

    Iterate it to the end (or `close()` it, or use it as a context manager) to close the
    results file. Runs go to worker threads, at most `concurrency` at a time.
    """

    def __init__(self, agent: _Runner[OutputT], plan: MapPlan) -> None:
        super().__init__(agent, plan)
        self._results = self._run()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> MapResult[OutputT]:
        return next(self._results)

    def close(self) -> None:
        """Stop: no new input starts; runs in flight finish and are recorded; the file closes.

        (Interrupted instead, by Ctrl-C, the map abandons its runs in flight unrecorded.)
        """
        self._results.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _execute(self, index: int, map_input: MapInput[Any]) -> RunResult[Any] | Exception:
        try:
            return self._agent.run(map_input.prompt, **self._plan.run_args(index, map_input))  # type: ignore[no-any-return]
        except Exception as exc:  # one input's failure never ends the map
            return exc

    def _run(self) -> Generator[MapResult[OutputT], None, None]:
        plan = self._plan
        tasks: queue.SimpleQueue[_Start | None] = queue.SimpleQueue()
        done: queue.SimpleQueue[tuple[int, int, MapInput[Any], Any]] = queue.SimpleQueue()

        def work() -> None:
            while (task := tasks.get()) is not None:
                outcome = self._execute(task.index, task.map_input)
                done.put((task.sequence, task.index, task.map_input, outcome))

        workers: list[threading.Thread] = []
        source = iter(plan.inputs)  # type: ignore[arg-type]
        flow = live_flow(plan)
        plan.open()
        try:
            value: Any = None
            while not isinstance(effect := advance(flow, value, None), Done):
                value = None
                if isinstance(effect, _Give):
                    yield effect.result
                elif isinstance(effect, _Take):
                    value = next(source, _EXHAUSTED)
                elif isinstance(effect, _Wait):
                    value = done.get()
                else:
                    if len(workers) <= plan.running:
                        # daemon threads: an interrupted map does not wait for runs in flight
                        thread = threading.Thread(target=work, daemon=True, name="agentkit-map")
                        thread.start()
                        workers.append(thread)
                    tasks.put(effect)
        except GeneratorExit:  # closed early: the runs in flight are paid for, so record them
            while plan.running:
                _, index, map_input, outcome = done.get()
                plan.running -= 1
                plan.finish(index, map_input, outcome)
            raise
        finally:
            for _ in workers:
                tasks.put(None)
            plan.close()


class AsyncMapRun(_MapIterator[OutputT]):
    """The async iterator `AsyncAgent.map` returns (see `MapRun`).

    Iterate it to the end, or use `async with` (or `await aclose()`) when leaving early: the
    runs in flight are then cancelled and the results file closed.
    """

    def __init__(self, agent: _AsyncRunner[OutputT], plan: MapPlan) -> None:
        super().__init__(agent, plan)
        self._results = self._run()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> MapResult[OutputT]:
        return await self._results.__anext__()

    async def aclose(self) -> None:
        """Stop: no new input starts; runs in flight are cancelled; the file is closed."""
        await self._results.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _execute(self, index: int, map_input: MapInput[Any]) -> RunResult[Any] | Exception:
        try:
            return await self._agent.run(map_input.prompt, **self._plan.run_args(index, map_input))  # type: ignore[no-any-return]
        except Exception as exc:  # one input's failure never ends the map
            return exc

    async def _run(self) -> AsyncGenerator[MapResult[OutputT], None]:
        plan = self._plan
        send, receive = anyio.create_memory_object_stream[tuple[int, int, MapInput[Any], Any]](
            plan.concurrency
        )
        source = _Source(plan.inputs)
        flow = live_flow(plan)

        async def work(task: _Start) -> None:
            outcome = await self._execute(task.index, task.map_input)
            await send.send((task.sequence, task.index, task.map_input, outcome))

        plan.open()
        try:
            async with send, receive, anyio.create_task_group() as group:
                try:
                    value: Any = None
                    while not isinstance(effect := advance(flow, value, None), Done):
                        value = None
                        if isinstance(effect, _Take):
                            value = await source.next()
                        elif isinstance(effect, _Start):
                            group.start_soon(work, effect)
                        elif isinstance(effect, _Wait):
                            value = await receive.receive()
                        else:
                            try:
                                yield effect.result
                            except GeneratorExit:  # closed early: stop, cancelling runs
                                group.cancel_scope.cancel()
                                return
                finally:
                    group.cancel_scope.cancel()
        finally:
            plan.close()
            with anyio.CancelScope(shield=True):
                await source.aclose()


class _Source:
    """The inputs of an async map, sync or async iterable, one at a time."""

    def __init__(self, inputs: Iterable[Any] | AsyncIterable[Any]) -> None:
        if isinstance(inputs, AsyncIterable):
            self._async: AsyncIterator[Any] | None = inputs.__aiter__()
            self._sync: Iterator[Any] | None = None
        else:
            self._async, self._sync = None, iter(inputs)

    async def next(self) -> Any:
        """The next input, or `_EXHAUSTED`."""
        if self._sync is not None:
            return next(self._sync, _EXHAUSTED)
        assert self._async is not None
        try:
            return await self._async.__anext__()
        except StopAsyncIteration:
            return _EXHAUSTED

    async def aclose(self) -> None:
        """Close an async generator of inputs that was not read to its end."""
        close = getattr(self._async, "aclose", None)
        if close is not None:
            await close()


def collect(run: MapRun[Any]) -> tuple[list[MapResult[Any]], MapSummary]:
    """Every result of a map, and its summary."""
    with run:
        results = list(run)
    return results, run.summary


async def acollect(run: AsyncMapRun[Any]) -> tuple[list[MapResult[Any]], MapSummary]:
    """Every result of an async map, and its summary."""
    async with run:
        results = [result async for result in run]
    return results, run.summary
