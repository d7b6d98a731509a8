"""The `messages` resource: `create`, `count_tokens` and their raw-response variants.

`Messages` (sync) and `AsyncMessages` are thin: both turn keyword parameters into a
`PreparedRequest` with the same sans-IO helpers, then hand it to their client's driver.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import inspect
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast, overload

import httpx
from typing_extensions import Unpack

from ._base_client import BaseClient, model_parser
from ._core.request import PreparedRequest, build_body, validate_count_tokens, validate_create
from ._exceptions import UsageError
from ._message_stream import (
    AsyncMessageStream,
    AsyncMessageStreamManager,
    MessageStream,
    MessageStreamManager,
)
from ._response import APIResponse, AsyncAPIResponse
from ._streaming import AsyncStream, Stream
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from .types.message import Message, MessageTokensCount
from .types.request_params import (
    MessageCountTokensParams,
    MessageCreateParams,
    MessageCreateParamsNonStreaming,
    MessageCreateParamsStreaming,
    RequestOptions,
)

if TYPE_CHECKING:
    from ._client import Anthropic, AsyncAnthropic

__all__ = [
    "AsyncMessages",
    "AsyncMessagesWithRawResponse",
    "AsyncMessagesWithStreamingResponse",
    "Messages",
    "MessagesWithRawResponse",
    "MessagesWithStreamingResponse",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_raw_mode: contextvars.ContextVar[bool] = contextvars.ContextVar("agentkit_raw", default=False)

_OPTION_KEYS = frozenset(RequestOptions.__required_keys__ | RequestOptions.__optional_keys__)
_HEADER_PARAMS = {
    "user_profile_id": "anthropic-user-profile-id",
    "workspace_id": "anthropic-workspace-id",
}
_CREATE_KEYS = frozenset(
    MessageCreateParamsStreaming.__required_keys__ | MessageCreateParamsStreaming.__optional_keys__
)
_COUNT_KEYS = frozenset(
    MessageCountTokensParams.__required_keys__ | MessageCountTokensParams.__optional_keys__
)


def _check_names(method: str, params: Mapping[str, Any], known: frozenset[str]) -> None:
    for name in params:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UsageError(
                f"{method}() got an unexpected parameter {name!r}.{hint} To send a field "
                "agentkit does not know yet, pass it in extra_body={...}."
            )
    missing = [name for name in ("model", "messages", "max_tokens") if name in known]
    for name in missing:
        if name not in params or isinstance(params[name], NotGiven):
            raise UsageError(f"{method}() is missing the required parameter {name!r}.")


def _split(
    client: BaseClient, params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], TimeoutTypes | NotGiven]:
    """Separate body fields from per-call options; header-borne params become headers."""
    fields = {k: v for k, v in params.items() if k not in _OPTION_KEYS}
    headers: dict[str, Any] = dict(params.get("extra_headers") or {})
    for name, header in _HEADER_PARAMS.items():
        value = fields.pop(name, NOT_GIVEN)
        if not isinstance(value, NotGiven):
            headers.setdefault(header, value)
    body = build_body(fields, params.get("extra_body"))
    timeout: TimeoutTypes | NotGiven = params.get("timeout", NOT_GIVEN)
    return body, headers, timeout


def prepare_create(
    client: BaseClient, params: Mapping[str, Any], *, method: str = "messages.create"
) -> tuple[PreparedRequest, TimeoutTypes | NotGiven]:
    """Validate `messages.create` parameters and build its request."""
    _check_names(method, params, _CREATE_KEYS)
    body, headers, timeout = _split(client, params)
    stream = body.get("stream") is True
    if "stream" in body and not isinstance(body["stream"], bool):
        raise UsageError(f"stream must be True or False, got {body['stream']!r}.")
    validate_create(
        body,
        api_version=client.api_version,
        stream=stream,
        timeout_given=not client.timeout_is_default(timeout),
    )
    prepared = client.prepare(
        "POST",
        "/v1/messages",
        body,
        extra_headers=headers,
        extra_query=params.get("extra_query"),
        stream=stream,
    )
    return prepared, timeout


def prepare_count_tokens(
    client: BaseClient, params: Mapping[str, Any]
) -> tuple[PreparedRequest, TimeoutTypes | NotGiven]:
    """Validate `messages.count_tokens` parameters and build its request."""
    _check_names("messages.count_tokens", params, _COUNT_KEYS)
    body, headers, timeout = _split(client, params)
    validate_count_tokens(body, api_version=client.api_version)
    prepared = client.prepare(
        "POST",
        "/v1/messages/count_tokens",
        body,
        extra_headers=headers,
        extra_query=params.get("extra_query"),
    )
    return prepared, timeout


def prepare_stream(
    client: BaseClient, params: Mapping[str, Any]
) -> tuple[PreparedRequest, TimeoutTypes | NotGiven]:
    """Validate `messages.stream` parameters (create's, streaming) and build its request."""
    if "stream" in params:
        raise UsageError(
            "messages.stream() always streams; remove the stream= argument "
            "(or use messages.create(..., stream=True) for raw events)."
        )
    return prepare_create(client, {**params, "stream": True}, method="messages.stream")


def _finish(response: APIResponse[_R]) -> Any:
    """The parsed result, or the raw response inside `with_raw_response`."""
    return response if _raw_mode.get() else response.parse()


def _parser_for(prepared: PreparedRequest, stream_cls: type[Stream] | type[AsyncStream]) -> Any:
    """Parses a create response: a `Message`, or a stream of events."""
    return stream_cls if prepared.stream else model_parser(Message)


def _signature_of(*typed_dicts: type[Mapping[str, Any]]) -> inspect.Signature:
    """A runtime signature listing each TypedDict key as a keyword parameter.

    A key is required only when every TypedDict requires it (`stream` is optional in
    `create`, though the streaming variant requires it).
    """
    required = set.intersection(*(set(td.__required_keys__) for td in typed_dicts))  # type: ignore[attr-defined]
    hints: dict[str, Any] = {}
    for td in typed_dicts:
        for name, annotation in typing.get_type_hints(td).items():
            hints.setdefault(name, annotation)
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if name in required else NOT_GIVEN,
            annotation=annotation,
        )
        for name, annotation in hints.items()
    ]
    params.sort(key=lambda p: (p.kind, p.default is not inspect.Parameter.empty))
    return inspect.Signature(params)


_CREATE_SIGNATURE = _signature_of(MessageCreateParamsStreaming, MessageCreateParamsNonStreaming)
_CREATE_SIGNATURE = _CREATE_SIGNATURE.replace(
    parameters=[
        p.replace(annotation=bool) if p.name == "stream" else p
        for p in _CREATE_SIGNATURE.parameters.values()
    ]
)
_STREAM_SIGNATURE = _signature_of(MessageCreateParams)
_COUNT_SIGNATURE = _signature_of(MessageCountTokensParams)


class Messages:
    """`client.messages`: create messages, stream them, count tokens."""

    def __init__(self, client: Anthropic) -> None:
        self._client = client

    @functools.cached_property
    def with_raw_response(self) -> MessagesWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return MessagesWithRawResponse(self)

    @functools.cached_property
    def with_streaming_response(self) -> MessagesWithStreamingResponse:
        """The same methods as context managers giving the response before its body is read."""
        return MessagesWithStreamingResponse(self)

    @overload
    def create(self, **params: Unpack[MessageCreateParamsNonStreaming]) -> Message: ...
    @overload
    def create(self, **params: Unpack[MessageCreateParamsStreaming]) -> Stream: ...
    def create(self, **params: Any) -> Message | Stream:
        """Send a conversation and get the model's next message.

        Parameters are the Messages API's (`model`, `messages`, `max_tokens`, `system`,
        `tools`, `tool_choice`, `thinking`, ...; see `MessageCreateParams`) plus per-call
        `extra_headers`, `extra_query`, `extra_body` and `timeout`. Parameters left out are
        not sent. With `stream=True` the result is a `Stream` of raw events.

        Raises:
            UsageError: A parameter is missing, misspelt or invalid (nothing was sent).
            APIStatusError: The API answered with an error (a subclass per status).
            APIConnectionError: No response arrived after the retries.
        """
        prepared, timeout = prepare_create(self._client, params)
        parser = _parser_for(prepared, Stream)
        return _finish(self._client._request(prepared, parser, timeout=timeout))  # type: ignore[no-any-return]

    def stream(self, **params: Unpack[MessageCreateParams]) -> MessageStreamManager:
        """Stream a message: `with client.messages.stream(...) as stream: ...`.

        Takes `create`'s parameters (without `stream`). The `MessageStream` offers
        `text_stream`, event iteration, `get_final_message()` and `get_final_text()`. A stream
        that fails before any content arrived is re-sent, within the client's `max_retries`.
        """
        prepared, timeout = prepare_stream(self._client, params)

        def open_stream(retries_taken: int) -> APIResponse[Stream]:
            return self._client._request(
                prepared, Stream, timeout=timeout, retries_taken=retries_taken
            )

        return MessageStreamManager(open_stream, self._client._retry_policy)

    def count_tokens(self, **params: Unpack[MessageCountTokensParams]) -> MessageTokensCount:
        """Count the input tokens a `create` call with these parameters would use."""
        prepared, timeout = prepare_count_tokens(self._client, params)
        parser = model_parser(MessageTokensCount)
        return _finish(self._client._request(prepared, parser, timeout=timeout))  # type: ignore[no-any-return]

    create.__signature__ = _CREATE_SIGNATURE  # type: ignore[attr-defined]
    stream.__signature__ = _STREAM_SIGNATURE  # type: ignore[attr-defined]
    count_tokens.__signature__ = _COUNT_SIGNATURE  # type: ignore[attr-defined]


class AsyncMessages:
    """`client.messages` of `AsyncAnthropic`: create messages, stream them, count tokens."""

    def __init__(self, client: AsyncAnthropic) -> None:
        self._client = client

    @functools.cached_property
    def with_raw_response(self) -> AsyncMessagesWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return AsyncMessagesWithRawResponse(self)

    @functools.cached_property
    def with_streaming_response(self) -> AsyncMessagesWithStreamingResponse:
        """The same methods as context managers giving the response before its body is read."""
        return AsyncMessagesWithStreamingResponse(self)

    @overload
    async def create(self, **params: Unpack[MessageCreateParamsNonStreaming]) -> Message: ...
    @overload
    async def create(self, **params: Unpack[MessageCreateParamsStreaming]) -> AsyncStream: ...
    async def create(self, **params: Any) -> Message | AsyncStream:
        """Send a conversation and get the model's next message (see `Messages.create`)."""
        prepared, timeout = prepare_create(self._client, params)
        parser = _parser_for(prepared, AsyncStream)
        response = await self._client._request(prepared, parser, timeout=timeout)
        return _finish(response)  # type: ignore[no-any-return]

    def stream(self, **params: Unpack[MessageCreateParams]) -> AsyncMessageStreamManager:
        """Stream a message: `async with client.messages.stream(...) as stream: ...`."""
        prepared, timeout = prepare_stream(self._client, params)

        async def open_stream(retries_taken: int) -> APIResponse[AsyncStream]:
            return await self._client._request(
                prepared, AsyncStream, timeout=timeout, retries_taken=retries_taken
            )

        return AsyncMessageStreamManager(open_stream, self._client._retry_policy)

    async def count_tokens(self, **params: Unpack[MessageCountTokensParams]) -> MessageTokensCount:
        """Count the input tokens a `create` call with these parameters would use."""
        prepared, timeout = prepare_count_tokens(self._client, params)
        parser = model_parser(MessageTokensCount)
        response = await self._client._request(prepared, parser, timeout=timeout)
        return _finish(response)  # type: ignore[no-any-return]

    create.__signature__ = _CREATE_SIGNATURE  # type: ignore[attr-defined]
    stream.__signature__ = _STREAM_SIGNATURE  # type: ignore[attr-defined]
    count_tokens.__signature__ = _COUNT_SIGNATURE  # type: ignore[attr-defined]


def _raw(method: Callable[_P, _R]) -> Callable[_P, APIResponse[_R]]:
    """Wrap a sync resource method so it returns its `APIResponse`."""

    @functools.wraps(method)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_R]:
        token = _raw_mode.set(True)
        try:
            return cast(APIResponse[_R], method(*args, **kwargs))
        finally:
            _raw_mode.reset(token)

    wrapped.__signature__ = inspect.signature(method)  # type: ignore[attr-defined]
    return wrapped


def _async_raw(
    method: Callable[_P, Awaitable[_R]],
) -> Callable[_P, Awaitable[APIResponse[_R]]]:
    """Wrap an async resource method so it returns its `APIResponse`."""

    @functools.wraps(method)
    async def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_R]:
        token = _raw_mode.set(True)
        try:
            return cast(APIResponse[_R], await method(*args, **kwargs))
        finally:
            _raw_mode.reset(token)

    wrapped.__signature__ = inspect.signature(method)  # type: ignore[attr-defined]
    return wrapped


class MessagesWithRawResponse:
    """`client.messages.with_raw_response`: each method returns an `APIResponse`."""

    def __init__(self, messages: Messages) -> None:
        self.create = _raw(messages.create)
        self.count_tokens = _raw(messages.count_tokens)


class AsyncMessagesWithRawResponse:
    """`client.messages.with_raw_response` of the async client."""

    def __init__(self, messages: AsyncMessages) -> None:
        self.create = _async_raw(messages.create)
        self.count_tokens = _async_raw(messages.count_tokens)


def _read_then(parser: Callable[[httpx.Response], _R]) -> Callable[[httpx.Response], _R]:
    def parse(response: httpx.Response) -> _R:
        response.read()
        return parser(response)

    return parse


def _aread_then(
    parser: Callable[[httpx.Response], _R],
) -> Callable[[httpx.Response], Awaitable[_R]]:
    async def parse(response: httpx.Response) -> _R:
        await response.aread()
        return parser(response)

    return parse


class MessagesWithStreamingResponse:
    """`client.messages.with_streaming_response`: the response before its body is read.

    `with client.messages.with_streaming_response.create(...) as response:` gives an
    `APIResponse` whose headers are available at once; the body is read by `parse()`,
    `read()` or `iter_bytes()`, and the connection is released when the block ends.
    """

    def __init__(self, messages: Messages) -> None:
        self._client = messages._client

    @contextmanager
    def create(self, **params: Any) -> Iterator[APIResponse[Any]]:
        """`messages.create` whose response is handed over unread (see the class)."""
        prepared, timeout = prepare_create(self._client, params)
        parser = Stream if prepared.stream else _read_then(model_parser(Message))
        response = self._client._request(prepared, parser, timeout=timeout, defer_read=True)
        try:
            yield response
        finally:
            response.http_response.close()

    @contextmanager
    def count_tokens(self, **params: Any) -> Iterator[APIResponse[MessageTokensCount]]:
        """`messages.count_tokens` whose response is handed over unread."""
        prepared, timeout = prepare_count_tokens(self._client, params)
        parser = _read_then(model_parser(MessageTokensCount))
        response = self._client._request(prepared, parser, timeout=timeout, defer_read=True)
        try:
            yield response
        finally:
            response.http_response.close()

    @contextmanager
    def stream(self, **params: Any) -> Iterator[APIResponse[MessageStream]]:
        """`messages.stream` whose response is handed over first; `parse()` gives the stream."""
        prepared, timeout = prepare_stream(self._client, params)

        def open_stream(retries_taken: int) -> APIResponse[Stream]:
            return self._client._request(
                prepared, Stream, timeout=timeout, retries_taken=retries_taken
            )

        first = open_stream(0)
        policy = self._client._retry_policy
        response = APIResponse(
            first.http_response,
            lambda _r: MessageStream(first, open_stream, policy),
            retries_taken=first.retries_taken,
        )
        try:
            yield response
        finally:
            if response._is_parsed:
                response.parse().close()
            first.http_response.close()

    create.__signature__ = _CREATE_SIGNATURE  # type: ignore[attr-defined]
    stream.__signature__ = _STREAM_SIGNATURE  # type: ignore[attr-defined]
    count_tokens.__signature__ = _COUNT_SIGNATURE  # type: ignore[attr-defined]


class AsyncMessagesWithStreamingResponse:
    """`client.messages.with_streaming_response` of the async client (`async with`)."""

    def __init__(self, messages: AsyncMessages) -> None:
        self._client = messages._client

    @asynccontextmanager
    async def create(self, **params: Any) -> AsyncIterator[AsyncAPIResponse[Any]]:
        """`messages.create` whose response is handed over unread; `await parse()` reads it."""
        prepared, timeout = prepare_create(self._client, params)
        sync_parser: Any = AsyncStream if prepared.stream else model_parser(Message)
        raw = await self._client._request(prepared, sync_parser, timeout=timeout, defer_read=True)
        parser = _as_async(AsyncStream) if prepared.stream else _aread_then(sync_parser)
        response = AsyncAPIResponse(raw.http_response, parser, retries_taken=raw.retries_taken)
        try:
            yield response
        finally:
            await response.http_response.aclose()

    @asynccontextmanager
    async def count_tokens(
        self, **params: Any
    ) -> AsyncIterator[AsyncAPIResponse[MessageTokensCount]]:
        """`messages.count_tokens` whose response is handed over unread."""
        prepared, timeout = prepare_count_tokens(self._client, params)
        sync_parser = model_parser(MessageTokensCount)
        raw = await self._client._request(prepared, sync_parser, timeout=timeout, defer_read=True)
        response = AsyncAPIResponse(
            raw.http_response, _aread_then(sync_parser), retries_taken=raw.retries_taken
        )
        try:
            yield response
        finally:
            await response.http_response.aclose()

    @asynccontextmanager
    async def stream(self, **params: Any) -> AsyncIterator[AsyncAPIResponse[AsyncMessageStream]]:
        """`messages.stream` whose response is handed over first; `await parse()` streams."""
        prepared, timeout = prepare_stream(self._client, params)

        async def open_stream(retries_taken: int) -> APIResponse[AsyncStream]:
            return await self._client._request(
                prepared, AsyncStream, timeout=timeout, retries_taken=retries_taken
            )

        first = await open_stream(0)
        policy = self._client._retry_policy

        async def parse(_response: httpx.Response) -> AsyncMessageStream:
            return AsyncMessageStream(first, open_stream, policy)

        response = AsyncAPIResponse(first.http_response, parse, retries_taken=first.retries_taken)
        try:
            yield response
        finally:
            if response._is_parsed:
                await (await response.parse()).close()
            await first.http_response.aclose()

    create.__signature__ = _CREATE_SIGNATURE  # type: ignore[attr-defined]
    stream.__signature__ = _STREAM_SIGNATURE  # type: ignore[attr-defined]
    count_tokens.__signature__ = _COUNT_SIGNATURE  # type: ignore[attr-defined]


def _as_async(
    parser: Callable[[httpx.Response], _R],
) -> Callable[[httpx.Response], Awaitable[_R]]:
    async def parse(response: httpx.Response) -> _R:
        return parser(response)

    return parse
