"""What the sync and async clients share: configuration, request building, error triage.

The two drivers in `_client.py` only send requests, sleep and loop; every decision is here or in
`agentkit._core`.
"""

from __future__ import annotations

import logging
import os
import platform
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
import pydantic

from . import __version__
from ._core.request import PreparedRequest, build_headers, redact_headers
from ._core.response import make_status_error
from ._core.retry import RetryDecision, RetryPolicy
from ._exceptions import APIConnectionError, APIResponseValidationError, APIStatusError, UsageError
from ._types import NOT_GIVEN, Headers, NotGiven, Query, TimeoutTypes
from .types.message import Message, MessageTokensCount

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "BaseClient"]

log = logging.getLogger("agentkit")

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_CONNECT_TIMEOUT = 5.0
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""The largest non-streaming response body read (32 MiB); larger ones raise."""
# httpx's own defaults: measured faster than a larger keep-alive pool under concurrency
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
USER_AGENT = f"agentkit/{__version__} (python {platform.python_version()})"

_M = TypeVar("_M", Message, MessageTokensCount)


def to_timeout(value: TimeoutTypes) -> httpx.Timeout:
    """A float (seconds), `httpx.Timeout` or None as an `httpx.Timeout`; connect capped at 5 s."""
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None)
    return httpx.Timeout(value, connect=min(DEFAULT_CONNECT_TIMEOUT, value))


def configure_logging_from_env() -> None:
    """Honour `ANTHROPIC_LOG=debug|info`: log agentkit's requests (credentials redacted)."""
    level = os.environ.get("ANTHROPIC_LOG", "").strip().lower()
    if level not in ("debug", "info"):
        return
    log.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
        log.addHandler(handler)


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


class BaseClient:
    """Configuration and request building shared by `Anthropic` and `AsyncAnthropic`."""

    def __init__(
        self,
        *,
        api_key: str | None,
        auth_token: str | None,
        base_url: str | httpx.URL | None,
        api_version: str,
        timeout: TimeoutTypes,
        max_retries: int,
        max_retry_wait: float,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise UsageError(f"max_retries must be an integer >= 0, got {max_retries!r}.")
        if api_key is None:
            api_key = os.environ.get("ANTHROPIC_API_KEY") or None
        if auth_token is None:
            auth_token = os.environ.get("ANTHROPIC_AUTH_TOKEN") or None
        if base_url is None:
            base_url = os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL
        self.api_key = api_key
        self.auth_token = auth_token
        self.base_url = httpx.URL(str(base_url))
        self.api_version = api_version
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.default_headers: dict[str, str] = dict(default_headers or {})
        self._retry_policy = RetryPolicy(max_retries=max_retries, max_retry_wait=max_retry_wait)
        self._urls: dict[str, httpx.URL] = {}
        self.max_response_bytes = MAX_RESPONSE_BYTES
        """Largest non-streaming response body read; a larger one raises
        `APIResponseValidationError` instead of filling memory."""
        self._default_timeout = to_timeout(timeout)
        self._timeout_is_default = (
            isinstance(timeout, (int, float)) and float(timeout) == 600.0
        ) or timeout == DEFAULT_TIMEOUT
        configure_logging_from_env()

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
            "default_headers": self.default_headers,
        }
        unknown = set(overrides) - set(options)
        if unknown:
            raise UsageError(
                f"with_options() got unknown option(s) {sorted(unknown)}; "
                f"known options are {sorted(options)}."
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
            params=dict(extra_query or {}),
            stream=stream,
        )

    def url_for(self, path: str) -> httpx.URL:
        """The absolute URL for an API path, keeping any path prefix of the base URL.

        Parsed once per path: URL parsing is a noticeable part of a request's cost.
        """
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(str(self.base_url).rstrip("/") + path)
        return url

    def request_timeout(self, call_timeout: TimeoutTypes | NotGiven) -> httpx.Timeout:
        """The effective timeout of one call."""
        if isinstance(call_timeout, NotGiven):
            return self._default_timeout
        return to_timeout(call_timeout)

    def build_httpx_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        prepared: PreparedRequest,
        timeout: httpx.Timeout,
        content: bytes | None,
    ) -> httpx.Request:
        """The `httpx.Request` for one attempt (logged with credentials redacted)."""
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

    def triage(
        self, response: httpx.Response, retries_taken: int
    ) -> tuple[RetryDecision, APIStatusError]:
        """For a read error response: the typed error, and whether to retry it."""
        error = make_status_error(
            response.status_code, response.headers, response.content, response=response
        )
        decision = self._retry_policy.for_status(
            retries_taken, response.status_code, response.headers, error_code=error.error_code
        )
        if not decision.retry and decision.retry_after is not None:
            error.retry_after = decision.retry_after
        log.debug(
            "response: %s %s -> %s (request_id=%s)",
            response.request.method,
            response.request.url,
            response.status_code,
            error.request_id,
        )
        return decision, error

    def connection_retry(
        self, exc: Exception, request: httpx.Request, retries_taken: int
    ) -> tuple[RetryDecision, APIConnectionError]:
        """For a request that got no response: the typed error, and whether to retry."""
        from ._exceptions import APITimeoutError

        error: APIConnectionError
        if isinstance(exc, httpx.TimeoutException):
            error = APITimeoutError(request=request)
        else:
            detail = str(exc) or type(exc).__name__
            error = APIConnectionError(f"Connection error: {detail}", request=request)
        return self._retry_policy.for_connection_error(retries_taken), error

    def check_declared_size(self, response: httpx.Response) -> int:
        """Refuse a body whose declared length is over the limit; 0 to start counting."""
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit():
            self.check_size(response, int(declared))
        return 0

    def check_size(self, response: httpx.Response, size: int) -> None:
        """Raise once a body grows past `max_response_bytes`."""
        if size > self.max_response_bytes:
            raise APIResponseValidationError(
                f"the response body is larger than {self.max_response_bytes} bytes "
                "(client.max_response_bytes); use streaming for very long outputs, or raise "
                "the limit",
                response=response,
            )

    @staticmethod
    def log_retry(request: httpx.Request, decision: RetryDecision, retries_taken: int) -> None:
        """Log a retry at INFO."""
        log.info(
            "retrying %s %s in %.2f s (%s; retry %d)",
            request.method,
            request.url,
            decision.delay,
            decision.reason,
            retries_taken + 1,
        )


def not_given_or(value: Any) -> Any:
    """`value`, with None meaning "not given" (for options that treat None as unset)."""
    return NOT_GIVEN if value is None else value
