"""Leaving `AsyncAgent.stream()` early: `async with` stops the run at once, on both backends."""

from __future__ import annotations

import gc
import warnings
from typing import Any

import anyio
import pytest

from agentkit import AsyncAgent
from agentkit.agent import AsyncAgentStream
from agentkit.testing import FunctionModel

MODEL = "claude-sonnet-4-5"


def long_answer(request: Any) -> str:
    return "word " * 300


def agentkit_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    """ResourceWarnings about agentkit's own async generators (httpx's are not ours)."""
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) and "agentkit" in str(w.message)
    ]


def test_async_with_closes_the_run_when_left_early(anyio_backend: str) -> None:
    model = FunctionModel(long_answer, text_chunk=4)
    seen: list[str] = []

    async def main() -> None:
        agent = AsyncAgent(model.async_client(), model=MODEL)
        stream = agent.stream("Talk")
        assert isinstance(stream, AsyncAgentStream)
        async with stream as events:
            async for event in events:
                seen.append(event.type)
                if event.type == "text":
                    break
        with pytest.raises(StopAsyncIteration):  # closed: the run is over
            await stream.__anext__()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        anyio.run(main, backend=anyio_backend)
        gc.collect()
    assert seen[-1] == "text"
    assert "run_finished" not in seen
    assert agentkit_warnings(caught) == []


def test_a_stream_read_to_the_end_needs_no_closing(anyio_backend: str) -> None:
    model = FunctionModel(long_answer, text_chunk=50)

    async def main() -> list[str]:
        agent = AsyncAgent(model.async_client(), model=MODEL)
        return [event.type async for event in agent.stream("Talk")]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kinds = anyio.run(main, backend=anyio_backend)
        gc.collect()
    assert kinds[-1] == "run_finished"
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_aclose_stops_the_run(anyio_backend: str) -> None:
    model = FunctionModel(long_answer, text_chunk=4)

    async def main() -> str:
        stream = AsyncAgent(model.async_client(), model=MODEL).stream("Talk")
        first = await stream.__anext__()
        await stream.aclose()
        await stream.close()  # again: nothing left to do
        return first.type

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = anyio.run(main, backend=anyio_backend)
        gc.collect()
    assert first != "run_finished"
    assert agentkit_warnings(caught) == []


def test_a_raw_stream_left_early_closes_its_chunk_reader(anyio_backend: str) -> None:
    model = FunctionModel(long_answer, text_chunk=4)

    async def main() -> None:
        client = model.async_client()
        params: Any = {
            "model": MODEL,
            "max_tokens": 100,
            "messages": [{"role": "user", "content": "x"}],
        }
        async with await client.messages.create(**params, stream=True) as stream:
            async for _ in stream:
                break

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        anyio.run(main, backend=anyio_backend)
        gc.collect()
    # httpx's own generators under `aiter_raw` may still warn on trio (not ours to close)
    assert [str(w.message) for w in caught if "aiter_raw" in str(w.message)] == []
