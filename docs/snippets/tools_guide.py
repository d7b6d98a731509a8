"""Code of the "Tools and schemas" guide; run by the test suite, so the guide cannot rot."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated, Literal

import pydantic
from pydantic import Field

from agentkit import Tool, Toolbox, ToolContext, ToolError, tool
from agentkit.tools import image


# --8<-- [start:basic]
@tool
def get_weather(city: str, unit: Literal["c", "f"] = "c") -> str:
    """Current weather for a city.

    Args:
        city: City name, e.g. "Paris".
        unit: Temperature unit.
    """
    return f"{city}: 18 degrees {unit}"


assert get_weather("Paris") == "Paris: 18 degrees c"  # still an ordinary function
assert get_weather.to_param() == {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": 'City name, e.g. "Paris".'},
            "unit": {
                "type": "string",
                "enum": ["c", "f"],
                "default": "c",
                "description": "Temperature unit.",
            },
        },
        "required": ["city"],
        "additionalProperties": False,
    },
}
# --8<-- [end:basic]


# --8<-- [start:types]
class Priority(enum.Enum):
    LOW = "low"
    HIGH = "high"


class Address(pydantic.BaseModel):
    street: str
    city: str


@tool
def create_ticket(
    title: Annotated[str, Field(max_length=80, description="One-line summary")],
    priority: Priority,
    due: datetime.date,
    ship_to: Address | None = None,
    tags: list[str] | None = None,
) -> dict[str, object]:
    """Open a support ticket."""
    return {"title": title, "priority": priority.value, "due": due.isoformat()}


call = create_ticket.bind(
    {
        "title": "Printer on fire",
        "priority": "high",
        "due": "2026-12-01",
        "ship_to": {"street": "1 Main St", "city": "Lisbon"},
    }
)
assert not isinstance(call, str)
assert call.kwargs["priority"] is Priority.HIGH  # an Enum member, not a string
assert call.kwargs["due"] == datetime.date(2026, 12, 1)  # a date
assert isinstance(call.kwargs["ship_to"], Address)  # the model, not a dict
# --8<-- [end:types]


# --8<-- [start:docstyles]
@tool
def numpy_style(path: str, lines: int = 10) -> str:
    """Show the start of a file.

    Parameters
    ----------
    path : str
        The file to read.
    lines : int
        How many lines.
    """
    return path


@tool
def rest_style(path: str) -> str:
    """Delete a file.

    :param path: The file to delete.
    :returns: What was deleted.
    """
    return path


assert numpy_style.description == "Show the start of a file."
assert numpy_style.input_schema["properties"]["lines"]["description"] == "How many lines."
assert rest_style.input_schema["properties"]["path"]["description"] == "The file to delete."
# --8<-- [end:docstyles]


# --8<-- [start:invalid]
result = Toolbox([get_weather]).run(
    {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "get_weather",
        "input": {"city": "Paris", "unit": "kelvin"},
    }
)
assert result["is_error"] is True
assert "unit: 'kelvin' is not one of ['c', 'f']" in str(result["content"])
# --8<-- [end:invalid]


# --8<-- [start:errors]
@tool(timeout=5.0)
def refund(order_id: str, amount: float) -> str:
    """Refund an order."""
    if amount > 100:
        raise ToolError("Refunds over 100 need a manager: ask the user to call support.")
    return f"refunded {amount} on {order_id}"


answer = Toolbox([refund]).run(
    {
        "type": "tool_use",
        "id": "toolu_2",
        "name": "refund",
        "input": {"order_id": "A-1", "amount": 250},
    }
)
assert answer == {
    "type": "tool_result",
    "tool_use_id": "toolu_2",
    "is_error": True,
    "content": "Refunds over 100 need a manager: ask the user to call support.",
}
# --8<-- [end:errors]


# --8<-- [start:context]
@tool
def whoami(context: ToolContext[dict[str, str]]) -> str:
    """The name of the signed-in user."""
    return context.deps["user"]


assert "context" not in whoami.input_schema["properties"]  # the model never sees it
reply = Toolbox([whoami]).run(
    {"type": "tool_use", "id": "toolu_3", "name": "whoami", "input": {}}, deps={"user": "ada"}
)
assert reply["content"] == "ada"
# --8<-- [end:context]


# --8<-- [start:other]
def lookup(sku: str) -> str:
    return f"{sku}: 3 in stock"


by_hand = Tool.from_schema(
    "lookup",
    {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]},
    lookup,
    description="Stock level of a product.",
)


class Move(pydantic.BaseModel):
    """Move a chess piece."""

    start: str
    end: str


from_model = Tool.from_model(Move, lambda move: f"{move.start}-{move.end}")
strict = Tool.from_function(get_weather.fn, name="get_weather_strict", strict=True)
tools = Toolbox([by_hand, from_model, strict])
assert tools.names == ["lookup", "move", "get_weather_strict"]
assert tools.params()[2]["strict"] is True
chart = image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)  # a tool may return image blocks
assert chart["source"]["media_type"] == "image/png"  # type: ignore[typeddict-item]
# --8<-- [end:other]
