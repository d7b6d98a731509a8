"""What `Agent` and `AsyncAgent` share: configuration, checks, and the run itself.

A run is written once, as `AgentBase.run_flow`: a generator that asks for the effects it needs
(`CallModel`, `CallHook`, `RunTools`, `Emit`; see `agentkit._core.effects`) and receives their
results. `Agent` performs them synchronously, `AsyncAgent` with `await`; every decision is the
flow's, or the sans-IO `AgentLoop`'s.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Generator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias

from typing_extensions import TypeVar

from .._core.effects import CallHook, CallModel, Emit, RunTools
from .._core.loop import AgentLoop, Finish, LoopState, UsageLimits, append_user_content
from .._core.request import NON_STREAMING_MAX_SECONDS, expected_seconds
from .._exceptions import APIError, UsageError
from ..tools._tool import Tool
from ..tools._toolbox import Toolbox
from ._events import RunFinished, ToolCallFinished, ToolCallStarted, TurnFinished
from ._hooks import Hooks, plan_tool_calls
from ._result import RunLimitExceeded, RunResult

if TYPE_CHECKING:
    from ..types.params import MessageParam

__all__ = ["AgentBase", "DepsT", "OfflineModel", "Prompt", "RunFlow", "resolve_client"]


class OfflineModel(Protocol):
    """An offline model (`agentkit.testing`), accepted where a client belongs."""

    def client(self, **options: Any) -> Any:
        """A sync client talking to the model."""

    def async_client(self, **options: Any) -> Any:
        """An async client talking to the model."""


Prompt: TypeAlias = str | Sequence[Any] | None
"""A run's user message: text, content blocks, or None to resume a history."""

RunFlow: TypeAlias = Generator[CallModel | CallHook | RunTools | Emit, Any, None]
"""An agent run as a generator of effects."""

_MANAGED = frozenset(
    {"model", "messages", "max_tokens", "tools", "tool_choice", "system", "thinking", "stream"}
)


@functools.cache
def _extra_params() -> frozenset[str]:
    """The `messages.create` parameters an agent takes as `**create_params`."""
    from ..types.request_params import MessageCreateParams  # loaded with the first agent

    keys = MessageCreateParams.__required_keys__ | MessageCreateParams.__optional_keys__
    return frozenset(keys) - _MANAGED


ClientT = TypeVar("ClientT")
DepsT = TypeVar("DepsT", default=None)
"""The type of an agent's `deps` (what its tools get as `ToolContext.deps`)."""


class AgentBase(Generic[ClientT, DepsT]):
    """Configuration shared by both agents (see `Agent` for the arguments)."""

    client: ClientT

    def _default_client(self) -> ClientT:
        """The client used when none is given: one configured from the environment."""
        raise NotImplementedError

    def _accept_client(self, client: object) -> ClientT:
        """The client to use for `client`: checked, or made from an offline model."""
        raise NotImplementedError

    def __init__(
        self,
        client: ClientT | OfflineModel | None = None,
        *,
        model: str,
        tools: Iterable[Tool[..., Any] | Any] | Toolbox = (),
        system: str | Sequence[Any] | None = None,
        max_tokens: int = 4096,
        max_turns: int = 10,
        tool_choice: Mapping[str, Any] | None = None,
        thinking: Mapping[str, Any] | None = None,
        deps: DepsT = None,  # type: ignore[assignment]
        hooks: Hooks | Mapping[str, Any] | None = None,
        cache: bool = False,
        raise_on_limit: bool = False,
        max_input_tokens: int | None = None,
        max_output_tokens: int | None = None,
        max_total_tokens: int | None = None,
        **create_params: Any,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise UsageError("model must be a model id, e.g. Agent(model='claude-sonnet-4-5').")
        _positive("max_tokens", max_tokens)
        _positive("max_turns", max_turns)
        for name, value in (
            ("max_input_tokens", max_input_tokens),
            ("max_output_tokens", max_output_tokens),
            ("max_total_tokens", max_total_tokens),
        ):
            if value is not None:
                _positive(name, value)
        self.model = model
        self.toolbox, self.server_tools = _split_tools(tools)
        self.system = system
        self.max_tokens = max_tokens
        self.max_turns = max_turns
        self.tool_choice = dict(tool_choice) if tool_choice is not None else None
        self.thinking = dict(thinking) if thinking is not None else None
        self.deps = deps
        self.hooks = Hooks(**hooks) if isinstance(hooks, Mapping) else (hooks or Hooks())
        self.cache = cache
        self.raise_on_limit = raise_on_limit
        self.limits = UsageLimits(
            max_input_tokens=max_input_tokens,
            max_output_tokens=max_output_tokens,
            max_total_tokens=max_total_tokens,
        )
        self.create_params = _checked_params(create_params)
        self._check_tool_choice()
        self.client = self._default_client() if client is None else self._accept_client(client)

    def _check_tool_choice(self) -> None:
        choice = self.tool_choice
        if choice is None:
            return
        kind = choice.get("type")
        if kind not in ("auto", "any", "tool", "none"):
            raise UsageError(f"tool_choice type must be auto, any, tool or none, got {kind!r}.")
        names = set(self.toolbox.names) | {t.get("name") for t in self.server_tools}
        if kind == "tool" and choice.get("name") not in names:
            raise UsageError(
                f"tool_choice names {choice.get('name')!r}, which is not one of the agent's "
                f"tools: {sorted(n for n in names if n)}."
            )
        if (
            self.thinking
            and self.thinking.get("type") not in (None, "disabled")
            and kind
            in (
                "any",
                "tool",
            )
        ):
            raise UsageError(
                f"tool_choice {kind!r} cannot be combined with extended thinking; the API only "
                "accepts 'auto' or 'none' then."
            )

    def request_params(self) -> dict[str, Any]:
        """The request parameters of every turn, except `messages`."""
        params: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens}
        tools: list[Any] = [*self.toolbox.params(), *self.server_tools]
        system: Any = self.system
        if self.cache:
            if tools:
                tools[-1] = {**tools[-1], "cache_control": {"type": "ephemeral"}}
            if isinstance(system, str) and system:
                system = [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
            elif system:
                blocks = [dict(b) for b in system]
                blocks[-1]["cache_control"] = {"type": "ephemeral"}
                system = blocks
        if tools:
            params["tools"] = tools
        if system:
            params["system"] = system
        if self.tool_choice is not None:
            params["tool_choice"] = self.tool_choice
        if self.thinking is not None:
            params["thinking"] = self.thinking
        params.update(self.create_params)
        return params

    def needs_streaming(self) -> bool:
        """Whether requests must stream (a large `max_tokens`, PROTOCOL §1.4)."""
        return expected_seconds(self.max_tokens) > NON_STREAMING_MAX_SECONDS

    def start(self, prompt: Any, messages: Sequence[MessageParam] | None) -> AgentLoop:
        """A fresh loop for one run."""
        history = [dict(m) for m in messages or ()]
        loop = AgentLoop(
            self.request_params(),
            history,  # type: ignore[arg-type]
            max_turns=self.max_turns,
            limits=self.limits,
        )
        if prompt is not None and prompt != "":
            append_user_content(loop.state.messages, prompt)
        elif not loop.state.messages or loop.state.messages[-1]["role"] != "user":
            raise UsageError(
                "nothing to send: pass a prompt, or messages= ending with a user turn "
                "(e.g. the .messages of a run that stopped at its limit)."
            )
        return loop

    def finish(self, step: Finish) -> RunResult:
        """The run's result; raises `RunLimitExceeded` for a limit with `raise_on_limit`."""
        result = RunResult.from_state(step.state, step.stop_reason)
        if step.limit_hit and self.raise_on_limit:
            raise RunLimitExceeded(result)
        return result

    @staticmethod
    def error_state(state: LoopState) -> RunResult:
        """The run so far, attached to an API error as `run_state`."""
        return RunResult.from_state(state, "error")

    def run_flow(
        self,
        prompt: Prompt,
        messages: Sequence[MessageParam] | None,
        deps: DepsT | None,
        *,
        streaming: bool,
    ) -> RunFlow:
        """One run, as the effects it needs: the model, hooks, tools, and events for the caller.

        Ends after emitting `RunFinished`; an API error carries the run so far as `run_state`.
        """
        loop = self.start(prompt, messages)
        run_deps = self.deps if deps is None else deps
        stream = streaming or self.needs_streaming()
        while not isinstance(step := loop.next_step(), Finish):
            if isinstance(step, CallModel):
                try:
                    message = yield CallModel(step.params, stream=stream)
                except APIError as exc:
                    exc.run_state = self.error_state(loop.state)
                    raise
                loop.on_response(message)
                if self.hooks.on_turn is not None:
                    yield CallHook(self.hooks.on_turn, (message,))
                yield Emit(TurnFinished(message))
                continue
            plans = yield from plan_tool_calls(self.hooks, self.toolbox, step.calls)
            for plan in plans:
                yield Emit(ToolCallStarted(plan.call))
            state = loop.state
            results = yield RunTools(plans, run_deps, state.messages, state.usage)
            for result in results:
                if self.hooks.after_tool_call is not None:
                    yield CallHook(self.hooks.after_tool_call, (result.call, result))
                yield Emit(ToolCallFinished(result))
            loop.on_tool_results(results)
        yield Emit(RunFinished(self.finish(step)))


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{name} must be a positive int, got {value!r}.")


def _split_tools(tools: Iterable[Any] | Toolbox) -> tuple[Toolbox, list[dict[str, Any]]]:
    if isinstance(tools, Toolbox):
        return tools, []
    box = Toolbox()
    server: list[dict[str, Any]] = []
    for item in tools:
        if isinstance(item, Mapping):
            server.append(dict(item))  # a tool definition run elsewhere (e.g. web_search)
        else:
            box.add(item)
    return box, server


def resolve_client(
    client: object,
    *,
    agent: str,
    wanted: type[Any],
    other: type[Any],
    factory: str,
) -> Any:
    """`client` if it suits the agent, or a model's own client; else a `UsageError`.

    An offline model (`agentkit.testing`) is recognised by its `client()` / `async_client()`
    methods, so this layer never imports the testing one.
    """
    if isinstance(client, wanted):
        return client
    if isinstance(client, other):
        other_agent = "AsyncAgent" if agent == "Agent" else "Agent"
        raise UsageError(
            f"{agent} needs a {wanted.__name__} client, got an {other.__name__}: pass "
            f"{wanted.__name__}(...) instead, or use {other_agent} with this client."
        )
    make = getattr(client, factory, None)
    if callable(make) and not isinstance(client, type):
        made = make()
        if not isinstance(made, wanted):
            raise UsageError(
                f"{type(client).__name__}.{factory}() did not return a {wanted.__name__}; "
                f"pass a {wanted.__name__} client to {agent}."
            )
        return made
    other_factory = "client" if factory == "async_client" else "async_client"
    if callable(getattr(client, other_factory, None)):
        raise UsageError(
            f"{agent} needs a {wanted.__name__} client, and {type(client).__name__} has no "
            f"{factory}(): pass a {wanted.__name__} client instead."
        )
    return client  # duck-typed stand-ins for a client are the caller's business


def _agent_params() -> frozenset[str]:
    """The agent's own keyword arguments (`model`, `max_turns`, ...)."""
    parameters = inspect.signature(AgentBase.__init__).parameters.values()
    return frozenset(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


def _checked_params(params: Mapping[str, Any]) -> dict[str, Any]:
    for name in params:
        if name in _MANAGED:
            raise UsageError(f"pass {name}= as the agent's own argument, not among create params.")
        if name not in _extra_params():
            import difflib

            close = difflib.get_close_matches(name, _extra_params() | _agent_params(), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"Agent got an unexpected parameter {name!r}.{hint}")
    return dict(params)
