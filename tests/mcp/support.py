"""Helpers for the MCP tests: the test server, processes, threads."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agentkit.mcp import MCPServerStdio

SERVER = Path(__file__).with_name("server_app.py")


def stdio(**options: Any) -> MCPServerStdio:
    """The test server as a subprocess."""
    options.setdefault("name", "test")
    return MCPServerStdio(sys.executable, [str(SERVER)], **options)


def call(name: str, tool_input: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `tool_use` block."""
    return {"type": "tool_use", "id": f"toolu_{name}", "name": name, "input": tool_input or {}}


def text(result: Mapping[str, Any]) -> str:
    """A tool result's text content."""
    content = result.get("content")
    assert isinstance(content, str), content
    return content


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie does not count)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def mcp_threads(name: str = "test") -> list[str]:
    """The threads of the MCP server called `name` (its event loop, its stderr reader)."""
    return [
        t.name
        for t in threading.enumerate()
        if t.name.startswith("agentkit-mcp") and t.name.endswith(f"-{name}")
    ]


@contextmanager
def http_server(script: Path = SERVER) -> Iterator[str]:
    """A server script on streamable HTTP (127.0.0.1, a free port); yields its URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, str(script), "--http"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
