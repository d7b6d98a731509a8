"""The `agentkit` command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentkit import __version__
from agentkit.cli import main

AGENTS = '''
from pydantic import BaseModel

from agentkit import Agent, AsyncAgent, tool


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def shout(text: str) -> str:
    """Upper-case some text.

    Args:
        text: The text.
    """
    return text.upper()


class Sum(BaseModel):
    total: int


helper = Agent(model="claude-sonnet-4-5", tools=[add, shout])
typed_helper = Agent(model="claude-sonnet-4-5", tools=[add], output_type=Sum)
async_helper = AsyncAgent(model="claude-sonnet-4-5", tools=[add])
not_an_agent = 42
'''


@pytest.fixture
def agents_file(tmp_path: Path) -> Path:
    path = tmp_path / "my_agents.py"
    path.write_text(AGENTS)
    return path


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_version() -> None:
    assert run_cli("version") == (0, f"agentkit {__version__}\n")


def test_run_offline_prints_calls_and_a_summary_line(agents_file: Path) -> None:
    code, out = run_cli("run", f"{agents_file}:helper", "Add things", "--offline")
    assert code == 0
    assert '-> add {"a": 1, "b": 1}' in out
    assert "<- add: 2" in out
    assert "Tool results:" in out
    assert out.strip().splitlines()[-1].startswith("[stop_reason=end_turn turns=2 input_tokens=")
    assert "cache_read=0 cache_write=0]" in out


def test_run_async_agent_streaming(agents_file: Path) -> None:
    code, out = run_cli("run", f"{agents_file}:async_helper", "Add", "--offline", "--stream")
    assert code == 0
    assert "Tool results: add: 2" in out


def test_run_json(agents_file: Path) -> None:
    code, out = run_cli("run", f"{agents_file}:helper", "Add", "--offline", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["stop_reason"] == "end_turn"
    assert [c["name"] for c in data["tool_calls"]] == ["add", "shout"]
    assert data["usage"]["requests"] == 2


def test_run_json_includes_the_typed_output(agents_file: Path) -> None:
    code, out = run_cli("run", f"{agents_file}:typed_helper", "Add", "--offline", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data["output"]) == {"total"}
    assert isinstance(data["output"]["total"], int)
    code, out = run_cli("run", f"{agents_file}:typed_helper", "Add", "--offline")
    assert code == 0
    assert 'output: {"total":' in out


def test_max_turns_stops_with_a_non_zero_status(agents_file: Path) -> None:
    code, out = run_cli("run", f"{agents_file}:helper", "Add", "--offline", "--max-turns", "1")
    assert code == 1
    assert "stop_reason=max_turns" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "{file}:helper", "hi"], "ANTHROPIC_API_KEY"),
        (["run", "no_such_module_xyz:agent", "hi"], "cannot import module 'no_such_module_xyz'"),
        (["run", "{file}", "hi"], "found 3 agents"),
        (["run", "{file}:missing", "hi"], "has no attribute 'missing'"),
        (["run", "{file}:not_an_agent", "hi"], "is a int, not an Agent"),
        (["run", "{file}:helper", "hi", "--offline", "--max-turns", "0"], "--max-turns"),
        (["run", "missing_file.py:x", "hi"], "no such file"),
        (["tools", "json"], "no tools found"),
        (["serve", "--model", "nope"], "unknown model"),
    ],
)
def test_errors_are_one_line(
    argv: list[str], message: str, agents_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_cli(*(a.replace("{file}", str(agents_file)) for a in argv))
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_run_without_a_key_says_to_add_offline(
    agents_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_cli("run", f"{agents_file}:helper", "hi")
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "add --offline" in err
    assert "ANTHROPIC_API_KEY" in err


STREAMING_AGENTS = '''
from agentkit import AsyncAgent, tool

LOG = []


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    LOG.append("tool ran")
    return a + b


helper = AsyncAgent(model="claude-sonnet-4-5", tools=[add])
'''


def test_run_stream_with_an_async_agent_prints_events_as_they_arrive(tmp_path: Path) -> None:
    path = tmp_path / "streaming_agents.py"
    path.write_text(STREAMING_AGENTS)

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            module = sys.modules.get("streaming_agents")
            if module is not None and text.strip():
                module.LOG.append(text.strip())
            return super().write(text)

    out = Out()
    assert main(["run", f"{path}:helper", "Add", "--offline", "--stream"], out=out) == 0
    log = sys.modules["streaming_agents"].LOG
    started = next(i for i, line in enumerate(log) if line.startswith("-> add"))
    assert started < log.index("tool ran")  # printed before the tool ran, not after the run
    assert log[-1].startswith("[stop_reason=end_turn")


def test_debug_shows_the_exception(agents_file: Path) -> None:
    with pytest.raises(Exception, match="ANTHROPIC_API_KEY"):
        main(["--debug", "run", f"{agents_file}:helper", "hi"], out=io.StringIO())


def test_tools_lists_schemas_and_warnings(agents_file: Path) -> None:
    agents_file.write_text(
        agents_file.read_text().replace("text: The text.", "text: The text.\n        volume: No.")
    )
    code, out = run_cli("tools", str(agents_file))
    assert code == 0
    assert "add: Add two integers." in out
    assert '"required": [\n    "a",\n    "b"\n  ]' in out
    assert "shout: Upper-case some text." in out
    assert "documents parameter 'volume'" in out


def test_tools_shows_missing_hints_and_descriptions_once(tmp_path: Path) -> None:
    path = tmp_path / "sloppy_tools.py"
    path.write_text("from agentkit import tool\n\n\n@tool\ndef lookup(city):\n    return city\n")
    code, out = run_cli("tools", str(path))
    assert code == 0
    assert "lookup: (no description)" in out
    assert out.count("warning: parameter 'city' has no type hint") == 1
    assert out.count("warning: no description") == 1


def test_count_tokens_offline() -> None:
    code, out = run_cli("count-tokens", "hello there", "--offline", "--system", "Be brief.")
    assert code == 0
    assert int(out) > 0


def test_python_dash_m(agents_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "agentkit", "run", f"{agents_file}:helper", "x", "--offline"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "stop_reason=end_turn" in result.stdout


def test_serve_uses_the_testing_server(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    monkeypatch.setattr("agentkit.testing.server.main", fake_main)
    assert run_cli("serve", "--model", "echo", "--port", "0", "--verbose")[0] == 0
    assert seen == [["--model", "echo", "--port", "0", "--verbose"]]
