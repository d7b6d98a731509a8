"""A journaled map (`agent.map(..., journal=...)`) killed with SIGKILL at random points.

A child process maps an agent over inputs whose tools have side effects, every input a
journaled run (`map_id="m"`: run ids `m:id:<input id>`); it is killed at random moments and
started again; a last child runs to the end. The checks are the journal kill test's
(`tests/journal/kill.py`): every run finished, each side effect happened once (idempotent
tools: at least once), no model step was requested again after its response was journaled.
Each prompt is its run id, so the counting model logs requests by run.

    python -m tests.agent.map_kill child URL JOURNAL EFFECTS RUNS   # the child
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.journal.kill import MODEL, CountingModel, Report, check

ROOT = Path(__file__).resolve().parents[2]


def inputs(runs: int) -> list[Any]:
    from agentkit import MapInput

    return [MapInput(f"m:id:run-{i}", id=f"run-{i}") for i in range(runs)]


def child(url: str, journal_path: str, effects: str, runs: int) -> None:
    from agentkit import Agent, Anthropic, Journal, ToolContext, tool

    def effect(kind: str, ctx: ToolContext[None], run: str) -> str:
        time.sleep(random.random() * 0.02)
        with open(effects, "a") as file:
            file.write(f"{run} {ctx.call_id} {kind}\n")
        time.sleep(random.random() * 0.02)
        return f"{kind} ok"

    @tool
    def charge(ctx: ToolContext[None], run: str, step: int) -> str:
        """Charge (not safe to repeat)."""
        return effect("charge", ctx, run)

    @tool(idempotent=True)
    def notify(ctx: ToolContext[None], run: str, step: int) -> str:
        """Notify (safe to repeat)."""
        return effect("notify", ctx, run)

    print("ready", flush=True)
    with Journal(journal_path) as journal:
        client = Anthropic(base_url=url, api_key="k", max_retries=0)
        agent = Agent(client, model=MODEL, tools=[charge, notify])
        for result in agent.map(inputs(runs), journal=journal, map_id="m", concurrency=3):
            if result.error is not None:
                raise result.error


def run_map_kill_test(tmp: Path, *, kills: int, runs: int, seed: int) -> tuple[Report, Any]:
    """Kill the child `kills` times, let one finish, check; then map once more in-process."""
    from agentkit import Agent, Journal
    from agentkit.testing import FunctionModel
    from agentkit.testing.server import serve_in_background

    rng = random.Random(seed)
    model = CountingModel()
    journal_path, effects = tmp / "runs.db", tmp / "effects.txt"
    report = Report(runs=runs)
    command = [sys.executable, "-m", "tests.agent.map_kill", "child"]
    with serve_in_background(FunctionModel(model.reply)) as url:
        command += [url, str(journal_path), str(effects), str(runs)]
        for _ in range(kills):
            process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            report.children += 1
            assert process.stdout is not None
            process.stdout.readline()
            try:
                process.wait(timeout=rng.uniform(0.0, 0.4))
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                report.kills += 1
            process.stdout.close()
        last = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, timeout=300)
        report.children += 1
        if last.returncode != 0:
            report.problems.append(f"the last child failed (exit {last.returncode})")
        served = sum(len(s) for s in model.served.values())
        with Journal(journal_path) as journal:
            agent = Agent(FunctionModel(model.reply), model=MODEL)
            again, summary = agent.map_all(inputs(runs), journal=journal, map_id="m")
        if sum(len(s) for s in model.served.values()) != served:
            report.problems.append("the finished map, run again, sent requests")
    check(model, journal_path, effects, report)
    return report, (again, summary)


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    url, journal_path, effects, runs = sys.argv[2:6]
    child(url, journal_path, effects, int(runs))
