"""`from agentkit import Agent, tool` defines no model and loads no heavy library.

The response models (pydantic classes), pydantic's model machinery, the HTTP client stack,
docstring_parser, jsonschema and difflib load on first use: the first client or agent made, the
first tool decorated, the first tool call validated. Each check runs in a fresh interpreter;
no timing is asserted here (`python -m bench.imports` measures it).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

NOT_AT_IMPORT = (
    "agentkit.types.content",
    "agentkit.types.message",
    "agentkit.types.stream_events",
    "agentkit.types.params",
    "agentkit.types.request_params",
    "agentkit._client",
    "agentkit._core.accumulate",
    "agentkit.tools._schema",
    "agentkit.tools._docstrings",
    "pydantic.main",
    "pydantic.json_schema",
    "pydantic._internal._model_construction",
    "annotated_types",
    "docstring_parser",
    "jsonschema",
    "difflib",
    "sysconfig",
    "httpx",
)


def loaded(code: str) -> set[str]:
    """The modules in `sys.modules` after running `code` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    modules: list[str] = json.loads(out.stdout.splitlines()[-1])
    return set(modules)


@pytest.mark.parametrize(
    "statement",
    [
        "from agentkit import Agent, tool",
        "from agentkit import AsyncAgent, Toolbox, ToolContext, Hooks, RunResult, TextEvent",
        "import agentkit.agent, agentkit.tools",
    ],
)
def test_the_agent_import_loads_no_model_and_no_heavy_library(statement: str) -> None:
    modules = loaded(statement)
    assert {"agentkit.agent._agent", "agentkit.tools._tool"} <= modules
    assert sorted(modules & set(NOT_AT_IMPORT)) == []


def test_the_first_tool_loads_what_building_it_needs() -> None:
    modules = loaded(
        "from agentkit import tool\n"
        "@tool\n"
        "def add(a: int, b: int) -> int:\n"
        "    '''Add two numbers.\n\n    Args:\n        a: One.\n        b: The other.\n    '''\n"
        "    return a + b\n"
        "assert add.to_param()['input_schema']['required'] == ['a', 'b']\n"
        "assert add.to_param()['description'] == 'Add two numbers.'"
    )
    assert {"agentkit.tools._schema", "docstring_parser", "pydantic.main"} <= modules
    assert "agentkit._client" not in modules


def test_a_run_works_from_the_light_import() -> None:
    modules = loaded(
        "from agentkit import Agent, tool\n"
        "from agentkit.testing import TestModel\n"
        "@tool\n"
        "def echo(text: str) -> str:\n"
        "    '''Echo the text.'''\n"
        "    return text\n"
        "agent = Agent(TestModel(), model='claude-sonnet-4-5', tools=[echo])\n"
        "result = agent.run('hi')\n"
        "assert result.stop_reason == 'end_turn', result.stop_reason\n"
        "assert result.tool_calls and result.tool_calls[0].name == 'echo'\n"
        "assert isinstance(result.text, str)"
    )
    assert {"agentkit._client", "agentkit.types.content", "jsonschema"} <= modules
