"""Hash functions and the fixed-size byte types they produce. FORMAT-CRITICAL.

Two hash functions are used, each where it fits best:

* **SHA-256** for the document hash: PDFs can be large and SHA-256 is ~6x faster than keccak here; it is
  the hash every other tool (``sha256sum``, browsers' WebCrypto) already has.
* **keccak-256** (the original Keccak padding used by Ethereum, *not* NIST SHA3-256 — ``hashlib.sha3_256``
  gives different output) for everything the chain must recompute: claims digest, leaves, Merkle nodes,
  EIP-712.

Digests are their own types (:class:`Digest32`, :class:`Salt`): a value of that type is 32 bytes long by
construction, so functions that receive one never re-check its length (parse, don't validate). Both are
``bytes`` subclasses, so they compare, hash and concatenate like plain bytes at no cost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Protocol, Self, cast

from notary.errors import FormatError

__all__ = [
    "Bytes32",
    "Digest32",
    "Salt",
    "document_hash",
    "document_hash_stream",
    "keccak256",
    "raw_keccak256",
]


class _KeccakState(Protocol):
    def digest(self) -> bytes: ...


def _load_keccak() -> Callable[[bytes], _KeccakState]:
    # safe-pysha3 (C, ~0.7 µs per 64-byte call) is ~4.5x faster than pycryptodome's ctypes wrapper
    # (~3.3 µs); Merkle building is keccak-bound, so prefer it when present and fall back otherwise.
    # Both implement the same original Keccak-256; tests pin known answers for whichever is loaded.
    try:
        import sha3

        ctor = cast(Callable[[bytes], _KeccakState], sha3.keccak_256)
        if ctor(b"").digest() == _EMPTY_KECCAK:
            return ctor
    except ImportError:  # pragma: no cover - depends on the environment
        pass
    from Crypto.Hash import keccak as _ck

    def _pycryptodome(data: bytes) -> _KeccakState:
        return cast(_KeccakState, _ck.new(digest_bits=256, data=data))

    return _pycryptodome


_EMPTY_KECCAK = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")

new_keccak256: Callable[[bytes], _KeccakState] = _load_keccak()
"""The keccak-256 hash object constructor (``new_keccak256(data).digest()``); the cheapest call per hash,
for the Merkle hot loop."""


def raw_keccak256(data: bytes) -> bytes:
    """keccak-256 returning plain ``bytes``, for loops where a :class:`Digest32` wrapper would cost too much."""
    return new_keccak256(data).digest()


class Bytes32(bytes):
    """Exactly 32 bytes. Subclasses name what the bytes mean."""

    __slots__ = ()
    _what = "value"

    def __new__(cls, value: bytes | bytearray | memoryview) -> Self:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise FormatError(f"{cls._what} must be bytes, not {type(value).__name__}")
        obj = super().__new__(cls, value)
        if len(obj) != 32:
            raise FormatError(f"{cls._what} must be 32 bytes long, got {len(obj)}")
        return obj

    @classmethod
    def from_hex(cls, text: str) -> Self:
        """Parse ``0x`` followed by exactly 64 hex digits (either case; output is always lowercase)."""
        return cls(_parse_hex(text, 32, cls._what))

    def to_hex(self) -> str:
        """``0x`` + 64 lowercase hex digits: the one form used in JSON and in the docs."""
        return "0x" + self.hex()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_hex()!r})"

    def __str__(self) -> str:
        return self.to_hex()


class Digest32(Bytes32):
    """A 32-byte hash output (SHA-256 document hash, keccak-256 claims digest, leaf, node or root)."""

    __slots__ = ()
    _what = "digest"


class Salt(Bytes32):
    """32 secret random bytes per document that make its leaf unguessable (DSGVO: no brute-forcing claims)."""

    __slots__ = ()
    _what = "salt"


def _parse_hex(text: str, length: int, what: str) -> bytes:
    if not isinstance(text, str):
        raise FormatError(f"{what} must be a hex string, not {type(text).__name__}")
    if not text.startswith("0x"):
        raise FormatError(f"{what} must start with 0x")
    body = text[2:]
    if len(body) != 2 * length:
        raise FormatError(f"{what} must be {length} bytes ({2 * length} hex digits), got {len(body)} digits")
    # bytes.fromhex accepts spaces; an explicit alphabet check keeps the accepted language exact.
    if not all(c in "0123456789abcdefABCDEF" for c in body):
        raise FormatError(f"{what} is not valid hex")
    return bytes.fromhex(body)


def parse_hex_bytes(text: str, length: int, what: str) -> bytes:
    """``0x`` + exactly ``2*length`` hex digits, for fixed-size fields that are not :class:`Bytes32`."""
    return _parse_hex(text, length, what)


def keccak256(data: bytes | bytearray | memoryview) -> Digest32:
    """Ethereum's keccak-256 (original Keccak padding, not NIST SHA3-256)."""
    return Digest32(raw_keccak256(bytes(data)))


def document_hash(pdf: bytes | bytearray | memoryview) -> Digest32:
    """SHA-256 of the exact PDF bytes: the document hash that goes into the leaf."""
    return Digest32(hashlib.sha256(pdf).digest())


def document_hash_stream(chunks: Iterable[bytes | bytearray | memoryview]) -> tuple[Digest32, int]:
    """SHA-256 over the concatenation of ``chunks`` in constant memory; returns (digest, total length).

    The length comes for free and the proof records it (the original revision's byte length), so callers
    reading a large file need one pass, not two.
    """
    h = hashlib.sha256()
    total = 0
    for chunk in chunks:
        h.update(chunk)
        total += len(chunk)
    return Digest32(h.digest()), total
