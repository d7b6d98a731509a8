"""The `agentkit` command (also `python -m agentkit`). Standard-library argparse only.

    agentkit run MODULE:AGENT "prompt" [--stream] [--max-turns N] [--offline] [--json]
    agentkit map MODULE:AGENT inputs.jsonl -o results.jsonl [--concurrency N] [--offline]
                 [--mode live|batch] [--journal runs.db]
    agentkit tools MODULE
    agentkit serve [--model test|echo|scripted:FILE] [--port N] [--batch-seconds S]
    agentkit count-tokens "text" [--model M] [--offline]
    agentkit mcp serve MODULE[:OBJ] [--http] [--host H] [--port N]
    agentkit view RUN.json|results.jsonl [-o page.html]
    agentkit version

Errors are one line on stderr (exit status 2), without a traceback unless `--debug`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from ._exceptions import AgentkitError, UsageError
from ._version import __version__

__all__ = ["main"]

EXIT_OK, EXIT_STOPPED, EXIT_ERROR = 0, 1, 2
_DONE = frozenset({"end_turn", "stop_sequence"})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentkit", description="Tool-using agents on the Anthropic Messages API."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run an Agent defined in a module or file")
    run.add_argument("target", metavar="MODULE:AGENT", help="e.g. myapp.agents:support or a.py")
    run.add_argument("prompt", help="what to ask")
    run.add_argument("--stream", action="store_true", help="print text as it arrives")
    run.add_argument("--max-turns", type=int, help="override the agent's max_turns")
    run.add_argument("--offline", action="store_true", help="answer with TestModel, no API")
    run.add_argument("--json", action="store_true", help="print the RunResult as JSON")
    many = sub.add_parser(
        "map",
        help="run an Agent over every input of a JSONL file, into a resumable results file",
    )
    many.add_argument("target", metavar="MODULE:AGENT", help="e.g. myapp.agents:support or a.py")
    many.add_argument(
        "inputs", help="JSON lines: a prompt string, or {'prompt': ..., 'id': ...} per line"
    )
    many.add_argument("-o", "--output", required=True, help="the results file (JSON lines)")
    many.add_argument("--concurrency", type=int, default=16, help="most runs at once")
    many.add_argument("--ordered", action="store_true", help="record in input order")
    many.add_argument("--offline", action="store_true", help="answer with TestModel, no API")
    many.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    many.add_argument(
        "--mode",
        choices=("live", "batch"),
        default="live",
        help="live requests, or every turn of every run as one Message Batch (half price)",
    )
    many.add_argument(
        "--journal", metavar="PATH", help="journal each run in this SQLite file (resumes mid-run)"
    )
    tools = sub.add_parser("tools", help="list the tools in a module, with their schemas")
    tools.add_argument("module", help="a module name or a .py file")
    serve = sub.add_parser("serve", help="serve an offline model over HTTP on 127.0.0.1")
    serve.add_argument("--model", default="test", help="test | echo | scripted:FILE")
    serve.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    serve.add_argument("--verbose", action="store_true", help="log every request")
    _rate_limit_options(serve)
    serve.add_argument(
        "--batch-seconds", type=float, default=0.0, help="how long each message batch processes"
    )
    count = sub.add_parser("count-tokens", help="count the input tokens of a prompt")
    count.add_argument("text", help="the user message")
    count.add_argument("--model", default="claude-sonnet-4-5")
    count.add_argument("--system", help="a system prompt")
    count.add_argument("--offline", action="store_true", help="use the offline counting rule")
    mcp = sub.add_parser("mcp", help="MCP: serve tools to MCP clients (needs agentkit[mcp])")
    mcp_sub = mcp.add_subparsers(dest="mcp_command", required=True, metavar="COMMAND")
    mcp_serve = mcp_sub.add_parser("serve", help="serve a module's tools over MCP (stdio)")
    mcp_serve.add_argument("target", metavar="MODULE[:OBJ]", help="a Toolbox, tool, list, agent")
    mcp_serve.add_argument("--http", action="store_true", help="streamable HTTP instead of stdio")
    mcp_serve.add_argument("--host", default="127.0.0.1", help="the address (HTTP)")
    mcp_serve.add_argument("--port", type=int, default=8000, help="the port (HTTP; 0: any free)")
    view = sub.add_parser(
        "view", help="write a run (run --json) or a map results file as an HTML page"
    )
    view.add_argument("file", help="a RunResult JSON file, or a results file of agent.map")
    view.add_argument("-o", "--output", help="the page to write (default: FILE with .html)")
    view.add_argument("--title", help="the page's title (default: the file's name)")
    sub.add_parser("version", help="print the agentkit version")
    return parser


def _rate_limit_options(parser: argparse.ArgumentParser) -> None:
    """`agentkit serve`'s rate limits (shared with `python -m agentkit.testing.server`)."""
    for name in ("requests", "input-tokens", "output-tokens"):
        parser.add_argument(
            f"--{name}-per-minute", type=float, help=f"enforce a {name.replace('-', ' ')} limit"
        )
    parser.add_argument(
        "--clock-speed", type=float, default=1.0, help="run the limits' clock this much faster"
    )


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args, out)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
    except (AgentkitError, OSError, ImportError, ValueError) as exc:
        if args.debug:
            raise
        print(f"agentkit: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, (AgentkitError, UsageError)) else f"{type(exc).__name__}: {text}"


def _dispatch(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "version":
        print(f"agentkit {__version__}", file=out)
        return EXIT_OK
    if args.command == "serve":
        from .testing.server import main as serve_main

        options = ["--model", args.model, "--port", str(args.port)]
        for name in ("requests_per_minute", "input_tokens_per_minute", "output_tokens_per_minute"):
            if getattr(args, name) is not None:
                options += ["--" + name.replace("_", "-"), str(getattr(args, name))]
        if args.clock_speed != 1:
            options += ["--clock-speed", str(args.clock_speed)]
        if args.batch_seconds:
            options += ["--batch-seconds", str(args.batch_seconds)]
        return serve_main([*options, "--verbose"] if args.verbose else options)
    if args.command == "map":
        from ._map_cli import run_map

        return run_map(_agent_for(args), args, out)
    if args.command == "tools":
        return _tools(args.module, out)
    if args.command == "count-tokens":
        return _count_tokens(args, out)
    if args.command == "mcp":
        return _mcp_serve(args)
    if args.command == "view":
        return _view(args, out)
    return _run(args, out)


def load_module(spec: str) -> ModuleType:
    """Import a module by dotted name, or load a `.py` file by path."""
    path = Path(spec)
    if spec.endswith(".py") or path.exists():
        if not path.is_file():
            raise UsageError(f"no such file: {spec}")
        sys.path.insert(0, str(path.resolve().parent))
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        if module_spec is None or module_spec.loader is None:
            raise UsageError(f"cannot load {spec} as Python")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[path.stem] = module
        module_spec.loader.exec_module(module)
        return module
    try:
        return importlib.import_module(spec)
    except ModuleNotFoundError as exc:
        raise UsageError(f"cannot import module {spec!r}: {exc}") from exc


def find_agent(target: str) -> Any:
    """The `Agent` / `AsyncAgent` named by `MODULE:AGENT` (or the only one in the module)."""
    from .agent._base import AgentBase

    module_name, _, attribute = target.rpartition(":") if ":" in target else (target, "", "")
    module = load_module(module_name)
    if attribute:
        agent = getattr(module, attribute, None)
        if agent is None:
            raise UsageError(f"{module_name} has no attribute {attribute!r}")
    else:
        found = [v for v in vars(module).values() if isinstance(v, AgentBase)]
        if len(found) != 1:
            raise UsageError(
                f"found {len(found)} agents in {module_name}; name one as {module_name}:NAME"
            )
        agent = found[0]
    if not isinstance(agent, AgentBase):
        raise UsageError(f"{target} is a {type(agent).__name__}, not an Agent or AsyncAgent")
    return agent


def _agent_for(args: argparse.Namespace) -> Any:
    """The agent named on the command line, answering offline with `--offline`."""
    agent = find_agent(args.target)
    if args.offline:
        agent.client = offline_client(agent)
    elif not has_credentials(agent.client):
        raise UsageError(
            "no API key: add --offline to try the agent without the API, or set ANTHROPIC_API_KEY."
        )
    return agent


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from .agent import AsyncAgent

    if args.max_turns is not None and args.max_turns < 1:
        raise UsageError("--max-turns must be at least 1")
    agent = _agent_for(args)
    if args.max_turns is not None:
        agent.max_turns = args.max_turns
    printer = _EventPrinter(args, out)
    if isinstance(agent, AsyncAgent):
        import anyio

        anyio.run(_print_async, agent, args.prompt, printer)
    else:
        for event in agent.stream(args.prompt):
            printer.show(event)
    result = printer.finish()
    if args.json:
        print(result.to_json(), file=out)
    return EXIT_OK if result.stop_reason in _DONE else EXIT_STOPPED


def offline_client(agent: Any) -> Any:
    """A client answering with `TestModel`, of the kind the agent needs."""
    from .agent import AsyncAgent
    from .testing import TestModel

    model = TestModel(keep_requests=False)  # a map may send it many thousands of requests
    return model.async_client() if isinstance(agent, AsyncAgent) else model.client()


def has_credentials(client: Any) -> bool:
    return bool(getattr(client, "api_key", None) or getattr(client, "auth_token", None))


async def _print_async(agent: Any, prompt: str, printer: _EventPrinter) -> None:
    async for event in agent.stream(prompt):  # each event printed as it arrives
        printer.show(event)


class _EventPrinter:
    """Prints a run's events as they come, then its summary line."""

    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.args = args
        self.out = out
        self.result: Any = None

    def show(self, event: Any) -> None:
        from .agent import RunFinished, TextChunk, ToolCallFinished, ToolCallStarted, TurnFinished

        args, out = self.args, self.out
        show = not args.json
        if isinstance(event, TextChunk) and args.stream and show:
            print(event.text, end="", file=out, flush=True)
        elif isinstance(event, TurnFinished) and show and not args.stream:
            text = "".join(getattr(b, "text", "") for b in event.message.content)
            if text:
                print(text, file=out)
        elif isinstance(event, TurnFinished) and show:
            print(file=out)
        elif isinstance(event, ToolCallStarted) and show:
            print(f"-> {event.name} {json.dumps(event.input, ensure_ascii=False)}", file=out)
        elif isinstance(event, ToolCallFinished) and show:
            flag = " (error)" if event.is_error else ""
            content = event.content if isinstance(event.content, str) else json.dumps(event.content)
            print(f"<- {event.name}{flag}: {content}", file=out)
        elif isinstance(event, RunFinished):
            self.result = event.result

    def finish(self) -> Any:
        result = self.result
        assert result is not None
        if not self.args.json:
            if result.output is not result.text:
                from pydantic_core import to_json

                print(f"output: {to_json(result.output, fallback=str).decode()}", file=self.out)
            usage = result.usage
            print(
                f"[stop_reason={result.stop_reason} turns={result.turns} "
                f"input_tokens={usage.input_tokens} output_tokens={usage.output_tokens} "
                f"cache_read={usage.cache_read_input_tokens} "
                f"cache_write={usage.cache_creation_input_tokens}]",
                file=self.out,
            )
        return result


def _tools(spec: str, out: TextIO) -> int:
    from .agent._base import AgentBase
    from .tools import Tool, Toolbox

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = load_module(spec)
    found: dict[str, Tool[..., Any]] = {}
    for value in vars(module).values():
        items: list[Any] = []
        if isinstance(value, Tool):
            items = [value]
        elif isinstance(value, Toolbox):
            items = list(value)
        elif isinstance(value, AgentBase):
            items = list(value.toolbox)
        for item in items:
            found.setdefault(item.name, item)
    if not found:
        raise UsageError(f"no tools found in {spec}")
    for item in found.values():
        print(f"{item.name}: {item.description or '(no description)'}", file=out)
        print(json.dumps(item.input_schema, indent=2, ensure_ascii=False), file=out)
        for note in item.warnings:
            print(f"warning: {note}", file=out)
        print(file=out)
    shown = {f"tool {item.name!r}: {note}" for item in found.values() for note in item.warnings}
    for warning in caught:
        if str(warning.message) not in shown:  # each tool's own warnings are printed above
            print(f"warning: {warning.message}", file=out)
    return EXIT_OK


def _mcp_serve(args: argparse.Namespace) -> int:
    from .agent._base import AgentBase
    from .mcp import serve
    from .tools import Tool, Toolbox

    module_name, _, attribute = args.target.partition(":")
    module = load_module(module_name)
    if attribute and not hasattr(module, attribute):
        raise UsageError(f"{module_name} has no attribute {attribute!r}")
    found = getattr(module, attribute) if attribute else None
    if isinstance(found, AgentBase):
        found = found.toolbox
    if found is None:  # every tool of the module
        found = [v for v in vars(module).values() if isinstance(v, Tool)]
    elif not isinstance(found, (Toolbox, Tool, list, tuple)):
        raise UsageError(f"{args.target} is a {type(found).__name__}, not tools to serve")
    if not args.http:
        serve(found)
        return EXIT_OK

    def ready(url: str) -> None:
        print(f"serving on {url}", file=sys.stderr, flush=True)

    serve(found, transport="http", host=args.host, port=args.port, ready=ready)
    return EXIT_OK


def _count_tokens(args: argparse.Namespace, out: TextIO) -> int:
    from ._client import Anthropic

    params: dict[str, Any] = {
        "model": args.model,
        "messages": [{"role": "user", "content": args.text}],
    }
    if args.system:
        params["system"] = args.system
    if args.offline:
        from .testing import TestModel

        client = TestModel().client()
    else:
        client = Anthropic()
    count = client.messages.count_tokens(**params)
    print(count.input_tokens, file=out)
    return EXIT_OK


def _view(args: argparse.Namespace, out: TextIO) -> int:
    """Write the timeline page of a run, or the summary page of a map results file."""
    from ._core.mapping import ResultsFileError, read_results
    from ._timeline import render_map, render_run

    source = Path(args.file)
    if not source.is_file():
        raise UsageError(f"no such file: {args.file}")
    data = source.read_bytes()
    title = args.title or source.name
    run = _run_data(data)
    if run is not None:
        page = render_run(run, title=title)
    else:
        try:
            recorded = read_results(data, name=repr(args.file))
        except ResultsFileError:
            raise UsageError(
                f"{args.file} is neither a run's JSON (`agentkit run --json`, "
                "RunResult.to_json()) nor a results file of agent.map."
            ) from None
        lines = data[: recorded.valid_bytes].splitlines()
        page = render_map([json.loads(line) for line in lines if line.strip()], title=title)
    target = Path(args.output) if args.output else source.with_suffix(".html")
    target.write_text(page, encoding="utf-8")
    print(f"wrote {target}", file=out)
    return EXIT_OK


def _run_data(data: bytes) -> dict[str, Any] | None:
    """The `RunResult` JSON data in `data`, or None when it is something else."""
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if isinstance(value, dict) and {"stop_reason", "messages", "tool_calls"} <= value.keys():
        return value
    return None
