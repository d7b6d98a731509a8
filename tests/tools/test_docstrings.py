"""Tool and parameter descriptions from Google, NumPy, reST and Epydoc docstrings."""

import warnings
from collections.abc import Callable
from typing import Any

import pytest

from agentkit import Tool, Toolbox, ToolDefinitionWarning, tool
from agentkit.tools._docstrings import ParsedDocstring, parse_docstring

LEAKS = (
    ":param",
    ":type",
    ":returns",
    ":raises",
    "Args:",
    "Arguments:",
    "Parameters",
    "----------",
    "@param",
    "@type",
    "@return",
    "@raise",
    "Returns",
    "Raises",
)


def assert_no_leak(text: str | None) -> None:
    assert text is not None
    for marker in LEAKS:
        assert marker not in text, (marker, text)


def google(city: str, unit: str = "c") -> str:
    """Get the current weather for a city.

    Data comes from the national weather service
    and is refreshed hourly.

    Args:
        city: The city name,
            e.g. "Paris".
        unit (str): Temperature unit, "c" or "f".

    Returns:
        The weather as text.

    Raises:
        ValueError: If the city is unknown.
    """
    return city


def numpy(city: str, unit: str = "c") -> str:
    """Get the current weather for a city.

    Data comes from the national weather service
    and is refreshed hourly.

    Parameters
    ----------
    city : str
        The city name,
        e.g. "Paris".
    unit : str, optional
        Temperature unit, "c" or "f".

    Returns
    -------
    str
        The weather as text.

    Raises
    ------
    ValueError
        If the city is unknown.
    """
    return city


def rest(city: str, unit: str = "c") -> str:
    """Get the current weather for a city.

    Data comes from the national weather service
    and is refreshed hourly.

    :param city: The city name,
        e.g. "Paris".
    :type city: str
    :param unit: Temperature unit, "c" or "f".
    :returns: The weather as text.
    :rtype: str
    :raises ValueError: If the city is unknown.
    """
    return city


def epydoc(city: str, unit: str = "c") -> str:
    """Get the current weather for a city.

    Data comes from the national weather service
    and is refreshed hourly.

    @param city: The city name,
        e.g. "Paris".
    @type city: str
    @param unit: Temperature unit, "c" or "f".
    @return: The weather as text.
    @rtype: str
    @raise ValueError: If the city is unknown.
    """
    return city


DESCRIPTION = (
    "Get the current weather for a city.\n\n"
    "Data comes from the national weather service\nand is refreshed hourly."
)
PARAMS = {"city": 'The city name, e.g. "Paris".', "unit": 'Temperature unit, "c" or "f".'}


@pytest.mark.parametrize("fn", [google, numpy, rest, epydoc], ids=lambda f: f.__name__)
def test_all_four_styles(fn: object) -> None:
    parsed = parse_docstring(fn.__doc__)
    assert parsed == ParsedDocstring(description=DESCRIPTION, params=PARAMS)
    made = tool(fn)  # type: ignore[call-overload]
    assert made.description == DESCRIPTION
    assert_no_leak(made.description)
    assert made.input_schema == {
        "type": "object",
        "properties": {
            "city": {"description": PARAMS["city"], "type": "string"},
            "unit": {"default": "c", "description": PARAMS["unit"], "type": "string"},
        },
        "required": ["city"],
        "additionalProperties": False,
    }
    assert [w for w in made.warnings if not w.startswith("no description")] == []


def test_no_docstring() -> None:
    assert parse_docstring(None) == ParsedDocstring(description="", params={})
    assert parse_docstring("") == ParsedDocstring(description="", params={})
    assert parse_docstring("   \n  ") == ParsedDocstring(description="", params={})


def test_summary_only() -> None:
    assert parse_docstring("Ping the server.") == ParsedDocstring(description="Ping the server.")


def test_only_sections_gives_an_empty_description() -> None:
    parsed = parse_docstring(
        """
        Args:
            x: The x.
        """
    )
    assert parsed.description == ""


def test_the_body_keeps_its_paragraphs() -> None:
    doc = """Summary line.

    First paragraph
    continues here.

    Second paragraph.

    Args:
        x: The x.
    """
    assert parse_docstring(doc).description == (
        "Summary line.\n\nFirst paragraph\ncontinues here.\n\nSecond paragraph."
    )


def test_sections_the_parser_misses_do_not_leak() -> None:
    # mixed styles: the parser picks reST and leaves the Google section in the body
    mixed = parse_docstring(
        """Summary.

        Body text.

        Args:
            x: The x.

        :param y: The y.
        """
    )
    assert mixed.description == "Summary.\n\nBody text."
    assert mixed.params == {"y": "The y."}
    # an underlined (NumPy) header inside a Google docstring
    underlined = parse_docstring(
        """Summary.

        Extra
        -----
        Some notes.

        Args:
            x: The x.
        """
    )
    assert underlined.description == "Summary."
    assert underlined.params == {"x": "The x."}
    # a section header with nothing the parser understood under it
    keyword = parse_docstring(
        """Summary.

        Keyword Args:
            y: The y.
        """
    )
    assert keyword.description == "Summary."


def test_returns_and_raises_are_not_parameters() -> None:
    parsed = parse_docstring(
        """Summary.

        :param x: The x.
        :keyword y: The y.
        :returns: Something.
        :raises ValueError: Sometimes.
        """
    )
    assert parsed == ParsedDocstring(description="Summary.", params={"x": "The x.", "y": "The y."})


def test_undocumented_parameters_get_no_description() -> None:
    def partly(city: str, days: int) -> str:
        """Forecast.

        Args:
            city: The city.
        """
        return city

    props = tool(partly).input_schema["properties"]
    assert props == {
        "city": {"description": "The city.", "type": "string"},
        "days": {"type": "integer"},
    }


# --- documented parameters that do not exist --------------------------------------------------


def test_a_documented_parameter_missing_from_the_signature_warns_at_the_caller() -> None:
    def forecast(city: str) -> str:
        """Forecast.

        Args:
            city: The city.
            country: The country (no longer a parameter).
        """
        return city

    with pytest.warns(ToolDefinitionWarning) as record:
        made = tool(forecast)
    assert len(record) == 1
    warning = record[0]
    assert warning.filename == __file__
    assert str(warning.message) == (
        "tool 'forecast': the docstring documents parameter 'country', which the function "
        "does not have"
    )
    assert made.warnings == [
        "the docstring documents parameter 'country', which the function does not have"
    ]
    # the tool still works, without the stray parameter
    assert list(made.input_schema["properties"]) == ["city"]


def _makers(box: Toolbox) -> dict[str, Callable[[Callable[..., Any]], Tool[..., Any]]]:
    return {
        "decorator": lambda fn: tool(fn),
        "options": lambda fn: tool(name="fc")(fn),
        "toolbox": lambda fn: box.tool(fn),
        "toolbox-options": lambda fn: box.tool(name="fc")(fn),
        "add": lambda fn: box.add(fn),
        "from_function": lambda fn: Tool.from_function(fn),
    }


@pytest.mark.parametrize("style", list(_makers(Toolbox())))
def test_the_warning_points_at_user_code_however_the_tool_is_made(style: str) -> None:
    def forecast(city: str) -> str:
        """Forecast.

        :param city: The city.
        :param days: Gone.
        """
        return city

    make = _makers(Toolbox())[style]
    with pytest.warns(ToolDefinitionWarning, match="'days'") as record:
        made = make(forecast)
    assert record[0].filename == __file__
    assert made.warnings == [
        "the docstring documents parameter 'days', which the function does not have"
    ]


def test_no_warning_for_a_clean_docstring() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = tool(google)
    assert [w for w in made.warnings if not w.startswith("no description")] == []
