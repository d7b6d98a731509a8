"""`Agent` and `AsyncAgent`: the I/O drivers around the sans-IO `AgentLoop`.

Each driver only sends requests, runs tools and calls hooks; every decision is the loop's.
`run()` is `stream()` without the text events, so both share one code path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Sequence
from typing import Any

from .._client import Anthropic, AsyncAnthropic
from .._core.accumulate import TextEvent, ThinkingEvent
from .._core.loop import AgentLoop, CallModel, Finish, RunTools
from .._exceptions import APIError
from .._utils import call_maybe_async
from ..tools._calls import Planned, ToolResult
from ..types.message import Message
from ..types.params import MessageParam
from ._base import AgentBase
from ._events import (
    AgentEvent,
    RunFinished,
    TextChunk,
    ThinkingChunk,
    ToolCallFinished,
    ToolCallStarted,
    TurnFinished,
)
from ._hooks import plan_tool_calls
from ._result import RunResult

__all__ = ["Agent", "AsyncAgent"]

Prompt = str | Sequence[Any] | None


class Agent(AgentBase[Anthropic]):
    """A tool-using agent: sends messages, runs the tools the model calls, and repeats.

    Args:
        client: The `Anthropic` client (default: one from the environment).
        model: The model id.
        tools: `@tool` functions, `Tool`s, plain functions, a `Toolbox`, or tool definition
            dicts for tools the API runs (e.g. web search).
        system: The system prompt (text or text blocks).
        max_tokens: Per response.
        max_turns: Most model responses per run before it stops with `"max_turns"`.
        tool_choice: The API's `tool_choice` (checked against the tools now).
        thinking: The API's `thinking` configuration.
        deps: Dependencies handed to tools through `ToolContext.deps`.
        hooks: `Hooks` (before/after tool calls, on each turn, approval).
        cache: Mark the tools and system prompt for prompt caching.
        raise_on_limit: Raise `RunLimitExceeded` instead of returning at a limit.
        max_input_tokens: Token budget for the run's input (cache included).
        max_output_tokens: Token budget for the run's output.
        max_total_tokens: Token budget for input plus output.
        **create_params: More `messages.create` parameters (metadata, stop_sequences, ...).
    """

    def _default_client(self) -> Anthropic:
        return Anthropic()

    def run(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Sequence[MessageParam] | None = None,
        deps: Any = None,
    ) -> RunResult:
        """Run until the model stops (or a limit).

        Args:
            prompt_or_content: The user's message: text or content blocks. May be left out
                when `messages` ends with a user turn (resuming a run).
            messages: An earlier history (e.g. `previous.messages`) to continue.
            deps: Dependencies for this run's tools (default: the agent's `deps`).
        """
        for event in self._drive(prompt_or_content, messages, deps, streaming=False):
            if isinstance(event, RunFinished):
                return event.result
        raise AssertionError("unreachable: a run always finishes")  # pragma: no cover

    def stream(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Sequence[MessageParam] | None = None,
        deps: Any = None,
    ) -> Generator[AgentEvent, None, None]:
        """Run, yielding text as it streams, tool calls as they happen, and the result."""
        yield from self._drive(prompt_or_content, messages, deps, streaming=True)

    def _drive(
        self,
        prompt: Prompt,
        messages: Sequence[MessageParam] | None,
        deps: Any,
        *,
        streaming: bool,
    ) -> Generator[AgentEvent, None, None]:
        loop = self.start(prompt, messages)
        deps = self.deps if deps is None else deps
        while True:
            step = loop.next_step()
            if isinstance(step, Finish):
                yield RunFinished(self.finish(step))
                return
            if isinstance(step, CallModel):
                try:
                    message = yield from self._call_model(step, streaming)
                except APIError as exc:
                    exc.run_state = self.error_state(loop.state)
                    raise
                loop.on_response(message)
                if self.hooks.on_turn is not None:
                    call_maybe_async(self.hooks.on_turn, message)
                yield TurnFinished(message)
            else:
                results = yield from self._run_tools(loop, step, deps)
                loop.on_tool_results(results)

    def _call_model(self, step: CallModel, streaming: bool) -> Generator[AgentEvent, None, Message]:
        if not streaming and not self.needs_streaming():
            message: Message = self.client.messages.create(**step.params)
            return message
        with self.client.messages.stream(**step.params) as stream:
            for event in stream:
                if isinstance(event, TextEvent):
                    yield TextChunk(event.text)
                elif isinstance(event, ThinkingEvent):
                    yield ThinkingChunk(event.thinking)
            return stream.get_final_message()

    def _run_tools(
        self, loop: AgentLoop, step: RunTools, deps: Any
    ) -> Generator[AgentEvent, None, list[ToolResult]]:
        hooks = self.hooks
        planning = plan_tool_calls(hooks, self.toolbox, step.calls)
        try:
            request = next(planning)
            while True:
                request = planning.send(call_maybe_async(request.fn, *request.args))
        except StopIteration as done:
            plans: list[Planned | ToolResult] = done.value
        for plan in plans:
            yield ToolCallStarted(plan.call)
        state = loop.state
        results = self.toolbox.execute_all(
            plans, deps=deps, messages=state.messages, usage=state.usage
        )
        for result in results:
            if hooks.after_tool_call is not None:
                call_maybe_async(hooks.after_tool_call, result.call, result)
            yield ToolCallFinished(result)
        return results


class AsyncAgent(AgentBase[AsyncAnthropic]):
    """The async twin of `Agent` (same arguments; `client` is an `AsyncAnthropic`)."""

    def _default_client(self) -> AsyncAnthropic:
        return AsyncAnthropic()

    async def run(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Sequence[MessageParam] | None = None,
        deps: Any = None,
    ) -> RunResult:
        """Run until the model stops (or a limit).

        Args:
            prompt_or_content: The user's message: text or content blocks. May be left out
                when `messages` ends with a user turn (resuming a run).
            messages: An earlier history (e.g. `previous.messages`) to continue.
            deps: Dependencies for this run's tools (default: the agent's `deps`).
        """
        async for event in self._drive(prompt_or_content, messages, deps, streaming=False):
            if isinstance(event, RunFinished):
                return event.result
        raise AssertionError("unreachable: a run always finishes")  # pragma: no cover

    async def stream(
        self,
        prompt_or_content: Prompt = None,
        *,
        messages: Sequence[MessageParam] | None = None,
        deps: Any = None,
    ) -> AsyncIterator[AgentEvent]:
        """Run, yielding text as it streams, tool calls as they happen, and the result."""
        async for event in self._drive(prompt_or_content, messages, deps, streaming=True):
            yield event

    async def _drive(
        self,
        prompt: Prompt,
        messages: Sequence[MessageParam] | None,
        deps: Any,
        *,
        streaming: bool,
    ) -> AsyncIterator[AgentEvent]:
        loop = self.start(prompt, messages)
        deps = self.deps if deps is None else deps
        while True:
            step = loop.next_step()
            if isinstance(step, Finish):
                yield RunFinished(self.finish(step))
                return
            if isinstance(step, CallModel):
                events: list[AgentEvent] = []
                try:
                    async for event in self._call_model(step, streaming, events):
                        yield event
                except APIError as exc:
                    exc.run_state = self.error_state(loop.state)
                    raise
                message = events[-1].message  # type: ignore[union-attr]
                loop.on_response(message)
                if self.hooks.on_turn is not None:
                    await _maybe_await(self.hooks.on_turn(message))
                yield TurnFinished(message)
            else:
                results: list[ToolResult] = []
                async for event in self._run_tools(loop, step, deps, results):
                    yield event
                loop.on_tool_results(results)

    async def _call_model(
        self, step: CallModel, streaming: bool, out: list[AgentEvent]
    ) -> AsyncIterator[AgentEvent]:
        """Yields the text events; appends a `TurnFinished` carrying the message to `out`."""
        if not streaming and not self.needs_streaming():
            out.append(TurnFinished(await self.client.messages.create(**step.params)))
            return
        async with self.client.messages.stream(**step.params) as stream:
            async for event in stream:
                if isinstance(event, TextEvent):
                    yield TextChunk(event.text)
                elif isinstance(event, ThinkingEvent):
                    yield ThinkingChunk(event.thinking)
            out.append(TurnFinished(await stream.get_final_message()))

    async def _run_tools(
        self, loop: AgentLoop, step: RunTools, deps: Any, out: list[ToolResult]
    ) -> AsyncIterator[AgentEvent]:
        hooks = self.hooks
        planning = plan_tool_calls(hooks, self.toolbox, step.calls)
        try:
            request = next(planning)
            while True:
                request = planning.send(await _maybe_await(request.fn(*request.args)))
        except StopIteration as done:
            plans: list[Planned | ToolResult] = done.value
        for plan in plans:
            yield ToolCallStarted(plan.call)
        state = loop.state
        results = await self.toolbox.aexecute_all(
            plans, deps=deps, messages=state.messages, usage=state.usage
        )
        for result in results:
            if hooks.after_tool_call is not None:
                await _maybe_await(hooks.after_tool_call(result.call, result))
            yield ToolCallFinished(result)
        out.extend(results)


async def _maybe_await(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value
