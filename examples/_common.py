"""What every example shares: `--live` / `--offline`, and picking the client."""

from __future__ import annotations

import argparse
import os
from typing import Any

from agentkit import Anthropic, AsyncAnthropic
from agentkit.testing import MockModel

MODEL = os.environ.get("AGENTKIT_EXAMPLE_MODEL", "claude-sonnet-4-5")


def parse_args(description: str, argv: list[str] | None = None, **extra: Any) -> argparse.Namespace:
    """`--live` uses the real API (needs ANTHROPIC_API_KEY); the default is offline."""
    parser = argparse.ArgumentParser(description=description.strip().splitlines()[0])
    parser.add_argument("--live", action="store_true", help="call the real API")
    for flag, options in extra.items():
        parser.add_argument(f"--{flag.replace('_', '-')}", **options)
    return parser.parse_args(argv)


def client_for(args: argparse.Namespace, offline: MockModel) -> Anthropic:
    """The real client with --live, else one wired to the offline model; says which."""
    if args.live:
        print(f"[live: Claude API, model {MODEL}]")
        return Anthropic()
    print("[offline: an agentkit.testing model answers; pass --live for Claude]")
    return offline.client()


def async_client_for(args: argparse.Namespace, offline: MockModel) -> AsyncAnthropic:
    """The async twin of `client_for`."""
    if args.live:
        print(f"[live: Claude API, model {MODEL}]")
        return AsyncAnthropic()
    print("[offline: an agentkit.testing model answers; pass --live for Claude]")
    return offline.async_client()
