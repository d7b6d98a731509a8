"""Tool signatures under `from __future__ import annotations` (every annotation is a string).

The functions refer to classes defined *after* them (forward references); the schema test
turns them into tools once the whole module is loaded.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from agentkit import ToolContext


def fwd_model(item: LaterItem, count: int = 1) -> str:
    """Store an item.

    Args:
        item: The item to store.
        count: How many copies.
    """
    return f"{item.name} x{count}"


def fwd_optional_list(items: list[LaterItem] | None = None) -> int:
    return len(items or [])


def fwd_recursive(root: LaterNode) -> int:
    return root.value


def fwd_context(ctx: ToolContext[LaterDeps], query: str) -> str:
    return f"{ctx.deps.region}:{query}"


def fwd_annotated(
    page: Annotated[int, Field(ge=1, description="Page number.")],
    when: datetime.date | None = None,
    order: Literal["asc", "desc"] = "asc",
) -> int:
    return page


class LaterItem(BaseModel):
    name: str
    tags: list[str] = []


class LaterNode(BaseModel):
    value: int
    next: LaterNode | None = None


class LaterDeps(BaseModel):
    region: str
