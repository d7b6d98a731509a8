"""The benchmark suite runs end to end at tiny size (numbers are produced; timings not judged).

Marked `bench`: deselected from a plain `pytest` run; `scripts/check` runs them (one test per
benchmark, so that they spread over the test workers).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.bench


def check_imports(figures: Any) -> None:
    assert figures["agentkit"]["median_s"] > 0


def check_client(figures: Any) -> None:
    assert figures["ceiling"] > 0
    for kind in ("sync", "async", "async32"):
        assert figures[kind]["agentkit"]["per_second"] > 0


def check_streaming(figures: Any) -> None:
    assert figures["text_loopback"]["agentkit"]["per_second"] > 0
    assert figures["tool_memory"]["anthropic SDK"]["median_s"] > 0
    assert len(figures["linearity"]) == 4
    assert len(figures["fixed_size"]) == 3


def check_agent_loop(figures: Any) -> None:
    assert {
        "raw httpx loop",
        "agentkit Agent",
        "agentkit AsyncAgent",
        "anthropic tool_runner",
    } <= set(figures["loop"])
    assert figures["parallel"]["agentkit Agent"]["median_s"] > 0


def check_memory(figures: Any) -> None:
    assert figures["agentkit"]["done"] > 0


def check_typed_output(figures: Any) -> None:
    for setting in ("http", "in_process"):
        assert set(figures[setting]["ratios"]) == {
            "text output",
            "typed output (tool mode)",
            "typed output (native mode)",
        }
        assert figures[setting]["text output"]["median_s"] > 0


def check_batches(figures: Any) -> None:
    assert figures["lines"] > 0
    assert figures["results"]["agentkit batches.results()"]["per_second"] > 0
    assert figures["results"]["anthropic SDK batches.results()"]["per_second"] > 0
    assert figures["batch_mode"]["cpu_ratio"] > 0


def check_mcp(figures: Any) -> None:
    for name in ("mcp ClientSession (direct)", "agentkit MCPServerStdio (async)"):
        assert figures[name]["per_second"] > 0


def check_journal(figures: Any) -> None:
    assert set(figures["overhead_per_step_s"]) == {
        'journal, synchronous="normal"',
        'journal, synchronous="full"',
    }
    assert figures["no journal"]["median_s"] > 0


def check_temporal(figures: Any) -> None:
    assert figures["AsyncAgent via Temporal"]["median_s"] > 0
    assert figures["AsyncAgent, in process"]["median_s"] > 0
    assert figures["steps_per_run"] == 7


def check_many_runs(figures: Any) -> None:
    assert [row["failed"] for row in figures["rate_limits"]] == [0, 0]
    for table in ("concurrency", "creates"):
        assert all(row["cpu_s"] > 0 and row["failed"] == 0 for row in figures[table].values())
    assert len(figures["concurrency"]) == 5
    assert len(figures["creates"]) == 4


def check_otel(figures: Any) -> None:
    for kind in ("sync", "async", "http"):
        assert set(figures[kind]["overhead"]) == {
            "instrumentation off",
            "opentelemetry-api, no SDK",
            "SDK, in-memory exporter",
        }
        assert figures[kind]["instrumentation off"]["median_s"] > 0
    assert figures["seam"]["SDK, in-memory exporter"]["cpu_per_run_s"] > 0


BENCHMARKS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "imports": ("import time and RSS", check_imports),
    "client": ("client: create", check_client),
    "streaming": ("streaming", check_streaming),
    "agent_loop": ("agent loop", check_agent_loop),
    "memory": ("memory", check_memory),
    "typed_output": ("typed output", check_typed_output),
    "batches": ("batch results", check_batches),
    "mcp": ("mcp: tool calls", check_mcp),
    "journal": ("journal", check_journal),
    "temporal": ("temporal", check_temporal),
    "many_runs": ("many runs", check_many_runs),
    "otel": ("otel: span cost", check_otel),
}


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_benchmark_runs_and_produces_numbers(name: str, tmp_path: Path) -> None:
    out_json = tmp_path / "figures.json"
    out_md = tmp_path / "results.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--only",
            name,
            "--json",
            str(out_json),
            "--markdown",
            str(out_md),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    title, check = BENCHMARKS[name]
    figures = json.loads(out_json.read_text())
    assert set(figures) == {title}
    check(figures[title])
    report = out_md.read_text()
    assert report.startswith("# agentkit benchmarks")
    assert f"Command: `python -m bench --quick --only {name}`" in report
    assert f"## {title}" in report
