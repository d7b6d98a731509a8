from __future__ import annotations

import subprocess
import sys

import pytest

import agentkit
import agentkit.types


def test_all_is_sorted() -> None:
    assert agentkit.__all__ == sorted(agentkit.__all__)
    assert agentkit.types.__all__ == sorted(agentkit.types.__all__)


def test_all_is_complete_and_resolvable() -> None:
    for name in agentkit.__all__:
        assert getattr(agentkit, name) is not None, name
    assert set(agentkit._LAZY) | {"__version__"} == set(agentkit.__all__)
    assert set(agentkit.__all__) <= set(dir(agentkit))


def test_public_objects_keep_their_names() -> None:
    for name in agentkit.__all__:
        obj = getattr(agentkit, name)
        if isinstance(obj, type):
            # the official SDK's names, and the agent's names for the stream helper's text events
            aliases = {"ContentTooLargeError", "AnthropicError", "TextChunk", "ThinkingChunk"}
            assert obj.__name__ == name or name in aliases, name


def test_types_all_is_complete() -> None:
    for name in agentkit.types.__all__:
        assert hasattr(agentkit.types, name), name


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        agentkit.Nope  # noqa: B018


def test_import_is_lazy() -> None:
    code = (
        "import sys, agentkit; "
        "heavy = [m for m in ('agentkit._client', 'agentkit.types.message', 'httpx') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_sans_io_core_imports_no_io_libraries() -> None:
    code = (
        "import sys; import agentkit._core.request, agentkit._core.response, "
        "agentkit._core.retry; print(sorted(m for m in ('httpx', 'anyio') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
