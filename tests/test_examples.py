"""Every example runs offline, as the README and the docs promise."""

from __future__ import annotations

import io
import runpy
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import anyio
import anyio.to_thread
import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
EXPECTED = {
    "quickstart.py": ["called get_weather({'city': 'Paris'})", "stop_reason=end_turn turns=2"],
    "streaming.py": ["-> search_docs(", "<- search_docs [ok", "[done: 2 turns"],
    "async_parallel_tools.py": ["3 tool calls of 0.5 s each"],
    "multi_step_automation.py": ["step 3:", "resuming", "done: 8 messages"],
    "approval.py": ["-> denied", "branches actually deleted: none"],
    "context_and_deps.py": ["tenant acme", "No customer c-7 in tenant globex"],
    "raw_client.py": ["4. cache read 1200", "requests left 49/50", "7. (offline)"],
    "testing_agents.py": ["all agent tests passed"],
    "classify_many.py": [
        "first pass: 120 tickets handed out",
        "0 failed",
        "results file: 200 tickets; account 50, billing 50, bug 50, other 50; urgent 75",
    ],
    "mcp_tools.py": [
        "MCP tools: inv_stock, inv_reorder",
        """called inv_stock({'sku': 'A-100'}) -> {"sku":"A-100","units":12}""",
        "closed: server open=False",
    ],
    "durable_run.py": [
        "the process died (exit -9)",
        "is interrupted",
        "2 made now",
        "card charged 1 time(s)",
        "same result: True",
    ],
    "view_run.py": ["3 turns, 6 tool calls (1 failed)", "timeline written:"],
    "temporal_run.py": [
        "first: 'Order A-17 costs 42.50 EUR (acme).' (2 turns)",
        "again: 'Order A-17 costs 42.50 EUR (acme).' (2 turns)",
        "lookups run on the worker: 1",
        "model requests: 2",
    ],
    "batch_mode.py": [
        "first pass: 5 notes, then stopped",
        "second pass: 15 notes, 5 skipped",
        "batches created by the second pass: 0",
        "O-5 -> Order 5: delayed at customs.",
        "billed at the batch (50% of standard) price",
        "results file: 20 results, 6 state lines",
        "batches created in all: 2 (one per turn)",
    ],
    "extract_structured.py": [
        'text-1: {"number":"INV-1042","customer":"Blue Harbor Cafe","currency":"EUR"',
        "INV-1043 Northwind Traders: 125.50 USD",
        "INV-1044 Fjord Bakery: 220.00 NOK",
    ],
}


def test_every_example_is_covered() -> None:
    found = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_offline(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setattr(sys, "argv", [name])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: nobody to ask
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    assert out.startswith("[offline")
    for expected in EXPECTED[name]:
        assert expected in out, (expected, out)


def test_async_example_runs_its_tools_concurrently(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    module = runpy.run_path(str(EXAMPLES / "async_parallel_tools.py"))
    # the three tools wait for one another instead of sleeping: they pass only if run at once
    three = threading.Barrier(3, timeout=5)
    met: list[float] = []

    async def meet(seconds: float) -> None:
        await anyio.to_thread.run_sync(three.wait)
        met.append(seconds)

    monkeypatch.setitem(module["amain"].__globals__, "anyio", SimpleNamespace(sleep=meet))
    anyio.run(module["amain"], [])
    assert met == [0.5] * 3
    assert "3 tool calls of 0.5 s each" in capsys.readouterr().out


def test_quickstart_stands_alone(tmp_path: Path) -> None:
    """Copied into a new file, away from examples/, the quickstart runs."""
    copy = tmp_path / "my_agent.py"
    copy.write_text((EXAMPLES / "quickstart.py").read_text(encoding="utf-8"), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(copy)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(EXAMPLES.parent)},
    )
    assert out.stdout.startswith("[offline")
    assert "stop_reason=end_turn turns=2" in out.stdout


def test_quickstart_uses_claude_when_a_key_is_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from agentkit.testing import TestModel
    from agentkit.testing.server import serve_in_background

    module = runpy.run_path(str(EXAMPLES / "quickstart.py"))
    stand_in = TestModel()  # plays the API behind ANTHROPIC_BASE_URL
    with serve_in_background(stand_in) as url:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-set")
        module["main"]([])
        module["agent"].client.close()
    out = capsys.readouterr().out
    assert out.startswith("[live: Claude API")
    assert len(stand_in.requests) == 2
    assert stand_in.requests[0].headers["x-api-key"] == "sk-set"


def test_quickstart_as_a_script() -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(EXAMPLES.parent)},
    )
    assert "[offline" in out.stdout
    assert "Paris: 18°C" in out.stdout
