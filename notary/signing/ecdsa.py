"""secp256k1 signatures made elsewhere (an HSM) brought into the one form Ethereum accepts.

A token returns a bare ``r || s``: ``s`` may be in the upper half of the curve order (OpenZeppelin's
``ECDSA.recover`` and every node since Homestead refuse that), and there is no recovery id. Flipping ``s`` to
``n - s`` gives the other valid signature of the same digest; the recovery id is found by recovering with both
candidates and keeping the one that gives the token's public key, so a wrong answer is caught here, not on chain.
"""

from __future__ import annotations

import coincurve

from notary.signing.errors import SignerError

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_N = SECP256K1_N // 2


def low_s(s: int) -> int:
    return SECP256K1_N - s if s > HALF_N else s


def with_recovery_id(digest: bytes, r: int, s: int, public_key: bytes) -> tuple[int, int, int]:
    """``(v, r, s)`` with ``v`` in {0, 1} and low ``s``, for the 64-byte uncompressed ``public_key`` (x || y).

    Raises :class:`SignerError` when neither recovery id gives ``public_key``: the signature is not of this
    digest by this key (a token answering with another key, or a damaged answer)."""
    if len(digest) != 32:
        raise ValueError("the digest must be 32 bytes")
    if not (0 < r < SECP256K1_N and 0 < s < SECP256K1_N):
        raise SignerError("the signer returned a signature with r or s out of range")
    s = low_s(s)
    rs = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    for v in (0, 1):
        try:
            recovered = coincurve.PublicKey.from_signature_and_message(rs + bytes([v]), digest, hasher=None)
        except ValueError:
            continue
        if recovered.format(compressed=False)[1:] == public_key:
            return v, r, s
    raise SignerError("the signer's signature does not verify with its public key (wrong key or damaged answer)")


def public_key_from_point(point: bytes) -> bytes:
    """The 64-byte x || y from an EC point as tokens give it: raw ``04 || x || y`` or DER-wrapped in an OCTET
    STRING (PKCS#11 says DER; some tokens return it raw)."""
    if len(point) == 67 and point[0] == 0x04 and point[1] == 0x41:
        point = point[2:]
    if len(point) != 65 or point[0] != 0x04:
        raise SignerError("the token's public key is not an uncompressed secp256k1 point")
    try:
        coincurve.PublicKey(point)  # on the curve, or refused
    except ValueError:
        raise SignerError("the token's public key is not a point of secp256k1") from None
    return point[1:]
