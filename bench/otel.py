"""What OpenTelemetry spans cost an agent run.

    python -m bench.otel [--runs 200] [--repeat 7] [--batch]
    python -m bench.otel --instructions [--runs 100]     # needs valgrind

One run: the model calls a tool, the tool answers, the model answers in text (two model
requests, one tool call: four spans when recorded). First the model is offline and in process
(an `agentkit.testing.FunctionModel` behind the in-process transport, its request checks off): no
network hides the client's own cost; measured with the sync `Agent` and the `AsyncAgent`. Then
the same run with the sync `Agent` over loopback HTTP, against the bench server (`bench/server.py`,
a separate process; its `loop` scenario), as a run against the API goes. Contenders alternated:

- instrumentation off: `agentkit.otel.configure(enabled=False)`, as `instrument=False` (the
  baseline);
- opentelemetry-api, no SDK: the default with `opentelemetry-api` installed and no tracer
  provider set up by the application (spans are not recording);
- SDK, in-memory exporter: an OpenTelemetry SDK `TracerProvider` whose spans go to an
  `InMemorySpanExporter` through a `SimpleSpanProcessor` (each span exported as it ends);
- with `--batch`, also SDK, batch processor: the same through a `BatchSpanProcessor` (the
  usual production choice: spans queued, exported on its worker thread). Each of its batches
  ends with `force_flush()`, so the export's CPU is counted (CPU is the process's, all threads).

With `--instructions`, instead of timing: the instructions executed per run, counted by
valgrind's callgrind (deterministic and independent of the machine's load, which on a shared
2-core machine swings whole-run CPU times by more than the spans cost). Each count is a child
process doing a warm-up and then `runs` runs, minus the same child doing the warm-up alone;
the bench server (loopback rows) is not counted. Rows: the whole run (sync `Agent`, in process
and over loopback HTTP) with instrumentation off and with the SDK recording, and the spans'
calls alone (the seam, and the same four spans asked of the SDK directly: the SDK's own floor).

Targets (issue 19): at most 3% over the baseline without an SDK, at most 15% with one.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Generator
from typing import Any

import anyio
import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentkit import Agent, Anthropic, AsyncAgent, AsyncAnthropic, _telemetry, tool
from agentkit._core.tool_calls import ToolCall
from agentkit.testing import FunctionModel, ModelRequest
from agentkit.tools._calls import Outcome
from agentkit.types.message import Message
from bench._harness import Result, run_alternating, table
from bench._server_process import loopback_server
from bench.agent_loop import add

MODEL = "claude-sonnet-4-5"
BASELINE = "instrumentation off"
BATCH = "SDK, batch processor"
SDK = "SDK, in-memory exporter"


@tool
def lookup(city: str) -> str:
    """The weather in a city."""
    return f"{city}: 21C, sunny"


def answer(request: ModelRequest) -> Any:
    """A tool call first, then text once the tool's result is in."""
    if len(request["messages"]) == 1:
        return [{"type": "tool_use", "name": "lookup", "input": {"city": "Paris"}}]
    return "It is sunny in Paris."


EXPORTER = InMemorySpanExporter()
"""Where the SDK contender's spans go (emptied before each of its batches: spans kept across
batches would make every garbage collection slower, a cost of the benchmark, not of tracing)."""


BATCHED: list[TracerProvider] = []
"""The batch contender's provider, once made (flushed at the end of each of its batches)."""


def settings(batch: bool = False) -> dict[str, _telemetry.Settings]:
    """Each contender's configuration (put in force at the start of each of its batches)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    contenders = {
        BASELINE: _telemetry.Settings(enabled=False),
        "opentelemetry-api, no SDK": _telemetry.Settings(),
        SDK: _telemetry.Settings(tracer_provider=provider),
    }
    if batch:
        if not BATCHED:
            batched = TracerProvider()
            batched.add_span_processor(BatchSpanProcessor(EXPORTER))
            BATCHED.append(batched)
        contenders[BATCH] = _telemetry.Settings(tracer_provider=BATCHED[0])
    return contenders


def flush(config: _telemetry.Settings) -> None:
    """Export what a batch processor still holds (its CPU counted in the batch that made it)."""
    if BATCHED and config.tracer_provider is BATCHED[0]:
        BATCHED[0].force_flush()


def agents(base_url: str | None) -> tuple[Agent, AsyncAgent]:
    """The agents: in process (offline model), or over loopback HTTP to the bench server."""
    if base_url is None:
        model = FunctionModel(answer, validate=False, keep_requests=False)
        return (
            Agent(model.client(), model=MODEL, tools=[lookup]),
            AsyncAgent(model.async_client(), model=MODEL, tools=[lookup]),
        )
    options: Any = {"api_key": "bench", "base_url": base_url}
    options["default_headers"] = {"x-bench-scenario": "loop"}  # a tool call, then text
    tools = [tool(add)]
    return (
        Agent(Anthropic(**options), model=MODEL, tools=tools),
        AsyncAgent(AsyncAnthropic(**options), model=MODEL, tools=tools),
    )


def batches(
    runs: int, is_async: bool, base_url: str | None, with_batch: bool = False
) -> dict[str, Callable[[], object]]:
    """One callable per contender: `runs` runs under its configuration."""
    sync_agent, async_agent = agents(base_url)

    def batch(config: _telemetry.Settings) -> Callable[[], object]:
        def many_sync() -> object:
            _telemetry.use(config)
            EXPORTER.clear()
            texts = [sync_agent.run("Weather in Paris?").text for _ in range(runs)]
            flush(config)
            return texts

        async def many_async() -> object:
            _telemetry.use(config)
            EXPORTER.clear()
            texts = [(await async_agent.run("Weather in Paris?")).text for _ in range(runs)]
            flush(config)
            return texts

        return (lambda: anyio.run(many_async)) if is_async else many_sync

    return {name: batch(config) for name, config in settings(with_batch).items()}


def seam_calls(runs: int, with_batch: bool = False) -> dict[str, Callable[[], object]]:
    """The spans' calls alone: what a run asks of `agentkit._telemetry`, without the run.

    Per run: the run's span, two model calls (each a `chat` span around a finished call, then
    the turn's event), one tool call under the run's span. Far steadier than the difference of
    two whole runs on a busy machine.
    """
    message = Message.model_validate(
        {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [{"type": "text", "text": "It is sunny in Paris."}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 25, "output_tokens": 12},
        }
    )
    params = {"model": MODEL, "max_tokens": 4096, "messages": [{"role": "user", "content": "?"}]}
    call = ToolCall("toolu_bench", "lookup", {"city": "Paris"})
    url = httpx.URL("https://api.anthropic.com")

    def model_call() -> Generator[object, None, Message]:
        return message
        yield  # a generator, as the agent's model call is

    def one_run() -> Generator[object, None, None]:
        with _telemetry.start_run(MODEL, MODEL, url, instrument=True, capture_content=None) as run:
            for _ in range(2):
                yield from run.chat(params, False).attach(model_call())
                run.saw(message)
            with run.attached():
                outcome = Outcome()
                with _telemetry.tool_span(call, outcome):
                    outcome.value = "Paris: 21C"

    def batch(config: _telemetry.Settings) -> Callable[[], object]:
        def many() -> object:
            _telemetry.use(config)
            EXPORTER.clear()
            for _ in range(runs):
                for _ in one_run():
                    pass
            flush(config)
            return None

        return many

    contenders = settings(with_batch)
    each = {name: batch(config) for name, config in contenders.items()}
    provider = contenders[SDK].tracer_provider
    assert provider is not None
    each[SDK_ALONE] = sdk_alone(runs, provider, model_call)
    return each


SDK_ALONE = "SDK alone, same spans"


def sdk_alone(
    runs: int, provider: Any, model_call: Callable[[], Generator[object, None, Message]]
) -> Callable[[], object]:
    """The floor under the seam: the same spans asked of the SDK directly, nothing of ours.

    Same names, kinds, parents, attributes (those the seam's run records) and context changes
    (each span current while its work runs), and the same simulated steps, through the SDK
    contender's provider. The seam's SDK row minus this one is agentkit's own share.
    """
    from opentelemetry import context, trace

    from agentkit._version import __version__

    tracer = provider.get_tracer("agentkit", __version__)
    attach, detach, in_context = context.attach, context.detach, trace.set_span_in_context
    client, internal = trace.SpanKind.CLIENT, trace.SpanKind.INTERNAL

    def one_run() -> None:
        run = tracer.start_span(
            f"invoke_agent {MODEL}",
            kind=internal,
            attributes={
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.provider.name": "anthropic",
                "gen_ai.agent.name": MODEL,
                "gen_ai.request.model": MODEL,
            },
        )
        run_context = in_context(run)
        for _ in range(2):
            chat = tracer.start_span(
                f"chat {MODEL}",
                run_context,
                kind=client,
                attributes={
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": "anthropic",
                    "gen_ai.request.model": MODEL,
                    "server.address": "api.anthropic.com",
                    "server.port": 443,
                    "gen_ai.request.max_tokens": 4096,
                },
            )
            token = attach(in_context(chat))
            for _ in model_call():
                pass
            detach(token)
            chat.set_attributes(
                {
                    "gen_ai.response.id": "msg_bench",
                    "gen_ai.response.model": MODEL,
                    "gen_ai.response.finish_reasons": ["end_turn"],
                    "gen_ai.usage.input_tokens": 25,
                    "gen_ai.usage.output_tokens": 12,
                }
            )
            chat.end()
        token = attach(run_context)
        outcome = Outcome()
        tool_span = tracer.start_span(
            "execute_tool lookup",
            kind=internal,
            attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.provider.name": "anthropic",
                "gen_ai.tool.name": "lookup",
                "gen_ai.tool.call.id": "toolu_bench",
            },
        )
        tool_token = attach(in_context(tool_span))
        outcome.value = "Paris: 21C"
        detach(tool_token)
        tool_span.end()
        detach(token)
        run.end()

    def many() -> object:
        EXPORTER.clear()
        for _ in range(runs):
            one_run()
        return None

    return many


COUNTED = {
    "whole run, in process": ("sync", (BASELINE, SDK)),
    "whole run, loopback HTTP": ("http", (BASELINE, SDK)),
    "the spans' calls alone": ("seam", (SDK, SDK_ALONE)),
}
"""What `--instructions` counts: (setting, contenders) per row group."""

WARMUP = 30


def child(setting: str, contender: str, runs: int) -> None:
    """One counted process: `WARMUP` runs (or simulated runs), then `runs` more."""
    if setting == "seam":
        for count in (WARMUP, runs):
            seam_calls(count)[contender]()
        return
    _telemetry.use(settings()[contender])

    def go(agent: Agent) -> None:
        for count in (WARMUP, runs):
            for _ in range(count):
                agent.run("Weather in Paris?")
            EXPORTER.clear()

    if setting == "http":
        with loopback_server() as base_url:
            go(agents(base_url)[0])
    else:
        go(agents(None)[0])


def count_instructions(valgrind: str, setting: str, contender: str, runs: int) -> int:
    """Instructions a child executes (callgrind's total; the bench server not included)."""
    command = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    command += [sys.executable, "-m", "bench.otel", "--child", setting, contender, str(runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def instructions(runs: int) -> dict[str, Any]:
    """Count instructions per run for each row (see the module's docstring); print them."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit(
            "--instructions needs valgrind: sudo apt-get install valgrind (or leave the flag "
            "out to time the runs instead)"
        )
    figures: dict[str, Any] = {"runs": runs}
    print(f"## instructions per run (valgrind --tool=callgrind, {runs} counted runs)\n")
    for title, (setting, contenders) in COUNTED.items():
        row: dict[str, float] = {}
        for contender in contenders:
            counts = [count_instructions(valgrind, setting, contender, n) for n in (0, runs)]
            row[contender] = (counts[1] - counts[0]) / runs
        figures[setting] = row
        print(f"{title}:")
        for contender, per_run in row.items():
            print(f"  {contender:28} {per_run / 1000:9.1f} k instructions per run")
        print()
    run_in_process, run_http = figures["sync"][BASELINE], figures["http"][BASELINE]
    for setting, run in (("sync", run_in_process), ("http", run_http)):
        figures[setting]["overhead"] = figures[setting][SDK] / run - 1
    seam = figures["seam"]
    shares = {
        name: {"in_process": seam[name] / run_in_process, "http": seam[name] / run_http}
        for name in (SDK, SDK_ALONE)
    }
    figures["shares"] = shares
    print("SDK recording, over instrumentation off:")
    print(f"  whole run in process       {figures['sync']['overhead'] * 100:+6.1f}%")
    print(f"  whole run, loopback HTTP   {figures['http']['overhead'] * 100:+6.1f}%")
    for name, share in shares.items():
        print(
            f"  {name:26} {share['in_process'] * 100:5.1f}% of a run in process, "
            f"{share['http'] * 100:5.1f}% of a loopback-HTTP run"
        )
    agentkit = seam[SDK] - seam[SDK_ALONE]
    figures["agentkit_share"] = agentkit / seam[SDK]
    print(f"  agentkit's own part of the spans' cost: {agentkit / seam[SDK] * 100:.1f}%\n")
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Print the tables; return the figures (each contender's time over the baseline's)."""
    parser = argparse.ArgumentParser(description="The cost of OpenTelemetry spans per run.")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--batch", action="store_true", help="add an SDK contender with a BatchSpanProcessor"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per run with valgrind instead of timing (default 100 runs)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        setting, contender, runs = args.child
        child(setting, contender, int(runs))
        return {}
    if args.instructions:
        return instructions(args.runs or 100)
    args.runs = args.runs or 200
    figures: dict[str, Any] = {"runs": args.runs}
    try:
        with loopback_server() as base_url:
            for key, is_async in (("sync", False), ("async", True), ("http", False)):
                url = base_url if key == "http" else None
                each = batches(args.runs, is_async, url, args.batch)
                results = run_alternating(each, repeat=args.repeat, units=args.runs, memory=False)
                figures[key] = report(key, results, args.runs)
        seam_each = seam_calls(args.runs * 10, args.batch)
        seam = run_alternating(seam_each, repeat=args.repeat, memory=False)
        figures["seam"] = report_seam(seam, args.runs * 10, figures, args.runs)
    finally:
        _telemetry.use(_telemetry.Settings())
    return figures


def report(key: str, results: dict[str, Result], runs: int) -> dict[str, Any]:
    """Print one setting's table and overheads; return its figures."""
    agent = "AsyncAgent" if key == "async" else "Agent"
    where = "over loopback HTTP" if key == "http" else "in process"
    title = f"one run ({agent}, {where}), {runs} per measurement"
    print(table(title, results, [BASELINE], "runs"))
    base, base_cpu = results[BASELINE].median, results[BASELINE].cpu_median
    overhead = {name: r.median / base - 1 for name, r in results.items()}
    cpu_overhead = {name: r.cpu_median / base_cpu - 1 for name, r in results.items()}
    for name in results:
        print(
            f"  {name:28} {overhead[name] * 100:+6.1f}% wall, "
            f"{cpu_overhead[name] * 100:+6.1f}% CPU per run over the baseline"
        )
    print()
    return {
        "overhead": overhead,
        "cpu_overhead": cpu_overhead,
        **{k: v.as_dict() for k, v in results.items()},
    }


def report_seam(
    results: dict[str, Result], runs: int, figures: dict[str, Any], whole_runs: int
) -> dict[str, Any]:
    """Print the spans' own CPU per run, and its share of a whole run's CPU (the baseline's).

    The shares compare with the sync `Agent`'s baseline run measured above: in process, and
    over loopback HTTP.
    """
    in_process = figures["sync"][BASELINE]["cpu_median_s"] / whole_runs
    over_http = figures["http"][BASELINE]["cpu_median_s"] / whole_runs
    print(f"## the spans' calls alone, per run ({runs} per measurement)\n")
    seam: dict[str, Any] = {"run_cpu_s": {"in_process": in_process, "http": over_http}}
    for name, r in results.items():
        per_run = r.cpu_median / runs
        seam[name] = {
            "cpu_per_run_s": per_run,
            "share_in_process": per_run / in_process,
            "share_http": per_run / over_http,
        }
        print(
            f"  {name:28} {per_run * 1e6:7.1f} us CPU per run: "
            f"{per_run / in_process * 100:5.1f}% of a run's CPU in process "
            f"({in_process * 1e6:.0f} us), {per_run / over_http * 100:5.1f}% over loopback "
            f"HTTP ({over_http * 1e6:.0f} us)"
        )
    print()
    return seam


if __name__ == "__main__":
    main()
