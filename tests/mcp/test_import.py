"""`mcp` is optional: only `agentkit.mcp` imports it, and says how to install it."""

from __future__ import annotations

import subprocess
import sys


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_the_rest_of_agentkit_never_imports_mcp() -> None:
    done = run(
        "import sys, agentkit, agentkit.tools, agentkit.agent, agentkit.testing, agentkit.cli\n"
        "agentkit.Agent, agentkit.Toolbox\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_mcp_a_usage_error_says_what_to_install() -> None:
    done = run(
        "import sys; sys.modules['mcp'] = None\n"
        "from agentkit import UsageError\n"
        "try:\n"
        "    import agentkit.mcp\n"
        "except UsageError as exc:\n"
        "    print(exc)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "agentkit.mcp needs the mcp package: pip install 'agentkit[mcp]'"
