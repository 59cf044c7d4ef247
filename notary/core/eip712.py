"""EIP-712 batch signatures. FORMAT-CRITICAL (docs/proof-format.md §6).

An issuer signs each batch it anchors as EIP-712 typed data::

    Batch(bytes32 root,uint32 documentCount,uint64 issuedAt)

in the domain ``{name: "NotaryRegistry", version: "1", chainId, verifyingContract: registry}``. The chain id
and the registry address in the domain stop a signature made for one deployment from being replayed on
another; the registry contract computes the same digest (``BATCH_TYPEHASH``, ``recoverBatchSigner``).

Two implementations of the digest are kept on purpose: :func:`batch_digest` computes it by hand (with the
domain separator cached per domain: this runs per document when verifying QR codes), and
:func:`batch_typed_data` feeds eth_account's generic EIP-712 encoder; tests assert they agree.

Signatures are 65 bytes ``r || s || v`` with ``v`` in {27, 28} and ``s`` in the lower half of the curve
order — the only form OpenZeppelin's ``ECDSA.recover`` accepts, so every signature has exactly one encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys.exceptions import BadSignature
from eth_keys.main import KeyAPI
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from notary.core.hashing import Digest32, keccak256, raw_keccak256
from notary.errors import FormatError

__all__ = [
    "BATCH_TYPE",
    "BATCH_TYPEHASH",
    "DOMAIN_NAME",
    "DOMAIN_TYPEHASH",
    "DOMAIN_VERSION",
    "MAX_DOCUMENT_COUNT",
    "MAX_SAFE_INTEGER",
    "Batch",
    "BatchDomain",
    "batch_digest",
    "batch_struct_hash",
    "batch_typed_data",
    "domain_separator",
    "parse_address",
    "parse_signature",
    "recover_batch_signer",
    "recover_batch_signer_eth_account",
    "sign_batch",
]

DOMAIN_NAME = "NotaryRegistry"
DOMAIN_VERSION = "1"
BATCH_TYPE = "Batch(bytes32 root,uint32 documentCount,uint64 issuedAt)"
BATCH_TYPEHASH = keccak256(BATCH_TYPE.encode())
DOMAIN_TYPEHASH = keccak256(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
MAX_DOCUMENT_COUNT = 2**24 - 1
"""The registry stores documentCount as uint24."""
MAX_SAFE_INTEGER = 2**53 - 1
"""Chain ids and timestamps stay below this so JavaScript verifiers read the JSON numbers exactly."""

_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_keys = KeyAPI()


def parse_address(value: object, what: str = "address") -> ChecksumAddress:
    """An Ethereum address as ``0x`` + 40 hex digits, either EIP-55 checksummed or all lower-case.

    Mixed case with a wrong checksum is refused (it is how typos are caught); the result is checksummed.
    """
    if not isinstance(value, str) or len(value) != 42 or not value.startswith("0x"):
        raise FormatError(f"{what} must be 0x followed by 40 hex digits")
    checked = _checksummed(value)
    if checked is None:
        raise FormatError(f"{what} is not valid hex")
    if checked != value and value[2:] != value[2:].lower():
        raise FormatError(f"{what} has a wrong EIP-55 checksum: {value}")
    return checked


@lru_cache(maxsize=4096)
def _checksummed(value: str) -> ChecksumAddress | None:
    """EIP-55 form of a 0x-prefixed 40-hex-digit string, or None if it is not hex. Cached: every proof carries
    the same registry and issuer addresses, and checksumming costs a keccak each time."""
    if not all(c in "0123456789abcdefABCDEF" for c in value[2:]):
        return None
    return to_checksum_address(value)


def parse_signature(value: object) -> bytes:
    """Check a 65-byte ``r || s || v`` signature is in the one form OZ ``ECDSA.recover`` accepts."""
    if type(value) is not bytes:
        raise FormatError("signature must be bytes")
    if len(value) != 65:
        raise FormatError(f"signature must be 65 bytes long, got {len(value)}")
    r = int.from_bytes(value[:32], "big")
    s = int.from_bytes(value[32:64], "big")
    if value[64] not in (27, 28):
        raise FormatError(f"signature v must be 27 or 28, got {value[64]}")
    if not 0 < r < _SECP256K1_N:
        raise FormatError("signature r is out of range")
    if not 0 < s <= _SECP256K1_N // 2:
        raise FormatError("signature s is out of range (must be in the lower half of the curve order)")
    return value


@dataclass(frozen=True, slots=True)
class BatchDomain:
    """Where a batch is anchored: the EIP-712 domain's ``chainId`` and ``verifyingContract``."""

    chain_id: int
    registry: ChecksumAddress

    def __post_init__(self) -> None:
        if type(self.chain_id) is not int or not 1 <= self.chain_id <= MAX_SAFE_INTEGER:
            raise FormatError(f"chain id must be an integer in 1..2**53-1, got {self.chain_id!r}")
        object.__setattr__(self, "registry", parse_address(self.registry, "registry address"))


@dataclass(frozen=True, slots=True)
class Batch:
    """The signed statement: this root, holding this many documents, issued at this unix second."""

    root: Digest32
    document_count: int
    issued_at: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Digest32(self.root))
        if type(self.document_count) is not int or not 1 <= self.document_count <= MAX_DOCUMENT_COUNT:
            raise FormatError(f"document count must be in 1..{MAX_DOCUMENT_COUNT}, got {self.document_count!r}")
        if type(self.issued_at) is not int or not 0 <= self.issued_at <= MAX_SAFE_INTEGER:
            raise FormatError(f"issued_at must be a unix time in 0..2**53-1, got {self.issued_at!r}")


@lru_cache(maxsize=64)
def _domain_separator(chain_id: int, registry: str) -> bytes:
    # Cached per (chain, registry): a verifier checks many proofs against the same deployment. The cache
    # holds pure function results only, so it is not state anyone can observe.
    return raw_keccak256(
        bytes(DOMAIN_TYPEHASH)
        + raw_keccak256(DOMAIN_NAME.encode())
        + raw_keccak256(DOMAIN_VERSION.encode())
        + chain_id.to_bytes(32, "big")
        + bytes(12)
        + bytes.fromhex(registry[2:])
    )


def domain_separator(domain: BatchDomain) -> Digest32:
    """``keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256(name), keccak256(version), chainId, registry))``."""
    return Digest32(_domain_separator(domain.chain_id, domain.registry))


def batch_struct_hash(batch: Batch) -> Digest32:
    """``keccak256(abi.encode(BATCH_TYPEHASH, root, documentCount, issuedAt))``."""
    return keccak256(
        bytes(BATCH_TYPEHASH)
        + bytes(batch.root)
        + batch.document_count.to_bytes(32, "big")
        + batch.issued_at.to_bytes(32, "big")
    )


def batch_digest(domain: BatchDomain, batch: Batch) -> Digest32:
    """The EIP-712 digest ``keccak256(0x19 0x01 || domainSeparator || structHash)`` that is signed."""
    return keccak256(
        b"\x19\x01" + _domain_separator(domain.chain_id, domain.registry) + bytes(batch_struct_hash(batch))
    )


def batch_typed_data(domain: BatchDomain, batch: Batch) -> dict[str, Any]:
    """The EIP-712 typed-data document (``eth_signTypedData_v4`` shape), e.g. for hardware wallets."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Batch": [
                {"name": "root", "type": "bytes32"},
                {"name": "documentCount", "type": "uint32"},
                {"name": "issuedAt", "type": "uint64"},
            ],
        },
        "primaryType": "Batch",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": domain.chain_id,
            "verifyingContract": domain.registry,
        },
        "message": {
            "root": bytes(batch.root),
            "documentCount": batch.document_count,
            "issuedAt": batch.issued_at,
        },
    }


def sign_batch(private_key: bytes, domain: BatchDomain, batch: Batch) -> bytes:
    """Sign with eth_account (the audited path; coincurve makes it fast). Returns 65 bytes, ``v`` in {27, 28}.

    ``private_key`` is the raw 32-byte key (e.g. ``LocalAccount.key``); key storage is not the core's job.
    """
    signable = encode_typed_data(full_message=batch_typed_data(domain, batch))
    signed = Account.sign_message(signable, private_key)
    return parse_signature(bytes(signed.signature))


def recover_batch_signer(domain: BatchDomain, batch: Batch, signature: bytes) -> ChecksumAddress:
    """The address that signed ``batch`` for ``domain`` (fast path: hand-made digest + eth_keys/coincurve).

    Raises :class:`FormatError` if the signature is malformed or does not recover to any key.
    """
    sig = parse_signature(signature)
    digest = bytes(batch_digest(domain, batch))
    try:
        vrs = (sig[64] - 27, int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"))
        public_key = _keys.Signature(vrs=vrs).recover_public_key_from_msg_hash(digest)
    except (BadSignature, ValueError) as exc:
        raise FormatError(f"signature does not recover to a key: {exc}") from None
    return to_checksum_address(public_key.to_canonical_address())


def recover_batch_signer_eth_account(domain: BatchDomain, batch: Batch, signature: bytes) -> ChecksumAddress:
    """Same as :func:`recover_batch_signer`, through eth_account's generic EIP-712 encoder (cross-check)."""
    sig = parse_signature(signature)
    signable = encode_typed_data(full_message=batch_typed_data(domain, batch))
    try:
        return to_checksum_address(Account.recover_message(signable, signature=sig))
    except (BadSignature, ValueError) as exc:
        raise FormatError(f"signature does not recover to a key: {exc}") from None
