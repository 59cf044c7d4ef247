"""The one bound every decoder applies before parsing: bytes, not empty, not oversized."""

from __future__ import annotations

from notary.errors import FormatError


def bounded(data: object, *, max_bytes: int, what: str) -> bytes:
    """``data`` as bytes, or FormatError if it is not bytes, is empty, or exceeds ``max_bytes``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FormatError(f"{what} must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise FormatError(f"{what} is empty")
    if len(data) > max_bytes:
        raise FormatError(f"{what} is oversized: {len(data)} bytes (limit {max_bytes})")
    return data
