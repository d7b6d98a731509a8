"""What a tool returns, as `tool_result` content: conversion, truncation, and images."""

import base64
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel

from agentkit.tools import image
from agentkit.tools._results import to_content, truncate

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
GIF87 = b"GIF87a" + b"\x00" * 16
GIF89 = b"GIF89a" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16

CUT = re.compile(
    r"\n\n\[\.\.\. ([\d,]+) characters cut from the middle of this tool result \.\.\.\]\n\n"
)


class Forecast(BaseModel):
    city: str
    temps: list[float]


@dataclass
class Reading:
    sensor: str
    value: float
    taken: date


# --- conversion ------------------------------------------------------------------------------


def test_text_stays_text() -> None:
    assert to_content("It is sunny.") == "It is sunny."
    assert to_content("") == ""


def test_none_is_no_content() -> None:
    assert to_content(None) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"city": "Paris", "temps": [1, 2.5]}, '{"city":"Paris","temps":[1,2.5]}'),
        ([1, "two", None, True], '[1,"two",null,true]'),
        ((1, 2), "[1,2]"),
        ([], "[]"),
        ({}, "{}"),
        (3, "3"),
        (2.5, "2.5"),
        (False, "false"),
        (Forecast(city="Oslo", temps=[-1.0]), '{"city":"Oslo","temps":[-1.0]}'),
        (
            Reading("t1", 20.5, date(2024, 1, 2)),
            '{"sensor":"t1","value":20.5,"taken":"2024-01-02"}',
        ),
        (date(2024, 1, 2), '"2024-01-02"'),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), '"2024-01-02T03:04:05Z"'),
        (UUID(int=1), '"00000000-0000-0000-0000-000000000001"'),
        ({"when": date(2024, 1, 2), "ids": {7}}, '{"when":"2024-01-02","ids":[7]}'),
        ([Forecast(city="A", temps=[])], '[{"city":"A","temps":[]}]'),
    ],
)
def test_other_values_become_json_text(value: object, text: str) -> None:
    assert to_content(value) == text


def test_values_without_json_fall_back_to_repr() -> None:
    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    assert to_content(Opaque()) == '"<opaque>"'
    assert to_content({"x": Opaque()}) == '{"x":"<opaque>"}'


TEXT_BLOCK = {"type": "text", "text": "Chart below."}
IMAGE_BLOCK: dict[str, Any] = dict(image(PNG))
DOCUMENT_BLOCK = {
    "type": "document",
    "source": {"type": "text", "media_type": "text/plain", "data": "Report."},
}


def test_content_blocks_pass_as_is() -> None:
    blocks: list[Any] = [TEXT_BLOCK, IMAGE_BLOCK, DOCUMENT_BLOCK]
    content = to_content(blocks)
    assert content == [TEXT_BLOCK, IMAGE_BLOCK, DOCUMENT_BLOCK]
    assert isinstance(content, list)
    assert content[0] is not TEXT_BLOCK  # copies: the tool's own objects are not shared
    assert to_content((TEXT_BLOCK, IMAGE_BLOCK)) == [TEXT_BLOCK, IMAGE_BLOCK]


@pytest.mark.parametrize("block", [TEXT_BLOCK, IMAGE_BLOCK, DOCUMENT_BLOCK])
def test_a_single_block_becomes_a_list(block: dict[str, Any]) -> None:
    assert to_content(block) == [block]


def test_lists_that_are_not_all_blocks_are_json() -> None:
    assert to_content([TEXT_BLOCK, {"type": "other"}]) == (
        '[{"type":"text","text":"Chart below."},{"type":"other"}]'
    )
    assert to_content({"type": "weather", "temp": 3}) == '{"type":"weather","temp":3}'


# --- truncation ------------------------------------------------------------------------------


def test_short_text_is_untouched() -> None:
    assert truncate("x" * 100, 100) == "x" * 100
    assert truncate(None, 10) is None


@pytest.mark.parametrize(("size", "limit"), [(1_000, 200), (10_000, 1_000), (250_000, 100_000)])
def test_long_text_keeps_head_and_tail(size: int, limit: int) -> None:
    text = "".join(chr(ord("a") + i % 26) for i in range(size))
    cut = truncate(text, limit)
    assert isinstance(cut, str)
    assert len(cut) <= limit
    match = CUT.search(cut)
    assert match is not None
    head, tail = cut[: match.start()], cut[match.end() :]
    assert head
    assert tail
    assert text.startswith(head)
    assert text.endswith(tail)
    assert len(head) >= len(tail)  # the start usually matters more
    removed = int(match.group(1).replace(",", ""))
    assert removed == size - len(head) - len(tail)
    assert len(head) + len(tail) + len(match.group(0)) == len(cut)


def test_the_marker_formats_large_numbers() -> None:
    cut = truncate("z" * 2_000_000, 1_000)
    assert isinstance(cut, str)
    match = CUT.search(cut)
    assert match is not None
    assert match.group(1) == f"{2_000_000 - (len(cut) - len(match.group(0))):,}"
    assert "," in match.group(1)


def test_text_blocks_are_truncated_one_by_one() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "text", "text": "a" * 500},
        IMAGE_BLOCK,
        {"type": "text", "text": "short"},
        {"type": "text", "text": "b" * 500, "cache_control": {"type": "ephemeral"}},
    ]
    cut = truncate(blocks, 200)
    assert isinstance(cut, list)
    assert cut[1] is IMAGE_BLOCK
    assert cut[2] == {"type": "text", "text": "short"}
    for index in (0, 3):
        text = cut[index]["text"]
        assert len(text) <= 200
        assert CUT.search(text)
    assert cut[3]["cache_control"] == {"type": "ephemeral"}
    assert blocks[0]["text"] == "a" * 500  # the input is not modified


# --- images ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF87, "image/gif"),
        (GIF89, "image/gif"),
        (WEBP, "image/webp"),
    ],
)
def test_image_detects_the_type(data: bytes, media_type: str) -> None:
    block = image(data)
    assert block == {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": media_type,
            "data": base64.b64encode(data).decode("ascii"),
        },
    }
    source: Any = block["source"]
    assert base64.b64decode(source["data"]) == data


def test_image_with_an_explicit_type() -> None:
    block = image(b"not sniffable", media_type="image/png")
    source: Any = block["source"]
    assert source["media_type"] == "image/png"
    assert source["data"] == base64.b64encode(b"not sniffable").decode()


@pytest.mark.parametrize("data", [b"", b"hello world", b"RIFF\x00\x00\x00\x00WAVEfmt ", b"\x89PN"])
def test_image_of_unknown_bytes(data: bytes) -> None:
    with pytest.raises(ValueError, match="pass media_type="):
        image(data)
