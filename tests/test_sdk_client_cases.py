"""The official SDK's client test cases (its `tests/test_client.py`), restated for agentkit.

Each group names the SDK test it corresponds to. The cases are written afresh against
agentkit's public surface (HTTP-level doubles through `httpx.MockTransport`, retry waits
recorded by `record_sleeps`) rather than the SDK's private `_build_request`. Where agentkit
differs on purpose the assertion says so: a server-requested wait above `max_retry_wait` raises
at once instead of being ignored (docs/guides/client.md), and missing credentials are a
`UsageError` rather than a bare `TypeError`. The SDK's `x-stainless-*` headers, its deprecated
`transport=` / `proxies=` / `connection_pool_limits=` arguments, and its generic
`client.get/post(cast_to=...)` have no counterpart here and are not ported.
"""

from __future__ import annotations

import functools
import inspect
import json
import time
from email.utils import formatdate
from typing import Any

import anyio
import httpx
import pytest

from agentkit import (
    NOT_GIVEN,
    Anthropic,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncAnthropic,
    DefaultHttpxClient,
    InternalServerError,
    RateLimiter,
    RateLimitError,
    UsageError,
    omit,
)
from agentkit._base_client import DEFAULT_TIMEOUT, HTTPX_DEFAULT_TIMEOUT
from agentkit._core.retry import MAX_RETRY_DELAY, RetryPolicy
from agentkit.testing import RecordedSleeps

from .helpers import API_KEY, Recorder, default_params, error, harness, ok

# --- test_parse_retry_after_header: the wait before a retry ------------------------------------
#
# The SDK's table is (remaining retries, `retry-after` value, expected wait) with max_retries=3
# and the clock at Fri, 29 Sep 2023 16:26:37 GMT. Here a row is (retries already taken, response
# headers, expected): the SDK's "remaining r" is "taken 3 - r". `retry-after-ms` rows are added
# (the SDK reads that header first too). Jitter is pinned to 0, so backoff rows are exact:
# 0.5 s, 1 s, 2 s, ... capped at 8 s.

NOW = 1696004797.0  # Fri, 29 Sep 2023 16:26:37 GMT


class Raises:
    """agentkit's difference: above `max_retry_wait` it does not retry; the error carries the wait.

    The SDK ignores such a header and retries on its own backoff (0.5 s in its table).
    """

    def __init__(self, wait: float) -> None:
        self.wait = wait

    def __repr__(self) -> str:
        return f"Raises({self.wait:g})"


RETRY_AFTER_TABLE: list[tuple[str, int, dict[str, str], float | Raises]] = [
    # seconds
    ("seconds", 0, {"retry-after": "20"}, 20.0),
    ("zero-is-backoff", 0, {"retry-after": "0"}, 0.5),
    ("negative-is-backoff", 0, {"retry-after": "-10"}, 0.5),
    ("at-the-cap", 0, {"retry-after": "60"}, 60.0),
    ("above-the-cap", 0, {"retry-after": "61"}, Raises(61)),
    ("decimal-seconds", 0, {"retry-after": "2.5"}, 2.5),
    # HTTP dates, against NOW
    ("date-20s-ahead", 0, {"retry-after": "Fri, 29 Sep 2023 16:26:57 GMT"}, 20.0),
    ("date-now", 0, {"retry-after": "Fri, 29 Sep 2023 16:26:37 GMT"}, 0.5),
    ("date-past", 0, {"retry-after": "Fri, 29 Sep 2023 16:26:27 GMT"}, 0.5),
    ("date-at-the-cap", 0, {"retry-after": "Fri, 29 Sep 2023 16:27:37 GMT"}, 60.0),
    ("date-above-the-cap", 0, {"retry-after": "Fri, 29 Sep 2023 16:27:38 GMT"}, Raises(61)),
    # invalid values fall back to the backoff
    ("huge-number", 0, {"retry-after": "99999999999999999999999999999999999"}, Raises(1e35)),
    ("bad-day-name", 0, {"retry-after": "Zun, 29 Sep 2023 16:26:27 GMT"}, 0.5),
    ("empty", 0, {"retry-after": ""}, 0.5),
    ("garbage", 0, {"retry-after": "soon"}, 0.5),
    ("nan", 0, {"retry-after": "nan"}, 0.5),
    # the backoff grows with the retries taken, and never overflows
    ("backoff-after-1", 1, {"retry-after": ""}, 1.0),
    ("backoff-after-2", 2, {"retry-after": ""}, 2.0),
    ("backoff-after-3", 3, {}, 4.0),
    ("backoff-capped", 4, {}, MAX_RETRY_DELAY),
    ("backoff-overflow", 1103, {"retry-after": ""}, MAX_RETRY_DELAY),
    ("backoff-overflow-huge", 10**9, {}, MAX_RETRY_DELAY),
    # retry-after-ms (milliseconds), read before retry-after
    ("ms", 0, {"retry-after-ms": "20000"}, 20.0),
    ("ms-fraction", 0, {"retry-after-ms": "1500"}, 1.5),
    ("ms-decimal", 0, {"retry-after-ms": "250.5"}, 0.2505),
    ("ms-zero-is-backoff", 0, {"retry-after-ms": "0"}, 0.5),
    ("ms-negative-is-backoff", 0, {"retry-after-ms": "-5"}, 0.5),
    ("ms-garbage-is-backoff", 0, {"retry-after-ms": "soon"}, 0.5),
    ("ms-at-the-cap", 0, {"retry-after-ms": "60000"}, 60.0),
    ("ms-above-the-cap", 0, {"retry-after-ms": "60001"}, Raises(60.001)),
    ("ms-wins", 0, {"retry-after-ms": "3000", "retry-after": "30"}, 3.0),
    ("bad-ms-falls-back", 0, {"retry-after-ms": "junk", "retry-after": "7"}, 7.0),
    ("header-case", 0, {"Retry-After-Ms": "4000"}, 4.0),
]


@pytest.mark.parametrize(
    ("taken", "headers", "expected"),
    [row[1:] for row in RETRY_AFTER_TABLE],
    ids=[row[0] for row in RETRY_AFTER_TABLE],
)
def test_the_wait_before_a_retry(taken: int, headers: dict[str, str], expected: Any) -> None:
    policy = RetryPolicy(max_retries=10**10, rand=lambda: 0.0)
    decision = policy.for_status(taken, 429, httpx.Headers(headers), now=NOW)
    if isinstance(expected, Raises):
        assert not decision.retry
        assert decision.retry_after == pytest.approx(expected.wait)
        assert "max_retry_wait" in decision.reason
    else:
        assert decision.retry
        assert decision.delay == pytest.approx(expected)


def test_the_backoff_jitter_shortens_the_wait_by_at_most_a_quarter() -> None:
    for rand, factor in [(0.0, 1.0), (0.5, 0.875), (0.999, 0.75025)]:
        policy = RetryPolicy(max_retries=10**10, rand=functools.partial(float, rand))
        for taken, base in [(0, 0.5), (2, 2.0), (1103, 8.0)]:
            decision = policy.for_status(taken, 500, {}, now=NOW)
            assert decision.delay == pytest.approx(base * factor)


# The same table, end to end: a 429 carrying the header, then a success.

END_TO_END = [
    ("seconds", {"retry-after": "20"}, 20.0),
    ("ms", {"retry-after-ms": "1500"}, 1.5),
    ("ms-wins", {"retry-after-ms": "3000", "retry-after": "30"}, 3.0),
    ("at-the-cap", {"retry-after": "60"}, 60.0),
]


@pytest.mark.parametrize(
    ("headers", "expected"), [r[1:] for r in END_TO_END], ids=[r[0] for r in END_TO_END]
)
def test_a_429_is_retried_after_the_wait_it_asks_for(
    kind: str, waits: RecordedSleeps, headers: dict[str, str], expected: float
) -> None:
    h = harness(kind, error(429, "rate_limit_error", headers=headers), ok())
    assert h.create().content[0].text == "Hello!"
    assert waits.request == [pytest.approx(expected)]
    assert len(h.handler.requests) == 2


def test_an_http_date_is_a_wait_from_now(kind: str, waits: RecordedSleeps) -> None:
    when = formatdate(time.time() + 20, usegmt=True)
    h = harness(kind, error(429, "rate_limit_error", headers={"retry-after": when}), ok())
    h.create()
    assert waits.request == [pytest.approx(20, abs=1.5)]


@pytest.mark.parametrize(
    "headers",
    [{"retry-after": ""}, {"retry-after": "soon"}, {"retry-after": "-10"}, {"retry-after": "0"}],
    ids=["empty", "garbage", "negative", "zero"],
)
def test_an_unusable_retry_after_falls_back_to_the_backoff(
    kind: str, waits: RecordedSleeps, headers: dict[str, str]
) -> None:
    h = harness(kind, error(429, "rate_limit_error", headers=headers), ok())
    h.create()
    assert len(waits.request) == 1
    assert 0.375 <= waits.request[0] <= 0.5


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after": "61"}, 61.0),
        ({"retry-after-ms": "90000"}, 90.0),
        ({"retry-after": "99999999999999999999999999999999999"}, 1e35),
    ],
    ids=["seconds", "ms", "huge"],
)
def test_a_wait_above_max_retry_wait_raises_at_once(
    kind: str, waits: RecordedSleeps, headers: dict[str, str], wait: float
) -> None:
    # agentkit's difference (docs/guides/client.md): the SDK would retry early on its backoff
    h = harness(kind, error(429, "rate_limit_error", headers=headers), ok())
    with pytest.raises(RateLimitError) as info:
        h.create()
    assert info.value.retry_after == pytest.approx(wait)
    assert len(h.handler.requests) == 1
    assert waits.request == []


def test_a_larger_max_retry_wait_sleeps_on_a_longer_wait(kind: str, waits: RecordedSleeps) -> None:
    h = harness(
        kind,
        error(429, "rate_limit_error", headers={"retry-after": "61"}),
        ok(),
        max_retry_wait=120,
    )
    h.create()
    assert waits.request == [61.0]


def test_the_backoff_doubles_per_retry(kind: str, waits: RecordedSleeps) -> None:
    h = harness(kind, error(500), error(500), error(500), ok(), max_retries=3)
    h.create()
    assert len(waits.request) == 3
    for wait, base in zip(waits.request, [0.5, 1.0, 2.0], strict=True):
        assert 0.75 * base <= wait <= base


def test_a_huge_max_retries_keeps_the_backoff_capped(kind: str, waits: RecordedSleeps) -> None:
    # the SDK's overflow row (-1100 retries remaining), through a real client
    failures = [error(503)] * 40
    h = harness(kind, *failures, ok(), max_retries=10**9)
    response = h.raw_create()
    assert response.retries_taken == 40
    assert len(waits.request) == 40
    assert all(wait <= MAX_RETRY_DELAY for wait in waits.request)
    assert waits.request[-1] >= 0.75 * MAX_RETRY_DELAY


# --- test_retries_taken: failures before a success, by status or by exception ---------------


@pytest.mark.parametrize("failure", ["status", "exception"])
@pytest.mark.parametrize("failures", [0, 2, 4])
def test_retries_taken_counts_the_failures_before_the_success(
    kind: str, waits: RecordedSleeps, failure: str, failures: int
) -> None:
    fail: Any = error(500) if failure == "status" else RuntimeError("transport broke")
    h = harness(kind, *([fail] * failures), ok(), max_retries=4)
    assert h.raw_create().retries_taken == failures
    assert len(h.handler.requests) == failures + 1


def test_retries_taken_on_a_streaming_response(waits: RecordedSleeps) -> None:
    handler = Recorder(error(500), error(500), ok())
    client = Anthropic(
        api_key=API_KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=4,
    )
    with client.messages.with_streaming_response.create(**default_params()) as response:
        assert response.retries_taken == 2


# --- test_retrying_timeout_errors_doesnt_leak / test_retrying_status_errors_doesnt_leak --------
# (transport exceptions and error statuses that never stop: the right error, after every retry)


@pytest.mark.parametrize(
    ("failure", "raised"),
    [
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.RemoteProtocolError("cut"), APIConnectionError),
        (OSError("network down"), APIConnectionError),
    ],
    ids=["read-timeout", "connect-timeout", "connect-error", "protocol-error", "oserror"],
)
def test_a_transport_failure_that_persists_raises_after_the_retries(
    kind: str, waits: RecordedSleeps, failure: Exception, raised: type[Exception]
) -> None:
    h = harness(kind, failure, max_retries=2)
    with pytest.raises(raised) as info:
        h.create()
    assert len(h.handler.requests) == 3
    assert len(waits.request) == 2
    assert info.value.__cause__ is failure
    if raised is APIConnectionError:
        assert not isinstance(info.value, APITimeoutError)


def test_an_error_status_that_persists_raises_after_the_retries(
    kind: str, waits: RecordedSleeps
) -> None:
    h = harness(kind, httpx.Response(500), max_retries=2)
    with pytest.raises(InternalServerError) as info:
        h.create()
    assert info.value.status_code == 500
    assert len(h.handler.requests) == 3


# --- test_follow_redirects / test_follow_redirects_disabled ----------------------------------


def redirecting(status: int) -> Recorder:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/messages":
            return httpx.Response(status, headers={"location": "/moved/v1/messages"})
        return ok()

    return Recorder(answer)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_followed_by_default(status: int) -> None:
    handler = redirecting(status)
    with Anthropic(
        api_key=API_KEY, http_client=DefaultHttpxClient(transport=httpx.MockTransport(handler))
    ) as client:
        message = client.messages.create(**default_params())
    assert message.content[0].text == "Hello!"
    assert [r.url.path for r in handler.requests] == ["/v1/messages", "/moved/v1/messages"]
    if status in (307, 308):  # these keep the method and the body
        assert handler.requests[1].method == "POST"
        assert json.loads(handler.requests[1].content) == json.loads(handler.requests[0].content)


def test_an_async_client_follows_redirects_too() -> None:
    handler = redirecting(307)

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=True)
        async with AsyncAnthropic(api_key=API_KEY, http_client=http) as client:
            await client.messages.create(**default_params())

    anyio.run(main)
    assert [r.url.path for r in handler.requests] == ["/v1/messages", "/moved/v1/messages"]


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_not_followed_is_a_plain_status_error(kind: str, status: int) -> None:
    handler = redirecting(status)

    def sync_call(_: Anthropic) -> None:
        http = DefaultHttpxClient(transport=httpx.MockTransport(handler), follow_redirects=False)
        with Anthropic(api_key=API_KEY, http_client=http) as client:
            client.messages.create(**default_params())

    async def async_call(_: AsyncAnthropic) -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))  # httpx: no redirects
        async with AsyncAnthropic(api_key=API_KEY, http_client=http) as client:
            await client.messages.create(**default_params())

    with pytest.raises(APIStatusError) as info:
        harness(kind).run(sync_call, async_call)
    # a 3xx is neither a server error nor retried (it used to come out as InternalServerError)
    assert type(info.value) is APIStatusError
    assert info.value.status_code == status
    assert info.value.response is not None
    assert info.value.response.headers["location"] == "/moved/v1/messages"
    assert len(handler.requests) == 1


# --- test_copy / test_copy_default_options / test_copy_default_headers / _query --------------


def test_copy_is_a_new_client_with_the_changes_and_leaves_the_original() -> None:
    with Anthropic(api_key=API_KEY) as client:
        copied = client.copy()
        assert copied is not client
        assert copied.api_key == API_KEY
        other = client.copy(api_key="another-key")
        assert other.api_key == "another-key"
        assert client.api_key == API_KEY
        assert client.copy(auth_token="a-token").auth_token == "a-token"
        assert client.auth_token is None


def test_copies_of_copies_override_options_with_defaults() -> None:
    with Anthropic(api_key=API_KEY) as client:
        seven = client.copy(max_retries=7)
        six = seven.copy(max_retries=6)
        assert (client.max_retries, seven.max_retries, six.max_retries) == (2, 7, 6)
        assert isinstance(client.timeout, httpx.Timeout)
        assert client.copy(timeout=None).timeout is None
        assert client.timeout == DEFAULT_TIMEOUT


def test_copy_default_headers_keep_merge_override_and_replace(kind: str) -> None:
    h = harness(kind, ok(), default_headers={"X-Foo": "bar"})

    def sync_call(c: Anthropic) -> list[httpx.Request]:
        for client in variants(c):
            client.messages.create(**default_params())
        return h.handler.requests

    async def async_call(c: AsyncAnthropic) -> list[httpx.Request]:
        for client in variants(c):
            await client.messages.create(**default_params())
        return h.handler.requests

    sent = [(r.headers.get("x-foo"), r.headers.get("x-bar")) for r in h.run(sync_call, async_call)]
    assert sent == [
        ("bar", None),  # copy(): kept
        ("bar", "stainless"),  # merged
        ("stainless", None),  # overridden
        (None, None),  # set_default_headers={}: replaced
        (None, "Robert"),  # replaced
    ]


def variants(client: Any) -> list[Any]:
    return [
        client.copy(),
        client.copy(default_headers={"X-Bar": "stainless"}),
        client.copy(default_headers={"X-Foo": "stainless"}),
        client.copy(set_default_headers={}),
        client.copy(set_default_headers={"X-Bar": "Robert"}),
    ]


def test_copy_default_query_keep_merge_override_and_replace(kind: str) -> None:
    h = harness(kind, ok(), default_query={"foo": "bar"})

    def sync_call(c: Anthropic) -> None:
        for client in query_variants(c):
            client.messages.create(**default_params())

    async def async_call(c: AsyncAnthropic) -> None:
        for client in query_variants(c):
            await client.messages.create(**default_params())

    h.run(sync_call, async_call)
    assert [dict(r.url.params) for r in h.handler.requests] == [
        {"foo": "bar"},
        {"foo": "bar", "bar": "stainless"},
        {"foo": "stainless"},
        {},
        {"bar": "Robert"},
    ]


def query_variants(client: Any) -> list[Any]:
    return [
        client.copy(),
        client.copy(default_query={"bar": "stainless"}),
        client.copy(default_query={"foo": "stainless"}),
        client.copy(set_default_query={}),
        client.copy(set_default_query={"bar": "Robert"}),
    ]


# --- test_copy_signature: copy() takes every constructor argument ----------------------------


@pytest.mark.parametrize("cls", [Anthropic, AsyncAnthropic])
def test_copy_accepts_every_constructor_argument(cls: type[Any]) -> None:
    # agentkit's copy takes them as keywords checked at run time, so call it with each
    client = cls(api_key=API_KEY)
    values = {
        "api_key": "k",
        "auth_token": "t",
        "base_url": "http://h.local/",
        "api_version": "2023-06-01",
        "timeout": 9.0,
        "max_retries": 1,
        "default_headers": {"x": "1"},
        "http_client": client._http,
        "max_retry_wait": 5.0,
        "default_query": {"q": "1"},
        "rate_limiter": RateLimiter(),
    }
    for name in inspect.signature(cls.__init__).parameters:
        if name == "self":
            continue
        assert name in values, f"a new constructor argument {name!r}: add it here"
        copied = client.copy(**{name: values[name]})
        if name not in ("http_client", "default_headers", "default_query"):
            assert getattr(copied, name) == (
                httpx.URL(values[name]) if name == "base_url" else values[name]
            )
    with pytest.raises(UsageError, match="unknown option"):
        client.copy(transport=None)


# --- test_request_timeout / test_client_timeout_option / test_http_client_timeout_option -----


def sent_timeout(kind: str, *, call_timeout: Any = NOT_GIVEN, **client_kwargs: Any) -> Any:
    h = harness(kind, ok(), **client_kwargs)
    h.create(**({} if call_timeout is NOT_GIVEN else {"timeout": call_timeout}))
    return httpx.Timeout(**h.handler.requests[0].extensions["timeout"])


def test_a_request_uses_the_default_timeout_unless_the_call_gives_one(kind: str) -> None:
    assert sent_timeout(kind) == DEFAULT_TIMEOUT
    assert sent_timeout(kind, call_timeout=httpx.Timeout(100.0)) == httpx.Timeout(100.0)


def test_the_clients_timeout_option_is_sent(kind: str) -> None:
    assert sent_timeout(kind, timeout=httpx.Timeout(0)) == httpx.Timeout(0)


@pytest.mark.parametrize(
    ("http_timeout", "expected"),
    [
        (None, httpx.Timeout(None)),  # the http_client's own timeout (here: none) is used
        (NOT_GIVEN, DEFAULT_TIMEOUT),  # an http_client left at httpx's default: ours instead
        (HTTPX_DEFAULT_TIMEOUT, DEFAULT_TIMEOUT),  # httpx's default given explicitly: the same
        (httpx.Timeout(12.0), httpx.Timeout(12.0)),
    ],
    ids=["none", "unset", "httpx-default", "own"],
)
def test_the_http_clients_timeout_precedence(kind: str, http_timeout: Any, expected: Any) -> None:
    handler = Recorder(ok())
    transport = httpx.MockTransport(handler)
    options = {} if http_timeout is NOT_GIVEN else {"timeout": http_timeout}

    def sync_call(_: Anthropic) -> None:
        http = httpx.Client(transport=transport, **options)
        with Anthropic(api_key=API_KEY, http_client=http) as client:
            client.messages.create(**default_params())

    async def async_call(_: AsyncAnthropic) -> None:
        http = httpx.AsyncClient(transport=transport, **options)
        async with AsyncAnthropic(api_key=API_KEY, http_client=http) as client:
            await client.messages.create(**default_params())

    harness(kind).run(sync_call, async_call)
    assert httpx.Timeout(**handler.requests[0].extensions["timeout"]) == expected


def test_a_call_timeout_beats_the_http_clients(kind: str) -> None:
    handler = Recorder(ok())

    def sync_call(_: Anthropic) -> None:
        http = httpx.Client(transport=httpx.MockTransport(handler), timeout=12.0)
        with Anthropic(api_key=API_KEY, http_client=http) as client:
            client.messages.create(**default_params(), timeout=3.0)

    async def async_call(_: AsyncAnthropic) -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler), timeout=12.0)
        async with AsyncAnthropic(api_key=API_KEY, http_client=http) as client:
            await client.messages.create(**default_params(), timeout=3.0)

    harness(kind).run(sync_call, async_call)
    assert handler.requests[0].extensions["timeout"]["read"] == 3.0


# --- test_default_headers_option / test_request_extra_headers / test_request_extra_query -----
# --- test_request_extra_json / test_default_query_option --------------------------------------


def test_default_headers_are_sent_and_can_override_the_clients_own(kind: str) -> None:
    h = harness(
        kind,
        ok(),
        default_headers={"X-Foo": "stainless", "User-Agent": "my-agent", "Accept": "*/*"},
    )
    h.create()
    request = h.handler.requests[0]
    assert request.headers["x-foo"] == "stainless"
    assert request.headers["user-agent"] == "my-agent"
    assert request.headers["accept"] == "*/*"


def test_extra_headers_win_over_default_headers_of_a_copy(kind: str) -> None:
    h = harness(kind, ok())
    params = {**default_params(), "extra_headers": {"X-Bar": "false", "X-Foo": "Foo"}}

    def sync_call(c: Anthropic) -> None:
        c.with_options(default_headers={"X-Bar": "true"}).messages.create(**params)

    async def async_call(c: AsyncAnthropic) -> None:
        await c.with_options(default_headers={"X-Bar": "true"}).messages.create(**params)

    h.run(sync_call, async_call)
    request = h.handler.requests[0]
    assert request.headers.get_list("x-bar") == ["false"]
    assert request.headers["x-foo"] == "Foo"


def test_extra_query_is_merged_and_wins_on_a_clash(kind: str) -> None:
    h = harness(kind, ok(), default_query={"query_param": "bar"})
    h.create()
    h.create(extra_query={"foo": "baz", "query_param": "overridden"})
    assert [dict(r.url.params) for r in h.handler.requests] == [
        {"query_param": "bar"},
        {"foo": "baz", "query_param": "overridden"},
    ]


def test_extra_body_is_merged_and_wins_on_a_clash_even_with_none(kind: str) -> None:
    h = harness(kind, ok())
    h.create(extra_body={"baz": False})
    h.create(extra_body={"max_tokens": 7, "baz": None})
    first, second = h.handler.bodies
    assert first["baz"] is False
    assert first["max_tokens"] == 100
    assert second["max_tokens"] == 7
    assert "baz" in second
    assert second["baz"] is None


# --- test_validate_headers: credentials ----------------------------------------------------


def test_the_api_key_is_sent_as_x_api_key(kind: str) -> None:
    h = harness(kind, ok())
    h.create()
    assert h.handler.requests[0].headers["x-api-key"] == API_KEY


def test_no_credentials_is_refused_unless_the_header_is_removed(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    h = harness(kind, ok(), api_key=None)
    # the SDK raises a TypeError here; agentkit a UsageError naming the ways to give credentials
    with pytest.raises(UsageError, match="ANTHROPIC_API_KEY"):
        h.create()
    assert h.handler.requests == []
    h.create(extra_headers={"X-Api-Key": omit})  # removing the header says "none needed"
    assert "x-api-key" not in h.handler.requests[0].headers


# --- test_base_url_setter / test_base_url_env / trailing slash / custom http client ----------


def test_the_base_url_setter_normalises_the_trailing_slash() -> None:
    with Anthropic(api_key=API_KEY, base_url="https://example.com/from_init") as client:
        assert client.base_url == "https://example.com/from_init/"
        client.base_url = "https://example.com/from_setter"
        assert client.base_url == "https://example.com/from_setter/"


def test_the_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://localhost:5000/from/env")
    with Anthropic(api_key=API_KEY) as client:
        assert client.base_url == "http://localhost:5000/from/env/"
    assert AsyncAnthropic(api_key=API_KEY).base_url == "http://localhost:5000/from/env/"


@pytest.mark.parametrize(
    "base_url", ["http://localhost:5000/custom/path/", "http://localhost:5000/custom/path"]
)
@pytest.mark.parametrize("own_http_client", [False, True], ids=["standard", "custom-http-client"])
def test_a_base_url_path_is_kept_with_or_without_a_trailing_slash(
    base_url: str, own_http_client: bool
) -> None:
    expected = "http://localhost:5000/custom/path/v1/messages"
    if not own_http_client:
        with Anthropic(api_key=API_KEY, base_url=base_url) as client:
            assert str(client.url_for("/v1/messages")) == expected
        return
    handler = Recorder(ok())
    http = httpx.Client(transport=httpx.MockTransport(handler))
    with Anthropic(api_key=API_KEY, base_url=base_url, http_client=http) as client:
        client.messages.create(**default_params())
    assert str(handler.requests[0].url) == expected


# --- test_client_context_manager / test_copied_client_does_not_close_http -------------------


def test_the_client_is_its_own_context_manager_and_closes_on_exit() -> None:
    client = Anthropic(api_key=API_KEY)
    with client as entered:
        assert entered is client
        assert not client.is_closed()
    assert client.is_closed()


def test_dropping_a_copy_leaves_the_original_open() -> None:
    client = Anthropic(api_key=API_KEY)
    copied = client.copy()
    del copied
    assert not client.is_closed()
    client.close()
