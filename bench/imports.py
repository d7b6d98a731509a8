"""Import cost, whole process: wall time (median of N runs, contenders alternated) and RSS.

    python -m bench.imports [--runs 15]

Each contender is a fresh `python -c "<statement>"`; the interpreter's own start-up is measured
too (`pass`) so the table can show import cost both with and without it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CONTENDERS: dict[str, str] = {
    "python (no imports)": "pass",
    "deps floor: httpx, pydantic, anyio": "import httpx, pydantic, anyio",
    "deps + pydantic.BaseModel loaded": "import httpx, anyio; from pydantic import BaseModel",
    "agentkit": "import agentkit",
    "agentkit + client touched": "import agentkit; agentkit.Anthropic; agentkit.Message",
    "from agentkit import Agent, tool": "from agentkit import Agent, tool",
    "anthropic (official SDK)": "import anthropic",
    "pydantic_ai": "import pydantic_ai",
}

# Current RSS from /proc (ru_maxrss would include the parent's size at fork time).
RSS_SNIPPET = (
    "; import os, sys; "
    "sys.stdout.write(str(int(open('/proc/self/statm').read().split()[1]) "
    "* os.sysconf('SC_PAGE_SIZE') // 1024))"
)


def _available(statement: str) -> bool:
    result = subprocess.run([sys.executable, "-c", statement], capture_output=True)
    return result.returncode == 0


def measure(runs: int) -> dict[str, dict[str, float]]:
    """Median/min/max wall seconds and peak RSS (MB) per contender, alternating contenders."""
    present = {name: stmt for name, stmt in CONTENDERS.items() if _available(stmt)}
    times: dict[str, list[float]] = {name: [] for name in present}
    rss: dict[str, list[float]] = {name: [] for name in present}
    for _ in range(runs):
        for name, statement in present.items():
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", statement + RSS_SNIPPET],
                capture_output=True,
                text=True,
                check=True,
            )
            times[name].append(time.perf_counter() - start)
            rss[name].append(int(out.stdout.strip()) / 1024)
    return {
        name: {
            "median_s": statistics.median(values),
            "min_s": min(values),
            "max_s": max(values),
            "rss_mb": statistics.median(rss[name]),
        }
        for name, values in times.items()
    }


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Print the import-time table with ratios to the deps floor and to the official SDK."""
    parser = argparse.ArgumentParser(description="Whole-process import time and RSS.")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    results = measure(args.runs)
    floor = results["deps floor: httpx, pydantic, anyio"]["median_s"]
    sdk = results.get("anthropic (official SDK)", {}).get("median_s")
    print(f"{'contender':38} {'median':>8} {'min-max':>15} {'RSS MB':>7} {'/floor':>7} {'/SDK':>6}")
    for name, r in results.items():
        ratio_sdk = f"{r['median_s'] / sdk:6.2f}" if sdk else "   n/a"
        print(
            f"{name:38} {r['median_s'] * 1000:6.0f}ms "
            f"{r['min_s'] * 1000:6.0f}-{r['max_s'] * 1000:<6.0f}ms {r['rss_mb']:7.1f} "
            f"{r['median_s'] / floor:7.2f} {ratio_sdk}"
        )
    return results


if __name__ == "__main__":
    main()
