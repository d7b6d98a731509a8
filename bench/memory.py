"""Memory: RSS after import and over many requests / agent runs, each contender in its own process.

    python -m bench.memory [--requests 1000] [--runs 500]

"Flat" means no growth after warm-up: RSS after the work minus RSS after the warm-up.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from bench._server_process import loopback_server

CONTENDERS = {
    "requests": ["agentkit", "anthropic SDK", "raw httpx"],
    "agent runs": ["agentkit Agent", "anthropic tool_runner", "pydantic-ai Agent.run"],
}


def rss_mb() -> float:
    """Current resident set size of this process, in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _workload(name: str, base_url: str) -> Any:
    from bench import agent_loop, client

    if name == "agentkit":
        return client.agentkit_create(base_url)
    if name == "anthropic SDK":
        return client.sdk_create(base_url)
    if name == "raw httpx":
        return client.raw_create(base_url)
    if name == "agentkit Agent":
        return agent_loop.agentkit_sync(base_url)
    if name == "anthropic tool_runner":
        return agent_loop.sdk_tool_runner(base_url)
    run = agent_loop.pydantic_ai_agent(base_url, 1)
    if run is None:
        raise SystemExit(3)
    return run


def child(name: str, base_url: str, count: int) -> None:
    """Runs in the subprocess: warm up, then `count` operations; prints RSS figures as JSON."""
    import warnings

    warnings.simplefilter("ignore")
    before_import = rss_mb()
    work = _workload(name, base_url)
    imported = rss_mb()
    for _ in range(max(20, count // 10)):
        work()
    warm = rss_mb()
    for _ in range(count):
        work()
    done = rss_mb()
    print(json.dumps({"start": before_import, "imported": imported, "warm": warm, "done": done}))


def measure(base_url: str, name: str, count: int) -> dict[str, float] | None:
    """One contender in a fresh interpreter."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.memory",
            "--child",
            name,
            "--url",
            base_url,
            "--count",
            str(count),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode == 3:
        return None
    if result.returncode != 0:
        raise RuntimeError(f"{name}: {result.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every contender and print RSS after warm-up and the growth over the work."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--count", type=int)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.url, args.count)
        return {}
    figures: dict[str, Any] = {}
    with loopback_server() as base_url:
        for group, names in CONTENDERS.items():
            count = args.requests if group == "requests" else args.runs
            print(f"## memory over {count} {group} (RSS, MB)\n")
            print(f"{'contender':28} {'imported':>9} {'warm':>9} {'done':>9} {'growth':>9}")
            for name in names:
                result = measure(base_url, name, count)
                if result is None:
                    print(f"{name:28} (not installed)")
                    continue
                growth = result["done"] - result["warm"]
                figures[name] = {**result, "growth": growth, "count": count}
                print(
                    f"{name:28} {result['imported']:9.1f} {result['warm']:9.1f} "
                    f"{result['done']:9.1f} {growth:+9.1f}"
                )
            print()
    return figures


if __name__ == "__main__":
    main()
