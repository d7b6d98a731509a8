r"""JSON Lines, incrementally: bytes chunks in, complete lines out (no I/O).

A batch's results file can be of any size and arrive in chunks of any size: `JSONLinesDecoder`
keeps only the unfinished last line between chunks (as a list of pieces, joined once when the
line ends), so decoding is linear in the bytes and its memory is one line. Lines end with
``\n``, ``\r\n`` or ``\r``, a ``\r\n`` split across two chunks included (a ``\r`` at the
end of a chunk ends the line; a ``\n`` starting the next chunk is then skipped). Blank lines
are skipped. JSON never holds a raw ``\r`` or ``\n`` inside a string, so splitting on them
cannot cut a value.
"""

from __future__ import annotations

__all__ = ["JSONLinesDecoder"]


class JSONLinesDecoder:
    """Splits a byte stream into its lines, whatever the chunking."""

    __slots__ = ("_pending", "_skip_lf")

    def __init__(self) -> None:
        self._pending: list[bytes] = []
        self._skip_lf = False

    def feed(self, chunk: bytes) -> list[bytes]:
        """Take one chunk; return the lines it completed (without their line ends)."""
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            self._skip_lf = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            if chunk:
                self._pending.append(chunk)
            return []
        if self._pending:
            self._pending.append(parts[0])
            parts[0] = b"".join(self._pending)
        tail = parts.pop()
        self._pending = [tail] if tail else []
        return [line for line in parts if line and not line.isspace()]

    def flush(self) -> bytes | None:
        """The last line, when the stream ended without a line end; None otherwise."""
        line = b"".join(self._pending)
        self._pending = []
        self._skip_lf = False
        return line if line and not line.isspace() else None
