"""`client.models`: the models available to your key, and what each supports.

Thin, like the other resources: requests come from `agentkit._core.batches` (`prepare_call`,
`list_query`), pages from `agentkit._pagination`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ._base_client import model_parser
from ._core.batches import CallOptions, list_query, prepare_call, resource_path
from ._pagination import AsyncPage, AsyncPaginator, SyncPage, page_parser
from ._response import APIResponse
from ._send import AsyncSender, Sender
from ._types import NOT_GIVEN, Body, Headers, NotGiven, Query, TimeoutTypes
from .types.models import ModelInfo

__all__ = ["AsyncModels", "AsyncModelsWithRawResponse", "Models", "ModelsWithRawResponse"]

_PATH = "/v1/models"


class Models:
    """`client.models`: list the models, or look one up (by id or alias)."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @functools.cached_property
    def with_raw_response(self) -> ModelsWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return ModelsWithRawResponse(self)

    def retrieve(
        self,
        model_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> ModelInfo:
        """One model: limits (`max_input_tokens`, `max_tokens`) and `capabilities`."""
        options = CallOptions(extra_headers, extra_query, extra_body, timeout)
        info: ModelInfo = self._retrieve(model_id, options).parse()
        return info

    def list(
        self,
        *,
        limit: int | NotGiven = NOT_GIVEN,
        after_id: str | NotGiven = NOT_GIVEN,
        before_id: str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> SyncPage[ModelInfo]:
        """The models, most recent first: the first page, which iterates over all of them."""
        options = CallOptions(extra_headers, extra_query, extra_body, timeout)
        query = list_query(limit=limit, after_id=after_id, before_id=before_id)
        page: SyncPage[ModelInfo] = self._list(query, options).parse()
        return page

    def _retrieve(self, model_id: str, options: CallOptions) -> APIResponse[Any]:
        prepared = prepare_call(self._sender.client, "GET", resource_path(_PATH, model_id), options)
        return self._sender.request(prepared, model_parser(ModelInfo), timeout=options.timeout)

    def _list(self, query: Mapping[str, object], options: CallOptions) -> APIResponse[Any]:
        def fetch(next_query: dict[str, object]) -> SyncPage[ModelInfo]:
            page: SyncPage[ModelInfo] = self._list(next_query, options).parse()
            return page

        def make(body: Mapping[str, Any], data: list[ModelInfo]) -> SyncPage[ModelInfo]:
            return SyncPage(body, data, query, fetch)

        prepared = prepare_call(self._sender.client, "GET", _PATH, options, query=query)
        parser = page_parser(ModelInfo, make)
        return self._sender.request(prepared, parser, timeout=options.timeout)


class AsyncModels:
    """`client.models` of `AsyncAnthropic` (see `Models`)."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    @functools.cached_property
    def with_raw_response(self) -> AsyncModelsWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return AsyncModelsWithRawResponse(self)

    async def retrieve(
        self,
        model_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> ModelInfo:
        """One model (see `Models.retrieve`)."""
        options = CallOptions(extra_headers, extra_query, extra_body, timeout)
        info: ModelInfo = (await self._retrieve(model_id, options)).parse()
        return info

    def list(
        self,
        *,
        limit: int | NotGiven = NOT_GIVEN,
        after_id: str | NotGiven = NOT_GIVEN,
        before_id: str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> AsyncPaginator[ModelInfo]:
        """The models: `await` for the first page, `async for` for all of them."""
        options = CallOptions(extra_headers, extra_query, extra_body, timeout)
        query = list_query(limit=limit, after_id=after_id, before_id=before_id)

        async def first() -> AsyncPage[ModelInfo]:
            page: AsyncPage[ModelInfo] = (await self._list(query, options)).parse()
            return page

        return AsyncPaginator(first)

    async def _retrieve(self, model_id: str, options: CallOptions) -> APIResponse[Any]:
        prepared = prepare_call(self._sender.client, "GET", resource_path(_PATH, model_id), options)
        return await self._sender.request(
            prepared, model_parser(ModelInfo), timeout=options.timeout
        )

    async def _list(self, query: Mapping[str, object], options: CallOptions) -> APIResponse[Any]:
        async def fetch(next_query: dict[str, object]) -> AsyncPage[ModelInfo]:
            page: AsyncPage[ModelInfo] = (await self._list(next_query, options)).parse()
            return page

        def make(body: Mapping[str, Any], data: list[ModelInfo]) -> AsyncPage[ModelInfo]:
            return AsyncPage(body, data, query, fetch)

        prepared = prepare_call(self._sender.client, "GET", _PATH, options, query=query)
        parser = page_parser(ModelInfo, make)
        return await self._sender.request(prepared, parser, timeout=options.timeout)


class ModelsWithRawResponse:
    """`client.models.with_raw_response`: each method returns an `APIResponse`."""

    def __init__(self, models: Models) -> None:
        self._models = models

    def retrieve(self, model_id: str, **options: Any) -> APIResponse[ModelInfo]:
        """`retrieve`, returning the `APIResponse`."""
        return self._models._retrieve(model_id, CallOptions(**options))

    def list(self, **params: Any) -> APIResponse[SyncPage[ModelInfo]]:
        """`list`, returning the `APIResponse` of the first page."""
        cursors = {k: params.pop(k, NOT_GIVEN) for k in ("limit", "after_id", "before_id")}
        return self._models._list(list_query(**cursors), CallOptions(**params))


class AsyncModelsWithRawResponse:
    """`client.models.with_raw_response` of the async client."""

    def __init__(self, models: AsyncModels) -> None:
        self._models = models

    async def retrieve(self, model_id: str, **options: Any) -> APIResponse[ModelInfo]:
        """`retrieve`, returning the `APIResponse`."""
        return await self._models._retrieve(model_id, CallOptions(**options))

    async def list(self, **params: Any) -> APIResponse[AsyncPage[ModelInfo]]:
        """`list`, returning the `APIResponse` of the first page."""
        cursors = {k: params.pop(k, NOT_GIVEN) for k in ("limit", "after_id", "before_id")}
        return await self._models._list(list_query(**cursors), CallOptions(**params))
