"""OpenTelemetry spans for agent runs, in the form of the GenAI semantic conventions.

With `opentelemetry-api` installed (`pip install 'agentkit[otel]'`), every `Agent` and
`AsyncAgent` run emits spans to the tracer provider the application set up (the application
brings the OpenTelemetry SDK and its exporter):

- `invoke_agent {agent name}` (INTERNAL) around the run;
- `chat {model}` (CLIENT) around each model request, with retries and rate-limit waits as
  span events;
- `execute_tool {tool name}` (INTERNAL) around each tool call that runs, current while the
  tool runs (on worker threads too), so a tool's own spans nest under it; and for each call
  answered without running (an unknown tool, invalid input, a hook's denial, a refused
  approval), with an `error.type` saying why (see the "Observability" guide).

With no SDK configured, the spans cost almost nothing: a run finds that its span is not
recording and records nothing more. Message and tool content is recorded only on request:
`configure(capture_content=True)`, `Agent(..., capture_content=True)`, or the environment
variable `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._exceptions import UsageError
from ._telemetry import CAPTURE_CONTENT_ENV, Settings, available, settings, use

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

__all__ = ["CAPTURE_CONTENT_ENV", "Settings", "configure", "settings"]

INSTALL = "pip install 'agentkit[otel]'"


def configure(
    *,
    enabled: bool = True,
    capture_content: bool | None = None,
    tracer_provider: TracerProvider | None = None,
) -> None:
    """Set how agents emit spans, for the whole process (each call replaces the last).

    Args:
        enabled: Emit spans (False: no agent does, whatever its `instrument=`).
        capture_content: Record messages, system instructions and tool arguments and results
            in the spans (None: as the environment variable
            `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` says; off unless `true`).
            An agent's own `capture_content=` wins over this.
        tracer_provider: The provider to take agentkit's tracer from (None: the global one,
            `opentelemetry.trace.set_tracer_provider`).

    Raises:
        UsageError: Spans are asked for and `opentelemetry-api` is not installed.
    """
    if enabled and not available():
        raise UsageError(
            f"OpenTelemetry spans need the opentelemetry-api package: {INSTALL} (and an "
            "OpenTelemetry SDK with an exporter to send the spans somewhere)."
        )
    use(Settings(enabled=enabled, capture_content=capture_content, tracer_provider=tracer_provider))
