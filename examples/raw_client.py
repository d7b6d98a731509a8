"""The raw client: the official SDK's messages surface, call by call.

create with a system prompt; a multi-turn conversation; image and PDF input; temperature;
prompt caching and its usage; count_tokens; metadata; `with_raw_response` (headers, request id,
rate limits, retries); `messages.stream()` with `text_stream` and `get_final_message()`.

    python examples/raw_client.py [--live]
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from _common import MODEL, client_for, parse_args

from agentkit import TextBlock
from agentkit.testing import FunctionModel, ModelRequest, Reply, ReplyLike

# A 1x1 PNG, so the example needs no files.
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()
LONG_POLICY = "Refunds within 30 days. " * 200  # long enough to be worth caching


def offline_claude(request: ModelRequest) -> ReplyLike:
    """Plays Claude offline: says what it received; reports cache use like the API would."""
    last = request.messages[-1]["content"]
    kinds = [b["type"] for b in last] if isinstance(last, list) else ["text"]
    system = request.get("system")
    cached = isinstance(system, list) and any("cache_control" in b for b in system)
    usage = {"cache_read_input_tokens": 1200, "cache_creation_input_tokens": 0} if cached else {}
    return Reply(
        f"(offline) {len(request.messages)} message(s); last one holds {', '.join(kinds)}.",
        usage=usage,
        headers={
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "49",
        },
    )


def text_of(content: Sequence[object]) -> str:
    """The text blocks of a message's content, joined."""
    return "".join(b.text for b in content if isinstance(b, TextBlock))


def main(argv: list[str] | None = None) -> None:
    """Walk through the client surface."""
    args = parse_args(__doc__ or "", argv)
    client = client_for(args, FunctionModel(offline_claude))

    # 1. A system prompt, temperature and metadata
    message = client.messages.create(
        model=MODEL,
        max_tokens=200,
        temperature=0.2,
        metadata={"user_id": "user-42"},
        system="You answer in one sentence.",
        messages=[{"role": "user", "content": "What is an agent?"}],
    )
    print("1.", text_of(message.content), f"[{message.stop_reason}]")

    # 2. Multi-turn: send the assistant's turn back, then ask a follow-up
    follow_up = client.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=[
            {"role": "user", "content": "What is an agent?"},
            message.to_param(),
            {"role": "user", "content": "And a tool?"},
        ],
    )
    print("2.", text_of(follow_up.content))

    # 3. Image and PDF input
    seen = client.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=[
            {
                "role": "user",
                "content": [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PIXEL},
                    },
                    {
                        "type": "document",
                        "source": {"type": "url", "url": "https://example.com/report.pdf"},
                    },
                    {"type": "text", "text": "Describe both."},
                ],
            }
        ],
    )
    print("3.", text_of(seen.content))

    # 4. Prompt caching: mark the long, stable prefix; usage says what was read from cache
    cached = client.messages.create(
        model=MODEL,
        max_tokens=200,
        system=[{"type": "text", "text": LONG_POLICY, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": "Can I get a refund after 10 days?"}],
    )
    usage = cached.usage
    print(
        f"4. cache read {usage.cache_read_input_tokens},"
        f" written {usage.cache_creation_input_tokens}"
    )

    # 5. Counting tokens before sending
    count = client.messages.count_tokens(
        model=MODEL, messages=[{"role": "user", "content": "How long is this?"}]
    )
    print("5. input tokens:", count.input_tokens)

    # 6. The raw response: headers, request id, rate limits, retries
    raw = client.messages.with_raw_response.create(
        model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
    )
    limits = raw.rate_limits.requests
    print(
        f"6. status {raw.status_code}, request id {raw.request_id}, retries {raw.retries_taken},"
        f" requests left {limits.remaining}/{limits.limit}"
    )
    print("   parsed:", text_of(raw.parse().content))

    # 7. Streaming: text as it arrives, then the whole message
    with client.messages.stream(
        model=MODEL, max_tokens=200, messages=[{"role": "user", "content": "Stream, please."}]
    ) as stream:
        print("7. ", end="")
        for text in stream.text_stream:
            print(text, end="", flush=True)
        final = stream.get_final_message()
    print(f"\n   final: {final.usage.output_tokens} output tokens, stop_reason {final.stop_reason}")


if __name__ == "__main__":
    main()
