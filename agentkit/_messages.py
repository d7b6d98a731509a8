"""The `messages` resource: `create`, `stream`, `count_tokens` and their raw-response variants.

Thin: each method turns its keyword parameters into a `PreparedRequest` (sans-IO,
`agentkit._core.endpoints`) and hands it to its client's sender. Whether a call returns the
parsed result or the raw `APIResponse` is an explicit argument of the internal `_create` /
`_count_tokens`, which the `with_raw_response` wrappers pass.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import (
    AsyncExitStack,
    ExitStack,
    aclosing,
    asynccontextmanager,
    closing,
    contextmanager,
)
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast, overload

import httpx
from typing_extensions import Unpack

from ._base_client import model_parser
from ._batches import AsyncBatches, Batches
from ._core.endpoints import (
    prepare_count_tokens,
    prepare_create,
    prepare_stream,
)
from ._core.request import PreparedRequest
from ._exceptions import UsageError
from ._message_stream import (
    AsyncMessageStream,
    AsyncMessageStreamManager,
    AsyncParsedMessageStreamManager,
    MessageStream,
    MessageStreamManager,
    ParsedMessageStreamManager,
)
from ._parse import parse_message, with_output_format
from ._response import APIResponse, AsyncAPIResponse
from ._send import AsyncSender, Sender
from ._streaming import AsyncStream, Stream
from ._types import NOT_GIVEN
from .types.message import Message, MessageTokensCount
from .types.parsed_message import ParsedMessage
from .types.request_params import (
    MessageCountTokensParams,
    MessageCreateParams,
    MessageCreateParamsNonStreaming,
    MessageCreateParamsStreaming,
)

if TYPE_CHECKING:
    from ._output import OutputSpec

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
_F = TypeVar("_F", bound=Callable[..., Any])
_T = TypeVar("_T")


def _signature_of(*typed_dicts: type[Mapping[str, Any]]) -> inspect.Signature:
    """A runtime signature listing each TypedDict key as a keyword parameter.

    A key is required only when every TypedDict requires it (`stream` is optional in
    `create`, though the streaming variant requires it).
    """
    keys = (frozenset(getattr(td, "__required_keys__")) for td in typed_dicts)  # noqa: B009
    required = frozenset.intersection(*keys)
    hints: dict[str, Any] = {}
    for td in typed_dicts:
        for name, annotation in typing.get_type_hints(td, localns={"httpx": httpx}).items():
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


CREATE_SIGNATURE = _signature_of(MessageCreateParamsStreaming, MessageCreateParamsNonStreaming)
CREATE_SIGNATURE = CREATE_SIGNATURE.replace(
    parameters=[
        p.replace(annotation=bool) if p.name == "stream" else p
        for p in CREATE_SIGNATURE.parameters.values()
    ]
)
_OUTPUT_FORMAT = inspect.Parameter(
    "output_format", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Any
)
STREAM_SIGNATURE = _signature_of(MessageCreateParams)
STREAM_SIGNATURE = STREAM_SIGNATURE.replace(
    parameters=[*STREAM_SIGNATURE.parameters.values(), _OUTPUT_FORMAT]
)
COUNT_SIGNATURE = _signature_of(MessageCountTokensParams)
COUNT_SIGNATURE = COUNT_SIGNATURE.replace(
    parameters=[*COUNT_SIGNATURE.parameters.values(), _OUTPUT_FORMAT]
)
_SIGNATURES = {
    "create": CREATE_SIGNATURE,
    "stream": STREAM_SIGNATURE,
    "parse": STREAM_SIGNATURE,
    "count_tokens": COUNT_SIGNATURE,
}
_C = TypeVar("_C", bound=type)


def _signed(cls: _C) -> _C:
    """Give the class's `create` / `stream` / `parse` / `count_tokens` their signatures."""
    for name, signature in _SIGNATURES.items():
        vars(vars(cls)[name])["__signature__"] = signature
    return cls


_M = TypeVar("_M", MessageStreamManager, AsyncMessageStreamManager)


def _stream_manager(
    sender: Any, params: Mapping[str, Any], output_format: Any, kind: type[_M]
) -> _M:
    """The stream manager of a `messages.stream` call (a parsed one with `output_format`)."""
    fields, spec = with_output_format(params, output_format, method="messages.stream")
    prepared, timeout = prepare_stream(sender.client, fields, stacklevel=5)  # for the user's line
    if spec is not None:
        parsed: Any = (
            ParsedMessageStreamManager
            if kind is MessageStreamManager
            else AsyncParsedMessageStreamManager
        )
        return cast(_M, parsed(sender, prepared, timeout, spec))
    return kind(sender, prepared, timeout)


def _prepared_parse(
    client: Any, params: Mapping[str, Any]
) -> tuple[PreparedRequest, Any, Callable[[httpx.Response], ParsedMessage[Any]]]:
    """A `messages.parse` request, its timeout, and the parser validating its response."""
    fields, spec = _parse_request(params)
    prepared, timeout = prepare_create(client, fields, method="messages.parse")
    return prepared, timeout, _parsed_parser(spec)


def _parse_request(params: Mapping[str, Any]) -> tuple[dict[str, Any], OutputSpec[Any] | None]:
    """`parse`'s parameters with `output_config.format` set, and the output spec."""
    fields = dict(params)
    output_format = fields.pop("output_format", None)
    if "stream" in fields:
        raise UsageError(
            "messages.parse() returns a complete message; to stream typed output use "
            "messages.stream(..., output_format=T)."
        )
    return with_output_format(fields, output_format, method="messages.parse")


def _count_request(params: Mapping[str, Any]) -> dict[str, Any]:
    """`count_tokens`'s parameters with `output_config.format` set when `output_format` is."""
    fields = dict(params)
    output_format = fields.pop("output_format", None)
    return with_output_format(fields, output_format, method="messages.count_tokens")[0]


def _parsed_parser(
    spec: OutputSpec[Any] | None,
) -> Callable[[httpx.Response], ParsedMessage[Any]]:
    """Parses a `parse` response: a `ParsedMessage`, its text validated."""
    parser = model_parser(Message)

    def parse(response: httpx.Response) -> ParsedMessage[Any]:
        return parse_message(parser(response), spec)

    return parse


def _create_parser(prepared: PreparedRequest, stream_cls: type[Stream] | type[AsyncStream]) -> Any:
    """Parses a create response: a `Message`, or a stream of events."""
    return stream_cls if prepared.stream else model_parser(Message)


@_signed
class Messages:
    """`client.messages`: create messages, stream them, count tokens."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @functools.cached_property
    def batches(self) -> Batches:
        """Message Batches: many requests processed asynchronously, at half price."""
        return Batches(self._sender)

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
        message: Message | Stream = self._create(params, raw=False)
        return message

    @overload
    def stream(self, **params: Unpack[MessageCreateParams]) -> MessageStreamManager: ...
    @overload
    def stream(
        self, *, output_format: type[_T], **params: Unpack[MessageCreateParams]
    ) -> ParsedMessageStreamManager[_T]: ...
    @overload
    def stream(
        self, *, output_format: Any, **params: Unpack[MessageCreateParams]
    ) -> ParsedMessageStreamManager[Any]: ...
    def stream(self, *, output_format: Any = None, **params: Any) -> MessageStreamManager:
        """Stream a message: `with client.messages.stream(...) as stream: ...`.

        Takes `create`'s parameters (without `stream`). The `MessageStream` offers
        `text_stream`, event iteration, `get_final_message()` and `get_final_text()`. A stream
        that fails before any content arrived is re-sent, within the client's `max_retries`.

        With `output_format=T` (as `parse`) the stream is a `ParsedMessageStream[T]`: the
        output as parsed so far (`current_output_snapshot`, `output_stream`), and a
        `ParsedMessage[T]` from `get_final_message()`.
        """
        return _stream_manager(self._sender, params, output_format, MessageStreamManager)

    @overload
    def parse(
        self, *, output_format: type[_T], **params: Unpack[MessageCreateParams]
    ) -> ParsedMessage[_T]: ...
    @overload
    def parse(
        self, *, output_format: Any = None, **params: Unpack[MessageCreateParams]
    ) -> ParsedMessage[Any]: ...
    def parse(self, *, output_format: Any = None, **params: Any) -> ParsedMessage[Any]:
        """Send a conversation and get the model's answer as a value of type `output_format`.

        Takes `create`'s parameters (without `stream`) and `output_format`: a pydantic
        model, a dataclass, a `TypedDict`, `list[...]`, a `Literal`, a union of these, or a
        primitive type. Its JSON Schema is sent as `output_config.format` (merged with your
        other `output_config` keys, e.g. `effort`) and the answer's text is validated against
        it: `.parsed_output` of the returned `ParsedMessage` is the value.

        `parsed_output` is None when the model stopped without a finished answer:
        `stop_reason` `refusal`, `max_tokens`, `model_context_window_exceeded`, `tool_use`
        or `pause_turn`.

        Raises:
            OutputValidationError: The answer does not match the type (`.errors` has every
                problem with its JSON path, `.message` the response).
            InvalidArgumentTypeError: `output_format` is a string or a dict, not a type (a
                `TypeError`); send a schema of your own with `create(output_config=...)`.
            UsageError: Both `output_format` and `output_config["format"]` were given, the type
                has no JSON Schema the API can follow, or a parameter is invalid.
            APIStatusError: The API answered with an error (a subclass per status).
        """
        message: ParsedMessage[Any] = self._parse(
            {**params, "output_format": output_format}, raw=False
        )
        return message

    def count_tokens(
        self, *, output_format: Any = None, **params: Unpack[MessageCountTokensParams]
    ) -> MessageTokensCount:
        """Count the input tokens a `create` call with these parameters would use.

        `output_format=T` counts with `T`'s schema as the output format (as `parse` sends it).
        """
        count = self._count_tokens({**params, "output_format": output_format}, raw=False)
        return cast(MessageTokensCount, count)

    def _create(self, params: Mapping[str, Any], *, raw: bool) -> Any:
        prepared, timeout = prepare_create(self._sender.client, params)
        parser = _create_parser(prepared, Stream)
        response = self._sender.request(prepared, parser, timeout=timeout)
        return response if raw else response.parse()

    def _parse(self, params: Mapping[str, Any], *, raw: bool) -> Any:
        fields, spec = _parse_request(params)
        prepared, timeout = prepare_create(self._sender.client, fields, method="messages.parse")
        response = self._sender.request(prepared, _parsed_parser(spec), timeout=timeout)
        return response if raw else response.parse()

    def _count_tokens(self, params: Mapping[str, Any], *, raw: bool) -> Any:
        prepared, timeout = prepare_count_tokens(self._sender.client, _count_request(params))
        parser = model_parser(MessageTokensCount)
        response = self._sender.request(prepared, parser, timeout=timeout)
        return response if raw else response.parse()


@_signed
class AsyncMessages:
    """`client.messages` of `AsyncAnthropic`: create messages, stream them, count tokens."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    @functools.cached_property
    def batches(self) -> AsyncBatches:
        """Message Batches: many requests processed asynchronously, at half price."""
        return AsyncBatches(self._sender)

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
        message: Message | AsyncStream = await self._create(params, raw=False)
        return message

    @overload
    def stream(self, **params: Unpack[MessageCreateParams]) -> AsyncMessageStreamManager: ...
    @overload
    def stream(
        self, *, output_format: type[_T], **params: Unpack[MessageCreateParams]
    ) -> AsyncParsedMessageStreamManager[_T]: ...
    @overload
    def stream(
        self, *, output_format: Any, **params: Unpack[MessageCreateParams]
    ) -> AsyncParsedMessageStreamManager[Any]: ...
    def stream(self, *, output_format: Any = None, **params: Any) -> AsyncMessageStreamManager:
        """Stream a message: `async with client.messages.stream(...) as stream: ...`.

        With `output_format=T` the stream is an `AsyncParsedMessageStream[T]` (see
        `Messages.stream`).
        """
        return _stream_manager(self._sender, params, output_format, AsyncMessageStreamManager)

    @overload
    async def parse(
        self, *, output_format: type[_T], **params: Unpack[MessageCreateParams]
    ) -> ParsedMessage[_T]: ...
    @overload
    async def parse(
        self, *, output_format: Any = None, **params: Unpack[MessageCreateParams]
    ) -> ParsedMessage[Any]: ...
    async def parse(self, *, output_format: Any = None, **params: Any) -> ParsedMessage[Any]:
        """The answer as a value of type `output_format` (see `Messages.parse`)."""
        message: ParsedMessage[Any] = await self._parse(
            {**params, "output_format": output_format}, raw=False
        )
        return message

    async def count_tokens(
        self, *, output_format: Any = None, **params: Unpack[MessageCountTokensParams]
    ) -> MessageTokensCount:
        """See `Messages.count_tokens`."""
        count = await self._count_tokens({**params, "output_format": output_format}, raw=False)
        return cast(MessageTokensCount, count)

    async def _create(self, params: Mapping[str, Any], *, raw: bool) -> Any:
        prepared, timeout = prepare_create(self._sender.client, params)
        parser = _create_parser(prepared, AsyncStream)
        response = await self._sender.request(prepared, parser, timeout=timeout)
        return response if raw else response.parse()

    async def _parse(self, params: Mapping[str, Any], *, raw: bool) -> Any:
        fields, spec = _parse_request(params)
        prepared, timeout = prepare_create(self._sender.client, fields, method="messages.parse")
        response = await self._sender.request(prepared, _parsed_parser(spec), timeout=timeout)
        return response if raw else response.parse()

    async def _count_tokens(self, params: Mapping[str, Any], *, raw: bool) -> Any:
        prepared, timeout = prepare_count_tokens(self._sender.client, _count_request(params))
        parser = model_parser(MessageTokensCount)
        response = await self._sender.request(prepared, parser, timeout=timeout)
        return response if raw else response.parse()


def _raw_call(method: Callable[..., Any]) -> Callable[..., Any]:
    """The internal twin of a bound resource method, which takes `raw=` (`create` → `_create`)."""
    owner: object = getattr(method, "__self__")  # noqa: B009 - a bound method's owner
    impl: Callable[..., Any] = getattr(owner, "_" + method.__name__)
    return impl


def _wraps(wrapper: _F, method: Callable[..., Any]) -> _F:
    """`wrapper` named, documented and signed like the bound `method` (without `self`)."""
    functools.update_wrapper(wrapper, method)
    vars(wrapper)["__signature__"] = inspect.signature(method)
    return wrapper


def _raw(method: Callable[_P, _R]) -> Callable[_P, APIResponse[_R]]:
    """A sync resource method returning its `APIResponse`."""
    raw_call = _raw_call(method)

    def wrapped(*args: _P.args, **params: _P.kwargs) -> APIResponse[_R]:
        return cast(APIResponse[_R], raw_call(params, raw=True))

    return _wraps(wrapped, method)


def _async_raw(
    method: Callable[_P, Awaitable[_R]],
) -> Callable[_P, Awaitable[APIResponse[_R]]]:
    """An async resource method returning its `APIResponse`."""
    raw_call = _raw_call(method)

    async def wrapped(*args: _P.args, **params: _P.kwargs) -> APIResponse[_R]:
        return cast(APIResponse[_R], await raw_call(params, raw=True))

    return _wraps(wrapped, method)


class MessagesWithRawResponse:
    """`client.messages.with_raw_response`: each method returns an `APIResponse`."""

    def __init__(self, messages: Messages) -> None:
        self.create = _raw(messages.create)
        self.parse = _raw(messages.parse)
        self.count_tokens = _raw(messages.count_tokens)


class AsyncMessagesWithRawResponse:
    """`client.messages.with_raw_response` of the async client."""

    def __init__(self, messages: AsyncMessages) -> None:
        self.create = _async_raw(messages.create)
        self.parse = _async_raw(messages.parse)
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


@_signed
class MessagesWithStreamingResponse:
    """`client.messages.with_streaming_response`: the response before its body is read.

    `with client.messages.with_streaming_response.create(...) as response:` gives an
    `APIResponse` whose headers are available at once; the body is read by `parse()`,
    `read()` or `iter_bytes()`, and the connection is released when the block ends.
    """

    def __init__(self, messages: Messages) -> None:
        self._sender = messages._sender

    @contextmanager
    def create(self, **params: Any) -> Iterator[APIResponse[Any]]:
        """`messages.create` whose response is handed over unread (see the class)."""
        prepared, timeout = prepare_create(self._sender.client, params)
        parser = Stream if prepared.stream else _read_then(model_parser(Message))
        response = self._sender.request(prepared, parser, timeout=timeout, defer_read=True)
        with closing(response.http_response):
            yield response

    @contextmanager
    def parse(self, **params: Any) -> Iterator[APIResponse[ParsedMessage[Any]]]:
        """`messages.parse` whose response is handed over unread; reading it validates."""
        prepared, timeout, parser = _prepared_parse(self._sender.client, params)
        response = self._sender.request(
            prepared, _read_then(parser), timeout=timeout, defer_read=True
        )
        with closing(response.http_response):
            yield response

    @contextmanager
    def count_tokens(self, **params: Any) -> Iterator[APIResponse[MessageTokensCount]]:
        """`messages.count_tokens` whose response is handed over unread."""
        prepared, timeout = prepare_count_tokens(self._sender.client, _count_request(params))
        parser = _read_then(model_parser(MessageTokensCount))
        response = self._sender.request(prepared, parser, timeout=timeout, defer_read=True)
        with closing(response.http_response):
            yield response

    @contextmanager
    def stream(self, **params: Any) -> Iterator[APIResponse[MessageStream]]:
        """`messages.stream` whose response is handed over first; `parse()` gives the stream."""
        output_format = params.pop("output_format", None)
        manager = _stream_manager(self._sender, params, output_format, MessageStreamManager)
        first = manager._send_first()
        with ExitStack() as cleanup:
            cleanup.callback(first.http_response.close)
            cleanup.push(manager.__exit__)  # closes the stream if `parse()` opened it
            yield APIResponse(
                first.http_response,
                lambda _: manager._open(first),
                retries_taken=first.retries_taken,
            )


@_signed
class AsyncMessagesWithStreamingResponse:
    """`client.messages.with_streaming_response` of the async client (`async with`)."""

    def __init__(self, messages: AsyncMessages) -> None:
        self._sender = messages._sender

    @asynccontextmanager
    async def create(self, **params: Any) -> AsyncIterator[AsyncAPIResponse[Any]]:
        """`messages.create` whose response is handed over unread; `await parse()` reads it."""
        prepared, timeout = prepare_create(self._sender.client, params)
        sync_parser: Any = AsyncStream if prepared.stream else model_parser(Message)
        raw = await self._sender.request(prepared, sync_parser, timeout=timeout, defer_read=True)
        parser = _as_async(AsyncStream) if prepared.stream else _aread_then(sync_parser)
        response = AsyncAPIResponse(raw.http_response, parser, retries_taken=raw.retries_taken)
        async with aclosing(response.http_response):
            yield response

    @asynccontextmanager
    async def parse(self, **params: Any) -> AsyncIterator[AsyncAPIResponse[ParsedMessage[Any]]]:
        """See `MessagesWithStreamingResponse.parse`."""
        prepared, timeout, parser = _prepared_parse(self._sender.client, params)
        raw = await self._sender.request(prepared, parser, timeout=timeout, defer_read=True)
        response = AsyncAPIResponse(
            raw.http_response, _aread_then(parser), retries_taken=raw.retries_taken
        )
        async with aclosing(response.http_response):
            yield response

    @asynccontextmanager
    async def count_tokens(
        self, **params: Any
    ) -> AsyncIterator[AsyncAPIResponse[MessageTokensCount]]:
        """`messages.count_tokens` whose response is handed over unread."""
        prepared, timeout = prepare_count_tokens(self._sender.client, _count_request(params))
        sync_parser = model_parser(MessageTokensCount)
        raw = await self._sender.request(prepared, sync_parser, timeout=timeout, defer_read=True)
        response = AsyncAPIResponse(
            raw.http_response, _aread_then(sync_parser), retries_taken=raw.retries_taken
        )
        async with aclosing(response.http_response):
            yield response

    @asynccontextmanager
    async def stream(self, **params: Any) -> AsyncIterator[AsyncAPIResponse[AsyncMessageStream]]:
        """`messages.stream` whose response is handed over first; `await parse()` streams."""
        output_format = params.pop("output_format", None)
        manager = _stream_manager(self._sender, params, output_format, AsyncMessageStreamManager)
        first = await manager._send_first()
        parse = _as_async(lambda _: cast(AsyncMessageStream, manager._open(first)))
        async with AsyncExitStack() as cleanup:
            cleanup.push_async_callback(first.http_response.aclose)
            cleanup.push_async_exit(manager.__aexit__)  # closes the stream if `parse()` opened it
            yield AsyncAPIResponse(first.http_response, parse, retries_taken=first.retries_taken)


def _as_async(
    parser: Callable[[httpx.Response], _R],
) -> Callable[[httpx.Response], Awaitable[_R]]:
    async def parse(response: httpx.Response) -> _R:
        return parser(response)

    return parse
