"""The fault-injection soak: many agent runs against a model that fails at configurable rates.

Every run is checked: its history must be complete (nothing lost), valid to send again (replayed
through the API-conformance check), and no tool may have run twice (tools count executions).
Runs that end in an error are resumed from `error.run_state` until they finish.

    python -m tests.reliability.soak --runs 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio

from agentkit import (
    Agent,
    AgentEvent,
    AgentkitError,
    APIError,
    AsyncAgent,
    RunFinished,
    RunResult,
    ToolContext,
    tool,
)
from agentkit.testing import (
    MockModel,
    ModelRequest,
    RandomFaults,
    RawReply,
    ReplyLike,
    check_request,
    encode_stream,
    record_sleeps,
)

MODEL = "claude-sonnet-4-5"
PLAN = re.compile(r"soak run (\d+): turns=(\d+) calls=(\d+)")
DEFAULT_FAULTS = {
    "rate_429": 0.04,
    "rate_500": 0.03,
    "rate_529": 0.04,
    "rate_no_retry": 0.01,
    "rate_reset": 0.03,
    "rate_slow": 0.01,
    "rate_cut": 0.04,
    "rate_error_early": 0.03,
    "rate_error_late": 0.03,
}


@tool
def record(run: int, turn: int, call: int, context: ToolContext[Counter[str]]) -> str:
    """Record one step of a run (a side effect: executions are counted by call id)."""
    context.deps[context.tool_use_id] += 1
    return f"recorded {run}.{turn}.{call}"


class ChaosModel(MockModel):
    """Plays each run's script: `turns - 1` tool turns of `calls` parallel calls, then an answer.

    Some tool calls arrive with malformed input (invalid JSON when streaming, schema-invalid
    otherwise); the agent must answer those with `is_error` results.
    """

    def __init__(self, *, bad_input_rate: float, seed: int, **options: Any) -> None:
        super().__init__(**options)
        self.bad_input_rate = bad_input_rate
        self.seed = seed

    def reply(self, request: ModelRequest) -> ReplyLike:
        first = request.messages[0]["content"]
        text = first if isinstance(first, str) else first[0]["text"]
        match = PLAN.search(text)
        assert match, text
        run, turns, calls = (int(g) for g in match.groups())
        done = sum(
            1
            for m in request.messages
            if m["role"] == "user"
            and isinstance(m["content"], list)
            and any(b.get("type") == "tool_result" for b in m["content"])
        )
        if done >= turns - 1:
            return f"run {run} finished after {done} tool turns"
        blocks = [
            {"type": "tool_use", "name": "record", "input": {"run": run, "turn": done, "call": j}}
            for j in range(calls)
        ]
        if random.Random(self.seed * 7919 + request.index).random() < self.bad_input_rate:
            if request.stream:
                return self._broken_stream(request, blocks)
            blocks[0]["input"] = {"run": "not a number", "turn": done, "call": 0}
        return blocks

    def _broken_stream(self, request: ModelRequest, blocks: list[dict[str, Any]]) -> RawReply:
        """The same turn streamed with the first call's input JSON cut in half."""
        message = self._message(request, blocks)
        events = encode_stream(message)
        broken = []
        for event in events:
            if b'"input_json_delta"' in event and b'"index":0' in event:
                if b'"partial_json":""' not in event:
                    continue
                event = event.replace(
                    b'"partial_json":""', b'"partial_json":"{\\"run\\": 1, \\"tu"'
                )
            broken.append(event)
        return RawReply(b"".join(broken))


@dataclass
class SoakReport:
    """What the soak measured."""

    runs: int = 0
    completed_first_try: int = 0
    ended_in_typed_error: int = 0
    errors_by_type: Counter[str] = field(default_factory=Counter)
    resumed_and_completed: int = 0
    resume_attempts: int = 0
    retries: int = 0
    tool_executions: int = 0
    tool_error_results: int = 0
    requests: int = 0
    lost_history: int = 0
    duplicated_tool_executions: int = 0
    invalid_history: int = 0
    untyped_errors: int = 0
    unfinished: int = 0
    seconds: float = 0.0

    @property
    def problems(self) -> int:
        """The figure that must be zero."""
        return (
            self.lost_history
            + self.duplicated_tool_executions
            + self.invalid_history
            + self.untyped_errors
            + self.unfinished
        )

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__.items())
        data["errors_by_type"] = dict(self.errors_by_type)
        data["problems"] = self.problems
        return data


class _RetryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("retrying"):
            self.count += 1


def _valid(messages: list[Any]) -> bool:
    body = {"model": MODEL, "max_tokens": 1024, "messages": messages}
    return check_request(body, {"x-api-key": "k", "anthropic-version": "2023-06-01"}) is None


def _final(events: list[AgentEvent]) -> RunResult:
    last = events[-1]
    assert isinstance(last, RunFinished)
    return last.result


def _execute(
    kind: int, sync_agent: Agent, async_agent: AsyncAgent, prompt: Any, messages: list[Any] | None
) -> RunResult:
    """Run sync/async, with create or with streaming, by `kind`."""
    if kind == 0:
        return sync_agent.run(prompt, messages=messages)
    if kind == 1:
        return _final(list(sync_agent.stream(prompt, messages=messages)))

    async def main() -> RunResult:
        if kind == 2:
            return await async_agent.run(prompt, messages=messages)
        return _final([e async for e in async_agent.stream(prompt, messages=messages)])

    return anyio.run(main)


def run_soak(
    runs: int,
    *,
    seed: int = 0,
    faults: dict[str, float] | None = None,
    bad_input_rate: float = 0.04,
    timeout: float = 0.05,
    max_retries: int = 3,
    max_resumes: int = 10,
) -> SoakReport:
    """Run the soak and return its report."""
    counter: Counter[str] = Counter()
    model = ChaosModel(
        bad_input_rate=bad_input_rate,
        seed=seed,
        faults=RandomFaults(seed=seed, slow_delay=timeout * 4, **(faults or DEFAULT_FAULTS)),
    )
    options: dict[str, Any] = {"model": MODEL, "tools": [record], "deps": counter}
    client_options = {"timeout": timeout, "max_retries": max_retries}
    sync_agent = Agent(model.client(**client_options), **options)
    async_agent = AsyncAgent(model.async_client(**client_options), **options)
    report = SoakReport(runs=runs)
    retries = _RetryCounter()
    logger = logging.getLogger("agentkit")
    saved_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(retries)
    started = time.perf_counter()
    try:
        rng = random.Random(seed)
        for i in range(runs):
            prompt = f"soak run {i}: turns={rng.randint(2, 5)} calls={rng.randint(1, 3)}"
            _one_run(i % 4, sync_agent, async_agent, prompt, report, max_resumes)
    finally:
        logger.removeHandler(retries)
        logger.setLevel(saved_level)
    report.seconds = time.perf_counter() - started
    report.retries = retries.count
    report.tool_executions = sum(counter.values())
    report.duplicated_tool_executions = sum(1 for n in counter.values() if n > 1)
    report.requests = len(model.requests)
    return report


def _one_run(
    kind: int,
    sync_agent: Agent,
    async_agent: AsyncAgent,
    prompt: str,
    report: SoakReport,
    max_resumes: int,
) -> None:
    history: list[Any] | None = None
    result: RunResult | None = None
    attempts = 0
    while result is None and attempts <= max_resumes:
        try:
            result = _execute(
                kind, sync_agent, async_agent, prompt if history is None else None, history
            )
        except APIError as error:
            if attempts == 0:
                report.ended_in_typed_error += 1
            report.errors_by_type[type(error).__name__] += 1
            state: RunResult = error.run_state
            if history is not None and state.messages[: len(history)] != history:
                report.lost_history += 1
            if state.messages[0]["content"] != prompt or not _valid(state.messages):
                report.invalid_history += 1
            history = state.messages
            attempts += 1
            report.resume_attempts += 1
        except AgentkitError:
            report.untyped_errors += 1  # typed, but not an API error: not expected here
            return
        except Exception:  # an error that is not typed at all
            report.untyped_errors += 1
            return
    if result is None:
        report.unfinished += 1
        return
    if attempts == 0:
        report.completed_first_try += 1
    else:
        report.resumed_and_completed += 1
    if history is not None and result.messages[: len(history)] != history:
        report.lost_history += 1
    if result.messages[0]["content"] != prompt or not _valid(result.messages):
        report.invalid_history += 1
    report.tool_error_results += sum(1 for call in result.tool_calls if call.is_error)


@contextlib.contextmanager
def no_backoff_sleeps() -> Iterator[None]:
    """Skip the retry backoff waits (the soak counts retries; it need not wait for them)."""
    with record_sleeps():
        yield


def main(argv: list[str] | None = None) -> SoakReport:
    """Run from the command line and print the report as JSON."""
    parser = argparse.ArgumentParser(description="agentkit fault-injection soak")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with no_backoff_sleeps():
        report = run_soak(args.runs, seed=args.seed)
    print(json.dumps(report.to_dict(), indent=2))
    return report


if __name__ == "__main__":
    main()
