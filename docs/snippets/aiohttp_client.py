"""Code of the raw client guide's "aiohttp transport" section; run by the test suite."""

from __future__ import annotations

import anyio

from agentkit import AsyncAnthropic, DefaultAioHttpClient
from agentkit.testing import TestModel
from agentkit.testing.server import serve_in_background

API_KEY = "sk-ant-..."  # or leave it out: ANTHROPIC_API_KEY is read


async def main(base_url: str) -> None:
    # --8<-- [start:aiohttp]
    async with (
        DefaultAioHttpClient() as http,  # pip install 'agentkit[aiohttp]'
        AsyncAnthropic(api_key=API_KEY, base_url=base_url, http_client=http) as client,
    ):
        message = await client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=256,
            messages=[{"role": "user", "content": "Hello"}],
        )
        print(message.content[0])
    # --8<-- [end:aiohttp]


with serve_in_background(TestModel()) as url:  # the offline server, over loopback
    anyio.run(main, url)  # on asyncio: aiohttp does not run on trio
