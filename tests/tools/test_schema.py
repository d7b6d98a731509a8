"""Schemas from signatures (a table of signatures with their exact `input_schema`), the
decoration-time checks, hand-written schemas, pydantic-model tools, strict mode, `to_param()`,
and a tool staying callable exactly like the function it wraps."""

import enum
import inspect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union
from uuid import UUID

import anyio
import anyio.lowlevel
import jsonschema
import pydantic
import pytest
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

import agentkit
import agentkit.tools
from agentkit import Tool, Toolbox, ToolContext, ToolDefinitionWarning, UsageError, tool
from agentkit.tools._tool import BoundCall
from tests.tools import _signatures_future as future

# the schemas of untyped parameters are tested here; their warning in test_tool_warnings.py
pytestmark = pytest.mark.filterwarnings(
    "ignore:tool '[^']*'. parameter '[^']*' has no type hint:agentkit.tools.ToolDefinitionWarning"
)

# --- types used by the signatures -------------------------------------------------------------


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Item(BaseModel):
    """An item.

    Attributes:
        sku: Stock keeping unit.
    """

    sku: str
    qty: int = 1


class Order(BaseModel):
    items: list[Item]
    note: str | None = None


class Tree(BaseModel):
    label: str
    children: list["Tree"] = []


@dataclass
class Point:
    """A point.

    Args:
        x: Horizontal.
        y: Vertical.
    """

    x: float
    y: float = 0.0


class Movie(TypedDict):
    title: str
    year: int


class Book(BaseModel):
    model_config = ConfigDict(title="A Book")

    title: str = Field(title="Book title")
    pages: int = Field(title="Page count", ge=1)


class Deps:
    pass


# --- the signatures ---------------------------------------------------------------------------


def s_str(text: str) -> str:
    return text


def s_scalars(count: int, ratio: float, flag: bool, nothing: None) -> str:
    return f"{count} {ratio} {flag} {nothing}"


def s_optional(query: str, limit: int | None = None) -> str:
    return f"{query} {limit}"


def s_typing_optional(cursor: Optional[str] = None) -> str:  # noqa: UP045
    return str(cursor)


def s_union(value: Union[int, str]) -> str:  # noqa: UP007
    return str(value)


def s_nullable_required(value: str | None) -> str:
    return str(value)


def s_literal(unit: Literal["c", "f"] = "c") -> str:
    return unit


def s_literal_int(level: Literal[1, 2, 3]) -> int:
    return level


def s_mixed_literal(mode: Literal["auto", 0, True]) -> str:
    return str(mode)


def s_str_enum(color: Color) -> str:
    return color.value


def s_int_enum(priority: Priority = Priority.LOW) -> int:
    return int(priority)


def s_list(tags: list[str]) -> int:
    return len(tags)


def s_tuple(pair: tuple[int, str], rest: tuple[float, ...] = ()) -> int:
    return len(rest)


def s_set(ids: set[int], names: frozenset[str]) -> int:
    return len(ids) + len(names)


def s_dict(scores: dict[str, float]) -> int:
    return len(scores)


def s_model(item: Item) -> str:
    return item.sku


def s_nested_models(order: Order, backup: Item | None = None) -> int:
    return len(order.items)


def s_optional_models(item: Item | None = None, items: list[Item] | None = None) -> str:
    return str(item)


def s_dataclass(point: Point) -> float:
    return point.x


def s_typeddict(movie: Movie) -> str:
    return movie["title"]


def s_recursive(tree: Tree) -> str:
    return tree.label


def s_annotated(
    score: Annotated[int, Field(description="Score in percent.", ge=0, le=100)],
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$", min_length=3)],
) -> str:
    return f"{score} {code}"


def s_formats(day: date, at: datetime, ident: UUID, path: Path) -> str:
    return f"{day} {at} {ident} {path}"


def s_defaults(name: str = "world", times: int = 3, loud: bool = False, ratio: float = 0.5) -> str:
    return name * times


def s_keyword_only(query: str, *, limit: int = 10, exact: bool) -> str:
    return query


def s_positional_only(a: int, b: int = 2, /, c: int = 3) -> int:
    return a + b + c


def s_no_params() -> str:
    return "pong"


def s_context(ctx: ToolContext[Deps], query: str) -> str:
    return query


def s_docstring(city: str, days: int = 1) -> str:
    """Forecast for a city.

    Uses the national weather service.

    Args:
        city: City name, e.g. "Paris".
        days: Number of days,
            at most 7.

    Returns:
        The forecast text.
    """
    return city


def s_field_wins(
    city: Annotated[str, Field(description="From Field.")],
    unit: Annotated[str, Field(min_length=1)] = "c",
) -> str:
    """Weather.

    :param city: From the docstring.
    :param unit: Unit from the docstring.
    """
    return city


def s_title_property(title: str, subtitle: str | None = None) -> str:
    return title


def s_titled_model(book: Book) -> str:
    return book.title


def s_untyped(anything, count=2):  # type: ignore[no-untyped-def]
    return anything


# --- the table --------------------------------------------------------------------------------

ITEM_DEF = {
    "description": "An item.",
    "properties": {"sku": {"type": "string"}, "qty": {"default": 1, "type": "integer"}},
    "required": ["sku"],
    "type": "object",
}
LATER_ITEM_DEF = {
    "properties": {
        "name": {"type": "string"},
        "tags": {"default": [], "items": {"type": "string"}, "type": "array"},
    },
    "required": ["name"],
    "type": "object",
}


def obj(properties: dict[str, Any], required: list[str] | None = None, /, **extra: Any) -> Any:
    """A top-level tool schema, in the key order the generator uses."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    schema.update(extra)
    return schema


SCHEMAS: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (s_str, obj({"text": {"type": "string"}}, ["text"])),
    (
        s_scalars,
        obj(
            {
                "count": {"type": "integer"},
                "ratio": {"type": "number"},
                "flag": {"type": "boolean"},
                "nothing": {"type": "null"},
            },
            ["count", "ratio", "flag", "nothing"],
        ),
    ),
    (
        s_optional,
        obj(
            {
                "query": {"type": "string"},
                "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
            },
            ["query"],
        ),
    ),
    (
        s_typing_optional,
        obj({"cursor": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}}),
    ),
    (
        s_union,
        obj({"value": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}, ["value"]),
    ),
    (
        s_nullable_required,
        obj({"value": {"anyOf": [{"type": "string"}, {"type": "null"}]}}, ["value"]),
    ),
    (s_literal, obj({"unit": {"default": "c", "enum": ["c", "f"], "type": "string"}})),
    (s_literal_int, obj({"level": {"enum": [1, 2, 3], "type": "integer"}}, ["level"])),
    (s_mixed_literal, obj({"mode": {"enum": ["auto", 0, True]}}, ["mode"])),
    # Enums are inlined ("as enum"), not left as $refs into $defs
    (s_str_enum, obj({"color": {"enum": ["red", "green"], "type": "string"}}, ["color"])),
    (s_int_enum, obj({"priority": {"enum": [1, 2], "type": "integer", "default": 1}})),
    (s_list, obj({"tags": {"items": {"type": "string"}, "type": "array"}}, ["tags"])),
    (
        s_tuple,
        obj(
            {
                "pair": {
                    "maxItems": 2,
                    "minItems": 2,
                    "prefixItems": [{"type": "integer"}, {"type": "string"}],
                    "type": "array",
                },
                "rest": {"default": [], "items": {"type": "number"}, "type": "array"},
            },
            ["pair"],
        ),
    ),
    (
        s_set,
        obj(
            {
                "ids": {"items": {"type": "integer"}, "type": "array", "uniqueItems": True},
                "names": {"items": {"type": "string"}, "type": "array", "uniqueItems": True},
            },
            ["ids", "names"],
        ),
    ),
    (
        s_dict,
        obj(
            {"scores": {"additionalProperties": {"type": "number"}, "type": "object"}},
            ["scores"],
        ),
    ),
    (
        s_model,
        obj({"item": {"$ref": "#/$defs/Item"}}, ["item"], **{"$defs": {"Item": ITEM_DEF}}),
    ),
    (
        s_nested_models,
        obj(
            {
                "order": {"$ref": "#/$defs/Order"},
                "backup": {"anyOf": [{"$ref": "#/$defs/Item"}, {"type": "null"}], "default": None},
            },
            ["order"],
            **{
                "$defs": {
                    "Item": ITEM_DEF,
                    "Order": {
                        "properties": {
                            "items": {"items": {"$ref": "#/$defs/Item"}, "type": "array"},
                            "note": {
                                "anyOf": [{"type": "string"}, {"type": "null"}],
                                "default": None,
                            },
                        },
                        "required": ["items"],
                        "type": "object",
                    },
                }
            },
        ),
    ),
    (
        s_optional_models,
        obj(
            {
                "item": {"anyOf": [{"$ref": "#/$defs/Item"}, {"type": "null"}], "default": None},
                "items": {
                    "anyOf": [
                        {"items": {"$ref": "#/$defs/Item"}, "type": "array"},
                        {"type": "null"},
                    ],
                    "default": None,
                },
            },
            **{"$defs": {"Item": ITEM_DEF}},
        ),
    ),
    (
        s_dataclass,
        obj(
            {"point": {"$ref": "#/$defs/Point"}},
            ["point"],
            **{
                "$defs": {
                    "Point": {
                        # the input model forbids extra keys; pydantic applies that to
                        # dataclasses and TypedDicts, and the schema says so
                        "additionalProperties": False,
                        "description": "A point.",
                        "properties": {
                            "x": {"type": "number"},
                            "y": {"default": 0.0, "type": "number"},
                        },
                        "required": ["x"],
                        "type": "object",
                    }
                }
            },
        ),
    ),
    (
        s_typeddict,
        obj(
            {"movie": {"$ref": "#/$defs/Movie"}},
            ["movie"],
            **{
                "$defs": {
                    "Movie": {
                        "additionalProperties": False,
                        "properties": {"title": {"type": "string"}, "year": {"type": "integer"}},
                        "required": ["title", "year"],
                        "type": "object",
                    }
                }
            },
        ),
    ),
    (
        s_recursive,
        obj(
            {"tree": {"$ref": "#/$defs/Tree"}},
            ["tree"],
            **{
                "$defs": {
                    "Tree": {
                        "properties": {
                            "label": {"type": "string"},
                            "children": {
                                "default": [],
                                "items": {"$ref": "#/$defs/Tree"},
                                "type": "array",
                            },
                        },
                        "required": ["label"],
                        "type": "object",
                    }
                }
            },
        ),
    ),
    (
        s_annotated,
        obj(
            {
                "score": {
                    "description": "Score in percent.",
                    "maximum": 100,
                    "minimum": 0,
                    "type": "integer",
                },
                "code": {"minLength": 3, "pattern": "^[A-Z]{3}$", "type": "string"},
            },
            ["score", "code"],
        ),
    ),
    (
        s_formats,
        obj(
            {
                "day": {"format": "date", "type": "string"},
                "at": {"format": "date-time", "type": "string"},
                "ident": {"format": "uuid", "type": "string"},
                "path": {"format": "path", "type": "string"},
            },
            ["day", "at", "ident", "path"],
        ),
    ),
    (
        s_defaults,
        obj(
            {
                "name": {"default": "world", "type": "string"},
                "times": {"default": 3, "type": "integer"},
                "loud": {"default": False, "type": "boolean"},
                "ratio": {"default": 0.5, "type": "number"},
            }
        ),
    ),
    (
        s_keyword_only,
        obj(
            {
                "query": {"type": "string"},
                "limit": {"default": 10, "type": "integer"},
                "exact": {"type": "boolean"},
            },
            ["query", "exact"],
        ),
    ),
    (
        s_positional_only,
        obj(
            {
                "a": {"type": "integer"},
                "b": {"default": 2, "type": "integer"},
                "c": {"default": 3, "type": "integer"},
            },
            ["a"],
        ),
    ),
    (s_no_params, obj({})),
    (s_context, obj({"query": {"type": "string"}}, ["query"])),
    (
        s_docstring,
        obj(
            {
                "city": {"description": 'City name, e.g. "Paris".', "type": "string"},
                "days": {
                    "default": 1,
                    "description": "Number of days, at most 7.",
                    "type": "integer",
                },
            },
            ["city"],
        ),
    ),
    (
        s_field_wins,
        obj(
            {
                "city": {"description": "From Field.", "type": "string"},
                "unit": {
                    "default": "c",
                    "description": "Unit from the docstring.",
                    "minLength": 1,
                    "type": "string",
                },
            },
            ["city"],
        ),
    ),
    (
        s_title_property,
        obj(
            {
                "title": {"type": "string"},
                "subtitle": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            },
            ["title"],
        ),
    ),
    (
        s_titled_model,
        obj(
            {"book": {"$ref": "#/$defs/Book"}},
            ["book"],
            **{
                "$defs": {
                    "Book": {
                        "properties": {
                            "title": {"type": "string"},
                            "pages": {"minimum": 1, "type": "integer"},
                        },
                        "required": ["title", "pages"],
                        "type": "object",
                    }
                }
            },
        ),
    ),
    (s_untyped, obj({"anything": {}, "count": {"default": 2}}, ["anything"])),
    # from __future__ import annotations, forward references to classes defined later
    (
        future.fwd_model,
        obj(
            {
                "item": {"$ref": "#/$defs/LaterItem", "description": "The item to store."},
                "count": {"default": 1, "description": "How many copies.", "type": "integer"},
            },
            ["item"],
            **{"$defs": {"LaterItem": LATER_ITEM_DEF}},
        ),
    ),
    (
        future.fwd_optional_list,
        obj(
            {
                "items": {
                    "anyOf": [
                        {"items": {"$ref": "#/$defs/LaterItem"}, "type": "array"},
                        {"type": "null"},
                    ],
                    "default": None,
                }
            },
            **{"$defs": {"LaterItem": LATER_ITEM_DEF}},
        ),
    ),
    (
        future.fwd_recursive,
        obj(
            {"root": {"$ref": "#/$defs/LaterNode"}},
            ["root"],
            **{
                "$defs": {
                    "LaterNode": {
                        "properties": {
                            "value": {"type": "integer"},
                            "next": {
                                "anyOf": [{"$ref": "#/$defs/LaterNode"}, {"type": "null"}],
                                "default": None,
                            },
                        },
                        "required": ["value"],
                        "type": "object",
                    }
                }
            },
        ),
    ),
    (future.fwd_context, obj({"query": {"type": "string"}}, ["query"])),
    (
        future.fwd_annotated,
        obj(
            {
                "page": {"description": "Page number.", "minimum": 1, "type": "integer"},
                "when": {
                    "anyOf": [{"format": "date", "type": "string"}, {"type": "null"}],
                    "default": None,
                },
                "order": {"default": "asc", "enum": ["asc", "desc"], "type": "string"},
            },
            ["page"],
        ),
    ),
]


def _ids() -> list[str]:
    return [fn.__name__ for fn, _ in SCHEMAS]


def test_the_table_is_big_enough() -> None:
    assert len(SCHEMAS) >= 30
    assert len(set(_ids())) == len(SCHEMAS)


@pytest.mark.parametrize(("fn", "expected"), SCHEMAS, ids=_ids())
def test_schema_from_signature(fn: Callable[..., Any], expected: dict[str, Any]) -> None:
    made = tool(fn)
    assert made.input_schema == expected
    jsonschema.Draft202012Validator.check_schema(made.input_schema)
    assert json.loads(json.dumps(made.input_schema)) == made.input_schema
    # what the API gets is exactly that schema, and the tool is named after the function
    assert made.to_param()["input_schema"] == expected
    assert made.name == fn.__name__
    assert [w for w in made.warnings if "no description" not in w and "no type hint" not in w] == []


def _keywords(schema: Any) -> Iterator[tuple[str, Any]]:
    """Every (keyword, value) of every subschema; property *names* are not keywords."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            yield key, value
            if key in ("properties", "$defs"):
                for sub in value.values():
                    yield from _keywords(sub)
            elif key in ("items", "additionalProperties", "not"):
                yield from _keywords(value)
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
                for sub in value:
                    yield from _keywords(sub)


def _objects(schema: Any) -> Iterator[dict[str, Any]]:
    """Every subschema that describes an object."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            yield schema
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for sub in value.values():
                    yield from _objects(sub)
            elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
                yield from _objects(value)
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
                for sub in value:
                    yield from _objects(sub)


def test_titles_are_stripped_everywhere_but_a_property_named_title_stays() -> None:
    for fn, _ in SCHEMAS:
        assert "title" not in dict(_keywords(tool(fn).input_schema)), fn.__name__
    assert "title" in tool(s_title_property).input_schema["properties"]
    book = tool(s_titled_model).input_schema["$defs"]["Book"]
    assert list(book["properties"]) == ["title", "pages"]
    movie = tool(s_typeddict).input_schema["$defs"]["Movie"]
    assert "title" in movie["properties"]


def test_class_docstring_sections_do_not_leak_into_defs() -> None:
    schema = tool(s_model).input_schema
    assert schema["$defs"]["Item"]["description"] == "An item."
    point = tool(s_dataclass).input_schema["$defs"]["Point"]
    assert point["description"] == "A point."
    text = json.dumps([tool(s_model).input_schema, tool(s_dataclass).input_schema])
    assert "Attributes" not in text
    assert "Args" not in text


def test_a_class_docstring_that_is_only_sections_gives_no_description() -> None:
    class OnlySections(BaseModel):
        """Args:
        a: The a.
        """

        a: int

    def use(value: OnlySections) -> int:
        return value.a

    assert tool(use).input_schema["$defs"]["OnlySections"] == {
        "properties": {"a": {"type": "integer"}},
        "required": ["a"],
        "type": "object",
    }


def test_required_is_exactly_the_parameters_without_defaults() -> None:
    for fn, _ in SCHEMAS:
        made = tool(fn)
        without_default = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.default is inspect.Parameter.empty and p.name in made.input_schema["properties"]
        ]
        assert made.input_schema.get("required", []) == without_default, fn.__name__


def test_descriptions_from_the_docstring() -> None:
    made = tool(s_docstring)
    assert made.description == "Forecast for a city.\n\nUses the national weather service."
    assert tool(s_field_wins).description == "Weather."
    assert tool(future.fwd_model).description == "Store an item."
    assert tool(s_str).description is None
    assert "description" not in tool(s_str).to_param()


# --- decoration-time checks -------------------------------------------------------------------


def test_var_positional_is_refused_at_decoration() -> None:
    def search(*queries: str) -> str:
        return " ".join(queries)

    with pytest.raises(UsageError, match=r"takes \*queries"):
        tool(search)


def test_var_keyword_is_refused_at_decoration() -> None:
    def search(query: str, **options: Any) -> str:
        return query

    with pytest.raises(UsageError, match=r"takes \*\*options"):
        tool(search)
    with pytest.raises(UsageError, match=r"takes \*\*options"):
        Toolbox().add(search)


@pytest.mark.parametrize(
    "name",
    ["x" * 65, "has space", "dots.not.allowed", "ünïcode", "<lambda>"],
)
def test_invalid_names_are_refused(name: str) -> None:
    with pytest.raises(UsageError, match="invalid tool name"):
        tool(name=name)(s_str)


def test_a_lambda_needs_a_name() -> None:
    with pytest.raises(UsageError, match=r"invalid tool name '<lambda>'.*pass name="):
        tool(lambda text: text)
    assert tool(name="echo")(lambda text: text).name == "echo"


@pytest.mark.parametrize("name", ["x" * 64, "a", "get-weather_2", "ABC"])
def test_valid_names(name: str) -> None:
    assert tool(name=name)(s_str).name == name


def test_name_and_description_overrides() -> None:
    made = tool(name="forecast", description="Weather, briefly.")(s_docstring)
    assert made.name == "forecast"
    assert made.description == "Weather, briefly."
    assert made.to_param()["description"] == "Weather, briefly."
    # the docstring still documents the parameters
    assert made.input_schema["properties"]["city"]["description"] == 'City name, e.g. "Paris".'


def test_an_empty_description_override_sends_none() -> None:
    made = tool(description="")(s_docstring)
    assert made.description is None
    assert "description" not in made.to_param()


def test_types_without_a_schema_are_refused() -> None:
    class Opaque:
        pass

    def takes_opaque(value: Opaque) -> None:
        return None

    def takes_callable(value: Callable[[int], int]) -> None:
        return None

    with pytest.raises(UsageError, match="pydantic cannot use"):
        tool(takes_opaque)
    with pytest.raises(UsageError, match="no JSON Schema for its parameters"):
        tool(takes_callable)


def test_unresolvable_hints_are_refused_on_first_use() -> None:
    def lookup(value):  # type: ignore[no-untyped-def]
        return value

    lookup.__annotations__ = {"value": "Missing"}
    deferred = tool(lookup)  # a forward reference may still be defined later
    assert deferred.name == "lookup"
    with pytest.raises(UsageError, match="cannot resolve the type hints.*'Missing'"):
        deferred.to_param()
    with pytest.raises(UsageError, match="'Missing'"):  # and again: still unresolved
        _ = deferred.input_schema
    lookup.__globals__["Missing"] = int
    try:
        assert deferred.input_schema["properties"] == {"value": {"type": "integer"}}
        assert deferred(3) == 3
    finally:
        del lookup.__globals__["Missing"]


def test_forward_reference_to_a_later_class() -> None:
    from tests.tools import _forward_later

    assert _forward_later.early.input_schema["properties"]["x"] == {"$ref": "#/$defs/Later"}
    result = Toolbox([_forward_later.early]).run(
        {"type": "tool_use", "id": "t", "name": "early", "input": {"x": {"name": "a"}}}
    )
    assert result["content"] == "a"


def test_not_a_function() -> None:
    with pytest.raises(UsageError, match="needs a function"):
        Tool.from_function(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": 0}, "timeout must be a positive"),
        ({"timeout": -1.0}, "timeout must be a positive"),
        ({"timeout": True}, "timeout must be a positive"),
        ({"max_result_chars": 0}, "max_result_chars must be a positive int"),
        ({"max_result_chars": 1.5}, "max_result_chars must be a positive int"),
        ({"max_result_chars": True}, "max_result_chars must be a positive int"),
    ],
)
def test_invalid_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Tool.from_function(s_str, **options)


def test_options_are_kept() -> None:
    made = tool(timeout=2.5, max_result_chars=500, requires_approval=True)(s_str)
    assert (made.timeout, made.max_result_chars, made.requires_approval) == (2.5, 500, True)
    assert tool(s_str).timeout is None
    assert tool(s_str).max_result_chars == agentkit.tools.DEFAULT_MAX_RESULT_CHARS == 100_000


def test_every_option_is_kept_with_its_default() -> None:
    options = agentkit.tools.ToolOptions.__optional_keys__
    assert options == agentkit.tools.BaseToolOptions.__optional_keys__ | {"name", "description"}
    made = tool(s_str)
    for option in options:  # a new ToolOptions key needs its line in Tool.__init__
        assert hasattr(made, option), option
    assert (made.strict, made.cache_control, made.requires_approval) == (False, None, False)


class _Query(BaseModel):
    q: str


_MISSPELT: dict[str, Any] = {"timout": 5}  # typed Any: mypy would refuse the keyword


@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda: tool(**_MISSPELT), "tool"),
        (lambda: Tool.from_function(s_str, **_MISSPELT), "Tool.from_function"),
        (lambda: Tool.from_model(_Query, repr, **_MISSPELT), "Tool.from_model"),
        (lambda: Tool.from_schema("q", WEATHER_SCHEMA, dict, **_MISSPELT), "Tool"),
        (lambda: Toolbox().add(s_str, **_MISSPELT), "Toolbox.add"),
        (lambda: Toolbox().tool(**_MISSPELT), "Toolbox.tool"),
    ],
)
def test_a_misspelt_option_is_a_type_error(make: Callable[[], object], where: str) -> None:
    message = (
        rf"^{where}\(\) got an unexpected keyword argument 'timout' \(did you mean 'timeout'\?\)$"
    )
    with pytest.raises(TypeError, match=message):
        make()


def test_options_are_checked_keywords_for_type_checkers() -> None:
    # mypy --strict reports each call (an unneeded ignore would fail the type check)
    with pytest.raises(TypeError):
        tool(timeout="5", bogus=1)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        Toolbox().add(s_str, bogus=1)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        Tool.from_schema("q", WEATHER_SCHEMA, dict, name="other")  # type: ignore[misc]


def test_local_types_resolve_under_string_annotations() -> None:
    class Local(BaseModel):
        a: int

    def use(value: "Local") -> int:
        return value.a

    expected = {
        "properties": {"a": {"type": "integer"}},
        "required": ["a"],
        "type": "object",
    }
    assert tool(use).input_schema["$defs"]["Local"] == expected
    box = Toolbox()
    assert box.tool(use).input_schema["$defs"]["Local"] == expected
    assert box.tool(name="use2")(use).input_schema["$defs"]["Local"] == expected
    assert box.add(use, name="use3").input_schema["$defs"]["Local"] == expected
    assert Toolbox([use])["use"].input_schema["$defs"]["Local"] == expected


# --- hand-written schemas ---------------------------------------------------------------------

WEATHER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "City name."},
        "unit": {"enum": ["c", "f"]},
    },
    "required": ["city"],
    "additionalProperties": False,
}


def test_from_schema() -> None:
    calls: list[dict[str, Any]] = []

    def handler(**kwargs: Any) -> str:
        calls.append(kwargs)
        return "sunny"

    made = Tool.from_schema("weather", WEATHER_SCHEMA, handler, description="Weather.")
    assert made.input_schema == WEATHER_SCHEMA
    assert made.input_schema is not WEATHER_SCHEMA
    assert made.to_param() == {
        "name": "weather",
        "input_schema": WEATHER_SCHEMA,
        "description": "Weather.",
    }
    bound = made.bind({"city": "Paris", "unit": "c"})
    assert bound == BoundCall(args=(), kwargs={"city": "Paris", "unit": "c"})
    problem = made.bind({"unit": "k"})
    assert isinstance(problem, str)
    assert "'city' is a required property" in problem
    assert "unit: 'k' is not one of ['c', 'f']" in problem
    box = Toolbox([made])
    result = box.run(
        {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "X"}}
    )
    assert result == {"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}
    assert calls == [{"city": "X"}]


def test_from_schema_takes_tool_options() -> None:
    made = Tool.from_schema("weather", WEATHER_SCHEMA, dict, timeout=1.0, strict=True)
    assert made.timeout == 1.0
    assert made.strict


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"type": "object", "properties": {"x": {"type": "nope"}}},
            r"not valid JSON Schema \(2020-12\).* at properties\.x\.type",
        ),
        ({"type": "object", "required": "x"}, r"not valid JSON Schema.* at required"),
        ({"type": "object", "properties": {"x": {"minimum": "zero"}}}, "not valid JSON Schema"),
        ({"type": "array", "items": {"type": "string"}}, "top level must be.*got type 'array'"),
        ({"properties": {"x": {"type": "string"}}}, "top level must be.*got type None"),
    ],
)
def test_from_schema_refuses_invalid_schemas(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Tool.from_schema("bad", schema, dict)


def test_from_schema_refuses_an_invalid_name() -> None:
    with pytest.raises(UsageError, match="invalid tool name"):
        Tool.from_schema("bad name", WEATHER_SCHEMA, dict)


# --- pydantic model as the input --------------------------------------------------------------


class WeatherQuery(BaseModel):
    """Current weather for a city.

    Args:
        city: The city.
    """

    city: str = Field(title="City", min_length=1)
    unit: Literal["c", "f"] = "c"


def test_from_model() -> None:
    seen: list[WeatherQuery] = []

    def handler(query: WeatherQuery) -> str:
        seen.append(query)
        return f"{query.city}/{query.unit}"

    made = Tool.from_model(WeatherQuery, handler)
    assert made.name == "weather_query"
    assert made.description == "Current weather for a city."
    assert made.input_schema == {
        "properties": {
            "city": {"minLength": 1, "type": "string"},
            "unit": {"default": "c", "enum": ["c", "f"], "type": "string"},
        },
        "required": ["city"],
        "type": "object",
        "additionalProperties": False,
    }
    jsonschema.Draft202012Validator.check_schema(made.input_schema)
    bound = made.bind({"city": "Oslo"})
    assert isinstance(bound, BoundCall)
    assert bound.args == (WeatherQuery(city="Oslo"),)
    result = Toolbox([made]).run({"id": "t1", "name": "weather_query", "input": {"city": "Oslo"}})
    assert result["content"] == "Oslo/c"
    assert seen == [WeatherQuery(city="Oslo", unit="c")]


def test_from_model_options() -> None:
    made = Tool.from_model(WeatherQuery, repr, name="wq", description="Other.", strict=True)
    assert (made.name, made.description, made.strict) == ("wq", "Other.", True)
    assert made.input_schema["additionalProperties"] is False


def test_from_model_pydantic_validators_still_apply() -> None:
    class Positive(BaseModel):
        n: int

        @pydantic.field_validator("n")
        @classmethod
        def check(cls, value: int) -> int:
            if value <= 0:
                raise ValueError("must be positive")
            return value

    made = Tool.from_model(Positive, repr)
    problem = made.bind({"n": -1})
    assert isinstance(problem, str)
    assert "- n: Value error, must be positive" in problem


def test_from_model_without_a_docstring() -> None:
    class NoDoc(BaseModel):
        x: int

    made = Tool.from_model(NoDoc, repr)
    assert made.name == "no_doc"
    assert made.description is None
    assert "description" not in made.input_schema


# --- strict mode ------------------------------------------------------------------------------


class Line(BaseModel):
    sku: Annotated[str, Field(pattern=r"^[A-Z]+$")]
    qty: Annotated[int, Field(ge=1, le=9)] = 1


def strict_order(
    lines: Annotated[list[Line], Field(min_length=2, description="Order lines.")],
    priority: Annotated[int, Field(ge=0, le=5)] = 3,
    ship_on: date | None = None,
    path: Path = Path("out"),
    tags: Annotated[list[str], Field(min_length=1)] = ["x"],  # noqa: B006
) -> str:
    return f"{len(lines)} {priority}"


def test_strict_schema() -> None:
    made = tool(strict=True)(strict_order)
    assert [w for w in made.warnings if "no description" not in w and "no type hint" not in w] == []
    assert made.input_schema == {
        "type": "object",
        "properties": {
            "lines": {
                "description": "Order lines.\n\nConstraints: minItems=2",
                "items": {"$ref": "#/$defs/Line"},
                "type": "array",
            },
            "priority": {
                "type": "integer",
                "description": "Constraints: default=3, maximum=5, minimum=0",
            },
            "ship_on": {
                "anyOf": [{"format": "date", "type": "string"}, {"type": "null"}],
                "description": "Constraints: default=null",
            },
            "path": {"type": "string", "description": 'Constraints: default="out", format="path"'},
            "tags": {
                "items": {"type": "string"},
                "minItems": 1,
                "type": "array",
                "description": 'Constraints: default=["x"]',
            },
        },
        "required": ["lines"],
        "additionalProperties": False,
        "$defs": {
            "Line": {
                "properties": {
                    "sku": {"type": "string", "description": 'Constraints: pattern="^[A-Z]+$"'},
                    "qty": {
                        "type": "integer",
                        "description": "Constraints: default=1, maximum=9, minimum=1",
                    },
                },
                "required": ["sku"],
                "type": "object",
                "additionalProperties": False,
            }
        },
    }
    jsonschema.Draft202012Validator.check_schema(made.input_schema)
    keywords = {key for key, _ in _keywords(made.input_schema)}
    assert not keywords & {"minimum", "maximum", "pattern", "default"}
    assert all(o.get("additionalProperties") is False for o in _objects(made.input_schema))
    assert made.to_param()["strict"] is True
    # the full schema is kept for validation
    assert made.validation_schema == tool(strict_order).input_schema


def test_strict_constraints_are_still_enforced() -> None:
    made = tool(strict=True)(strict_order)
    problem = made.bind({"lines": [{"sku": "ab", "qty": 10}], "priority": 7, "tags": []})
    assert isinstance(problem, str)
    assert "- lines: [{'sku': 'ab', 'qty': 10}] is too short" in problem
    assert "- lines[0].qty: 10 is greater than the maximum of 9" in problem
    assert "- lines[0].sku: 'ab' does not match '^[A-Z]+$'" in problem
    assert "- priority: 7 is greater than the maximum of 5" in problem
    assert "- tags: [] should be non-empty" in problem
    bound = made.bind({"lines": [{"sku": "A"}, {"sku": "B", "qty": 2}], "ship_on": "2024-05-01"})
    assert isinstance(bound, BoundCall)
    assert bound.kwargs == {
        "lines": [Line(sku="A"), Line(sku="B", qty=2)],
        "ship_on": date(2024, 5, 1),
    }


def test_strict_closes_every_object_and_warns_about_free_form_keys() -> None:
    def tally(counts: dict[str, int], meta: Item) -> int:
        """Count the keys."""
        return len(counts)

    with pytest.warns(ToolDefinitionWarning, match="strict mode allows no free-form") as record:
        made = tool(strict=True)(tally)
    assert record[0].filename == __file__
    assert made.warnings == [
        "strict mode allows no free-form object keys (additionalProperties); "
        "the model can only send the declared properties"
    ]
    assert made.input_schema["properties"]["counts"] == {
        "type": "object",
        "additionalProperties": False,
        "description": 'Constraints: additionalProperties={"type": "integer"}',
    }
    assert made.input_schema["$defs"]["Item"]["additionalProperties"] is False
    assert all(o.get("additionalProperties") is False for o in _objects(made.input_schema))
    # our side still accepts free-form keys, as the function's signature says
    bound = made.bind({"counts": {"a": 1}, "meta": {"sku": "x"}})
    assert isinstance(bound, BoundCall)
    assert bound.kwargs["counts"] == {"a": 1}


def test_strict_hand_written_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "choice": {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer"}]},
            "when": {"type": "string", "format": "date-time"},
            "site": {"type": "string", "format": "hostname"},
            "blob": {"type": "string", "format": "byte"},
            "many": {"type": "array", "items": {"type": "string"}, "minItems": 0},
        },
        "required": ["choice"],
    }
    made = Tool.from_schema("pick", schema, dict, strict=True)
    assert made.input_schema == {
        "type": "object",
        "properties": {
            "choice": {
                "anyOf": [
                    {"type": "string", "description": "Constraints: maxLength=3"},
                    {"type": "integer"},
                ]
            },
            "when": {"type": "string", "format": "date-time"},
            "site": {"type": "string", "format": "hostname"},
            "blob": {"type": "string", "description": 'Constraints: format="byte"'},
            "many": {"type": "array", "items": {"type": "string"}, "minItems": 0},
        },
        "required": ["choice"],
        "additionalProperties": False,
    }
    problem = made.bind({"choice": "long"})
    assert isinstance(problem, str)
    assert "choice: 'long' is not valid under any of the given schemas" in problem


# --- to_param ---------------------------------------------------------------------------------


def test_to_param_shape() -> None:
    made = tool(strict=True, cache_control={"type": "ephemeral", "ttl": "1h"})(s_docstring)
    param = made.to_param()
    assert param == {
        "name": "s_docstring",
        "input_schema": made.input_schema,
        "description": "Forecast for a city.\n\nUses the national weather service.",
        "strict": True,
        "cache_control": {"type": "ephemeral", "ttl": "1h"},
    }
    plain = tool(s_str).to_param()
    assert plain == {"name": "s_str", "input_schema": tool(s_str).input_schema}


@pytest.mark.parametrize(
    "made",
    [
        tool(s_str),
        tool(s_docstring),
        tool(strict=True, cache_control={"type": "ephemeral"})(s_nested_models),
        Tool.from_schema("weather", WEATHER_SCHEMA, dict, description="Weather."),
    ],
    ids=["plain", "described", "strict-cached", "hand-written"],
)
def test_the_official_sdk_accepts_to_param(made: Tool[..., Any]) -> None:
    anthropic_types = pytest.importorskip("anthropic.types")
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(anthropic_types.ToolParam)
    param = made.to_param()
    # a TypedDict drops unknown keys: equality means every key is one the SDK knows
    assert adapter.validate_python(param) == param
    assert json.loads(json.dumps(param)) == param


# --- still the function -----------------------------------------------------------------------


def test_a_tool_is_called_like_the_function() -> None:
    made = tool(s_positional_only)
    assert made(1) == 6
    assert made(1, 10) == 14
    assert made(1, 10, c=100) == 111
    assert made(1, c=0) == 3
    with pytest.raises(TypeError):
        made(a=1)  # type: ignore[call-arg]
    assert made.__name__ == "s_positional_only"  # type: ignore[attr-defined]
    assert made.__doc__ == s_positional_only.__doc__
    assert made.__wrapped__ is s_positional_only  # type: ignore[attr-defined]
    assert inspect.signature(made) == inspect.signature(s_positional_only)
    assert not made.is_async
    assert repr(made) == "<Tool 's_positional_only'>"


def test_keyword_only_and_defaults_still_work() -> None:
    made = tool(s_keyword_only)
    assert made("q", exact=True) == "q"
    with pytest.raises(TypeError):
        made("q", 5, True)  # type: ignore[call-arg]
    assert tool(s_defaults)() == "worldworldworld"
    assert tool(s_defaults)("ab", 2) == "abab"


async def _async_double(value: int, factor: int = 2) -> int:
    await anyio.lowlevel.checkpoint()
    return value * factor


def test_an_async_tool_is_awaited_like_the_function() -> None:
    made = tool(_async_double)
    assert made.is_async
    assert repr(made) == "<Tool '_async_double' async>"

    async def main() -> tuple[int, int]:
        return await made(3), await made(3, factor=5)

    assert anyio.run(main) == (6, 15)
    assert inspect.iscoroutinefunction(made.fn)


# --- methods ----------------------------------------------------------------------------------


class Counter:
    def __init__(self, start: int) -> None:
        self.total = start

    @tool
    def add(self, amount: int = 1) -> int:
        """Add to the counter.

        Args:
            amount: How much to add.
        """
        self.total += amount
        return self.total

    @tool(name="read_total")
    async def read(self) -> int:
        """Read the counter."""
        await anyio.lowlevel.checkpoint()
        return self.total

    def helper(self) -> None:
        """Not a tool."""


def test_methods_exclude_self_from_the_schema() -> None:
    assert isinstance(Counter.__dict__["add"], Tool)
    assert Counter.add.input_schema == {
        "type": "object",
        "properties": {
            "amount": {"default": 1, "description": "How much to add.", "type": "integer"}
        },
        "additionalProperties": False,
    }
    assert Counter.read.input_schema == obj({})


def test_methods_stay_callable_and_bound() -> None:
    counter = Counter(10)
    assert counter.add(5) == 15
    assert counter.add() == 16
    assert Counter.add(counter, 4) == 20  # through the class, like the plain function
    assert counter.add.name == "add"
    assert counter.add.description == "Add to the counter."
    assert isinstance(counter.add, Tool)
    assert anyio.run(counter.read) == 20


def test_toolbox_from_object_binds_the_methods() -> None:
    counter = Counter(0)
    box = Toolbox.from_object(counter, max_concurrency=1)  # one at a time: in order
    assert box.names == ["add", "read_total"]
    assert box.max_concurrency == 1
    results = box.run_all(
        [
            {"type": "tool_use", "id": "a", "name": "add", "input": {"amount": 3}},
            {"type": "tool_use", "id": "b", "name": "add", "input": {}},
        ]
    )
    assert [r["content"] for r in results] == ["3", "4"]
    assert counter.total == 4
    assert box.run({"id": "c", "name": "read_total", "input": {}})["content"] == "4"
    other = Counter(100)
    assert Toolbox.from_object(other).run({"id": "d", "name": "add", "input": {}})["content"] == (
        "101"
    )
    assert counter.total == 4


def test_from_object_follows_overrides() -> None:
    class Doubled(Counter):
        @tool
        def add(self, amount: int = 1) -> int:
            self.total += 2 * amount
            return self.total

        @tool
        def reset(self) -> str:
            self.total = 0
            return "ok"

    box = Toolbox.from_object(Doubled(1))
    assert box.names == ["add", "read_total", "reset"]
    assert box.run({"id": "a", "name": "add", "input": {"amount": 2}})["content"] == "5"


# --- public names -----------------------------------------------------------------------------


def test_public_names() -> None:
    assert agentkit.tool is agentkit.tools.tool
    assert agentkit.Tool is agentkit.tools.Tool
    assert agentkit.Toolbox is agentkit.tools.Toolbox
    assert agentkit.ToolContext is agentkit.tools.ToolContext
    assert agentkit.ToolCall is agentkit.tools.ToolCall
    assert agentkit.ToolResult is agentkit.tools.ToolResult
    assert agentkit.ToolError is agentkit.tools.ToolError
    assert agentkit.ToolDefinitionWarning is agentkit.tools.ToolDefinitionWarning
    assert issubclass(ToolDefinitionWarning, UserWarning)
    assert sorted(agentkit.tools.__all__) == agentkit.tools.__all__
    for name in agentkit.tools.__all__:
        assert getattr(agentkit.tools, name) is not None
