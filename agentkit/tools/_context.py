"""`ToolContext`: what a tool can know about the run that called it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from .._core.loop import RunUsage
    from ..types.params import MessageParam

__all__ = ["DepsT", "ToolContext"]

DepsT = TypeVar("DepsT")


@dataclass(frozen=True)
class ToolContext(Generic[DepsT]):
    """Handed to a tool parameter annotated `ToolContext` (or `ToolContext[MyDeps]`).

    That parameter is not part of the tool's schema: the model never sees it.

    Attributes:
        deps: Your dependencies for the run (a database handle, an HTTP client, settings...),
            as passed to `Agent(deps=...)`, `agent.run(..., deps=...)` or `Toolbox.run`.
        tool_use_id: The id of the `tool_use` block being answered.
        tool_name: The tool's name.
        messages: The conversation so far (message params, oldest first).
        usage: Token usage of the run so far, when known.
    """

    deps: DepsT
    tool_use_id: str = ""
    tool_name: str = ""
    messages: Sequence[MessageParam] = field(default_factory=tuple)
    usage: RunUsage | None = None

    @property
    def call_id(self) -> str:
        """The `tool_use` id of this call (the same when a journaled run resumes).

        Use it as an idempotency key with outside systems.
        """
        return self.tool_use_id

    def with_call(self, tool_use_id: str, tool_name: str) -> ToolContext[DepsT]:
        """A copy for one tool call."""
        return ToolContext(
            deps=self.deps,
            tool_use_id=tool_use_id,
            tool_name=tool_name,
            messages=self.messages,
            usage=self.usage,
        )
