"""Small shared types: the ``NOT_GIVEN`` sentinel and aliases for per-call options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

from typing_extensions import Self

if TYPE_CHECKING:
    import httpx

__all__ = [
    "NOT_GIVEN",
    "Body",
    "Headers",
    "NotGiven",
    "Omit",
    "Query",
    "TimeoutTypes",
    "omit",
]


class NotGiven:
    """The type of `NOT_GIVEN`: marks a parameter the caller did not pass.

    Different from `None`, which some API fields accept as a value. Parameters left as
    `NOT_GIVEN` are not sent at all.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
"""Sentinel for "parameter not passed"; omitted parameters are not sent to the API."""


class Omit:
    """The type of `omit`: as a header value, removes that header (whatever its case).

    `NOT_GIVEN` does the same; `omit` is the official SDK's spelling.
    """

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "omit"


omit: Final = Omit()
"""Sentinel for "leave this out": `extra_headers={"x-api-key": omit}` sends no such header."""

Headers = Mapping[str, str | NotGiven | Omit]
"""Extra request headers; a `NOT_GIVEN` or `omit` value removes that header."""

Query = Mapping[str, object]
"""Extra query-string parameters."""

Body = Mapping[str, object]
"""Extra JSON body fields, merged over the named parameters."""

TimeoutTypes: TypeAlias = "float | httpx.Timeout | None"
"""A timeout in seconds, an `httpx.Timeout`, or `None` for no timeout."""


class ClosingContext:
    """`with obj:` closes `obj` at the end of the block (clients and streams)."""

    def close(self) -> None:
        """Release what the object holds."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClosingContext:
    """`async with obj:` closes `obj` at the end of the block (async clients and streams)."""

    async def close(self) -> None:
        """Release what the object holds."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
