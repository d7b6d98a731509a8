"""`temporalio` is optional: only `agentkit.temporal` imports it, and says how to install it."""

from __future__ import annotations

import subprocess
import sys


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_the_rest_of_agentkit_never_imports_temporalio() -> None:
    done = run(
        "import sys, agentkit, agentkit.tools, agentkit.agent, agentkit.testing, agentkit.cli\n"
        "agentkit.Agent, agentkit.AsyncAgent, agentkit.Journal\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'temporalio'))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_temporalio_a_usage_error_says_what_to_install() -> None:
    done = run(
        "import sys; sys.modules['temporalio'] = None\n"
        "from agentkit import UsageError\n"
        "try:\n"
        "    import agentkit.temporal\n"
        "except UsageError as exc:\n"
        "    print(exc)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "agentkit.temporal needs the temporalio package: pip install 'agentkit[temporal]'"
    )
