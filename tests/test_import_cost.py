"""`from agentkit import Agent, tool` defines no model and loads no heavy library.

The response models (pydantic classes), pydantic's model machinery, the HTTP client stack,
docstring_parser, jsonschema and difflib load on first use: the first client or agent made, the
first tool decorated, the first tool call validated. The many-runs machinery (`agent.map`, batch
mode, the journal's records) loads with the first map or journaled run, never for a single run.
Each check runs in a fresh interpreter; no timing is asserted here (`python -m bench.imports`
measures it).
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

MANY_RUNS_ONLY = (
    "agentkit.agent._map",
    "agentkit.agent._map_view",
    "agentkit.agent._batch_map",
    "agentkit.agent._progress",
    "agentkit.agent._journaled",
    "agentkit._core.mapping",
    "agentkit._core.batch_map",
    "agentkit._core.journal",
    "agentkit._core.retry",
    "agentkit._core.headers",
    "agentkit._ratelimit",
    "concurrent.futures",
    "queue",
)
"""Modules only `agent.map` (live or batch mode) or a journaled run needs."""

OPTIONAL = ("opentelemetry", "mcp", "temporalio")


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


@pytest.mark.parametrize(
    "statement",
    [
        "from agentkit import Agent, tool",
        "from agentkit import AsyncAgent, Hooks, RunResult, Toolbox",
        "import agentkit.agent",
    ],
)
def test_the_agent_import_leaves_out_the_many_runs_machinery(statement: str) -> None:
    modules = loaded(statement)
    assert "agentkit.agent._agent" in modules
    assert sorted(modules & set(MANY_RUNS_ONLY)) == []
    assert sorted(m for m in modules if m.split(".")[0] in OPTIONAL) == []


def test_a_single_run_loads_no_map_batch_or_journal_code() -> None:
    modules = loaded(
        "from agentkit import Agent\n"
        "from agentkit.testing import TestModel\n"
        "result = Agent(TestModel(), model='claude-sonnet-4-5').run('hi')\n"
        "assert result.stop_reason == 'end_turn', result.stop_reason"
    )
    assert "agentkit._client" in modules
    left_out = {
        "agentkit.agent._map",
        "agentkit.agent._batch_map",
        "agentkit._core.batch_map",
        "agentkit._core.mapping",
        "agentkit._core.journal",
        "concurrent.futures",
        "queue",
    }
    assert sorted(modules & left_out) == []


def test_the_map_names_load_on_first_use() -> None:
    modules = loaded(
        "import sys, agentkit.agent\n"
        "assert 'agentkit.agent._map' not in sys.modules\n"
        "from agentkit.agent import MapInput, MapRun, save_map_html\n"
        "from agentkit.agent._map import MapRun as Defined\n"
        "assert MapRun is Defined and MapInput('hi').prompt == 'hi' and callable(save_map_html)"
    )
    assert {"agentkit.agent._map", "agentkit.agent._map_view"} <= modules
    assert "agentkit.agent._batch_map" not in modules


def test_every_name_of_the_agent_package_resolves() -> None:
    import agentkit.agent

    assert agentkit.agent.__all__ == sorted(agentkit.agent.__all__)
    assert set(agentkit.agent._LAZY) <= set(agentkit.agent.__all__)
    for name in agentkit.agent.__all__:
        assert getattr(agentkit.agent, name) is not None, name
    assert set(agentkit.agent.__all__) <= set(dir(agentkit.agent))
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        agentkit.agent.Nope  # noqa: B018


def test_a_map_loads_its_machinery_when_it_runs() -> None:
    modules = loaded(
        "from agentkit import Agent\n"
        "from agentkit.testing import TestModel\n"
        "agent = Agent(TestModel(), model='claude-sonnet-4-5')\n"
        "results, summary = agent.map_all(['a', 'b'], progress=False)\n"
        "assert [r.ok for r in results] == [True, True], results\n"
        "assert summary.succeeded == 2, summary"
    )
    assert {"agentkit.agent._map", "agentkit._core.mapping", "queue"} <= modules
    assert "agentkit.agent._batch_map" not in modules  # live mode: batch mode stays unloaded


def test_a_batch_mode_map_loads_batch_mode() -> None:
    modules = loaded(
        "from agentkit import Agent\n"
        "from agentkit.testing import TestModel\n"
        "agent = Agent(TestModel(), model='claude-sonnet-4-5')\n"
        "results, summary = agent.map_all(\n"
        "    ['a'], mode='batch', progress=False, poll_interval=0.01, max_poll_interval=0.01\n"
        ")\n"
        "assert [r.ok for r in results] == [True], results"
    )
    assert {"agentkit.agent._batch_map", "agentkit._core.batch_map"} <= modules
