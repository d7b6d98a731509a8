"""The plain data of tool calls: what the model asked for and what it is answered (no I/O).

The agent loop reads and writes these; the tools layer (`agentkit.tools`) produces the results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from ..types.content import ToolUseBlock
    from ..types.params import ToolResultBlockParam

__all__ = ["NOT_RUN", "ToolCall", "ToolContent", "ToolResult"]

ToolContent: TypeAlias = str | list[dict[str, Any]] | None
"""`tool_result` content: text, content blocks, or nothing."""


@dataclass(frozen=True)
class ToolCall:
    """A tool call the model asked for.

    Attributes:
        id: The `tool_use` block's id.
        name: The tool's name.
        input: The input the model sent (`{}` when it could not be parsed).
        input_error: Why the streamed input is unusable (invalid or cut-off JSON), if it is.
    """

    id: str
    name: str
    input: dict[str, Any]
    input_error: str | None = None

    @classmethod
    def from_block(cls, block: ToolUseBlock | Mapping[str, Any]) -> ToolCall:
        """From a `tool_use` block (model or dict)."""
        from ..types.content import ToolUseBlock  # the response models load with the first one

        if isinstance(block, ToolUseBlock):
            return cls(block.id, block.name, dict(block.input), block.input_error)
        raw_input = block.get("input")
        return cls(
            str(block.get("id", "")),
            str(block.get("name", "")),
            dict(raw_input) if isinstance(raw_input, Mapping) else {},
            None if isinstance(raw_input, Mapping) else "the tool input is not a JSON object",
        )


NOT_RUN = {
    "tool_not_found": "the model called a tool that does not exist",
    "malformed_input": "the tool input was not a complete JSON object",
    "invalid_input": "the tool input did not validate",
    "denied": "a before_tool_call hook denied the call",
    "not_approved": "the call needed approval and did not get it",
    "interrupted": "the run stopped while the call was running; it was not run again",
}
"""Why a call was answered without running its function (`ToolResult.not_run`), and what its
`execute_tool` span's status says."""


@dataclass(kw_only=True)
class ToolResult:
    """What one tool call produced.

    Attributes:
        call: The call.
        content: The `tool_result` content (text, blocks, or None).
        is_error: Whether the model is told the call failed.
        duration: Seconds spent running the function (0 when it never ran).
        started_at: Wall-clock time the function started, in seconds since the epoch (None
            when it never ran).
        output: The function's return value (None on error).
        exception: The exception the function raised, if any.
        ran: Whether the function was called at all.
        not_run: Why the function was not called, when the call was answered without it: a
            key of `NOT_RUN` (the `error.type` of the call's `execute_tool` span). None when
            it ran, or when nothing says why (a result a journal replays). Not compared.
    """

    call: ToolCall
    content: ToolContent = None
    is_error: bool = False
    duration: float = 0.0
    started_at: float | None = None
    output: Any = None
    exception: BaseException | None = field(default=None, repr=False)
    ran: bool = False
    not_run: str | None = field(default=None, compare=False)

    def to_param(self) -> ToolResultBlockParam:
        """The `tool_result` block answering the call."""
        param: ToolResultBlockParam = {"type": "tool_result", "tool_use_id": self.call.id}
        if self.content is not None and self.content != "":
            param["content"] = self.content  # type: ignore[typeddict-item]
        if self.is_error:
            param["is_error"] = True
        return param
