"""The sync and async surfaces must not drift apart."""

from __future__ import annotations

import inspect

import pytest

from agentkit import Anthropic, AsyncAnthropic
from agentkit._batches import (
    AsyncBatches,
    AsyncBatchesWithRawResponse,
    AsyncBatchResults,
    Batches,
    BatchesWithRawResponse,
    BatchResults,
)
from agentkit._message_stream import (
    AsyncMessageStream,
    AsyncMessageStreamManager,
    AsyncParsedMessageStream,
    AsyncParsedMessageStreamManager,
    MessageStream,
    MessageStreamManager,
    ParsedMessageStream,
    ParsedMessageStreamManager,
)
from agentkit._messages import (
    AsyncMessages,
    AsyncMessagesWithRawResponse,
    AsyncMessagesWithStreamingResponse,
    Messages,
    MessagesWithRawResponse,
    MessagesWithStreamingResponse,
)
from agentkit._models_resource import (
    AsyncModels,
    AsyncModelsWithRawResponse,
    Models,
    ModelsWithRawResponse,
)
from agentkit._streaming import AsyncStream, Stream
from agentkit._types import NotGiven

PAIRS = [
    (Anthropic, AsyncAnthropic),
    (Messages, AsyncMessages),
    (Batches, AsyncBatches),
    (BatchesWithRawResponse, AsyncBatchesWithRawResponse),
    (Models, AsyncModels),
    (ModelsWithRawResponse, AsyncModelsWithRawResponse),
    (BatchResults, AsyncBatchResults),
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


def test_constructor_parameters() -> None:
    # no constructor of their own: BaseClient's serves both, so their parameters are the same
    assert "__init__" not in vars(Anthropic)
    assert "__init__" not in vars(AsyncAnthropic)
    sync_sig = inspect.signature(Anthropic.__init__)
    assert list(sync_sig.parameters)[1:] == [
        "api_key",
        "auth_token",
        "base_url",
        "api_version",
        "timeout",
        "max_retries",
        "default_headers",
        "http_client",
        "max_retry_wait",
        "default_query",
        "rate_limiter",
    ]
    assert sync_sig.parameters["api_version"].default == "2023-06-01"
    assert isinstance(sync_sig.parameters["timeout"].default, NotGiven)
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
    assert inspect.signature(Messages.parse) == inspect.signature(AsyncMessages.parse)
    parse_params = inspect.signature(Messages.parse).parameters
    assert "output_format" in parse_params
    assert "stream" not in parse_params
    assert "output_format" in inspect.signature(Messages.stream).parameters


def test_raw_response_wrappers_expose_the_same_methods() -> None:
    sync_raw = MessagesWithRawResponse(Anthropic(api_key="k").messages)
    async_raw = AsyncMessagesWithRawResponse(AsyncAnthropic(api_key="k").messages)
    assert set(vars(sync_raw)) == set(vars(async_raw)) == {"create", "parse", "count_tokens"}


STREAM_PAIRS = [
    (MessageStream, AsyncMessageStream),
    (Stream, AsyncStream),
    (MessageStreamManager, AsyncMessageStreamManager),
    (ParsedMessageStream, AsyncParsedMessageStream),
    (ParsedMessageStreamManager, AsyncParsedMessageStreamManager),
    (MessagesWithStreamingResponse, AsyncMessagesWithStreamingResponse),
]
STREAM_PAIR_IDS = [sync_cls.__name__ for sync_cls, _ in STREAM_PAIRS]

# The protocol methods differ by name between the twins.
DUNDER_TWINS = {
    "__iter__": "__aiter__",
    "__next__": "__anext__",
    "__enter__": "__aenter__",
    "__exit__": "__aexit__",
}


def _public_names(cls: type) -> set[str]:
    """Non-dunder public names, inherited ones included."""
    return {name for name in dir(cls) if not name.startswith("_")}


@pytest.mark.parametrize(("sync_cls", "async_cls"), STREAM_PAIRS, ids=STREAM_PAIR_IDS)
def test_stream_twins_have_the_same_public_names(sync_cls: type, async_cls: type) -> None:
    names = _public_names(sync_cls)
    assert names == _public_names(async_cls)
    if sync_cls in (MessageStreamManager, ParsedMessageStreamManager):
        assert names == set()  # only the context manager protocol
    else:
        assert names


@pytest.mark.parametrize(("sync_cls", "async_cls"), STREAM_PAIRS, ids=STREAM_PAIR_IDS)
def test_stream_twins_have_the_same_signatures(sync_cls: type, async_cls: type) -> None:
    for name in _public_names(sync_cls):
        member = inspect.getattr_static(sync_cls, name)
        twin = inspect.getattr_static(async_cls, name)
        if member is twin:
            continue  # inherited from the base both share: the same object
        assert isinstance(member, property) == isinstance(twin, property), name
        if not callable(member):
            continue
        sync_params = inspect.signature(member).parameters
        async_params = inspect.signature(twin).parameters
        assert list(sync_params) == list(async_params), name
        for param in sync_params.values():
            other = async_params[param.name]
            assert (param.kind, param.default) == (other.kind, other.default), (name, param.name)


@pytest.mark.parametrize(("sync_cls", "async_cls"), STREAM_PAIRS, ids=STREAM_PAIR_IDS)
def test_stream_twins_implement_the_matching_protocols(sync_cls: type, async_cls: type) -> None:
    for sync_name, async_name in DUNDER_TWINS.items():
        assert hasattr(sync_cls, sync_name) == hasattr(async_cls, async_name), sync_name
        assert not hasattr(async_cls, sync_name), (async_cls.__name__, sync_name)


def test_async_stream_methods_are_coroutines_where_they_do_io() -> None:
    io_methods = ["close", "until_done", "get_final_message", "get_final_text"]
    cases: list[tuple[type, list[str], bool]] = [
        (AsyncStream, ["close"], True),
        (AsyncMessageStream, io_methods, True),
        (Stream, ["close"], False),
        (MessageStream, io_methods, False),
        (AsyncParsedMessageStream, io_methods, True),
        (ParsedMessageStream, io_methods, False),
    ]
    for cls, names, is_async in cases:
        for name in names:
            assert inspect.iscoroutinefunction(getattr(cls, name)) is is_async, (cls, name)


def test_streaming_response_wrappers_offer_create_and_stream() -> None:
    for cls in (MessagesWithStreamingResponse, AsyncMessagesWithStreamingResponse):
        assert {"create", "stream", "parse"} <= _public_names(cls)
    assert inspect.signature(MessagesWithStreamingResponse.stream) == inspect.signature(
        Messages.stream
    )
    assert inspect.signature(AsyncMessagesWithStreamingResponse.create) == inspect.signature(
        AsyncMessages.create
    )
