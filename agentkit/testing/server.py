"""A real HTTP/1.1 server for a model, on 127.0.0.1: keep-alive, chunked SSE streaming.

    python -m agentkit.testing.server --model test --port 8765
    agentkit serve --model echo
    agentkit serve --requests-per-minute 600 --output-tokens-per-minute 20000 --clock-speed 10

Point any client at it: `Anthropic(base_url="http://127.0.0.1:8765", api_key="x")` (the
official SDK works too). Built on the standard library (`http.server`), so it needs nothing
installed; each connection gets a thread, and SSE events are written and flushed one by one.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .._exceptions import UsageError
from ._models import EchoModel, Exchange, MockModel, ScriptedModel, TestModel
from ._ratelimits import RateLimits, ScaledClock
from ._replies import Fault

__all__ = ["ModelServer", "load_model", "main", "serve_in_background"]

_ERROR_EVENT = (
    'event: error\ndata: {"type":"error","error":{"details":null,"type":"%s",'
    '"message":"Injected stream failure"},"request_id":"%s"}\n\n'
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: headers, body and each SSE event are separate small writes; with Nagle's
    # algorithm each waits for the client's delayed ACK (~40 ms per request)
    disable_nagle_algorithm = True
    server: ModelServer

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        path, _, query = self.path.partition("?")
        try:
            exchange = self.server.model.exchange(self.command, path, headers, body, query)
        except Exception as exc:  # a model error (e.g. an exhausted script): tell the client
            exchange = _server_error(exc)
        fault = exchange.fault or Fault()
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reset or fault.lost:
            self.close_connection = True
            return
        if exchange.events is None:
            self._send_body(exchange)
        else:
            self._send_events(exchange, fault)

    def _send_body(self, exchange: Exchange) -> None:
        self.send_response(exchange.status)
        for name, value in exchange.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(exchange.body)))
        self.end_headers()
        self.wfile.write(exchange.body)

    def _send_events(self, exchange: Exchange, fault: Fault) -> None:
        self.send_response(exchange.status)
        for name, value in exchange.headers.items():
            self.send_header(name, value)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for position, event in enumerate(exchange.events or []):
            if fault.cut_after is not None and position == fault.cut_after:
                self.wfile.flush()
                self.close_connection = True
                return  # no closing chunk: the client sees a truncated body
            if fault.error_event_after is not None and position == fault.error_event_after:
                kind = fault.error_type or "overloaded_error"
                event = (_ERROR_EVENT % (kind, exchange.headers.get("request-id", ""))).encode()
                self._chunk(event)
                break
            self._chunk(event)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


def _server_error(exc: Exception) -> Exchange:
    body = {
        "type": "error",
        "error": {"type": "api_error", "message": f"{type(exc).__name__}: {exc}"},
    }
    return Exchange(
        500,
        {"content-type": "application/json", "x-should-retry": "false"},
        json.dumps(body).encode(),
    )


class ModelServer(ThreadingHTTPServer):
    """An HTTP server answering with `model`.

    Args:
        model: The model to serve.
        host: Interface to bind (loopback by default).
        port: Port (0 picks a free one; see `url`).
        verbose: Log each request to stderr.
    """

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog (5) drops the connections of a burst of concurrent
    # clients (a map at concurrency 32): each dropped one waits a second for its SYN retry
    request_queue_size = 128

    def __init__(
        self, model: MockModel, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
    ) -> None:
        super().__init__((host, port), _Handler)
        self.model = model
        self.verbose = verbose

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report a handler's exception, except a client that went away (not an error)."""
        if isinstance(sys.exc_info()[1], ConnectionError):  # reset, broken pipe: e.g. a client
            return  # that stopped reading a stream, or closed a kept-alive connection
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """The base URL to give a client."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@contextmanager
def serve_in_background(model: MockModel, *, port: int = 0) -> Iterator[str]:
    """Serve `model` on a background thread for the duration of the block; yields the URL."""
    server = ModelServer(model, port=port)
    # a short poll interval: `shutdown()` waits up to one interval (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


def load_model(spec: str) -> MockModel:
    """A model from a command-line spec: `test`, `echo` or `scripted:FILE` (a JSON list).

    It keeps no log of its requests (a server may answer millions).
    """
    if spec == "test":
        return TestModel(keep_requests=False)
    if spec == "echo":
        return EchoModel(keep_requests=False)
    if spec.startswith("scripted:"):
        path = Path(spec.partition(":")[2])
        try:
            replies = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the script {str(path)!r}: {exc}") from exc
        if not isinstance(replies, list):
            raise UsageError(f"the script {str(path)!r} must be a JSON list of replies.")
        return ScriptedModel(replies, keep_requests=False)
    raise UsageError(f"unknown model {spec!r}: use 'test', 'echo' or 'scripted:FILE'.")


def rate_limits_from(args: argparse.Namespace) -> RateLimits | None:
    """The rate limits asked for on the command line (None: none)."""
    limits = {
        name: getattr(args, name)
        for name in ("requests_per_minute", "input_tokens_per_minute", "output_tokens_per_minute")
    }
    if all(value is None for value in limits.values()):
        return None
    clock = ScaledClock(args.clock_speed) if args.clock_speed != 1 else None
    return RateLimits(**limits, clock=clock)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted."""
    parser = argparse.ArgumentParser(
        prog="agentkit serve", description="Serve an offline model over HTTP on 127.0.0.1."
    )
    parser.add_argument("--model", default="test", help="test | echo | scripted:FILE")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    for name in ("requests", "input-tokens", "output-tokens"):
        parser.add_argument(f"--{name}-per-minute", type=float, help=f"a {name} limit")
    parser.add_argument("--clock-speed", type=float, default=1.0, help="speed up the limits")
    parser.add_argument(
        "--batch-seconds", type=float, default=0.0, help="how long each message batch processes"
    )
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    model.rate_limits = rate_limits_from(args)
    model.batches.processing_time = args.batch_seconds
    server = ModelServer(model, port=args.port, verbose=args.verbose)
    print(f"Serving {args.model} model at {server.url} (Ctrl-C to stop)", flush=True)  # noqa: T201
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
