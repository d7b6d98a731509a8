"""Best-effort parsing of JSON that is still arriving (a tool's input mid-stream)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentkit._core.partial_json import PartialJsonParser, parse_partial_json

CASES: list[tuple[str, Any]] = [
    # nothing yet / complete values
    ("", None),
    ("   ", None),
    ('{"a": 1}', {"a": 1}),
    ('{"a": 1}  ', {"a": 1}),
    ("true", True),
    ("12", 12),
    ("tru", None),
    ("nul", None),
    ("-", None),
    # open containers
    ("{", {}),
    ("[", []),
    ("  {", {}),
    ("[1, 2", [1, 2]),
    ("[1, 2,", [1, 2]),
    ("[1, 2, ", [1, 2]),
    # keys: an unfinished key, a dangling key or colon is dropped
    ('{"', {}),
    ('{"ci', {}),
    ('{"city"', {}),
    ('{"city":', {}),
    ('{"city": ', {}),
    # open strings are closed
    ('{"city": "', {"city": ""}),
    ('{"city": "Lis', {"city": "Lis"}),
    ('{"city": "Lisbon"', {"city": "Lisbon"}),
    ('{"city": "Lisbon",', {"city": "Lisbon"}),
    ('{"city": "Lisbon", ', {"city": "Lisbon"}),
    ('{"city": "Lisbon", "', {"city": "Lisbon"}),
    ('{"city": "Lisbon", "da', {"city": "Lisbon"}),
    ('{"city": "Lisbon", "days"', {"city": "Lisbon"}),
    ('{"city": "Lisbon", "days":', {"city": "Lisbon"}),
    ('{"city": "Lisbon", "days": 3', {"city": "Lisbon", "days": 3}),
    ('"abc', "abc"),
    ('["a", "b', ["a", "b"]),
    # escapes
    ('{"a": "x\\', {"a": "x"}),
    ('{"a": "x\\n', {"a": "x\n"}),
    ('{"a": "x\\"', {"a": 'x"'}),
    ('{"a": "x\\"y', {"a": 'x"y'}),
    ('{"a": "\\\\', {"a": "\\"}),
    ('{"a": "caf\\u', {"a": "caf"}),
    ('{"a": "caf\\u0', {"a": "caf"}),
    ('{"a": "caf\\u00e', {"a": "caf"}),
    ('{"a": "caf\\u00e9', {"a": "caf\u00e9"}),
    ('{"a": "caf\\u00e9 ', {"a": "caf\u00e9 "}),
    ('["\\u0041", "\\u00', ["A", ""]),
    # an escaped backslash followed by "u" is not a cut \u escape
    ('{"a": "\\\\u00', {"a": "\\u00"}),
    ('"\\\\u0', "\\u0"),
    ('"\\\\\\u00', "\\"),
    # a key string is never completed into a value
    ('{"ab\\', {}),
    # partial literals
    ('{"a": tr', {}),
    ('{"a": 1, "b": tr', {"a": 1}),
    ('{"a": 1, "b": true', {"a": 1, "b": True}),
    ('{"a": 1, "b": nul', {"a": 1}),
    ('{"a": 1, "b": fals', {"a": 1}),
    ('{"a": 1, "b": null', {"a": 1, "b": None}),
    # numbers: a number that cannot end here yet is dropped
    ('{"a": 12', {"a": 12}),
    ('{"a": -1', {"a": -1}),
    ('{"a": 1.5', {"a": 1.5}),
    ('{"a": 1.', {}),
    ('{"a": -', {}),
    ('{"a": 1e', {}),
    ('{"a": 1e5', {"a": 100000.0}),
    ('{"x": 0, "a": 1.', {"x": 0}),
    # nested containers
    ('{"a": {"b"', {"a": {}}),
    ('{"a": {"b": [1, 2', {"a": {"b": [1, 2]}}),
    ('{"a": {"b": [1, 2,', {"a": {"b": [1, 2]}}),
    ('{"a": {"b": [1, {"c": "d', {"a": {"b": [1, {"c": "d"}]}}),
    ('{"a": [{"b": 1}, {"', {"a": [{"b": 1}, {}]}),
    ('{"a": [1, 2], "b": {"c": [', {"a": [1, 2], "b": {"c": []}}),
    ('{"a": [[], [[', {"a": [[], [[]]]}),
    ('{"a": {}, "b": {"c": 1}, "d', {"a": {}, "b": {"c": 1}}),
    ('[{"a": "b"}, "c", {"d": [true, fal', [{"a": "b"}, "c", {"d": [True]}]),
    # not a prefix of JSON at all
    ('{"a": 1}}', None),
    ("}", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[repr(c[0]) for c in CASES])
def test_prefix_table(text: str, expected: Any) -> None:
    result = parse_partial_json(text)
    assert result == expected
    assert type(result) is type(expected)


def test_streamed_tool_input_grows() -> None:
    pieces = ["", '{"location": "Lis', 'bon, Portugal"', ', "unit": "cel', 'sius"}']
    seen = []
    text = ""
    for piece in pieces:
        text += piece
        seen.append(parse_partial_json(text))
    assert seen == [
        None,
        {"location": "Lis"},
        {"location": "Lisbon, Portugal"},
        {"location": "Lisbon, Portugal", "unit": "cel"},
        {"location": "Lisbon, Portugal", "unit": "celsius"},
    ]


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
_OBJECTS = st.dictionaries(st.text(max_size=6), _VALUES, max_size=4)


@settings(max_examples=200, deadline=None)
@given(obj=_OBJECTS, ensure_ascii=st.booleans(), compact=st.booleans())
def test_every_prefix_parses_or_gives_none(
    obj: dict[str, Any], ensure_ascii: bool, compact: bool
) -> None:
    separators = (",", ":") if compact else None
    text = json.dumps(obj, ensure_ascii=ensure_ascii, separators=separators)
    for end in range(len(text)):
        value = parse_partial_json(text[:end])  # must not raise
        if end == 0:
            assert value is None
        else:
            # a prefix of an object is read as an object (possibly with fewer keys)
            assert isinstance(value, dict), text[:end]
            assert set(value) <= set(obj), text[:end]
    assert parse_partial_json(text) == obj


@settings(max_examples=200, deadline=None)
@given(value=_VALUES)
def test_complete_json_of_any_value_round_trips(value: Any) -> None:
    assert parse_partial_json(json.dumps(value)) == value


@settings(max_examples=200, deadline=None)
@given(
    value=_VALUES,
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    compact=st.booleans(),
)
def test_the_incremental_parser_agrees_with_the_one_shot_parser(
    value: Any, cuts: list[int], compact: bool
) -> None:
    # fed growing prefixes (in pieces of any size, repeats included), it gives what parsing
    # each prefix from scratch gives
    text = json.dumps(value, separators=(",", ":") if compact else None)
    parser = PartialJsonParser()
    for end in [*sorted(cut % (len(text) + 1) for cut in cuts), len(text)]:
        assert parser.parse(text[:end]) == parse_partial_json(text[:end]), text[:end]


def test_the_incremental_parser_reads_every_prefix_of_a_table_case() -> None:
    for text, _ in CASES:
        parser = PartialJsonParser()
        for end in range(len(text) + 1):
            assert parser.parse(text[:end]) == parse_partial_json(text[:end]), text[:end]
