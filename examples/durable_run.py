"""Durable runs: a run killed midway, then resumed from its journal.

A child process runs an agent that looks an order up, charges the card and emails a receipt,
journaling every step in a SQLite file; the process is killed (SIGKILL) while the charge is
running. Running the same `run_id` again resumes the run: the responses already received are
not requested again, the finished lookup is not run again, and the interrupted charge is not
repeated: the model is told it may or may not have gone through. (The receipt tool is marked
`idempotent`: had it been interrupted, it would simply run again.)

    python examples/durable_run.py [--live]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import MODEL, client_for, parse_args

from agentkit import Agent, Anthropic, Journal, ToolContext, tool
from agentkit.testing import FunctionModel, ModelRequest, ReplyLike

RUN_ID = "order-A17"
PROMPT = "Order A-17 is ready: charge the customer and email the receipt."


def tools(folder: Path) -> list[object]:
    """The agent's tools; their side effects are lines in files in `folder`."""

    @tool
    def lookup_order(order_id: str) -> dict[str, object]:
        """An order's customer and amount due.

        Args:
            order_id: The order, e.g. "A-17".
        """
        return {"order_id": order_id, "customer": "ada@example.com", "amount": 42.5}

    @tool
    def charge_card(ctx: ToolContext[None], order_id: str, amount: float) -> str:
        """Charge the customer's card (never safe to repeat).

        Args:
            ctx: The run's context: `ctx.call_id` is the idempotency key for the provider.
            order_id: The order.
            amount: The amount in EUR.
        """
        with (folder / "ledger.txt").open("a") as ledger:  # the payment provider's side
            ledger.write(f"{order_id} {amount} key={ctx.call_id}\n")
        if os.environ.get("DURABLE_RUN_DIE") == "1":
            os.kill(os.getpid(), signal.SIGKILL)  # the machine dies before the result is saved
        return f"charged {amount} EUR"

    @tool(idempotent=True)
    def send_receipt(order_id: str) -> str:
        """Email the receipt (sending it twice does no harm).

        Args:
            order_id: The order.
        """
        with (folder / "outbox.txt").open("a") as outbox:
            outbox.write(f"receipt for {order_id}\n")
        return "receipt sent"

    return [lookup_order, charge_card, send_receipt]


def offline_claude(request: ModelRequest) -> ReplyLike:
    """Plays Claude offline: look up, charge, email, then report."""
    results = request.tool_results
    if not results:
        return [{"type": "tool_use", "name": "lookup_order", "input": {"order_id": "A-17"}}]
    last = results[-1]
    text = str(last.get("content", ""))
    if "ada@example.com" in text:
        charge = {"order_id": "A-17", "amount": 42.5}
        return [{"type": "tool_use", "name": "charge_card", "input": charge}]
    if "receipt sent" in text:
        return "Receipt sent. The charge of 42.50 EUR was interrupted: check the ledger first."
    return [{"type": "tool_use", "name": "send_receipt", "input": {"order_id": "A-17"}}]


def make_agent(client: Anthropic, folder: Path, journal: Journal) -> Agent:
    """The agent, journaling its runs in `journal`."""
    return Agent(client, model=MODEL, tools=tools(folder), journal=journal)


def child(args: argparse.Namespace, folder: Path) -> None:
    """The first attempt, in a process that dies during the charge."""
    with Journal(folder / "runs.db") as journal:
        client = client_for(args, FunctionModel(offline_claude))
        make_agent(client, folder, journal).run(PROMPT, run_id=RUN_ID)


def main(argv: list[str] | None = None) -> None:
    """Run in a child that dies, then resume here."""
    args = parse_args(__doc__ or "", argv, child={"help": argparse.SUPPRESS})
    if args.child:
        child(args, Path(args.child))
        return
    offline = FunctionModel(offline_claude)
    client = client_for(args, offline)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        command = [sys.executable, __file__, "--child", tmp] + (["--live"] if args.live else [])
        died = subprocess.run(
            command, env={**os.environ, "DURABLE_RUN_DIE": "1"}, stdout=subprocess.DEVNULL
        )
        print(f"1. first attempt: the process died (exit {died.returncode})")
        with Journal(folder / "runs.db") as journal:
            (info,) = journal.runs()
            full = journal.get(RUN_ID)
            steps = [] if full is None else [f"{s.kind} {s.key}" for s in full.steps]
            print(f"2. journal: run {info.run_id!r} is {info.status}; steps: {', '.join(steps)}")
            agent = make_agent(client, folder, journal)
            result = agent.run(run_id=RUN_ID)  # the same run_id: resume (the prompt is recorded)
            print(f"3. resumed: {result.text}")
            if not args.live:
                made = len(offline.requests)
                print(f"   model requests: {result.usage.requests} in the run, {made} made now")
            charges = (folder / "ledger.txt").read_text().splitlines()
            print(f"4. card charged {len(charges)} time(s): {charges}")
            print(f"5. receipts sent: {len((folder / 'outbox.txt').read_text().splitlines())}")
            again = agent.run(run_id=RUN_ID)  # finished: the recorded result, no request
            print(f"6. run again: {again.stop_reason}, same result: {again.text == result.text}")


if __name__ == "__main__":
    main()
