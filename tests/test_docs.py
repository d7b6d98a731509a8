"""The documentation cannot rot: its code is included from files the suite runs, or run here."""

from __future__ import annotations

import io
import re
import runpy
import shlex
from pathlib import Path

import pytest

from agentkit.cli import main as cli_main
from agentkit.testing import TestModel
from agentkit.testing.server import serve_in_background

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
SNIPPETS = sorted((DOCS / "snippets").glob("*.py"))
PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)
INCLUDE = re.compile(r'^--8<-- "([^"]+)"$')


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_snippet_files_run(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(path), run_name="__main__")


def blocks(path: Path) -> list[tuple[str, str]]:
    return [(lang, body) for lang, body in FENCE.findall(path.read_text())]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_python_blocks_are_included_files(page: Path) -> None:
    for lang, body in blocks(page):
        if lang != "python":
            continue
        lines = [line for line in body.strip().splitlines() if line.strip()]
        assert lines, page
        for line in lines:
            match = INCLUDE.match(line.strip())
            assert match, f"{page}: inline Python must live in a tested file: {line!r}"
            target, _, section = match.group(1).partition(":")
            text = (ROOT / target).read_text()
            if section:
                assert f"--8<-- [start:{section}]" in text, (target, section)
                assert f"--8<-- [end:{section}]" in text, (target, section)


def shell_lines() -> list[str]:
    found: list[str] = []
    for page in [*PAGES, ROOT / "README.md"]:
        for lang, body in blocks(page):
            if lang in ("sh", "console", "bash"):
                found.extend(line.strip() for line in body.splitlines() if line.strip())
    return found


def test_shell_commands_are_real() -> None:
    lines = shell_lines()
    assert any(line.startswith("agentkit run") for line in lines)
    for line in lines:
        if line.startswith("agentkit "):
            argv = shlex.split(line)[1:]
            code = cli_main(argv, out=io.StringIO())
            assert code == 0, line
        else:
            assert line.startswith(("python3 -m venv", "scripts/check")), line


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = FENCE.search(readme)
    assert first_block is not None
    assert readme.index("```") < readme.index("\n## ")
    commands = first_block.group(2).strip().splitlines()
    assert len(commands) == 2
    assert "examples/quickstart.py" in commands[0]
    assert commands[1] == "scripts/check"
    assert "scripts/check" in (ROOT / ".ci" / "run").read_text()


def test_readme_quickstart_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = next(body for lang, body in blocks(ROOT / "README.md") if lang == "python")
    with serve_in_background(TestModel()) as url:  # the block's Agent() reads the environment
        monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "offline")
        namespace: dict[str, object] = {"__name__": "readme"}
        exec(compile(code, "README.md", "exec"), namespace)
        namespace["agent"].client.close()  # type: ignore[attr-defined]
    out = capsys.readouterr().out
    assert "Tool results: get_weather" in out
    assert "end_turn" in out
