"""The journal: resumed runs reuse recorded responses and tool results; the file is guarded."""

from __future__ import annotations

import functools
import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from pydantic import BaseModel

from agentkit import (
    Agent,
    AsyncAgent,
    BadRequestError,
    Hooks,
    Journal,
    JournalError,
    RunLockedError,
    RunResult,
    ToolContext,
    UsageError,
    deny,
    tool,
)
from agentkit.agent import RunFinished
from agentkit.testing import ErrorReply, ScriptedModel, TestModel

pytestmark = pytest.mark.kinds("sync", "asyncio", "trio")

MODEL = "claude-sonnet-4-5"


class Crash(BaseException):
    """Stands for the process dying at this point."""


def run(
    kind: str, make: Callable[..., Any], prompt: Any = None, *, stream: bool = False, **kw: Any
) -> RunResult[Any]:
    """Run an agent (made by `make(agent_class)`) the `kind` way."""
    if kind == "sync":
        agent = make(Agent)
        if stream:
            events = list(agent.stream(prompt, **kw))
            assert isinstance(events[-1], RunFinished)
            return events[-1].result
        return agent.run(prompt, **kw)  # type: ignore[no-any-return]

    async def main() -> RunResult[Any]:
        agent = make(AsyncAgent)
        if stream:
            events = [event async for event in agent.stream(prompt, **kw)]
            assert isinstance(events[-1], RunFinished)
            return events[-1].result
        return await agent.run(prompt, **kw)  # type: ignore[no-any-return]

    return anyio.run(main, backend="trio" if kind == "trio" else "asyncio")


def crashes(kind: str, make: Callable[..., Any], prompt: Any = None, **kw: Any) -> None:
    """Run, expecting the run to 'die' (a `Crash`, maybe in an exception group)."""
    try:
        run(kind, make, prompt, **kw)
    except BaseException as exc:
        error: Any = exc
    else:
        pytest.fail("the run did not crash")
    while hasattr(error, "exceptions"):
        error = error.exceptions[0]
    assert isinstance(error, Crash)


def tool_use(name: str, call_id: str, **tool_input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": tool_input}


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "runs.db") as journal:
        yield journal


# -- resuming ---------------------------------------------------------------------------------


def test_a_response_received_is_not_requested_again(kind: str, journal: Journal) -> None:
    model = ScriptedModel([[tool_use("add", "toolu_1", a=2, b=3)], "5"])
    seen: list[str] = []

    def on_turn(message: Any) -> None:
        seen.append(message.id)
        if len(seen) == 1:
            raise Crash  # dies right after the first response is recorded

    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    def make(cls: Any) -> Any:
        return cls(model, model=MODEL, tools=[add], journal=journal, hooks=Hooks(on_turn=on_turn))

    crashes(kind, make, "What is 2 + 3?", run_id="r")
    assert len(model.requests) == 1
    assert [r.status for r in journal.runs()] == ["interrupted"]
    result = run(kind, make, "What is 2 + 3?", run_id="r")
    assert result.text == "5"
    assert len(model.requests) == 2  # only the second step was requested
    assert result.usage.requests == 2
    assert [c.result for c in result.tool_calls] == ["5"]
    assert journal.runs()[0].status == "finished"


def test_a_finished_tool_is_not_run_again(kind: str, journal: Journal) -> None:
    model = ScriptedModel([[tool_use("charge", "toolu_1", amount=5)], "charged"])
    charged: list[int] = []
    crashed: list[bool] = []

    @tool
    def charge(amount: int) -> str:
        """Charge."""
        charged.append(amount)
        return f"charged {amount}"

    def after(call: Any, result: Any) -> None:
        if not crashed:
            crashed.append(True)
            raise Crash

    def make(cls: Any) -> Any:
        hooks = Hooks(after_tool_call=after)
        return cls(model, model=MODEL, tools=[charge], journal=journal, hooks=hooks)

    crashes(kind, make, "charge 5", run_id="r")
    result = run(kind, make, "charge 5", run_id="r")
    assert charged == [5]
    assert result.tool_calls[0].result == "charged 5"
    assert len(model.requests) == 2


def test_an_interrupted_call_is_not_run_again_and_the_model_is_told(
    kind: str, journal: Journal
) -> None:
    seen: list[Any] = []

    def second(request: Any) -> str:
        seen.append(request.messages[-1]["content"][0])
        return "noted"

    model = ScriptedModel([[tool_use("charge", "toolu_1", amount=5)], second])
    charged: list[int] = []

    @tool
    def charge(amount: int) -> str:
        """Charge."""
        charged.append(amount)
        if len(charged) == 1:
            raise Crash  # dies after the side effect, before the result is recorded
        return "charged"

    def make(cls: Any) -> Any:
        return cls(model, model=MODEL, tools=[charge], journal=journal)

    crashes(kind, make, "charge 5", run_id="r")
    result = run(kind, make, run_id="r")  # no prompt: the recorded one
    assert charged == [5]
    (answer,) = seen
    assert answer["is_error"] is True
    assert "interrupted" in answer["content"]
    assert "may or may not have taken effect" in answer["content"]
    assert result.tool_calls[0].is_error


def test_an_interrupted_idempotent_call_runs_again(kind: str, journal: Journal) -> None:
    model = ScriptedModel([[tool_use("lookup", "toolu_1", key="k")], "found"])
    ids: list[str] = []

    @tool(idempotent=True)
    def lookup(ctx: ToolContext[None], key: str) -> str:
        """Look up."""
        ids.append(ctx.call_id)
        if len(ids) == 1:
            raise Crash
        return "v"

    def make(cls: Any) -> Any:
        return cls(model, model=MODEL, tools=[lookup], journal=journal)

    crashes(kind, make, "look up k", run_id="r")
    result = run(kind, make, "look up k", run_id="r")
    assert ids == ["toolu_1", "toolu_1"]  # the same id on both runs: an idempotency key
    assert result.tool_calls[0].result == "v"
    assert not result.tool_calls[0].is_error


@pytest.mark.parametrize(("decision", "expected"), [(True, "ok"), ("check the ledger", None)])
def test_a_hook_decides_about_an_interrupted_call(
    kind: str, journal: Journal, decision: Any, expected: str | None
) -> None:
    model = ScriptedModel([[tool_use("charge", "toolu_1")], "done"])
    runs: list[int] = []
    asked: list[str] = []

    @tool
    def charge() -> str:
        """Charge."""
        runs.append(1)
        if len(runs) == 1:
            raise Crash
        return "ok"

    async def on_interrupted(call: Any) -> Any:
        asked.append(call.id)
        return decision

    def make(cls: Any) -> Any:
        hooks = Hooks(on_interrupted=on_interrupted)
        return cls(model, model=MODEL, tools=[charge], journal=journal, hooks=hooks)

    crashes(kind, make, "charge", run_id="r")
    result = run(kind, make, "charge", run_id="r")
    assert asked == ["toolu_1"]
    record = result.tool_calls[0]
    if expected is None:
        assert (record.result, record.is_error) == (decision, True)
        assert len(runs) == 1
    else:
        assert (record.result, record.is_error) == (expected, False)
        assert len(runs) == 2


def test_a_finished_run_returns_its_result_without_a_request(kind: str, journal: Journal) -> None:
    class Invoice(BaseModel):
        number: str
        total: float

    model = TestModel()

    def make(cls: Any) -> Any:
        return cls(model, model=MODEL, output_type=Invoice, journal=journal)

    first = run(kind, make, "the invoice", run_id="invoice-42")
    requests = len(model.requests)
    again = run(kind, make, "the invoice", run_id="invoice-42", stream=True)
    assert len(model.requests) == requests
    assert isinstance(again.output, Invoice)
    assert again.output == first.output
    assert again.to_dict() == first.to_dict()
    info = journal.get("invoice-42")
    assert info is not None
    assert info.status == "finished"
    assert info.result == first.to_dict()


def test_a_streamed_run_resumes_too(kind: str, journal: Journal) -> None:
    model = ScriptedModel(["part one", "part two"])
    turns: list[int] = []

    def on_turn(message: Any) -> None:
        turns.append(1)
        if len(turns) == 1:
            raise Crash

    def make(cls: Any) -> Any:
        return cls(
            model,
            model=MODEL,
            journal=journal,
            hooks=Hooks(on_turn=on_turn),
            max_turns=1,
        )

    crashes(kind, make, "go", run_id="s", stream=True)
    result = run(kind, make, "go", run_id="s", stream=True)
    assert result.text == "part one"
    assert len(model.requests) == 1


def test_a_resumed_run_must_send_the_same_requests(kind: str, journal: Journal) -> None:
    model = ScriptedModel([[tool_use("noop", "toolu_1")], "done"])

    @tool
    def noop() -> str:
        """Nothing."""
        raise Crash

    def make(cls: Any) -> Any:
        return cls(model, model=MODEL, tools=[noop], journal=journal)

    crashes(kind, make, "first prompt", run_id="r")
    with pytest.raises(JournalError, match="model step 0 differs"):
        run(kind, make, "another prompt", run_id="r")
    assert journal.runs()[0].status == "failed"


def test_an_api_error_marks_the_run_failed_and_running_it_again_resumes_it(
    kind: str, journal: Journal
) -> None:
    model = ScriptedModel([[tool_use("add", "toolu_1", a=1, b=2)], ErrorReply(400), "3"])
    added: list[int] = []

    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        added.append(a + b)
        return a + b

    def make(cls: Any) -> Any:
        return cls(model, model=MODEL, tools=[add], journal=journal)

    with pytest.raises(BadRequestError):
        run(kind, make, "1 + 2", run_id="r")
    (info,) = journal.runs()
    assert info.status == "failed"
    assert info.error is not None
    assert info.error.startswith("BadRequestError")
    result = run(kind, make, "1 + 2", run_id="r")
    assert result.text == "3"
    assert added == [3]
    assert len(model.requests) == 3


def test_run_id_needs_a_journal(kind: str) -> None:
    def make(cls: Any) -> Any:
        return cls(TestModel(), model=MODEL)

    with pytest.raises(UsageError, match="journal"):
        run(kind, make, "hi", run_id="x")


def test_a_run_without_an_id_is_journaled_under_a_new_one(kind: str, journal: Journal) -> None:
    def make(cls: Any) -> Any:
        return cls(TestModel(), model=MODEL, journal=journal)

    run(kind, make, "hi")
    (info,) = journal.runs()
    assert info.run_id.startswith("run-")
    assert info.status == "finished"


# -- two processes, one run ---------------------------------------------------------------------


@pytest.mark.kinds("sync")
def test_a_run_held_by_a_live_process_is_refused(kind: str, journal: Journal) -> None:
    refused: list[BaseException] = []
    model = ScriptedModel([[tool_use("again", "toolu_1")], "done"])

    @tool
    def again() -> str:
        """Try to run the same run from inside itself (as a second process would)."""
        try:
            Agent(TestModel(), model=MODEL, journal=Journal(journal.path)).run("x", run_id="r")
        except RunLockedError as exc:
            refused.append(exc)
        return "tried"

    Agent(model, model=MODEL, tools=[again], journal=journal).run("x", run_id="r")
    (error,) = refused
    assert isinstance(error, RunLockedError)
    assert error.run_id == "r"
    assert "another process" in str(error)


@pytest.mark.kinds("sync")
def test_the_lease_of_a_dead_process_is_free_at_once(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    code = (
        "import os, sys; from agentkit import Journal; "
        "Journal(sys.argv[1]).open_run('r'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
    with Journal(path) as journal:
        assert journal.runs()[0].status == "interrupted"
        journal.open_run("r").release()


@pytest.mark.kinds("sync")
def test_an_expired_lease_can_be_taken_over(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with Journal(path, lease_seconds=1e-9) as first, Journal(path) as second:
        held = first.open_run("r")
        taken = second.open_run("r")  # the first holder's lease has expired
        with pytest.raises(RunLockedError, match="lost its lease"):
            held.record("request", "0", {"digest": "x"})
        taken.release()
        second.open_run("r").release()


# -- the file --------------------------------------------------------------------------------


@pytest.mark.kinds("sync")
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my precious notes\n" * 100)
    with pytest.raises(JournalError, match="not a SQLite database"):
        Journal(path)
    assert path.read_bytes() == b"my precious notes\n" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.kinds("sync")
def test_a_foreign_database_is_refused_and_left_alone(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (name TEXT)")
    db.execute("INSERT INTO users VALUES ('ada')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(JournalError, match="not an agentkit journal .its tables: users"):
        Journal(path)
    assert path.read_bytes() == before


@pytest.mark.kinds("sync")
def test_a_damaged_file_is_refused(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = path.read_bytes()
    with pytest.raises(JournalError, match="damaged"):
        Journal(path)
    assert path.read_bytes() == before


@pytest.mark.kinds("sync")
def test_a_journal_from_a_newer_agentkit_is_refused(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    Journal(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE agentkit_journal SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="newer agentkit"):
        Journal(path)


@pytest.mark.kinds("sync")
def test_the_journal_is_in_wal_mode(kind: str, journal: Journal) -> None:
    db = sqlite3.connect(journal.path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


@pytest.mark.kinds("sync")
def test_bad_settings_are_refused(kind: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="synchronous"):
        Journal(tmp_path / "a.db", synchronous="sometimes")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="lease_seconds"):
        Journal(tmp_path / "a.db", lease_seconds=0)
    with Journal(tmp_path / "a.db") as journal, pytest.raises(UsageError, match="run_id"):
        journal.open_run("")


# -- listing, reading, pruning ---------------------------------------------------------------


@pytest.mark.kinds("sync")
def test_runs_get_and_prune(kind: str, journal: Journal) -> None:
    agent = Agent(TestModel(), model=MODEL, journal=journal)
    agent.run("one", run_id="a")
    agent.run("two", run_id="b")
    journal.open_run("c").release()  # started, never finished
    assert [(r.run_id, r.status) for r in journal.runs()] == [
        ("a", "finished"),
        ("b", "finished"),
        ("c", "interrupted"),
    ]
    assert [r.run_id for r in journal.runs("interrupted")] == ["c"]
    info = journal.get("a")
    assert info is not None
    assert [(s.kind, s.key) for s in info.steps] == [("request", "0"), ("response", "0")]
    assert info.steps[0].data["messages"] == [{"role": "user", "content": "one"}]
    assert journal.get("nope") is None
    assert journal.prune(older_than=3600) == 0
    assert journal.prune() == 2
    assert [r.run_id for r in journal.runs()] == ["c"]
    assert journal.prune(statuses=("interrupted",)) == 1
    assert "runs.db" in repr(journal)


def test_decision_hooks_are_not_asked_again_about_answered_calls(
    kind: str, journal: Journal
) -> None:
    model = ScriptedModel(
        [[tool_use("wire", "toolu_1", amount=10), tool_use("wire", "toolu_2", amount=99)], "done"]
    )
    asked: list[str] = []
    wired: list[int] = []
    crashed: list[bool] = []

    @tool(requires_approval=True)
    def wire(amount: int) -> str:
        """Wire money."""
        wired.append(amount)
        return "wired"

    def before(call: Any) -> Any:
        asked.append(f"before {call.id}")
        return deny("too much") if call.input["amount"] > 50 else None

    def approve(call: Any) -> bool:
        asked.append(f"approve {call.id}")
        return True

    def on_turn(message: Any) -> None:
        if message.stop_reason == "end_turn" and not crashed:
            crashed.append(True)
            raise Crash

    def make(cls: Any) -> Any:
        hooks = Hooks(before_tool_call=before, approve=approve, on_turn=on_turn)
        return cls(model, model=MODEL, tools=[wire], journal=journal, hooks=hooks)

    crashes(kind, make, "wire", run_id="r")
    result = run(kind, make, "wire", run_id="r")
    assert asked == ["before toolu_1", "before toolu_2", "approve toolu_1"]
    assert wired == [10]
    assert [(c.result, c.is_error) for c in result.tool_calls] == [
        ("wired", False),
        ("The tool call was denied and did not run: too much", True),
    ]


@pytest.mark.kinds("sync")
def test_a_run_that_loses_its_lease_stops(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    model = ScriptedModel([[tool_use("slow", "toolu_1")], "done"])
    ran: list[int] = []

    @tool
    def slow() -> str:
        """Meanwhile, another process takes the run over (the lease has expired)."""
        ran.append(1)
        Journal(path).open_run("r")
        return "done"

    journal = Journal(path, lease_seconds=1e-9)
    agent = Agent(model, model=MODEL, tools=[slow], journal=journal)
    with pytest.raises(RunLockedError, match="lost its lease"):
        agent.run("go", run_id="r")
    assert ran == [1]


@pytest.mark.kinds("sync")
def test_a_recorded_output_that_no_longer_validates_is_an_error(
    kind: str, journal: Journal
) -> None:
    class Total(BaseModel):
        amount: float

    agent = Agent(TestModel(), model=MODEL, output_type=Total, journal=journal)
    agent.run("total?", run_id="r")
    db = sqlite3.connect(journal.path)
    db.execute("""UPDATE runs SET result = json_set(result, '$.output', 'oops')""")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="no longer validates as .*Total"):
        agent.run("total?", run_id="r")


@pytest.mark.kinds("sync")
def test_a_response_keeps_its_tool_input_errors(kind: str) -> None:
    from agentkit.agent._journaled import message_from_record, message_record
    from agentkit.types import Message

    message = Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [tool_use("add", "toolu_1")],
            "stop_reason": "max_tokens",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    block: Any = message.content[0]
    block._input_error = "the tool call was cut off"
    block._raw_input_json = '{"a": '
    record = message_record(message)
    again: Any = message_from_record(json.loads(json.dumps(record)))
    assert again == message
    assert again.content[0].input_error == "the tool call was cut off"
    assert again.content[0].raw_input_json == '{"a": '


def test_runs_at_once_share_a_journal(kind: str, journal: Journal) -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    ids = [f"run-{i}" for i in range(6)]
    if kind == "sync":
        agent = Agent(TestModel(), model=MODEL, tools=[add], journal=journal)
        threads = [
            threading.Thread(target=agent.run, args=(f"task {i}",), kwargs={"run_id": i})
            for i in ids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:

        async def main() -> None:
            agent = AsyncAgent(TestModel(), model=MODEL, tools=[add], journal=journal)
            async with anyio.create_task_group() as group:
                for i in ids:
                    group.start_soon(functools.partial(agent.run, f"task {i}", run_id=i))

        anyio.run(main, backend="trio" if kind == "trio" else "asyncio")
    assert sorted((r.run_id, r.status) for r in journal.runs()) == [(i, "finished") for i in ids]
    for i in ids:
        info = journal.get(i)
        assert info is not None
        assert [s.kind for s in info.steps] == [
            "request",
            "response",
            "tool_started",
            "tool_finished",
            "request",
            "response",
        ]
