"""MCP servers as tool sources: `MCPServer`, `MCPServerStdio`, `MCPServerHTTP`.

A server's session is owned by one task (`Link.run`, see `_link.py`):
- `async with server:` runs that task in the caller's event loop (asyncio or trio);
- `with server:`, or a first use by a `Toolbox` or an agent, runs it on a background thread
  with its own event loop (an anyio blocking portal), closed by `close()` / the block's end.
Calls from any other thread or event loop hop to the owner's loop and back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, asynccontextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp import Client, StdioServerParameters, stdio_client
from mcp.client.session import MessageHandlerFnT
from mcp.client.streamable_http import streamable_http_client
from typing_extensions import Self

from .._exceptions import MCPServerError, ToolError, UsageError
from ..tools._tool import NAME_PATTERN, Tool
from ._convert import tool_content
from ._link import Link, logger

if TYPE_CHECKING:
    import concurrent.futures

__all__ = ["MCPServer", "MCPServerError", "MCPServerHTTP", "MCPServerStdio"]

_JOIN_SECONDS = 5.0


class MCPServer:
    """The tools of an MCP server, as agentkit tools: a tool source for `Toolbox` and agents.

    Use `MCPServerStdio` or `MCPServerHTTP`; this base class takes anything the `mcp`
    package's `Client` connects to (a URL, `StdioServerParameters`, a transport, or an
    in-process `mcp` server object, handy in tests).

    Args:
        target: What to connect to (see above).
        name: How errors and logs name the server (default: from the target).
        prefix: Tool names become `prefix_name` (to avoid clashes).
        include: Only these tools (by the server's names).
        exclude: Leave these tools out (by the server's names).
        timeout: Seconds a call may take before the model is told it timed out (None: no limit).
        connect_timeout: Seconds to start the server and list its tools.
        max_restarts: How often a server that stopped is restarted before calls fail fast.
    """

    def __init__(
        self,
        target: Any,
        *,
        name: str | None = None,
        prefix: str | None = None,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
        timeout: float | None = 60.0,
        connect_timeout: float = 30.0,
        max_restarts: int = 3,
    ) -> None:
        if isinstance(include, str) or isinstance(exclude, str):
            raise UsageError("include= and exclude= take a list of tool names, not a string.")
        self.name = name or _name_of(target)
        self.label = f"MCP server {self.name!r}"
        self.prefix = prefix
        self.include = None if include is None else frozenset(include)
        self.exclude = frozenset(exclude)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_restarts = max_restarts
        self._target = target
        self._tools: list[Tool[..., Any]] = []
        self._link: Link | None = None
        self._lock = threading.Lock()
        self._group: anyio.abc.TaskGroup | None = None
        self._portal: tuple[AbstractContextManager[Any], anyio.from_thread.BlockingPortal] | None
        self._portal = None
        self._run: concurrent.futures.Future[None] | None = None
        self._auto = False  # opened on first use (closed by close / aclose)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}{' open' if self._link else ''}>"

    # -- the tool source ---------------------------------------------------------------------

    def tools(self) -> list[Tool[..., Any]]:
        """The server's tools as agentkit tools (empty until the server is open)."""
        return list(self._tools)

    @property
    def is_open(self) -> bool:
        """Whether the server is connected (or being reconnected)."""
        return self._link is not None

    def open(self) -> None:
        """Connect on a background thread, if not open yet; blocks until the tools are listed.

        Raises:
            MCPServerError: The server could not be started or reached.
            UsageError: Its tools cannot be used as they are (names, filters).
        """
        with self._lock:
            if self._link is None:
                self._start_thread()
                self._auto = True

    async def aopen(self) -> None:
        """Async `open` (the session still lives on a background thread)."""
        if self._link is None:
            await anyio.to_thread.run_sync(self.open)

    def close(self) -> None:
        """Close a server opened on first use (`with` / `async with` close their own)."""
        with self._lock:
            if self._auto:
                self._stop_thread()

    async def aclose(self) -> None:
        """Async `close`."""
        if self._auto:
            await anyio.to_thread.run_sync(self.close)

    # -- context managers ----------------------------------------------------------------------

    def __enter__(self) -> Self:
        with self._lock:
            self._check_closed()
            self._start_thread()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._stop_thread()

    async def __aenter__(self) -> Self:
        self._check_closed()
        group = anyio.create_task_group()
        await group.__aenter__()
        link = Link(self)
        try:
            await group.start(link.run)
            await link.first()
        except BaseException:
            link.close()
            await group.__aexit__(None, None, None)
            raise
        self._link, self._group = link, group
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        link, group = self._link, self._group
        if link is None or group is None:
            return
        self._link = self._group = None
        link.close()
        await group.__aexit__(None, None, None)
        self._tools = []

    def _check_closed(self) -> None:
        if self._link is not None:
            raise UsageError(f"{self.label} is open already.")

    # -- the background thread -----------------------------------------------------------------

    def _start_thread(self) -> None:
        manager = anyio.from_thread.start_blocking_portal(name=f"agentkit-mcp-{self.name}")
        portal = manager.__enter__()
        link: Link | None = None
        try:
            link = portal.call(Link, self)
            self._run = portal.start_task_soon(link.run)
            portal.call(link.first)
        except BaseException:
            if link is not None:
                portal.call(_close, link)
            manager.__exit__(None, None, None)
            raise
        self._link, self._portal = link, (manager, portal)

    def _stop_thread(self) -> None:
        link, opened = self._link, self._portal
        if link is None or opened is None:
            return
        self._link, self._portal, self._auto = None, None, False
        manager, portal = opened
        portal.call(_close, link)
        manager.__exit__(None, None, None)  # waits for the owner task, then joins the thread
        self._tools = []

    # -- what subclasses provide ---------------------------------------------------------------

    def _transport(self) -> Any:
        """What `mcp.Client` connects to, fresh for each connection."""
        return self._target

    @asynccontextmanager
    async def _client(self, on_message: MessageHandlerFnT) -> AsyncIterator[Client]:
        async with Client(self._transport(), message_handler=on_message, cache=None) as client:
            yield client

    # -- tools -------------------------------------------------------------------------------

    async def _load_tools(self, client: Client, *, first: bool) -> None:
        """List the server's tools (every page) and build agentkit tools from them."""
        listed: list[Any] = []
        cursor: str | None = None
        while True:
            page = await client.list_tools(cursor=cursor)
            listed += page.tools
            cursor = page.next_cursor
            if not cursor:
                break
        tools, problems = self._build(listed)
        if problems and first:
            raise UsageError(f"{self.label}: " + "; ".join(problems))
        for problem in problems:
            logger.warning("%s: %s", self.label, problem)
        self._tools = tools

    def _build(self, listed: Sequence[Any]) -> tuple[list[Tool[..., Any]], list[str]]:
        tools: list[Tool[..., Any]] = []
        problems: list[str] = []
        names = {t.name for t in listed}
        missing = sorted((self.include or set()) - names)
        if missing:
            problems.append(f"include= names tools it does not have: {missing}")
        for listed_tool in listed:
            original = listed_tool.name
            if (self.include is not None and original not in self.include) or (
                original in self.exclude
            ):
                continue
            name = f"{self.prefix}_{original}" if self.prefix else original
            if not NAME_PATTERN.match(name):
                problems.append(
                    f"its tool {original!r} would be named {name!r}, which the API refuses "
                    "(1-64 letters, digits, '_' or '-'); leave it out with exclude= or change "
                    "prefix="
                )
                continue
            try:
                made = Tool.from_schema(
                    name,
                    dict(listed_tool.input_schema),
                    self._caller(original),
                    description=listed_tool.description,
                )
            except UsageError as exc:
                problems.append(str(exc))
                continue
            made.sync_fn = partial(self._invoke_blocking, original)  # sync drivers: one hop
            tools.append(made)
        return tools, problems

    def _caller(self, original: str) -> Callable[..., Awaitable[Any]]:
        async def call_mcp_tool(**arguments: Any) -> Any:
            return await self._invoke(original, arguments)

        call_mcp_tool.__name__ = call_mcp_tool.__qualname__ = original
        return call_mcp_tool

    def _invoke_blocking(self, name: str, /, **arguments: Any) -> Any:
        """Call a tool from a thread with no event loop of the server's; blocks until done."""
        link = self._link
        if link is None:
            raise ToolError(f"{self.label} is not open.")
        if link.thread == threading.get_ident():
            raise ToolError(
                f"{self.label} runs in this thread's event loop: call its tools from async code "
                "(e.g. Toolbox.arun), or open it with `with server:` for sync use."
            )
        return _content(anyio.from_thread.run(link.call, name, arguments, token=link.token))

    async def _invoke(self, name: str, arguments: dict[str, Any]) -> Any:
        """Call a tool from any thread or event loop; its content, or `ToolError`."""
        link = self._link
        if link is None:
            raise ToolError(f"{self.label} is not open.")
        if link.thread == threading.get_ident():
            result = await link.call(name, arguments)
        else:
            hop = partial(anyio.from_thread.run, link.call, name, arguments, token=link.token)
            result = await anyio.to_thread.run_sync(hop, abandon_on_cancel=True)
        return _content(result)


def _content(result: dict[str, Any]) -> Any:
    """The tool result's content for the model; `ToolError` for an error result."""
    content, is_error = tool_content(result)
    if is_error:
        raise ToolError(content)
    return content


async def _close(link: Link) -> None:
    link.close()


def _name_of(target: Any) -> str:
    if isinstance(target, str):
        return urlsplit(target).hostname or target
    if isinstance(target, StdioServerParameters):
        return _stdio_name(target.command, target.args)
    return str(getattr(target, "name", None) or type(target).__name__)


def _stdio_name(command: str, args: Sequence[str]) -> str:
    for arg in args:
        if not arg.startswith("-"):
            return Path(arg).stem or arg
    return Path(command).name


class MCPServerStdio(MCPServer):
    """An MCP server run as a subprocess, spoken to over its stdin and stdout.

    `Agent(tools=[MCPServerStdio("python", ["server.py"])])`. The server's stderr goes to the
    `agentkit.mcp` logger. A server that stops is started again on the next call
    (`max_restarts` times).

    Args:
        command: The executable.
        args: Its arguments.
        env: Environment variables, over a safe default set (PATH, HOME, ...).
        cwd: The working directory.
        **options: `MCPServer`'s keywords (`name`, `prefix`, `include`, `exclude`, `timeout`,
            `connect_timeout`, `max_restarts`).
    """

    def __init__(
        self,
        command: str,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> None:
        params = StdioServerParameters(
            command=command,
            args=list(args),
            env=None if env is None else dict(env),
            cwd=None if cwd is None else Path(cwd),
        )
        options.setdefault("name", _stdio_name(command, params.args))
        super().__init__(params, **options)
        self.params = params

    def _transport(self) -> Any:
        return _logged_stdio(self.params, self.name)


@asynccontextmanager
async def _logged_stdio(params: StdioServerParameters, name: str) -> AsyncIterator[Any]:
    """`stdio_client` with the server's stderr sent, line by line, to the `agentkit.mcp` log."""
    read_fd, write_fd = os.pipe()
    pump = threading.Thread(
        target=_pump_stderr, args=(read_fd, name), name=f"agentkit-mcp-stderr-{name}", daemon=True
    )
    pump.start()
    errlog = os.fdopen(write_fd, "w")
    try:
        async with stdio_client(params, errlog=errlog) as streams:
            errlog.close()  # the server has its own copy
            yield streams
    finally:
        errlog.close()
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(pump.join, _JOIN_SECONDS)


def _pump_stderr(fd: int, name: str) -> None:
    with open(fd, "rb") as stream:
        for line in stream:
            logger.info("%s stderr: %s", name, line.decode(errors="replace").rstrip())


class MCPServerHTTP(MCPServer):
    """An MCP server reached over streamable HTTP.

    Args:
        url: The endpoint, e.g. `http://127.0.0.1:8000/mcp`.
        headers: Headers for every request (e.g. `Authorization`).
        **options: `MCPServer`'s keywords (`name`, `prefix`, `include`, `exclude`, `timeout`,
            `connect_timeout`, `max_restarts`).
    """

    def __init__(self, url: str, *, headers: Mapping[str, str] | None = None, **options: Any):
        super().__init__(url, **options)
        self.url = url
        self.headers = dict(headers or {})

    def _transport(self) -> Any:
        return _http(self.url, self.headers)


@asynccontextmanager
async def _http(url: str, headers: dict[str, str]) -> AsyncIterator[Any]:
    import httpx2

    timeout = httpx2.Timeout(30.0, read=300.0)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        streamable_http_client(url, http_client=http) as streams,
    ):
        yield streams
