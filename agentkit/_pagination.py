"""List pages (`SyncPage`, `AsyncPage`) that fetch the next page when iterated past their end.

`client.messages.batches.list()` and `client.models.list()` return the first page; iterating it
yields every item of every page, fetching each next page when needed (one request per page,
never all pages at once). `has_next_page()`, `next_page_info()`, `get_next_page()` and
`iter_pages()` work page by page. The async `list()` returns an `AsyncPaginator`: `await` it
for the first page, or `async for` over it for every item. The cursor rule is
`agentkit._core.batches.next_page_query`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import Any, Generic, TypeVar

import httpx
import pydantic

from ._core.batches import next_page_query
from ._exceptions import APIResponseValidationError, UsageError

__all__ = ["AsyncPage", "AsyncPaginator", "SyncPage", "page_parser"]

_T = TypeVar("_T", bound=pydantic.BaseModel)
_P = TypeVar("_P", bound="_Page[Any]")


class _Page(Generic[_T]):
    """What both pages hold: the items and the cursors of one page."""

    def __init__(
        self, body: Mapping[str, Any], data: list[_T], query: Mapping[str, object]
    ) -> None:
        self.data = data
        """The items of this page."""
        self.has_more: bool | None = body.get("has_more")
        self.first_id: str | None = body.get("first_id")
        self.last_id: str | None = body.get("last_id")
        self._body: dict[str, Any] = {**body, "data": data}  # the cursors, for the next page
        self._query = dict(query)

    def next_page_info(self) -> dict[str, object] | None:
        """The next page's query (`after_id`; `before_id` paging backwards); None at the end."""
        return next_page_query(self._query, self._body)

    def has_next_page(self) -> bool:
        """Whether there is a page after this one."""
        return self.next_page_info() is not None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(items={len(self.data)}, has_more={self.has_more}, "
            f"first_id={self.first_id!r}, last_id={self.last_id!r})"
        )


class SyncPage(_Page[_T]):
    """One page of a list; iterating it yields the items of this page and every later one."""

    def __init__(
        self,
        body: Mapping[str, Any],
        data: list[_T],
        query: Mapping[str, object],
        fetch: Callable[[dict[str, object]], SyncPage[_T]],
    ) -> None:
        super().__init__(body, data, query)
        self._fetch = fetch

    def get_next_page(self) -> SyncPage[_T]:
        """Fetch the next page (`UsageError` when there is none: check `has_next_page()`)."""
        query = self.next_page_info()
        if query is None:
            raise UsageError("this is the last page; check has_next_page() first.")
        return self._fetch(query)

    def iter_pages(self) -> Iterator[SyncPage[_T]]:
        """This page and the ones after it, each fetched when reached."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[_T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncPage(_Page[_T]):
    """One page of a list (async): `async for` yields the items of every page from this one."""

    def __init__(
        self,
        body: Mapping[str, Any],
        data: list[_T],
        query: Mapping[str, object],
        fetch: Callable[[dict[str, object]], Awaitable[AsyncPage[_T]]],
    ) -> None:
        super().__init__(body, data, query)
        self._fetch = fetch

    async def get_next_page(self) -> AsyncPage[_T]:
        """Fetch the next page (`UsageError` when there is none: check `has_next_page()`)."""
        query = self.next_page_info()
        if query is None:
            raise UsageError("this is the last page; check has_next_page() first.")
        return await self._fetch(query)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[_T]]:
        """This page and the ones after it, each fetched when reached."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[_T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPaginator(Generic[_T]):
    """What the async `list()` returns.

    `await` it for the first page, or `async for` over it for every item of every page.
    """

    def __init__(self, first: Callable[[], Awaitable[AsyncPage[_T]]]) -> None:
        self._first = first

    def __await__(self) -> Generator[Any, None, AsyncPage[_T]]:
        return self._first().__await__()

    async def __aiter__(self) -> AsyncIterator[_T]:
        page = await self._first()
        async for item in page:
            yield item


def page_parser(
    item: type[_T], make: Callable[[Mapping[str, Any], list[_T]], _P]
) -> Callable[[httpx.Response], _P]:
    """A parser of a list response into a page of `item`s (`make` builds the page)."""
    adapter = pydantic.TypeAdapter(list[item])  # type: ignore[valid-type]

    def parse(response: httpx.Response) -> _P:
        try:
            body = response.json()
            data = adapter.validate_python(body["data"])
        except (ValueError, KeyError, TypeError, pydantic.ValidationError) as exc:
            raise APIResponseValidationError(
                f"the API's response is not a list page of {item.__name__}: {exc}",
                response=response,
            ) from exc
        return make(body, data)

    return parse
