"""`ToolOptions`: a tool's options, defined once.

`@tool`, `Tool.from_function`, `Tool.from_model`, `Toolbox.add` and `Toolbox.tool` take them as
`**options: Unpack[ToolOptions]`; `Tool(...)` and `Tool.from_schema`, whose name (and
description) are parameters of their own, take the rest (`BaseToolOptions`). A new option is a
key here and its use in `Tool.__init__`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from typing_extensions import TypedDict

if TYPE_CHECKING:
    from ..types.params import CacheControlEphemeral

__all__ = ["BaseToolOptions", "ToolOptions", "check_option_names"]


class BaseToolOptions(TypedDict, total=False):
    """A tool's options other than its name and description (all optional)."""

    strict: bool
    """Ask the API for grammar-constrained input (default `False`); the schema sent is then the
    strict-mode subset, and the input is still validated against the full schema."""
    cache_control: CacheControlEphemeral | None
    """A prompt-cache breakpoint after this tool's definition (default `None`)."""
    timeout: float | None
    """Seconds a call may take before it is answered with an error (default `None`: no limit)."""
    max_result_chars: int
    """Longer results keep their head and tail only (default `DEFAULT_MAX_RESULT_CHARS`,
    100,000)."""
    requires_approval: bool
    """Only run after an approval callback says yes, in the agent loop (default `False`)."""
    idempotent: bool
    """Running a call twice does no harm (default `False`): a journaled run that stopped while
    the call was running runs it again on resume, instead of telling the model the call was
    interrupted."""


class ToolOptions(BaseToolOptions, total=False):
    """A tool's options, all optional: the keywords of `@tool` and `Toolbox.tool`.

    `Tool.from_function`, `Tool.from_model` and `Toolbox.add` take them too.
    """

    name: str | None
    """The tool's name, `^[a-zA-Z0-9_-]{1,64}$` (default: the function's name, or the model
    class's in snake_case)."""
    description: str | None
    """What the tool does, for the model (default: the docstring without its parameter,
    returns and raises sections)."""


_NAMES = frozenset(ToolOptions.__required_keys__ | ToolOptions.__optional_keys__)


def check_option_names(where: str, options: Mapping[str, object]) -> None:
    """Raise `TypeError`, as Python does for a misspelt keyword, for a key that is no option."""
    for key in options:
        if key not in _NAMES:
            import difflib

            close = difflib.get_close_matches(key, _NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"{where}() got an unexpected keyword argument {key!r}{hint}")
