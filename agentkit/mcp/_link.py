"""`Link`: one MCP server's session and the task that owns it.

Every step that enters or leaves the session (connecting, restarting, closing) happens in
`Link.run`, one task on one event loop, so no cancel scope is ever left from another task.
Calls run in any task of that loop (`Link.call`); a call that finds the connection gone asks
`run` for a new one (a bounded number of times) and waits for it.
"""

from __future__ import annotations

import logging
import math
import threading
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

import anyio
import anyio.abc
import anyio.lowlevel
import mcp_types
from mcp.client.subscriptions import ListenNotSupportedError
from mcp.shared.exceptions import MCPError

from .._exceptions import MCPServerError, ToolError, UsageError

if TYPE_CHECKING:
    from mcp import Client
    from mcp.client.session import MessageHandlerFnT

__all__ = ["Link", "Server", "logger"]

logger = logging.getLogger("agentkit.mcp")

_LOST = (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream, OSError)


class Server(Protocol):
    """What a `Link` needs of the server it connects to (`MCPServer`)."""

    label: str
    timeout: float | None
    connect_timeout: float
    max_restarts: int

    def _client(self, on_message: MessageHandlerFnT) -> AbstractAsyncContextManager[Client]: ...

    async def _load_tools(self, client: Client, *, first: bool) -> None: ...


class Link:
    """The connection to one server, owned by the task running `run` (create it in that loop)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.token = anyio.lowlevel.current_token()
        self.thread = threading.get_ident()
        self.client: Client | None = None
        self.closing = False
        self.connecting = True  # the first attempt starts at once
        self.failure = ""
        self.fatal: UsageError | None = None
        self.restarts = 0
        self.attempt = anyio.Event()  # set when the current attempt connected or failed
        self.wanted = anyio.Event()  # a call wants a new connection
        self.stop = anyio.Event()  # end the current connection
        self.stale = anyio.Event()  # the server's tool list changed

    # -- the owner ---------------------------------------------------------------------------

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Connect, serve until the connection ends, reconnect when a call asks; until closed."""
        task_status.started()
        while not self.closing:
            attempt = self.attempt
            self.stop = anyio.Event()
            if not await self._connection(attempt):
                self.connecting = False  # those who asked learn it from `attempt`
            self.client = None
            if self.attempt is attempt:  # (`_lost` may have made the next one already)
                self.attempt = anyio.Event()
            attempt.set()
            if self.closing or self.fatal is not None:
                break
            if not self.connecting:  # wait until a call asks for a new connection
                self.wanted = anyio.Event()
                await self.wanted.wait()
        self.attempt.set()

    async def _connection(self, attempt: anyio.Event) -> bool:
        """One connection, from start to end; whether it connected."""
        server = self.server
        connected = False
        try:
            with anyio.CancelScope(deadline=anyio.current_time() + server.connect_timeout) as scope:
                async with server._client(self._on_message) as client:
                    await server._load_tools(client, first=not self.restarts)
                    async with anyio.create_task_group() as group:
                        # calls start once list changes are heard (or cannot be)
                        await group.start(self._listen, client)
                        scope.deadline = math.inf
                        connected = True
                        self.client, self.connecting, self.failure = client, False, ""
                        attempt.set()
                        group.start_soon(self._refresh, client)
                        await self.stop.wait()  # serve until asked to stop
                        group.cancel_scope.cancel()
            if not connected:
                self.failure = f"it did not start within {server.connect_timeout:g} s"
        except Exception as exc:
            leaf = innermost(exc)
            if isinstance(leaf, UsageError):  # the tools cannot be used as listed
                self.fatal = leaf
            self.failure = str(leaf) if self.fatal else describe(exc)
        if self.failure and not self.closing:
            logger.warning("%s: %s", server.label, self.failure)
        return connected

    async def _listen(
        self, client: Client, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """On 2026-07-28 servers, list changes come through `subscriptions/listen`.

        Started once the server acknowledged the subscription (or it cannot be had), so a
        change made by the first call is not missed.
        """
        started = False
        try:
            async with client.listen(tools_list_changed=True) as subscription:
                task_status.started()
                started = True
                async for _event in subscription:
                    self.stale.set()
        except ListenNotSupportedError:  # older servers send notifications (`_on_message`)
            pass
        except Exception as exc:  # no subscription: the list is read once
            logger.debug("%s: no tools/list_changed subscription: %s", self.server.label, exc)
        if not started:
            task_status.started()

    async def _refresh(self, client: Client) -> None:
        while True:
            await self.stale.wait()
            self.stale = anyio.Event()
            try:
                await self.server._load_tools(client, first=False)
            except Exception as exc:
                logger.warning("%s: could not reload its tools: %s", self.server.label, exc)

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, mcp_types.ToolListChangedNotification):
            self.stale.set()
        elif isinstance(message, Exception):
            logger.debug("%s: transport error: %s", self.server.label, message)
        await anyio.lowlevel.checkpoint()

    def close(self) -> None:
        """End the connection and the owner task (call it on the owner's loop)."""
        self.closing = True
        self.stop.set()
        self.wanted.set()

    async def first(self) -> None:
        """Wait for the first attempt; raise why it failed."""
        await self.attempt.wait()
        if self.client is None:
            if self.fatal is not None:
                raise self.fatal
            raise MCPServerError(f"{self.server.label} could not be started: {self.failure}")

    # -- calls (any task on the owner's loop) ---------------------------------------------------

    async def ensure(self) -> Client:
        """The live session, reconnecting first when it ended (a bounded number of times)."""
        label = self.server.label
        while self.client is None:
            if self.closing:
                raise ToolError(f"{label} is closed.")
            if self.fatal is not None:
                raise ToolError(f"{label} cannot be used: {self.fatal}")
            attempt = self.attempt
            if not self.connecting:
                if self.restarts >= self.server.max_restarts:
                    raise ToolError(
                        f"{label} is down and was restarted {self.restarts} time(s) already; "
                        f"it is not restarted again. The last problem: {self.failure}"
                    )
                self.restarts += 1
                self.connecting = True
                logger.info("%s: restarting (%d)", label, self.restarts)
                self.wanted.set()
            await attempt.wait()
            if self.client is None:
                raise ToolError(f"{label} could not be restarted: {self.failure}")
        return self.client

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Call a tool; the `CallToolResult` as a wire dict, or `ToolError` saying what failed."""
        client = await self.ensure()
        server = self.server
        try:
            with anyio.fail_after(server.timeout):
                result = await client.session.call_tool(name, arguments)
        except TimeoutError:
            raise ToolError(
                f"{server.label}: tool {name!r} gave no answer within {server.timeout:g} s; "
                "its result is unknown."
            ) from None
        except MCPError as exc:
            if exc.code != mcp_types.CONNECTION_CLOSED:
                raise ToolError(
                    f"{server.label} answered the call to {name!r} with a protocol error: "
                    f"{exc.message} (code {exc.code})."
                ) from None
            raise self._lost(client, name, "the connection closed") from None
        except _LOST as exc:
            raise self._lost(client, name, describe(exc)) from None
        dumped: dict[str, Any] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        return dumped

    def _lost(self, client: Client, name: str, what: str) -> ToolError:
        if self.client is client:  # the first call to notice: end this connection
            self.failure = f"{what} during a call to {name!r}"
            self.client = None
            self.attempt = anyio.Event()  # for the next connection
            self.stop.set()
        return ToolError(
            f"{self.server.label} stopped during the call to {name!r} ({what}; it may have "
            "crashed); it is restarted on the next call."
        )


def innermost(exc: BaseException) -> BaseException:
    """The first exception inside (nested) exception groups."""
    while getattr(exc, "exceptions", None):
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    return exc


def describe(exc: BaseException) -> str:
    """One line for an exception, looking inside exception groups."""
    exc = innermost(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
