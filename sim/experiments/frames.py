"""Length-prefixed frames over a pipe, between the pool and its workers."""

from __future__ import annotations

import os
import struct

HEADER = struct.Struct("<Q")


def read_frame(fd: int) -> bytes | None:
    """One length-prefixed frame, or None at the end of the input (or mid-frame)."""
    head = _read_exactly(fd, HEADER.size)
    if head is None:
        return None
    return _read_exactly(fd, HEADER.unpack(head)[0])


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def write_frame(fd: int, data: bytes) -> None:
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]
