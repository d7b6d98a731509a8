"""Code of the "Running many inputs" guide; run by the test suite."""

from __future__ import annotations

import tempfile
from pathlib import Path

import anyio

from agentkit import Agent, AsyncAgent, MapInput, RateLimiter
from agentkit.testing import EchoModel, RateLimits, VirtualClock

MODEL = "claude-sonnet-4-5"
scratch = Path(tempfile.mkdtemp())
agent = Agent(EchoModel(), model=MODEL, max_tokens=256)

# --8<-- [start:map]
prompts = (f"Summarise ticket {n}" for n in range(1000))  # any iterable, read lazily
for result in agent.map(prompts, concurrency=16):
    if result.error is not None:
        print(f"#{result.index} failed: {result.error}")
    else:
        print(result.index, result.result.output if result.result else None)
# --8<-- [end:map]

# --8<-- [start:map_all]
inputs = [MapInput("Is this spam? ...", id="mail-1"), MapInput("And this? ...", id="mail-2")]
results, summary = agent.map_all(inputs, output=scratch / "results.jsonl")
print(summary.succeeded, summary.failed, summary.skipped, summary.usage.total_tokens)
print(sum(r.result.usage for r in results if r.result is not None))  # RunUsage adds up
# --8<-- [end:map_all]

# --8<-- [start:resume]
again, summary = agent.map_all(inputs, output=scratch / "results.jsonl")
assert summary.skipped == 2  # both recorded: nothing runs, nothing is paid for
assert again == []
# --8<-- [end:resume]

# --8<-- [start:limiter]
limiter = RateLimiter(  # or RateLimiter() alone: it learns the limits from the headers
    requests_per_minute=50, input_tokens_per_minute=30_000, output_tokens_per_minute=8_000
)
# client = Anthropic(rate_limiter=limiter)   # every request of this client is paced
results, summary = agent.map_all(["a", "b", "c"], rate_limiter=limiter)
print(f"{summary.rate_limited} requests got 429; waited {summary.rate_limit_wait:.1f}s")
# --8<-- [end:limiter]

# --8<-- [start:count_tokens]
counting = RateLimiter(count_tokens=True)  # each request's input counted by count_tokens first
model = EchoModel()
counted = Agent(model.client(rate_limiter=counting), model=MODEL, max_tokens=100)
counted.run("How long is this prompt?")
print([request.path for request in model.requests])  # count_tokens, then the message
# --8<-- [end:count_tokens]


# --8<-- [start:async]
async def classify_all() -> None:
    async_agent = AsyncAgent(EchoModel(), model=MODEL)
    async with async_agent.map(["one", "two", "three"], ordered=True) as results:
        async for result in results:
            print(result.index, result.ok)
    print(results.summary.finished)


anyio.run(classify_all)
# --8<-- [end:async]

# --8<-- [start:offline_limits]
clock = VirtualClock()  # moves only when someone waits: a minute of traffic in milliseconds
model = EchoModel(
    rate_limits=RateLimits(requests_per_minute=60, output_tokens_per_minute=4_000, clock=clock)
)
paced = Agent(model.client(rate_limiter=RateLimiter(clock=clock)), model=MODEL, max_tokens=100)
_, summary = paced.map_all([f"q{n}" for n in range(100)], concurrency=8)
assert model.rate_limits is not None
print(f"{model.rate_limits.rejected} answered 429; {clock.now():.0f} virtual seconds")
# --8<-- [end:offline_limits]
