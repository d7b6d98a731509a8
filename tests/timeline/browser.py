"""Headless Chromium for the timeline tests, and a small PNG reader (zlib only, no dependency).

`chromium()` gives the browser's path, or skips the test saying how to install it.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL = "apt-get install -y chromium (Debian; .ci/run installs it when missing)"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)


def chromium() -> str:
    """The Chromium executable, or a skip that says how to get it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(f"headless Chromium is not installed: {INSTALL}")
    return found


@dataclass
class Visit:
    """What the browser made of a page."""

    dom: str
    log: str


def visit(page: Path, profile: Path, *extra: str) -> Visit:
    """Open `page` headless (scripts run), returning the DOM after scripts ran and the log."""
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return Visit(done.stdout, done.stderr)


def console_lines(log: str) -> list[str]:
    """The page's console messages (and uncaught errors) in Chromium's log."""
    return [line for line in log.splitlines() if ":CONSOLE" in line]


@dataclass
class Image:
    """Decoded RGBA pixels, row by row."""

    width: int
    height: int
    rows: list[bytes]

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        row = self.rows[y]
        return row[4 * x], row[4 * x + 1], row[4 * x + 2]


def read_png(data: bytes) -> Image:
    """Decode an 8-bit RGB or RGBA PNG (what Chromium writes) into RGBA rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, bytearray(), b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0), "only 8-bit, non-interlaced PNGs"
    assert color in (2, 6), "only RGB and RGBA PNGs"
    channels = 4 if color == 6 else 3
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, channels)
        rows.append(bytes(line) if channels == 4 else _rgba(line))
        previous = line
    return Image(width, height, rows)


def _unfilter(kind: int, line: bytearray, up: bytearray, bpp: int) -> None:
    if kind == 1:
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:
        for i in range(len(line)):
            line[i] = (line[i] + up[i]) & 0xFF
    elif kind == 3:
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + up[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = up[i], (up[i - bpp] if i >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            best = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[i] = (line[i] + best) & 0xFF


def _rgba(line: bytearray) -> bytes:
    out = bytearray()
    for i in range(0, len(line), 3):
        out += line[i : i + 3] + b"\xff"
    return bytes(out)
