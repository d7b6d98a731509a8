"""Over a real socket: the official SDK's batches and models against `agentkit serve`, and
agentkit's own client with a connection dropped after the server created a batch."""

from __future__ import annotations

import io
from typing import Any

import anyio
import pytest

from agentkit import Anthropic, AsyncAnthropic, UncertainDeliveryError
from agentkit.testing import EchoModel, Fault, OfflineBatches
from agentkit.testing.server import serve_in_background

anthropic = pytest.importorskip("anthropic")


def requests(*ids: str) -> list[Any]:
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
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_official_sdks_batches_and_models_work_against_agentkit_serve() -> None:
    clock = Clock()
    model = EchoModel(
        batches=OfflineBatches(processing_time=10, clock=clock, outcomes={"gone": "expired"})
    )
    with serve_in_background(model) as url:
        sdk = anthropic.Anthropic(base_url=url, api_key="k", max_retries=0)
        batches = sdk.messages.batches
        created = batches.create(requests=requests("a", "b", "gone"))
        assert created.processing_status == "in_progress"
        assert created.request_counts.processing == 3
        with pytest.raises(anthropic.BadRequestError):
            batches.delete(created.id)
        with pytest.raises(anthropic.NotFoundError):
            batches.retrieve("msgbatch_missing")
        clock.now = 10
        ended = batches.retrieve(created.id)
        assert ended.processing_status == "ended"
        assert (ended.request_counts.succeeded, ended.request_counts.expired) == (2, 1)
        results = {r.custom_id: r.result for r in batches.results(created.id)}
        assert results["a"].type == "succeeded"
        assert results["a"].message.content[0].text == "echo a"
        assert results["gone"].type == "expired"
        second = batches.create(requests=requests("c"))
        listed = [b.id for b in batches.list(limit=1)]  # auto-paginated, one per page
        assert listed == [second.id, created.id]
        page = batches.list(limit=1)
        assert page.has_next_page()
        assert [b.id for b in page.get_next_page().data] == [created.id]
        assert batches.cancel(second.id).processing_status == "canceling"
        assert batches.delete(created.id).type == "message_batch_deleted"
        models = [m.id for m in sdk.models.list(limit=2)]
        assert models == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
        assert sdk.models.retrieve("claude-haiku-4-5").display_name == "Claude Haiku 4.5"
        sdk.close()


def test_the_official_async_sdk_too() -> None:
    model = EchoModel()

    async def main(url: str) -> None:
        sdk = anthropic.AsyncAnthropic(base_url=url, api_key="k", max_retries=0)
        created = await sdk.messages.batches.create(requests=requests("a"))
        results = [r async for r in await sdk.messages.batches.results(created.id)]
        assert [r.custom_id for r in results] == ["a"]
        assert [b.id async for b in sdk.messages.batches.list()] == [created.id]
        assert len([m async for m in sdk.models.list()]) == 3
        await sdk.close()

    with serve_in_background(model) as url:
        anyio.run(main, url)


def test_a_connection_dropped_after_the_server_created_the_batch(kind: str) -> None:
    model = EchoModel(faults=[Fault(lost=True)])

    async def main(url: str) -> None:
        if kind == "sync":
            with Anthropic(base_url=url, api_key="k", max_retries=3) as client:
                with pytest.raises(UncertainDeliveryError):
                    client.messages.batches.create(requests=requests("a"))
                return
        async with AsyncAnthropic(base_url=url, api_key="k", max_retries=3) as aclient:
            with pytest.raises(UncertainDeliveryError):
                await aclient.messages.batches.create(requests=requests("a"))

    with serve_in_background(model) as url:
        anyio.run(main, url)
    assert len(model.requests) == 1
    assert len(model.batches.created) == 1  # created once; never sent again


def test_our_client_over_the_socket(kind: str) -> None:
    model = EchoModel()

    async def main(url: str) -> list[str]:
        if kind == "sync":
            with Anthropic(base_url=url, api_key="k") as client:
                created = client.messages.batches.create(requests=requests("a", "b"))
                return sorted(r.custom_id for r in client.messages.batches.results(created.id))
        async with AsyncAnthropic(base_url=url, api_key="k") as aclient:
            created = await aclient.messages.batches.create(requests=requests("a", "b"))
            results = await aclient.messages.batches.results(created.id)
            return sorted([r.custom_id async for r in results])

    with serve_in_background(model) as url:
        assert anyio.run(main, url) == ["a", "b"]


def test_serve_takes_the_batch_processing_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentkit.cli import main as cli_main
    from agentkit.testing.server import ModelServer

    served: list[ModelServer] = []

    def serve_forever(self: ModelServer, poll_interval: float = 0.5) -> None:
        served.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(ModelServer, "serve_forever", serve_forever)
    argv = ["serve", "--model", "echo", "--port", "0", "--batch-seconds", "30"]
    assert cli_main(argv, out=io.StringIO()) == 0
    assert served[0].model.batches.processing_time == 30
