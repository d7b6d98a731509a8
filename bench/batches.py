"""Batches: decoding `results()`, and batch-mode agent runs against live mode.

    python -m bench.batches [--megabytes 50] [--repeat 5] [--runs 1000] [--mode-repeat 5] [--quick]

Batch-mode runs: `--runs` two-turn runs of an agent with one tool (the offline `TestModel`
calls it, then answers) served by `agentkit serve --model test` in its own process, with no
processing delay; `agent.map_all(inputs)` (live: `messages.create`, concurrency 16) against
`agent.map_all(inputs, mode="batch")` (two batches of `--runs` requests). Reports this
process's CPU per run (the server's is not counted); the ratio is to live mode, measured in the
same run, alternating.

Every contender reads the same results file (succeeded messages with a mix of errored, canceled
and expired lines, in any order, as the API sends it) through its own in-memory mock transport,
in 64 KiB chunks, and parses every line into its typed result:
- agentkit: `client.messages.batches.results(id)` (retrieve + the streamed JSONL, typed lines);
- the official SDK: the same call (its `JSONLDecoder`), the baseline;
- agentkit's decoder alone: `JSONLinesDecoder` + `json.loads` (no typed models), the floor.
Reports MB/s of JSONL; ratios are to the SDK measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import httpx

from bench._harness import Result, run_alternating, smoke_mode, table

CHUNK = 64 * 1024
BATCH_ID = "msgbatch_bench"
RESULTS_URL = f"http://mock/v1/messages/batches/{BATCH_ID}/results"
BATCH = {
    "id": BATCH_ID,
    "type": "message_batch",
    "processing_status": "ended",
    "request_counts": {"processing": 0, "succeeded": 1, "errored": 0, "canceled": 0, "expired": 0},
    "created_at": "2026-11-25T16:00:00Z",
    "expires_at": "2026-11-26T16:00:00Z",
    "ended_at": "2026-11-25T16:21:07Z",
    "cancel_initiated_at": None,
    "archived_at": None,
    "results_url": RESULTS_URL,
}


def results_file(megabytes: float) -> tuple[bytes, int]:
    """A JSONL results file of about `megabytes` MB, and its number of lines."""
    text = "Billing question: the card was charged twice for one order. " * 8
    lines: list[bytes] = []
    size = 0
    i = 0
    while size < megabytes * 1_000_000:
        kind = i % 20
        if kind == 0:
            result: dict[str, Any] = {
                "type": "errored",
                "error": {
                    "type": "error",
                    "error": {"type": "invalid_request_error", "message": "max_tokens: required"},
                    "request_id": None,
                },
            }
        elif kind == 1:
            result = {"type": "expired"}
        elif kind == 2:
            result = {"type": "canceled"}
        else:
            result = {
                "type": "succeeded",
                "message": {
                    "id": f"msg_{i:010d}",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-sonnet-4-5",
                    "content": [{"type": "text", "text": f"{i}: {text}"}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {
                        "input_tokens": 119,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                        "output_tokens": 140,
                        "service_tier": "batch",
                    },
                },
            }
        line = json.dumps({"custom_id": f"req-{i:08d}", "result": result}).encode() + b"\n"
        lines.append(line)
        size += len(line)
        i += 1
    return b"".join(lines), i


def _chunks(body: bytes) -> Iterator[bytes]:
    for i in range(0, len(body), CHUNK):
        yield body[i : i + CHUNK]


def _agentkit(body: bytes) -> Callable[[], int]:
    from agentkit import Anthropic

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            return _chunks(body)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/results"):
            return httpx.Response(200, stream=Body())
        return httpx.Response(200, json=BATCH)

    client = Anthropic(
        api_key="bench", http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )

    def run() -> int:
        return sum(1 for _ in client.messages.batches.results(BATCH_ID))

    return run


def _sdk(body: bytes) -> Callable[[], int]:
    import anthropic
    import httpx2

    class Body(httpx2.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            return _chunks(body)

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/results"):
            return httpx2.Response(200, stream=Body())
        return httpx2.Response(200, json=BATCH)

    client = anthropic.Anthropic(
        api_key="bench",
        base_url="http://mock",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )

    def run() -> int:
        return sum(1 for _ in client.messages.batches.results(BATCH_ID))

    return run


def _decoder_only(body: bytes) -> Callable[[], int]:
    from agentkit._core.jsonl import JSONLinesDecoder

    def run() -> int:
        decoder = JSONLinesDecoder()
        count = 0
        for chunk in _chunks(body):
            for line in decoder.feed(chunk):
                json.loads(line)
                count += 1
        return count

    return run


@contextlib.contextmanager
def offline_server() -> Iterator[str]:
    """`agentkit serve --model test` on a free port, in its own process; yields its URL."""
    command = [sys.executable, "-m", "agentkit.testing.server", "--model", "test", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if " at " not in line:
            raise RuntimeError(f"the offline server did not start: {line!r}")
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _mapper(
    url: str, runs: int, mode: Literal["live", "batch"], output: Path | None = None
) -> Callable[[], int]:
    from agentkit import Agent, Anthropic, tool

    @tool
    def lookup(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}"

    client = Anthropic(base_url=url, api_key="bench")
    agent = Agent(client, model="claude-sonnet-4-5", tools=[lookup], max_tokens=256)
    inputs = [f"What is the weather in city {i}?" for i in range(runs)]

    def run() -> int:
        if output is not None:
            output.unlink(missing_ok=True)  # a fresh results file: nothing to skip
        results, summary = agent.map_all(
            inputs, mode=mode, poll_interval=0.01, progress=False, output=output
        )
        assert summary.succeeded == runs, summary
        assert all(r.result is not None and r.result.turns == 2 for r in results)
        return len(results)

    return run


def batch_mode(runs: int, repeat: int) -> dict[str, Any]:
    """CPU per run: batch mode against live mode (see the module)."""
    with offline_server() as url, tempfile.TemporaryDirectory() as scratch:
        contenders: dict[str, Callable[[], object]] = {
            "live mode (messages.create)": _mapper(url, runs, "live"),
            "batch mode (mode='batch')": _mapper(url, runs, "batch"),
            "live mode, results file": _mapper(url, runs, "live", Path(scratch) / "l.jsonl"),
            "batch mode, results file": _mapper(url, runs, "batch", Path(scratch) / "b.jsonl"),
        }
        results = run_alternating(contenders, repeat=repeat, units=runs, memory=False)
    live, batch, live_file, batch_file = results.values()
    ratio = batch.cpu_median / live.cpu_median
    ratio_file = batch_file.cpu_median / live_file.cpu_median
    print(f"\n## batch-mode runs: {runs} two-turn runs with a tool, no processing delay\n")
    for name, r in results.items():
        cpus = ", ".join(f"{c / runs * 1000:.2f}" for c in r.cpu)
        print(f"  {name:32} CPU per run {r.cpu_median / runs * 1000:.2f} ms (runs: {cpus})")
    print(f"  batch / live CPU per run: {ratio:.2f}x (target <= 1.2x)")
    print(f"  the same with a results file each: {ratio_file:.2f}x")
    return {
        "runs": runs,
        "results": {name: r.as_dict() for name, r in results.items()},
        "cpu_ratio": ratio,
        "cpu_ratio_with_results_file": ratio_file,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1000, help="batch-mode runs per map")
    parser.add_argument("--mode-repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        smoke_mode()
        args.megabytes, args.repeat, args.runs, args.mode_repeat = 0.5, 1, 10, 1
    mode_figures = batch_mode(args.runs, args.mode_repeat)
    body, count = results_file(args.megabytes)
    contenders = {
        "agentkit batches.results()": _agentkit(body),
        "anthropic SDK batches.results()": _sdk(body),
        "agentkit JSONLinesDecoder + json.loads": _decoder_only(body),
    }
    for name, fn in contenders.items():
        assert fn() == count, name
    megabytes = len(body) / 1_000_000
    results: dict[str, Result] = run_alternating(
        contenders, repeat=args.repeat, units=megabytes, memory=False
    )
    print(f"results file: {megabytes:.1f} MB, {count:,} lines, {CHUNK // 1024} KiB chunks")
    print(table("batch results, JSONL decoded", results, ["anthropic SDK batches.results()"], "MB"))
    print("\nMB of JSONL per CPU second (robust to other load on the machine):")
    for name, r in results.items():
        print(f"  {name:40} {megabytes / r.cpu_median:8.1f} MB/s")
    return {
        "megabytes": megabytes,
        "lines": count,
        "results": {name: r.as_dict() for name, r in results.items()},
        "batch_mode": mode_figures,
    }


if __name__ == "__main__":
    main()
