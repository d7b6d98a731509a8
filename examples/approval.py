"""A tool that needs a human's yes: `requires_approval=True` and an approval callback.

Interactive runs ask at the terminal; otherwise `--approve` / `--deny` decide (the default is
to deny, the safe answer). A denied call does not run: the model is told it was refused.

    python examples/approval.py [--live] [--approve | --deny]
"""

from __future__ import annotations

import sys

from _common import MODEL, client_for, parse_args

from agentkit import Agent, Hooks, ToolCall, tool
from agentkit.testing import TestModel

DELETED: list[str] = []


@tool(requires_approval=True)
def delete_branch(name: str) -> str:
    """Delete a git branch on the shared server.

    Args:
        name: The branch to delete.
    """
    DELETED.append(name)
    return f"deleted branch {name}"


@tool
def list_branches() -> list[str]:
    """The branches on the shared server."""
    return ["main", "feature/login", "old-experiment"]


def make_approver(decision: bool | None) -> Hooks:
    """Ask at the terminal when interactive and undecided; else use the flag."""

    def approve(call: ToolCall) -> bool:
        if decision is not None or not sys.stdin.isatty():
            verdict = bool(decision)
            print(f"? {call.name}({call.input}) -> {'approved' if verdict else 'denied'}")
            return verdict
        answer = input(f"Allow {call.name}({call.input})? [y/N] ")
        return answer.strip().lower() in ("y", "yes")

    return Hooks(approve=approve)


def main(argv: list[str] | None = None) -> None:
    """Ask the agent to clean up; the deletion waits for approval."""
    args = parse_args(
        __doc__ or "",
        argv,
        approve={"action": "store_const", "const": True, "dest": "decision"},
        deny={"action": "store_const", "const": False, "dest": "decision"},
    )
    offline = TestModel(tool_inputs={"delete_branch": {"name": "old-experiment"}})
    agent = Agent(
        client_for(args, offline),
        model=MODEL,
        tools=[list_branches, delete_branch],
        hooks=make_approver(args.decision),
    )
    result = agent.run("Delete the branch called old-experiment.")
    for call in result.tool_calls:
        print(f"  {call.name}: {'refused' if call.is_error else 'ran'} -> {call.result}")
    print(result.text)
    print(f"branches actually deleted: {DELETED or 'none'}")


if __name__ == "__main__":
    main()
