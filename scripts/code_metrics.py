"""Size figures of the agentkit package: modules, functions, `# type: ignore`s.

Run from the project root: `python scripts/code_metrics.py [--json]`. Used for the notes on
structural changes (before/after figures); it reads source as text and imports nothing.
"""

from __future__ import annotations

import ast
import json
import statistics
import sys
from pathlib import Path

PKG = Path("agentkit")


def function_lengths(tree: ast.AST) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                out.append((name, (child.end_lineno or child.lineno) - child.lineno + 1))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return out


def main() -> int:
    modules: dict[str, int] = {}
    functions: list[tuple[str, int]] = []
    ignores = 0
    for path in sorted(PKG.rglob("*.py")):
        text = path.read_text()
        modules[str(path)] = len(text.splitlines())
        ignores += text.count("# type: ignore")
        functions += [(f"{path}:{n}", size) for n, size in function_lengths(ast.parse(text))]
    sizes = sorted(size for _, size in functions)
    p90 = statistics.quantiles(sizes, n=10)[-1]
    figures = {
        "modules": len(modules),
        "lines": sum(modules.values()),
        "largest_modules": sorted(modules.items(), key=lambda kv: -kv[1])[:5],
        "functions": len(sizes),
        "function_median": statistics.median(sizes),
        "function_p90": p90,
        "function_max": sizes[-1],
        "longest_functions": sorted(functions, key=lambda kv: -kv[1])[:5],
        "type_ignores": ignores,
    }
    if "--json" in sys.argv:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
