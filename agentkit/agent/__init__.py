"""The agent loop: `Agent` / `AsyncAgent`, `RunResult`, run events and hooks.

The many-runs names (`MapRun`, `MapInput`, `MapOptions`, ..., `save_map_html`) load on first
use, so a single run never imports the map machinery (worker threads, queues, batch mode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.loop import RequestRecord as RequestRecord
from .._core.loop import RunUsage as RunUsage
from .._core.loop import ToolCallRecord as ToolCallRecord
from .._lazy import lazy_attribute
from ._agent import Agent as Agent
from ._agent import AsyncAgent as AsyncAgent
from ._agent import AsyncAgentStream as AsyncAgentStream
from ._events import AgentEvent as AgentEvent
from ._events import OutputChunk as OutputChunk
from ._events import RunFinished as RunFinished
from ._events import TextChunk as TextChunk
from ._events import ThinkingChunk as ThinkingChunk
from ._events import ToolCallFinished as ToolCallFinished
from ._events import ToolCallStarted as ToolCallStarted
from ._events import TurnFinished as TurnFinished
from ._hooks import Allow as Allow
from ._hooks import Deny as Deny
from ._hooks import Hooks as Hooks
from ._hooks import ReplaceInput as ReplaceInput
from ._hooks import ToolDecision as ToolDecision
from ._hooks import allow as allow
from ._hooks import deny as deny
from ._hooks import replace_input as replace_input
from ._output import OutputMode as OutputMode
from ._result import RunLimitExceeded as RunLimitExceeded
from ._result import RunResult as RunResult

if TYPE_CHECKING:
    from ._map import AsyncMapRun as AsyncMapRun
    from ._map import MapInput as MapInput
    from ._map import MapOptions as MapOptions
    from ._map import MapResult as MapResult
    from ._map import MapRun as MapRun
    from ._map import MapSummary as MapSummary
    from ._map_view import save_map_html as save_map_html

_LAZY: dict[str, str] = {
    "AsyncMapRun": "._map",
    "MapInput": "._map",
    "MapOptions": "._map",
    "MapResult": "._map",
    "MapRun": "._map",
    "MapSummary": "._map",
    "save_map_html": "._map_view",
}

__all__ = [
    "Agent",
    "AgentEvent",
    "Allow",
    "AsyncAgent",
    "AsyncAgentStream",
    "AsyncMapRun",
    "Deny",
    "Hooks",
    "MapInput",
    "MapOptions",
    "MapResult",
    "MapRun",
    "MapSummary",
    "OutputChunk",
    "OutputMode",
    "ReplaceInput",
    "RequestRecord",
    "RunFinished",
    "RunLimitExceeded",
    "RunResult",
    "RunUsage",
    "TextChunk",
    "ThinkingChunk",
    "ToolCallFinished",
    "ToolCallRecord",
    "ToolCallStarted",
    "ToolDecision",
    "TurnFinished",
    "allow",
    "deny",
    "replace_input",
    "save_map_html",
]


def __getattr__(name: str) -> Any:
    return lazy_attribute(globals(), __name__, _LAZY, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
