"""`client.messages.batches`: create, retrieve, list, cancel, delete, results, wait.

Thin, like `messages`: each call is prepared by `agentkit._core.batches` (checks, the request,
the non-idempotent mark on `create`) and sent through the client's sender; `results()` streams
the JSONL results file through `agentkit._core.jsonl`, one parsed line at a time; `wait()`
drives `wait_flow` (polls and sleeps). `with_raw_response` gives each call's `APIResponse`.
"""

from __future__ import annotations

import functools
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Generator,
    Iterable,
    Iterator,
    Mapping,
)
from typing import Any

import httpx
import pydantic

from ._base_client import BaseClient, model_parser
from ._core.batches import (
    CallOptions,
    Poll,
    list_query,
    prepare_batch_create,
    prepare_call,
    resource_path,
    wait_flow,
)
from ._core.effects import Sleep
from ._core.jsonl import JSONLinesDecoder
from ._core.request import PreparedRequest
from ._drive import adrive, asleep, drive, sleep
from ._exceptions import AgentkitError, APIConnectionError, APIResponseValidationError
from ._pagination import AsyncPage, AsyncPaginator, SyncPage, page_parser
from ._response import APIResponse
from ._send import AsyncSender, Sender
from ._types import NOT_GIVEN, Body, Headers, NotGiven, Query, TimeoutTypes
from .types.batches import (
    DeletedMessageBatch,
    MessageBatch,
    MessageBatchIndividualResponse,
    MessageBatchRequestParam,
)

__all__ = [
    "AsyncBatchResults",
    "AsyncBatches",
    "AsyncBatchesWithRawResponse",
    "BatchResults",
    "Batches",
    "BatchesWithRawResponse",
]


_PATH = "/v1/messages/batches"
_RESULTS_ACCEPT = "application/binary"  # as the official SDK asks for the results file


class BatchResults:
    """A batch's results, one `MessageBatchIndividualResponse` per line, read as they arrive.

    Iterate it once (`for result in results:`); memory stays at one line whatever the file's
    size. Lines come in any order: match them to your requests by `custom_id`. The connection
    is released at the end, by `close()`, or by leaving a `with` block.
    """

    def __init__(self, response: httpx.Response) -> None:
        self.http_response = response
        self._iterator = _decode(response.iter_bytes(), response)

    def __iter__(self) -> Iterator[MessageBatchIndividualResponse]:
        return self._iterator

    def __next__(self) -> MessageBatchIndividualResponse:
        return next(self._iterator)

    def close(self) -> None:
        """Release the connection (reading stops)."""
        self._iterator.close()
        self.http_response.close()

    def __enter__(self) -> BatchResults:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncBatchResults:
    """A batch's results for the async client: `async for result in results:`.

    See `BatchResults`.
    """

    def __init__(self, response: httpx.Response) -> None:
        self.http_response = response
        self._iterator = _adecode(response.aiter_bytes(), response)

    def __aiter__(self) -> AsyncIterator[MessageBatchIndividualResponse]:
        return self._iterator

    async def __anext__(self) -> MessageBatchIndividualResponse:
        return await self._iterator.__anext__()

    async def close(self) -> None:
        """Release the connection (reading stops)."""
        await self._iterator.aclose()
        await self.http_response.aclose()

    async def __aenter__(self) -> AsyncBatchResults:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _parse_line(line: bytes, response: httpx.Response) -> MessageBatchIndividualResponse:
    try:
        return MessageBatchIndividualResponse.model_validate_json(line)
    except pydantic.ValidationError as exc:
        shown = line[:200].decode("utf-8", "replace")
        raise APIResponseValidationError(
            f"a line of the batch results is not a valid result ({exc.error_count()} "
            f"problem(s)): {shown!r}",
            response=response,
        ) from exc


def _cut(exc: Exception, response: httpx.Response) -> APIConnectionError:
    """The typed error for a results download that broke off (read results again)."""
    error = BaseClient.connection_error(exc, response.request)
    error.message = f"the batch results download broke off: {error.message}"
    error.args = (error.message,)
    return error


def _decode(
    chunks: Iterator[bytes], response: httpx.Response
) -> Generator[MessageBatchIndividualResponse, None, None]:
    decoder = JSONLinesDecoder()
    try:
        for chunk in chunks:
            for line in decoder.feed(chunk):
                yield _parse_line(line, response)
        last = decoder.flush()
        if last is not None:
            yield _parse_line(last, response)
    except httpx.TransportError as exc:
        raise _cut(exc, response) from exc
    finally:
        response.close()


async def _adecode(
    chunks: AsyncIterator[bytes], response: httpx.Response
) -> AsyncGenerator[MessageBatchIndividualResponse, None]:
    decoder = JSONLinesDecoder()
    try:
        async for chunk in chunks:
            for line in decoder.feed(chunk):
                yield _parse_line(line, response)
        last = decoder.flush()
        if last is not None:
            yield _parse_line(last, response)
    except httpx.TransportError as exc:
        raise _cut(exc, response) from exc
    finally:
        await response.aclose()


def _options(
    extra_headers: Headers | None,
    extra_query: Query | None,
    extra_body: Body | None,
    timeout: TimeoutTypes | NotGiven,
) -> CallOptions:
    return CallOptions(extra_headers, extra_query, extra_body, timeout)


def _results_path(batch: MessageBatch) -> str:
    if not batch.results_url:
        raise AgentkitError(
            f"batch {batch.id} has no results_url yet: results are ready once it has ended "
            f"(processing_status={batch.processing_status!r}); client.messages.batches.wait() "
            "waits for that."
        )
    return batch.results_url


class _BatchCalls:
    """The requests of the batch calls (no I/O); shared by the sync and async resources."""

    _sender: Sender | AsyncSender

    def _create_call(
        self, requests: Iterable[MessageBatchRequestParam], options: CallOptions
    ) -> PreparedRequest:
        return prepare_batch_create(self._sender.client, requests, options)

    def _id_call(
        self, method: str, batch_id: str, options: CallOptions, suffix: str = ""
    ) -> PreparedRequest:
        path = resource_path(_PATH, batch_id, suffix)
        return prepare_call(self._sender.client, method, path, options)

    def _list_call(self, query: Mapping[str, object], options: CallOptions) -> PreparedRequest:
        return prepare_call(self._sender.client, "GET", _PATH, options, query=query)

    def _results_call(self, batch: MessageBatch, options: CallOptions) -> PreparedRequest:
        path = _results_path(batch)
        return prepare_call(self._sender.client, "GET", path, options, accept=_RESULTS_ACCEPT)


class Batches(_BatchCalls):
    """`client.messages.batches`: Message Batches (asynchronous processing at half price)."""

    _sender: Sender

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @functools.cached_property
    def with_raw_response(self) -> BatchesWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return BatchesWithRawResponse(self)

    def create(
        self,
        *,
        requests: Iterable[MessageBatchRequestParam],
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> MessageBatch:
        """Create a batch of `messages.create` requests, processed within 24 hours.

        Each request is `{"custom_id": ..., "params": {...}}`. Checked before sending
        (`UsageError`): `custom_id` matches `^[a-zA-Z0-9_-]{1,64}$` and is unique, `params`
        are valid non-streaming `messages.create` parameters, at most 100,000 requests and
        256 MB. Not idempotent: re-sent only when the request certainly never left, or on a
        429 / 529 answer; a connection lost after sending, or a read timeout, raises
        `UncertainDeliveryError` (look with `list()` before creating it again).
        """
        options = _options(extra_headers, extra_query, extra_body, timeout)
        batch: MessageBatch = self._create(requests, options)
        return batch

    def retrieve(
        self,
        batch_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> MessageBatch:
        """The batch now: its `processing_status`, `request_counts`, `results_url`..."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        prepared = self._id_call("GET", batch_id, options)
        batch: MessageBatch = self._send(prepared, MessageBatch, options).parse()
        return batch

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
    ) -> SyncPage[MessageBatch]:
        """The batches, most recent first: the first page, which iterates over all of them.

        `limit` is the page size (1-1000, default 20); `after_id` / `before_id` start after /
        before a batch id (paging backwards with `before_id`).
        """
        options = _options(extra_headers, extra_query, extra_body, timeout)
        query = list_query(limit=limit, after_id=after_id, before_id=before_id)
        page: SyncPage[MessageBatch] = self._list(query, options).parse()
        return page

    def cancel(
        self,
        batch_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> MessageBatch:
        """Ask to cancel the batch.

        It goes `canceling`, then `ended`: finished requests keep their results, the others
        are `canceled`.
        """
        options = _options(extra_headers, extra_query, extra_body, timeout)
        prepared = self._id_call("POST", batch_id, options, "/cancel")
        batch: MessageBatch = self._send(prepared, MessageBatch, options).parse()
        return batch

    def delete(
        self,
        batch_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> DeletedMessageBatch:
        """Delete an ended batch (cancel one still processing first)."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        prepared = self._id_call("DELETE", batch_id, options)
        deleted: DeletedMessageBatch = self._send(prepared, DeletedMessageBatch, options).parse()
        return deleted

    def results(
        self,
        batch_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> BatchResults:
        """The results of an ended batch, streamed line by line (see `BatchResults`)."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        results: BatchResults = self._results(batch_id, options)
        return results

    def wait(
        self,
        batch_id: str,
        *,
        poll_interval: float = 10.0,
        max_poll_interval: float = 300.0,
        timeout: float | None = None,
    ) -> MessageBatch:
        """Poll the batch until it has ended, and return it.

        Waits `poll_interval` seconds between the first polls, each wait half as long again as
        the one before, up to `max_poll_interval`. After `timeout` seconds of waiting (None:
        no limit; batches end within 24 hours), raises `BatchWaitTimeout` with the last batch.
        """
        flow = wait_flow(
            batch_id,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            timeout=timeout,
        )

        def perform(effect: Poll | Sleep) -> MessageBatch | None:
            if isinstance(effect, Sleep):
                sleep(effect)
                return None
            return self.retrieve(batch_id)

        batch: MessageBatch = drive(flow, perform)
        return batch

    # -- the calls, returning their APIResponse ----------------------------------------------

    def _send(
        self, prepared: PreparedRequest, cls: type[Any], options: CallOptions
    ) -> APIResponse[Any]:
        return self._sender.request(prepared, model_parser(cls), timeout=options.timeout)

    def _create(self, requests: Iterable[Any], options: CallOptions, raw: bool = False) -> Any:
        response = self._send(self._create_call(requests, options), MessageBatch, options)
        return response if raw else response.parse()

    def _list(self, query: Mapping[str, object], options: CallOptions) -> APIResponse[Any]:
        def fetch(next_query: dict[str, object]) -> SyncPage[MessageBatch]:
            page: SyncPage[MessageBatch] = self._list(next_query, options).parse()
            return page

        def make(body: Mapping[str, Any], data: list[MessageBatch]) -> SyncPage[MessageBatch]:
            return SyncPage(body, data, query, fetch)

        parser = page_parser(MessageBatch, make)
        return self._sender.request(
            self._list_call(query, options), parser, timeout=options.timeout
        )

    def _results(self, batch_id: str, options: CallOptions, raw: bool = False) -> Any:
        batch = self.retrieve(
            batch_id, extra_headers=options.extra_headers, timeout=options.timeout
        )
        response = self._sender.request(
            self._results_call(batch, options),
            BatchResults,
            timeout=options.timeout,
            defer_read=True,
        )
        return response if raw else response.parse()


class AsyncBatches(_BatchCalls):
    """`client.messages.batches` of `AsyncAnthropic` (see `Batches`)."""

    _sender: AsyncSender

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    @functools.cached_property
    def with_raw_response(self) -> AsyncBatchesWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return AsyncBatchesWithRawResponse(self)

    async def create(
        self,
        *,
        requests: Iterable[MessageBatchRequestParam],
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> MessageBatch:
        """Create a batch (see `Batches.create`: checked locally, never re-sent blindly)."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        batch: MessageBatch = await self._create(requests, options)
        return batch

    async def retrieve(
        self,
        batch_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> MessageBatch:
        """The batch now (see `Batches.retrieve`)."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        prepared = self._id_call("GET", batch_id, options)
        response = await self._send(prepared, MessageBatch, options)
        batch: MessageBatch = response.parse()
        return batch

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
    ) -> AsyncPaginator[MessageBatch]:
        """The batches, most recent first: `await` for the first page, `async for` for all."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        query = list_query(limit=limit, after_id=after_id, before_id=before_id)

        async def first() -> AsyncPage[MessageBatch]:
            page: AsyncPage[MessageBatch] = (await self._list(query, options)).parse()
            return page

        return AsyncPaginator(first)

    async def cancel(
        self,
        batch_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> MessageBatch:
        """Ask to cancel the batch (see `Batches.cancel`)."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        prepared = self._id_call("POST", batch_id, options, "/cancel")
        batch: MessageBatch = (await self._send(prepared, MessageBatch, options)).parse()
        return batch

    async def delete(
        self,
        batch_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> DeletedMessageBatch:
        """Delete an ended batch (see `Batches.delete`)."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        prepared = self._id_call("DELETE", batch_id, options)
        deleted: DeletedMessageBatch = (
            await self._send(prepared, DeletedMessageBatch, options)
        ).parse()
        return deleted

    async def results(
        self,
        batch_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> AsyncBatchResults:
        """The results of an ended batch: `async for result in await ...results(id):`."""
        options = _options(extra_headers, extra_query, extra_body, timeout)
        results: AsyncBatchResults = await self._results(batch_id, options)
        return results

    async def wait(
        self,
        batch_id: str,
        *,
        poll_interval: float = 10.0,
        max_poll_interval: float = 300.0,
        timeout: float | None = None,
    ) -> MessageBatch:
        """Poll the batch until it has ended, and return it (see `Batches.wait`)."""
        flow = wait_flow(
            batch_id,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            timeout=timeout,
        )

        async def perform(effect: Poll | Sleep) -> MessageBatch | None:
            if isinstance(effect, Sleep):
                await asleep(effect)
                return None
            return await self.retrieve(batch_id)

        batch: MessageBatch = await adrive(flow, perform)
        return batch

    # -- the calls, returning their APIResponse ----------------------------------------------

    async def _send(
        self, prepared: PreparedRequest, cls: type[Any], options: CallOptions
    ) -> APIResponse[Any]:
        return await self._sender.request(prepared, model_parser(cls), timeout=options.timeout)

    async def _create(
        self, requests: Iterable[Any], options: CallOptions, raw: bool = False
    ) -> Any:
        response = await self._send(self._create_call(requests, options), MessageBatch, options)
        return response if raw else response.parse()

    async def _list(self, query: Mapping[str, object], options: CallOptions) -> APIResponse[Any]:
        async def fetch(next_query: dict[str, object]) -> AsyncPage[MessageBatch]:
            page: AsyncPage[MessageBatch] = (await self._list(next_query, options)).parse()
            return page

        def make(body: Mapping[str, Any], data: list[MessageBatch]) -> AsyncPage[MessageBatch]:
            return AsyncPage(body, data, query, fetch)

        parser = page_parser(MessageBatch, make)
        return await self._sender.request(
            self._list_call(query, options), parser, timeout=options.timeout
        )

    async def _results(self, batch_id: str, options: CallOptions, raw: bool = False) -> Any:
        batch = await self.retrieve(
            batch_id, extra_headers=options.extra_headers, timeout=options.timeout
        )
        response = await self._sender.request(
            self._results_call(batch, options),
            AsyncBatchResults,
            timeout=options.timeout,
            defer_read=True,
        )
        return response if raw else response.parse()


class BatchesWithRawResponse:
    """`client.messages.batches.with_raw_response`: each method returns an `APIResponse`."""

    def __init__(self, batches: Batches) -> None:
        self._batches = batches

    def create(
        self, *, requests: Iterable[MessageBatchRequestParam], **options: Any
    ) -> APIResponse[MessageBatch]:
        """`create`, returning the `APIResponse`."""
        response: APIResponse[MessageBatch] = self._batches._create(
            requests, CallOptions(**options), raw=True
        )
        return response

    def retrieve(self, batch_id: str, **options: Any) -> APIResponse[MessageBatch]:
        """`retrieve`, returning the `APIResponse`."""
        call = CallOptions(**options)
        return self._batches._send(
            self._batches._id_call("GET", batch_id, call), MessageBatch, call
        )

    def list(self, **params: Any) -> APIResponse[SyncPage[MessageBatch]]:
        """`list`, returning the `APIResponse` of the first page (`parse()` gives the page)."""
        cursors = {k: params.pop(k, NOT_GIVEN) for k in ("limit", "after_id", "before_id")}
        return self._batches._list(list_query(**cursors), CallOptions(**params))

    def cancel(self, batch_id: str, **options: Any) -> APIResponse[MessageBatch]:
        """`cancel`, returning the `APIResponse`."""
        call = CallOptions(**options)
        prepared = self._batches._id_call("POST", batch_id, call, "/cancel")
        return self._batches._send(prepared, MessageBatch, call)

    def delete(self, batch_id: str, **options: Any) -> APIResponse[DeletedMessageBatch]:
        """`delete`, returning the `APIResponse`."""
        call = CallOptions(**options)
        prepared = self._batches._id_call("DELETE", batch_id, call)
        return self._batches._send(prepared, DeletedMessageBatch, call)

    def results(self, batch_id: str, **options: Any) -> APIResponse[BatchResults]:
        """`results`, returning the `APIResponse` (unread; `parse()` gives the results)."""
        response: APIResponse[BatchResults] = self._batches._results(
            batch_id, CallOptions(**options), raw=True
        )
        return response


class AsyncBatchesWithRawResponse:
    """`client.messages.batches.with_raw_response` of the async client."""

    def __init__(self, batches: AsyncBatches) -> None:
        self._batches = batches

    async def create(
        self, *, requests: Iterable[MessageBatchRequestParam], **options: Any
    ) -> APIResponse[MessageBatch]:
        """`create`, returning the `APIResponse`."""
        response: APIResponse[MessageBatch] = await self._batches._create(
            requests, CallOptions(**options), raw=True
        )
        return response

    async def retrieve(self, batch_id: str, **options: Any) -> APIResponse[MessageBatch]:
        """`retrieve`, returning the `APIResponse`."""
        call = CallOptions(**options)
        return await self._batches._send(
            self._batches._id_call("GET", batch_id, call), MessageBatch, call
        )

    async def list(self, **params: Any) -> APIResponse[AsyncPage[MessageBatch]]:
        """`list`, returning the `APIResponse` of the first page (`parse()` gives the page)."""
        cursors = {k: params.pop(k, NOT_GIVEN) for k in ("limit", "after_id", "before_id")}
        return await self._batches._list(list_query(**cursors), CallOptions(**params))

    async def cancel(self, batch_id: str, **options: Any) -> APIResponse[MessageBatch]:
        """`cancel`, returning the `APIResponse`."""
        call = CallOptions(**options)
        prepared = self._batches._id_call("POST", batch_id, call, "/cancel")
        return await self._batches._send(prepared, MessageBatch, call)

    async def delete(self, batch_id: str, **options: Any) -> APIResponse[DeletedMessageBatch]:
        """`delete`, returning the `APIResponse`."""
        call = CallOptions(**options)
        prepared = self._batches._id_call("DELETE", batch_id, call)
        return await self._batches._send(prepared, DeletedMessageBatch, call)

    async def results(self, batch_id: str, **options: Any) -> APIResponse[AsyncBatchResults]:
        """`results`, returning the `APIResponse` (unread; `parse()` gives the results)."""
        response: APIResponse[AsyncBatchResults] = await self._batches._results(
            batch_id, CallOptions(**options), raw=True
        )
        return response
