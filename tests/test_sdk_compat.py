"""Behaviour that matches the official `anthropic` SDK, where agentkit used to differ."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from agentkit import (
    NOT_GIVEN,
    Anthropic,
    APIConnectionError,
    AsyncAnthropic,
    DefaultAsyncHttpxClient,
    DefaultHttpxClient,
    InvalidArgumentTypeError,
    Omit,
    UsageError,
    omit,
)
from agentkit._base_client import DEFAULT_TIMEOUT, USER_AGENT
from agentkit._core.retry import MAX_RETRY_DELAY, RetryPolicy, backoff_delay
from agentkit.testing import RecordedSleeps

from .helpers import API_KEY, Recorder, default_params, harness, ok

# --- 1. retry waits, transport failures, redirects -------------------------------------------


def test_backoff_never_overflows_for_huge_retry_counts() -> None:
    assert backoff_delay(5000, 0.0) == MAX_RETRY_DELAY
    decision = RetryPolicy(max_retries=10_000, rand=lambda: 0.0).for_connection_error(1025)
    assert decision.retry
    assert decision.delay == MAX_RETRY_DELAY


def test_a_client_with_more_than_1024_retries_is_accepted() -> None:
    with Anthropic(api_key=API_KEY, max_retries=5000) as client:
        assert client.max_retries == 5000


def test_a_plain_exception_from_a_transport_is_a_connection_error_and_retried(
    kind: str, waits: RecordedSleeps
) -> None:
    h = harness(kind, RuntimeError("transport broke"), ok())
    message = h.create()
    assert message.content[0].text == "Hello!"
    assert len(h.handler.requests) == 2
    assert len(waits.request) == 1


def test_a_plain_exception_raises_a_connection_error_once_retries_run_out(
    kind: str, waits: RecordedSleeps
) -> None:
    h = harness(kind, ValueError("nope"), max_retries=1)
    with pytest.raises(APIConnectionError) as info:
        h.create()
    assert isinstance(info.value.__cause__, ValueError)
    assert len(h.handler.requests) == 2


def test_the_default_http_clients_follow_redirects() -> None:
    with Anthropic(api_key=API_KEY) as client:
        assert client._http.follow_redirects is True
    assert AsyncAnthropic(api_key=API_KEY)._http.follow_redirects is True


# --- 2. removing headers whatever their case ----------------------------------------------------


@pytest.mark.parametrize("remove", [NOT_GIVEN, omit])
@pytest.mark.parametrize("name", ["x-api-key", "X-API-KEY", "X-Api-Key"])
def test_a_call_can_remove_the_api_key_header_in_any_case(
    kind: str, remove: Any, name: str
) -> None:
    h = harness(kind, ok(), default_headers={"Authorization": "Bearer from-proxy"})
    h.create(extra_headers={name: remove})
    request = h.handler.requests[0]
    assert "x-api-key" not in request.headers
    assert request.headers["authorization"] == "Bearer from-proxy"


@pytest.mark.parametrize("remove", [NOT_GIVEN, omit])
def test_removing_every_credential_header_is_allowed(kind: str, remove: Any) -> None:
    h = harness(kind, ok(), default_headers={"X-API-KEY": remove})
    h.create(extra_headers={"AUTHORIZATION": remove, "User-Agent": remove})
    request = h.handler.requests[0]
    assert "x-api-key" not in request.headers
    assert "authorization" not in request.headers
    assert request.headers.get("user-agent") != USER_AGENT


def test_omit_is_falsy_and_exported() -> None:
    assert not omit
    assert isinstance(omit, Omit)
    assert repr(omit) == "omit"


# --- 3. raw and streaming responses: http_request, is_closed -----------------------------------


def test_a_raw_response_has_its_request_and_is_closed(kind: str) -> None:
    response = harness(kind, ok()).raw_create()
    assert response.http_request.method == "POST"
    assert response.http_request.url.path == "/v1/messages"
    assert response.is_closed


def test_a_streaming_response_is_open_until_read_then_closed() -> None:
    client = Anthropic(
        api_key=API_KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(Recorder(ok()))),
    )
    with client.messages.with_streaming_response.create(**default_params()) as response:
        assert response.http_request.url.path == "/v1/messages"
        assert not response.is_closed
        response.read()
        assert response.is_closed


def test_an_async_streaming_response_is_open_until_read_then_closed() -> None:
    async def main() -> None:
        client = AsyncAnthropic(
            api_key=API_KEY,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(Recorder(ok()))),
        )
        async with client.messages.with_streaming_response.create(**default_params()) as response:
            assert response.http_request.url.path == "/v1/messages"
            assert not response.is_closed
            await response.read()
            assert response.is_closed

    anyio.run(main)


# --- 4. default_query, copy(), merging with_options ---------------------------------------------


def test_default_query_is_sent_and_merged_with_extra_query(kind: str) -> None:
    h = harness(kind, ok(), default_query={"beta": "1", "region": "eu"})
    h.create(extra_query={"region": "us"})
    assert dict(h.handler.requests[0].url.params) == {"beta": "1", "region": "us"}


def test_copy_merges_or_replaces_headers_and_query() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Recorder(ok())))
    base = Anthropic(
        api_key=API_KEY, http_client=http, default_headers={"a": "1"}, default_query={"q": "1"}
    )
    merged = base.copy(default_headers={"b": "2"}, default_query={"r": "2"})
    assert merged.default_headers == {"a": "1", "b": "2"}
    assert merged.default_query == {"q": "1", "r": "2"}
    replaced = base.with_options(set_default_headers={"b": "2"}, set_default_query={})
    assert replaced.default_headers == {"b": "2"}
    assert replaced.default_query == {}
    with pytest.raises(ValueError, match="mutually exclusive"):
        base.copy(default_headers={}, set_default_headers={})
    with pytest.raises(ValueError, match="mutually exclusive"):
        base.copy(default_query={}, set_default_query={})


def test_a_copy_never_closes_the_original_pool_and_may_take_its_own() -> None:
    base = Anthropic(api_key=API_KEY)
    base.copy(max_retries=0).close()
    assert not base._http.is_closed
    own = httpx.Client(transport=httpx.MockTransport(Recorder(ok())))
    copy = base.copy(http_client=own, api_key="other", max_retry_wait=1.0, api_version="x")
    assert copy._http is own
    copy.close()
    assert not own.is_closed
    base.close()
    assert base._http.is_closed


def test_async_copy_takes_its_own_http_client() -> None:
    own = httpx.AsyncClient(transport=httpx.MockTransport(Recorder(ok())))
    base = AsyncAnthropic(api_key=API_KEY)
    copy = base.copy(http_client=own, default_query={"x": "1"})
    assert copy._http is own
    assert copy.default_query == {"x": "1"}


# --- 5. DefaultHttpxClient / DefaultAsyncHttpxClient -------------------------------------------


def test_default_httpx_clients_carry_our_defaults() -> None:
    with DefaultHttpxClient() as http:
        assert http.follow_redirects is True
        assert http.timeout == DEFAULT_TIMEOUT
        with Anthropic(api_key=API_KEY, http_client=http) as client:
            assert client._http is http
    async_http = DefaultAsyncHttpxClient(follow_redirects=False)
    assert async_http.follow_redirects is False
    assert isinstance(async_http, httpx.AsyncClient)


# --- 6. base_url is assignable and keeps a trailing slash ------------------------------------


def test_base_url_ends_with_a_slash_and_urls_have_no_double_slash() -> None:
    with Anthropic(api_key=API_KEY, base_url="http://h.local/prefix") as client:
        assert str(client.base_url) == "http://h.local/prefix/"
        assert str(client.url_for("/v1/messages")) == "http://h.local/prefix/v1/messages"
    with Anthropic(api_key=API_KEY, base_url=httpx.URL("http://h.local/")) as client:
        assert str(client.base_url) == "http://h.local/"
        assert str(client.url_for("/v1/messages")) == "http://h.local/v1/messages"


def test_reassigning_base_url_moves_later_requests(kind: str) -> None:
    h = harness(kind, ok(), ok(), base_url="http://first.local")

    def sync_call(c: Anthropic) -> None:
        c.messages.create(**default_params())
        c.base_url = "http://second.local/api"
        c.messages.create(**default_params())

    async def async_call(c: AsyncAnthropic) -> None:
        await c.messages.create(**default_params())
        c.base_url = httpx.URL("http://second.local/api")
        await c.messages.create(**default_params())

    h.run(sync_call, async_call)
    urls = [str(r.url) for r in h.handler.requests]
    assert urls == ["http://first.local/v1/messages", "http://second.local/api/v1/messages"]


# --- 7. timeouts: a sentinel default, the http_client's own timeout --------------------------


def test_an_explicit_timeout_equal_to_the_default_counts_as_chosen() -> None:
    with Anthropic(api_key=API_KEY) as client:
        assert client.timeout == DEFAULT_TIMEOUT
        assert client.timeout_is_default(NOT_GIVEN)
        assert client.copy(max_retries=0).timeout_is_default(NOT_GIVEN)
        assert not client.copy(timeout=600).timeout_is_default(NOT_GIVEN)
    with Anthropic(api_key=API_KEY, timeout=600) as client:
        assert client.timeout == 600
        assert not client.timeout_is_default(NOT_GIVEN)
        assert not client.copy(max_retries=0).timeout_is_default(NOT_GIVEN)


def test_the_http_clients_own_timeout_is_used_when_none_is_given(kind: str) -> None:
    own = httpx.Timeout(12.0, connect=3.0)
    seen: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return ok()

    transport = httpx.MockTransport(handler)
    if kind == "sync":
        with Anthropic(
            api_key=API_KEY, http_client=httpx.Client(transport=transport, timeout=own)
        ) as client:
            assert client.timeout == own
            assert not client.timeout_is_default(NOT_GIVEN)
            client.messages.create(**default_params())
    else:

        async def main() -> None:
            http = httpx.AsyncClient(transport=transport, timeout=own)
            async with AsyncAnthropic(api_key=API_KEY, http_client=http) as client:
                assert client.timeout == own
                await client.messages.create(**default_params())

        anyio.run(main)
    assert seen[0]["read"] == 12.0
    assert seen[0]["connect"] == 3.0


def test_an_explicit_timeout_wins_over_the_http_clients() -> None:
    with (
        httpx.Client(timeout=12.0) as http,
        Anthropic(api_key=API_KEY, http_client=http, timeout=30.0) as client,
    ):
        assert client.timeout == 30.0
    with (
        DefaultHttpxClient() as http,
        Anthropic(api_key=API_KEY, http_client=http) as client,
    ):
        assert client.timeout == DEFAULT_TIMEOUT
        assert client.timeout_is_default(NOT_GIVEN)


# --- 8. is_closed(), and a clear error on a closed client ------------------------------------


def test_a_closed_client_says_so_and_refuses_requests(kind: str) -> None:
    h = harness(kind, ok())

    def sync_call(c: Anthropic) -> None:
        assert not c.is_closed()
        c._http.close()
        assert c.is_closed()
        with pytest.raises(UsageError, match="the client is closed; create a new one"):
            c.messages.create(**default_params())
        with pytest.raises(UsageError, match="closed"), c.messages.stream(**default_params()):
            pass

    async def async_call(c: AsyncAnthropic) -> None:
        assert not c.is_closed()
        await c._http.aclose()
        assert c.is_closed()
        with pytest.raises(UsageError, match="the client is closed; create a new one"):
            await c.messages.create(**default_params())

    h.run(sync_call, async_call)
    assert h.handler.requests == []


def test_close_of_an_owning_client_closes_it() -> None:
    client = Anthropic(api_key=API_KEY)
    client.close()
    assert client.is_closed()

    async def main() -> None:
        aclient = AsyncAnthropic(api_key=API_KEY)
        async with aclient:
            assert not aclient.is_closed()
        assert aclient.is_closed()

    anyio.run(main)


# --- 9. a TypeError where the SDK raises one ---------------------------------------------------


def test_wrong_argument_types_raise_a_type_error_that_is_a_usage_error() -> None:
    assert issubclass(InvalidArgumentTypeError, TypeError)
    assert issubclass(InvalidArgumentTypeError, UsageError)
    with pytest.raises(TypeError, match="max_retries"):
        Anthropic(api_key=API_KEY, max_retries=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentTypeError, match="http_client"):
        Anthropic(api_key=API_KEY, http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="http_client"):
        AsyncAnthropic(api_key=API_KEY, http_client=httpx.Client())  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="max_retries") as negative:
        Anthropic(api_key=API_KEY, max_retries=-1)
    assert not isinstance(negative.value, TypeError)


def test_unresolvable_credentials_raise_a_type_error_that_is_a_usage_error() -> None:
    client = Anthropic()  # no key anywhere: the tests' environment has none
    with pytest.raises(TypeError, match="no API credentials") as caught:
        client.messages.create(
            model="claude-sonnet-4-5", max_tokens=8, messages=[{"role": "user", "content": "hi"}]
        )
    assert isinstance(caught.value, UsageError)


# --- deprecated model ids ---------------------------------------------------------------------


def test_a_deprecated_model_warns_at_the_callers_line() -> None:
    from agentkit.testing import ScriptedModel

    client = ScriptedModel(["one", "two", "three"]).client()
    messages: Any = [{"role": "user", "content": "Hi"}]
    with pytest.warns(DeprecationWarning, match="claude-opus-4-5.*January 22nd, 2027") as first:
        client.messages.create(model="claude-opus-4-5", max_tokens=5, messages=messages)
    with pytest.warns(DeprecationWarning, match="claude-opus-4-5-20251101") as second:
        stream = client.messages.stream(
            model="claude-opus-4-5-20251101", max_tokens=5, messages=messages
        )
    with stream as events:
        events.get_final_text()
    with pytest.warns(DeprecationWarning, match="claude-mythos-preview") as third:
        client.messages.with_raw_response.create(
            model="claude-mythos-preview", max_tokens=5, messages=messages
        )
    # each points at the user's line, not at agentkit's
    assert [w[0].filename for w in (first, second, third)] == [__file__] * 3


def test_an_async_call_with_a_deprecated_model_warns_too() -> None:
    from agentkit.testing import ScriptedModel

    async def main() -> None:
        client = ScriptedModel(["one"]).async_client()
        messages: Any = [{"role": "user", "content": "Hi"}]
        with pytest.warns(DeprecationWarning, match="deprecated") as seen:
            await client.messages.create(model="claude-opus-4-5", max_tokens=5, messages=messages)
        assert seen[0].filename == __file__

    anyio.run(main)


def test_a_current_model_does_not_warn() -> None:
    from agentkit.testing import ScriptedModel

    client = ScriptedModel(["one"]).client()
    messages: Any = [{"role": "user", "content": "Hi"}]
    client.messages.create(model="claude-sonnet-4-6", max_tokens=5, messages=messages)  # no error
