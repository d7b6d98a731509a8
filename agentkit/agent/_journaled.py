"""A journaled run: the run flow, with every step recorded and a resumed run's steps reused.

`journaled_run` sits between a run's flow (`AgentBase.run_flow`) and the driver (`Agent`,
`AsyncAgent`), as a flow itself, so both drivers get durability without a line of their own:
- `CallModel`: a response recorded at this model step is handed back without a request;
  otherwise the request is recorded, sent by the driver, and its response recorded;
- `RunTools`: calls finished before are answered with their recorded results; a call that
  started and never finished runs again only if its tool is `idempotent` (or the
  `on_interrupted` hook says so), else it is answered with an `is_error` result saying it was
  interrupted; the others are recorded as started, run by the driver, and each recorded as
  finished as soon as it ends;
- the `before_tool_call` and `approve` hooks are not asked again about calls already answered;
  other hooks and the run's events happen again as the run is replayed;
- `RunFinished`: the result is recorded and the run marked finished. A finished run's result
  is returned at once, with no request.

A resumed run must send the same requests as before (checked with each request's digest): the
same prompt (or none: the recorded one is used), the same configuration.

`agent/_base.py` imports this module for every agent, so what only a journaled run needs (the
records' helpers in `agentkit._core.journal`, with hashlib) is imported when a run is journaled.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from .._core.effects import CallHook, CallModel, Emit, RunTools
from .._core.tool_calls import ToolResult
from .._drive import Done, advance
from .._exceptions import JournalError
from ._events import RunFinished
from ._result import RunResult

if TYPE_CHECKING:
    from .._journal import Journal, RunHandle
    from ..types.message import Message
    from ._hooks import Hooks

__all__ = ["journaled_run", "message_from_record", "message_record"]

_ASK: Any = object()

FlowFactory = Callable[[Any, Any], Generator[Any, Any, None]]
"""Makes the run's flow from `(prompt, messages)`."""


def journaled_run(
    journal: Journal,
    run_id: str,
    make_flow: FlowFactory,
    prompt: Any,
    messages: Any,
    *,
    hooks: Hooks,
    output: Any = None,
) -> Generator[Any, Any, None]:
    """The run `make_flow(prompt, messages)` makes, journaled as `run_id` (see the module).

    `output` is the agent's `OutputPolicy` (a finished run's typed output is validated again).
    """
    handle = journal.open_run(run_id)
    try:
        if handle.status == "finished" and handle.result is not None:
            result = _rebuilt(handle.result, output)
            handle.release()
            yield Emit(RunFinished(result))
            return
        first = handle.records.first_messages
        if (prompt is None or prompt == "") and messages is None and first is not None:
            messages = first
        replay = _Replay(handle, hooks)
        flow = make_flow(prompt, messages)
        value: Any = None
        error: Exception | None = None
        while not isinstance(effect := advance(flow, value, error), Done):
            value, error = None, None
            try:
                if isinstance(effect, CallModel):
                    value = yield from replay.model(effect)
                elif isinstance(effect, RunTools):
                    value = yield from replay.tools(effect)
                elif isinstance(effect, CallHook) and (known := replay.known(effect)) is not _ASK:
                    value = known
                else:
                    if isinstance(effect, Emit) and isinstance(effect.event, RunFinished):
                        handle.finish(effect.event.result.to_dict())
                    value = yield effect
            except Exception as exc:
                error = exc
    except Exception as exc:
        if handle.open:
            handle.fail(exc)
        raise
    finally:
        handle.release()


class _Replay:
    """One journaled run's progress through its records."""

    def __init__(self, handle: RunHandle, hooks: Hooks) -> None:
        self.handle = handle
        self.records = handle.records
        self.hooks = hooks
        self.step = 0  # the next model step

    def model(self, effect: CallModel) -> Generator[Any, Any, Message]:
        """Answer from the journal, or record the request, have it sent, record the answer."""
        from .._core.journal import request_digest

        step = self.step
        self.step += 1
        digest = request_digest(effect.params)
        recorded = self.records.requests.get(step)
        if recorded is not None and recorded != digest:
            raise JournalError(
                f"run {self.handle.run_id!r} does not match its journal: the request of model "
                f"step {step} differs from the one recorded (a different prompt, history or "
                "agent configuration?). Resume it with the same ones, or use a new run_id."
            )
        response = self.records.responses.get(step)
        if response is not None:
            return message_from_record(response)
        if recorded is None:
            data: dict[str, Any] = {"digest": digest}
            if step == 0:
                data["messages"] = effect.params.get("messages", [])
            self.handle.record("request", str(step), data)
        message: Message = yield effect
        self.handle.record("response", str(step), message_record(message))
        return message

    def known(self, effect: CallHook) -> Any:
        """The answer of a tool decision hook about a call already answered, else `_ASK`."""
        from .._core.journal import tool_key

        hooks = self.hooks
        if effect.fn is not hooks.before_tool_call and effect.fn is not hooks.approve:
            return _ASK
        call = effect.args[0] if effect.args else None
        key = tool_key(self.step - 1, getattr(call, "id", ""))
        if key not in self.records.finished:
            return _ASK
        return None if effect.fn is hooks.before_tool_call else True

    def tools(self, effect: RunTools) -> Generator[Any, Any, list[ToolResult]]:
        """Reuse finished calls, settle interrupted ones, run and record the rest."""
        from .._core.journal import interrupted_text, tool_key

        step = self.step - 1
        plans = list(effect.plans)
        answers: dict[int, ToolResult] = {}
        todo: list[int] = []
        for index, plan in enumerate(plans):
            call = plan.call
            key = tool_key(step, call.id)
            done = self.records.finished.get(key)
            if done is not None:
                answers[index] = _result_from_record(call, done)
            elif isinstance(plan, ToolResult):
                self.handle.record("tool_finished", key, _result_record(plan))
                answers[index] = plan
            elif self.records.interrupted(key) and not plan.tool.idempotent:
                decision = None
                if self.hooks.on_interrupted is not None:
                    decision = yield CallHook(self.hooks.on_interrupted, (call,))
                if decision is True:
                    todo.append(index)
                    continue
                text = decision if isinstance(decision, str) else interrupted_text(call.name)
                answer = ToolResult(call=call, content=text, is_error=True, not_run="interrupted")
                self.handle.record("tool_finished", key, _result_record(answer))
                answers[index] = answer
            else:
                todo.append(index)
        if todo:
            self.handle.record_many(
                [
                    (
                        "tool_started",
                        tool_key(step, plans[i].call.id),
                        {"name": plans[i].call.name, "input": plans[i].call.input},
                    )
                    for i in todo
                ]
            )
            recorded: set[str] = set()

            def on_result(result: ToolResult) -> None:
                self.handle.record(
                    "tool_finished", tool_key(step, result.call.id), _result_record(result)
                )
                recorded.add(result.call.id)

            results = yield RunTools(
                [plans[i] for i in todo],
                effect.deps,
                effect.messages,
                effect.usage,
                on_result=on_result,
            )
            for index, result in zip(todo, results, strict=True):
                if result.call.id not in recorded:
                    on_result(result)
                answers[index] = result
        return [answers[i] for i in range(len(plans))]


def message_record(message: Message) -> dict[str, Any]:
    """A response as journal data (with the tool input errors its JSON leaves out)."""
    data: dict[str, Any] = {"message": message.to_dict()}
    blocks: list[Any] = list(message.content)
    errors = {
        str(index): [block.input_error, block.raw_input_json]
        for index, block in enumerate(blocks)
        if getattr(block, "input_error", None) is not None
    }
    if errors:
        data["input_errors"] = errors
    return data


def message_from_record(data: dict[str, Any]) -> Message:
    """The response a `message_record` holds."""
    from ..types.message import Message  # loaded with the first response

    message = Message.model_validate(data["message"])
    for index, (error, raw) in data.get("input_errors", {}).items():
        block: Any = message.content[int(index)]
        block._input_error = error
        block._raw_input_json = raw
    return message


def _result_record(result: ToolResult) -> dict[str, Any]:
    return {
        "content": result.content,
        "is_error": result.is_error,
        "duration": result.duration,
        "ran": result.ran,
    }


def _result_from_record(call: Any, data: dict[str, Any]) -> ToolResult:
    return ToolResult(
        call=call,
        content=data["content"],
        is_error=data["is_error"],
        duration=data["duration"],
        ran=data["ran"],
    )


def _rebuilt(data: dict[str, Any], output: Any) -> RunResult[Any]:
    """A finished run's recorded result; typed output validated again to its type."""
    result = RunResult.from_dict(data)
    if output is not None and result.output is not None:
        try:
            result.output = output.spec.adapter.validate_python(result.output)
        except Exception as exc:
            raise JournalError(
                f"the recorded output of this run no longer validates as {output.spec.name} "
                f"({exc}); use a new run_id."
            ) from exc
    return result
