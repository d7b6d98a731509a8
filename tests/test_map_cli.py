"""`agentkit map`: inputs from JSONL, a resumable results file, Ctrl-C leaves it valid."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentkit.cli import main

AGENTS = """
from agentkit import Agent, AsyncAgent

helper = Agent(model="claude-sonnet-4-5", max_tokens=64)
async_helper = AsyncAgent(model="claude-sonnet-4-5", max_tokens=64)
"""

SLOW_AGENT = """
import time

from agentkit import Agent
from agentkit.testing import FunctionModel


def answer(request):
    time.sleep(0.05)
    return "done: " + request.last_user_text


slow = Agent(FunctionModel(answer), model="claude-test", max_tokens=64)
"""


def _inputs(path: Path, count: int) -> Path:
    lines = [json.dumps({"id": f"t{i}", "prompt": f"ticket {i}"}) for i in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("agent", ["helper", "async_helper"])
def test_map_command_runs_every_input_and_resumes(tmp_path: Path, agent: str) -> None:
    module = tmp_path / "agents.py"
    module.write_text(AGENTS)
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text(
        '"plain prompt"\n\n{"id": 7, "input": "with an id"}\n[{"type":"text","text":"b"}]\n'
    )
    results = tmp_path / "results.jsonl"
    out = io.StringIO()
    argv = ["map", f"{module}:{agent}", str(inputs), "-o", str(results), "--offline"]
    assert main(argv, out=out) == 0
    assert out.getvalue().startswith("3 succeeded, 0 failed, 0 skipped")
    records = _records(results)
    assert sorted(r["index"] for r in records) == [0, 1, 2]  # type: ignore[type-var]
    assert {r["id"] for r in records} == {None, "7"}
    out = io.StringIO()
    assert main(argv, out=out) == 0
    assert out.getvalue().startswith("0 succeeded, 0 failed, 3 skipped")


def test_map_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "agents.py"
    module.write_text(AGENTS)
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text("not json\n")
    results = tmp_path / "results.jsonl"
    base = ["map", f"{module}:helper", str(inputs), "-o", str(results)]
    assert main([*base, "--offline"]) == 2
    assert "inputs.jsonl:1 is not JSON" in capsys.readouterr().err
    assert main(base) == 2
    assert "no API key" in capsys.readouterr().err
    inputs.write_text("42\n")
    assert main([*base, "--offline"]) == 2
    assert "an input is a string" in capsys.readouterr().err
    assert main([*base, "--offline", "--concurrency", "0"]) == 2
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    assert main(["map", f"{module}:helper", str(inputs), "-o", str(notes), "--offline"]) == 2
    assert "not a results file" in capsys.readouterr().err
    assert notes.read_text() == "my notes\n"


def test_ctrl_c_leaves_a_valid_results_file_and_a_rerun_resumes(tmp_path: Path) -> None:
    module = tmp_path / "slow_agents.py"
    module.write_text(SLOW_AGENT)
    inputs = _inputs(tmp_path / "inputs.jsonl", 400)
    results = tmp_path / "results.jsonl"
    argv = [sys.executable, "-m", "agentkit", "map", f"{module}:slow", str(inputs)]
    argv += ["-o", str(results), "--concurrency", "4"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if results.exists() and results.read_text().count("\n") >= 8:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err.decode()
    text = results.read_text()
    assert text.endswith("\n")
    done = {record["id"] for record in _records(results)}  # every line is complete JSON
    assert 8 <= len(done) < 400
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(done)} skipped" in rerun.stdout
    records = _records(results)
    assert sorted(r["index"] for r in records) == list(range(400))  # type: ignore[type-var]
    assert os.path.getsize(results) == len(results.read_bytes())


def test_serve_rate_limit_options() -> None:
    from agentkit.testing import ScaledClock
    from agentkit.testing.server import rate_limits_from

    parser_args = type(
        "Args",
        (),
        {
            "requests_per_minute": 600.0,
            "input_tokens_per_minute": None,
            "output_tokens_per_minute": 20000.0,
            "clock_speed": 10.0,
        },
    )()
    limits = rate_limits_from(parser_args)
    assert limits is not None
    assert isinstance(limits.clock, ScaledClock)
    assert set(limits.headers()) >= {"anthropic-ratelimit-requests-limit"}
    parser_args.requests_per_minute = parser_args.output_tokens_per_minute = None
    assert rate_limits_from(parser_args) is None


@pytest.mark.parametrize("agent", ["helper", "async_helper"])
def test_map_command_batch_mode(tmp_path: Path, agent: str) -> None:
    module = tmp_path / "agents.py"
    module.write_text(AGENTS)
    inputs = _inputs(tmp_path / "inputs.jsonl", 4)
    results = tmp_path / "results.jsonl"
    out = io.StringIO()
    argv = ["map", f"{module}:{agent}", str(inputs), "-o", str(results), "--offline"]
    assert main([*argv, "--mode", "batch"], out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("4 succeeded, 0 failed, 0 skipped")
    assert lines[1] == "1 batch(es); billed at the batch (50% of standard) price"
    records = [r for r in _records(results) if "batch_map" not in r]
    assert sorted(str(r["id"]) for r in records) == ["t0", "t1", "t2", "t3"]
    out = io.StringIO()
    assert main([*argv, "--mode", "batch"], out=out) == 0
    assert out.getvalue().startswith("0 succeeded, 0 failed, 4 skipped")


def test_map_command_journal(tmp_path: Path) -> None:
    from agentkit import Journal

    module = tmp_path / "agents.py"
    module.write_text(AGENTS)
    inputs = _inputs(tmp_path / "inputs.jsonl", 3)
    journal = tmp_path / "runs.db"
    argv = ["map", f"{module}:helper", str(inputs), "-o", str(tmp_path / "r.jsonl")]
    assert main([*argv, "--offline", "--journal", str(journal)], out=io.StringIO()) == 0
    with Journal(journal) as opened:
        runs = opened.runs()
    assert sorted(run.run_id for run in runs) == ["r.jsonl:id:t0", "r.jsonl:id:t1", "r.jsonl:id:t2"]
    assert {run.status for run in runs} == {"finished"}
