"""`client.messages.batches`: create, retrieve, list, cancel, delete, results, wait.

Thin, like `messages`: each call's request and parser are built once, in `_BatchCalls` (checks
and requests from `agentkit._core.batches`, the non-idempotent mark on `create`), and sent by
the sync or the async resource (`agentkit._resource`). `results()` streams the JSONL results
file through `agentkit._core.jsonl`, one parsed line at a time; `wait()` drives `wait_flow`
(polls and sleeps), the same flow for both. `with_raw_response` gives each call's
`APIResponse`.
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
from contextlib import aclosing
from typing import Any, TypeVar, cast

import httpx
import pydantic
from typing_extensions import Unpack

from ._base_client import BaseClient
from ._core.batches import (
    CallOptions,
    prepare_batch_create,
    prepare_call,
    resource_path,
    wait_flow,
)
from ._core.effects import Sleep
from ._core.jsonl import JSONLinesDecoder
from ._drive import Done, adrive, advance, asleep, drive, sleep
from ._exceptions import AgentkitError, APIConnectionError, APIResponseValidationError
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
from .types.batches import (
    DeletedMessageBatch,
    MessageBatch,
    MessageBatchIndividualResponse,
    MessageBatchRequestParam,
)
from .types.request_params import ListParams, RequestOptions

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
        async with aclosing(cast("AsyncGenerator[bytes, None]", chunks)):  # closed when left
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


def _results_path(batch: MessageBatch) -> str:
    if not batch.results_url:
        raise AgentkitError(
            f"batch {batch.id} has no results_url yet: results are ready once it has ended "
            f"(processing_status={batch.processing_status!r}); client.messages.batches.wait() "
            "waits for that."
        )
    return batch.results_url


_M = TypeVar("_M", bound=pydantic.BaseModel)
_R = TypeVar("_R", BatchResults, AsyncBatchResults)


class _BatchCalls:
    """Each batch call's request and parser, written once (no I/O): sync and async send them."""

    _sender: Sender | AsyncSender

    def _create_call(
        self, requests: Iterable[MessageBatchRequestParam], options: Mapping[str, Any]
    ) -> Call[MessageBatch]:
        checked = call_options(options)
        prepared = prepare_batch_create(self._sender.client, requests, checked)
        return call(prepared, model_of(MessageBatch), checked)

    def _id_call(
        self,
        method: str,
        batch_id: str,
        options: Mapping[str, Any],
        cls: type[_M],
        suffix: str = "",
    ) -> Call[_M]:
        checked = call_options(options)
        path = resource_path(_PATH, batch_id, suffix)
        prepared = prepare_call(self._sender.client, method, path, checked)
        return call(prepared, model_of(cls), checked)

    def _retrieve_call(self, batch_id: str, options: Mapping[str, Any]) -> Call[MessageBatch]:
        return self._id_call("GET", batch_id, options, MessageBatch)

    def _cancel_call(self, batch_id: str, options: Mapping[str, Any]) -> Call[MessageBatch]:
        return self._id_call("POST", batch_id, options, MessageBatch, "/cancel")

    def _delete_call(self, batch_id: str, options: Mapping[str, Any]) -> Call[DeletedMessageBatch]:
        return self._id_call("DELETE", batch_id, options, DeletedMessageBatch)

    def _results_call(self, batch: MessageBatch, options: CallOptions, kind: type[_R]) -> Call[_R]:
        """The results file of `batch` (retrieved first), left unread: `kind` streams it."""
        path = _results_path(batch)
        prepared = prepare_call(self._sender.client, "GET", path, options, accept=_RESULTS_ACCEPT)
        return call(prepared, kind, options, defer_read=True)

    def _wait_flow(
        self, batch_id: str, poll_interval: float, max_poll_interval: float, timeout: float | None
    ) -> Generator[Call[MessageBatch] | Sleep, Any, MessageBatch]:
        """`wait`: `wait_flow`'s polls as `retrieve` calls, its pauses as they are."""
        flow = wait_flow(
            batch_id,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            timeout=timeout,
        )
        answer: Any = None
        while not isinstance(effect := advance(flow, answer, None), Done):
            if isinstance(effect, Sleep):
                answer = yield effect
            else:
                answer = (yield self._retrieve_call(batch_id, {})).parse()
        batch: MessageBatch = effect.value
        return batch


@spelled_out
class Batches(_BatchCalls, SyncResource):
    """`client.messages.batches`: Message Batches (asynchronous processing at half price)."""

    _sender: Sender

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @functools.cached_property
    def with_raw_response(self) -> BatchesWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return BatchesWithRawResponse(self)

    def create(
        self, *, requests: Iterable[MessageBatchRequestParam], **options: Unpack[RequestOptions]
    ) -> MessageBatch:
        """Create a batch of `messages.create` requests, processed within 24 hours.

        Each request is `{"custom_id": ..., "params": {...}}`. Checked before sending
        (`UsageError`): `custom_id` matches `^[a-zA-Z0-9_-]{1,64}$` and is unique, `params`
        are valid non-streaming `messages.create` parameters, at most 100,000 requests and
        256 MB. Not idempotent: re-sent only when the request certainly never left, or on a
        429 / 529 answer; a connection lost after sending, or a read timeout, raises
        `UncertainDeliveryError` (look with `list()` before creating it again).
        """
        return self._send(self._create_call(requests, options)).parse()

    def retrieve(self, batch_id: str, **options: Unpack[RequestOptions]) -> MessageBatch:
        """The batch now: its `processing_status`, `request_counts`, `results_url`..."""
        return self._send(self._retrieve_call(batch_id, options)).parse()

    def list(self, **params: Unpack[ListParams]) -> SyncPage[MessageBatch]:
        """The batches, most recent first: the first page, which iterates over all of them.

        `limit` is the page size (1-1000, default 20); `after_id` / `before_id` start after /
        before a batch id (paging backwards with `before_id`).
        """
        return self._page(_PATH, MessageBatch, *list_request(params)).parse()

    def cancel(self, batch_id: str, **options: Unpack[RequestOptions]) -> MessageBatch:
        """Ask to cancel the batch.

        It goes `canceling`, then `ended`: finished requests keep their results, the others
        are `canceled`.
        """
        return self._send(self._cancel_call(batch_id, options)).parse()

    def delete(self, batch_id: str, **options: Unpack[RequestOptions]) -> DeletedMessageBatch:
        """Delete an ended batch (cancel one still processing first)."""
        return self._send(self._delete_call(batch_id, options)).parse()

    def results(self, batch_id: str, **options: Unpack[RequestOptions]) -> BatchResults:
        """The results of an ended batch, streamed line by line (see `BatchResults`)."""
        return self._results(batch_id, options).parse()

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
        flow = self._wait_flow(batch_id, poll_interval, max_poll_interval, timeout)
        return drive(flow, self._perform)

    def _perform(self, effect: Call[Any] | Sleep) -> Any:
        return sleep(effect) if isinstance(effect, Sleep) else self._send(effect)

    def _results(self, batch_id: str, options: Mapping[str, Any]) -> APIResponse[BatchResults]:
        checked = call_options(options)
        batch = self.retrieve(
            batch_id, extra_headers=checked.extra_headers, timeout=checked.timeout
        )
        return self._send(self._results_call(batch, checked, BatchResults))


@spelled_out
class AsyncBatches(_BatchCalls, AsyncResource):
    """`client.messages.batches` of `AsyncAnthropic` (see `Batches`)."""

    _sender: AsyncSender

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    @functools.cached_property
    def with_raw_response(self) -> AsyncBatchesWithRawResponse:
        """The same methods, returning an `APIResponse` (headers, request id, retries)."""
        return AsyncBatchesWithRawResponse(self)

    async def create(
        self, *, requests: Iterable[MessageBatchRequestParam], **options: Unpack[RequestOptions]
    ) -> MessageBatch:
        """Create a batch (see `Batches.create`: checked locally, never re-sent blindly)."""
        return (await self._send(self._create_call(requests, options))).parse()

    async def retrieve(self, batch_id: str, **options: Unpack[RequestOptions]) -> MessageBatch:
        """The batch now (see `Batches.retrieve`)."""
        return (await self._send(self._retrieve_call(batch_id, options))).parse()

    def list(self, **params: Unpack[ListParams]) -> AsyncPaginator[MessageBatch]:
        """The batches, most recent first: `await` for the first page, `async for` for all."""
        return self._paginator(_PATH, MessageBatch, params)

    async def cancel(self, batch_id: str, **options: Unpack[RequestOptions]) -> MessageBatch:
        """Ask to cancel the batch (see `Batches.cancel`)."""
        return (await self._send(self._cancel_call(batch_id, options))).parse()

    async def delete(self, batch_id: str, **options: Unpack[RequestOptions]) -> DeletedMessageBatch:
        """Delete an ended batch (see `Batches.delete`)."""
        return (await self._send(self._delete_call(batch_id, options))).parse()

    async def results(self, batch_id: str, **options: Unpack[RequestOptions]) -> AsyncBatchResults:
        """The results of an ended batch: `async for result in await ...results(id):`."""
        return (await self._results(batch_id, options)).parse()

    async def wait(
        self,
        batch_id: str,
        *,
        poll_interval: float = 10.0,
        max_poll_interval: float = 300.0,
        timeout: float | None = None,
    ) -> MessageBatch:
        """Poll the batch until it has ended, and return it (see `Batches.wait`)."""
        flow = self._wait_flow(batch_id, poll_interval, max_poll_interval, timeout)
        return await adrive(flow, self._perform)

    async def _perform(self, effect: Call[Any] | Sleep) -> Any:
        return await asleep(effect) if isinstance(effect, Sleep) else await self._send(effect)

    async def _results(
        self, batch_id: str, options: Mapping[str, Any]
    ) -> APIResponse[AsyncBatchResults]:
        checked = call_options(options)
        batch = await self.retrieve(
            batch_id, extra_headers=checked.extra_headers, timeout=checked.timeout
        )
        return await self._send(self._results_call(batch, checked, AsyncBatchResults))


@spelled_out
class BatchesWithRawResponse:
    """`client.messages.batches.with_raw_response`: each method returns an `APIResponse`."""

    def __init__(self, batches: Batches) -> None:
        self._batches = batches

    def create(
        self, *, requests: Iterable[MessageBatchRequestParam], **options: Any
    ) -> APIResponse[MessageBatch]:
        """`create`, returning the `APIResponse`."""
        return self._batches._send(self._batches._create_call(requests, options))

    def retrieve(self, batch_id: str, **options: Any) -> APIResponse[MessageBatch]:
        """`retrieve`, returning the `APIResponse`."""
        return self._batches._send(self._batches._retrieve_call(batch_id, options))

    def list(self, **params: Any) -> APIResponse[SyncPage[MessageBatch]]:
        """`list`, returning the `APIResponse` of the first page (`parse()` gives the page)."""
        return self._batches._page(_PATH, MessageBatch, *list_request(params))

    def cancel(self, batch_id: str, **options: Any) -> APIResponse[MessageBatch]:
        """`cancel`, returning the `APIResponse`."""
        return self._batches._send(self._batches._cancel_call(batch_id, options))

    def delete(self, batch_id: str, **options: Any) -> APIResponse[DeletedMessageBatch]:
        """`delete`, returning the `APIResponse`."""
        return self._batches._send(self._batches._delete_call(batch_id, options))

    def results(self, batch_id: str, **options: Any) -> APIResponse[BatchResults]:
        """`results`, returning the `APIResponse` (unread; `parse()` gives the results)."""
        return self._batches._results(batch_id, options)


@spelled_out
class AsyncBatchesWithRawResponse:
    """`client.messages.batches.with_raw_response` of the async client."""

    def __init__(self, batches: AsyncBatches) -> None:
        self._batches = batches

    async def create(
        self, *, requests: Iterable[MessageBatchRequestParam], **options: Any
    ) -> APIResponse[MessageBatch]:
        """`create`, returning the `APIResponse`."""
        return await self._batches._send(self._batches._create_call(requests, options))

    async def retrieve(self, batch_id: str, **options: Any) -> APIResponse[MessageBatch]:
        """`retrieve`, returning the `APIResponse`."""
        return await self._batches._send(self._batches._retrieve_call(batch_id, options))

    async def list(self, **params: Any) -> APIResponse[AsyncPage[MessageBatch]]:
        """`list`, returning the `APIResponse` of the first page (`parse()` gives the page)."""
        return await self._batches._page(_PATH, MessageBatch, *list_request(params))

    async def cancel(self, batch_id: str, **options: Any) -> APIResponse[MessageBatch]:
        """`cancel`, returning the `APIResponse`."""
        return await self._batches._send(self._batches._cancel_call(batch_id, options))

    async def delete(self, batch_id: str, **options: Any) -> APIResponse[DeletedMessageBatch]:
        """`delete`, returning the `APIResponse`."""
        return await self._batches._send(self._batches._delete_call(batch_id, options))

    async def results(self, batch_id: str, **options: Any) -> APIResponse[AsyncBatchResults]:
        """`results`, returning the `APIResponse` (unread; `parse()` gives the results)."""
        return await self._batches._results(batch_id, options)
