"""What crosses the wire between the client, the workflow and the activities (JSON data).

Only names, keys and JSON travel: never an agent, a client or deps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CALL_MODEL", "CALL_TOOL", "WORKFLOW", "ModelCall", "RunRequest", "ToolCallRequest"]

WORKFLOW = "agentkit.AgentWorkflow"
"""The workflow type's name."""

CALL_MODEL = "agentkit.call_model"
"""The model call activity's name."""

CALL_TOOL = "agentkit.call_tool"
"""The tool call activity's name."""


@dataclass
class RunRequest:
    """The input of an `AgentWorkflow` run.

    Attributes:
        agent: The name the worker serves the agent under.
        prompt: The user's message: text or content blocks (None to continue `messages`).
        messages: An earlier history to continue.
        deps_key: A key the worker's `deps` resolver turns into the run's deps (None: the
            agent's own `deps`).
    """

    agent: str
    prompt: str | list[dict[str, Any]] | None = None
    messages: list[dict[str, Any]] | None = None
    deps_key: str | None = None


@dataclass
class ModelCall:
    """The input of a model call activity: the agent's name and the request."""

    agent: str
    params: dict[str, Any]
    stream: bool = False


@dataclass
class ToolCallRequest:
    """The input of a tool call activity: one call, and the `ToolContext` it runs with."""

    agent: str
    id: str
    name: str
    input: dict[str, Any]
    deps_key: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] | None = None
