"""Small helpers shared by the sync drivers."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

import anyio

__all__ = ["call_maybe_async", "run_async_in_thread"]


def run_async_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """Run an async function to completion on a new thread with its own event loop.

    Works whether or not the calling thread already runs an event loop.
    """
    box: dict[str, Any] = {}

    def main() -> None:
        try:
            box["value"] = anyio.run(fn, *args)
        except BaseException as exc:  # handed back to the calling thread
            box["error"] = exc

    thread = threading.Thread(target=main, name="agentkit-async", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


async def _await(awaitable: Any) -> Any:
    return await awaitable


def call_maybe_async(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call `fn` from sync code; if it is async (returns an awaitable), wait for the result."""
    result = fn(*args, **kwargs)
    if inspect.isawaitable(result):
        return run_async_in_thread(_await, result)
    return result
