"""What the REST resources (`messages.batches`, `models`) share, sync and async.

Each call is built once, without I/O, as a `Call`: its prepared request, the parser of its
response and how to send it. The sync and async resources differ only in sending a call
(`SyncResource._send` / `AsyncResource._send`) and in fetching a list's next page.

Their public methods take the per-call options as `**options: Unpack[RequestOptions]`
(`**params: Unpack[ListParams]` for the lists), written once; `spelled_out` gives them the
signature `inspect` shows, each keyword listed with its default.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import httpx
import pydantic

from ._base_client import model_parser
from ._core.batches import CallOptions, list_query, prepare_call
from ._core.request import PreparedRequest
from ._pagination import AsyncPage, AsyncPaginator, SyncPage, page_parser
from ._response import APIResponse
from ._send import AsyncSender, Sender
from ._types import NOT_GIVEN, Body, Headers, NotGiven, Query, TimeoutTypes

__all__ = [
    "AsyncResource",
    "Call",
    "SyncResource",
    "call",
    "call_options",
    "list_request",
    "model_of",
    "spelled_out",
]

_T = TypeVar("_T")
_M = TypeVar("_M", bound=pydantic.BaseModel)
_C = TypeVar("_C", bound=type)
_P = TypeVar("_P", bound="SyncPage[Any] | AsyncPage[Any]")

_CURSORS = ("limit", "after_id", "before_id")


@dataclass(frozen=True, slots=True)
class Call(Generic[_T]):
    """One call of a resource, ready to send.

    Attributes:
        prepared: The request.
        parser: Turns the successful response into the call's result.
        timeout: The call's timeout, if it chose one.
        defer_read: Leave the body unread (a results file, read as it streams).
    """

    prepared: PreparedRequest
    parser: Callable[[httpx.Response], _T]
    timeout: TimeoutTypes | NotGiven
    defer_read: bool = False


def call(
    prepared: PreparedRequest,
    parser: Callable[[httpx.Response], _T],
    options: CallOptions,
    *,
    defer_read: bool = False,
) -> Call[_T]:
    """The `Call` of `prepared`, sent with `options`' timeout."""
    return Call(prepared, parser, options.timeout, defer_read)


def model_of(cls: type[_M]) -> Callable[[httpx.Response], _M]:
    """The parser of a response holding one `cls`."""
    parser: Callable[[httpx.Response], _M] = model_parser(cast(Any, cls))
    return parser


def call_options(options: Mapping[str, Any]) -> CallOptions:
    """The per-call options given as keyword arguments (a `TypeError` names an unknown one)."""
    try:
        return CallOptions(**options)
    except TypeError:
        names = [param.name for param in _OPTIONS]
        unknown = sorted(set(options) - set(names))
        raise TypeError(
            f"got an unexpected keyword argument {unknown[0]!r} (the per-call options are "
            f"{', '.join(names)})"
        ) from None


def list_request(params: Mapping[str, Any]) -> tuple[dict[str, object], CallOptions]:
    """A list call's keyword arguments split into its checked query and its options."""
    options = dict(params)
    cursors = {name: options.pop(name, NOT_GIVEN) for name in _CURSORS}
    query = list_query(**cursors)
    return query, call_options(options)


def _page_call(
    client: Any,
    path: str,
    item: type[_M],
    query: Mapping[str, object],
    options: CallOptions,
    make: Callable[[Mapping[str, Any], list[_M]], _P],
) -> Call[_P]:
    prepared = prepare_call(client, "GET", path, options, query=query)
    return call(prepared, page_parser(item, make), options)


class SyncResource:
    """Sends the calls of a resource of `Anthropic`."""

    _sender: Sender

    def _send(self, sent: Call[_T]) -> APIResponse[_T]:
        return self._sender.request(
            sent.prepared, sent.parser, timeout=sent.timeout, defer_read=sent.defer_read
        )

    def _page(
        self, path: str, item: type[_M], query: Mapping[str, object], options: CallOptions
    ) -> APIResponse[SyncPage[_M]]:
        """A page of the list at `path`; iterating past its end fetches the next one."""

        def make(body: Mapping[str, Any], data: list[_M]) -> SyncPage[_M]:
            return SyncPage(body, data, query, lambda q: self._page(path, item, q, options).parse())

        return self._send(_page_call(self._sender.client, path, item, query, options, make))


class AsyncResource:
    """Sends the calls of a resource of `AsyncAnthropic`."""

    _sender: AsyncSender

    async def _send(self, sent: Call[_T]) -> APIResponse[_T]:
        return await self._sender.request(
            sent.prepared, sent.parser, timeout=sent.timeout, defer_read=sent.defer_read
        )

    async def _page(
        self, path: str, item: type[_M], query: Mapping[str, object], options: CallOptions
    ) -> APIResponse[AsyncPage[_M]]:
        """A page of the list at `path`; `async for` past its end fetches the next one."""

        async def fetch(next_query: dict[str, object]) -> AsyncPage[_M]:
            return (await self._page(path, item, next_query, options)).parse()

        def make(body: Mapping[str, Any], data: list[_M]) -> AsyncPage[_M]:
            return AsyncPage(body, data, query, fetch)

        return await self._send(_page_call(self._sender.client, path, item, query, options, make))

    def _paginator(
        self, path: str, item: type[_M], params: Mapping[str, Any]
    ) -> AsyncPaginator[_M]:
        """The async `list()`: its query checked now, its first page fetched when awaited."""
        query, options = list_request(params)

        async def first() -> AsyncPage[_M]:
            return (await self._page(path, item, query, options)).parse()

        return AsyncPaginator(first)


def _options_template(
    *,
    extra_headers: Headers | None = None,
    extra_query: Query | None = None,
    extra_body: Body | None = None,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
) -> None:
    """The per-call options as `inspect` shows them (never called)."""


def _cursors_template(
    *,
    limit: int | NotGiven = NOT_GIVEN,
    after_id: str | NotGiven = NOT_GIVEN,
    before_id: str | NotGiven = NOT_GIVEN,
) -> None:
    """A list's cursors as `inspect` shows them (never called)."""


_OPTIONS = list(inspect.signature(_options_template).parameters.values())
_LIST = list(inspect.signature(_cursors_template).parameters.values()) + _OPTIONS


def spelled_out(cls: _C) -> _C:
    """Give the class's public methods taking `**options` / `**params` their spelt-out signature.

    `**options` stands for the per-call options (`RequestOptions`), `**params` for a list's
    (`ListParams`); `inspect.signature` then lists each keyword with its default, and a keyword
    outside it is a `TypeError` naming the method, as for a method that spells them out.
    """
    for name, method in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(method):
            continue
        signature = inspect.signature(method)
        *params, last = signature.parameters.values()
        if last.kind is inspect.Parameter.VAR_KEYWORD:
            extra = _LIST if last.name == "params" else _OPTIONS
            spelled = signature.replace(parameters=[*params, *extra])
            checked = _checking(f"{cls.__name__}.{name}", method, spelled)
            vars(checked)["__signature__"] = spelled
            setattr(cls, name, checked)
    return cls


def _checking(where: str, method: Callable[..., Any], signature: inspect.Signature) -> Any:
    """`method`, refusing a keyword its spelt-out `signature` does not have."""
    allowed = frozenset(signature.parameters)
    keywords = [p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]

    def check(kwargs: Mapping[str, Any]) -> None:
        for key in kwargs:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"it takes {', '.join(keywords)}"
                raise TypeError(f"{where}() got an unexpected keyword argument {key!r} ({hint})")

    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def checked_async(*args: Any, **kwargs: Any) -> Any:
            check(kwargs)
            return await method(*args, **kwargs)

        return checked_async

    @functools.wraps(method)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check(kwargs)
        return method(*args, **kwargs)

    return checked
