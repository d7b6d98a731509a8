"""What the sync and async clients share: configuration, building each attempt, reading bodies.

The two drivers in `_client.py` only perform the request protocol's effects; every decision is
here or in `agentkit._core`.
"""

from __future__ import annotations

import logging
import os
import platform
from collections.abc import Callable
from typing import Any, ClassVar, Generic, NoReturn, TypeVar

import httpx
import pydantic
from typing_extensions import Self

from ._core.effects import Send
from ._core.request import DEFAULT_API_VERSION, PreparedRequest, build_headers, redact_headers
from ._core.retry import RetryPolicy
from ._drive import CallerCodeError
from ._exceptions import (
    AgentkitError,
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    InvalidArgumentTypeError,
    UsageError,
)
from ._logs import client_log as log
from ._logs import configure_from_env
from ._ratelimit import RateLimiter
from ._types import NOT_GIVEN, Headers, NotGiven, Omit, Query, TimeoutTypes
from ._version import __version__
from .types.message import Message, MessageTokensCount

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "BaseClient",
    "DefaultAsyncHttpxClient",
    "DefaultHttpxClient",
]


DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_CONNECT_TIMEOUT = 5.0
HTTPX_DEFAULT_TIMEOUT = httpx.Timeout(5.0)
"""httpx's own default: an `http_client` with another timeout was configured on purpose."""
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""The largest non-streaming response body read (32 MiB); larger ones raise."""
# httpx's own defaults: measured faster than a larger keep-alive pool under concurrency
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
USER_AGENT = f"agentkit/{__version__} (python {platform.python_version()})"


class DefaultHttpxClient(httpx.Client):
    """An `httpx.Client` with agentkit's defaults (limits, timeout, following redirects)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_LIMITS)
        kwargs.setdefault("follow_redirects", True)
        super().__init__(**kwargs)


class DefaultAsyncHttpxClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` with agentkit's defaults (limits, timeout, following redirects)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault("limits", DEFAULT_LIMITS)
        kwargs.setdefault("follow_redirects", True)
        super().__init__(**kwargs)


_M = TypeVar("_M", Message, MessageTokensCount)
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)


def to_timeout(value: TimeoutTypes) -> httpx.Timeout:
    """A float (seconds), `httpx.Timeout` or None as an `httpx.Timeout`; connect capped at 5 s."""
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None)
    return httpx.Timeout(value, connect=min(DEFAULT_CONNECT_TIMEOUT, value))


def model_parser(cls: type[_M]) -> Callable[[httpx.Response], _M]:
    """A parser turning a JSON response body into `cls`, stamped with the request id."""

    def parse(response: httpx.Response) -> _M:
        try:
            result = cls.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            raise APIResponseValidationError(
                f"the API's response is not a valid {cls.__name__}: {exc}", response=response
            ) from exc
        result._request_id = response.headers.get("request-id")
        return result

    return parse


_MAP_OPTIONS = (
    "default_headers",
    "default_query",
    "http_client",
    "set_default_headers",
    "set_default_query",
)


class BaseClient(Generic[HttpT]):
    """Configuration and request building shared by `Anthropic` and `AsyncAnthropic`."""

    _http_class: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]
    """The httpx client class this driver sends with."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        auth_token: str | None = None,
        base_url: str | httpx.URL | None = None,
        api_version: str = DEFAULT_API_VERSION,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = 2,
        default_headers: Headers | None = None,
        http_client: HttpT | None = None,
        max_retry_wait: float = 60.0,
        default_query: Query | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int):
            raise InvalidArgumentTypeError(
                f"max_retries must be an integer >= 0, got {max_retries!r}; pass 0 to disable "
                "retries."
            )
        if max_retries < 0:
            raise UsageError(f"max_retries must be an integer >= 0, got {max_retries!r}.")
        if api_key is None:
            api_key = os.environ.get("ANTHROPIC_API_KEY") or None
        if auth_token is None:
            auth_token = os.environ.get("ANTHROPIC_AUTH_TOKEN") or None
        if base_url is None:
            base_url = os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL
        self.api_key = api_key
        self.auth_token = auth_token
        self._urls: dict[str, httpx.URL] = {}
        self.base_url = base_url
        self.api_version = api_version
        timeout_given = not isinstance(timeout, NotGiven)
        if isinstance(timeout, NotGiven):
            # as the SDK: a user's http_client configured with a timeout of its own supplies it
            if http_client is not None and http_client.timeout != HTTPX_DEFAULT_TIMEOUT:
                timeout = http_client.timeout
                timeout_given = timeout != DEFAULT_TIMEOUT
            else:
                timeout = DEFAULT_TIMEOUT
        self.timeout = timeout
        self._timeout_is_default = not timeout_given
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.default_headers: dict[str, str | NotGiven | Omit] = dict(default_headers or {})
        self.default_query: dict[str, object] = dict(default_query or {})
        self._retry_policy = RetryPolicy(max_retries=max_retries, max_retry_wait=max_retry_wait)
        self.rate_limiter = rate_limiter
        """Paces `messages` requests under rate limits (`RateLimiter`; shared by copies)."""
        self.max_response_bytes = MAX_RESPONSE_BYTES
        """Largest non-streaming response body read; a larger one raises
        `APIResponseValidationError` instead of filling memory."""
        configure_from_env()
        self._owns_http_client = http_client is None
        self._http: HttpT = self._checked_http_client(http_client)
        self._init_resources()

    def _checked_http_client(self, http_client: HttpT | None) -> HttpT:
        """The user's httpx client when it is of the right kind, else a new one of ours."""
        expected = self._http_class
        if http_client is None:
            return expected(limits=DEFAULT_LIMITS, follow_redirects=True)  # type: ignore[return-value]
        if not isinstance(http_client, expected):
            other_http, other = (
                ("Client", "Anthropic")
                if expected is httpx.AsyncClient
                else ("AsyncClient", "AsyncAnthropic")
            )
            raise InvalidArgumentTypeError(
                f"http_client must be an httpx.{expected.__name__} for {type(self).__name__}, "
                f"got {type(http_client).__name__} (an httpx.{other_http} goes with {other})."
            )
        return http_client

    @property
    def timeout(self) -> TimeoutTypes:
        """The client's timeout, as given (default `httpx.Timeout(600, connect=5)`); assignable."""
        return self._timeout

    @timeout.setter
    def timeout(self, timeout: TimeoutTypes) -> None:
        self._timeout = timeout
        self._default_timeout = to_timeout(timeout)
        self._timeout_is_default = False

    @property
    def base_url(self) -> httpx.URL:
        """The API root, always ending in `/` (as the SDK's); assignable."""
        return self._base_url

    @base_url.setter
    def base_url(self, url: str | httpx.URL) -> None:
        url = url if isinstance(url, httpx.URL) else httpx.URL(url)
        if not url.raw_path.endswith(b"/"):
            url = url.copy_with(raw_path=url.raw_path + b"/")
        self._base_url = url
        self._urls = {}

    def _init_resources(self) -> None:
        """Attach the API resources (`messages`)."""
        raise NotImplementedError

    def with_options(
        self,
        *,
        http_client: HttpT | None = None,
        default_headers: Headers | None = None,
        set_default_headers: Headers | None = None,
        default_query: Query | None = None,
        set_default_query: Query | None = None,
        **options: Any,
    ) -> Self:
        """A copy of this client with some options changed, sharing its connection pool.

        Accepts the constructor's keyword arguments (as the official SDK's `copy`).
        `default_headers` / `default_query` are merged over this client's;
        `set_default_headers` / `set_default_query` replace them. The copy never closes the
        connection pool it shares; given `http_client=`, it sends with that one instead.
        """
        if default_headers is not None and set_default_headers is not None:
            raise ValueError(
                "The `default_headers` and `set_default_headers` arguments are mutually exclusive"
            )
        if default_query is not None and set_default_query is not None:
            raise ValueError(
                "The `default_query` and `set_default_query` arguments are mutually exclusive"
            )
        headers = (
            dict(set_default_headers)
            if set_default_headers is not None
            else {**self.default_headers, **(default_headers or {})}
        )
        query = (
            dict(set_default_query)
            if set_default_query is not None
            else {**self.default_query, **(default_query or {})}
        )
        copy = type(self)(
            **self._options(**options),
            default_headers=headers,
            default_query=query,
            http_client=self._http if http_client is None else http_client,
        )
        copy._owns_http_client = False
        copy._timeout_is_default = self._timeout_is_default and "timeout" not in options
        return copy

    copy = with_options

    def __repr__(self) -> str:
        auth = "api_key=<redacted>" if self.api_key else "api_key=None"
        if self.auth_token:
            auth += ", auth_token=<redacted>"
        return (
            f"{type(self).__name__}(base_url={str(self.base_url)!r}, "
            f"api_version={self.api_version!r}, {auth}, max_retries={self.max_retries})"
        )

    def _options(self, **overrides: Any) -> dict[str, Any]:
        """The constructor arguments of this client, with `overrides` applied."""
        options: dict[str, Any] = {
            "api_key": self.api_key,
            "auth_token": self.auth_token,
            "base_url": self.base_url,
            "api_version": self.api_version,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "max_retry_wait": self.max_retry_wait,
            "rate_limiter": self.rate_limiter,
        }
        unknown = set(overrides) - set(options)
        if unknown:
            raise UsageError(
                f"with_options() got unknown option(s) {sorted(unknown)}; known options are "
                f"{sorted([*options, *_MAP_OPTIONS])}."
            )
        options.update(overrides)
        return options

    def timeout_is_default(self, call_timeout: TimeoutTypes | NotGiven) -> bool:
        """Whether neither the client nor the call chose a timeout."""
        return isinstance(call_timeout, NotGiven) and self._timeout_is_default

    def prepare(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        stream: bool = False,
    ) -> PreparedRequest:
        """Build the request description: headers (auth included) and query."""
        headers = build_headers(
            api_key=self.api_key,
            auth_token=self.auth_token,
            api_version=self.api_version,
            user_agent=USER_AGENT,
            default_headers=self.default_headers,
            extra_headers=extra_headers,
            has_body=body is not None,
        )
        if stream:
            headers["accept"] = "text/event-stream"
        return PreparedRequest(
            method=method,
            path=path,
            body=body,
            headers=headers,
            params={**self.default_query, **(extra_query or {})},
            stream=stream,
        )

    def url_for(self, path: str) -> httpx.URL:
        """The absolute URL for an API path, keeping any path prefix of the base URL.

        Parsed once per path: URL parsing is a noticeable part of a request's cost.
        """
        url = self._urls.get(path)
        if url is None:
            absolute = path.startswith(("https://", "http://"))  # e.g. a batch's results_url
            url = httpx.URL(path if absolute else str(self.base_url).rstrip("/") + path)
            if len(self._urls) >= _MAX_CACHED_URLS:  # per-batch paths: keep the cache small
                self._urls.clear()
            self._urls[path] = url
        return url

    def request_timeout(self, call_timeout: TimeoutTypes | NotGiven) -> httpx.Timeout:
        """The effective timeout of one call."""
        if isinstance(call_timeout, NotGiven):
            return self._default_timeout
        return to_timeout(call_timeout)

    def build_attempt(
        self, http: httpx.Client | httpx.AsyncClient, send: Send, timeout: httpx.Timeout
    ) -> httpx.Request:
        """The `httpx.Request` for one attempt (logged with credentials redacted).

        Raises `UsageError` on a closed client (httpx itself would raise `RuntimeError`).
        """
        if http.is_closed:
            raise UsageError(
                "the client is closed; create a new one (a client's connection pool cannot be "
                "reopened after close())."
            )
        prepared, content = send.request, send.content
        request = http.build_request(
            prepared.method,
            self.url_for(prepared.path),
            content=content,
            headers=prepared.headers,
            params=prepared.params or None,
            timeout=timeout,
        )
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "request: %s %s headers=%s",
                request.method,
                request.url,
                redact_headers(prepared.headers),
            )
        return request

    @classmethod
    def raise_send_failure(cls, exc: Exception, request: httpx.Request) -> NoReturn:
        """Raise what a failure to send `request` is for the caller.

        agentkit's own errors pass unchanged; an error from an offline model's user callback
        (`CallerCodeError`) is unwrapped; any other failure is an `APIConnectionError`.
        """
        if isinstance(exc, AgentkitError):
            raise exc
        if isinstance(exc, CallerCodeError):
            raise exc.error from None
        raise cls.connection_error(exc, request) from exc

    @staticmethod
    def connection_error(exc: Exception, request: httpx.Request) -> APIConnectionError:
        """The typed error for a request that got no response."""
        error = (
            APITimeoutError(request=request)
            if isinstance(exc, httpx.TimeoutException)
            else APIConnectionError(
                f"Connection error: {str(exc) or type(exc).__name__}", request=request
            )
        )
        if isinstance(exc, _NEVER_SENT):
            error.request_sent = False
        return error

    def body_reader(self, response: httpx.Response) -> BodyReader:
        """Collects a response body, refusing one larger than `max_response_bytes`."""
        return BodyReader(response, self.max_response_bytes)


_MAX_CACHED_URLS = 256

_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Failures that certainly came before the request left: no connection to send it on."""


class BodyReader:
    """Collects a response body chunk by chunk, refusing one over a size limit.

    The drivers feed it what they read, then `store()` it where httpx's own `read()` would.
    """

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self._response = response
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit():
            self._check(int(declared))

    def add(self, chunk: bytes) -> None:
        """Take one chunk."""
        self._size += len(chunk)
        self._check(self._size)
        self._parts.append(chunk)

    def store(self) -> None:
        """Make the collected body the response's content."""
        self._response._content = b"".join(self._parts)

    def _check(self, size: int) -> None:
        if size > self._limit:
            raise APIResponseValidationError(
                f"the response body is larger than {self._limit} bytes "
                "(client.max_response_bytes); use streaming for very long outputs, or raise "
                "the limit",
                response=self._response,
            )
