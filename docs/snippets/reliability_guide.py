"""Code of the "Reliability and security" guide; run by the test suite."""

from __future__ import annotations

from agentkit import Agent, Toolbox, tool
from agentkit.testing import TestModel

DATABASE_PASSWORD = "hunter2-very-secret"


@tool
def query(sql: str) -> str:
    """Run a query."""
    raise PermissionError(f"login with password {DATABASE_PASSWORD} refused")


# --8<-- [start:redact]
from agentkit.tools import redacting_formatter  # noqa: E402

tools = Toolbox([query], format_error=redacting_formatter(DATABASE_PASSWORD))
result = Agent(TestModel().client(), model="claude-sonnet-4-5", tools=tools).run("Query")
assert result.tool_calls[0].result == "PermissionError: login with password <redacted> refused"
# --8<-- [end:redact]
