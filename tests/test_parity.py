"""The sync and async surfaces must not drift apart."""

from __future__ import annotations

import inspect

import pytest

from agentkit import Anthropic, AsyncAnthropic
from agentkit._messages import (
    AsyncMessages,
    AsyncMessagesWithRawResponse,
    Messages,
    MessagesWithRawResponse,
)

PAIRS = [
    (Anthropic, AsyncAnthropic),
    (Messages, AsyncMessages),
]


def _public(cls: type) -> dict[str, object]:
    return {name: value for name, value in vars(cls).items() if not name.startswith("_")}


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS)
def test_same_public_methods(sync_cls: type, async_cls: type) -> None:
    assert set(_public(sync_cls)) == set(_public(async_cls))


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS)
def test_same_signatures(sync_cls: type, async_cls: type) -> None:
    for name, member in _public(sync_cls).items():
        if not callable(member):
            continue
        twin = getattr(async_cls, name)
        sync_sig = inspect.signature(member)
        async_sig = inspect.signature(twin)
        assert list(sync_sig.parameters) == list(async_sig.parameters), name
        for param in sync_sig.parameters.values():
            other = async_sig.parameters[param.name]
            assert (param.kind, param.default) == (other.kind, other.default), (name, param.name)
        if inspect.iscoroutinefunction(twin):
            assert not inspect.iscoroutinefunction(member)


def test_constructor_signatures_match_except_http_client_type() -> None:
    sync_sig = inspect.signature(Anthropic.__init__)
    async_sig = inspect.signature(AsyncAnthropic.__init__)
    assert list(sync_sig.parameters) == list(async_sig.parameters)
    assert list(sync_sig.parameters)[1:] == [
        "api_key",
        "auth_token",
        "base_url",
        "api_version",
        "timeout",
        "max_retries",
        "max_retry_wait",
        "default_headers",
        "http_client",
    ]
    assert sync_sig.parameters["api_version"].default == "2023-06-01"
    assert sync_sig.parameters["timeout"].default == 600.0
    assert sync_sig.parameters["max_retries"].default == 2


def test_create_signature_lists_every_parameter() -> None:
    params = inspect.signature(Messages.create).parameters
    for name in (
        "model",
        "messages",
        "max_tokens",
        "system",
        "metadata",
        "stop_sequences",
        "stream",
        "temperature",
        "top_p",
        "top_k",
        "tools",
        "tool_choice",
        "service_tier",
        "thinking",
        "output_config",
        "container",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
    ):
        assert name in params, name
    assert params["model"].default is inspect.Parameter.empty
    assert inspect.signature(Messages.create) == inspect.signature(AsyncMessages.create)
    assert inspect.signature(Messages.count_tokens) == inspect.signature(AsyncMessages.count_tokens)


def test_raw_response_wrappers_expose_the_same_methods() -> None:
    sync_raw = MessagesWithRawResponse(Messages(Anthropic(api_key="k")))
    async_raw = AsyncMessagesWithRawResponse(AsyncMessages(AsyncAnthropic(api_key="k")))
    assert set(vars(sync_raw)) == set(vars(async_raw)) == {"create", "count_tokens"}
