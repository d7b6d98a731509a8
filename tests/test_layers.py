"""The layers point one way: a pure core, a leaf error module, no import cycles.

`agentkit/_core/` is the sans-IO core: importing any of its modules, in a fresh interpreter,
loads no I/O library and nothing from the layers above it. `_exceptions.py` imports nothing
from agentkit. And no module imports, directly or through others, a module that imports it —
counting imports inside functions and under `TYPE_CHECKING` too.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "agentkit"

IO_LIBRARIES = ("httpx", "httpcore", "anyio", "sniffio", "trio", "jsonschema", "docstring_parser")
UPPER_LAYERS = (
    "agentkit.tools",
    "agentkit.agent",
    "agentkit.testing",
    "agentkit._client",
    "agentkit._send",
    "agentkit._messages",
    "agentkit._message_stream",
    "agentkit._streaming",
    "agentkit._response",
    "agentkit._base_client",
    "agentkit._drive",
)


def module_names() -> dict[str, Path]:
    names: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


MODULES = module_names()
CORE = sorted(name for name in MODULES if name.startswith("agentkit._core."))


def loaded_after_import(module: str) -> list[str]:
    code = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded: list[str] = json.loads(out.stdout)
    return loaded


@pytest.mark.parametrize("module", CORE)
def test_core_modules_load_no_io_library_and_no_upper_layer(module: str) -> None:
    loaded = loaded_after_import(module)
    offending = [
        name
        for name in loaded
        if name.split(".")[0] in IO_LIBRARIES
        or any(name == up or name.startswith(up + ".") for up in UPPER_LAYERS)
    ]
    assert offending == [], f"importing {module} loaded {offending}"


def test_the_error_module_is_a_leaf() -> None:
    assert imports_of("agentkit._exceptions") == set()
    package_root = set(loaded_after_import("agentkit"))  # the lazy root loads its version only
    loaded = set(loaded_after_import("agentkit._exceptions")) - package_root
    assert [name for name in loaded if name.startswith("agentkit.")] == ["agentkit._exceptions"]


def imports_of(module: str) -> set[str]:
    """The agentkit modules `module` imports anywhere in its source (lazy and type-only too)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        found.update(t for t in targets if t in MODULES and t != module)
    return found


def cycles() -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), each a cycle of imports."""
    graph = {name: imports_of(name) for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def test_no_import_cycles() -> None:
    assert cycles() == []


def test_the_cycle_finder_finds_a_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the check above can fail: two modules importing each other are found
    package = tmp_path / "agentkit"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def f() -> None:\n    from .a import x\n")
    names = {
        "agentkit": package / "__init__.py",
        "agentkit.a": package / "a.py",
        "agentkit.b": package / "b.py",
    }
    monkeypatch.setattr(sys.modules[__name__], "MODULES", names)
    assert cycles() == [["agentkit.a", "agentkit.b"]]
