"""Batch-mode maps (`agent.map(inputs, mode="batch")`): the drivers of the batch scheduler.

The scheduler is `agentkit._core.batch_map.batch_map_flow` (sans I/O). What both drivers share
is `BatchPlan`: the runs (each an agent run flow, `AgentBase.run_flow`, whose `CallModel`
becomes one request of the next batch instead of a live call), the state lines of the results
file, progress, and handing finished runs out. `BatchMapRun` (sync: tools of different runs on
a thread pool) and `AsyncBatchMapRun` (tasks of a task group) only perform the client calls,
the sleeps between polls, and the runs' own effects (hooks and tools).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import anyio

from .._core.batch_map import (
    Ended,
    NextCall,
    Persist,
    PollBatch,
    ReadResults,
    Report,
    RequestFailure,
    ResumePoint,
    RunEnded,
    RunStep,
    StepRuns,
    SubmitBatch,
    batch_map_flow,
)
from .._core.effects import CallHook, CallModel, Emit, RunTools, Sleep
from .._core.loop import RunUsage
from .._core.mapping import OrderBuffer, item_key, state_line
from .._drive import Done, adrive, advance, asleep, drive, sleep
from .._exceptions import BatchRequestError
from .._utils import call_maybe_async
from ._base import OutputT, RunFlow
from ._events import RunFinished
from ._map import _EXHAUSTED, AsyncMapRun, MapInput, MapPlan, MapResult, MapRun, _Give, _Source
from ._result import RunResult

__all__ = ["AsyncBatchMapRun", "BatchMapRun", "BatchPlan", "request_error"]


def request_error(failure: RequestFailure) -> BatchRequestError:
    """The `BatchRequestError` that ends a run whose batch request failed."""
    error = dict(failure.error) if failure.error is not None else None
    what = {
        "expired": "expired (the batch's 24 hours ran out first)",
        "canceled": "was canceled (the batch was canceled)",
        "missing": "got no result in its batch",
    }.get(failure.result_type)
    if what is None:
        detail = f"{(error or {}).get('type')}: {(error or {}).get('message')}"
        what = f"errored ({detail})"
    tries = "attempt" if failure.attempts == 1 else "attempts"
    return BatchRequestError(
        f"the batch request {failure.custom_id} of {failure.batch_id or 'its batch'} "
        f"{what} after {failure.attempts} {tries}; the run so far is on .run_state "
        "(resume it with agent.run(messages=error.run_state.messages)).",
        result_type=failure.result_type,
        error=error,
        batch_id=failure.batch_id,
        custom_id=failure.custom_id,
        attempts=failure.attempts,
    )


@dataclass
class _Run:
    """One input of a batch-mode map, and its run."""

    sequence: int
    index: int
    map_input: MapInput[Any]
    flow: RunFlow | None = None
    usage: RunUsage = field(default_factory=RunUsage)  # responses handed to it here
    prior: RunUsage = field(default_factory=RunUsage)  # before a restart (from the file)
    result: RunResult[Any] | None = None


class BatchPlan:
    """What both batch-mode drivers share: the runs, the state lines, progress, the results."""

    def __init__(
        self, agent: Any, plan: MapPlan, items: Iterable[tuple[int, MapInput[Any]]]
    ) -> None:
        self.agent = agent
        self.plan = plan
        self.runs = {
            item_key(index, map_input.id): _Run(sequence, index, map_input)
            for sequence, (index, map_input) in enumerate(items)
        }
        recorded = plan.recorded
        self.resume = ResumePoint.from_records(recorded.state, recorded.ended_since_state)
        if self.resume is not None:
            self.resume.runs = {k: v for k, v in self.resume.runs.items() if k in self.runs}
        self.buffer: OrderBuffer[MapResult[Any]] | None = OrderBuffer() if plan.ordered else None
        plan.summary.batch = True
        plan.running = len(self.runs)

    def flow(self) -> Generator[Any, Any, None]:
        """The scheduler, with its local effects (state lines, progress, results) performed.

        Yields the effects a driver performs: `SubmitBatch`, `PollBatch`, `ReadResults`,
        `Sleep`, `StepRuns`, and `_Give` (hand a result to the caller).
        """
        scheduler = batch_map_flow(
            list(self.runs),
            self.resume,
            max_retries=getattr(self.agent.client, "max_retries", 2),
            poll_interval=self.plan.poll_interval,
            max_poll_interval=self.plan.max_poll_interval,
            with_messages=self.plan.journal is None,
        )
        self.plan.open()
        try:
            yield from self._perform_local(scheduler)
        finally:
            self.plan.close()

    def _perform_local(self, scheduler: Generator[Any, Any, None]) -> Generator[Any, Any, None]:
        value: Any = None
        while not isinstance(effect := advance(scheduler, value, None), Done):
            value = None
            if isinstance(effect, Persist):
                self.plan.persist(state_line(effect.record))
            elif isinstance(effect, Report):
                self.plan.summary.batch_retries = effect.report.retried
                self.plan.note = effect.report.describe()
                self.plan.show()
            elif isinstance(effect, RunEnded):
                for result in self._ended(effect):
                    yield _Give(result)
            else:
                value = yield effect
                if isinstance(effect, SubmitBatch):
                    self.plan.summary.batches += 1

    def _ended(self, effect: RunEnded) -> list[MapResult[Any]]:
        run = self.runs[effect.key]
        outcome = effect.outcome
        if isinstance(outcome, RunResult) and run.prior.requests:
            outcome.usage = run.prior + outcome.usage
        self.plan.running -= 1
        mapped = self.plan.finish(run.index, run.map_input, outcome)
        if self.buffer is None:
            return [mapped]
        return list(self.buffer.push(run.sequence, mapped))

    def step_run(self, step: RunStep) -> Generator[CallHook | RunTools, Any, NextCall | Ended]:
        """Advance one run until it asks for its next model call, or ends.

        Its hooks and tools are yielded for the driver to perform; a `CallModel` is not
        performed but becomes the run's request in the next batch.
        """
        run = self.runs[step.key]
        value: Any = None
        error: Exception | None = None
        if run.flow is None:
            run.flow = self._start(step.key, run)
        elif step.failure is not None:
            error = request_error(step.failure)
        else:
            value = step.message
            run.usage.add(step.message)
        flow = run.flow
        while True:
            try:
                effect = flow.send(value) if error is None else flow.throw(error)
            except StopIteration:
                return Ended(run.result)
            except Exception as exc:  # the run ended with this error (run_state attached)
                return Ended(exc)
            value, error = None, None
            if isinstance(effect, CallModel):
                params = {k: v for k, v in effect.params.items() if k != "stream"}
                return NextCall(params, (run.prior + run.usage).to_dict())
            if isinstance(effect, Emit):
                if isinstance(effect.event, RunFinished):
                    run.result = effect.event.result
                continue
            try:
                value = yield effect
            except Exception as exc:
                error = exc

    def _start(self, key: str, run: _Run) -> RunFlow:
        """The run's flow: new, resumed from the journal, or rebuilt from its state line."""
        map_input = run.map_input
        saved = self.resume.runs.get(key) if self.resume is not None else None
        if saved is not None and "messages" in saved:
            run.prior = RunUsage(**saved.get("usage", {}))
            return self.agent.run_flow(None, saved["messages"], map_input.deps, streaming=False)  # type: ignore[no-any-return]
        run_id = self.plan.run_id(run.index, map_input)
        return self.agent.run_flow(  # type: ignore[no-any-return]
            map_input.prompt, map_input.messages, map_input.deps, streaming=False, run_id=run_id
        )

    def handlers(
        self, driver: Any, pause: Callable[[Sleep], Any]
    ) -> dict[type, Callable[..., Any]]:
        """A driver's performer of each effect its interpreter hands it (`pause`: sleeping)."""
        return {
            StepRuns: driver._step_all,
            ReadResults: driver._read,
            SubmitBatch: driver._create,
            PollBatch: driver._retrieve,
            Sleep: pause,
        }

    @staticmethod
    def tool_options(effect: RunTools) -> dict[str, Any]:
        """The keyword arguments of `toolbox.execute_all` for a `RunTools`."""
        return {
            "deps": effect.deps,
            "messages": effect.messages,
            "usage": effect.usage,
            "on_result": effect.on_result,
        }


def drive_giving(
    flow: Generator[Any, Any, None], handlers: dict[type, Callable[..., Any]]
) -> Generator[MapResult[Any], None, None]:
    """Interpret a batch plan's flow, yielding the results it gives (sync)."""
    value: Any = None
    try:
        while not isinstance(effect := advance(flow, value, None), Done):
            if isinstance(effect, _Give):
                value = yield effect.result
            else:
                value = handlers[type(effect)](effect)
    finally:
        flow.close()


async def adrive_giving(
    flow: Generator[Any, Any, None], handlers: dict[type, Callable[..., Awaitable[Any]]]
) -> AsyncGenerator[MapResult[Any], None]:
    """Interpret a batch plan's flow, yielding the results it gives (async)."""
    value: Any = None
    try:
        while not isinstance(effect := advance(flow, value, None), Done):
            if isinstance(effect, _Give):
                value = yield effect.result
            else:
                value = await handlers[type(effect)](effect)
    finally:
        flow.close()


class BatchMapRun(MapRun[OutputT]):
    """The iterator `Agent.map(..., mode="batch")` returns (see `MapRun`).

    The inputs are read when the map is made. Runs' tools run on a pool of `concurrency`
    threads between two batches. Left early (`close()`, a crash, Ctrl-C), the map leaves its
    batches in flight recorded in the results file: the same map run again picks them up.
    """

    def _run(self) -> Generator[MapResult[OutputT], None, None]:
        admitted = (self._plan.admit(item) for item in self._plan.inputs)  # type: ignore[union-attr]
        self._batch = BatchPlan(self._agent, self._plan, [a for a in admitted if a is not None])
        self._batches = self._agent.client.messages.batches
        return drive_giving(self._batch.flow(), self._batch.handlers(self, sleep))

    def _create(self, effect: SubmitBatch) -> str:
        return str(self._batches.create(requests=effect.requests).id)

    def _retrieve(self, effect: PollBatch) -> Any:
        return self._batches.retrieve(effect.batch_id)

    def _read(self, effect: ReadResults) -> dict[str, Any]:
        with self._batches.results(effect.batch_id) as results:
            return {line.custom_id: line.result for line in results}

    def _step_all(self, effect: StepRuns) -> dict[str, NextCall | Ended]:
        def one(step: RunStep) -> NextCall | Ended:
            return drive(self._batch.step_run(step), self._perform)

        keys = [step.key for step in effect.steps]
        workers = min(self._plan.concurrency, len(keys))
        if workers <= 1:
            return dict(zip(keys, map(one, effect.steps), strict=True))
        with ThreadPoolExecutor(workers, thread_name_prefix="agentkit-batch-map") as pool:
            return dict(zip(keys, pool.map(one, effect.steps), strict=True))

    def _perform(self, effect: CallHook | RunTools) -> Any:
        if isinstance(effect, CallHook):
            return call_maybe_async(effect.fn, *effect.args)
        options = BatchPlan.tool_options(effect)
        return self._agent.toolbox.execute_all(effect.plans, **options)


class AsyncBatchMapRun(AsyncMapRun[OutputT]):
    """The async iterator `AsyncAgent.map(..., mode="batch")` returns (see `BatchMapRun`)."""

    async def _run(self) -> AsyncGenerator[MapResult[OutputT], None]:
        source = _Source(self._plan.inputs)
        try:
            items = [admitted async for admitted in self._admitted(source)]
        finally:
            with anyio.CancelScope(shield=True):
                await source.aclose()
        self._batch = BatchPlan(self._agent, self._plan, items)
        self._batches = self._agent.client.messages.batches
        await self._agent.toolbox.aopen()
        handlers = self._batch.handlers(self, asleep)
        async with contextlib.aclosing(adrive_giving(self._batch.flow(), handlers)) as results:
            async for result in results:
                yield result

    async def _admitted(self, source: _Source) -> AsyncGenerator[tuple[int, MapInput[Any]], None]:
        while (item := await source.next()) is not _EXHAUSTED:
            if (admitted := self._plan.admit(item)) is not None:
                yield admitted

    async def _create(self, effect: SubmitBatch) -> str:
        batch = await self._batches.create(requests=effect.requests)
        return str(batch.id)

    async def _retrieve(self, effect: PollBatch) -> Any:
        return await self._batches.retrieve(effect.batch_id)

    async def _read(self, effect: ReadResults) -> dict[str, Any]:
        async with await self._batches.results(effect.batch_id) as results:
            return {line.custom_id: line.result async for line in results}

    async def _step_all(self, effect: StepRuns) -> dict[str, NextCall | Ended]:
        outcomes: dict[str, NextCall | Ended] = {}
        limiter = anyio.CapacityLimiter(self._plan.concurrency)

        async def one(step: RunStep) -> None:
            async with limiter:
                outcomes[step.key] = await adrive(self._batch.step_run(step), self._perform)

        async with anyio.create_task_group() as group:
            for step in effect.steps:
                group.start_soon(one, step)
        return outcomes

    async def _perform(self, effect: CallHook | RunTools) -> Any:
        if isinstance(effect, CallHook):
            value = effect.fn(*effect.args)
            return await value if inspect.isawaitable(value) else value
        toolbox = self._agent.toolbox
        return await toolbox.aexecute_all(effect.plans, **BatchPlan.tool_options(effect))
