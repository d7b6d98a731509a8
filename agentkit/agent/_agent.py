"""`Agent` and `AsyncAgent`: the drivers of an agent run.

A run is written once (`AgentBase.run_flow`); each agent only performs the effects it yields:
it calls the model (streaming text to the caller as it arrives), calls hooks, runs tools, and
hands events to the caller. `run()` is `stream()` without the caller seeing the events.
"""

from __future__ import annotations

import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager, AsyncExitStack, aclosing, closing
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import Self, Unpack

from .._core.effects import CallHook, CallModel, Emit, RequestTiming
from .._drive import Done, advance
from .._types import AsyncClosingContext
from .._utils import call_maybe_async
from ._base import AgentBase, DepsT, OutputT, Prompt, RunFlow, resolve_client
from ._events import AgentEvent, RunFinished
from ._output import relay_text
from ._result import RunResult

if TYPE_CHECKING:  # the client loads when an agent is made; the map machinery on first map
    from .._client import Anthropic, AsyncAnthropic
    from ..types.message import Message
    from ..types.params import MessageParam
    from ._map import AsyncMapRun, MapOptions, MapResult, MapRun, MapSummary

__all__ = ["Agent", "AsyncAgent"]


class Agent(AgentBase["Anthropic", DepsT, OutputT], Generic[DepsT, OutputT]):
    """A tool-using agent: sends messages, runs the tools the model calls, and repeats.

    Args:
        client: The `Anthropic` client (default: one from the environment). An offline model
            from `agentkit.testing` (e.g. `TestModel()`) is shorthand for its `model.client()`.
        model: The model id.
        tools: `@tool` functions, `Tool`s, plain functions, a `Toolbox`, MCP servers
            (`agentkit.mcp`; opened on first use, closed by `close()`), or tool definition
            dicts for tools the API runs (e.g. web search).
        system: The system prompt (text or text blocks).
        max_tokens: Per response.
        max_turns: Most model turns per run before it stops with `"max_turns"` (a
            `pause_turn` continuation is part of the turn it continues).
        tool_choice: The API's `tool_choice` (checked against the tools now).
        thinking: The API's `thinking` configuration.
        deps: Dependencies handed to tools through `ToolContext.deps`.
        hooks: `Hooks` (before/after tool calls, on each turn, approval).
        cache: Mark the tools and system prompt for prompt caching.
        raise_on_limit: Raise `RunLimitExceeded` instead of returning at a limit.
        max_input_tokens: Token budget for the run's input (cache included).
        max_output_tokens: Token budget for the run's output.
        max_total_tokens: Token budget for input plus output.
        output_type: The type of the run's output (a pydantic model, dataclass, TypedDict,
            `list[...]`, `Literal[...]`, a union of models, a primitive): `result.output` is
            validated to it. Without one, `result.output` is the final text.
        output_mode: `"tool"` (default): the model answers by calling an output tool whose
            input schema is the type's; `"native"`: the API's structured outputs (the final
            text is the JSON).
        output_retries: How many times invalid output is sent back to the model with every
            problem before `OutputValidationError` is raised.
        journal: A `Journal`: every step of a run is recorded before the next one starts, and
            running a `run_id` again resumes it (see the "Durable runs" guide).
        name: The agent's name, in its spans (`invoke_agent {name}`).
        instrument: Emit OpenTelemetry spans when `opentelemetry-api` is installed (see the
            "Observability" guide); False turns them off for this agent.
        capture_content: Record messages and tool arguments and results in the spans (default:
            `agentkit.otel.configure(capture_content=...)`, else the environment variable
            `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`).
        **create_params: More `messages.create` parameters (metadata, stop_sequences, ...).
    """

    def _default_client(self) -> Anthropic:
        from .._client import Anthropic

        return Anthropic()

    def _accept_client(self, client: object) -> Anthropic:
        from .._client import Anthropic, AsyncAnthropic

        return resolve_client(  # type: ignore[no-any-return]
            client, agent="Agent", wanted=Anthropic, other=AsyncAnthropic, factory="client"
        )

    def close(self) -> None:
        """Close the tool sources (MCP servers) opened on first use; the client stays open."""
        self.toolbox.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Sequence[MessageParam] | None = None,
        deps: DepsT | None = None,
        run_id: str | None = None,
    ) -> RunResult[OutputT]:
        """Run until the model stops (or a limit).

        Args:
            prompt_or_content: The user's message: text or content blocks. May be left out
                when `messages` ends with a user turn (resuming a run), or when resuming a
                journaled run.
            messages: An earlier history (e.g. `previous.messages`) to continue.
            deps: Dependencies for this run's tools (default: the agent's `deps`).
            run_id: The run's id in the agent's `journal`: running an id again resumes it.
        """
        flow = self.run_flow(prompt_or_content, messages, deps, streaming=False, run_id=run_id)
        return _result_of(self._drive(flow))

    def stream(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Sequence[MessageParam] | None = None,
        deps: DepsT | None = None,
        run_id: str | None = None,
    ) -> Generator[AgentEvent, None, None]:
        """Run, yielding text as it streams, tool calls as they happen, and the result."""
        flow = self.run_flow(prompt_or_content, messages, deps, streaming=True, run_id=run_id)
        return self._drive(flow)

    def map(self, inputs: Iterable[Any], **options: Unpack[MapOptions]) -> MapRun[OutputT]:
        """Run the agent over many inputs concurrently; see the "Running many inputs" guide.

        Args:
            inputs: Prompts, content lists or `MapInput`s; any iterable, taken lazily (in
                batch mode, all at the start).
            **options: `MapOptions`: `concurrency`, `ordered`, `output` (a resumable results
                file), `progress`, `on_result`, `rate_limiter`, `journal`, `map_id`, `mode`
                (`"live"` or `"batch"`), `poll_interval`, `max_poll_interval`.

        Returns:
            An iterator of `MapResult`s; its `.summary` is complete once it is exhausted.
        """
        return _start_map(self, inputs, options, is_async=False)  # type: ignore[no-any-return]

    def map_all(
        self, inputs: Iterable[Any], **options: Unpack[MapOptions]
    ) -> tuple[list[MapResult[OutputT]], MapSummary]:
        """`map` to the end: every result (in input order by default) and the summary."""
        from ._map import collect

        options.setdefault("ordered", True)
        return collect(self.map(inputs, **options))

    def _drive(self, flow: RunFlow) -> Generator[AgentEvent, None, None]:
        """Perform the run's effects, handing its events to the caller."""
        value: Any = None
        error: Exception | None = None
        # a run left midway (the caller stopped, or a BaseException) is closed: its journal,
        # if any, lets go of the run at once; the run's span, if any, ends
        with self._start_telemetry() as run, closing(flow):
            while not isinstance(effect := advance(flow, value, error), Done):
                value, error = None, None
                try:
                    if isinstance(effect, Emit):
                        yield run.saw(effect.event)
                    elif isinstance(effect, CallModel):
                        with RequestTimer(effect) as timer:
                            chat = run.chat(effect.params, effect.stream)
                            value = yield from chat.attach(self._call_model(effect, timer))
                    elif isinstance(effect, CallHook):
                        with run.attached():
                            value = call_maybe_async(effect.fn, *effect.args)
                    else:
                        with run.attached():
                            value = self.toolbox.execute_all(
                                effect.plans,
                                deps=effect.deps,
                                messages=effect.messages,
                                usage=effect.usage,
                                on_result=effect.on_result,
                            )
                except Exception as exc:
                    error = exc

    def _call_model(
        self, effect: CallModel, timer: RequestTimer
    ) -> Generator[AgentEvent, None, Message]:
        if not effect.stream:
            raw = self.client.messages.with_raw_response.create(**effect.params)
            timer.retries = raw.retries_taken
            message: Message = raw.parse()
            return message
        relay = effect.relay or relay_text
        with self.client.messages.stream(**effect.params) as stream:
            for event in stream:
                yield from relay(event)
            timer.retries = stream.retries_taken
            final: Message = stream.get_final_message()
            return final


class AsyncAgent(AgentBase["AsyncAnthropic", DepsT, OutputT], Generic[DepsT, OutputT]):
    """The async twin of `Agent` (same arguments; `client` is an `AsyncAnthropic`).

    An offline model from `agentkit.testing` is shorthand for its `model.async_client()`.
    """

    _opened: AsyncExitStack | None = None  # the tool sources `async with agent:` opened

    def _default_client(self) -> AsyncAnthropic:
        from .._client import AsyncAnthropic

        return AsyncAnthropic()

    def _accept_client(self, client: object) -> AsyncAnthropic:
        from .._client import Anthropic, AsyncAnthropic

        return resolve_client(  # type: ignore[no-any-return]
            client,
            agent="AsyncAgent",
            wanted=AsyncAnthropic,
            other=Anthropic,
            factory="async_client",
        )

    async def close(self) -> None:
        """Close the tool sources (MCP servers) opened on first use; the client stays open."""
        await self.toolbox.aclose()

    async def __aenter__(self) -> Self:
        """Open the tool sources (MCP servers) not open yet in this task, for the block."""
        stack = AsyncExitStack()
        try:
            for source in self.toolbox.sources:
                if isinstance(source, AbstractAsyncContextManager) and not source.is_open:
                    await stack.enter_async_context(source)
        except BaseException:
            await stack.aclose()
            raise
        self._opened = stack
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        opened, self._opened = self._opened, None
        if opened is not None:
            await opened.aclose()
        await self.close()

    async def run(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Sequence[MessageParam] | None = None,
        deps: DepsT | None = None,
        run_id: str | None = None,
    ) -> RunResult[OutputT]:
        """Run until the model stops (or a limit); see `Agent.run`."""
        flow = self.run_flow(prompt_or_content, messages, deps, streaming=False, run_id=run_id)
        result = None
        async for event in self._drive(flow):  # to the end: nothing is left to finalise
            if isinstance(event, RunFinished):
                result = event.result
        return _finished(result)

    def stream(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Sequence[MessageParam] | None = None,
        deps: DepsT | None = None,
        run_id: str | None = None,
    ) -> AsyncAgentStream:
        """Run, yielding text as it streams, tool calls as they happen, and the result.

        `async for event in agent.stream(...)`; to leave before the end, use
        `async with agent.stream(...) as events:` (or call `aclose()`): the run stops, its
        connection is released and its span ends at once, not when the garbage collector
        finds it (trio warns about an async generator left to it).
        """
        flow = self.run_flow(prompt_or_content, messages, deps, streaming=True, run_id=run_id)
        return AsyncAgentStream(self._drive(flow))

    def map(
        self, inputs: Iterable[Any] | AsyncIterable[Any], **options: Unpack[MapOptions]
    ) -> AsyncMapRun[OutputT]:
        """Run the agent over many inputs concurrently (an async iterator); see `Agent.map`.

        `inputs` may be an async iterable too. Leaving early: `async with agent.map(...)`.
        """
        return _start_map(self, inputs, options, is_async=True)  # type: ignore[no-any-return]

    async def map_all(
        self, inputs: Iterable[Any] | AsyncIterable[Any], **options: Unpack[MapOptions]
    ) -> tuple[list[MapResult[OutputT]], MapSummary]:
        """`map` to the end: every result (in input order by default) and the summary."""
        from ._map import acollect

        options.setdefault("ordered", True)
        return await acollect(self.map(inputs, **options))

    async def _drive(self, flow: RunFlow) -> AsyncGenerator[AgentEvent, None]:
        """Perform the run's effects, handing its events to the caller."""
        await self.toolbox.aopen()  # MCP servers connect without blocking the event loop
        value: Any = None
        error: Exception | None = None
        with self._start_telemetry() as run, closing(flow):  # see Agent._drive
            while not isinstance(effect := advance(flow, value, error), Done):
                value, error = None, None
                try:
                    if isinstance(effect, Emit):
                        yield run.saw(effect.event)
                    elif isinstance(effect, CallModel):
                        final: list[Message] = []  # the response, once it is complete
                        with RequestTimer(effect) as timer:
                            chat = run.chat(effect.params, effect.stream)
                            steps = chat.aattach(self._call_model(effect, final, timer), final)
                            async with aclosing(steps):
                                async for out in steps:
                                    yield out
                        value = final[0]
                    elif isinstance(effect, CallHook):
                        with run.attached():
                            value = await _maybe_await(effect.fn(*effect.args))
                    else:
                        with run.attached():
                            value = await self.toolbox.aexecute_all(
                                effect.plans,
                                deps=effect.deps,
                                messages=effect.messages,
                                usage=effect.usage,
                                on_result=effect.on_result,
                            )
                except Exception as exc:
                    error = exc

    async def _call_model(
        self, effect: CallModel, final: list[Message], timer: RequestTimer
    ) -> AsyncGenerator[AgentEvent, None]:
        """One model request: its events as they stream; the response put in `final`."""
        if not effect.stream:
            raw = await self.client.messages.with_raw_response.create(**effect.params)
            timer.retries = raw.retries_taken
            final.append(raw.parse())
            return
        relay = effect.relay or relay_text
        async with self.client.messages.stream(**effect.params) as stream:
            async for event in stream:
                for out in relay(event):
                    yield out
            timer.retries = stream.retries_taken
            final.append(await stream.get_final_message())


class RequestTimer:
    """Times one model request for the run timeline: a wall-clock start, a monotonic duration."""

    __slots__ = ("effect", "retries", "start", "started_at")

    def __init__(self, effect: CallModel) -> None:
        self.effect = effect
        self.started_at = time.time()
        self.start = time.perf_counter()
        self.retries: int | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Hand the timing to the run (the request answered or failed)."""
        if self.effect.on_timing is not None:
            duration = time.perf_counter() - self.start
            self.effect.on_timing(RequestTiming(self.started_at, duration, self.retries))


def _result_of(events: Generator[AgentEvent, None, None]) -> RunResult[Any]:
    result = None
    for event in events:  # to the end: nothing is left to finalise
        if isinstance(event, RunFinished):
            result = event.result
    return _finished(result)


def _finished(result: RunResult[Any] | None) -> RunResult[Any]:
    if result is None:  # pragma: no cover - a run's flow always ends with RunFinished
        raise AssertionError("the run ended without a result")
    return result


async def _maybe_await(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value


def _start_map(agent: Any, inputs: Any, options: Mapping[str, Any], *, is_async: bool) -> Any:
    """The run of `agent.map(inputs, **options)`: live or batch mode, sync or async.

    The map machinery is imported here, on the first map (not with the agent).
    """
    from ._map import AsyncMapRun, MapPlan, MapRun

    plan = MapPlan(inputs, client=agent.client, **options)
    if plan.mode == "batch":
        from ._batch_map import AsyncBatchMapRun, BatchMapRun

        return (AsyncBatchMapRun if is_async else BatchMapRun)(agent, plan)
    return (AsyncMapRun if is_async else MapRun)(agent, plan)


class AsyncAgentStream(AsyncClosingContext):
    """The events of `AsyncAgent.stream()`: iterate with `async for`, close with `async with`.

    Iterating it iterates the run's own async generator (nothing in between per event).
    """

    __slots__ = ("_events",)

    def __init__(self, events: AsyncGenerator[AgentEvent, None]) -> None:
        self._events = events

    def __aiter__(self) -> AsyncGenerator[AgentEvent, None]:
        return self._events

    async def __anext__(self) -> AgentEvent:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stop the run (if not finished) and release what it holds."""
        await self._events.aclose()

    async def close(self) -> None:
        """The same as `aclose()`."""
        await self.aclose()
