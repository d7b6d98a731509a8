"""Record and replay: a model (or the loopback server) stands in for the API while recording.

Secrets must never reach the file; replay must answer exactly what was recorded, in order,
and fail loudly with a diff for anything else.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import pytest

from agentkit import (
    Anthropic,
    APIConnectionError,
    AsyncAnthropic,
    BadRequestError,
    Message,
    TextBlock,
    UsageError,
)
from agentkit.testing import (
    Cassette,
    CassetteMismatchError,
    Fault,
    FunctionModel,
    ModelRequest,
    RawReply,
    RecordedSleeps,
    ReplyLike,
    ScriptedModel,
    TestModel,
    cassette,
)
from agentkit.testing.server import serve_in_background

pytest_plugins = ["pytester"]

SECRET_KEY = "sk-ant-api03-SECRET-KEY-0123456789abcdefghij"
SECRET_TOKEN = "oauth-SECRET-TOKEN-9876543210zyx"
PARAMS: dict[str, Any] = {
    "model": "claude-test-1",
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hello"}],
}


def text_of(message: Message) -> str:
    return "".join(b.text for b in message.content if isinstance(b, TextBlock))


def create(client: Anthropic, **params: Any) -> Message:
    return cast(Message, client.messages.create(**{**PARAMS, **params}))


def stream_final(client: Anthropic, **params: Any) -> Message:
    with client.messages.stream(**{**PARAMS, **params}) as stream:
        final: Message = stream.get_final_message()
        return final


def load(path: Path) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(path.read_text()))


# --- round trips ---------------------------------------------------------------------------


def test_record_then_replay(tmp_path: Path) -> None:
    path = tmp_path / "cassettes" / "round_trip.json"  # the folder is created
    api = TestModel()
    recorder = cassette(path, "record", transport=api.transport())
    assert recorder.mode == "record"
    with recorder.client(api_key=SECRET_KEY) as client:
        recorded = [
            create(client),
            stream_final(client),
            create(client, messages=[{"role": "user", "content": "Again"}]),
        ]
        counted = client.messages.count_tokens(model="m", messages=PARAMS["messages"])
    assert len(api.requests) == 4

    data = load(path)
    assert data["version"] == 1
    first, streamed, _, count = data["interactions"]
    assert first["request"]["method"] == "POST"
    assert first["request"]["path"] == "/v1/messages"
    assert first["request"]["body"] == PARAMS
    assert first["request"]["headers"]["x-api-key"] == "<redacted>"
    assert first["request"]["headers"]["anthropic-version"] == "2023-06-01"
    assert first["response"]["status"] == 200
    assert first["response"]["headers"]["content-type"] == "application/json"
    assert first["response"]["json"]["content"] == [
        {"type": "text", "text": "This is TestModel's answer."}
    ]
    assert streamed["request"]["body"] == {**PARAMS, "stream": True}
    events = streamed["response"]["sse"]
    assert events[0].startswith("event: message_start\ndata: {")
    assert events[2] == 'event: ping\ndata: {"type":"ping"}\n\n'
    assert events[-1] == 'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    assert count["response"]["json"] == {"input_tokens": counted.input_tokens}

    offline = cassette(path)  # replay by default
    assert offline.mode == "replay"
    with offline.client() as client:
        replayed = [
            create(client),
            stream_final(client),
            create(client, messages=[{"role": "user", "content": "Again"}]),
        ]
        recount = client.messages.count_tokens(model="m", messages=PARAMS["messages"])
    assert [m.model_dump() for m in replayed] == [m.model_dump() for m in recorded]
    assert [m._request_id for m in replayed] == [m._request_id for m in recorded]
    assert recount.input_tokens == counted.input_tokens
    assert len(api.requests) == 4  # the model was not asked again


@pytest.mark.anyio
async def test_record_then_replay_async(tmp_path: Path) -> None:
    path = tmp_path / "async.json"
    api = TestModel(text="An asynchronous answer, long enough for several deltas.")

    async def scenario(client: AsyncAnthropic) -> tuple[Message, Message, list[str]]:
        plain = await client.messages.create(**PARAMS)
        async with client.messages.stream(**PARAMS) as stream:
            pieces = [text async for text in stream.text_stream]
            streamed = await stream.get_final_message()
        return plain, streamed, pieces

    async with cassette(path, "record", transport=api.async_transport()).async_client(
        api_key=SECRET_KEY
    ) as client:
        recorded = await scenario(client)
    async with cassette(path).async_client() as client:
        replayed = await scenario(client)
    assert replayed[0].model_dump() == recorded[0].model_dump()
    assert replayed[1].model_dump() == recorded[1].model_dump()
    assert replayed[2] == recorded[2]
    assert "".join(replayed[2]) == api.text
    assert SECRET_KEY not in path.read_text()
    assert len(api.requests) == 2


def test_identical_requests_replay_in_order(tmp_path: Path) -> None:
    path = tmp_path / "order.json"
    api = ScriptedModel(["one", "two"])
    with cassette(path, "record", transport=api.transport()).client(api_key="k") as client:
        assert [text_of(create(client)) for _ in range(2)] == ["one", "two"]
    with cassette(path).client() as client:
        replayed = [text_of(create(client)) for _ in range(3)]
    assert replayed == ["one", "two", "two"]  # past the recordings, the last one repeats


def test_errors_are_recorded_and_replayed(tmp_path: Path) -> None:
    path = tmp_path / "errors.json"
    bad = {
        "messages": [{"role": "user", "content": "a"}, {"role": "system", "content": "Be brief."}]
    }
    api = TestModel()
    with cassette(path, "record", transport=api.transport()).client(api_key="k") as client:
        with pytest.raises(BadRequestError) as live:
            create(client, **bad)
    with cassette(path).client() as client, pytest.raises(BadRequestError) as replayed:
        create(client, **bad)
    assert replayed.value.api_message == live.value.api_message
    assert replayed.value.request_id == live.value.request_id
    stored = load(path)["interactions"][0]["response"]
    assert stored["status"] == 400
    assert stored["headers"]["x-should-retry"] == "false"


def test_failed_exchanges_are_not_recorded(tmp_path: Path, waits: RecordedSleeps) -> None:
    path = tmp_path / "cut.json"
    api = TestModel(faults=[Fault.cut(after=3), Fault(reset=True)])
    with cassette(path, "record", transport=api.transport()).client(api_key="k") as client:
        with pytest.raises(APIConnectionError):
            stream_final(client.with_options(max_retries=0))
        assert text_of(stream_final(client)) == "This is TestModel's answer."  # after a reset
    assert len(api.requests) == 3
    assert len(load(path)["interactions"]) == 1


# --- secrets ----------------------------------------------------------------------------------


def leaky(request: ModelRequest) -> ReplyLike:
    """An API that echoes the credentials it received (as error messages sometimes do)."""
    return (
        f"key={request.headers.get('x-api-key')} "
        f"auth={request.headers.get('authorization')} "
        f"extra={request.headers.get('x-custom-token')}"
    )


def test_secrets_never_reach_the_cassette(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    # (text_chunk: the echo streams in one piece; a secret split across deltas is not found)
    api = FunctionModel(leaky, text_chunk=1000)
    recorder = cassette(path, "record", transport=api.transport())
    with recorder.client(
        api_key=SECRET_KEY,
        auth_token=SECRET_TOKEN,
        default_headers={"x-custom-token": "custom-SECRET-value"},
    ) as client:
        live = text_of(create(client))
        streamed = text_of(stream_final(client))
    # the code under test saw the real answer...
    assert live == streamed
    assert SECRET_KEY in live
    assert SECRET_TOKEN in live
    # ...but the file holds no secret anywhere: headers and bodies, JSON and SSE
    text = path.read_text()
    for secret in (SECRET_KEY, SECRET_TOKEN, "custom-SECRET-value", "SECRET"):
        assert secret not in text
    first = load(path)["interactions"][0]
    headers = first["request"]["headers"]
    assert headers["x-api-key"] == headers["authorization"] == "<redacted>"
    assert headers["x-custom-token"] == "<redacted>"
    assert first["response"]["json"]["content"][0]["text"] == (
        "key=<redacted> auth=<redacted> extra=<redacted>"
    )
    with cassette(path).client() as client:
        assert text_of(create(client)) == "key=<redacted> auth=<redacted> extra=<redacted>"


def test_rate_limit_headers_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "limits.json"
    body = (
        b'{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],'
        b'"stop_reason":"end_turn","stop_sequence":null,'
        b'"usage":{"input_tokens":1,"output_tokens":1}}'
    )
    headers = {
        "anthropic-ratelimit-tokens-remaining": "41000",
        "anthropic-ratelimit-input-tokens-limit": "80000",
        "anthropic-priority-output-tokens-remaining": "9000",
        "set-cookie": "session=abc",
    }
    api = FunctionModel(lambda r: RawReply(body, content_type="application/json", headers=headers))
    with cassette(path, "record", transport=api.transport()).client(api_key="k") as client:
        client.messages.create(**PARAMS)
    stored = load(path)["interactions"][0]["response"]["headers"]
    assert stored["anthropic-ratelimit-tokens-remaining"] == "41000"
    assert stored["anthropic-ratelimit-input-tokens-limit"] == "80000"
    assert stored["anthropic-priority-output-tokens-remaining"] == "9000"
    assert stored["set-cookie"] == "<redacted>"
    with cassette(path).client() as client:
        response = client.messages.with_raw_response.create(**PARAMS)
    assert response.rate_limits.tokens.remaining == 41000
    assert response.rate_limits.input_tokens.limit == 80000


# --- replay failures -----------------------------------------------------------------------


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "one.json"
    with cassette(path, "record", transport=TestModel().transport()).client(api_key="k") as c:
        create(c)
    return path


def test_an_unrecorded_request_fails_with_a_diff(recorded: Path) -> None:
    with cassette(recorded).client() as client:
        with pytest.raises(CassetteMismatchError) as caught:
            create(client, messages=[{"role": "user", "content": "Goodbye"}])
    text = str(caught.value)
    assert f"no recording in {str(recorded)!r} matches POST /v1/messages." in text
    assert "Closest recording (#1) differs:" in text
    assert "--- recorded\n+++ requested\n" in text
    assert '\n-      "content": "Hello",\n' in text
    assert '\n+      "content": "Goodbye",\n' in text
    assert "Re-record the cassette (mode='record') if the change is intended." in text


def test_the_path_must_match_too(recorded: Path) -> None:
    with cassette(recorded).client() as client, pytest.raises(CassetteMismatchError):
        client.messages.count_tokens(model=PARAMS["model"], messages=PARAMS["messages"])


def test_an_empty_cassette(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"version": 1, "interactions": []}')
    with cassette(path).client() as client, pytest.raises(CassetteMismatchError) as caught:
        create(client)
    assert str(caught.value) == f"the cassette {str(path)!r} is empty; got POST /v1/messages"


def test_auto_records_then_replays(tmp_path: Path) -> None:
    path = tmp_path / "auto.json"
    api = TestModel()
    first = cassette(path, "auto", transport=api.transport())
    assert first.mode == "record"
    with first.client(api_key="k") as client:
        recorded = create(client)
    second = cassette(path, "auto", transport=api.transport())
    assert second.mode == "replay"
    with second.client() as client:
        assert create(client).model_dump() == recorded.model_dump()
    assert len(api.requests) == 1


def test_replay_needs_a_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no cassette at .* to replay; record it first"):
        cassette(tmp_path / "missing.json", "replay")


def test_mode_must_be_known(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cassette mode must be 'replay', 'record' or 'auto'"):
        cassette(tmp_path / "x.json", "rewind")  # type: ignore[arg-type]


def test_replay_writes_nothing(recorded: Path) -> None:
    before = recorded.read_text()
    replaying = Cassette(recorded)
    with replaying.client() as client:
        create(client)
    replaying.save()
    assert recorded.read_text() == before


# --- transports ------------------------------------------------------------------------------


class SyncOnly(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:  # pragma: no cover
        raise AssertionError("not called")


class AsyncOnly(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError("not called")  # pragma: no cover


def test_the_recording_transport_must_fit_the_client(tmp_path: Path) -> None:
    with (
        cassette(tmp_path / "a.json", "record", transport=AsyncOnly()).client(api_key="k") as c,
        pytest.raises(UsageError, match="async-only; use an async client"),
    ):
        create(c)

    async def main() -> None:
        recorder = cassette(tmp_path / "s.json", "record", transport=SyncOnly())
        async with recorder.async_client(api_key="k") as client:
            await client.messages.create(**PARAMS)

    with pytest.raises(UsageError, match="sync-only; use a sync client"):
        anyio.run(main)


def test_compressed_responses_are_recorded_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gzip.json"
    message = {
        "id": "msg_gz",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": "compressed"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }

    def gzipped(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=gzip.compress(json.dumps(message).encode()),
            headers={"content-encoding": "gzip", "content-type": "application/json"},
        )

    recorder = cassette(path, "record", transport=httpx.MockTransport(gzipped))
    with recorder.client(api_key="k") as client:
        assert text_of(create(client)) == "compressed"
    stored = load(path)["interactions"][0]["response"]
    assert stored["json"] == message
    assert "content-encoding" not in stored["headers"]
    with cassette(path).client() as client:
        assert text_of(create(client)) == "compressed"


def test_non_json_bodies(tmp_path: Path) -> None:
    path = tmp_path / "text.json"
    api = FunctionModel(
        lambda r: RawReply(b"plain words", content_type="text/plain"), validate=False
    )
    recorder = cassette(path, "record", transport=api.transport())
    with httpx.Client(transport=recorder, base_url="http://api") as http:
        live = http.post("/v1/messages", content=b"not json at all")
        empty = http.post("/v1/messages")
    assert live.text == "plain words"
    stored = load(path)["interactions"]
    assert stored[0]["request"]["body"] == "not json at all"
    assert stored[0]["response"]["text"] == "plain words"
    assert stored[1]["request"]["body"] is None
    with httpx.Client(transport=cassette(path), base_url="http://api") as http:
        assert http.post("/v1/messages", content=b"not json at all").text == "plain words"
        assert http.post("/v1/messages").text == empty.text
        with pytest.raises(CassetteMismatchError, match=r'\+"other text"'):
            http.post("/v1/messages", content=b"other text")


def has_network(recorder: Cassette) -> bool:
    """Whether the cassette holds an open default (network) transport."""
    return recorder._network is not None or recorder._anetwork is not None


def test_recording_over_the_network_by_default(tmp_path: Path) -> None:
    """Without a `transport`, recording uses real HTTP (here: to the loopback server)."""
    path = tmp_path / "network.json"
    with serve_in_background(TestModel()) as url:
        recorder = cassette(path, "record")
        with recorder.client(api_key=SECRET_KEY, base_url=url) as client:
            recorded = [create(client), create(client)]  # one pooled connection
            assert has_network(recorder)
        assert not has_network(recorder)  # closing the client closed its connections

        async def main() -> Message:
            arecorder = cassette(tmp_path / "anetwork.json", "record")
            async with arecorder.async_client(api_key=SECRET_KEY, base_url=url) as aclient:
                message = cast(Message, await aclient.messages.create(**PARAMS))
                assert has_network(arecorder)
            assert not has_network(arecorder)
            return message

        arecorded = anyio.run(main)
    with cassette(path).client() as client:
        assert create(client).model_dump() == recorded[0].model_dump()
    assert text_of(arecorded) == "This is TestModel's answer."
    assert SECRET_KEY not in path.read_text()


def test_closing_saves(tmp_path: Path) -> None:
    path = tmp_path / "closing.json"
    recorder = cassette(path, "record", transport=TestModel().transport())
    recorder.close()  # nothing recorded yet: an empty cassette
    assert load(path) == {"version": 1, "interactions": []}
    anyio.run(recorder.aclose)
    assert load(path) == {"version": 1, "interactions": []}


# --- the pytest fixture ----------------------------------------------------------------------


USER_TEST = """
import pytest

PARAMS = {"model": "claude-test-1", "max_tokens": 100,
          "messages": [{"role": "user", "content": "Hello"}]}


def test_answer(cassette):
    with cassette.client() as client:
        message = client.messages.create(**PARAMS)
    assert message.content[0].text == "Recorded for the fixture."


@pytest.mark.parametrize("n", ["x 1"])
def test_param(cassette, n):
    assert cassette.path.name == "test_param_x_1_.json"
    with cassette.client() as client:
        assert client.messages.create(**PARAMS).content[0].text == "Recorded for the fixture."
"""


def record_for(pytester: pytest.Pytester, name: str) -> Path:
    path = pytester.path / "cassettes" / "test_user" / f"{name}.json"
    api = FunctionModel(lambda r: "Recorded for the fixture.")
    with cassette(path, "record", transport=api.transport()).client(api_key="k") as client:
        create(client)
    return path


def test_fixture_replays(pytester: pytest.Pytester) -> None:
    record_for(pytester, "test_answer")
    record_for(pytester, "test_param_x_1_")
    pytester.makepyfile(test_user=USER_TEST)
    pytester.runpytest("--agentkit-cassette=replay", "-p", "no:cacheprovider").assert_outcomes(
        passed=2
    )
    # the default mode, auto, replays what exists
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_fixture_without_a_recording(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest("--agentkit-cassette=replay", "-k", "answer")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*UsageError: no cassette at*test_answer.json*"])


def test_fixture_records(pytester: pytest.Pytester) -> None:
    """`--agentkit-cassette=record` with the default transport: real HTTP, to 127.0.0.1."""
    with serve_in_background(TestModel()) as url:
        pytester.makepyfile(
            test_rec=f"""
USED = []


def test_recording(cassette):
    USED.append(cassette)
    assert cassette.mode == "record"
    client = cassette.client(api_key="{SECRET_KEY}", base_url="{url}")
    message = client.messages.create(
        model="m", max_tokens=5, messages=[{{"role": "user", "content": "hi"}}]
    )
    assert message.content[0].text == "This is TestModel's answer."
    # not closed here: the fixture saves and closes the connections after the test


def test_after_the_recording():
    assert USED[0]._network is None
"""
        )
        result = pytester.runpytest("--agentkit-cassette=record", "-W", "error::ResourceWarning")
    result.assert_outcomes(passed=2)
    path = pytester.path / "cassettes" / "test_rec" / "test_recording.json"
    assert len(load(path)["interactions"]) == 1
    assert SECRET_KEY not in path.read_text()


def test_option_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--agentkit-cassette*"])
    bad = pytester.runpytest("--agentkit-cassette=rewind")
    assert bad.ret != 0
    bad.stderr.fnmatch_lines(["*invalid choice: 'rewind'*"])
