"""The timeline page in headless Chromium: it renders without errors, and shows its bars."""

from __future__ import annotations

import re
from pathlib import Path

from agentkit import save_map_html

from .browser import Image, console_lines, read_png, visit
from .runs import CALLS_PER_TURN, TURNS, twenty_call_run

# the page's colours (see agentkit/_timeline.py: --tool, --error, --model, --retry)
TOOL = (0x16, 0xA3, 0x4A)
ERROR = (0xDC, 0x26, 0x26)
MODEL = (0x25, 0x63, 0xEB)
RETRY = (0xD9, 0x77, 0x06)


def near(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(pixel, colour, strict=True))


def bar_count(image: Image, colours: tuple[tuple[int, int, int], ...]) -> int:
    """Bars of these colours: horizontal runs on the 3rd row of each band of rows holding them."""
    holding = [
        y
        for y in range(image.height)
        if any(near(image.pixel(x, y), c) for x in range(0, image.width, 2) for c in colours)
    ]
    bands: list[list[int]] = []
    for y in holding:
        if bands and y == bands[-1][-1] + 1:
            bands[-1].append(y)
        else:
            bands.append([y])
    count = 0
    for band in bands:
        if not 17 <= len(band) <= 19:  # a bar is 18 px high (legend squares 12, tags 16)
            continue
        y = band[2]  # below the rounded corners, above the label text
        inside = False
        for x in range(image.width):
            hit = any(near(image.pixel(x, y), c) for c in colours)
            count += hit and not inside
            inside = hit
    return count


def colour_present(image: Image, colour: tuple[int, int, int]) -> bool:
    return any(
        near(image.pixel(x, y), colour)
        for y in range(0, image.height, 2)
        for x in range(0, image.width, 2)
    )


def test_twenty_calls_render_as_bars_without_console_errors(tmp_path: Path) -> None:
    result = twenty_call_run("sync")
    assert len(result.tool_calls) == TURNS * CALLS_PER_TURN
    page = tmp_path / "run.html"
    result.save_html(page)

    seen = visit(page, tmp_path / "profile-dom", "--dump-dom")
    assert console_lines(seen.log) == []
    root = re.search(r"<html[^>]*>", seen.dom)
    assert root is not None
    assert 'data-ready="1"' in root.group(0)  # the page's script ran to its end
    assert 'data-errors=""' in root.group(0)  # and nothing reported an error
    assert seen.dom.count('class="bar tool') == 20
    assert seen.dom.count('class="bar tool error') == TURNS  # one is_error call per turn
    assert "pwned" not in seen.dom.split("</title>")[0]  # tool output never ran as script

    shot = tmp_path / "run.png"
    seen = visit(page, tmp_path / "profile-png", f"--screenshot={shot}", "--window-size=1200,1000")
    assert console_lines(seen.log) == []
    image = read_png(shot.read_bytes())
    assert (image.width, image.height) == (1200, 1000)
    assert bar_count(image, (TOOL, ERROR)) == 20  # every call is a bar of its own
    assert bar_count(image, (ERROR,)) == TURNS
    assert colour_present(image, MODEL)
    assert colour_present(image, RETRY)  # the request answered 529 once, then retried


def test_map_page_renders_without_console_errors(tmp_path: Path) -> None:
    from agentkit import Agent
    from agentkit.testing import ErrorReply, FunctionModel, ModelRequest

    def answer(request: ModelRequest) -> str | ErrorReply:
        number = int(request.last_user_text.split()[-1])
        return ErrorReply(400, message="<bad>") if number % 4 == 0 else f"label {number % 3}"

    agent = Agent(FunctionModel(answer).client(max_retries=0), model="claude-sonnet-4-5")
    results, summary = agent.map_all([f"item {i}" for i in range(12)], concurrency=3)
    page = tmp_path / "map.html"
    save_map_html(page, results, summary)
    seen = visit(page, tmp_path / "profile", "--dump-dom")
    assert console_lines(seen.log) == []
    assert 'data-errors=""' in seen.dom
    assert 'data-ready="1"' in seen.dom
    assert seen.dom.count('class="bin"') == 12
    assert seen.dom.count('<details class="failed">') == 3
