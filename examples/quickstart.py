"""Quickstart: send one message with `client.messages.create` and print the reply.

Runs offline by default: without `ANTHROPIC_API_KEY` (or with `--offline`) the client talks to a
small in-process stand-in for the API through an `httpx.MockTransport`, over the same code path
as the real thing. With a key set (or `--live`), it asks Claude.

    python examples/quickstart.py            # offline unless ANTHROPIC_API_KEY is set
    python examples/quickstart.py --live     # the real API (needs ANTHROPIC_API_KEY)
"""

from __future__ import annotations

import argparse
import json
import os

import httpx

from agentkit import Anthropic, TextBlock

MODEL = "claude-sonnet-4-5"


def offline_api(request: httpx.Request) -> httpx.Response:
    """Answer `POST /v1/messages` like the API would, echoing the user's last words."""
    body = json.loads(request.content)
    prompt = body["messages"][-1]["content"]
    reply = {
        "id": "msg_offline_0001",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [{"type": "text", "text": f"(offline) You said: {prompt}"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": len(prompt.split()), "output_tokens": 6},
    }
    return httpx.Response(200, json=reply, headers={"request-id": "req_offline_0001"})


def make_client(live: bool) -> Anthropic:
    """A real client with `live`, else one wired to the offline stand-in."""
    if live:
        return Anthropic()
    transport = httpx.MockTransport(offline_api)
    return Anthropic(api_key="offline", http_client=httpx.Client(transport=transport))


def main(argv: list[str] | None = None) -> None:
    """Parse the flags, send one message, print the reply and its usage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="call the real API")
    parser.add_argument("--offline", action="store_true", help="never call the real API")
    parser.add_argument("prompt", nargs="?", default="Hello, Claude! What can agents do?")
    args = parser.parse_args(argv)
    live = args.live or (bool(os.environ.get("ANTHROPIC_API_KEY")) and not args.offline)
    print(f"[{'live: Claude API' if live else 'offline: no API key needed'}]")
    with make_client(live) as client:
        message = client.messages.create(
            model=MODEL,
            max_tokens=256,
            messages=[{"role": "user", "content": args.prompt}],
        )
    for block in message.content:
        if isinstance(block, TextBlock):
            print(block.text)
    print(f"stop_reason={message.stop_reason} usage={message.usage.to_dict()}")


if __name__ == "__main__":
    main()
