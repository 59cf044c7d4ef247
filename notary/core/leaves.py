"""The Merkle leaf of one document. FORMAT-CRITICAL.

``leaf = keccak256(keccak256(abi.encode(bytes32 documentHash, bytes32 claimsDigest, bytes32 salt)))`` —
exactly OpenZeppelin's StandardMerkleTree leaf for the encoding ``["bytes32","bytes32","bytes32"]``, so the
registry can check it with ``MerkleProof.verify``. Hashing twice keeps a leaf from ever equalling an inner
node (64-byte preimage), which blocks second-preimage tricks; the salt keeps the claims unguessable.

The ABI encoding of three ``bytes32`` is just their 96-byte concatenation.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from notary.core.claims import Claims
from notary.core.hashing import Digest32, Salt, raw_keccak256

__all__ = ["LEAF_ENCODING", "leaf_for_claims", "leaf_hash", "leaf_preimage", "random_salt"]

LEAF_ENCODING = ("bytes32", "bytes32", "bytes32")
"""The OpenZeppelin StandardMerkleTree leaf encoding (document hash, claims digest, salt)."""


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
