"""The subset of JSON Schema the API's strict tool mode accepts (PROTOCOL §4).

`to_strict` closes every object (`additionalProperties: false`) and moves keywords strict mode
does not support into the description, where the model still reads them; agentkit keeps
validating the input against the original schema, so nothing stops being enforced.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["SUPPORTED_FORMATS", "STRUCTURAL_KEYWORDS", "moved_constraints", "to_strict"]

SUPPORTED_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
STRUCTURAL_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "anyOf",
        "allOf",
        "$ref",
        "$defs",
        "description",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "format",
    }
)
"""The keywords strict mode keeps (with `minItems` 0/1 and `format` in `SUPPORTED_FORMATS`)."""
_CONSTRAINTS = "Constraints: "
_KEY = re.compile(r"\$?\w+")


def _nested(key: str, value: Any, notes: list[str]) -> Any:
    """The strict form of a keyword holding subschemas, or None for other keywords."""
    if key in ("oneOf", "anyOf", "allOf") and isinstance(value, list):
        return [to_strict(s, notes) for s in value]
    if key in ("properties", "$defs") and isinstance(value, dict):
        return {name: to_strict(s, notes) for name, s in value.items()}
    if key == "items" and isinstance(value, dict):
        return to_strict(value, notes)
    return None


def to_strict(schema: dict[str, Any], notes: list[str] | None = None) -> dict[str, Any]:
    """A strict-mode copy of `schema`; lossy changes are described in `notes`."""
    notes = [] if notes is None else notes
    out: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    for key, value in schema.items():
        nested = _nested(key, value, notes)
        if nested is not None:
            out["anyOf" if key == "oneOf" else key] = nested
        elif key == "additionalProperties":
            if value is not False:
                moved[key] = value
                notes.append(
                    "strict mode allows no free-form object keys (additionalProperties); "
                    "the model can only send the declared properties"
                )
        elif key == "minItems" and value not in (0, 1):
            moved[key] = value
        elif key == "format" and value not in SUPPORTED_FORMATS:
            moved[key] = value
        elif key in STRUCTURAL_KEYWORDS:
            out[key] = value
        else:
            moved[key] = value
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
    if moved:
        constraints = ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in moved.items())
        description = out.get("description")
        out["description"] = (f"{description}\n\n" if description else "") + (
            f"{_CONSTRAINTS}{constraints}"
        )
    return out


def moved_constraints(description: object) -> dict[str, Any]:
    """The keywords `to_strict` moved into a description (`Constraints: minimum=5, ...`).

    The inverse of the move, for readers of a strict schema that want the original constraints
    back (the offline models generate values that satisfy them); {} when there are none.
    """
    if not isinstance(description, str) or _CONSTRAINTS not in description:
        return {}
    text = description.rsplit(_CONSTRAINTS, 1)[1]
    decoder = json.JSONDecoder()
    found: dict[str, Any] = {}
    position = 0
    while position < len(text):
        key, equals, _ = text[position:].partition("=")
        if not equals or not _KEY.fullmatch(key):
            return found
        try:
            value, end = decoder.raw_decode(text, position + len(key) + 1)
        except ValueError:
            return found
        found[key] = value
        position = end + 2 if text.startswith(", ", end) else len(text)
    return found
