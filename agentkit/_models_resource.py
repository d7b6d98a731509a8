"""`client.models`: the models available to your key, and what each supports.

Thin, like the other resources: each call is built once (`_retrieve_call`, the list's page in
`agentkit._resource`) and sent by the sync or the async resource.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from ._core.batches import prepare_call, resource_path
from ._pagination import AsyncPage, AsyncPaginator, SyncPage
from ._resource import (
    AsyncResource,
    Call,
    SyncResource,
    call,
    call_options,
    list_request,
    model_of,
    spelled_out,
)
from ._response import APIResponse
from ._send import AsyncSender, Sender
from .types.models import ModelInfo
from .types.request_params import ListParams, RequestOptions

__all__ = ["AsyncModels", "AsyncModelsWithRawResponse", "Models", "ModelsWithRawResponse"]

_PATH = "/v1/models"


def _retrieve_call(client: Any, model_id: str, options: Mapping[str, Any]) -> Call[ModelInfo]:
    checked = call_options(options)
    prepared = prepare_call(client, "GET", resource_path(_PATH, model_id), checked)
    return call(prepared, model_of(ModelInfo), checked)


@spelled_out
class Models(SyncResource):
    """`client.models`: list the models, or look one up (by id or alias)."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @functools.cached_property
    def with_raw_response(self) -> ModelsWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return ModelsWithRawResponse(self)

    def retrieve(self, model_id: str, **options: Unpack[RequestOptions]) -> ModelInfo:
        """One model: limits (`max_input_tokens`, `max_tokens`) and `capabilities`."""
        return self._send(_retrieve_call(self._sender.client, model_id, options)).parse()

    def list(self, **params: Unpack[ListParams]) -> SyncPage[ModelInfo]:
        """The models, most recent first: the first page, which iterates over all of them."""
        return self._page(_PATH, ModelInfo, *list_request(params)).parse()


@spelled_out
class AsyncModels(AsyncResource):
    """`client.models` of `AsyncAnthropic` (see `Models`)."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    @functools.cached_property
    def with_raw_response(self) -> AsyncModelsWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return AsyncModelsWithRawResponse(self)

    async def retrieve(self, model_id: str, **options: Unpack[RequestOptions]) -> ModelInfo:
        """One model (see `Models.retrieve`)."""
        return (await self._send(_retrieve_call(self._sender.client, model_id, options))).parse()

    def list(self, **params: Unpack[ListParams]) -> AsyncPaginator[ModelInfo]:
        """The models: `await` for the first page, `async for` for all of them."""
        return self._paginator(_PATH, ModelInfo, params)


@spelled_out
class ModelsWithRawResponse:
    """`client.models.with_raw_response`: each method returns an `APIResponse`."""

    def __init__(self, models: Models) -> None:
        self._models = models

    def retrieve(self, model_id: str, **options: Any) -> APIResponse[ModelInfo]:
        """`retrieve`, returning the `APIResponse`."""
        return self._models._send(_retrieve_call(self._models._sender.client, model_id, options))

    def list(self, **params: Any) -> APIResponse[SyncPage[ModelInfo]]:
        """`list`, returning the `APIResponse` of the first page."""
        return self._models._page(_PATH, ModelInfo, *list_request(params))


@spelled_out
class AsyncModelsWithRawResponse:
    """`client.models.with_raw_response` of the async client."""

    def __init__(self, models: AsyncModels) -> None:
        self._models = models

    async def retrieve(self, model_id: str, **options: Any) -> APIResponse[ModelInfo]:
        """`retrieve`, returning the `APIResponse`."""
        client = self._models._sender.client
        return await self._models._send(_retrieve_call(client, model_id, options))

    async def list(self, **params: Any) -> APIResponse[AsyncPage[ModelInfo]]:
        """`list`, returning the `APIResponse` of the first page."""
        return await self._models._page(_PATH, ModelInfo, *list_request(params))
