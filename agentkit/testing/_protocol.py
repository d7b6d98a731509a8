"""Validate a request the way the API does, answering with its wording (PROTOCOL §9).

No I/O: `check_request` returns the error an API would send, or None. Every offline test
through `agentkit.testing` is thereby also a protocol-conformance test of the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..tools._structured import schema_problem

__all__ = ["EFFORTS", "KNOWN_FIELDS", "RequestProblem", "check_count_tokens", "check_request"]

KNOWN_FIELDS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "stream",
        "system",
        "tools",
        "tool_choice",
        "thinking",
        "output_config",
        "stop_sequences",
        "metadata",
        "service_tier",
        "speed",
        "inference_geo",
        "cache_control",
        "container",
        "diagnostics",
        "temperature",
        "top_p",
        "top_k",
    }
)
"""Top-level fields of `POST /v1/messages` (PROTOCOL §2.1); anything else is refused."""

_COUNT_FIELDS = frozenset(
    {
        "model",
        "messages",
        "system",
        "tools",
        "tool_choice",
        "thinking",
        "output_config",
        "cache_control",
        "speed",
    }
)
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_SAMPLING = ("temperature", "top_p", "top_k")
EFFORTS = ("low", "medium", "high", "xhigh", "max")
"""The values of `output_config.effort` (PROTOCOL §2.1)."""


@dataclass(frozen=True)
class RequestProblem:
    """An error response the API would give: status, `error.type`, message."""

    status: int
    type: str
    message: str

    def body(self, request_id: str) -> dict[str, Any]:
        """The JSON error body."""
        return {
            "type": "error",
            "error": {"type": self.type, "message": self.message},
            "request_id": request_id,
        }


def _invalid(message: str) -> RequestProblem:
    return RequestProblem(400, "invalid_request_error", message)


def check_headers(headers: Mapping[str, str]) -> RequestProblem | None:
    """Authentication and version headers."""
    if not headers.get("x-api-key") and not headers.get("authorization"):
        return RequestProblem(401, "authentication_error", "x-api-key header is required")
    if not headers.get("anthropic-version"):
        return _invalid("anthropic-version: header is required")
    return None


def check_request(body: object, headers: Mapping[str, str]) -> RequestProblem | None:
    """The API's verdict on a `POST /v1/messages` request; None when it is acceptable."""
    problem = check_headers(headers)
    if problem is not None:
        return problem
    if not isinstance(body, dict):
        return _invalid("The request body is not valid JSON (expected an object).")
    for name in ("max_tokens", "messages", "model"):
        if name not in body:
            return _invalid(f"{name}: Field required")
    problem = _fields(body, KNOWN_FIELDS, headers)
    if problem is not None:
        return problem
    max_tokens = body["max_tokens"]
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 0:
        return _invalid("max_tokens: Input should be a valid integer greater than or equal to 0")
    return (
        _messages(body["messages"])
        or _tools(body.get("tools"), body.get("tool_choice"))
        or _output_config(body.get("output_config"))
    )


def check_count_tokens(body: object, headers: Mapping[str, str]) -> RequestProblem | None:
    """The API's verdict on a `POST /v1/messages/count_tokens` request."""
    problem = check_headers(headers)
    if problem is not None:
        return problem
    if not isinstance(body, dict):
        return _invalid("The request body is not valid JSON (expected an object).")
    for name in ("messages", "model"):
        if name not in body:
            return _invalid(f"{name}: Field required")
    return (
        _fields(body, _COUNT_FIELDS, headers)
        or _messages(body["messages"])
        or _tools(body.get("tools"), body.get("tool_choice"))
        or _output_config(body.get("output_config"))
    )


def _fields(
    body: Mapping[str, Any], known: frozenset[str], headers: Mapping[str, str]
) -> RequestProblem | None:
    version = headers.get("anthropic-version", "")
    betas = headers.get("anthropic-beta", "")
    for name in body:
        if name == "mcp_servers" and "mcp-client-" in betas:  # the MCP connector (a beta)
            continue
        if name not in known or (version == "2026-10-21" and name in _SAMPLING):
            return _invalid(f"{name}: Extra inputs are not permitted")
    return None


def _blocks(content: object) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content) if isinstance(content, list) else []


def _messages(messages: object) -> RequestProblem | None:
    if not isinstance(messages, list) or not messages:
        return _invalid("messages: at least one message is required")
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system":
            return _invalid(
                f"messages.{i}.role: Input should be 'user' or 'assistant'. The system prompt "
                "is not a message: pass it as the top-level `system` parameter (system=...)."
            )
        if role not in ("user", "assistant"):
            return _invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if "content" not in message:
            return _invalid(f"messages.{i}.content: Field required")
    merged = merge_turns(messages)
    if merged[0]["role"] != "user":
        return _invalid('messages: first message must use the "user" role')
    return _tool_pairing(merged)


def merge_turns(messages: list[Any]) -> list[dict[str, Any]]:
    """The conversation as the API reads it: consecutive turns of one role are one turn.

    PROTOCOL §3.1: the API merges them (their content blocks, in order) instead of refusing.
    """
    merged: list[dict[str, Any]] = []
    for message in messages:
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1]["content"] = [
                *_blocks(merged[-1]["content"]),
                *_blocks(message["content"]),
            ]
        else:
            merged.append({"role": message["role"], "content": message["content"]})
    return merged


def _tool_use_ids(message: Mapping[str, Any]) -> list[str]:
    if message.get("role") != "assistant":
        return []
    return [
        str(b.get("id"))
        for b in _blocks(message.get("content"))
        if isinstance(b, dict) and b.get("type") == "tool_use"
    ]


def _tool_pairing(messages: list[Any]) -> RequestProblem | None:
    for i, message in enumerate(messages):
        expected = _tool_use_ids(messages[i - 1]) if i else []
        blocks = _blocks(message.get("content")) if message["role"] == "user" else []
        seen_other = False
        answered: set[str] = set()
        for k, block in enumerate(blocks):
            if not isinstance(block, dict):
                continue
            if block.get("type") != "tool_result":
                seen_other = True
                continue
            tool_use_id = block.get("tool_use_id")
            if tool_use_id not in expected:
                return _invalid(
                    f"messages.{i}.content.{k}: unexpected `tool_use_id` found in `tool_result` "
                    f"blocks: {tool_use_id}. Each `tool_result` block must have a corresponding "
                    "`tool_use` block in the previous message."
                )
            if seen_other:
                return _invalid(
                    f"messages.{i}.content.{k}: `tool_result` blocks must come first in the "
                    "message content, before any text or other blocks."
                )
            answered.add(str(tool_use_id))
        missing = [tid for tid in expected if tid not in answered]
        if missing:
            return _missing_results(i - 1, missing)
    last_ids = _tool_use_ids(messages[-1])
    if last_ids:
        return _missing_results(len(messages) - 1, last_ids)
    return None


def _missing_results(index: int, ids: list[str]) -> RequestProblem:
    return _invalid(
        f"messages.{index}: `tool_use` ids were found without `tool_result` blocks immediately "
        f"after: {', '.join(ids)}. Each `tool_use` block must have a corresponding "
        "`tool_result` block in the next message."
    )


def _tools(tools: object, tool_choice: object) -> RequestProblem | None:
    names: list[str] = []
    for i, item in enumerate(tools if isinstance(tools, list) else []):
        if not isinstance(item, dict):
            return _invalid(f"tools.{i}: Input should be a valid dictionary")
        if "toolset" in str(item.get("type", "")):  # e.g. mcp_toolset: no name of its own
            continue
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            return _invalid(
                f"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
            )
        if item.get("type", "custom") == "custom":
            schema = item.get("input_schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                return _invalid(f"tools.{i}.custom.input_schema.type: Input should be 'object'")
            if item.get("strict") is True:  # grammar-constrained: the structured-output subset
                problem = schema_problem(schema, f"tools.{i}.custom.input_schema")
                if problem is not None:
                    return _invalid(problem)
        names.append(name)
    if len(set(names)) != len(names):
        return _invalid("tools: Tool names must be unique.")
    if isinstance(tool_choice, dict) and tool_choice.get("type") == "tool":
        if tool_choice.get("name") not in names:
            return _invalid(
                f"tool_choice.name: Tool '{tool_choice.get('name')}' not found in provided tools"
            )
    return None


def _output_config(config: object) -> RequestProblem | None:
    """`output_config`: an `effort` level and a `json_schema` format in the subset."""
    if config is None:
        return None
    if not isinstance(config, dict):
        return _invalid("output_config: Input should be a valid dictionary")
    for name in config:
        if name not in ("effort", "format"):
            return _invalid(f"output_config.{name}: Extra inputs are not permitted")
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        allowed = ", ".join(f"'{e}'" for e in EFFORTS[:-1])
        return _invalid(f"output_config.effort: Input should be {allowed} or '{EFFORTS[-1]}'")
    output_format = config.get("format")
    if output_format is None:
        return None
    if not isinstance(output_format, dict):
        return _invalid("output_config.format: Input should be a valid dictionary")
    if output_format.get("type") != "json_schema":
        return _invalid("output_config.format.type: Input should be 'json_schema'")
    for name in output_format:
        if name not in ("type", "schema"):
            return _invalid(f"output_config.format.{name}: Extra inputs are not permitted")
    if "schema" not in output_format:
        return _invalid("output_config.format.schema: Field required")
    problem = schema_problem(output_format["schema"], "output_config.format.schema")
    return _invalid(problem) if problem is not None else None
