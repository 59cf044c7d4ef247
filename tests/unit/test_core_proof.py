from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from eth_account import Account
from hypothesis import given
from hypothesis import strategies as st

from notary.core import _cbor
from notary.core.claims import Claims
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.format_errors import error_code
from notary.core.hashing import Digest32, Salt, keccak256
from notary.core.layout import StampLayout
from notary.core.leaves import document_commitment, leaf_hash
from notary.core.merkle import MerkleTree
from notary.core.proof import K_MINOR, MAX_COMPACT_BYTES, FormatVersion, Proof
from notary.errors import FormatError

KEY = bytes(keccak256(b"notary test vector key 1"))
ISSUER = Account.from_key(KEY).address
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
STAMP = StampLayout(1, 0, 450, 36, 110, "Digital notarisiert", 12, "M", 3)


@cache
def _batch(n: int, chain_id: int = 31337) -> tuple[list[Proof], MerkleTree]:
    docs = [keccak256(b"doc %d" % i) for i in range(n)]
    claims = [
        Claims("zeugnis", "Abschlusszeugnis der Realschule", f"Änne Weiß {i}", dt.date(2025, 7, 15)) for i in range(n)
    ]
    salts = [Salt(keccak256(b"salt %d" % i)) for i in range(n)]
    # odd documents come as a PDF would carry them (hash + stamp), even ones as a QR does (the commitment)
    documents = [document_commitment(d, STAMP.placement_digest()) if i % 2 else d for i, d in enumerate(docs)]
    tree = MerkleTree.build([leaf_hash(d, c.digest(), s) for d, c, s in zip(documents, claims, salts, strict=True)])
    domain = BatchDomain(chain_id, REGISTRY)  # type: ignore[arg-type]
    batch = Batch(tree.root, n, 1752570000 + n)
    sig = sign_batch(KEY, domain, batch)
    proofs = [
        Proof(
            chain_id=chain_id,
            registry=domain.registry,
            root=tree.root,
            document_hash=docs[i] if i % 2 else None,
            document=None if i % 2 else docs[i],
            claims=claims[i],
            salt=salts[i],
            merkle_proof=tree.proof(i),
            issuer=ISSUER,
            signature=sig,
            issued_at=batch.issued_at,
            document_count=n,
            original_length=1000 + i,
            stamp=STAMP if i % 2 else None,
        )
        for i in range(n)
    ]
    return proofs, tree


def test_derived_values() -> None:
    proofs, tree = _batch(7)
    p = proofs[3]
    assert p.leaf() == tree.leaf(3)
    assert p.computed_root() == tree.root and p.root_matches()
    assert p.recover_signer() == ISSUER and p.signer_matches()


def test_tampering_is_visible_in_derived_values() -> None:
    p = _batch(7)[0][2]
    other_claims = replace(p.claims, holder="Mallory")
    assert not replace(p, claims=other_claims).root_matches()
    assert not replace(p, root=keccak256(b"x")).signer_matches()
    assert not replace(p, issuer="0x" + "11" * 20).signer_matches()


@given(st.integers(min_value=1, max_value=300), st.data())
def test_round_trips_for_any_batch_size(n: int, data: st.DataObject) -> None:
    proofs, _ = _batch(n)
    p = proofs[data.draw(st.integers(min_value=0, max_value=n - 1))]
    assert Proof.from_json(p.to_json()) == p
    assert Proof.from_compact(p.to_compact()) == p.for_qr()
    assert p.root_matches() and p.signer_matches()


def test_json_is_canonical_and_stable() -> None:
    p = _batch(5)[0][1]
    data = p.to_json()
    assert data == json.dumps(json.loads(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    pretty = json.dumps(json.loads(data), indent=4).encode()  # any formatting is read
    assert Proof.from_json(pretty).to_json() == data


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.update(version="1.7"), "unsupported-version"),
        (lambda d: d.update(version="1.1"), "non-canonical"),
        (lambda d: d["claims"].update(facts=[["Abschluss", "Mittlere Reife"]]), "unknown-field"),
        (lambda d: d.update(version="2.0"), "unsupported-version"),
        (lambda d: d.update(future={"x": 1}), "unknown-field"),
        (lambda d: d["claims"].update(grade="Gefälscht: Note 1,0"), "unknown-field"),
        (lambda d: d["stamp"].update(future="y"), "unknown-field"),
        (lambda d: d.update(original_length=None), "non-canonical"),
        (lambda d: d.update(document="0x" + "00" * 32), "non-canonical"),
        (lambda d: d.update(root=d["root"].upper().replace("0X", "0x")), "non-canonical"),
        (lambda d: d.update(registry=d["registry"].lower()), "non-canonical"),
        (lambda d: d.update(issuer="0x" + d["issuer"][2:].upper()), "non-canonical"),
        (lambda d: d["claims"].update(holder="Lena\u200bMüller"), "disallowed-text"),
    ],
)
def test_json_refuses_what_nobody_signed(change: Callable[[dict[str, Any]], None], code: str) -> None:
    """Nothing unsigned: an unknown member, a higher version, a second spelling is an error with its own code."""
    p = _batch(5)[0][1]
    d = json.loads(p.to_json())
    change(d)
    with pytest.raises(FormatError) as info:
        Proof.from_json(json.dumps(d, ensure_ascii=False).encode())
    assert error_code(info.value) == code


def test_json_without_pdf_fields() -> None:
    p = _batch(5)[0][0].for_qr()
    d = json.loads(p.to_json())
    assert "stamp" not in d and "original_length" not in d
    assert Proof.from_json(p.to_json()) == p


def test_compact_leaves_out_derived_fields() -> None:
    p = _batch(5)[0][1]
    obj = _cbor.loads(p.to_compact(), max_bytes=MAX_COMPACT_BYTES, what="x")
    assert sorted(obj) == list(range(10))
    assert p.root not in obj.values()
    assert bytes.fromhex(p.issuer[2:]) not in obj.values()


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        (11, "Gefälscht: Note 1,0", "unknown-field"),
        (99, b"future", "unknown-field"),
        (K_MINOR, 3, "unsupported-version"),
        (K_MINOR, 2, "non-canonical"),  # 1.2 adds stamp version 2, which a QR never carries
        (K_MINOR, 1, "non-canonical"),  # 1.1 without key facts: a proof states the lowest version it needs
        (K_MINOR, 0, "non-canonical"),
    ],
)
def test_compact_refuses_unknown_keys(key: int, value: object, code: str) -> None:
    p = _batch(5)[0][1]
    obj: dict[int, Any] = p.to_compact_obj()
    obj[key] = value
    with pytest.raises(FormatError) as info:
        Proof.from_compact(_cbor.dumps(obj))
    assert error_code(info.value) == code


@given(st.data())
def test_any_single_bit_flip_in_compact_is_rejected_or_changes_leaf_root_or_signer(data: st.DataObject) -> None:
    p = _batch(5)[0][3]
    raw = bytearray(p.to_compact())
    bit = data.draw(st.integers(min_value=0, max_value=8 * len(raw) - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    try:
        q = Proof.from_compact(bytes(raw))
    except FormatError:
        return
    assert (q.leaf(), q.root, q.issuer) != (p.leaf(), p.root, p.issuer)


def test_every_single_bit_flip_small_proof() -> None:
    # Exhaustive over a 1-document batch (the smallest payload): no flip is silently accepted.
    p = _batch(1)[0][0]
    raw = p.to_compact()
    accepted = 0
    for bit in range(8 * len(raw)):
        mutated = bytearray(raw)
        mutated[bit // 8] ^= 1 << (bit % 8)
        try:
            q = Proof.from_compact(bytes(mutated))
        except FormatError:
            continue
        accepted += 1
        assert (q.leaf(), q.root, q.issuer) != (p.leaf(), p.root, p.issuer)
    assert accepted > 0  # e.g. flips inside the salt parse fine but change the leaf


@given(st.binary(max_size=600))
def test_garbage_compact_raises_format_error_only(blob: bytes) -> None:
    with contextlib.suppress(FormatError):
        Proof.from_compact(blob)


@given(st.binary(max_size=600))
def test_garbage_json_raises_format_error_only(blob: bytes) -> None:
    with contextlib.suppress(FormatError):
        Proof.from_json(blob)


@given(st.data())
def test_truncated_inputs_are_rejected(data: st.DataObject) -> None:
    p = _batch(5)[0][1]
    j, c = p.to_json(), p.to_compact()
    cut_j = data.draw(st.integers(min_value=0, max_value=len(j) - 1))
    cut_c = data.draw(st.integers(min_value=0, max_value=len(c) - 1))
    with pytest.raises(FormatError):
        Proof.from_json(j[:cut_j])
    with pytest.raises(FormatError):
        Proof.from_compact(c[:cut_c])


def test_json_fuzzed_values_raise_format_error_only() -> None:
    p = _batch(5)[0][1]
    base = json.loads(p.to_json())
    weird: list[Any] = [None, True, 0, -1, 2**64, "", "0x", [], {}, "x" * 300, [None]]
    for key in base:
        for value in weird:
            d = {**base, key: value}
            try:
                Proof.from_json(json.dumps(d).encode())
            except FormatError:
                continue


def test_constructor_checks_depth_against_count() -> None:
    p = _batch(5)[0][1]
    with pytest.raises(FormatError, match="needs 6 or 7"):
        replace(p, document_count=100)
    with pytest.raises(FormatError, match="needs 0"):
        replace(p, document_count=1)


def test_constructor_normalises_plain_bytes() -> None:
    p = _batch(5)[0][1]
    q = replace(
        p,
        root=bytes(p.root),
        merkle_proof=[bytes(s) for s in p.merkle_proof],
        registry=p.registry.lower(),
    )
    assert q == p and isinstance(q.root, Digest32)


def test_version_rules() -> None:
    assert FormatVersion.parse("1.0") == FormatVersion(1, 0)
    assert str(FormatVersion.parse("1.12")) == "1.12"
    for bad in ("1", "1.0.0", "01.0", "1.01", "v1.0", "2.0", "0.9", 1.0):
        with pytest.raises(FormatError):
            FormatVersion.parse(bad)


def test_to_compact_refuses_oversized() -> None:
    p = _batch(5)[0][1]
    big = Claims("x", "€" * 200, "€" * 200, dt.date(2025, 1, 1), None, "€" * 64)
    q = replace(p, claims=big, merkle_proof=p.merkle_proof)
    assert len(q.to_compact()) < MAX_COMPACT_BYTES  # the largest claims still fit
    assert Proof.from_compact(q.to_compact()).claims == big


def test_with_stamp_is_replace_with_the_new_fields_checked() -> None:
    """Bulk issuance makes the carried proof from the QR form with ``with_stamp``: the very value replace() gives,
    and the same refusals for what is new (a stamp that is not a layout, a hash the commitment is not of, a
    length out of range)."""
    proofs, _ = _batch(6)
    other = StampLayout(1, 0, 400, 30, 113, "Digital geprüft", 12, "M", 5)
    for p in proofs[1::2]:  # carried in a PDF: hash + stamp
        assert p.document_hash is not None and p.stamp is not None
        qr = p.for_qr()
        made = qr.with_stamp(bytes(p.document_hash), p.stamp, 4321)
        expected = replace(qr, document_hash=p.document_hash, stamp=p.stamp, original_length=4321, version=None)
        assert made == expected and made.version == expected.version and made.to_json() == expected.to_json()
        assert type(made.document_hash) is Digest32
        with pytest.raises(FormatError, match="does not commit") as mine:
            qr.with_stamp(bytes(p.document_hash), other, 4321)
        with pytest.raises(FormatError, match="does not commit") as theirs:
            replace(qr, document_hash=p.document_hash, stamp=other, original_length=4321, version=None)
        assert str(mine.value) == str(theirs.value)
        with pytest.raises(FormatError, match="does not commit"):
            qr.with_stamp(b"\x01" * 32, p.stamp, 4321)
        with pytest.raises(FormatError):
            qr.with_stamp(bytes(p.document_hash), p.stamp, 0)
        with pytest.raises(FormatError, match="StampLayout"):
            qr.with_stamp(bytes(p.document_hash), "stamp", 4321)  # type: ignore[arg-type]
