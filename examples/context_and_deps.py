"""Tools with dependencies: a `ToolContext[Deps]` parameter receives your objects.

The context parameter is invisible to the model (it is not in the schema); it carries the
`deps` you give the agent (a database handle here), plus the call id, the conversation so far
and the usage so far.

    python examples/context_and_deps.py [--live]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from _common import MODEL, client_for, parse_args

from agentkit import Agent, ToolContext, tool
from agentkit.testing import TestModel


@dataclass
class Database:
    """A stand-in for a real database connection."""

    customers: dict[str, str] = field(default_factory=lambda: {"c-7": "Ada Lovelace"})
    queries: list[str] = field(default_factory=list)

    def customer_name(self, customer_id: str) -> str | None:
        """The customer's name, or None (and count the query)."""
        self.queries.append(customer_id)
        return self.customers.get(customer_id)


@dataclass
class Deps:
    """What the tools need, handed over per run."""

    db: Database
    tenant: str


@tool
def find_customer(customer_id: str, context: ToolContext[Deps]) -> str:
    """Look a customer up by id.

    Args:
        customer_id: The customer's id, e.g. "c-7".
        context: Filled in by agentkit (never by the model): the run's deps and more.
    """
    name = context.deps.db.customer_name(customer_id)
    if name is None:
        return f"No customer {customer_id} in tenant {context.deps.tenant}."
    return f"{name} (tenant {context.deps.tenant}, call {context.tool_use_id})"


def main(argv: list[str] | None = None) -> None:
    """Run with one database, then with another for a second run (deps per run)."""
    args = parse_args(__doc__ or "", argv)
    offline = TestModel(tool_inputs={"find_customer": {"customer_id": "c-7"}})
    db = Database()
    agent = Agent(
        client_for(args, offline),
        model=MODEL,
        tools=[find_customer],
        deps=Deps(db, tenant="acme"),
    )
    print("schema the model sees:", find_customer.input_schema["properties"])
    print(agent.run("Who is customer c-7?").text)
    other = Database(customers={})
    print(agent.run("Who is customer c-7?", deps=Deps(other, tenant="globex")).text)
    print(f"queries: acme={db.queries} globex={other.queries}")


if __name__ == "__main__":
    main()
