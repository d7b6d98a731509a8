r"""Server-sent events: bytes in, events out (WHATWG SSE, PROTOCOL §6.1), with no I/O.

`SSEDecoder.feed` takes network chunks of any size and split anywhere (inside a line, a UTF-8
character or a `\r\n` pair) and returns the events completed so far. Work is linear in the bytes
fed: a partial line is kept as a list of pieces and joined once, when its end arrives.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_LINE_BYTES", "SSEDecoder", "SSELineTooLongError", "ServerSentEvent"]

DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024
"""The longest SSE line accepted (32 MiB); longer means a broken or hostile stream."""


_BOM = b"\xef\xbb\xbf"


class SSELineTooLongError(ValueError):
    """An SSE line grew past the decoder's limit without ending."""


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    r"""One dispatched event.

    Attributes:
        event: The `event:` field (`"message"` when the stream gave none).
        data: The `data:` lines joined with `\n`.
    """

    event: str
    data: str


class SSEDecoder:
    """An incremental SSE parser. Feed it bytes; it returns complete events.

    Comment lines (`:` first) and the `id` and `retry` fields are ignored. `feed` returns an
    event only once the blank line that ends it has arrived; until then its lines stay buffered
    (`pending()` is true). The decoder does not see the end of the stream: a last event whose
    blank line never comes is lost unless the caller then calls `flush()`, which returns it (its
    data possibly cut short) for the caller to keep or drop. An event without `data` lines is
    never returned.

    Args:
        max_line_bytes: Raise `SSELineTooLongError` when one line exceeds this many bytes.
    """

    __slots__ = (
        "_at_start",
        "_data",
        "_event",
        "_max_line",
        "_partial",
        "_partial_len",
        "_skip_lf",
    )

    def __init__(self, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self._max_line = max_line_bytes
        self._partial: list[bytes] = []
        self._partial_len = 0
        self._skip_lf = False
        self._at_start: bytes | None = b""
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes from the network; return the events they complete."""
        if not chunk:
            return []
        if self._at_start is not None:
            chunk = self._strip_bom(chunk)
            if not chunk:
                return []
        single = self._single_event(chunk)
        if single is not None:
            return [single]
        lines = self._lines(chunk)
        tail = lines.pop()
        events: list[ServerSentEvent] = []
        max_line = self._max_line
        data = self._data
        for line in lines:
            # fast paths for the three line kinds of every API event; the rest in _line()
            if line.startswith(b"data: "):
                data.append(line[6:].decode("utf-8", errors="replace"))
            elif not line:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
                    data = self._data
            elif line.startswith(b"event: "):
                self._event = line[7:].decode("utf-8", errors="replace")
            else:
                self._line(line)
            if len(line) > max_line:
                raise SSELineTooLongError(self._too_long(len(line)))
        if tail:
            self._keep_partial(tail)
        return events

    def _keep_partial(self, tail: bytes) -> None:
        """Buffer the start of a line whose end has not arrived (bounded)."""
        self._partial.append(tail)
        self._partial_len += len(tail)
        if self._partial_len > self._max_line:
            raise SSELineTooLongError(self._too_long(self._partial_len))

    def _strip_bom(self, chunk: bytes) -> bytes:
        """Drop a UTF-8 byte order mark opening the stream (it may arrive split)."""
        assert self._at_start is not None
        chunk = self._at_start + chunk
        if len(chunk) < 3 and _BOM.startswith(chunk):
            self._at_start = chunk  # wait for enough bytes to tell
            return b""
        self._at_start = None
        return chunk[3:] if chunk.startswith(_BOM) else chunk

    def _single_event(self, chunk: bytes) -> ServerSentEvent | None:
        """The common case on a live connection: a chunk holding exactly one whole event."""
        if (
            chunk[-2:] != b"\n\n"
            or not chunk.startswith(b"event: ")
            or chunk.count(b"\n") != 3
            or self._partial
            or self._event is not None
            or self._data
            or self._skip_lf
            or b"\r" in chunk
            or len(chunk) > self._max_line
        ):
            return None
        newline = chunk.index(b"\n")
        if not chunk.startswith(b"data: ", newline + 1):
            return None
        name = chunk[7:newline].decode("utf-8", errors="replace")
        data = chunk[newline + 7 : -2].decode("utf-8", errors="replace")
        return ServerSentEvent(name or "message", data)

    def _lines(self, chunk: bytes) -> list[bytes]:
        """Split into lines, whatever the line endings.

        The first line is joined to the buffered partial line; the last is the new partial
        line (empty when the chunk ended with a line end).
        """
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            if chunk.endswith(b"\r"):
                self._skip_lf = True  # a "\n" opening the next chunk belongs to this "\r"
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = chunk.split(b"\n")
        if len(lines) > 1 and self._partial:
            self._partial.append(lines[0])
            lines[0] = b"".join(self._partial)
            self._partial = []
            self._partial_len = 0
        return lines

    def _too_long(self, size: int) -> str:
        return (
            f"a server-sent event line exceeded {self._max_line} bytes ({size} bytes without a "
            "line end); the stream is malformed"
        )

    def _line(self, raw: bytes) -> None:
        """Any non-blank line: a field (`name: value`, `name:value`, `name`) or a comment."""
        line = raw.decode("utf-8", errors="replace")
        if line[0] == ":":
            return
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value

    def _dispatch(self) -> ServerSentEvent | None:
        event, self._event = self._event, None
        if not self._data:
            return None
        data = self._data[0] if len(self._data) == 1 else "\n".join(self._data)
        self._data = []
        return ServerSentEvent(event or "message", data)

    def flush(self) -> ServerSentEvent | None:
        """At end of stream: the buffered last event that no blank line ended, if any.

        A last line without its line end counts as a whole line. The event is returned when it
        has at least one `data` line (otherwise None, and its `event` name is discarded); whether
        its data is complete is not checked. A strict WHATWG parser would drop it; some recorded
        streams end without the final blank line, so the stream decoder calls this and keeps the
        event only when its data is complete JSON. The buffer is empty afterwards.
        """
        if self._partial:
            line = b"".join(self._partial)
            self._partial = []
            self._partial_len = 0
            if line.startswith(b"data: "):
                self._data.append(line[6:].decode("utf-8", errors="replace"))
            else:
                self._line(line)
        self._skip_lf = False
        return self._dispatch()

    def pending(self) -> bool:
        """Whether bytes of an unfinished event are buffered (a stream cut mid-event)."""
        return bool(self._partial or self._data or self._event is not None)
