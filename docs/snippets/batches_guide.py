"""Code of the "Batches" guide; run by the test suite (offline: the batches are EchoModel's)."""

from __future__ import annotations

from typing import Any

from agentkit import BatchWaitTimeout, UncertainDeliveryError, UsageError
from agentkit.testing import EchoModel, Fault, OfflineBatches, record_sleeps
from agentkit.types import MessageBatchErroredResult, MessageBatchSucceededResult

client = EchoModel().client()
questions = {"q-1": "What is 2 + 2?", "q-2": "Name a prime number.", "q-3": "Say hello."}
requests: list[Any] = [
    {
        "custom_id": custom_id,
        "params": {"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": q}]},
    }
    for custom_id, q in questions.items()
]

# --8<-- [start:create]
batch = client.messages.batches.create(
    requests=[
        {
            "custom_id": custom_id,
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 256,
                "messages": [{"role": "user", "content": question}],
            },
        }
        for custom_id, question in questions.items()
    ]
)
print(batch.id, batch.processing_status, batch.request_counts.processing)
# --8<-- [end:create]

# --8<-- [start:wait]
batch = client.messages.batches.wait(batch.id, poll_interval=30, timeout=24 * 3600)
assert batch.processing_status == "ended"
# --8<-- [end:wait]

# --8<-- [start:results]
answers: dict[str, str] = {}
retry: list[str] = []
for line in client.messages.batches.results(batch.id):
    result = line.result
    if isinstance(result, MessageBatchSucceededResult):
        answers[line.custom_id] = result.message.content[0].to_dict()["text"]
    elif isinstance(result, MessageBatchErroredResult):
        print(line.custom_id, result.error.error.type, result.error.error.message)
        retry.append(line.custom_id)
    else:  # "canceled" or "expired" (not billed): send again if still wanted
        retry.append(line.custom_id)
# --8<-- [end:results]
assert sorted(answers) == sorted(questions)

# --8<-- [start:list]
for listed in client.messages.batches.list(limit=20):  # every page, fetched as needed
    print(listed.id, listed.processing_status)
page = client.messages.batches.list(limit=20)  # or page by page
while page.has_next_page():
    page = page.get_next_page()
# --8<-- [end:list]

# --8<-- [start:manage]
client.messages.batches.cancel(batch.id)  # an ended batch stays as it is
client.messages.batches.delete(batch.id)  # only once it has ended
# --8<-- [end:manage]

# --8<-- [start:checks]
try:
    client.messages.batches.create(requests=[{"custom_id": "has space", "params": {}}])
except UsageError as error:  # raised before anything is sent
    print(error)
# --8<-- [end:checks]

# --8<-- [start:uncertain]
flaky = EchoModel(faults=[Fault(lost=True)]).client()  # the connection drops after sending
try:
    flaky.messages.batches.create(requests=requests)
except UncertainDeliveryError:
    # the batch may exist: look before creating it again
    print([b.id for b in flaky.messages.batches.list(limit=5).data])
# --8<-- [end:uncertain]

# --8<-- [start:models]
for info in client.models.list():
    print(info.id, info.display_name, info.max_input_tokens)
haiku = client.models.retrieve("claude-haiku-4-5")
# --8<-- [end:models]

# --8<-- [start:offline]
clock_seconds = [0.0]
model = EchoModel(
    batches=OfflineBatches(
        processing_time=3600,  # an hour of the clock below
        clock=lambda: clock_seconds[0],
        outcomes={"q-2": "expired", "q-3": "errored"},
    )
)
offline = model.client()
created = offline.messages.batches.create(requests=requests)
assert offline.messages.batches.retrieve(created.id).processing_status == "in_progress"
clock_seconds[0] = 3600
types = {r.custom_id: r.result.type for r in offline.messages.batches.results(created.id)}
assert types == {"q-1": "succeeded", "q-2": "expired", "q-3": "errored"}
# --8<-- [end:offline]

# --8<-- [start:fake_wait]
with record_sleeps() as waits:  # poll pauses are recorded, not slept
    model = EchoModel(batches=OfflineBatches(processing_time=100, clock=lambda: sum(waits.poll)))
    offline = model.client()
    created = offline.messages.batches.create(requests=requests)
    offline.messages.batches.wait(created.id, poll_interval=10, max_poll_interval=30)
assert waits.poll == [10, 15, 22.5, 30, 30]
try:
    with record_sleeps():
        offline.messages.batches.wait(
            offline.messages.batches.create(requests=requests).id, poll_interval=10, timeout=5
        )
except BatchWaitTimeout as timeout:
    print("still", timeout.batch.processing_status)
# --8<-- [end:fake_wait]
