"""`client.messages.batches` and `client.models`, sync and async, against the offline models.

Each scenario is written once, as an async function; with the sync client its calls simply
return their results (`call` awaits only what is awaitable).
"""

from __future__ import annotations

import inspect
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
import httpx
import pydantic
import pytest

from agentkit import (
    AgentkitError,
    Anthropic,
    APIConnectionError,
    APIResponseValidationError,
    AsyncAnthropic,
    BadRequestError,
    BatchWaitTimeout,
    InternalServerError,
    NotFoundError,
    UncertainDeliveryError,
    UsageError,
)
from agentkit.testing import EchoModel, ErrorReply, Fault, MockModel, OfflineBatches, RecordedSleeps
from agentkit.testing._batches import BatchOutcome
from agentkit.testing.server import serve_in_background
from agentkit.types import (
    MessageBatch,
    MessageBatchErroredResult,
    MessageBatchIndividualResponse,
    MessageBatchSucceededResult,
    ModelInfo,
)

from ..helpers import FIXTURES, ChunkStream

Scenario = Callable[[Any], Awaitable[Any]]


async def call(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def collect(iterable: Any) -> list[Any]:
    if hasattr(iterable, "__aiter__"):
        return [item async for item in iterable]
    return list(iterable)


def run(
    kind: str, model: MockModel, scenario: Scenario, *, via: str = "transport", **options: Any
) -> Any:
    """Run `scenario` with the `kind` client, talking to `model` through its transport, or over
    HTTP to `agentkit serve`'s server (`via="server"`, on a free port)."""

    async def main(url: str | None) -> Any:
        if kind == "sync":
            sync = model.client(**options) if url is None else Anthropic(base_url=url, **options)
            with sync as client:
                return await scenario(client)
        aclient = (
            model.async_client(**options)
            if url is None
            else AsyncAnthropic(base_url=url, **options)
        )
        async with aclient as client:
            return await scenario(client)

    if via == "transport":
        return anyio.run(main, None)
    options.setdefault("api_key", "k")
    with serve_in_background(model) as url:
        return anyio.run(main, url)


VIAS = pytest.mark.parametrize("via", ["transport", "server"])


def requests(*ids: str) -> list[dict[str, Any]]:
    return [
        {
            "custom_id": custom_id,
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 16,
                "messages": [{"role": "user", "content": f"echo {custom_id}"}],
            },
        }
        for custom_id in ids
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@VIAS
def test_a_batch_from_creation_to_deletion(kind: str, via: str) -> None:
    clock = Clock()
    model = EchoModel(batches=OfflineBatches(processing_time=60, clock=clock))

    async def scenario(client: Any) -> None:
        batches = client.messages.batches
        created = await call(batches.create(requests=requests("a", "b", "c")))
        assert isinstance(created, MessageBatch)
        assert created.processing_status == "in_progress"
        assert created.request_counts.processing == 3
        assert created.results_url is None
        assert (created.expires_at - created.created_at).total_seconds() == 24 * 3600
        with pytest.raises(BadRequestError, match="still processing"):
            await call(batches.delete(created.id))
        with pytest.raises(AgentkitError, match="no results_url yet"):
            await call(batches.results(created.id))
        clock.now = 60
        ended = await call(batches.retrieve(created.id))
        assert ended.processing_status == "ended"
        assert ended.request_counts.succeeded == 3
        assert ended.ended_at is not None
        assert ended.results_url.endswith(f"/v1/messages/batches/{created.id}/results")
        results = await collect(await call(batches.results(created.id)))
        by_id = {r.custom_id: r.result for r in results}
        assert sorted(by_id) == ["a", "b", "c"]
        for custom_id, result in by_id.items():  # matched by custom_id, never by position
            assert isinstance(result, MessageBatchSucceededResult)
            assert result.message.content[0].to_dict()["text"] == f"echo {custom_id}"
            assert result.message.usage.service_tier == "batch"
        deleted = await call(batches.delete(created.id))
        assert (deleted.id, deleted.type) == (created.id, "message_batch_deleted")
        with pytest.raises(NotFoundError):
            await call(batches.retrieve(created.id))

    run(kind, model, scenario, via=via)


@VIAS
def test_results_with_every_outcome(kind: str, via: str) -> None:
    outcomes: dict[str, BatchOutcome] = {
        "err": "errored",
        "exp": "expired",
        "can": "canceled",
        "limit": ErrorReply(429, "rate_limit_error", "slow down"),
    }
    model = EchoModel(batches=OfflineBatches(outcomes=outcomes))
    bad = {"custom_id": "bad", "params": {"model": "m", "messages": []}}  # no max_tokens

    async def scenario(client: Any) -> None:
        batches = client.messages.batches
        everything = {"requests": [*requests("ok", *outcomes), bad]}  # bad: past local checks
        created = await call(batches.create(requests=requests("x"), extra_body=everything))
        ended = await call(batches.retrieve(created.id))
        counts = ended.request_counts
        assert (counts.succeeded, counts.errored, counts.expired, counts.canceled) == (1, 3, 1, 1)
        results = await collect(await call(batches.results(created.id)))
        by_id = {r.custom_id: r.result for r in results}
        assert {k: v.type for k, v in by_id.items()} == {
            "ok": "succeeded",
            "err": "errored",
            "exp": "expired",
            "can": "canceled",
            "limit": "errored",
            "bad": "errored",
        }
        assert isinstance(by_id["limit"], MessageBatchErroredResult)
        assert by_id["limit"].error.error.type == "rate_limit_error"
        assert by_id["bad"].error.error.message == "max_tokens: Field required"
        assert [r.custom_id for r in results] != ["ok", *outcomes, "bad"]  # shuffled

    run(kind, model, scenario, via=via)


@VIAS
def test_cancel_then_the_unprocessed_requests_are_canceled(kind: str, via: str) -> None:
    clock = Clock()
    model = EchoModel(batches=OfflineBatches(processing_time=60, clock=clock))

    async def scenario(client: Any) -> None:
        batches = client.messages.batches
        created = await call(batches.create(requests=requests("a", "b")))
        canceling = await call(batches.cancel(created.id))
        assert canceling.processing_status == "canceling"
        assert canceling.cancel_initiated_at is not None
        clock.now = 1
        ended = await call(batches.retrieve(created.id))
        assert ended.processing_status == "ended"
        assert ended.request_counts.canceled == 2
        results = await collect(await call(batches.results(created.id)))
        assert {r.result.type for r in results} == {"canceled"}

    run(kind, model, scenario, via=via)


@VIAS
def test_unknown_ids_and_bad_custom_ids_get_the_apis_4xx(kind: str, via: str) -> None:
    model = EchoModel()

    async def scenario(client: Any) -> None:
        batches = client.messages.batches
        for method in (batches.retrieve, batches.cancel, batches.delete, batches.results):
            with pytest.raises(NotFoundError):
                await call(method("msgbatch_nope"))
        with pytest.raises(UsageError, match="custom_id"):
            await call(batches.create(requests=requests("bad id")))
        body = {"requests": requests("bad id")}  # past the local check: the server's answer
        with pytest.raises(BadRequestError, match="custom_id: String should match"):
            await call(client.messages.batches.create(requests=requests("x"), extra_body=body))
        with pytest.raises(NotFoundError, match="model: claude-nope"):
            await call(client.models.retrieve("claude-nope"))

    run(kind, model, scenario, via=via)
    assert all(r.path.startswith("/v1/") for r in model.requests)


def test_a_local_check_sends_nothing(kind: str) -> None:
    model = EchoModel()

    async def scenario(client: Any) -> None:
        with pytest.raises(UsageError, match="used twice"):
            await call(client.messages.batches.create(requests=requests("a", "a")))

    run(kind, model, scenario)
    assert model.requests == []


@VIAS
def test_list_iterates_every_page_newest_first(kind: str, via: str) -> None:
    model = EchoModel()

    async def scenario(client: Any) -> None:
        batches = client.messages.batches
        ids = [(await call(batches.create(requests=requests("a")))).id for _ in range(5)]
        newest_first = ids[::-1]
        listed = await collect(batches.list(limit=2))
        assert [b.id for b in listed] == newest_first
        first = await call(batches.list(limit=2))
        assert [b.id for b in first.data] == newest_first[:2]
        assert first.has_next_page()
        assert first.next_page_info() == {"limit": 2, "after_id": newest_first[1]}
        pages = await collect(first.iter_pages())
        assert [len(p.data) for p in pages] == [2, 2, 1]
        assert not pages[-1].has_next_page()
        with pytest.raises(UsageError, match="last page"):
            await call(pages[-1].get_next_page())
        after = await collect(batches.list(after_id=newest_first[1]))
        assert [b.id for b in after] == newest_first[2:]
        before = await collect(batches.list(before_id=newest_first[4], limit=2))
        assert [b.id for b in before] == newest_first[2:4] + newest_first[:2]
        with pytest.raises(UsageError, match="limit"):
            await collect(batches.list(limit=0))

    run(kind, model, scenario, via=via)


@VIAS
def test_models_list_and_retrieve(kind: str, via: str) -> None:
    model = EchoModel()

    async def scenario(client: Any) -> None:
        models = await collect(client.models.list(limit=1))
        assert [m.id for m in models] == [
            "claude-sonnet-4-5",
            "claude-haiku-4-5",
            "claude-opus-4-1",
        ]
        info = await call(client.models.retrieve("claude-haiku-4-5"))
        assert isinstance(info, ModelInfo)
        assert info.capabilities == {"batch": {"supported": True}}
        raw = await call(client.models.with_raw_response.retrieve("claude-opus-4-1"))
        assert raw.status_code == 200
        assert raw.parse().display_name == "Claude Opus 4.1"
        page = (await call(client.models.with_raw_response.list(limit=2))).parse()
        assert len(page.data) == 2

    run(kind, model, scenario, via=via)


@VIAS
def test_with_raw_response(kind: str, via: str) -> None:
    model = EchoModel()

    async def scenario(client: Any) -> None:
        raw = client.messages.batches.with_raw_response
        created = await call(raw.create(requests=requests("a")))
        assert created.status_code == 200
        assert created.request_id
        batch_id = created.parse().id
        assert (await call(raw.retrieve(batch_id))).parse().id == batch_id
        assert (await call(raw.list(limit=5))).parse().data[0].id == batch_id
        results = await call(raw.results(batch_id))
        assert results.headers["content-type"] == "application/x-jsonl"
        assert [r.custom_id for r in await collect(results.parse())] == ["a"]
        assert (await call(raw.cancel(batch_id))).parse().processing_status == "ended"
        assert (await call(raw.delete(batch_id))).parse().type == "message_batch_deleted"

    run(kind, model, scenario, via=via)


# --- create is not idempotent -----------------------------------------------------------------


@VIAS
def test_a_connection_lost_after_the_server_received_create_is_not_retried(
    kind: str, via: str
) -> None:
    model = EchoModel(faults=[Fault(lost=True)])

    async def scenario(client: Any) -> None:
        with pytest.raises(UncertainDeliveryError, match="may have reached the server"):
            await call(client.messages.batches.create(requests=requests("a")))

    run(kind, model, scenario, max_retries=5, via=via)
    assert len(model.requests) == 1
    assert len(model.batches.created) == 1  # the one batch; no second was created


def test_a_read_timeout_on_create_is_not_retried(kind: str, waits: RecordedSleeps) -> None:
    model = EchoModel(faults=[Fault(delay=30)])

    async def scenario(client: Any) -> None:
        with pytest.raises(UncertainDeliveryError) as info:
            await call(client.messages.batches.create(requests=requests("a"), timeout=10))
        assert "timed out" in str(info.value.__cause__)

    run(kind, model, scenario, max_retries=5)
    assert len(model.requests) == 1


@pytest.mark.parametrize(
    "fault", [Fault(reset=True), Fault.error_status(429), Fault.error_status(529)]
)
def test_create_is_retried_when_it_never_arrived_or_was_refused_unread(
    kind: str, fault: Fault, waits: RecordedSleeps
) -> None:
    model = EchoModel(faults=[fault])

    async def scenario(client: Any) -> Any:
        return await call(client.messages.batches.create(requests=requests("a")))

    assert run(kind, model, scenario).processing_status == "ended"
    assert len(model.requests) == 2
    assert len(model.batches.created) == 1
    assert len(waits.request) == 1


@VIAS
def test_create_is_not_retried_on_a_500(kind: str, waits: RecordedSleeps, via: str) -> None:
    model = EchoModel(faults=[Fault.error_status(500)])

    async def scenario(client: Any) -> None:
        with pytest.raises(InternalServerError):
            await call(client.messages.batches.create(requests=requests("a")))

    run(kind, model, scenario, via=via)
    assert len(model.requests) == 1


@VIAS
def test_other_batch_calls_are_retried_as_usual(kind: str, waits: RecordedSleeps, via: str) -> None:
    model = EchoModel(faults=[None, Fault(lost=True), Fault.error_status(500)])

    async def scenario(client: Any) -> Any:
        created = await call(client.messages.batches.create(requests=requests("a")))
        return await call(client.messages.batches.retrieve(created.id))

    assert run(kind, model, scenario, via=via).processing_status == "ended"
    assert len(waits.request) == 2


# --- wait ------------------------------------------------------------------------------------


@VIAS
def test_wait_polls_on_the_fake_clock_until_the_batch_ends(
    kind: str, waits: RecordedSleeps, via: str
) -> None:
    model = EchoModel(batches=OfflineBatches(processing_time=100, clock=lambda: sum(waits.poll)))

    async def scenario(client: Any) -> Any:
        created = await call(client.messages.batches.create(requests=requests("a")))
        return await call(
            client.messages.batches.wait(created.id, poll_interval=10, max_poll_interval=30)
        )

    ended = run(kind, model, scenario, via=via)
    assert ended.processing_status == "ended"
    assert waits.poll == [10, 15, 22.5, 30, 30]
    assert len(model.requests) == 1 + 6


@VIAS
def test_wait_times_out_with_the_last_batch(kind: str, waits: RecordedSleeps, via: str) -> None:
    model = EchoModel(batches=OfflineBatches(processing_time=100, clock=lambda: sum(waits.poll)))

    async def scenario(client: Any) -> Any:
        created = await call(client.messages.batches.create(requests=requests("a")))
        with pytest.raises(BatchWaitTimeout) as info:
            await call(client.messages.batches.wait(created.id, poll_interval=10, timeout=30))
        return info.value.batch

    assert run(kind, model, scenario, via=via).processing_status == "in_progress"
    assert waits.poll == [10, 15, 5]


# --- results, adversarially chunked ------------------------------------------------------------

RESULTS = (FIXTURES / "batches" / "results.jsonl").read_bytes()
ENDED = (FIXTURES / "batches" / "batch_ended.json").read_bytes()


def chunkings(body: bytes) -> list[list[bytes]]:
    crlf = body.replace(b"\n", b"\r\n")
    cut_crlf = [part + b"\r" for part in crlf.split(b"\r\n")[:-1]]
    return [
        [body],
        [bytes([b]) for b in body],
        [crlf],
        [crlf[:i] for i in (0,)] + [crlf],
        [bytes([b]) for b in crlf],
        [cut_crlf[0], b"\n" + b"\n".join(p[:-1] for p in cut_crlf[1:]) + b"\n"],
        [body.rstrip(b"\n")],  # no final line end
        [body[:37], body[37:500], body[500:]],
    ]


@pytest.mark.parametrize("chunks", chunkings(RESULTS))
def test_results_decode_under_any_chunking(kind: str, chunks: list[bytes]) -> None:
    streams: list[ChunkStream] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/results"):
            assert request.headers["accept"] == "application/binary"
            streams.append(ChunkStream(chunks))
            return httpx.Response(200, stream=streams[-1])
        return httpx.Response(200, content=ENDED)

    async def main() -> list[MessageBatchIndividualResponse]:
        transport = httpx.MockTransport(handler)
        if kind == "sync":
            with Anthropic(api_key="k", http_client=httpx.Client(transport=transport)) as c:
                return await collect(
                    c.messages.batches.results("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF")
                )
        async with AsyncAnthropic(
            api_key="k", http_client=httpx.AsyncClient(transport=transport)
        ) as ac:
            return await collect(
                await ac.messages.batches.results("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF")
            )

    results = anyio.run(main)
    assert [(r.custom_id, r.result.type) for r in results] == [
        ("ticket-0002", "succeeded"),
        ("ticket-0001", "errored"),
        ("ticket-0003", "canceled"),
        ("ticket-0004", "expired"),
    ]
    assert streams[0].closed


def test_a_known_result_that_does_not_match_its_model_is_not_taken_for_unknown() -> None:
    line = b'{"custom_id":"x","result":{"type":"succeeded","message":{"id":"m"}}}'
    with pytest.raises(pydantic.ValidationError):
        MessageBatchIndividualResponse.model_validate_json(line)


def test_unknown_result_types_and_fields_are_kept() -> None:
    line = b'{"custom_id":"x","result":{"type":"deferred","until":"later"},"extra":1}'
    parsed = MessageBatchIndividualResponse.model_validate_json(line)
    assert parsed.result.type == "deferred"
    assert parsed.to_dict() == {
        "custom_id": "x",
        "result": {"type": "deferred", "until": "later"},
        "extra": 1,
    }
    batch = MessageBatch.model_validate_json(
        ENDED.replace(b'"type"', b'"new_field": [1], "type"', 1)
    )
    assert batch.to_dict()["new_field"] == [1]


def test_a_results_download_that_breaks_off_is_a_connection_error(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/results"):
            error = httpx.ReadError("connection reset")
            return httpx.Response(200, stream=ChunkStream([RESULTS[:600]], error=error))
        return httpx.Response(200, content=ENDED)

    seen: list[str] = []

    async def main() -> None:
        transport = httpx.MockTransport(handler)
        if kind == "sync":
            with Anthropic(api_key="k", http_client=httpx.Client(transport=transport)) as c:
                for line in c.messages.batches.results("msgbatch_1"):
                    seen.append(line.custom_id)
            return
        async with AsyncAnthropic(
            api_key="k", http_client=httpx.AsyncClient(transport=transport)
        ) as ac:
            async for line in await ac.messages.batches.results("msgbatch_1"):
                seen.append(line.custom_id)

    with pytest.raises(APIConnectionError, match="broke off"):
        anyio.run(main)
    assert seen == ["ticket-0002"]  # the lines before the break were delivered


def test_a_malformed_results_line_is_a_response_validation_error(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/results"):
            return httpx.Response(200, content=b'{"custom_id": "x"}\n')
        return httpx.Response(200, content=ENDED)

    async def main() -> list[Any]:
        transport = httpx.MockTransport(handler)
        if kind == "sync":
            with Anthropic(api_key="k", http_client=httpx.Client(transport=transport)) as c:
                return list(c.messages.batches.results("msgbatch_1"))
        async with AsyncAnthropic(
            api_key="k", http_client=httpx.AsyncClient(transport=transport)
        ) as ac:
            return await collect(await ac.messages.batches.results("msgbatch_1"))

    with pytest.raises(APIResponseValidationError, match="not a valid result"):
        anyio.run(main)


class _LazyLines(httpx.SyncByteStream):
    """A results body of `count` lines, generated as it is read (never held whole)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __iter__(self) -> Iterator[bytes]:
        line = RESULTS.splitlines()[0]
        for i in range(self.count):
            yield line.replace(b"ticket-0002", b"t-%07d" % i) + b"\r\n"


def peak_while_reading(lines: int) -> int:
    """Peak traced memory (bytes) while reading a results file of `lines` lines."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/results"):
            return httpx.Response(200, stream=_LazyLines(lines))
        return httpx.Response(200, content=ENDED)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with Anthropic(api_key="k", http_client=http) as client:
        results = client.messages.batches.results("msgbatch_1")
        next(results)  # warm: models built, connection set up
        tracemalloc.start()
        try:
            assert sum(1 for _ in results) == lines - 1
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_results_memory_stays_flat_whatever_the_file_size() -> None:
    # past 16,384 lines, as pydantic's JSON string cache (bounded at 16,384 strings) fills first
    small, large = peak_while_reading(20_000), peak_while_reading(45_000)  # ~11 MB, ~25 MB
    assert large < 2_000_000  # bytes: bounded caches and a line or two, never the file
    assert large < small * 1.3 + 300_000  # over twice the file, about the same peak


def test_results_closed_early_release_the_connection(kind: str) -> None:
    streams: list[ChunkStream] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/results"):
            streams.append(ChunkStream([line + b"\n" for line in RESULTS.splitlines()]))
            return httpx.Response(200, stream=streams[-1])
        return httpx.Response(200, content=ENDED)

    async def main() -> str:
        transport = httpx.MockTransport(handler)
        if kind == "sync":
            with Anthropic(api_key="k", http_client=httpx.Client(transport=transport)) as c:
                with c.messages.batches.results("msgbatch_1") as results:
                    return next(results).custom_id
        async with AsyncAnthropic(
            api_key="k", http_client=httpx.AsyncClient(transport=transport)
        ) as ac:
            async with await ac.messages.batches.results("msgbatch_1") as aresults:
                return (await aresults.__anext__()).custom_id

    assert anyio.run(main) == "ticket-0002"
    assert streams[0].closed
    assert streams[0].delivered < 4


def test_an_unknown_keyword_is_a_type_error_naming_it() -> None:
    with Anthropic(api_key="k", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
            client.messages.batches.retrieve("batch_1", foo=1)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="'bar' .*extra_headers"):
            client.models.list(limit=5, bar=2)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match=r"^Batches\.list\(\) got an unexpected keyword"):
            client.messages.batches.list(bogus=1)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match=r"did you mean 'timeout'\?"):
            client.messages.batches.cancel("batch_1", timout=3)  # type: ignore[call-arg]
        raw = client.messages.batches.with_raw_response
        with pytest.raises(TypeError, match=r"^BatchesWithRawResponse\.retrieve\(\) got"):
            raw.retrieve("batch_1", foo=1)


def test_an_unknown_keyword_names_the_async_method() -> None:
    async def main() -> list[str]:
        seen = []
        async with AsyncAnthropic(api_key="k", base_url="http://127.0.0.1:9") as client:
            with pytest.raises(TypeError) as caught:
                await client.messages.batches.retrieve("batch_1", foo=1)  # type: ignore[call-arg]
            seen.append(str(caught.value))
            with pytest.raises(TypeError) as caught:
                client.models.list(bar=2)  # type: ignore[call-arg]  # raised at the call
            seen.append(str(caught.value))
        return seen

    retrieve, models = anyio.run(main)
    assert retrieve.startswith("AsyncBatches.retrieve() got an unexpected keyword argument 'foo'")
    assert models.startswith("AsyncModels.list() got an unexpected keyword argument 'bar'")
