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
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeAlias

from typing_extensions import TypeVar

from .._core.effects import CallHook, CallModel, Emit, RequestTiming, RunTools
from .._core.loop import AgentLoop, Finish, LoopState, UsageLimits, append_user_content
from .._core.request import NON_STREAMING_MAX_SECONDS, expected_seconds
from .._exceptions import (
    APIError,
    OutputProblem,
    OutputValidationError,
    RetryOutput,
    UsageError,
)
from .._telemetry import start_run
from ..tools._tool import Tool
from ..tools._toolbox import Toolbox
from ._events import RunFinished, ToolCallFinished, ToolCallStarted, TurnFinished
from ._hooks import Hooks, plan_tool_calls
from ._output import OutputPolicy, OutputValidator, reask_text, relay_text, validator_arity
from ._result import OutputT, RunLimitExceeded, RunResult

if TYPE_CHECKING:
    from .._journal import Journal
    from ..types.params import MessageParam

__all__ = [
    "AgentBase",
    "DepsT",
    "OfflineModel",
    "OutputT",
    "Prompt",
    "RunFlow",
    "resolve_client",
]


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


_ValidatorT = TypeVar("_ValidatorT", bound=OutputValidator)

_REASK_REASONS = frozenset({"end_turn", "stop_sequence"})
"""Stop reasons after which a missing or invalid output is re-asked (others end the run)."""


class AgentBase(Generic[ClientT, DepsT, OutputT]):
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
        output_type: type[OutputT] | None = None,
        output_mode: Literal["tool", "native"] = "tool",
        output_retries: int = 1,
        journal: Journal | None = None,
        name: str = "agent",
        instrument: bool = True,
        capture_content: bool | None = None,
        **create_params: Any,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise UsageError(f"name must be a non-empty string, got {name!r}.")
        self.name = name
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
        self.instrument = instrument
        self.capture_content = capture_content
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
        self.output_type = output_type
        self.output = (
            None
            if output_type is None
            else OutputPolicy(output_type, mode=output_mode, retries=output_retries)
        )
        if self.output is not None:
            self.output.check_names(self.toolbox.names)
        self._check_tool_choice()
        self.journal = journal
        self.client = self._default_client() if client is None else self._accept_client(client)

    def _start_telemetry(self) -> Any:
        """The run's span (`agentkit._telemetry`): a no-op when there is nothing to record."""
        return start_run(
            self.name,
            self.model,
            getattr(self.client, "base_url", None),
            instrument=self.instrument,
            capture_content=self.capture_content,
        )

    def _check_tool_choice(self) -> None:
        choice = self.tool_choice
        if choice is None:
            return
        kind = choice.get("type")
        if kind not in ("auto", "any", "tool", "none"):
            raise UsageError(f"tool_choice type must be auto, any, tool or none, got {kind!r}.")
        names = set(self.toolbox.names) | {t.get("name") for t in self.server_tools}
        names |= set(self.output.tools if self.output is not None else ())
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
        if self.output is not None:
            params = self.output.apply(params, tool_choice_given=self.tool_choice is not None)
        return params

    def output_validator(self, fn: _ValidatorT) -> _ValidatorT:
        """Register a function that checks the run's output (use as a decorator).

        It gets the validated output, or `(ctx, output)` with the run's `ToolContext`; it may
        be async. Raise `RetryOutput("why")` to re-ask the model with that reason (counted
        against `output_retries`); return a value to replace the output (None keeps it).
        """
        if self.output is None:
            raise UsageError("output validators check typed output: pass output_type= first.")
        self.output.validators.append((fn, validator_arity(fn)))
        return fn

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

    def finish(self, step: Finish, output: Any = None) -> RunResult[OutputT]:
        """The run's result; raises `RunLimitExceeded` for a limit with `raise_on_limit`."""
        if self.output is None:
            result: RunResult[Any] = RunResult.from_state(step.state, step.stop_reason)
        else:
            result = RunResult.from_state(step.state, step.stop_reason, output)
        if step.limit_hit and self.raise_on_limit:
            raise RunLimitExceeded(result)
        return result

    @staticmethod
    def error_state(state: LoopState) -> RunResult[Any]:
        """The run so far, attached to an API error as `run_state`."""
        return RunResult.from_state(state, "error")

    def run_flow(
        self,
        prompt: Prompt,
        messages: Sequence[MessageParam] | None,
        deps: DepsT | None,
        *,
        streaming: bool,
        run_id: str | None = None,
    ) -> RunFlow:
        """One run, as the effects it needs: the model, hooks, tools, and events for the caller.

        Ends after emitting `RunFinished`; an API error carries the run so far as `run_state`.
        With a journal, the run is journaled as `run_id` (a new id when None) and resumed if
        the journal has it.
        """
        if self.journal is None:
            if run_id is not None:
                raise UsageError(
                    "run_id= names a journaled run: give the agent a journal, e.g. "
                    "Agent(..., journal=Journal('runs.db'))."
                )
            return (yield from self._run_steps(prompt, messages, deps, streaming=streaming))
        if run_id is None:
            import uuid

            run_id = f"run-{uuid.uuid4().hex}"

        def make_flow(prompt: Prompt, messages: Sequence[MessageParam] | None) -> RunFlow:
            return self._run_steps(prompt, messages, deps, streaming=streaming)

        from ._journaled import journaled_run  # only journaled runs need it

        return (
            yield from journaled_run(
                self.journal,
                run_id,
                make_flow,
                prompt,
                messages,
                hooks=self.hooks,
                output=self.output,
            )
        )

    def _run_steps(
        self,
        prompt: Prompt,
        messages: Sequence[MessageParam] | None,
        deps: DepsT | None,
        *,
        streaming: bool,
    ) -> RunFlow:
        """`run_flow` without a journal."""
        loop = self.start(prompt, messages)
        run_deps = self.deps if deps is None else deps
        stream = streaming or self.needs_streaming()
        output = _OutputState(self.output)
        while True:
            step = loop.next_step()
            if isinstance(step, Finish):
                if output.policy is None or output.done or step.limit_hit:
                    break
                yield from self._final_answer(loop, step, output, run_deps)
                continue
            if isinstance(step, CallModel):
                relay = relay_text if output.policy is None else output.policy.relay()
                timed: list[RequestTiming] = []  # the driver's timing of this request
                request = CallModel(step.params, stream=stream, relay=relay, on_timing=timed.append)
                try:
                    message = yield request
                except APIError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    loop.on_request_error(error, timed[-1] if timed else None)
                    exc.run_state = self.error_state(loop.state)
                    raise
                loop.on_response(message, timed[-1] if timed else None)
                if self.hooks.on_turn is not None:
                    yield CallHook(self.hooks.on_turn, (message,))
                yield Emit(TurnFinished(message))
                continue
            yield from self._tool_turn(loop, step.calls, output, run_deps)
        yield Emit(RunFinished(self.finish(step, output.value)))

    def _tool_turn(
        self, loop: AgentLoop, all_calls: list[Any], output: _OutputState, deps: Any
    ) -> Generator[Any, Any, None]:
        """Run a turn's tool calls (hooks, events) and check its output tool calls."""
        policy = output.policy
        calls = [c for c in all_calls if policy is None or policy.tool_for(c.name) is None]
        outputs = [c for c in all_calls if c not in calls]
        results = []
        if calls:
            plans = yield from plan_tool_calls(self.hooks, self.toolbox, calls)
            for plan in plans:
                yield Emit(ToolCallStarted(plan.call))
            state = loop.state
            results = yield RunTools(plans, deps, state.messages, state.usage)
            for result in results:
                if self.hooks.after_tool_call is not None:
                    yield CallHook(self.hooks.after_tool_call, (result.call, result))
                yield Emit(ToolCallFinished(result))
        if outputs:
            answers = yield from self._output_calls(loop, outputs, output, deps)
            results = [*results, *answers]
        loop.on_tool_results(results)
        if output.done:
            loop.end("end_turn")
        elif outputs:
            self._count_retry(loop, output)

    def _output_calls(
        self, loop: AgentLoop, calls: list[Any], output: _OutputState, deps: Any
    ) -> Generator[Any, Any, list[Any]]:
        """Validate the output tool calls of a turn; the first valid one is the output."""
        policy = output.policy
        assert policy is not None
        answers = []
        for call in calls:
            if output.done:
                answers.append(policy.answer(call, None))
                continue
            spec = policy.tool_for(call.name)
            assert spec is not None
            problems = yield from self._validated(
                loop, output, deps, lambda spec=spec, call=call: spec.validate(call.input)
            )
            answers.append(policy.answer(call, problems))
        return answers

    def _final_answer(
        self, loop: AgentLoop, step: Finish, output: _OutputState, deps: Any
    ) -> Generator[Any, Any, None]:
        """A run that ended without its output: validate native JSON, or re-ask, or fail."""
        policy = output.policy
        assert policy is not None
        message = loop.state.last_message
        if step.stop_reason not in _REASK_REASONS:
            problem = OutputProblem(
                "$", f"the model stopped ({step.stop_reason}) without giving the output"
            )
            raise OutputValidationError(
                [problem], message=message, run_state=self.error_state(loop.state)
            )
        if policy.mode == "tool":
            output.problems = [OutputProblem("$", "answered in text instead of the output tool")]
            reask = policy.reask_for_text()
        else:
            text = "".join(getattr(b, "text", "") for b in message.content) if message else ""
            problems = yield from self._validated(
                loop, output, deps, lambda: policy.spec.validate_json(text, message=message)
            )
            if not problems:
                loop.end(step.stop_reason)
                return
            reask = reask_text(problems)
        loop.reask(reask)
        self._count_retry(loop, output)

    def _validated(
        self, loop: AgentLoop, output: _OutputState, deps: Any, validate: Any
    ) -> Generator[Any, Any, list[OutputProblem]]:
        """Run the type check and the output validators; the problems (empty when valid)."""
        policy = output.policy
        assert policy is not None
        try:
            value = validate()
        except OutputValidationError as exc:
            output.problems, output.raw = exc.errors, exc.output
            return output.problems
        context = None
        for fn, arity in policy.validators:
            if arity == 2 and context is None:
                from ..tools._context import ToolContext

                state = loop.state
                context = ToolContext(deps=deps, messages=state.messages, usage=state.usage)
            args = (value,) if arity == 1 else (context, value)
            try:
                replaced = yield CallHook(fn, args)
            except RetryOutput as exc:
                output.problems, output.raw = [OutputProblem("$", exc.message)], value
                return output.problems
            if replaced is not None:
                value = replaced
        output.value, output.done = value, True
        return []

    def _count_retry(self, loop: AgentLoop, output: _OutputState) -> None:
        """Count a re-ask; past `output_retries`, raise with the run so far (resumable)."""
        policy = output.policy
        assert policy is not None
        output.retries += 1
        if output.retries > policy.retries:
            raise OutputValidationError(
                output.problems,
                message=loop.state.last_message,
                output=output.raw,
                run_state=self.error_state(loop.state),
                retries=output.retries - 1,
            )


class _OutputState:
    """One run's progress towards its typed output."""

    def __init__(self, policy: OutputPolicy | None) -> None:
        self.policy = policy
        self.done = False
        self.value: Any = None
        self.retries = 0
        self.problems: list[OutputProblem] = []
        self.raw: Any = None


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
