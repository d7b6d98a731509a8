"""Offline models that answer `POST /v1/messages` (JSON and SSE) and `count_tokens`.

`MockModel` does everything but decide the answer: it numbers requests, injects faults,
validates each request like the API (answering 400 with the API's wording), counts tokens, and
renders the answer as a message or as the exact SSE event sequence. Subclasses only implement
`reply()` (and, for async functions, `areply()`).
"""

from __future__ import annotations

import inspect
import itertools
import json
import threading
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from .._drive import adrive, drive
from .._exceptions import STATUS_ERROR_TYPE
from .._output import OUTPUT_TOOL_NAME, WRAPPER_KEY
from .._utils import run_async_in_thread
from ..types._base import BaseModel
from ._batches import Answer, OfflineBatches, errored_result
from ._protocol import RequestProblem, check_count_tokens, check_request
from ._ratelimits import RateLimits
from ._replies import (
    ErrorReply,
    Exchange,
    Fault,
    ModelRequest,
    RawReply,
    Reply,
    ScriptExhaustedError,
    output_value,
)
from ._schema_gen import example_for
from ._transport import ModelTransport
from ._wire import count_input_tokens, count_output_tokens, encode_stream

if TYPE_CHECKING:
    import httpx

    from .._client import Anthropic, AsyncAnthropic

__all__ = [
    "EchoModel",
    "Exchange",
    "FunctionModel",
    "MockModel",
    "ReplyLike",
    "ScriptedModel",
    "TestModel",
]

ReplyLike: TypeAlias = (
    "str | Sequence[Any] | BaseModel | Mapping[str, Any] | Reply | RawReply | ErrorReply"
)
"""What a model may answer: text, content blocks, a `Message` (or its dict), a `Reply`,
`RawReply` bytes or an `ErrorReply`."""

FaultPlan: TypeAlias = "Sequence[Fault | None] | Callable[[int, ModelRequest], Fault | None]"


class MockModel:
    """The base of offline models; subclasses decide the answer in `reply()`.

    Args:
        faults: Per request (by index: 0, 1, ...) a `Fault` or None; or a function
            `(index, request) -> Fault | None`.
        validate: Answer malformed requests with the API's 400 errors (on by default).
        text_chunk: Characters per `text_delta` when streaming.
        json_chunk: Characters per `input_json_delta` when streaming.
        id_prefix: Prefix of generated message, tool-use and request ids.
        rate_limits: `RateLimits` to enforce (429s with `retry-after`, and the
            `anthropic-ratelimit-*` headers on every answer).
        batches: The Message Batches (and Models) endpoints' settings and state: processing
            time on an injectable clock, injected outcomes (`OfflineBatches`).
        keep_requests: Keep every request in `requests` (on by default, for tests to inspect).
            Turn it off for long runs (a server, a map over many inputs, a benchmark): the log
            otherwise grows by one request, its messages included, per model call.
    """

    def __init__(
        self,
        *,
        faults: FaultPlan = (),
        validate: bool = True,
        text_chunk: int = 16,
        json_chunk: int = 24,
        id_prefix: str = "test",
        rate_limits: RateLimits | None = None,
        batches: OfflineBatches | None = None,
        keep_requests: bool = True,
    ) -> None:
        self.faults = faults
        self.keep_requests = keep_requests
        self.rate_limits = rate_limits
        self._admitted: dict[int, Any] = {}
        self.validate = validate
        self.text_chunk = text_chunk
        self.json_chunk = json_chunk
        self.id_prefix = id_prefix
        self.batches = batches if batches is not None else OfflineBatches()
        """The batches this model serves (and its settings)."""
        self.requests: list[ModelRequest] = []
        """Every request received, in order (invalid ones included; none when
        `keep_requests` is off)."""
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._ids = itertools.count(1)

    # -- what subclasses decide ------------------------------------------------------------------

    def reply(self, request: ModelRequest) -> ReplyLike:
        """The answer to a valid `POST /v1/messages` request."""
        raise NotImplementedError

    async def areply(self, request: ModelRequest) -> ReplyLike:
        """The answer, from async code (defaults to `reply`)."""
        return self.reply(request)

    # -- the exchange --------------------------------------------------------------------------

    def exchange(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, query: str = ""
    ) -> Exchange:
        """Answer one HTTP request (sync)."""
        return drive(self._exchange(method, path, headers, body, query), self.reply)

    async def aexchange(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, query: str = ""
    ) -> Exchange:
        """Answer one HTTP request (async)."""
        return await adrive(self._exchange(method, path, headers, body, query), self.areply)

    def _exchange(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, query: str
    ) -> Generator[ModelRequest, ReplyLike, Exchange]:
        """One exchange; yields the request when it needs the model's reply to it."""
        early = self._begin(method, path, headers, body, query)
        if isinstance(early, Exchange):
            return early
        request, fault = early
        return self._render(request, (yield request), fault)

    def _next_id(self, kind: str) -> str:
        with self._lock:
            return f"{kind}_{self.id_prefix}_{next(self._ids):04d}"

    def _begin(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, query: str = ""
    ) -> Exchange | tuple[ModelRequest, Fault | None]:
        headers = {k.lower(): v for k, v in headers.items()}
        try:
            parsed: Any = json.loads(body) if body else None
        except ValueError:
            parsed = None
        with self._lock:
            index = next(self._counter)
            request = ModelRequest(
                parsed if isinstance(parsed, dict) else {}, path=path, headers=headers, index=index
            )
            if self.keep_requests:
                self.requests.append(request)
        fault = self._fault(index, request)
        if fault is not None and fault.reset:
            return Exchange(0, {}, fault=fault)
        if fault is not None and fault.status is not None:
            error = ErrorReply(
                fault.status,
                fault.error_type,
                "Injected failure",
                fault.retry_after,
                fault.should_retry,
            )
            return self._error(error, fault)
        if path.startswith(("/v1/messages/batches", "/v1/models")):
            answer = self.batches.answer(
                method,
                path,
                query,
                headers,
                parsed,
                lambda custom_id, params: self._batch_result(params, headers),
                lambda: self._next_id("msgbatch"),
            )
            return self._batch_answer(answer, fault)
        if method != "POST" or path not in ("/v1/messages", "/v1/messages/count_tokens"):
            return self._problem(
                RequestProblem(404, "not_found_error", f"Not found: {method} {path}")
            )
        if path.endswith("count_tokens"):
            problem = check_count_tokens(parsed, headers) if self.validate else None
            if problem is not None:
                return self._problem(problem)
            return self._json(200, {"input_tokens": count_input_tokens(request)}, fault)
        problem = check_request(parsed, headers) if self.validate else None
        if problem is not None:
            return self._problem(problem)
        if self.rate_limits is not None:
            refused = self._admit(request, self.rate_limits)
            if refused is not None:
                return refused
        return request, fault

    def _admit(self, request: ModelRequest, limits: RateLimits) -> Exchange | None:
        """Take the request's cost from the rate limits, or answer 429."""
        max_tokens = request.get("max_tokens")
        output = max_tokens if isinstance(max_tokens, int) else 0
        cost, wait = limits.admit(count_input_tokens(request), output)
        if cost is None:
            message = (
                "This request would exceed your organization's rate limit. Please retry later."
            )
            headers = {**limits.headers(), "retry-after": limits.retry_after(wait)}
            return self._error(ErrorReply(429, "rate_limit_error", message), headers=headers)
        with self._lock:
            self._admitted[request.index] = cost
        return None

    def _settle(self, request: ModelRequest, output_tokens: int) -> dict[str, str]:
        """Correct an admitted request's output tokens; the rate-limit headers to send."""
        limits = self.rate_limits
        if limits is None:
            return {}
        with self._lock:
            cost = self._admitted.pop(request.index, None)
        if cost is not None:
            limits.settle(cost, output_tokens)
        return limits.headers()

    def _batch_answer(self, answer: Answer | RequestProblem, fault: Fault | None) -> Exchange:
        if isinstance(answer, RequestProblem):
            return self._problem(answer)
        if isinstance(answer.body, bytes):
            headers = {"content-type": answer.content_type, "request-id": self._next_id("req")}
            return Exchange(answer.status, headers, answer.body, fault=fault)
        return self._json(answer.status, answer.body, fault)

    def _batch_result(self, params: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        """One request of a batch, answered: a `succeeded` or `errored` result object."""
        problem = check_request(params, headers) if self.validate else None
        if problem is None and params.get("stream") is not None:
            problem = RequestProblem(
                400, "invalid_request_error", "stream: Extra inputs are not permitted"
            )
        if problem is not None:
            return errored_result(problem.type, problem.message)
        request = ModelRequest(params, path="/v1/messages", headers=headers, index=-1)
        try:
            answer = self.reply(request)
        except Exception as exc:  # the model's own failure: this request errored, not the batch
            return errored_result("api_error", f"{type(exc).__name__}: {exc}")
        if isinstance(answer, ErrorReply):
            error_type = answer.type or STATUS_ERROR_TYPE.get(answer.status, "api_error")
            return errored_result(error_type, answer.message)
        if isinstance(answer, RawReply):
            raw = _as_json_reply(answer) if "event-stream" in answer.content_type else answer
            message = json.loads(raw.body)
        else:
            message = self._message(request, answer)
        message["usage"] = {**message.get("usage", {}), "service_tier": "batch"}
        return {"type": "succeeded", "message": message}

    def _fault(self, index: int, request: ModelRequest) -> Fault | None:
        if callable(self.faults):
            return self.faults(index, request)
        return self.faults[index] if index < len(self.faults) else None

    def _json(
        self,
        status: int,
        body: Mapping[str, Any],
        fault: Fault | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        all_headers = {
            "content-type": "application/json",
            "request-id": self._next_id("req"),
            **(headers or {}),
        }
        return Exchange(status, all_headers, data, fault=fault)

    def _problem(self, problem: RequestProblem) -> Exchange:
        request_id = self._next_id("req")
        data = json.dumps(problem.body(request_id)).encode()
        headers = {
            "content-type": "application/json",
            "request-id": request_id,
            "x-should-retry": "false",
        }
        return Exchange(problem.status, headers, data)

    def _error(
        self,
        error: ErrorReply,
        fault: Fault | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        headers = dict(headers or {})
        if error.retry_after is not None:
            headers["retry-after"] = f"{error.retry_after:g}"
        if error.should_retry is not None:
            headers["x-should-retry"] = str(error.should_retry).lower()
        error_type = error.type or STATUS_ERROR_TYPE.get(error.status, "api_error")
        request_id = self._next_id("req")
        body = {
            "type": "error",
            "error": {"type": error_type, "message": error.message},
            "request_id": request_id,
        }
        data = json.dumps(body).encode()
        return Exchange(
            error.status,
            {"content-type": "application/json", "request-id": request_id, **headers},
            data,
            fault=fault,
        )

    def _render(self, request: ModelRequest, answer: ReplyLike, fault: Fault | None) -> Exchange:
        if isinstance(answer, ErrorReply):
            return self._error(answer, fault, self._settle(request, 0))
        if isinstance(answer, RawReply):
            self._settle(request, 0)
            if not request.stream and "event-stream" in answer.content_type:
                answer = _as_json_reply(answer)  # what the API returns without `stream`
            headers = {
                "content-type": answer.content_type,
                "request-id": self._next_id("req"),
                **answer.headers,
            }
            return Exchange(answer.status, headers, answer.body, fault=fault)
        message = self._message(request, answer)
        extra_headers = dict(answer.headers) if isinstance(answer, Reply) else {}
        if self.rate_limits is not None:
            output_tokens = (message.get("usage") or {}).get("output_tokens") or 0
            extra_headers = {**self._settle(request, output_tokens), **extra_headers}
        if not request.stream:
            return self._json(200, message, fault, extra_headers)
        events = encode_stream(message, text_chunk=self.text_chunk, json_chunk=self.json_chunk)
        headers = {
            "content-type": "text/event-stream; charset=utf-8",
            "request-id": self._next_id("req"),
            **extra_headers,
        }
        return Exchange(200, headers, events=events, fault=fault)

    def _message(self, request: ModelRequest, answer: ReplyLike) -> dict[str, Any]:
        if isinstance(answer, BaseModel):
            return answer.to_dict()
        if isinstance(answer, Mapping) and answer.get("type") == "message":
            return dict(answer)
        reply = answer if isinstance(answer, Reply) else _as_reply(answer)
        content = self._content(reply.content)
        calls_tool = any(block.get("type") == "tool_use" for block in content)
        usage = {
            "input_tokens": count_input_tokens(request),
            "output_tokens": count_output_tokens(content),
            **(reply.usage or {}),
        }
        return {
            "id": self._next_id("msg"),
            "type": "message",
            "role": "assistant",
            "model": request.get("model", "test-model"),
            "content": content,
            "stop_reason": reply.stop_reason or ("tool_use" if calls_tool else "end_turn"),
            "stop_sequence": reply.stop_sequence,
            "usage": usage,
            **reply.extra,
        }

    def _content(self, content: str | Sequence[Any]) -> list[dict[str, Any]]:
        if isinstance(content, str):
            return [{"type": "text", "text": content}]
        blocks: list[dict[str, Any]] = []
        for item in content:
            if isinstance(item, str):
                block: dict[str, Any] = {"type": "text", "text": item}
            elif isinstance(item, BaseModel):
                block = item.to_dict()
            else:
                block = dict(item)
            if block.get("type") == "tool_use":
                if "id" not in block:  # (not setdefault: that would use up an id regardless)
                    block["id"] = self._next_id("toolu")
                block.setdefault("input", {})
            blocks.append(block)
        return blocks

    # -- plugging in --------------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An `httpx` transport serving this model (sync clients)."""
        return ModelTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An `httpx` transport serving this model (async clients)."""
        return ModelTransport(self)

    def client(self, **options: Any) -> Anthropic:
        """An `Anthropic` client talking to this model (no network, no real key)."""
        import httpx

        from .._client import Anthropic

        options.setdefault("api_key", "offline-test-key")
        return Anthropic(http_client=httpx.Client(transport=self.transport()), **options)

    def async_client(self, **options: Any) -> AsyncAnthropic:
        """An `AsyncAnthropic` client talking to this model."""
        import httpx

        from .._client import AsyncAnthropic

        options.setdefault("api_key", "offline-test-key")
        return AsyncAnthropic(
            http_client=httpx.AsyncClient(transport=self.async_transport()), **options
        )


_REPLY_FIELDS = ("content", "stop_reason", "stop_sequence", "usage")


def _as_reply(answer: Any) -> Reply:
    """Text, blocks, one block, or a message-like dict (`content`, `stop_reason`...)."""
    if isinstance(answer, Reply):
        return answer
    if isinstance(answer, Mapping):
        if "content" in answer and answer.get("type") in (None, "message"):
            extra = {k: v for k, v in answer.items() if k not in (*_REPLY_FIELDS, "type", "role")}
            return Reply(
                answer["content"],
                stop_reason=answer.get("stop_reason"),
                stop_sequence=answer.get("stop_sequence"),
                usage=answer.get("usage"),
                extra=extra,
            )
        if isinstance(answer.get("type"), str):
            return Reply([answer])  # a single content block
        raise TypeError(
            f"cannot answer with the dict {dict(answer)!r}: give text, content blocks, a dict "
            "with 'content' (and optionally 'stop_reason', 'usage'), or a Reply"
        )
    if isinstance(answer, (str, Sequence)):
        return Reply(answer)
    raise TypeError(f"cannot answer with a {type(answer).__name__}: {answer!r}")


def _as_json_reply(raw: RawReply) -> RawReply:
    """A recorded SSE body as the single JSON message the API sends without streaming."""
    from .._core.accumulate import MessageAccumulator
    from .._core.sse import SSEDecoder
    from .._core.stream_decoder import decode_event

    decoder, accumulator = SSEDecoder(), MessageAccumulator()
    events = decoder.feed(raw.body)
    tail = decoder.flush()
    for sse in [*events, *([tail] if tail is not None else [])]:
        if sse.event not in ("ping", "error"):
            accumulator.process(decode_event(sse))
    if accumulator.done:
        message = accumulator.final_message()
    else:
        message = accumulator.snapshot()
    body = json.dumps(message.to_dict()).encode()
    return RawReply(body, status=raw.status, content_type="application/json", headers=raw.headers)


class FunctionModel(MockModel):
    """A model whose answers come from your function: `fn(request) -> answer`.

    `request` is a `ModelRequest` (the parsed body, a dict). The answer is text, a list of
    content blocks, a `Message`, a `Reply`, a `RawReply` or an `ErrorReply`. `fn` may be sync
    or async; either works with sync and async clients.
    """

    def __init__(
        self,
        fn: Callable[[ModelRequest], ReplyLike] | Callable[[ModelRequest], Awaitable[ReplyLike]],
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.fn = fn
        self._is_async = inspect.iscoroutinefunction(fn)

    def reply(self, request: ModelRequest) -> ReplyLike:
        if self._is_async:
            return cast(ReplyLike, run_async_in_thread(self.fn, request))
        return cast(ReplyLike, self.fn(request))

    async def areply(self, request: ModelRequest) -> ReplyLike:
        result = self.fn(request)
        if inspect.isawaitable(result):
            return await result
        return result


class ScriptedModel(MockModel):
    """Answers from a script, in order; a request past its end raises `ScriptExhaustedError`.

    Each item is an answer (as for `FunctionModel`) or a function `request -> answer`.
    """

    def __init__(
        self, replies: Sequence[ReplyLike | Callable[[ModelRequest], ReplyLike]], **options: Any
    ) -> None:
        super().__init__(**options)
        self.replies = list(replies)
        self._next = 0

    def reply(self, request: ModelRequest) -> ReplyLike:
        with self._lock:
            position = self._next
            self._next += 1
        if position >= len(self.replies):
            shown = json.dumps(dict(request), indent=2, default=str)[:4000]
            raise ScriptExhaustedError(
                f"ScriptedModel has {len(self.replies)} replies but got request #{position + 1}:"
                f"\n{shown}\nAdd a reply for it, or find why the code under test sent it."
            )
        item = self.replies[position]
        return item(request) if callable(item) else item

    @property
    def remaining(self) -> int:
        """Replies not used yet."""
        return len(self.replies) - self._next


_NO_OUTPUT: Any = object()
"""`TestModel(output=...)` not given: the output is generated from the schema."""


class TestModel(MockModel):
    """A deterministic model that exercises every tool, and answers valid typed output.

    With tools (and no tool results pending), it calls each tool once, in parallel, with input
    generated from the tool's schema (valid by construction: nested objects, enums, formats);
    when the tool results come back it answers `end_turn` with text summarising them. Without
    tools it answers `text`. Like the API, it honours `tool_choice`: `none` calls no tool,
    `{"type": "tool", "name": ...}` only that one, `disable_parallel_tool_use` at most one.

    Typed output: output tools (custom tools named `final_result` or `final_result_...`) are
    not called with the others; when the other tools' results come back (or when there are no
    other tools to call), it calls the first output tool, or the one `tool_choice` names,
    instead of answering text. With `output_config.format` (a JSON schema) and no output tool,
    its text answer is JSON valid for the schema instead of `text` or the summary.

    Args:
        call_tools: True for every tool, False for none, or the names to call (output tools
            are called regardless, as the output).
        tool_inputs: Inputs to use instead of generated ones, by tool name.
        text: The answer when there are no tools to call.
        output: The output to give instead of an example generated from the schema: any
            JSON-able value, pydantic model or dataclass; a value that is not an object, or
            any value for a schema that wraps the output in `{"result": ...}`, is wrapped.
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(
        self,
        *,
        call_tools: bool | Sequence[str] = True,
        tool_inputs: Mapping[str, Mapping[str, Any]] | None = None,
        text: str = "This is TestModel's answer.",
        output: Any = _NO_OUTPUT,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.call_tools = call_tools
        self.tool_inputs = dict(tool_inputs or {})
        self.text = text
        self.output = output

    def reply(self, request: ModelRequest) -> ReplyLike:
        results = request.tool_results
        if results:
            return self._final(request, lambda: self._summary(request, results))
        tools = [t for t in self._chosen_tools(request) if not is_output_tool(t["name"])]
        if not tools:
            return self._final(request, lambda: self.text)
        return [
            {
                "type": "tool_use",
                "name": t["name"],
                "input": dict(
                    self.tool_inputs.get(t["name"], example_for(t.get("input_schema", {})))
                ),
            }
            for t in tools
        ]

    def _final(self, request: ModelRequest, text: Callable[[], str]) -> ReplyLike:
        """The answer once no more tools are to be called: the output, or `text()`."""
        tool = self._output_tool(request)
        if tool is not None:
            schema = tool.get("input_schema", {})
            name = tool["name"]
            value = self.tool_inputs[name] if name in self.tool_inputs else self._output_for(schema)
            return [{"type": "tool_use", "name": name, "input": dict(value)}]
        schema = _json_schema_format(request)
        if schema is not None:
            return json.dumps(self._output_for(schema), ensure_ascii=False)
        return text()

    def _output_tool(self, request: ModelRequest) -> dict[str, Any] | None:
        """The output tool to call (the first, or the one `tool_choice` names), if any."""
        choice = request.get("tool_choice") or {}
        if choice.get("type") == "none":
            return None
        tools = [
            t
            for t in request.tools
            if t.get("type", "custom") == "custom" and is_output_tool(t["name"])
        ]
        if choice.get("type") == "tool":
            tools = [t for t in tools if t["name"] == choice.get("name")]
        return tools[0] if tools else None

    def _output_for(self, schema: Mapping[str, Any]) -> Any:
        if self.output is _NO_OUTPUT:
            return example_for(schema)
        value = output_value(self.output, wrap=False)
        if _is_wrapper(schema) and not (isinstance(value, dict) and list(value) == [WRAPPER_KEY]):
            return {WRAPPER_KEY: value}
        return output_value(value)  # an object as it is, anything else wrapped

    def _chosen_tools(self, request: ModelRequest) -> list[dict[str, Any]]:
        choice = request.get("tool_choice") or {}
        if not self.call_tools or choice.get("type") == "none":
            return []
        tools = [t for t in request.tools if t.get("type", "custom") == "custom"]
        if choice.get("type") == "tool":  # the API calls only the named tool
            tools = [t for t in tools if t["name"] == choice.get("name")]
        if self.call_tools is not True:
            wanted = set(self.call_tools)
            tools = [t for t in tools if t["name"] in wanted]
        if choice.get("disable_parallel_tool_use"):  # at most one call per turn
            tools = tools[:1]
        return tools

    def _summary(self, request: ModelRequest, results: list[dict[str, Any]]) -> str:
        names = {}
        for message in request.messages:
            for block in message.get("content") or []:
                if isinstance(block, dict) and block.get("type") == "tool_use":
                    names[block.get("id")] = block.get("name")
        parts = []
        for result in results:
            content = result.get("content")
            if isinstance(content, list):
                content = " ".join(b.get("text", f"[{b.get('type')}]") for b in content)
            label = names.get(result.get("tool_use_id"), "tool")
            flag = " (error)" if result.get("is_error") else ""
            parts.append(f"{label}{flag}: {content or ''}")
        return "Tool results: " + "; ".join(parts)


def is_output_tool(name: str) -> bool:
    """Whether a tool is an output tool: `final_result`, or `final_result_<Member>`."""
    return name == OUTPUT_TOOL_NAME or name.startswith(f"{OUTPUT_TOOL_NAME}_")


def _json_schema_format(request: ModelRequest) -> Mapping[str, Any] | None:
    """The request's structured-output schema (`output_config.format`), if any."""
    config = request.get("output_config")
    output_format = config.get("format") if isinstance(config, Mapping) else None
    if isinstance(output_format, Mapping) and output_format.get("type") == "json_schema":
        schema = output_format.get("schema")
        return schema if isinstance(schema, Mapping) else None
    return None


def _is_wrapper(schema: Mapping[str, Any]) -> bool:
    """Whether `schema` is agentkit's `{"result": ...}` wrapper of a non-object output."""
    properties = schema.get("properties")
    return (
        isinstance(properties, Mapping)
        and list(properties) == [WRAPPER_KEY]
        and schema.get("required") == [WRAPPER_KEY]
    )


class EchoModel(MockModel):
    """Answers with the text of the last user message."""

    def reply(self, request: ModelRequest) -> ReplyLike:
        return request.last_user_text or "(no text)"
