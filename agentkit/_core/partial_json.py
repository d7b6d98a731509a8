"""A best-effort view of JSON that is still arriving (a tool's input mid-stream), with no I/O.

`parse_partial_json('{"city": "Lis')` gives `{"city": "Lis"}`: open strings are closed, open
objects and arrays are closed, and an unfinished key or literal is dropped. One pass over the
text, then at most three `json.loads` attempts.

`PartialJsonParser` does the same for text that grows by appending (typed output as it
streams): each character is scanned once over all calls, so only one or two `json.loads`
attempts (C-speed) read the whole text again.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["PartialJsonParser", "parse_partial_json"]

_CLOSE = {"{": "}", "[": "]"}


def _closers(stack: list[str]) -> str:
    return "".join(_CLOSE[c] for c in reversed(stack))


class _Scan:
    """One pass over partial JSON: open containers, string state and the last safe cut."""

    __slots__ = (
        "cut",
        "cut_depth",
        "escape_at",
        "escaped",
        "expect_key",
        "in_str",
        "size",
        "stack",
        "str_is_key",
    )

    def __init__(self, text: str = "") -> None:
        self.stack: list[str] = []
        self.expect_key = self.in_str = self.escaped = self.str_is_key = False
        self.cut = self.cut_depth = 0
        self.escape_at = -1
        """Where the last escape sequence began (its backslash)."""
        self.size = 0
        """Characters scanned so far."""
        self.feed(text)

    def feed(self, text: str) -> None:
        """Scan more text (what follows the text scanned so far)."""
        for i, ch in enumerate(text, self.size):
            if self.in_str:
                self._string_char(ch, i)
            else:
                self._structural_char(ch, i)
        self.size += len(text)

    def _mark(self, position: int) -> None:
        self.cut, self.cut_depth = position, len(self.stack)

    def _string_char(self, ch: str, i: int) -> None:
        if self.escaped:
            self.escaped = False
        elif ch == "\\":
            self.escaped = True
            self.escape_at = i
        elif ch == '"':
            self.in_str = False
            if not self.str_is_key:
                self._mark(i + 1)

    def _structural_char(self, ch: str, i: int) -> None:
        if ch == '"':
            self.in_str = True
            self.str_is_key = bool(self.stack) and self.stack[-1] == "{" and self.expect_key
        elif ch in "{[":
            self.stack.append(ch)
            self.expect_key = ch == "{"
            self._mark(i + 1)
        elif ch in "}]":
            if self.stack:
                self.stack.pop()
            self.expect_key = False
            self._mark(i + 1)
        elif ch == ",":
            self._mark(i)
            self.expect_key = bool(self.stack) and self.stack[-1] == "{"
        elif ch == ":":
            self.expect_key = False


def parse_partial_json(text: str) -> Any:
    """The value `text` is a prefix of, as complete as can be told; None if nothing yet."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    return _complete(text, _Scan(text))


class PartialJsonParser:
    """`parse_partial_json` for a text that grows by appending, scanning each character once."""

    def __init__(self) -> None:
        self._scan = _Scan()

    def parse(self, text: str) -> Any:
        """The value `text` is a prefix of; `text` extends the text of the previous call."""
        scan = self._scan
        scan.feed(text[scan.size :])
        if not scan.stack and not scan.in_str:  # only then can the text be complete
            try:
                return json.loads(text)
            except ValueError:
                pass
        return _complete(text, scan)


def _complete(text: str, scan: _Scan) -> Any:
    """The value of partial `text` (scanned as `scan`), as complete as can be told."""
    for candidate in _candidates(text, scan):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    if scan.cut == 0:
        return None
    try:
        return json.loads(text[: scan.cut] + _closers(scan.stack[: scan.cut_depth]))
    except ValueError:
        return None


def _candidates(text: str, scan: _Scan) -> list[str]:
    stack = scan.stack
    if scan.in_str:
        if scan.str_is_key:
            return []
        body = text
        start = scan.escape_at
        if scan.escaped:
            body = text[:-1]
        elif start >= 0 and text[start + 1 : start + 2] == "u" and len(text) - start < 6:
            body = text[:start]  # drop a cut-off \uXXXX escape
        return [body + '"' + _closers(stack)]
    stripped = text.rstrip()
    if stripped.endswith(","):
        stripped = stripped[:-1]
    return [stripped + _closers(stack)]
