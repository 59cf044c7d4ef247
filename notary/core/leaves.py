"""The Merkle leaf of one document. FORMAT-CRITICAL.

``leaf = keccak256(keccak256(abi.encode(bytes32 document, bytes32 claimsDigest, bytes32 salt)))`` —
exactly OpenZeppelin's StandardMerkleTree leaf for the encoding ``["bytes32","bytes32","bytes32"]``, so the
registry can check it with ``MerkleProof.verify``. Hashing twice keeps a leaf from ever equalling an inner
node (64-byte preimage), which blocks second-preimage tricks; the salt keeps the claims unguessable.

The ABI encoding of three ``bytes32`` is just their 96-byte concatenation.

``document`` commits to the exact original PDF *and* to where its stamp goes:
``document = keccak256(abi.encode(string "notary.document.v1", bytes32 sha256(original), bytes32 placementDigest))``
(see :func:`notary.core.layout.placement_digest`). A QR code carries ``document`` itself; a PDF's embedded proof
carries the SHA-256 and the stamp layout it is derived from.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from eth_abi.abi import encode as abi_encode

from notary.core.claims import Claims
from notary.core.hashing import Digest32, Salt, raw_keccak256

__all__ = ["DOCUMENT_TAG", "LEAF_ENCODING", "document_commitment", "leaf_for_claims", "leaf_hash", "leaf_preimage",
           "random_salt"]  # fmt: skip

DOCUMENT_TAG = "notary.document.v1"

LEAF_ENCODING = ("bytes32", "bytes32", "bytes32")
"""The OpenZeppelin StandardMerkleTree leaf encoding (document hash, claims digest, salt)."""


def document_commitment(document_hash: Digest32, placement: Digest32) -> Digest32:
    """``keccak256(abi.encode(string "notary.document.v1", bytes32 documentHash, bytes32 placementDigest))``."""
    if type(document_hash) is not Digest32:
        document_hash = Digest32(document_hash)
    if type(placement) is not Digest32:
        placement = Digest32(placement)
    return _wrap(Digest32, raw_keccak256(_COMMITMENT_HEAD + document_hash + placement + _COMMITMENT_TAIL))


def _commitment_parts() -> tuple[bytes, bytes]:
    """The bytes of that ABI encoding around the two digests, which never change: the string's offset (the
    head is three words), then its length and its text padded to whole words. Taken from eth_abi itself, so
    they are its encoding by construction."""
    zero = bytes(32)
    encoded = abi_encode(["string", "bytes32", "bytes32"], [DOCUMENT_TAG, zero, zero])
    return encoded[:32], encoded[96:]


_COMMITMENT_HEAD, _COMMITMENT_TAIL = _commitment_parts()
_wrap = bytes.__new__  # the keccak output is 32 bytes: Digest32's length check would find nothing


def leaf_preimage(document_hash: Digest32, claims_digest: Digest32, salt: Salt) -> bytes:
    """``abi.encode(bytes32, bytes32, bytes32)``: 96 bytes."""
    return bytes(document_hash) + bytes(claims_digest) + bytes(salt)


def leaf_hash(document_hash: Digest32, claims_digest: Digest32, salt: Salt) -> Digest32:
    """The leaf: ``keccak256(keccak256(document_hash || claims_digest || salt))``.

    The arguments are typed values, so their lengths are already right; plain bytes are re-checked.
    """
    if type(document_hash) is not Digest32:
        document_hash = Digest32(document_hash)
    if type(claims_digest) is not Digest32:
        claims_digest = Digest32(claims_digest)
    if type(salt) is not Salt:
        salt = Salt(salt)
    return _wrap(Digest32, raw_keccak256(raw_keccak256(document_hash + claims_digest + salt)))


def leaf_for_claims(document_hash: Digest32, claims: Claims, salt: Salt) -> Digest32:
    """Convenience: the leaf of a document hash, its claims and its salt."""
    return leaf_hash(document_hash, claims.digest(), salt)


def random_salt(randbytes: Callable[[int], bytes] = os.urandom) -> Salt:
    """32 fresh random bytes from the OS CSPRNG (``randbytes`` is a seam for deterministic tests)."""
    return Salt(randbytes(32))
