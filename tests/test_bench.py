"""The benchmark suite runs end to end at tiny size (numbers are produced; timings not judged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_benchmark_runs_and_produces_numbers(tmp_path: Path) -> None:
    out_json = tmp_path / "figures.json"
    out_md = tmp_path / "results.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
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
    figures = json.loads(out_json.read_text())
    assert set(figures) == {
        "import time and RSS",
        "client: create",
        "streaming",
        "agent loop",
        "memory",
    }
    assert figures["import time and RSS"]["agentkit"]["median_s"] > 0
    assert figures["client: create"]["ceiling"] > 0
    for kind in ("sync", "async", "async32"):
        assert figures["client: create"][kind]["agentkit"]["per_second"] > 0
    streams = figures["streaming"]
    assert streams["text_loopback"]["agentkit"]["per_second"] > 0
    assert streams["tool_memory"]["anthropic SDK"]["median_s"] > 0
    assert len(streams["linearity"]) == 4
    loop = figures["agent loop"]["loop"]
    assert {
        "raw httpx loop",
        "agentkit Agent",
        "agentkit AsyncAgent",
        "anthropic tool_runner",
    } <= set(loop)
    assert figures["agent loop"]["parallel"]["agentkit Agent"]["median_s"] > 0
    assert figures["memory"]["agentkit"]["done"] > 0
    report = out_md.read_text()
    assert report.startswith("# agentkit benchmarks")
    assert "## streaming" in report
