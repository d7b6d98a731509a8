"""The run timeline and the map summary as self-contained HTML pages: string building, no I/O.

`render_run` takes a `RunResult` as JSON data (`RunResult.to_dict()`, or the JSON that
`agentkit run --json` prints); `render_map` takes the records of an `agent.map` results file
(one dict per line, see `agentkit._core.mapping.result_line`). Both return one HTML document
with its CSS and script inline and a content security policy that forbids any network access.

Every piece of content goes through `html.escape`; no data is ever placed inside a `<script>`,
so a tool output holding `</script>` or markup is shown as text. Bars are laid out here (left
and width in percent of the run), so the page needs no script to draw; its script only records
errors (into the `data-errors` attribute of `<html>`) and opens the details a bar points to.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["render_map", "render_run"]

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

# Records errors before anything else runs: `<html data-errors="...">` is what a test (or a
# curious reader of `--dump-dom`) looks at.
_HEAD_SCRIPT = """
(function () {
  var root = document.documentElement, seen = [];
  function note(text) {
    seen.push(String(text));
    root.setAttribute("data-errors", seen.join(" | "));
  }
  window.addEventListener("error", function (e) { note(e.message || "error"); });
  window.addEventListener("unhandledrejection", function (e) { note(e.reason); });
  var original = console.error;
  console.error = function () {
    note(Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
})();
"""

_BODY_SCRIPT = """
(function () {
  function reveal(id) {
    var target = document.getElementById(id);
    if (!target) { return; }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[href^='#']") : null;
    if (link) { reveal(link.getAttribute("href").slice(1)); }
  });
  if (location.hash) { reveal(location.hash.slice(1)); }
  var root = document.documentElement;
  root.setAttribute("data-bars", String(document.querySelectorAll(".bar").length));
  root.setAttribute("data-ready", "1");
})();
"""

_CSS = """
:root { --model: #2563eb; --tool: #16a34a; --error: #dc2626; --retry: #d97706;
  --line: #d4d4d8; --muted: #52525b; --soft: #f4f4f5; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  padding: 16px 24px 48px; color: #18181b; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.facts { color: var(--muted); margin: 0; } .facts b { color: #18181b; font-weight: 600; }
.legend span { display: inline-block; margin-right: 14px; color: var(--muted); }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  margin-right: 4px; vertical-align: -1px; }
.timeline { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.row { display: flex; align-items: center; min-height: 26px; }
.label { width: 150px; flex: none; color: var(--muted); font-size: 12px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.track { position: relative; flex: 1; height: 24px; border-left: 1px solid var(--line); }
.meta { width: 330px; flex: none; padding-left: 10px; font-size: 11px; line-height: 12px;
  color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.turn { border-top: 1px dashed var(--line); padding: 4px 0; }
.turn:first-of-type { border-top: none; }
.bar { position: absolute; top: 3px; height: 18px; min-width: 4px; border-radius: 3px;
  color: #fff; font-size: 11px; line-height: 18px; padding: 0 4px; overflow: hidden;
  white-space: nowrap; text-decoration: none; }
.bar.model { background: var(--model); } .bar.tool { background: var(--tool); }
.bar.error { background: var(--error); } .bar.retried { background: var(--retry); }
.axis { position: relative; height: 18px; margin-left: 150px; margin-right: 330px;
  font-size: 11px; color: var(--muted); }
.axis span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.axis span:last-child { transform: translateX(-100%); }
.note { color: var(--muted); font-style: italic; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details > summary { cursor: pointer; padding: 6px 10px; background: var(--soft); }
details.failed > summary, .failed > summary { background: #fee2e2; }
details .body { padding: 6px 10px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0; padding: 6px 8px;
  background: var(--soft); border-radius: 4px; font: 12px/1.4 ui-monospace, monospace; }
.block { margin: 6px 0; } .kind { font-size: 12px; color: var(--muted); }
.tag { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px;
  color: #fff; background: var(--muted); margin-left: 6px; }
.tag.error { background: var(--error); } .tag.retry { background: var(--retry); }
table { border-collapse: collapse; } td, th { padding: 3px 10px 3px 0; text-align: left; }
th { color: var(--muted); font-weight: 500; }
.hbar { display: inline-block; height: 12px; background: var(--model); border-radius: 2px;
  vertical-align: -1px; }
.hbar.error { background: var(--error); }
.histogram { display: flex; align-items: flex-end; gap: 3px; height: 160px;
  border-bottom: 1px solid var(--line); padding-top: 8px; }
.histogram .bin { flex: 1; background: var(--model); min-height: 1px; border-radius: 2px 2px 0 0; }
.bins { display: flex; gap: 3px; font-size: 11px; color: var(--muted); }
.bins span { flex: 1; text-align: center; }
"""

_ERROR_TAG = "<span class='tag error'>is_error</span>"

_TOKEN_KEYS = (
    ("input_tokens", "in"),
    ("output_tokens", "out"),
    ("cache_read_input_tokens", "cache read"),
    ("cache_creation_input_tokens", "cache write"),
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en" data-errors="">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<script>{_HEAD_SCRIPT}</script>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n"
        f"<script>{_BODY_SCRIPT}</script>\n</body>\n</html>\n"
    )


def _tokens(usage: Mapping[str, Any]) -> str:
    return " · ".join(f"{label} {int(usage.get(key) or 0):,}" for key, label in _TOKEN_KEYS)


# -- the run timeline ----------------------------------------------------------------------------


def render_run(data: Mapping[str, Any], *, title: str = "Agent run") -> str:
    """The timeline page of one run, from `RunResult.to_dict()` data."""
    requests: list[Mapping[str, Any]] = list(data.get("requests") or ())
    calls: list[Mapping[str, Any]] = list(data.get("tool_calls") or ())
    scale = _Scale(requests, calls)
    failed_calls = sum(1 for c in calls if c.get("is_error"))
    facts: list[tuple[str, object]] = [
        ("stop reason", data.get("stop_reason")),
        ("turns", data.get("turns")),
        ("requests", len(requests) or (data.get("usage") or {}).get("requests", 0)),
        ("tool calls", len(calls)),
        ("failed tool calls", failed_calls),
    ]
    if scale.known:
        facts.append(("time", _seconds(scale.span)))
    header = (
        f"<header><h1>{_e(title)}</h1><p class='facts'>"
        + " · ".join(f"{_e(name)} <b>{_e(value)}</b>" for name, value in facts)
        + f"</p><p class='facts'>tokens: {_e(_tokens(data.get('usage') or {}))}</p></header>"
    )
    parts = [header, _legend(), _timeline(requests, calls, scale)]
    parts.append(_output(data))
    parts.append("<h2>Tool calls</h2>" + ("".join(_call(c) for c in calls) or _none("none")))
    messages = data.get("messages") or []
    parts.append("<h2>Messages</h2>" + "".join(_message(i, m) for i, m in enumerate(messages)))
    return _page(title, "\n".join(parts))


class _Scale:
    """Where each moment of the run sits along the timeline, in percent."""

    def __init__(self, requests: Sequence[Mapping[str, Any]], calls: Sequence[Mapping[str, Any]]):
        spans = [_span(r) for r in requests] + [_span(c) for c in calls]
        known = [s for s in spans if s is not None]
        self.known = bool(known)
        self.start = min((s for s, _ in known), default=0.0)
        end = max((e for _, e in known), default=0.0)
        self.span = end - self.start
        self._width = self.span if self.span > 0 else 1.0

    def place(self, start: float, end: float) -> str:
        left = (start - self.start) / self._width * 100
        width = (end - start) / self._width * 100
        return f"left:{left:.3f}%;width:{width:.3f}%"

    def offset(self, moment: float) -> str:
        return f"+{_seconds(moment - self.start)}"


def _span(item: Mapping[str, Any]) -> tuple[float, float] | None:
    started, duration = item.get("started_at"), item.get("duration")
    if not isinstance(started, (int, float)) or not isinstance(duration, (int, float)):
        return None
    return float(started), float(started) + max(float(duration), 0.0)


def _legend() -> str:
    items = (
        ("--model", "model request"),
        ("--retry", "request with retries"),
        ("--tool", "tool call"),
        ("--error", "error / is_error result"),
    )
    return (
        "<p class='legend'>"
        + "".join(
            f"<span><i style='background:var({var})'></i>{_e(text)}</span>" for var, text in items
        )
        + "</p>"
    )


def _timeline(
    requests: Sequence[Mapping[str, Any]], calls: Sequence[Mapping[str, Any]], scale: _Scale
) -> str:
    turns = sorted(
        {int(r.get("turn") or 0) for r in requests} | {int(c.get("turn") or 0) for c in calls}
    )
    if not scale.known:
        note = _none(
            "No timings recorded (a result saved by an older agentkit, or replayed from a "
            "journal): the turns are listed without bars."
        )
    else:
        note = _axis(scale)
    rows = [_turn(t, requests, calls, scale) for t in turns]
    return "<h2>Timeline</h2><section class='timeline'>" + note + "".join(rows) + "</section>"


def _axis(scale: _Scale) -> str:
    ticks = [
        f"<span style='left:{i * 20}%'>{_e(_seconds(scale.span * i / 5))}</span>" for i in range(6)
    ]
    return "<div class='axis'>" + "".join(ticks) + "</div>"


def _turn(
    turn: int,
    requests: Sequence[Mapping[str, Any]],
    calls: Sequence[Mapping[str, Any]],
    scale: _Scale,
) -> str:
    name = f"Turn {turn}" if turn else "Turn ?"
    rows = []
    for request in (r for r in requests if int(r.get("turn") or 0) == turn):
        rows.append(_request_row(name, request, scale))
    mine = [c for c in calls if int(c.get("turn") or 0) == turn]
    for number, lane in enumerate(_lanes(mine)):
        label = f"tools ({len(mine)})" if number == 0 else ""
        bars = "".join(_call_bar(c, scale) for c in lane)
        rows.append(
            f"<div class='row'><div class='label'>{_e(label)}</div>"
            f"<div class='track'>{bars}</div><div class='meta'></div></div>"
        )
    return f"<div class='turn' id='turn-{turn}'>" + "".join(rows) + "</div>"


def _request_row(name: str, request: Mapping[str, Any], scale: _Scale) -> str:
    retries = request.get("retries") or 0
    error = request.get("error")
    kind = "error" if error else "retried" if retries else ""
    span = _span(request)
    index = request.get("message_index")
    target = f"#msg-{index}" if isinstance(index, int) else "#messages"
    meta = [_seconds(span[1] - span[0]) if span else "time unknown"]
    if retries:
        meta.append(f"{retries} retr{'y' if retries == 1 else 'ies'}")
    meta.append(str(error) if error else str(request.get("stop_reason")))
    tokens = _tokens(request)
    tip = " · ".join([*meta, tokens])
    bar = ""
    if span is not None:
        tip = f"{name}: {scale.offset(span[0])} · {tip}"
        bar = (
            f"<a class='bar model {kind}' style='{scale.place(*span)}' href='{target}' "
            f"title='{_e(tip)}'></a>"
        )
    return (
        f"<div class='row'><div class='label'>{_e(name)} · model</div>"
        f"<div class='track'>{bar}</div><div class='meta' title='{_e(tip)}'>"
        f"{_e(' · '.join(meta))}<br>{_e(tokens)}</div></div>"
    )


def _lanes(calls: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Calls spread over lanes so that calls running at the same time never share one."""
    lanes: list[list[Mapping[str, Any]]] = []
    ends: list[float] = []
    timed = sorted(
        ((span, c) for c in calls if (span := _span(c)) is not None), key=lambda x: x[0][0]
    )
    for (start, end), call in timed:
        for number, lane_end in enumerate(ends):
            if lane_end <= start:
                lanes[number].append(call)
                ends[number] = end
                break
        else:
            lanes.append([call])
            ends.append(end)
    return lanes


def _call_bar(call: Mapping[str, Any], scale: _Scale) -> str:
    span = _span(call)
    assert span is not None
    kind = "error" if call.get("is_error") else ""
    tip = f"{call.get('name')}: {scale.offset(span[0])} · {_seconds(span[1] - span[0])}"
    if kind:
        tip += " · is_error"
    target = f"#call-{call.get('id')}"
    return (
        f"<a class='bar tool {kind}' style='{scale.place(*span)}' href='{_e(target)}' "
        f"title='{_e(tip)}'>{_e(call.get('name'))}</a>"
    )


def _output(data: Mapping[str, Any]) -> str:
    output = data.get("output")
    if output is None or output == data.get("text"):
        return "<h2>Final text</h2>" + _pre(data.get("text") or "")
    return "<h2>Output</h2>" + _pre(_json(output))


def _call(call: Mapping[str, Any]) -> str:
    failed = bool(call.get("is_error"))
    span = _span(call)
    when = _seconds(span[1] - span[0]) if span else "did not run"
    tags = _ERROR_TAG if failed else ""
    return (
        f"<details id='call-{_e(call.get('id'))}' class='{'failed' if failed else ''}'>"
        f"<summary>{_e(call.get('name'))} · turn {_e(call.get('turn') or '?')} · {_e(when)}"
        f"{tags}</summary><div class='body'><div class='kind'>id {_e(call.get('id'))}</div>"
        f"<div class='kind'>input</div>{_pre(_json(call.get('input')))}"
        f"<div class='kind'>result</div>{_content(call.get('result'))}</div></details>"
    )


def _message(index: int, message: Mapping[str, Any]) -> str:
    content = message.get("content")
    blocks: list[Any] = [content] if isinstance(content, str) else list(content or [])
    failed = any(isinstance(b, Mapping) and b.get("is_error") for b in blocks)
    preview = " ".join(_preview(b) for b in blocks)[:120]
    anchor = " id='messages'" if index == 0 else ""
    tag = _ERROR_TAG if failed else ""
    return (
        f"<details{anchor} class='{'failed' if failed else ''}'>"
        f"<summary id='msg-{index}'>#{index} {_e(message.get('role'))} · {_e(preview)}"
        f"{tag}</summary>"
        f"<div class='body'>{''.join(_block(b) for b in blocks)}</div></details>"
    )


def _preview(block: Any) -> str:
    if isinstance(block, str):
        return block
    if not isinstance(block, Mapping):
        return str(block)
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_use":
        return f"[{block.get('name')}]"
    return f"[{kind}]"


def _block(block: Any) -> str:
    if isinstance(block, str) or not isinstance(block, Mapping):
        return _pre(block)
    kind = block.get("type")
    if kind == "text":
        body = _pre(block.get("text", ""))
    elif kind == "thinking":
        body = _pre(block.get("thinking", ""))
    elif kind == "tool_use":
        body = (
            f"<div class='kind'>{_e(block.get('name'))} · "
            f"<a href='#call-{_e(block.get('id'))}'>{_e(block.get('id'))}</a></div>"
            + _pre(_json(block.get("input")))
        )
    elif kind == "tool_result":
        flag = _ERROR_TAG if block.get("is_error") else ""
        body = f"<div class='kind'>for {_e(block.get('tool_use_id'))}{flag}</div>" + _content(
            block.get("content")
        )
    else:
        body = _pre(_json(dict(block)))
    return f"<div class='block'><div class='kind'>{_e(kind)}</div>{body}</div>"


def _content(content: Any) -> str:
    if content is None or isinstance(content, str):
        return _pre(content or "")
    if isinstance(content, list):
        return "".join(_block(b) for b in content)
    return _pre(_json(content))


def _pre(text: Any) -> str:
    return f"<pre>{_e(text)}</pre>"


def _none(text: str) -> str:
    return f"<p class='note'>{_e(text)}</p>"


# -- the map summary -----------------------------------------------------------------------------


def render_map(
    records: Iterable[Mapping[str, Any]],
    summary: Mapping[str, Any] | None = None,
    *,
    title: str = "Map results",
) -> str:
    """The summary page of an `agent.map`: outcomes, latencies, tokens, failures.

    Args:
        records: The results file's records (one per finished input); of an input recorded
            twice (it failed, then ran again), the last record counts.
        summary: `MapSummary.to_dict()`, when the map's own summary is at hand (its counts of
            skipped inputs, wall time and rate limiting are shown too).
        title: The page's title.
    """
    latest: dict[str, Mapping[str, Any]] = {}
    for record in records:
        key = (
            f"id:{record.get('id')}"
            if record.get("id") is not None
            else f"index:{record.get('index')}"
        )
        latest[key] = record
    rows = sorted(latest.values(), key=lambda r: int(r.get("index") or 0))
    failures = [r for r in rows if r.get("error")]
    outcomes: dict[tuple[str, bool], int] = {}
    for record in rows:
        outcome = (_outcome(record), bool(record.get("error")))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    usage: dict[str, int] = {}
    for record in rows:
        for key, value in (record.get("usage") or {}).items():
            if isinstance(value, int):
                usage[key] = usage.get(key, 0) + value
    facts: list[tuple[str, object]] = [
        ("inputs", len(rows)),
        ("succeeded", len(rows) - len(failures)),
        ("failed", len(failures)),
    ]
    if summary is not None:
        facts += [
            ("skipped", summary.get("skipped", 0)),
            ("wall time", _seconds(float(summary.get("wall_time") or 0.0))),
            ("rate limited", summary.get("rate_limited", 0)),
            ("rate-limit wait", _seconds(float(summary.get("rate_limit_wait") or 0.0))),
        ]
    body = [
        f"<header><h1>{_e(title)}</h1><p class='facts'>"
        + " · ".join(f"{_e(name)} <b>{_e(value)}</b>" for name, value in facts)
        + "</p></header>",
        "<h2>Outcomes</h2>" + _outcome_table(outcomes),
        "<h2>Latency</h2>" + _histogram([r.get("seconds") for r in rows]),
        "<h2>Tokens</h2>" + _token_table(usage),
        f"<h2>Failures ({len(failures)})</h2>"
        + ("".join(_failure(r) for r in failures) or _none("none")),
    ]
    return _page(title, "\n".join(body))


def _outcome(record: Mapping[str, Any]) -> str:
    error = record.get("error")
    if error:
        return str(error.get("type", "error")) if isinstance(error, Mapping) else "error"
    return str(record.get("stop_reason"))


def _outcome_table(outcomes: Mapping[tuple[str, bool], int]) -> str:
    """Inputs by outcome (a stop reason, or an error's type), failures in red."""
    if not outcomes:
        return _none("no results")
    most = max(outcomes.values())
    rows = []
    for (outcome, failed), count in sorted(outcomes.items(), key=lambda item: -item[1]):
        width = 240 * count / most
        rows.append(
            f"<tr><td>{_e(outcome)}</td><td>{count}</td><td><span class='hbar"
            f"{' error' if failed else ''}' style='width:{width:.1f}px'></span></td></tr>"
        )
    return "<table><tr><th>outcome</th><th>inputs</th><th></th></tr>" + "".join(rows) + "</table>"


def _histogram(values: Sequence[Any], bins: int = 12) -> str:
    seconds = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not seconds:
        return _none("No timings recorded (results written by an older agentkit).")
    low, high = min(seconds), max(seconds)
    width = (high - low) / bins if high > low else 1.0
    counts = [0] * bins
    for value in seconds:
        counts[min(int((value - low) / width), bins - 1)] += 1
    most = max(counts)
    bars = "".join(
        f"<div class='bin' style='height:{100 * c / most:.1f}%' "
        f"title='{_e(_seconds(low + i * width))} to {_e(_seconds(low + (i + 1) * width))}: {c}'>"
        "</div>"
        for i, c in enumerate(counts)
    )
    labels = "".join(
        f"<span>{_e(_seconds(low + i * width)) if i % 3 == 0 else ''}</span>" for i in range(bins)
    )
    ordered = sorted(seconds)
    p50 = ordered[len(ordered) // 2]
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    stats = (
        f"<p class='facts'>runs timed <b>{len(seconds)}</b> · median <b>{_e(_seconds(p50))}</b>"
        f" · p95 <b>{_e(_seconds(p95))}</b> · max <b>{_e(_seconds(high))}</b></p>"
    )
    return stats + f"<div class='histogram'>{bars}</div><div class='bins'>{labels}</div>"


def _token_table(usage: Mapping[str, int]) -> str:
    names = (
        ("input_tokens", "input (uncached)"),
        ("cache_read_input_tokens", "cache reads"),
        ("cache_creation_input_tokens", "cache writes"),
        ("output_tokens", "output"),
        ("requests", "requests"),
    )
    rows = "".join(
        f"<tr><td>{_e(label)}</td><td>{usage.get(key, 0):,}</td></tr>" for key, label in names
    )
    return f"<table>{rows}</table>"


def _failure(record: Mapping[str, Any]) -> str:
    error = record.get("error")
    details = error if isinstance(error, Mapping) else {"message": error}
    name = f"#{record.get('index')}" + (
        f" ({record.get('id')})" if record.get("id") is not None else ""
    )
    status = f" · HTTP {details['status_code']}" if "status_code" in details else ""
    return (
        f"<details class='failed'><summary>{_e(name)} · {_e(details.get('type', 'error'))}"
        f"{_e(status)}</summary><div class='body'>{_pre(details.get('message', ''))}"
        "</div></details>"
    )
