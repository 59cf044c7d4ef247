"""The bulk-issuance speed-ups give exactly what the plain definitions give.

Each faster path is compared with a frozen copy of what it replaced (kept here, and only here) or with the
library that defines the bytes, over many random inputs: the ABI encoding of the document commitment, the
QR form of a proof, and the checks a proof makes on what it is built from.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from eth_abi.abi import encode as abi_encode

from notary.core import Claims, Digest32, MerkleTree, Proof, StampLayout
from notary.core.hashing import Salt, raw_keccak256
from notary.core.leaves import DOCUMENT_TAG, document_commitment, leaf_hash
from notary.core.merkle import MerkleProof, process_proof
from notary.errors import FormatError

RNG_SEED = 20261201


def _frozen_document_commitment(document_hash: bytes, placement: bytes) -> bytes:
    encoded = abi_encode(["string", "bytes32", "bytes32"], [DOCUMENT_TAG, bytes(document_hash), bytes(placement)])
    return raw_keccak256(encoded)


def test_document_commitment_is_the_abi_encoding() -> None:
    rng = random.Random(RNG_SEED)
    for _ in range(500):
        h, p = rng.randbytes(32), rng.randbytes(32)
        expected = _frozen_document_commitment(h, p)
        for args in ((h, p), (Digest32(h), Digest32(p)), (bytearray(h), memoryview(p))):
            got = document_commitment(*args)  # type: ignore[arg-type]
            assert got == expected and type(got) is Digest32
    for bad in (b"\x00" * 31, "00" * 32, None):
        with pytest.raises(FormatError):
            document_commitment(bad, b"\x00" * 32)  # type: ignore[arg-type]
        with pytest.raises(FormatError):
            document_commitment(b"\x00" * 32, bad)  # type: ignore[arg-type]


def test_leaf_and_proof_walk_take_every_input_form() -> None:
    rng = random.Random(RNG_SEED + 1)
    for _ in range(200):
        d, c, s = rng.randbytes(32), rng.randbytes(32), rng.randbytes(32)
        expected = raw_keccak256(raw_keccak256(d + c + s))
        assert leaf_hash(d, c, s) == leaf_hash(Digest32(d), Digest32(c), Salt(s)) == expected  # type: ignore[arg-type]
        siblings = [rng.randbytes(32) for _ in range(rng.randrange(0, 12))]
        as_blob = MerkleProof(b"".join(siblings))
        assert MerkleProof.from_siblings(siblings) == as_blob
        assert MerkleProof.from_siblings([Digest32(x) for x in siblings]) == as_blob
        assert MerkleProof.from_siblings([bytearray(x) for x in siblings]) == as_blob
        assert process_proof(expected, siblings) == process_proof(Digest32(expected), as_blob)
    with pytest.raises(FormatError):
        leaf_hash(b"\x00" * 31, b"\x00" * 32, b"\x00" * 32)  # type: ignore[arg-type]
    with pytest.raises(FormatError):
        MerkleProof.from_siblings([b"\x00" * 33])
    with pytest.raises(FormatError):
        MerkleProof.from_siblings([b"\x00" * 32] * 33)


def _proofs() -> list[Proof]:
    from eth_account import Account

    from notary.core import Batch, BatchDomain, sign_batch

    rng = random.Random(RNG_SEED + 2)
    account = Account.from_key(b"\x11" * 32)
    registry = "0x" + "22" * 20
    stamps = [
        StampLayout(1, 0, 440, 62, 113, "Digital geprüft", 15, "M", 3),
        StampLayout(2, 0, 440, 62, 113, "Prüfen", 19, "M", 5, qr_url="https://verify.example.de/#"),
    ]
    plain = b'{"doc_type":"zeugnis","holder":"A","issued_on":"2025-07-01","title":"T"}'
    facts = b'{"doc_type":"zeugnis","facts":[["Note","2"]],"holder":"B","issued_on":"2025-07-01","title":"T"}'
    proofs = []
    for count in (1, 2, 5, 33):
        hashes = [rng.randbytes(32) for _ in range(count)]
        salts = [rng.randbytes(32) for _ in range(count)]
        claims = [Claims.from_json(facts if i % 2 else plain) for i in range(count)]
        layouts = [stamps[i % 2] for i in range(count)]
        documents = [document_commitment(h, s.placement_digest()) for h, s in zip(hashes, layouts, strict=True)]
        tree = MerkleTree.build(
            [leaf_hash(d, c.digest(), Salt(s)) for d, c, s in zip(documents, claims, salts, strict=True)]
        )
        signature = sign_batch(bytes(account.key), BatchDomain(31337, registry), Batch(tree.root, count, 1_700_000_000))  # type: ignore[arg-type]
        for i in range(count):
            proofs.append(
                Proof(
                    chain_id=31337,
                    registry=registry,
                    root=tree.root,
                    claims=claims[i],
                    salt=salts[i],  # type: ignore[arg-type]
                    merkle_proof=tree.proof(i),
                    issuer=account.address,
                    signature=signature,
                    issued_at=1_700_000_000,
                    document_count=count,
                    document_hash=hashes[i],
                    stamp=layouts[i],  # type: ignore[arg-type]
                    original_length=1000 + i,
                )
            )
    return proofs


def test_qr_form_is_what_replace_gives() -> None:
    from notary.core.proof import required_version

    for proof in _proofs():
        assert proof.root_matches()
        frozen = replace(
            proof, document_hash=None, stamp=None, document=proof.document, original_length=None,
            version=required_version(proof.claims),
        )  # fmt: skip
        qr = proof.for_qr()
        assert qr == frozen and qr.to_compact() == frozen.to_compact() and qr.to_json() == frozen.to_json()
        assert qr.for_qr() == frozen and Proof.from_compact(qr.to_compact()) == frozen
        # the full proof rebuilt from the QR form checks its parts as before
        full = replace(qr, document_hash=proof.document_hash, stamp=proof.stamp, original_length=1, version=None)
        assert full.document == proof.document and full.to_json() == replace(proof, original_length=1).to_json()
        assert proof.stamp is not None
        other = replace(proof.stamp, x=proof.stamp.x + 1)
        with pytest.raises(FormatError, match="does not commit"):
            replace(qr, document_hash=proof.document_hash, stamp=other, original_length=1, version=None)
        with pytest.raises(FormatError):
            replace(qr, document_hash=b"\x00" * 31, stamp=proof.stamp, original_length=1, version=None)
