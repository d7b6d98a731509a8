"""Every example runs offline, as the README and the docs promise."""

from __future__ import annotations

import io
import runpy
import subprocess
import sys
from pathlib import Path

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


def test_async_example_runs_its_tools_concurrently() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        module = runpy.run_path(str(EXAMPLES / "async_parallel_tools.py"))
        import anyio

        elapsed = anyio.run(module["amain"], [])
    finally:
        sys.path.remove(str(EXAMPLES))
    assert elapsed < 1.2  # three 0.5 s calls at once, not one after another


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
