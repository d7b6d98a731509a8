"""The kill test: journaled runs killed with SIGKILL at random points, then resumed.

A child process (an `Agent` or an `AsyncAgent`, chosen at random each time) runs agents whose
tools have side effects (each call appends a line to a file) against an offline model served
over HTTP by this process, which logs every request by run and model step. The child is killed
with SIGKILL at random moments, many times, and started again each time (resuming every
unfinished run); a last child runs to the end. Then:
- every run finished;
- each finished call of a non-idempotent tool had its side effect exactly once (idempotent
  tools: at least once), and an interrupted one at most once;
- no model step was requested after its response was journaled (the journaled response is the
  last one served for that step);
- every history passes the protocol validator.

    python -m tests.journal.kill --kills 200        # the long version, with its figures
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MODEL = "claude-sonnet-4-5"
STEPS = 3  # tool turns per run, then a final answer


@dataclass
class Report:
    """What a kill test saw."""

    runs: int = 0
    kills: int = 0
    children: int = 0
    finished: int = 0
    model_requests: int = 0
    model_steps: int = 0
    steps_requested_again: int = 0
    tool_calls_finished: int = 0
    tool_calls_interrupted: int = 0
    idempotent_reruns: int = 0
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CountingModel:
    """The model's answers, and a log of which run and step each request was for."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.serial = 0
        self.served: dict[tuple[str, int], list[int]] = defaultdict(list)

    def reply(self, request: Any) -> Any:
        messages = request.messages
        run = str(messages[0]["content"])
        step = sum(1 for m in messages if m["role"] == "assistant")
        with self.lock:
            self.serial += 1
            serial = self.serial
            self.served[(run, step)].append(serial)
        if step >= STEPS:
            return f"serial {serial}: done"
        return [
            {"type": "text", "text": f"serial {serial}"},
            {
                "type": "tool_use",
                "id": f"toolu_{step}_charge",
                "name": "charge",
                "input": {"run": run, "step": step},
            },
            {
                "type": "tool_use",
                "id": f"toolu_{step}_notify",
                "name": "notify",
                "input": {"run": run, "step": step},
            },
        ]


def child(url: str, journal_path: str, effects: str, runs: int, kind: str) -> None:
    """Run (or resume) every run; tools append their side effects to `effects`.

    `kind`: `sync` (an `Agent`, tools on threads) or `async` (an `AsyncAgent` on asyncio).
    """
    import anyio

    from agentkit import Agent, Anthropic, AsyncAgent, AsyncAnthropic, Journal, ToolContext, tool

    rng = random.Random()

    def effect(kind: str, ctx: ToolContext[None], run: str) -> str:
        time.sleep(rng.random() * 0.02)
        with open(effects, "a") as file:
            file.write(f"{run} {ctx.call_id} {kind}\n")
            file.flush()
        time.sleep(rng.random() * 0.02)
        return f"{kind} ok"

    @tool
    def charge(ctx: ToolContext[None], run: str, step: int) -> str:
        """Charge (not safe to repeat)."""
        return effect("charge", ctx, run)

    @tool(idempotent=True)
    def notify(ctx: ToolContext[None], run: str, step: int) -> str:
        """Notify (safe to repeat)."""
        return effect("notify", ctx, run)

    print("ready", flush=True)  # the parent kills from now on
    with Journal(journal_path) as journal:
        if kind == "sync":
            client = Anthropic(base_url=url, api_key="k", max_retries=0)
            agent = Agent(client, model=MODEL, tools=[charge, notify], journal=journal)
            for index in range(runs):
                agent.run(f"run-{index}", run_id=f"run-{index}")
            return

        async def main() -> None:
            client = AsyncAnthropic(base_url=url, api_key="k", max_retries=0)
            agent = AsyncAgent(client, model=MODEL, tools=[charge, notify], journal=journal)
            for index in range(runs):
                await agent.run(f"run-{index}", run_id=f"run-{index}")

        anyio.run(main)


def check(model: CountingModel, journal_path: Path, effects: Path, report: Report) -> None:
    """Check the journal, the side effects and the model's log against each other."""
    from agentkit import Journal

    lines = effects.read_text().splitlines() if effects.exists() else []
    done = Counter((run, call_id) for run, call_id, _ in (line.split() for line in lines))
    report.model_requests = sum(len(s) for s in model.served.values())
    report.model_steps = len(model.served)
    report.steps_requested_again = sum(1 for s in model.served.values() if len(s) > 1)
    with Journal(journal_path) as journal:
        infos = journal.runs()
        report.finished = sum(1 for i in infos if i.status == "finished")
        if report.finished != report.runs:
            report.problems.append(f"{report.finished} of {report.runs} runs finished")
        for info in infos:
            full = journal.get(info.run_id)
            assert full is not None
            _check_run(full, model, done, report)


def _check_run(full: Any, model: CountingModel, done: Counter[Any], report: Report) -> None:
    from agentkit.testing import check_request

    run = full.run_id
    for step in full.steps:
        if step.kind == "response":
            served = model.served[(run, int(step.key))]
            text = step.data["message"]["content"][0]["text"]
            serial = int(text.split()[1].rstrip(":"))
            if served[-1] != serial:
                report.problems.append(
                    f"{run} step {step.key}: requested again after its response "
                    f"(serial {serial}) was journaled: {served}"
                )
        if step.kind == "tool_finished":
            _check_call(run, step, done, report)
    if full.result is not None:
        body = {"model": MODEL, "max_tokens": 1024, "messages": full.result["messages"]}
        problem = check_request(body, {"x-api-key": "k", "anthropic-version": "2023-06-01"})
        if problem is not None:
            report.problems.append(f"{run}: invalid history: {problem}")


def _check_call(run: str, step: Any, done: Counter[Any], report: Report) -> None:
    call_id = step.key.split(":", 1)[1]
    count = done[(run, call_id)]
    if not step.data["ran"]:
        report.tool_calls_interrupted += 1
        if count > 1:
            report.problems.append(f"{run} {call_id}: interrupted, ran {count} times")
        return
    report.tool_calls_finished += 1
    if call_id.endswith("charge") and count != 1:
        report.problems.append(f"{run} {call_id}: side effect {count} times")
    if call_id.endswith("notify"):
        report.idempotent_reruns += count - 1
        if count < 1:
            report.problems.append(f"{run} {call_id}: no side effect")


def run_kill_test(tmp: Path, *, kills: int, runs: int, seed: int, window: float = 0.3) -> Report:
    """Kill a child `kills` times at random points, then let one finish; check everything."""
    from agentkit.testing import FunctionModel
    from agentkit.testing.server import serve_in_background

    rng = random.Random(seed)
    model = CountingModel()
    journal_path = tmp / "runs.db"
    effects = tmp / "effects.txt"
    report = Report(runs=runs)
    with serve_in_background(FunctionModel(model.reply)) as url:
        command = [sys.executable, __file__, "child", url, str(journal_path), str(effects)]
        command.append(str(runs))
        for _ in range(kills):
            kind = rng.choice(["sync", "async"])  # a run may be resumed by either agent
            process = subprocess.Popen([*command, kind], stdout=subprocess.PIPE, text=True)
            report.children += 1
            assert process.stdout is not None
            process.stdout.readline()  # "ready": imports done, the runs start
            try:
                process.wait(timeout=rng.uniform(0.0, window))
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                report.kills += 1
            else:
                if process.returncode != 0:
                    report.problems.append(f"a child failed (exit {process.returncode})")
            process.stdout.close()
        last = subprocess.Popen([*command, "async"], stdout=subprocess.DEVNULL)
        report.children += 1
        if last.wait(timeout=300) != 0:
            report.problems.append(f"the last child failed (exit {last.returncode})")
    check(model, journal_path, effects, report)
    return report


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        url, journal_path, effects, runs, kind = sys.argv[2:7]
        child(url, journal_path, effects, int(runs), kind)
        return
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = run_kill_test(Path(tmp), kills=args.kills, runs=args.runs, seed=args.seed)
        elapsed = time.perf_counter() - started
    print(json.dumps({**report.to_dict(), "seconds": round(elapsed, 1)}, indent=2))
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
