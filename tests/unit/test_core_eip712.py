from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak as eth_keccak

from notary.core.eip712 import (
    BATCH_TYPEHASH,
    Batch,
    BatchDomain,
    batch_digest,
    batch_typed_data,
    parse_address,
    parse_signature,
    recover_batch_signer,
    recover_batch_signer_eth_account,
    sign_batch,
)
from notary.core.hashing import keccak256
from notary.errors import FormatError

KEY = bytes(keccak256(b"notary test vector key 1"))
SIGNER = Account.from_key(KEY).address
REGISTRY = parse_address("0x5FbDB2315678afecb367f032d93F642f64180aa3")
OTHER_REGISTRY = parse_address("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")
DOMAIN = BatchDomain(31337, REGISTRY)
BATCH = Batch(keccak256(b"root"), 1000, 1752570000)


def test_typehash() -> None:
    assert eth_keccak(b"Batch(bytes32 root,uint32 documentCount,uint64 issuedAt)") == BATCH_TYPEHASH


def test_hand_made_digest_equals_eth_account() -> None:
    signable = encode_typed_data(full_message=batch_typed_data(DOMAIN, BATCH))
    # SignableMessage: version 0x01, header = domain separator, body = struct hash.
    assert b"\x19" + signable.version + signable.header + signable.body == (
        b"\x19\x01" + signable.header + signable.body
    )
    assert batch_digest(DOMAIN, BATCH) == keccak256(b"\x19\x01" + signable.header + signable.body)


def test_sign_and_recover_both_paths() -> None:
    sig = sign_batch(KEY, DOMAIN, BATCH)
    assert len(sig) == 65 and sig[64] in (27, 28)
    assert recover_batch_signer(DOMAIN, BATCH, sig) == SIGNER
    assert recover_batch_signer_eth_account(DOMAIN, BATCH, sig) == SIGNER


@pytest.mark.parametrize(
    ("domain", "batch"),
    [
        (BatchDomain(1, REGISTRY), BATCH),
        (BatchDomain(31337, OTHER_REGISTRY), BATCH),
        (DOMAIN, Batch(keccak256(b"other root"), 1000, 1752570000)),
        (DOMAIN, Batch(BATCH.root, 999, 1752570000)),
        (DOMAIN, Batch(BATCH.root, 1000, 1752570001)),
    ],
    ids=["other chain", "other registry", "other root", "other count", "other time"],
)
def test_signature_does_not_transfer(domain: BatchDomain, batch: Batch) -> None:
    sig = sign_batch(KEY, DOMAIN, BATCH)
    assert recover_batch_signer(domain, batch, sig) != SIGNER
    assert recover_batch_signer_eth_account(domain, batch, sig) != SIGNER


def test_parse_address() -> None:
    assert parse_address(REGISTRY.lower()) == REGISTRY
    for bad, message in [
        (REGISTRY[:-1], "40 hex digits"),
        ("0x" + "g" * 40, "not valid hex"),
        (REGISTRY.replace("F", "f", 1), "checksum"),
        (5, "40 hex digits"),
    ]:
        with pytest.raises(FormatError, match=message):
            parse_address(bad)


def test_parse_signature_rejects_malleable_forms() -> None:
    sig = sign_batch(KEY, DOMAIN, BATCH)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(sig[32:64], "big")
    high_s = sig[:32] + (n - s).to_bytes(32, "big") + bytes([55 - sig[64]])
    cases = [
        (high_s, "lower half"),
        (sig[:64] + b"\x00", "v must be 27 or 28"),
        (sig[:64], "65 bytes"),
        (bytes(32) + sig[32:], "r is out of range"),
        (bytearray(sig), "must be bytes"),
    ]
    for bad, message in cases:
        with pytest.raises(FormatError, match=message):
            parse_signature(bad)


def test_unrecoverable_signature_is_a_format_error() -> None:
    # r = 1 is not the x coordinate of a curve point with this parity for most digests; try both.
    messages = []
    for v in (27, 28):
        sig = (5).to_bytes(32, "big") + (7).to_bytes(32, "big") + bytes([v])
        try:
            recover_batch_signer(DOMAIN, BATCH, sig)
        except FormatError as exc:
            messages.append(str(exc))
    assert all("does not recover" in m for m in messages)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"document_count": 0}, "document count"),
        ({"document_count": 2**24}, "document count"),
        ({"issued_at": -1}, "issued_at"),
        ({"issued_at": 2**53}, "issued_at"),
    ],
)
def test_batch_ranges(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(FormatError, match=message):
        Batch(**{"root": BATCH.root, "document_count": 1, "issued_at": 0, **kwargs})  # type: ignore[arg-type]


def test_domain_ranges() -> None:
    with pytest.raises(FormatError, match="chain id"):
        BatchDomain(0, REGISTRY)
    with pytest.raises(FormatError, match="chain id"):
        BatchDomain(True, REGISTRY)
