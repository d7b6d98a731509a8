"""The messages endpoints' parameters → a `PreparedRequest` (no I/O).

Checks the names (a misspelt parameter is a `UsageError` with a suggestion, before anything is
sent), separates body fields from per-call options, moves header-borne parameters into headers,
validates what the API would refuse, and builds the request through the client's configuration.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping
from typing import Any, Protocol

from .._exceptions import UsageError
from .._types import NOT_GIVEN, Headers, NotGiven, Query, TimeoutTypes
from ..types.request_params import (
    MessageCountTokensParams,
    MessageCreateParamsStreaming,
    RequestOptions,
)
from .request import PreparedRequest, build_body, validate_count_tokens, validate_create

__all__ = [
    "DEPRECATED_MODELS",
    "MCP_CONNECTOR_BETA",
    "ClientConfig",
    "add_beta",
    "prepare_count_tokens",
    "prepare_create",
    "prepare_stream",
]


class ClientConfig(Protocol):
    """What request preparation reads of a client (`Anthropic` and `AsyncAnthropic` are one)."""

    api_version: str

    def timeout_is_default(self, call_timeout: TimeoutTypes | NotGiven) -> bool:
        """Whether neither the client nor the call chose a timeout."""

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


def check_names(method: str, params: Mapping[str, Any], known: frozenset[str]) -> None:
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


def split_call(
    params: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], TimeoutTypes | NotGiven]:
    """Separate body fields from per-call options; header-borne params become headers."""
    fields = {k: v for k, v in params.items() if k not in _OPTION_KEYS}
    headers: dict[str, Any] = dict(params.get("extra_headers") or {})
    for name, header in _HEADER_PARAMS.items():
        value = fields.pop(name, NOT_GIVEN)
        if not isinstance(value, NotGiven):
            headers.setdefault(header, value)
    body = build_body(fields, params.get("extra_body"))
    if "mcp_servers" in body:
        add_beta(headers, MCP_CONNECTOR_BETA, family="mcp-client-")
    timeout: TimeoutTypes | NotGiven = params.get("timeout", NOT_GIVEN)
    return body, headers, timeout


MCP_CONNECTOR_BETA = "mcp-client-2026-09-15"
"""The beta the API's MCP connector (`mcp_servers`) needs (PROTOCOL §12)."""


def add_beta(headers: dict[str, Any], beta: str, *, family: str) -> None:
    """Add `beta` to the `anthropic-beta` header, unless a beta of its `family` is there."""
    name = next((k for k in headers if k.lower() == "anthropic-beta"), "anthropic-beta")
    given = headers.get(name)
    betas = [b.strip() for b in given.split(",") if b.strip()] if isinstance(given, str) else []
    if not any(b.startswith(family) for b in betas):
        headers[name] = ",".join([*betas, beta])


DEPRECATED_MODELS: dict[str, str] = {
    "claude-mythos-preview": "June 30th, 2026",
    "claude-opus-4-5": "January 22nd, 2027",
    "claude-opus-4-5-20251101": "January 22nd, 2027",
}
"""Model ids that are deprecated, with their end-of-life date (the official SDK's table)."""


def warn_if_deprecated(model: object, *, stacklevel: int) -> None:
    """A `DeprecationWarning` for a deprecated model id, pointing at the caller's line."""
    if isinstance(model, str) and model in DEPRECATED_MODELS:
        warnings.warn(
            f"The model {model!r} is deprecated and reaches end-of-life on "
            f"{DEPRECATED_MODELS[model]}; migrate to a newer model (see the API's model "
            "deprecations page).",
            DeprecationWarning,
            stacklevel=stacklevel + 1,
        )


def prepare_create(
    client: ClientConfig,
    params: Mapping[str, Any],
    *,
    method: str = "messages.create",
    stacklevel: int = 4,
) -> tuple[PreparedRequest, TimeoutTypes | NotGiven]:
    """Validate `messages.create` parameters and build its request.

    Warns (`DeprecationWarning`) about a deprecated model id, at the line that called
    `create` / `stream` (`stacklevel`: three frames above this function by default).
    """
    check_names(method, params, _CREATE_KEYS)
    warn_if_deprecated(params.get("model"), stacklevel=stacklevel)
    body, headers, timeout = split_call(params)
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
    client: ClientConfig, params: Mapping[str, Any]
) -> tuple[PreparedRequest, TimeoutTypes | NotGiven]:
    """Validate `messages.count_tokens` parameters and build its request."""
    check_names("messages.count_tokens", params, _COUNT_KEYS)
    body, headers, timeout = split_call(params)
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
    client: ClientConfig, params: Mapping[str, Any], *, stacklevel: int = 4
) -> tuple[PreparedRequest, TimeoutTypes | NotGiven]:
    """Validate `messages.stream` parameters (create's, streaming) and build its request."""
    if "stream" in params:
        raise UsageError(
            "messages.stream() always streams; remove the stream= argument "
            "(or use messages.create(..., stream=True) for raw events)."
        )
    stream = {**params, "stream": True}
    return prepare_create(client, stream, method="messages.stream", stacklevel=stacklevel)
