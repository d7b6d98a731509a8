"""A tool whose parameter type is defined after it (resolved on first use)."""

from __future__ import annotations

from pydantic import BaseModel

from agentkit import tool


@tool
def early(x: Later) -> str:
    """Uses a class defined below."""
    return x.name


class Later(BaseModel):
    name: str
