"""Output types of every kind, shared by the structured-output tests of the offline models."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Item(BaseModel):
    """An invoice line."""

    name: str = Field(min_length=3, description="What was sold.")
    price: float = Field(ge=10, le=20)
    quantity: int = Field(default=5, gt=0, multiple_of=5)


class Invoice(BaseModel):
    number: str = Field(pattern=r"^INV-\d{4}$")
    issued: datetime.date
    due: datetime.datetime | None = None
    customer_id: uuid.UUID
    colour: Colour
    items: list[Item] = Field(min_length=1)
    notes: list[str] = []


class Node(BaseModel):
    value: int
    children: list[Node] = []
    parent: Node | None = None


class Chain(BaseModel):
    """Recursion that only a nullable field ends."""

    label: str
    next: Chain | None


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Movie(typing.TypedDict):
    title: str
    year: int


class Cat(BaseModel):
    kind: Literal["cat"]
    meows: int


class Dog(BaseModel):
    kind: Literal["dog"]
    barks: int


OUTPUT_TYPES: dict[str, Any] = {
    "model": Invoice,
    "dataclass": Point,
    "typeddict": Movie,
    "list of models": list[Item],
    "literal": Literal["spam", "ham"],
    "union of models": Cat | Dog,
    "optional model": Item | None,
    "mixed union": int | Item,
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
    "date": datetime.date,
    "enum": Colour,
    "recursive": Node,
    "recursive through a nullable field": Chain,
    "list of recursive": list[Node],
}
"""One output type of each kind, by test id."""
