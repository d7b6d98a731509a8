"""Tool and parameter descriptions from a docstring (Google, NumPy, reST and Epydoc styles)."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

import docstring_parser

__all__ = ["ParsedDocstring", "parse_docstring"]

# A line that opens a parameter/returns section: text from here on never reaches the model.
_SECTION = re.compile(
    r"^\s*(?:(?:Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Returns?"
    r"|Yields?|Raises|Exceptions?)\s*:?\s*$|[:@](?:param|type|arg|argument|key|keyword|returns?"
    r"|rtype|raises?|except|exception)\b)",
    re.IGNORECASE,
)
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_PARAM_KINDS = frozenset({"param", "parameter", "arg", "argument", "key", "keyword"})


@dataclass(frozen=True, kw_only=True)
class ParsedDocstring:
    """What a docstring says about a tool.

    Attributes:
        description: Summary and body, without parameter, returns or raises sections.
        params: Parameter name -> description.
    """

    description: str
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> ParsedDocstring:
    """Split a docstring into the tool description and per-parameter descriptions."""
    if not doc or not doc.strip():
        return ParsedDocstring(description="")
    text = inspect.cleandoc(doc)
    parsed = docstring_parser.parse(text)
    parts = [p for p in (parsed.short_description, parsed.long_description) if p]
    # a summary that wraps onto a second line stays one paragraph
    joiner = "\n\n" if parsed.blank_after_short_description else "\n"
    description = _strip_sections(joiner.join(parts))
    params = {
        p.arg_name.lstrip("*"): " ".join(p.description.split())
        for p in parsed.params
        if p.description and p.args and p.args[0] in _PARAM_KINDS
    }
    return ParsedDocstring(description=description, params=params)


def _strip_sections(description: str) -> str:
    """Cut the text at the first section header the parser did not recognise (no leaks)."""
    lines = description.splitlines()
    for i, line in enumerate(lines):
        next_line = lines[i + 1] if i + 1 < len(lines) else ""
        if _SECTION.match(line) or (line.strip() and _UNDERLINE.match(next_line)):
            lines = lines[:i]
            break
    return "\n".join(lines).strip()
