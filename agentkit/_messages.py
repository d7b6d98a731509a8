"""The `messages` resource: `create`, `count_tokens` and their raw-response variants.

`Messages` (sync) and `AsyncMessages` are thin: both turn keyword parameters into a
`PreparedRequest` with the same sans-IO helpers, then hand it to their client's driver.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from typing_extensions import Unpack

from ._base_client import BaseClient, model_parser
from ._core.request import PreparedRequest, build_body, validate_count_tokens, validate_create
from ._exceptions import UsageError
from ._response import APIResponse
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from .types.message import Message, MessageTokensCount
from .types.request_params import (
    MessageCountTokensParams,
    MessageCreateParamsNonStreaming,
    MessageCreateParamsStreaming,
    RequestOptions,
)

if TYPE_CHECKING:
    from ._client import Anthropic, AsyncAnthropic

__all__ = [
    "AsyncMessages",
    "AsyncMessagesWithRawResponse",
    "Messages",
    "MessagesWithRawResponse",
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
    client: BaseClient, params: Mapping[str, Any]
) -> tuple[PreparedRequest, TimeoutTypes | NotGiven]:
    """Validate `messages.create` parameters and build its request."""
    _check_names("messages.create", params, _CREATE_KEYS)
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


def _finish(response: APIResponse[_R]) -> Any:
    """The parsed result, or the raw response inside `with_raw_response`."""
    return response if _raw_mode.get() else response.parse()


def _signature_of(*typed_dicts: type[Mapping[str, Any]]) -> inspect.Signature:
    """A runtime signature listing each TypedDict key as a keyword parameter."""
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
    seen: set[str] = set()
    for td in typed_dicts:
        required = td.__required_keys__  # type: ignore[attr-defined]
        for name, annotation in td.__annotations__.items():
            if name in seen:
                continue
            seen.add(name)
            default = inspect.Parameter.empty if name in required else NOT_GIVEN
            params.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
                )
            )
    params.sort(key=lambda p: (p.kind, p.default is not inspect.Parameter.empty))
    return inspect.Signature(params)


_CREATE_SIGNATURE = _signature_of(MessageCreateParamsStreaming, MessageCreateParamsNonStreaming)
_COUNT_SIGNATURE = _signature_of(MessageCountTokensParams)


class Messages:
    """`client.messages`: create messages and count tokens."""

    def __init__(self, client: Anthropic) -> None:
        self._client = client

    @functools.cached_property
    def with_raw_response(self) -> MessagesWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return MessagesWithRawResponse(self)

    def create(self, **params: Unpack[MessageCreateParamsNonStreaming]) -> Message:
        """Send a conversation and get the model's next message.

        Parameters are the Messages API's (`model`, `messages`, `max_tokens`, `system`,
        `tools`, `tool_choice`, `thinking`, ...; see `MessageCreateParams`) plus per-call
        `extra_headers`, `extra_query`, `extra_body` and `timeout`. Parameters left out are
        not sent.

        Raises:
            UsageError: A parameter is missing, misspelt or invalid (nothing was sent).
            APIStatusError: The API answered with an error (a subclass per status).
            APIConnectionError: No response arrived after the retries.
        """
        prepared, timeout = prepare_create(self._client, params)
        return cast(
            Message,
            _finish(self._client._request(prepared, model_parser(Message), timeout=timeout)),
        )

    def count_tokens(self, **params: Unpack[MessageCountTokensParams]) -> MessageTokensCount:
        """Count the input tokens a `create` call with these parameters would use."""
        prepared, timeout = prepare_count_tokens(self._client, params)
        return cast(
            MessageTokensCount,
            _finish(
                self._client._request(prepared, model_parser(MessageTokensCount), timeout=timeout)
            ),
        )

    create.__signature__ = _CREATE_SIGNATURE  # type: ignore[attr-defined]
    count_tokens.__signature__ = _COUNT_SIGNATURE  # type: ignore[attr-defined]


class AsyncMessages:
    """`client.messages` of `AsyncAnthropic`: create messages and count tokens."""

    def __init__(self, client: AsyncAnthropic) -> None:
        self._client = client

    @functools.cached_property
    def with_raw_response(self) -> AsyncMessagesWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return AsyncMessagesWithRawResponse(self)

    async def create(self, **params: Unpack[MessageCreateParamsNonStreaming]) -> Message:
        """Send a conversation and get the model's next message (see `Messages.create`)."""
        prepared, timeout = prepare_create(self._client, params)
        response = await self._client._request(prepared, model_parser(Message), timeout=timeout)
        return cast(Message, _finish(response))

    async def count_tokens(self, **params: Unpack[MessageCountTokensParams]) -> MessageTokensCount:
        """Count the input tokens a `create` call with these parameters would use."""
        prepared, timeout = prepare_count_tokens(self._client, params)
        parser = model_parser(MessageTokensCount)
        response = await self._client._request(prepared, parser, timeout=timeout)
        return cast(MessageTokensCount, _finish(response))

    create.__signature__ = _CREATE_SIGNATURE  # type: ignore[attr-defined]
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
