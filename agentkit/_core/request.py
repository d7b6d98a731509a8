"""From call parameters to an HTTP request description (no I/O).

Validates what can be checked locally (raising `UsageError` with the fix), drops parameters
that were not given, merges per-call extras, and builds headers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._exceptions import MissingCredentialsError, UsageError
from .._types import NotGiven, Omit

if TYPE_CHECKING:
    from ..types._base import BaseModel

__all__ = [
    "API_VERSION_2026_10_21",
    "DEFAULT_API_VERSION",
    "NON_STREAMING_MAX_SECONDS",
    "REDACTED",
    "SAMPLING_PARAMS",
    "PreparedRequest",
    "build_body",
    "build_headers",
    "encode_json",
    "expected_seconds",
    "redact_headers",
    "validate_count_tokens",
    "validate_create",
]

DEFAULT_API_VERSION = "2023-06-01"
"""The `anthropic-version` sent by default."""

API_VERSION_2026_10_21 = "2026-10-21"
"""The newer API version, which rejects sampling parameters (PROTOCOL §1.3)."""

SAMPLING_PARAMS = ("temperature", "top_p", "top_k")
"""Parameters that API version 2026-10-21 refuses."""

NON_STREAMING_MAX_SECONDS = 600.0
"""A non-streaming request expected to take longer than this must stream instead."""

REDACTED = "<redacted>"
_CREDENTIAL_HEADERS = frozenset({"x-api-key", "authorization"})
_SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie"})


@dataclass(repr=False)
class PreparedRequest:
    """Everything the driver needs to send one request.

    Attributes:
        method: HTTP method.
        path: Path below the base URL, e.g. `/v1/messages`.
        body: The JSON body as a dict (already merged with `extra_body`).
        headers: Request headers (auth included).
        params: Query-string parameters.
        stream: Whether the response is an SSE stream.
        retry_unsent_only: The request is not idempotent (`messages.batches.create`): it is
            re-sent only when it certainly never left, or on a 429 / 529 answer.
        encoded: The body already encoded (when preparing it had to measure it).
    """

    method: str
    path: str
    body: dict[str, Any] | None
    headers: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)
    stream: bool = False
    retry_unsent_only: bool = False
    encoded: bytes | None = None

    def __repr__(self) -> str:
        return (
            f"PreparedRequest(method={self.method!r}, path={self.path!r}, "
            f"headers={redact_headers(self.headers)!r}, stream={self.stream})"
        )

    def content(self) -> bytes | None:
        """The encoded JSON body."""
        if self.encoded is not None:
            return self.encoded
        return None if self.body is None else encode_json(self.body)


def build_body(
    params: Mapping[str, object], extra_body: Mapping[str, object] | None
) -> dict[str, Any]:
    """Drop parameters that were not given, materialise iterables, merge `extra_body` on top."""
    body: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, (NotGiven, Omit)):
            continue
        body[key] = _materialise(value)
    if extra_body:
        for key, value in extra_body.items():
            body[key] = _materialise(value)
    return body


_base_model: type[BaseModel] | None = None


def _wire_model() -> type[BaseModel]:
    """The response models' base class, imported on first use (it loads pydantic's models)."""
    global _base_model
    if _base_model is None:
        from ..types._base import BaseModel

        _base_model = BaseModel
    return _base_model


def _materialise(value: object) -> object:
    if isinstance(value, (str, bytes, dict, int, float, bool)) or value is None:
        return value
    if isinstance(value, _wire_model()):
        return value.to_dict()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Iterable):
        return [_materialise(item) for item in value]
    return value


def expected_seconds(max_tokens: int) -> float:
    """How long a non-streaming request for `max_tokens` may take (the SDKs' estimate)."""
    return 3600.0 * max_tokens / 128_000


def validate_create(
    body: Mapping[str, Any],
    *,
    api_version: str,
    stream: bool,
    timeout_given: bool,
) -> None:
    """Check a `messages.create` body locally; raise `UsageError` saying what to change.

    Args:
        body: The JSON body about to be sent.
        api_version: The `anthropic-version` in use.
        stream: Whether the request streams.
        timeout_given: Whether the caller chose a timeout (on the client or the call).
    """
    _require(body, "model")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise UsageError("model must be a non-empty string, e.g. model='claude-sonnet-4-5'.")
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise UsageError(
            f"max_tokens must be a positive integer, got {max_tokens!r}; pass e.g. max_tokens=1024."
        )
    _validate_messages(body.get("messages"))
    _validate_sampling(body, api_version)
    if (
        not stream
        and not timeout_given
        and expected_seconds(max_tokens) > NON_STREAMING_MAX_SECONDS
    ):
        raise UsageError(
            f"max_tokens={max_tokens} may take longer than 10 minutes without streaming. "
            "Use client.messages.stream(...) or create(..., stream=True), or pass an explicit "
            "timeout= to accept the risk."
        )


def validate_count_tokens(body: Mapping[str, Any], *, api_version: str) -> None:
    """Check a `messages.count_tokens` body locally."""
    _require(body, "model")
    _validate_messages(body.get("messages"))
    _validate_sampling(body, api_version)


def _require(body: Mapping[str, Any], name: str) -> None:
    if name not in body:
        raise UsageError(f"missing required parameter {name!r}.")


def _validate_messages(messages: object) -> None:
    if not isinstance(messages, list) or not messages:
        raise UsageError(
            "messages must be a non-empty list starting with a user turn, e.g. "
            "messages=[{'role': 'user', 'content': 'Hello'}]."
        )
    first = messages[0]
    role = first.get("role") if isinstance(first, Mapping) else None
    if role != "user":
        raise UsageError(
            f"the first message must have role 'user', got {role!r}; "
            "start the conversation with {'role': 'user', 'content': ...}."
        )


def _validate_sampling(body: Mapping[str, Any], api_version: str) -> None:
    if api_version != API_VERSION_2026_10_21:
        return
    given = [name for name in SAMPLING_PARAMS if name in body]
    if given:
        raise UsageError(
            f"{', '.join(given)} cannot be sent with api_version={api_version!r}: that API "
            "version rejects sampling parameters even at their defaults. Remove them, or create "
            f"the client with api_version='{DEFAULT_API_VERSION}'."
        )


def build_headers(
    *,
    api_key: str | None,
    auth_token: str | None,
    api_version: str,
    user_agent: str,
    default_headers: Mapping[str, str | NotGiven | Omit] | None,
    extra_headers: Mapping[str, str | NotGiven | Omit] | None,
    has_body: bool = True,
) -> dict[str, str]:
    """The request headers: auth, version, content type, then defaults and per-call extras.

    A `NOT_GIVEN` (or `omit`) value in `default_headers` or `extra_headers` removes that
    header, whatever the case of its name. Raises
    `UsageError` when no credentials are available and none were set by hand.
    """
    headers: dict[str, str] = {
        "accept": "application/json",
        "anthropic-version": api_version,
        "user-agent": user_agent,
    }
    if has_body:
        headers["content-type"] = "application/json"
    if api_key:
        headers["x-api-key"] = api_key
    if auth_token:
        headers["authorization"] = f"Bearer {auth_token}"
    explicitly_removed = False
    for overrides in (default_headers, extra_headers):
        for name, value in (overrides or {}).items():
            key = name.lower()
            if isinstance(value, (NotGiven, Omit)):
                headers.pop(key, None)
                explicitly_removed = explicitly_removed or key in _CREDENTIAL_HEADERS
            else:
                headers[key] = value
    if "x-api-key" not in headers and "authorization" not in headers and not explicitly_removed:
        raise MissingCredentialsError(
            "no API credentials: set the ANTHROPIC_API_KEY environment variable or pass "
            "api_key=... (or auth_token=... / ANTHROPIC_AUTH_TOKEN for a bearer token). "
            "For offline use, take a client from agentkit.testing (e.g. TestModel().client())."
        )
    return headers


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of `headers` safe to log: credentials replaced by a marker."""
    return {
        name: (REDACTED if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


def encode_json(body: object) -> bytes:
    """Encode a request body as compact UTF-8 JSON (pydantic models as their wire dicts)."""
    try:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_default)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"cannot encode the request body: {exc}") from exc
    return text.encode()


def _default(value: object) -> object:
    if isinstance(value, _wire_model()):
        return value.to_dict()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return list(value)
    raise TypeError(f"request parameters must be JSON-serialisable; got a {type(value).__name__}")
