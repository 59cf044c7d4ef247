"""Strict canonical CBOR for the compact forms (package-private; docs/proof-format.md §7.2).

Only a small subset of CBOR (RFC 8949) is accepted: unsigned integers, byte strings, text strings, arrays
and maps, definite lengths, no tags, no floats/simple values, at most :data:`MAX_DEPTH` levels, exactly one
top-level item and no trailing bytes. On top of that the input must be *canonical*: re-encoding the decoded
value with cbor2's canonical encoder (shortest integer heads, map keys sorted) must give back the exact input
bytes. That makes the encoding a bijection: one value, one byte string — so nothing can be changed in a
payload without changing the value it decodes to.
"""

from __future__ import annotations

from typing import Any

import cbor2

from notary.core._input import bounded
from notary.errors import FormatError

MAX_DEPTH = 4


def dumps(value: Any) -> bytes:
    return cbor2.dumps(value, canonical=True)


def head(major: int, argument: int) -> bytes:
    """The canonical (shortest) head of an item: ``major`` type 0 (the unsigned integer ``argument``), 2 or 3
    (a string of ``argument`` bytes), 4 or 5 (an array or map of ``argument`` elements or pairs); what
    :func:`dumps` writes before the content. Lets a caller put together an item from pieces."""
    if argument < 24:
        return bytes([major << 5 | argument])
    size = 1 if argument < 0x100 else 2 if argument < 0x10000 else 4 if argument < 0x100000000 else 8
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + argument.to_bytes(size, "big")


def loads(data: bytes, *, max_bytes: int, what: str) -> Any:
    """Decode one canonical CBOR item of the accepted subset or raise :class:`FormatError`."""
    data = bounded(data, max_bytes=max_bytes, what=what)
    end = _scan(data, 0, 0, what)
    if end != len(data):
        raise FormatError(f"{what} has {len(data) - end} trailing bytes after the CBOR item")
    try:
        value = cbor2.loads(data, allow_indefinite=False, allow_duplicate_keys=False, max_depth=MAX_DEPTH + 1)
    except (cbor2.CBORError, ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise FormatError(f"{what} is not valid CBOR: {exc}") from None
    try:
        again = dumps(value)
    except (cbor2.CBORError, ValueError, TypeError) as exc:  # pragma: no cover - scan admits encodable values
        raise FormatError(f"{what} is not valid CBOR: {exc}") from None
    if again != data:
        raise FormatError(f"{what} is not canonical CBOR (duplicate or unsorted keys, or a long-form length)")
    return value


def _scan(data: bytes, pos: int, depth: int, what: str) -> int:
    """Walk one item's structure (no decoding); return the offset just after it."""
    if depth > MAX_DEPTH:
        raise FormatError(f"{what} is nested too deeply")
    if pos >= len(data):
        raise FormatError(f"{what} is truncated")
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    pos += 1
    if major == 6:
        raise FormatError(f"{what} contains a CBOR tag (not allowed)")
    if major == 7:
        raise FormatError(f"{what} contains a CBOR float or simple value (not allowed)")
    if major == 1:
        raise FormatError(f"{what} contains a negative integer (not allowed)")
    if info == 31:
        raise FormatError(f"{what} uses an indefinite length (not allowed)")
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        if pos + size > len(data):
            raise FormatError(f"{what} is truncated")
        arg = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise FormatError(f"{what} has a reserved CBOR header byte 0x{initial:02x}")
    if major == 0:
        return pos
    if major in (2, 3):
        if arg > len(data) - pos:
            raise FormatError(f"{what} is truncated (a string runs past the end)")
        return pos + arg
    # Arrays and maps: every element needs at least one byte, which bounds the loop by the input size.
    count = arg if major == 4 else 2 * arg
    if count > len(data) - pos:
        raise FormatError(f"{what} is truncated (a container runs past the end)")
    for _ in range(count):
        pos = _scan(data, pos, depth + 1, what)
    return pos
