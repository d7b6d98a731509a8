"""The pages as HTML: escaping, lanes, what each part shows; `agentkit view`."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from agentkit._timeline import _lanes, render_map, render_run
from agentkit.cli import main

from .runs import HOSTILE, twenty_call_run


class Tags(HTMLParser):
    """Start tags and text of a page, as a browser's parser sees them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def run_data() -> dict[str, Any]:
    return twenty_call_run().to_dict()


def test_content_is_text_never_markup(run_data: dict[str, Any]) -> None:
    page = render_run(run_data, title="<i>title</i>")
    parsed = Tags(page)
    assert parsed.tags.count("script") == 2  # the page's own two, nothing from the run
    assert "img" not in parsed.tags
    assert parsed.tags.count("h1") == 1
    assert HOSTILE in "".join(parsed.text)  # shown as it is, as text
    assert "<title>&lt;i&gt;title&lt;/i&gt;</title>" in page


def test_no_resource_leaves_the_page(run_data: dict[str, Any]) -> None:
    page = render_run(run_data)
    assert "default-src 'none'" in page
    for pattern in ("http://", "https://", 'src="', "@import", "url("):
        assert pattern not in page.replace("src=x", "")  # (the escaped tool output has src=x)


def test_bars_turns_and_highlights(run_data: dict[str, Any]) -> None:
    page = render_run(run_data)
    assert page.count("class='bar tool ") == 20
    assert page.count("class='bar tool error'") == 4
    assert page.count("class='bar model ") == 5
    assert page.count("class='bar model retried'") == 1
    assert "1 retry" in page
    assert page.count("<div class='turn' id='turn-") == 5
    assert page.count("tools (5)") == 4
    assert "cache read 3,000" in page
    for call in run_data["tool_calls"]:
        assert f"id='call-{call['id']}'" in page  # each bar links to the call's details
    assert page.count("<details") == 20 + len(run_data["messages"])


def test_calls_that_overlap_get_lanes_of_their_own() -> None:
    def call(name: str, start: float, duration: float) -> dict[str, Any]:
        return {"id": name, "name": name, "started_at": start, "duration": duration}

    a, b, c, d = call("a", 0, 2), call("b", 1, 2), call("c", 2, 1), call("never", 0, 0)
    d["started_at"] = None  # a call that never ran has no bar
    assert _lanes([a, b, c, d]) == [[a, c], [b]]


def test_a_run_without_timings_lists_its_turns(run_data: dict[str, Any]) -> None:
    old = json.loads(json.dumps(run_data))
    del old["requests"]
    for call in old["tool_calls"]:
        del call["started_at"]
    page = render_run(old)
    assert "No timings recorded" in page
    assert "class='bar" not in page
    assert "did not run" in page  # the calls are listed, without a time


def test_a_failed_request_and_typed_output() -> None:
    data = {
        "output": {"label": "spam"},
        "text": "",
        "stop_reason": "error",
        "turns": 1,
        "usage": {"input_tokens": 5},
        "tool_calls": [],
        "requests": [
            {"turn": 1, "started_at": 10.0, "duration": 1.5, "stop_reason": "end_turn"},
            {"turn": 2, "started_at": 12.0, "duration": 0.5, "error": "OverloadedError: <x>"},
        ],
        "messages": [
            {"role": "user", "content": "Hi"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hmm", "signature": "s"},
                    {"type": "server_tool_use", "id": "s1", "name": "web_search"},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "is_error": True,
                        "content": [{"type": "text", "text": "bad"}],
                    }
                ],
            },
        ],
    }
    page = render_run(data)
    assert "class='bar model error'" in page
    assert "OverloadedError: &lt;x&gt;" in page
    assert "1.50 s" in page
    assert "500 ms" in page
    assert "<h2>Output</h2>" in page
    assert "&quot;label&quot;: &quot;spam&quot;" in page
    assert "web_search" in page
    assert "hmm" in page
    assert "<details class='failed'>" in page  # the message with an is_error result
    assert "href='#messages'" in page  # the failed request has no message of its own


def records() -> list[dict[str, Any]]:
    usage = {"input_tokens": 10, "output_tokens": 4, "cache_read_input_tokens": 100}
    ok = {"output": "x", "text": "x", "stop_reason": "end_turn", "usage": usage, "error": None}
    failed = {"output": None, "text": None, "stop_reason": None, "usage": None}
    return [
        {"id": "a", "index": 0, **ok, "seconds": 1.0},
        {
            "id": "b",
            "index": 1,
            **failed,
            "error": {"type": "RateLimitError", "message": "<slow>", "status_code": 429},
        },
        {"id": "b", "index": 1, **ok, "seconds": 3.0},  # run again: this record counts
        {"id": None, "index": 2, **failed, "error": {"type": "ToolError", "message": "boom"}},
        {"id": None, "index": 3, **ok, "stop_reason": "max_turns", "seconds": 2.0},
    ]


def test_map_page_outcomes_latency_tokens_failures() -> None:
    summary = {"skipped": 2, "wall_time": 4.0, "rate_limited": 1, "rate_limit_wait": 0.25}
    page = render_map(records(), summary, title="Nightly")
    assert "inputs <b>4</b>" in page
    assert "failed <b>1</b>" in page
    assert "skipped <b>2</b>" in page
    assert "<td>end_turn</td><td>2</td>" in page
    assert "<td>max_turns</td><td>1</td>" in page
    assert "<td>ToolError</td><td>1</td><td><span class='hbar error'" in page
    assert "RateLimitError" not in page  # the input succeeded when it ran again
    assert "runs timed <b>3</b>" in page
    assert "median <b>2.00 s</b>" in page
    assert page.count("class='bin'") == 12
    assert "<td>cache reads</td><td>300</td>" in page
    assert "#2 · ToolError" in page
    assert "boom" in page
    assert "wall time <b>4.00 s</b>" in page


def test_map_page_without_timings_or_results() -> None:
    untimed = [r for r in records() if "seconds" not in r]
    assert "No timings recorded" in render_map(untimed)
    assert "no results" in render_map([])
    one = render_map([{**records()[0], "seconds": 1.0}])
    assert "median <b>1.00 s</b>" in one


# -- agentkit view ---------------------------------------------------------------------------------


def test_view_a_run(tmp_path: Path, run_data: dict[str, Any]) -> None:
    source = tmp_path / "run.json"
    source.write_text(json.dumps(run_data))
    out = io.StringIO()
    assert main(["view", str(source)], out=out) == 0
    page = (tmp_path / "run.html").read_text()
    assert out.getvalue().strip() == f"wrote {tmp_path / 'run.html'}"
    assert "<title>run.json</title>" in page
    assert page.count("class='bar tool ") == 20


def test_view_a_results_file(tmp_path: Path) -> None:
    source = tmp_path / "results.jsonl"
    lines = [json.dumps(r) for r in records()]
    source.write_text("\n".join(lines) + '\n{"id": "cut sho')  # a crash cut the last line
    target = tmp_path / "out" / "page.html"
    target.parent.mkdir()
    assert main(["view", str(source), "-o", str(target), "--title", "T"], out=io.StringIO()) == 0
    page = target.read_text()
    assert "<title>T</title>" in page
    assert "inputs <b>4</b>" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is neither a run's JSON"),
        ('{"stop_reason": "end_turn"}', "is neither a run's JSON"),
    ],
)
def test_view_refuses_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    source = tmp_path / "other.json"
    source.write_text(content)
    assert main(["view", str(source)], out=io.StringIO()) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "other.html").exists()


def test_view_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["view", str(tmp_path / "nope.json")], out=io.StringIO()) == 2
    assert "no such file" in capsys.readouterr().err


def test_odd_data_still_renders() -> None:
    """Hand-edited or foreign JSON: missing times, odd blocks, odd usage values."""
    data = {
        "text": "t",
        "output": "t",
        "stop_reason": "end_turn",
        "turns": 1,
        "usage": {"input_tokens": None},
        "tool_calls": [{"id": "x", "name": "n", "result": {"k": 1}, "turn": 1, "duration": 0}],
        "requests": [
            {"turn": 1, "started_at": 5.0, "duration": 0.0},
            {"turn": 1},  # no time: listed without a bar
        ],
        "messages": [{"role": "user", "content": [42, "plain", {"type": "text", "text": "hi"}]}],
    }
    page = render_run(data)
    assert page.count("class='bar model") == 1
    assert "time unknown" in page
    assert "#0 user · 42 plain hi" in page
    assert "&quot;k&quot;: 1" in page  # a result that is neither text nor blocks, as JSON
    odd = [{"id": None, "index": 0, "error": "plain text", "usage": {"input_tokens": "n/a"}}]
    assert "#0 · error" in render_map(odd)
