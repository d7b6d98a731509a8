"""Testing an agent offline: TestModel, FunctionModel, ScriptedModel, faults and a cassette.

Each `test_*` function is a pytest test you could copy into your own suite; run this file to
run them all (offline). With `--live`, the cassette test records a real exchange first (needs
`ANTHROPIC_API_KEY`); afterwards it replays offline.

    python examples/testing_agents.py            # offline
    python -m pytest examples/testing_agents.py  # the same, as pytest tests
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from agentkit import Agent, tool
from agentkit.testing import (
    Fault,
    FunctionModel,
    ModelRequest,
    ReplyLike,
    ScriptedModel,
    TestModel,
    cassette,
)

MODEL = "claude-sonnet-4-5"


@tool
def lookup_order(order_id: str) -> dict[str, str]:
    """Look up an order's status.

    Args:
        order_id: The order number, e.g. "A-1001".
    """
    return {"order_id": order_id, "status": "shipped"}


# --8<-- [start:testmodel]
def test_every_tool_is_called_with_valid_input() -> None:
    """TestModel calls each tool with schema-valid input, then summarises."""
    model = TestModel()  # calls each tool once, with input generated from its schema
    agent = Agent(model.client(), model=MODEL, tools=[lookup_order])

    result = agent.run("Where is my order?")

    assert result.stop_reason == "end_turn"
    assert [call.name for call in result.tool_calls] == ["lookup_order"]
    assert not result.tool_calls[0].is_error
    assert "shipped" in result.text  # TestModel summarises the tool results


# --8<-- [end:testmodel]


# --8<-- [start:functionmodel]
def test_the_agent_passes_the_order_number_through() -> None:
    """FunctionModel plays the conversation the test needs."""

    def fake_claude(request: ModelRequest) -> ReplyLike:
        if request.tool_results:  # second turn: the tool answered
            return "Your order has shipped."
        return [{"type": "tool_use", "name": "lookup_order", "input": {"order_id": "A-1001"}}]

    model = FunctionModel(fake_claude)
    result = Agent(model.client(), model=MODEL, tools=[lookup_order]).run("Order A-1001?")

    assert result.text == "Your order has shipped."
    assert result.tool_calls[0].input == {"order_id": "A-1001"}
    # every request the agent sent was checked like the API would (tool results paired...)
    assert len(model.requests) == 2


# --8<-- [end:functionmodel]


# --8<-- [start:faults]
def test_the_agent_survives_an_overloaded_api() -> None:
    """A 529 on the first request is retried by the client."""
    model = ScriptedModel(
        ["All good."],
        faults=[Fault.error_status(529, retry_after=0.01)],  # the first request gets a 529
    )
    result = Agent(model.client(), model=MODEL).run("Hi")

    assert result.text == "All good."
    assert len(model.requests) == 2  # retried once, transparently


# --8<-- [end:faults]


# --8<-- [start:cassette]
def test_with_a_cassette(tmp_path: Path) -> None:
    """Record once, replay forever after."""
    check_cassette(tmp_path, live=False)


def check_cassette(tmp_path: Path, *, live: bool) -> None:
    """Replay `order.json`, recording it first (for real with `live`)."""
    path = tmp_path / "order.json"
    if not live:  # offline: record once against a stand-in, so there is something to replay
        stand_in = FunctionModel(lambda request: "Recorded answer.")
        with cassette(path, "record", transport=stand_in.transport()) as recorder:
            Agent(recorder.client(), model=MODEL).run("Hello")
    with cassette(path, "auto") as tape:  # replays when the file exists, records otherwise
        result = Agent(tape.client(), model=MODEL).run("Hello")
    assert result.text


# --8<-- [end:cassette]


def main(argv: list[str] | None = None) -> None:
    """Run every test in this file, offline unless --live."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="record the cassette for real")
    args = parser.parse_args(argv)
    print("[live: the cassette test records against Claude]" if args.live else "[offline]")
    test_every_tool_is_called_with_valid_input()
    test_the_agent_passes_the_order_number_through()
    test_the_agent_survives_an_overloaded_api()
    with tempfile.TemporaryDirectory() as tmp:
        check_cassette(Path(tmp), live=args.live)
    print("all agent tests passed")


if __name__ == "__main__":
    main()
