"""agentkit tools to serve over MCP in the round-trip tests (`python served_tools.py [--http]`)."""

from __future__ import annotations

import sys
from typing import Any, Literal

from pydantic import BaseModel

from agentkit import Toolbox, ToolError
from agentkit.tools import image

box = Toolbox()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


class Forecast(BaseModel):
    city: str
    high: int
    unit: Literal["c", "f"]


@box.tool
def forecast(city: str, unit: Literal["c", "f"] = "c", days: int = 1) -> Forecast:
    """The forecast for a city.

    Args:
        city: The city.
        unit: Temperature unit.
        days: How many days ahead.
    """
    return Forecast(city=city, high=21 + days, unit=unit)


@box.tool
async def shout(text: str) -> str:
    """Upper-case the text."""
    return text.upper()


@box.tool
def chart() -> Any:
    """A tiny chart, and a caption."""
    return [image(PNG), {"type": "text", "text": "a chart"}]


@box.tool
def items(count: int) -> list[int]:
    """A list of numbers."""
    return list(range(count))


@box.tool
def fail(why: str) -> str:
    """Fail with a reason."""
    raise ToolError(f"cannot: {why}")


if __name__ == "__main__":
    from agentkit.mcp import serve

    if "--http" in sys.argv:
        serve(box, transport="http", port=0, ready=lambda url: print(url, flush=True))
    else:
        serve(box)
