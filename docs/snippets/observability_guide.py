"""Code of the "Observability" guide; run by the test suite."""

from __future__ import annotations

import logging

from agentkit import Agent, ToolCallFinished, tool
from agentkit.testing import ScriptedModel

# isort: split
# --8<-- [start:setup]
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import agentkit.otel

exporter = InMemorySpanExporter()  # in production: an OTLP exporter and a BatchSpanProcessor
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
agentkit.otel.configure(tracer_provider=provider)  # or opentelemetry.trace.set_tracer_provider
# --8<-- [end:setup]

MODEL = "claude-sonnet-4-5"

# --8<-- [start:logging]
logging.basicConfig(level=logging.INFO)  # agentkit's records now reach your handlers
logging.getLogger("agentkit.client").setLevel(logging.WARNING)  # retries only, no request lines
# --8<-- [end:logging]
logging.getLogger("agentkit.client").setLevel(logging.NOTSET)


@tool
def get_weather(city: str) -> str:
    """Current weather for a city.

    Args:
        city: City name.
    """
    raise ConnectionError(f"weather service unreachable for {city}")


call = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
model = ScriptedModel([[call], "The weather service is down."])

# --8<-- [start:exception]
agent = Agent(model, model=MODEL, tools=[get_weather])
result = agent.run("Weather in Paris?")
record = result.tool_calls[0]
print(record.is_error, repr(record.exception))  # True ConnectionError('weather service ...')
# --8<-- [end:exception]
assert isinstance(record.exception, ConnectionError)

model = ScriptedModel([[call], "The weather service is down."])
agent = Agent(model, model=MODEL, tools=[get_weather])
# --8<-- [start:event]
for event in agent.stream("Weather in Paris?"):
    if isinstance(event, ToolCallFinished) and event.exception is not None:
        print(f"{event.name} failed: {event.exception!r}")
# --8<-- [end:event]


exporter.clear()  # the runs above made spans too
# --8<-- [start:nested]
tracer = provider.get_tracer("my_app")


@tool
def lookup(city: str) -> str:
    """Look a city up.

    Args:
        city: City name.
    """
    with tracer.start_as_current_span("database query"):  # nests under "execute_tool lookup"
        return f"{city}: 21C"


agent = Agent(ScriptedModel([[{**call, "name": "lookup"}], "21C."]), model=MODEL, tools=[lookup])
agent.run("Weather in Paris?")
print([span.name for span in exporter.get_finished_spans()])
# ['chat claude-sonnet-4-5', 'database query', 'execute_tool lookup',
#  'chat claude-sonnet-4-5', 'invoke_agent agent']
# --8<-- [end:nested]
names = [span.name for span in exporter.get_finished_spans()]
assert names == [
    f"chat {MODEL}",
    "database query",
    "execute_tool lookup",
    f"chat {MODEL}",
    "invoke_agent agent",
], names

exporter.clear()
# --8<-- [start:content]
agent = Agent(
    ScriptedModel(["Hello!"]), model=MODEL, name="greeter", capture_content=True
)  # or: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true
agent.run("Hi")
chat = exporter.get_finished_spans()[0]
print(chat.attributes["gen_ai.input.messages"])  # type: ignore[index]
# [{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}]
# --8<-- [end:content]

# --8<-- [start:off]
quiet = Agent(ScriptedModel(["Hello!"]), model=MODEL, instrument=False)  # this agent: no spans
agentkit.otel.configure(enabled=False)  # no agent: no spans
# --8<-- [end:off]
agentkit.otel.configure()  # as before the guide ran
provider.shutdown()
