"""Models (``GET /v1/models``): what a model is and what it supports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ._base import BaseModel

__all__ = ["ModelInfo"]


class ModelInfo(BaseModel):
    """One model: its id, name, lifecycle, limits and capabilities.

    `capabilities` is kept as the API's JSON (each leaf is ``{"supported": bool}``, e.g.
    ``info.capabilities["thinking"]["types"]["adaptive"]["supported"]``); fields this version
    does not know are kept too.
    """

    id: str
    """The model id (what `model=` takes)."""
    type: Literal["model"] = "model"
    display_name: str = ""
    created_at: datetime
    lifecycle: str | None = None
    """``active``, ``deprecated`` or ``retired``."""
    deprecated_at: datetime | None = None
    retires_at: datetime | None = None
    line: str | None = None
    """The model family: ``haiku``, ``sonnet``, ``opus``..."""
    max_input_tokens: int | None = None
    max_tokens: int | None = None
    capabilities: dict[str, Any] | None = None
