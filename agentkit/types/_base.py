"""The base class of every response model.

Response models mirror the wire format: field names are the API's, unknown fields from a newer
API version are kept (``extra="allow"``), and schemas are built lazily on first use so that
importing agentkit stays cheap.
"""

from __future__ import annotations

from typing import Any, Literal

import pydantic
from pydantic import ConfigDict

__all__ = ["BaseModel"]


class BaseModel(pydantic.BaseModel):
    """A wire model: API field names, unknown fields kept, built on first use."""

    model_config = ConfigDict(extra="allow", defer_build=True, protected_namespaces=())

    def __eq__(self, other: object) -> bool:
        # Field values only: bookkeeping in private attributes (the request id a response came
        # with) does not make two equal messages different.
        if not isinstance(other, pydantic.BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    __hash__ = None  # type: ignore[assignment]

    def to_dict(
        self,
        *,
        mode: Literal["json", "python"] = "json",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> dict[str, Any]:
        """The model as a dict; by default JSON-compatible, without fields the API did not send.

        Args:
            mode: `"json"` for JSON-compatible values, `"python"` for Python objects.
            use_api_names: Use the API's field names (aliases).
            exclude_unset: Leave out fields the API did not send.
            exclude_defaults: Leave out fields equal to their default.
            exclude_none: Leave out fields that are None.
        """
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> str:
        """The model as a JSON string, without fields the API did not send (by default)."""
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )
