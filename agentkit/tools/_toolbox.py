"""`Toolbox`: a registry of tools that runs one turn's tool calls, sync or async.

Both drivers share `plan_call` / `finish_call`; they differ only in how a function runs:
- `execute_all` (sync; `run` and `run_all` use it): a lone call to a sync tool without a
  timeout runs inline; otherwise the calls run concurrently on daemon threads (an async tool
  on its thread's own event loop). A call past its timeout is answered with an error and no
  longer waited for.
- `aexecute_all` (async, anyio; `arun` and `arun_all` use it): calls run in a task group (a
  lone call in the calling task); sync tools on worker threads (`anyio.to_thread`, abandoned
  at their timeout), async tools cancelled at their timeout.
At most `max_concurrency` calls run at once in either.
"""

from __future__ import annotations

import contextvars
import inspect
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ParamSpec, TypeAlias, TypeVar, overload

import anyio
import anyio.to_thread
from typing_extensions import Unpack

from .._exceptions import UsageError
from .._telemetry import tool_span
from .._utils import call_maybe_async
from ._calls import (
    ErrorFormatter,
    Outcome,
    Planned,
    ToolCall,
    ToolResult,
    default_error_formatter,
    finish_call,
    plan_call,
)
from ._context import ToolContext
from ._options import ToolOptions, check_option_names
from ._source import ToolSource
from ._tool import Tool

if TYPE_CHECKING:
    from .._core.loop import RunUsage
    from ..types.content import ToolUseBlock
    from ..types.params import MessageParam, ToolParam, ToolResultBlockParam

__all__ = ["Toolbox"]

P = ParamSpec("P")
R = TypeVar("R")
SourceT = TypeVar("SourceT", bound=ToolSource)

ToolUse: TypeAlias = "ToolUseBlock | Mapping[str, Any]"
"""A `tool_use` block from a response, or the same as a dict."""

_GRACE = 0.5  # seconds an async tool on a worker thread gets to honour its cancellation


class Toolbox:
    """The tools an agent offers, by name; runs the model's tool calls.

    Args:
        tools: Tools (or plain functions, made tools with default options) to register, and
            tool sources such as MCP servers (their tools join when the toolbox opens them).
        max_concurrency: At most this many calls of one turn run at once.
        format_error: Turns a tool's exception into the text the model reads (default:
            `ExceptionType: message`); replace it to redact. A replacement also tells the
            exceptions in the `agentkit.tools` log line (and those they came from).
    """

    def __init__(
        self,
        tools: Iterable[Tool[..., Any] | Callable[..., Any] | ToolSource] = (),
        *,
        max_concurrency: int = 16,
        format_error: ErrorFormatter | None = None,
    ) -> None:
        if isinstance(max_concurrency, bool) or not (
            isinstance(max_concurrency, int) and max_concurrency >= 1
        ):
            raise UsageError(f"max_concurrency must be an int >= 1, got {max_concurrency!r}.")
        self._tools: dict[str, Tool[..., Any]] = {}
        self._sources: list[ToolSource] = []
        self.max_concurrency = max_concurrency
        self.format_error: ErrorFormatter = format_error or default_error_formatter
        localns = _caller_locals()
        for item in tools:
            self._add(item, localns, ToolOptions())

    @classmethod
    def from_object(cls, obj: object, **options: Any) -> Toolbox:
        """A toolbox of the `@tool` methods of `obj` (bound to it), in definition order.

        Base classes' methods come first; `options` are `Toolbox(...)`'s keywords.
        """
        box = cls(**options)
        for klass in reversed(type(obj).__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Tool) and value.name not in box._tools:
                    box.add(getattr(obj, name))
        if not box._tools:
            raise UsageError(f"{type(obj).__name__} has no methods decorated with @tool.")
        return box

    # -- registry ------------------------------------------------------------------------------

    @overload
    def add(self, fn_or_tool: SourceT) -> SourceT: ...
    @overload
    def add(
        self, fn_or_tool: Tool[..., Any] | Callable[..., Any], **options: Unpack[ToolOptions]
    ) -> Tool[..., Any]: ...
    def add(self, fn_or_tool: Any, **options: Unpack[ToolOptions]) -> Any:
        """Register a tool (or a function, made a tool with `options`); names must be unique.

        `options` are the `ToolOptions` (for a function only). A tool source (an MCP server)
        is registered as it is; its tools join when the toolbox opens it.
        """
        check_option_names("Toolbox.add", options)
        return self._add(fn_or_tool, _caller_locals(), options)

    def _add(
        self,
        fn_or_tool: Tool[..., Any] | Callable[..., Any] | ToolSource,
        localns: dict[str, Any] | None,
        options: ToolOptions,
    ) -> Any:
        if isinstance(fn_or_tool, Tool) and options:
            raise UsageError("options apply to functions; this is already a Tool.")
        if not isinstance(fn_or_tool, Tool) and isinstance(fn_or_tool, ToolSource):
            if options:
                raise UsageError("options apply to functions, not to a tool source.")
            self._sources.append(fn_or_tool)
            return fn_or_tool
        item = (
            fn_or_tool
            if isinstance(fn_or_tool, Tool)
            else Tool.from_function(fn_or_tool, localns=localns, **options)
        )
        if item.name in self._tools:
            raise UsageError(
                f"a tool named {item.name!r} is already registered; tool names must be unique "
                "(pass name='...' to rename one)."
            )
        self._tools[item.name] = item
        return item

    @overload
    def tool(self, fn: Callable[P, R], /) -> Tool[P, R]: ...
    @overload
    def tool(self, /, **options: Unpack[ToolOptions]) -> Callable[[Callable[P, R]], Tool[P, R]]: ...
    def tool(self, fn: Callable[..., Any] | None = None, /, **options: Unpack[ToolOptions]) -> Any:
        """Decorator: `@tools.tool` or `@tools.tool(**options)` defines and registers.

        `options` are the `ToolOptions`, as for `@tool`.
        """
        check_option_names("Toolbox.tool", options)
        localns = _caller_locals()  # like @tool: types local to the caller resolve
        if fn is not None:
            return self._add(fn, localns, options)
        return lambda func: self._add(func, localns, options)

    def __getitem__(self, name: str) -> Tool[..., Any]:
        return self._all()[name]

    def __contains__(self, name: object) -> bool:
        return name in self._all()

    def __iter__(self) -> Iterator[Tool[..., Any]]:
        return iter(self._all().values())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"Toolbox({sorted(self._all())})"

    @property
    def names(self) -> list[str]:
        """The tool names, in registration order (a source's once it is open)."""
        return list(self._all())

    def params(self) -> list[ToolParam]:
        """The `tools` parameter for the API (opens the tool sources first)."""
        self.open()
        return [t.to_param() for t in self._all().values()]

    # -- tool sources ------------------------------------------------------------------------

    @property
    def sources(self) -> list[ToolSource]:
        """The tool sources (e.g. MCP servers), in registration order."""
        return list(self._sources)

    def _all(self) -> dict[str, Tool[..., Any]]:
        """Every tool by name: the toolbox's own, then each source's; a clash is an error."""
        if not self._sources:
            return self._tools
        merged = dict(self._tools)
        owners = dict.fromkeys(merged, "a tool of this toolbox")
        for source in self._sources:
            for item in source.tools():
                if item.name in merged:
                    raise UsageError(
                        f"two tools are named {item.name!r}: one from {source.label}, one from "
                        f"{owners[item.name]}; tool names must be unique (give the MCP server "
                        "a prefix=, or leave one out with include= / exclude=)."
                    )
                merged[item.name] = item
                owners[item.name] = source.label
        return merged

    def open(self) -> None:
        """Open the tool sources not open yet (connect to MCP servers); blocks until done."""
        for source in self._sources:
            source.open()
        self._all()  # name clashes surface now

    async def aopen(self) -> None:
        """Async `open`, without blocking the event loop."""
        for source in self._sources:
            await source.aopen()
        self._all()

    def close(self) -> None:
        """Close the tool sources opened on first use (an agent's `close` calls this)."""
        for source in reversed(self._sources):
            source.close()

    async def aclose(self) -> None:
        """Async `close`."""
        for source in reversed(self._sources):
            await source.aclose()

    # -- planning (shared) ---------------------------------------------------------------------

    def plan(self, block: ToolUse | ToolCall) -> Planned | ToolResult:
        """Validate one call: ready to run, or already answered with an error."""
        call = block if isinstance(block, ToolCall) else ToolCall.from_block(block)
        if self._sources:
            self.open()
        return plan_call(self._all(), call)

    def _context(
        self, deps: Any, messages: Sequence[MessageParam], usage: RunUsage | None
    ) -> ToolContext[Any]:
        return ToolContext(deps=deps, messages=tuple(messages), usage=usage)

    # -- sync driver -----------------------------------------------------------------------------

    def run(self, block: ToolUse, **context: Any) -> ToolResultBlockParam:
        """Run one tool call; the `tool_result` block (errors become `is_error` results).

        Keyword arguments `deps`, `messages`, `usage` fill the `ToolContext`.
        """
        return self.execute_all([block], **context)[0].to_param()

    def run_all(self, blocks: Iterable[ToolUse], **context: Any) -> list[ToolResultBlockParam]:
        """Run one turn's tool calls concurrently; results in the order of the calls."""
        return [r.to_param() for r in self.execute_all(blocks, **context)]

    def execute_all(
        self,
        blocks: Iterable[ToolUse | Planned | ToolResult],
        *,
        deps: Any = None,
        messages: Sequence[MessageParam] = (),
        usage: RunUsage | None = None,
        max_concurrency: int | None = None,
        on_result: Callable[[ToolResult], None] | None = None,
    ) -> list[ToolResult]:
        """Like `run_all`, returning `ToolResult`s (output, duration, exception).

        `blocks` may include calls already planned (`plan`) or answered; `max_concurrency`
        overrides the toolbox's limit for this turn; `on_result` gets each call's result as
        soon as that call ends (in the calling thread).
        """
        plans = [b if isinstance(b, (Planned, ToolResult)) else self.plan(b) for b in blocks]
        context = self._context(deps, messages, usage)
        runnable = [p for p in plans if isinstance(p, Planned)]
        results = _Results(self.format_error, on_result)
        if len(runnable) == 1 and runnable[0].tool.timeout is None and _blocking(runnable[0]):
            results.add(runnable[0], _run_inline(runnable[0], context))
        else:
            _run_threads(runnable, context, max_concurrency or self.max_concurrency, results.add)
        return results.ordered(plans)

    # -- async driver ----------------------------------------------------------------------------

    async def arun(self, block: ToolUse, **context: Any) -> ToolResultBlockParam:
        """Async `run`."""
        return (await self.aexecute_all([block], **context))[0].to_param()

    async def arun_all(
        self, blocks: Iterable[ToolUse], **context: Any
    ) -> list[ToolResultBlockParam]:
        """Async `run_all`: calls run concurrently in a task group."""
        return [r.to_param() for r in await self.aexecute_all(blocks, **context)]

    async def aexecute_all(
        self,
        blocks: Iterable[ToolUse | Planned | ToolResult],
        *,
        deps: Any = None,
        messages: Sequence[MessageParam] = (),
        usage: RunUsage | None = None,
        max_concurrency: int | None = None,
        on_result: Callable[[ToolResult], None] | None = None,
    ) -> list[ToolResult]:
        """Async `execute_all`."""
        if self._sources:
            await self.aopen()
        plans = [b if isinstance(b, (Planned, ToolResult)) else self.plan(b) for b in blocks]
        context = self._context(deps, messages, usage)
        results = _Results(self.format_error, on_result)
        runnable = [p for p in plans if isinstance(p, Planned)]
        if len(runnable) == 1:  # a lone call needs no task group: it runs in this task
            results.add(runnable[0], await _arun(runnable[0], context))
            return results.ordered(plans)
        limiter = anyio.CapacityLimiter(max_concurrency or self.max_concurrency)

        async def one(planned: Planned) -> None:
            async with limiter:
                results.add(planned, await _arun(planned, context))

        async with anyio.create_task_group() as group:
            for plan in runnable:
                group.start_soon(one, plan)
        return results.ordered(plans)


class _Results:
    """One turn's results as the calls end; `on_result` hears of each at once.

    An error of `on_result` (a journal that cannot record) is raised once every call has
    ended, so it never abandons a running call.
    """

    def __init__(
        self, format_error: ErrorFormatter, on_result: Callable[[ToolResult], None] | None
    ) -> None:
        self.format_error = format_error
        self.on_result = on_result
        self.done: dict[int, ToolResult] = {}
        self.error: Exception | None = None

    def add(self, planned: Planned, outcome: Outcome) -> None:
        result = finish_call(planned, outcome, self.format_error)
        self.done[id(planned)] = result
        if self.on_result is not None and self.error is None:
            try:
                self.on_result(result)
            except Exception as exc:
                self.error = exc

    def ordered(self, plans: list[Planned | ToolResult]) -> list[ToolResult]:
        if self.error is not None:
            raise self.error
        return [self.done[id(p)] if isinstance(p, Planned) else p for p in plans]


def _caller_locals() -> dict[str, Any] | None:
    """The local names of the code calling a `Toolbox` method (for string annotations)."""
    frame = sys._getframe(2)
    return dict(frame.f_locals) if frame.f_locals is not frame.f_globals else None


def _blocking(planned: Planned) -> bool:
    """Whether the sync driver can call the tool without an event loop of its own."""
    return not planned.tool.is_async or planned.tool.sync_fn is not None


def _run_inline(planned: Planned, context: ToolContext[Any]) -> Outcome:
    outcome = Outcome()
    args, kwargs = planned.arguments(context)
    with tool_span(planned.call, outcome):
        try:
            fn = planned.tool.sync_fn or planned.tool.fn
            outcome.value = call_maybe_async(fn, *args, **kwargs)
        except Exception as exc:
            outcome.exception = exc
    outcome.ended = time.perf_counter()
    return outcome


def _run_threads(
    plans: list[Planned],
    context: ToolContext[Any],
    limit: int,
    ended: Callable[[Planned, Outcome], None],
) -> None:
    """Run the calls on daemon threads, at most `limit` at once.

    `ended` hears of each outcome (in this thread) as soon as it is known.

    A call's timeout counts from its start; past it, the call is answered as timed out and its
    thread is no longer waited for (its slot goes to the next call), so a turn takes about as
    long as its slowest call within its timeout, not the sum of the timeouts.
    """
    changed = threading.Event()  # set by a thread when its call finishes
    queue = list(plans)
    running: list[tuple[Planned, list[Outcome], float]] = []
    while queue or running:
        while queue and len(running) < limit:
            planned = queue.pop(0)
            slot: list[Outcome] = []
            target = partial(_thread_main, planned, context, slot, changed)
            thread = threading.Thread(  # in a copy of this context: the current span goes too
                target=contextvars.copy_context().run,
                args=(target,),
                name=f"agentkit-tool-{planned.call.name}",
                daemon=True,
            )
            running.append((planned, slot, time.perf_counter()))
            thread.start()
        changed.clear()
        now = time.perf_counter()
        still: list[tuple[Planned, list[Outcome], float]] = []
        wake: float | None = None
        for planned, slot, started in running:
            deadline = _deadline(planned, started)
            if slot:
                ended(planned, slot[0])
            elif deadline is not None and now >= deadline:
                ended(planned, Outcome(timed_out=True, started=started, ended=now))
            else:
                still.append((planned, slot, started))
                if deadline is not None:
                    wake = deadline if wake is None else min(wake, deadline)
        if len(still) == len(running):  # nothing finished: wait for a call or a deadline
            changed.wait(None if wake is None else max(0.0, wake - now))
        running = still


def _deadline(planned: Planned, started: float) -> float | None:
    timeout = planned.tool.timeout
    if timeout is None:
        return None
    # an async tool is cancelled at its timeout on its own event loop; give it time to stop
    return started + timeout + (_GRACE if planned.tool.is_async else 0)


def _thread_main(
    planned: Planned, context: ToolContext[Any], slot: list[Outcome], changed: threading.Event
) -> None:
    started = time.perf_counter()
    try:
        if not _blocking(planned):
            _forget_event_loop()
            outcome = anyio.run(_arun, planned, context)
        else:
            outcome = _run_inline(planned, context)
    except BaseException as exc:  # never leave the caller waiting for this call
        outcome = Outcome(exception=exc, started=started, ended=time.perf_counter())
    slot.append(outcome)
    changed.set()


def _forget_event_loop() -> None:
    """This thread runs its own event loop, whatever its copied context says.

    The thread starts in a copy of the caller's context (the current span goes with it); when
    the caller is a sync agent called from inside an event loop, that copy also names the
    caller's async library (sniffio's context variable), and `anyio.run` would refuse to start.
    """
    try:
        import sniffio
    except ImportError:  # pragma: no cover - anyio then looks for a running loop only
        return
    sniffio.current_async_library_cvar.set(None)


def _boxed(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any]:
    return (fn(*args, **kwargs),)


async def _arun(planned: Planned, context: ToolContext[Any]) -> Outcome:
    """Run one call under its timeout; a sync function goes to a worker thread."""
    outcome = Outcome()
    args, kwargs = planned.arguments(context)
    tool = planned.tool
    with tool_span(planned.call, outcome):
        with anyio.move_on_after(tool.timeout) as scope:
            try:
                if tool.is_async:
                    value = await tool.fn(*args, **kwargs)
                else:  # on a worker thread, in a copy of this context (anyio copies it)
                    # boxed: trio refuses a worker-thread function that returns a coroutine
                    call = partial(_boxed, tool.fn, args, kwargs)
                    (value,) = await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
                if inspect.isawaitable(value):
                    value = await value
                outcome.value = value
            except Exception as exc:
                outcome.exception = exc
        outcome.timed_out = scope.cancelled_caught
    outcome.ended = time.perf_counter()
    return outcome
