"""Scripted multi-step automation: several prompts in one conversation, saved and resumed.

Each step continues the conversation (`messages=previous.messages`); the history is saved to a
JSON file after every step, so a later process can pick up exactly where this one stopped.

    python examples/multi_step_automation.py [--live] [--history FILE]
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from _common import MODEL, client_for, parse_args

from agentkit import Agent, RunResult, tool
from agentkit.testing import FunctionModel, ModelRequest, ReplyLike

TICKETS = {"T-1": "Login fails on Safari", "T-2": "Invoice PDF is blank", "T-3": "Typo on pricing"}
STEPS = [
    "List the open support tickets.",
    "Which of them is most urgent, and why?",
    "Draft a two-sentence reply to the customer of the most urgent ticket.",
]


@tool
def list_tickets() -> dict[str, str]:
    """The open support tickets, by id."""
    return TICKETS


@tool
def get_ticket(ticket_id: str) -> str:
    """One ticket's description.

    Args:
        ticket_id: The ticket's id, e.g. "T-1".
    """
    return TICKETS.get(ticket_id, f"no ticket {ticket_id}")


def offline_claude(request: ModelRequest) -> ReplyLike:
    """Plays Claude offline: looks the tickets up, then answers each step."""
    if request.tool_results:
        return "Open: T-1 (login fails on Safari), T-2 (blank invoice PDF), T-3 (pricing typo)."
    prompt = request.last_user_text
    if prompt.startswith("List"):
        return [{"type": "tool_use", "name": "list_tickets", "input": {}}]
    if prompt.startswith("Which"):
        return "T-1: nobody on Safari can log in, which blocks everything else they do."
    return (
        "Thanks for reporting the Safari login problem; we found the cause. "
        "A fix ships today, and we will confirm once it is live."
    )


def run_steps(agent: Agent, steps: list[str], history_file: Path, first: int = 1) -> RunResult:
    """Run each step in the same conversation, saving the history after each one."""
    messages = json.loads(history_file.read_text()) if history_file.exists() else []
    result = None
    for number, prompt in enumerate(steps, start=first):
        result = agent.run(prompt, messages=messages)
        messages = result.messages
        history_file.write_text(json.dumps(messages, indent=2))
        print(f"step {number}: {prompt}\n  -> {result.text}\n")
    assert result is not None
    return result


def main(argv: list[str] | None = None) -> None:
    """Run the first two steps, then resume from the saved file for the last one."""
    args = parse_args(
        __doc__ or "", argv, history={"type": Path, "default": None, "help": "history file"}
    )
    offline = FunctionModel(offline_claude)
    agent = Agent(client_for(args, offline), model=MODEL, tools=[list_tickets, get_ticket])
    with tempfile.TemporaryDirectory() as tmp:
        history = args.history or Path(tmp) / "history.json"
        run_steps(agent, STEPS[:2], history)
        print(f"(saved {len(json.loads(history.read_text()))} messages to {history}; resuming)\n")
        resumed_agent = Agent(agent.client, model=MODEL, tools=[list_tickets, get_ticket])
        final = run_steps(resumed_agent, STEPS[2:], history, first=3)
    print(f"done: {len(final.messages)} messages in the conversation")


if __name__ == "__main__":
    main()
