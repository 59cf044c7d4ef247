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
    encoded = abi_encode(["string", "bytes32", "bytes32"], [DOCUMENT_TAG, bytes(Digest32(document_hash)),
                                                           bytes(Digest32(placement))])  # fmt: skip
    return Digest32(raw_keccak256(encoded))


def leaf_preimage(document_hash: Digest32, claims_digest: Digest32, salt: Salt) -> bytes:
    """``abi.encode(bytes32, bytes32, bytes32)``: 96 bytes."""
    return bytes(document_hash) + bytes(claims_digest) + bytes(salt)


def leaf_hash(document_hash: Digest32, claims_digest: Digest32, salt: Salt) -> Digest32:
    """The leaf: ``keccak256(keccak256(document_hash || claims_digest || salt))``.

    The arguments are typed values, so their lengths are already right; plain bytes are re-checked.
    """
    parts = (Digest32(document_hash), Digest32(claims_digest), Salt(salt))
    return Digest32(raw_keccak256(raw_keccak256(b"".join(parts))))


def leaf_for_claims(document_hash: Digest32, claims: Claims, salt: Salt) -> Digest32:
    """Convenience: the leaf of a document hash, its claims and its salt."""
    return leaf_hash(document_hash, claims.digest(), salt)


def random_salt(randbytes: Callable[[int], bytes] = os.urandom) -> Salt:
    """32 fresh random bytes from the OS CSPRNG (``randbytes`` is a seam for deterministic tests)."""
    return Salt(randbytes(32))
