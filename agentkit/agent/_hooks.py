"""Hooks into an agent run: inspect or steer tool calls, approve risky ones, watch turns.

Every hook may be a plain function or an async one, with both `Agent` and `AsyncAgent`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from .._core.effects import CallHook
from .._core.tool_calls import ToolCall, ToolResult
from ..tools._calls import Planned
from ..tools._toolbox import Toolbox

if TYPE_CHECKING:
    from ..types.message import Message

__all__ = [
    "Allow",
    "Deny",
    "Hooks",
    "ReplaceInput",
    "ToolDecision",
    "allow",
    "apply_decision",
    "approval_refused",
    "deny",
    "plan_tool_calls",
    "replace_input",
]


@dataclass(frozen=True)
class Allow:
    """Run the call as the model asked."""


@dataclass(frozen=True)
class Deny:
    """Do not run the call; the model is told `reason` in an `is_error` result."""

    reason: str = "denied by a hook"


@dataclass(frozen=True)
class ReplaceInput:
    """Run the call with this input instead (it is validated like the model's)."""

    input: dict[str, Any]


ToolDecision: TypeAlias = Allow | Deny | ReplaceInput | None
"""What `before_tool_call` returns (None means allow)."""

MaybeAwaitable: TypeAlias = Any


def allow() -> Allow:
    """Let the call run."""
    return Allow()


def deny(reason: str = "denied by a hook") -> Deny:
    """Refuse the call, telling the model why."""
    return Deny(reason)


def replace_input(new_input: dict[str, Any]) -> ReplaceInput:
    """Run the call with `new_input`."""
    return ReplaceInput(dict(new_input))


@dataclass
class Hooks:
    """Callbacks an agent calls during a run.

    Attributes:
        before_tool_call: `(call) -> allow() | deny(reason) | replace_input(...) | None`,
            before each tool call is validated and run.
        after_tool_call: `(call, result)`, after each call (also refused ones).
        on_turn: `(message)`, after each model response.
        approve: `(call) -> bool`, asked before running a tool marked
            `requires_approval=True`; False (or no callback) refuses the call.
        on_interrupted: `(call) -> bool | str | None`, for a journaled run resumed after it
            stopped while this call (of a tool not marked `idempotent`) was running: True
            runs it again; a string is the error result the model gets; None (or no
            callback) tells the model the call was interrupted and may or may not have
            taken effect.
    """

    before_tool_call: Callable[[ToolCall], ToolDecision | Awaitable[ToolDecision]] | None = None
    after_tool_call: Callable[[ToolCall, ToolResult], MaybeAwaitable] | None = None
    on_turn: Callable[[Message], MaybeAwaitable] | None = None
    approve: Callable[[ToolCall], bool | Awaitable[bool]] | None = None
    on_interrupted: Callable[[ToolCall], MaybeAwaitable] | None = None


def apply_decision(call: ToolCall, decision: object) -> ToolCall | ToolResult:
    """The call to plan after a `before_tool_call` decision, or its refusal result."""
    if decision is None or decision is True or decision is allow or isinstance(decision, Allow):
        return call
    if decision is False:
        decision = Deny()
    if isinstance(decision, Deny):
        text = f"The tool call was denied and did not run: {decision.reason}"
        return ToolResult(call=call, content=text, is_error=True, not_run="denied")
    if isinstance(decision, ReplaceInput):
        return dataclasses.replace(call, input=dict(decision.input), input_error=None)
    raise TypeError(
        f"before_tool_call returned {decision!r}; return allow(), deny(reason), "
        "replace_input(new_input), True/False or None."
    )


def plan_tool_calls(
    hooks: Hooks, toolbox: Toolbox, calls: list[ToolCall]
) -> Generator[CallHook, Any, list[Planned | ToolResult]]:
    """Decide, without calling any hook itself, what to do with one turn's tool calls.

    Yields each hook call needed (`before_tool_call`, then `approve` for tools that require
    approval) and takes its result back through `send()`; returns the calls ready to run and
    the ones already answered (denied, invalid, refused approval). Part of the run flow
    (`AgentBase.run_flow`), which both agents drive.
    """
    plans: list[Planned | ToolResult] = []
    for call in calls:
        decision = None
        if hooks.before_tool_call is not None:
            decision = yield CallHook(hooks.before_tool_call, (call,))
        item = apply_decision(call, decision)
        plans.append(toolbox.plan(item) if isinstance(item, ToolCall) else item)
    for i, plan in enumerate(plans):
        if isinstance(plan, Planned) and plan.tool.requires_approval:
            approved = False
            if hooks.approve is not None:
                approved = bool((yield CallHook(hooks.approve, (plan.call,))))
            if not approved:
                plans[i] = approval_refused(plan.call, asked=hooks.approve is not None)
    return plans


def approval_refused(call: ToolCall, *, asked: bool) -> ToolResult:
    """The result for a call that needed approval and did not get it."""
    if asked:
        text = f"The user did not approve this call to {call.name!r}; it did not run."
    else:
        text = (
            f"The tool {call.name!r} requires approval and no approver is configured; "
            "it did not run."
        )
    return ToolResult(call=call, content=text, is_error=True, not_run="not_approved")
