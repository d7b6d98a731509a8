"""agentkit's loggers, and `ANTHROPIC_LOG`.

The loggers form one hierarchy under `agentkit`:

- `agentkit.client`: one INFO line per HTTP request (method, path, status, latency, request id,
  retry count); a WARNING before each retry and after each rate-limit wait; the request's
  headers (credentials redacted) at DEBUG.
- `agentkit.tools`: a WARNING, with its traceback, for each exception a tool raises (the model
  reads only `Type: message`).
- `agentkit.mcp`: the MCP connections.

Like any library, agentkit adds only a `NullHandler` of its own: the application decides where
records go (`logging.basicConfig(level=logging.INFO)` shows them). `ANTHROPIC_LOG=info|debug`,
as in the official SDK, sets the `agentkit` logger's level and shows its records on stderr
while the application has configured no handler for them; once it has (say, with
`logging.basicConfig`), the records go to its handlers only, never printed twice.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = [
    "client_log",
    "configure_from_env",
    "tools_log",
]

root_log = logging.getLogger("agentkit")
root_log.addHandler(logging.NullHandler())
client_log = logging.getLogger("agentkit.client")
tools_log = logging.getLogger("agentkit.tools")

_FORMAT = "[%(asctime)s %(name)s %(levelname)s] %(message)s"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


class _FallbackHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to stderr only while no other handler would receive the record.

    Checked per record, so an application that configures logging after the client was made
    (`logging.basicConfig()` later on) takes over at once, without duplicate lines.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter(_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        if not _other_handlers(logging.getLogger(record.name)):
            self.stream = sys.stderr  # the current stderr (tests replace it)
            super().emit(record)


def _other_handlers(logger: logging.Logger | None) -> bool:
    """Whether a handler besides ours (and `NullHandler`s) is on the record's way up."""
    while logger is not None:
        for handler in logger.handlers:
            if not isinstance(handler, (_FallbackHandler, logging.NullHandler)):
                return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return False


def configure_from_env() -> None:
    """Honour `ANTHROPIC_LOG=debug|info` (read when a client is made; other values: nothing)."""
    level = _LEVELS.get(os.environ.get("ANTHROPIC_LOG", "").strip().lower())
    if level is None:
        return
    root_log.setLevel(level)
    if not any(isinstance(h, _FallbackHandler) for h in root_log.handlers):
        root_log.addHandler(_FallbackHandler())
