"""The base class of every response model.

Response models mirror the wire format: field names are the API's, unknown fields from a newer
API version are kept (``extra="allow"``), and schemas are built lazily on first use so that
importing agentkit stays cheap.
"""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import ConfigDict

__all__ = ["BaseModel"]


class BaseModel(pydantic.BaseModel):
    """A wire model: API field names, unknown fields kept, built on first use."""

    model_config = ConfigDict(extra="allow", defer_build=True, protected_namespaces=())

    def to_dict(self) -> dict[str, Any]:
        """Return the model as JSON-compatible data, without fields the API did not send."""
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the model as a JSON string, without fields the API did not send."""
        return self.model_dump_json(indent=indent, exclude_unset=True, by_alias=True)
