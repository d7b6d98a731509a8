"""`agent.map`: many inputs, concurrently; ordered or not; errors per input; a resumable file."""

from __future__ import annotations

import io
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentkit import (
    Agent,
    AsyncAgent,
    BadRequestError,
    MapInput,
    MapResult,
    MapSummary,
    RunUsage,
    UsageError,
)
from agentkit._core.mapping import OrderBuffer, ResultsFileError, read_results
from agentkit.agent._progress import ProgressLine, wants_progress
from agentkit.testing import ErrorReply, FunctionModel, ModelRequest, ReplyLike


def _answer(request: ModelRequest) -> ReplyLike:
    text = request.last_user_text or ""
    if text.startswith("bad"):
        return ErrorReply(400, "invalid_request_error", f"cannot answer {text}")
    return f"answer to {text}"


def _agent() -> tuple[Agent, FunctionModel]:
    model = FunctionModel(_answer)
    return Agent(model, model="claude-test", max_tokens=64), model


def _async_agent() -> tuple[AsyncAgent, FunctionModel]:
    model = FunctionModel(_answer)
    return AsyncAgent(model, model="claude-test", max_tokens=64), model


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- usage sums -----------------------------------------------------------------------------


def test_run_usage_adds_and_sums() -> None:
    first = RunUsage(input_tokens=1, output_tokens=2, cache_read_input_tokens=3, requests=1)
    second = RunUsage(input_tokens=10, output_tokens=20, cache_creation_input_tokens=5, requests=2)
    total = first + second
    assert total == RunUsage(
        input_tokens=11,
        output_tokens=22,
        cache_creation_input_tokens=5,
        cache_read_input_tokens=3,
        requests=3,
    )
    assert sum([first, second]) == total
    assert sum([], RunUsage()) == RunUsage()
    assert first == RunUsage(input_tokens=1, output_tokens=2, cache_read_input_tokens=3, requests=1)


# -- sync -------------------------------------------------------------------------------------


def test_map_runs_every_input_unordered() -> None:
    agent, model = _agent()
    results = list(agent.map([f"q{i}" for i in range(20)], concurrency=4))
    assert sorted(r.index for r in results) == list(range(20))
    assert all(r.ok and r.result is not None for r in results)
    by_index = {r.index: r for r in results}
    assert by_index[7].result is not None
    assert by_index[7].result.output == "answer to q7"
    assert len(model.requests) == 20


def test_map_ordered_hands_results_out_in_input_order() -> None:
    gate = threading.Event()

    def answer(request: ModelRequest) -> str:
        if request.last_user_text == "first":
            gate.wait(5)  # the first input finishes only after a later one has
        else:
            gate.set()
        return "ok"

    agent = Agent(FunctionModel(answer), model="claude-test")
    results = list(agent.map(["first", "second", "third"], concurrency=3, ordered=True))
    assert [r.index for r in results] == [0, 1, 2]
    assert [r.input.prompt for r in results] == ["first", "second", "third"]


def test_map_takes_inputs_lazily() -> None:
    agent, _ = _agent()
    pulled = []

    def inputs() -> Iterator[str]:
        for i in itertools.count():
            pulled.append(i)
            yield f"q{i}"

    with agent.map(inputs(), concurrency=3) as run:
        taken = list(itertools.islice(run, 5))
    assert len(taken) == 5
    assert len(pulled) <= 5 + 3  # never more than `concurrency` ahead of what was handed out


def test_one_failing_input_does_not_end_the_map() -> None:
    agent, _ = _agent()
    results, summary = agent.map_all(["q0", "bad1", "q2", "q3"], concurrency=2)
    assert [r.index for r in results] == [0, 1, 2, 3]
    failed = results[1]
    assert not failed.ok
    assert failed.result is None
    assert isinstance(failed.error, BadRequestError)
    assert failed.error.run_state is not None
    assert failed.error.run_state.stop_reason == "error"
    assert (summary.succeeded, summary.failed, summary.skipped) == (3, 1, 0)
    assert summary.outcomes == {"end_turn": 3, "BadRequestError": 1}
    assert summary.usage == sum(r.result.usage for r in results if r.result is not None)
    assert summary.usage.requests == 3
    assert summary.wall_time > 0


def test_map_inputs_carry_ids_deps_and_history() -> None:
    agent, model = _agent()
    history = [
        {"role": "user", "content": "earlier"},
        {"role": "assistant", "content": "noted"},
    ]
    inputs = [MapInput("a", id="A"), MapInput("b", id="B", messages=history), ["c"]]
    results, _ = agent.map_all(inputs)
    assert [r.id for r in results] == ["A", "B", None]
    assert results[1].result is not None
    assert len(results[1].result.messages) == 4
    assert len(model.requests) == 3


def test_map_refuses_bad_arguments() -> None:
    agent, _ = _agent()
    with pytest.raises(UsageError, match="concurrency"):
        agent.map(["x"], concurrency=0)
    with pytest.raises(UsageError, match="MapInput"):
        list(agent.map([42]))


def test_on_result_sees_every_result() -> None:
    agent, _ = _agent()
    seen: list[MapResult[Any]] = []
    list(agent.map(["a", "b", "bad"], on_result=seen.append))
    assert sorted(r.index for r in seen) == [0, 1, 2]


# -- the results file -------------------------------------------------------------------------


def test_results_file_records_each_input_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    inputs = [MapInput(f"q{i}", id=f"t{i}") for i in range(6)]
    agent, _model = _agent()
    _, summary = agent.map_all(inputs, output=path)
    assert summary.succeeded == 6
    lines = _lines(path)
    assert sorted(line["id"] for line in lines) == [f"t{i}" for i in range(6)]
    line = next(line for line in lines if line["id"] == "t2")
    assert line["index"] == 2
    assert line["output"] == "answer to q2" == line["text"]
    assert line["stop_reason"] == "end_turn"
    assert line["usage"]["requests"] == 1
    assert line["error"] is None

    again, again_model = _agent()
    results, summary = again.map_all(inputs, output=path)
    assert results == []
    assert summary.skipped == 6
    assert summary.finished == 0
    assert again_model.requests == []  # nothing paid for twice
    assert len(_lines(path)) == 6


def test_resume_after_a_crash_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    agent, _ = _agent()
    agent.map_all(["q0", "q1"], output=path)
    with path.open("a") as file:
        file.write('{"id":null,"index":2,"output":"answ')  # a line the crash cut short
    again, model = _agent()
    results, summary = again.map_all(["q0", "q1", "q2", "q3"], output=path)
    assert [r.index for r in results] == [2, 3]
    assert summary.skipped == 2
    assert len(model.requests) == 2
    lines = _lines(path)  # valid JSON lines only
    assert sorted(line["index"] for line in lines) == [0, 1, 2, 3]


def test_failed_inputs_run_again_on_resume(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    agent, _ = _agent()
    _, summary = agent.map_all(["q0", "bad1"], output=path)
    assert summary.failed == 1
    error_line = next(line for line in _lines(path) if line["index"] == 1)
    assert error_line["error"]["type"] == "BadRequestError"
    assert error_line["error"]["status_code"] == 400
    assert error_line["output"] is None

    again, model = _agent()
    results, summary = again.map_all(["q0", "bad1"], output=path)
    assert [r.index for r in results] == [1]
    assert summary.skipped == 1
    assert len(model.requests) == 1


@pytest.mark.parametrize(
    "content",
    [
        "hello world\n",
        '{"a": 1}\n',
        "name,score\nann,3\n",
        '{"id":"x","index":0,"error":null}\nxyz',
    ],
)
def test_a_file_that_is_not_a_results_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(content)
    agent, model = _agent()
    with pytest.raises(UsageError, match="not a results file"):
        agent.map(["q0"], output=path)
    assert path.read_text() == content
    assert model.requests == []


def test_read_results_rules() -> None:
    recorded = read_results(b"")
    assert recorded.done == set()
    assert recorded.valid_bytes == 0
    data = (
        b'{"id":"a","index":0,"error":{"type":"X"}}\n'
        b'{"id":"a","index":0,"error":null}\n'
        b'{"id":null,"index":1,"error":{"type":"X"}}\n'
    )
    recorded = read_results(data)
    assert recorded.done == {"id:a"}
    assert recorded.failed == {"index:1"}
    assert recorded.valid_bytes == len(data)
    with pytest.raises(ResultsFileError):
        read_results(b'{"id":1,"index":0,"error":null}\n')  # an id must be text


def test_order_buffer() -> None:
    buffer: OrderBuffer[str] = OrderBuffer()
    assert list(buffer.push(1, "b")) == []
    assert list(buffer.push(0, "a")) == ["a", "b"]
    assert list(buffer.push(2, "c")) == ["c"]


# -- progress ---------------------------------------------------------------------------------


def test_progress_is_off_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    agent, _ = _agent()
    agent.map_all(["q0", "q1"])
    assert capsys.readouterr().err == ""


def test_progress_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    agent, _ = _agent()
    agent.map_all(["q0", "bad1"], progress=True)
    err = capsys.readouterr().err
    assert "2/2 done" in err
    assert "1 failed" in err
    assert err.endswith("\n")


def test_progress_line_text() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wants_progress(None, Tty())
    assert not wants_progress(None, io.StringIO())
    assert not wants_progress(False, Tty())
    summary = MapSummary(succeeded=40, failed=2, skipped=8, usage=RunUsage(12_345, 678))
    summary.rate_limited, summary.rate_limit_wait = 3, 4.5
    line = ProgressLine(100).render(summary, running=5, elapsed=10.0)
    assert line == (
        "50/100 done | 5 running | 2 failed | 4.2/s | ETA 12s | tokens 12k in/678 out"
        " | rate-limit waits 4.5s (3 x 429)"
    )
    assert "ETA" not in ProgressLine(None).render(summary, 0, 10.0)


# -- async ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_map_unordered_and_ordered() -> None:
    agent, model = _async_agent()
    seen = [r async for r in agent.map([f"q{i}" for i in range(10)], concurrency=3)]
    assert sorted(r.index for r in seen) == list(range(10))
    results, summary = await agent.map_all(["q0", "bad1", "q2"], concurrency=2)
    assert [r.index for r in results] == [0, 1, 2]
    assert isinstance(results[1].error, BadRequestError)
    assert (summary.succeeded, summary.failed) == (2, 1)
    assert len(model.requests) == 13


@pytest.mark.anyio
async def test_async_map_takes_inputs_lazily_and_stops_early() -> None:
    agent, _ = _async_agent()
    pulled = []

    async def inputs() -> Any:
        for i in itertools.count():
            pulled.append(i)
            yield f"q{i}"

    taken = []
    async with agent.map(inputs(), concurrency=2) as run:
        async for result in run:
            taken.append(result)
            if len(taken) == 4:
                break
    assert len(taken) == 4
    assert len(pulled) <= 4 + 2


@pytest.mark.anyio
async def test_async_map_resumes_from_its_file(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    agent, _ = _async_agent()
    await agent.map_all(["q0", "q1", "q2"], output=path)
    again, model = _async_agent()
    results, summary = await again.map_all(["q0", "q1", "q2", "q3"], output=path)
    assert [r.index for r in results] == [3]
    assert summary.skipped == 3
    assert len(model.requests) == 1
    assert len(_lines(path)) == 4
