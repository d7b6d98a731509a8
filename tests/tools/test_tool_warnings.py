"""Decoration-time warnings about a tool's definition that is probably a mistake."""

from __future__ import annotations

import warnings

import pytest

from agentkit import ToolDefinitionWarning, tool


def test_a_parameter_without_a_type_hint_warns() -> None:
    def lookup(city, days: int = 1) -> str:  # type: ignore[no-untyped-def]
        """Look up the weather."""
        return city  # type: ignore[no-any-return]

    with pytest.warns(ToolDefinitionWarning, match="parameter 'city' has no type hint") as record:
        made = tool(lookup)
    assert len(record) == 1
    assert record[0].filename == __file__
    assert made.warnings == [
        "parameter 'city' has no type hint, so its schema accepts any value; "
        "annotate it (e.g. `str`, `int`)"
    ]


def test_a_tool_without_a_docstring_warns() -> None:
    def lookup(city: str) -> str:
        return city

    with pytest.warns(ToolDefinitionWarning, match="tool 'lookup': no description"):
        made = tool(lookup)
    assert made.description is None
    assert len(made.warnings) == 1


def test_a_description_given_as_an_option_is_enough() -> None:
    def lookup(city: str) -> str:
        return city

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = tool(description="Look up a city.")(lookup)
    assert made.warnings == []


def test_a_typed_documented_tool_is_quiet() -> None:
    def lookup(city: str, ctx_free: int = 0) -> str:
        """Look up a city."""
        return city

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tool(lookup).warnings == []
