"""Proofs encoded from per-batch pieces give exactly the bytes of the whole-value encoders they replace.

``Proof.to_json`` and ``Proof.to_compact`` encode the members a signed batch's proofs share once per batch and
put each proof's bytes together from pieces; ``for_qr``, ``with_stamp`` and ``for_leaf`` copy fields without
``__post_init__``; ``documents.build_proof`` checks a batch's values once. Below, FROZEN COPIES of the code
they replaced (as it was at d8a747e) are compared with them on many proofs: hypothesis over every field
(claims with key facts, valid_until, issuer_ref and non-ASCII text; both stamp versions; QR and PDF forms),
sequences that switch between batches (the pieces of the last batch are kept), corrupted job data (the same
error, type and message), and the real certificates of the benchmark corpus.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notary.core import _cbor
from notary.core.claims import Claims
from notary.core.eip712 import parse_address
from notary.core.hashing import Digest32
from notary.core.layout import StampLayout
from notary.core.leaves import document_commitment, leaf_hash
from notary.core.merkle import MerkleProof, proof_length_bounds
from notary.core.proof import (
    JSON_TYPE,
    K_CHAIN,
    K_CLAIMS,
    K_COUNT,
    K_DOCUMENT,
    K_ISSUED_AT,
    K_MAJOR,
    K_MERKLE,
    K_MINOR,
    K_REGISTRY,
    K_SALT,
    K_SIG,
    Proof,
    _stamp_json,
    required_version,
)
from notary.core.qr_payload import b45encode, encode_qr_text
from notary.issuance import documents

# --- frozen copies of the replaced code --------------------------------------------------------------------

_NAMES = tuple(f.name for f in fields(Proof))


def old_json_dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def old_to_json_dict(self: Proof) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": JSON_TYPE,
        "version": str(self.format_version),
        "chain_id": self.chain_id,
        "registry": self.registry,
        "root": self.root.to_hex(),
        "claims": self.claims.to_json_dict(),
        "salt": self.salt.to_hex(),
        "merkle_proof": self.merkle_proof.hex_list(),
        "issuer": self.issuer,
        "signature": "0x" + self.signature.hex(),
        "issued_at": self.issued_at,
        "document_count": self.document_count,
    }
    if self.original_length is not None:
        out["original_length"] = self.original_length
    if self.document_hash is not None and self.stamp is not None:
        out["document_hash"] = self.document_hash.to_hex()
        out["stamp"] = self.stamp.to_json_dict()
    else:
        out["document"] = self.document_digest.to_hex()
    return out


def old_to_json(self: Proof) -> bytes:
    return old_json_dumps(old_to_json_dict(self))


def old_to_compact(self: Proof) -> bytes:
    out: dict[int, Any] = {
        K_MAJOR: self.format_version.major,
        K_CHAIN: self.chain_id,
        K_REGISTRY: bytes.fromhex(self.registry[2:]),
        K_DOCUMENT: bytes(self.document_digest),
        K_CLAIMS: self.claims.to_compact_obj(),
        K_SALT: bytes(self.salt),
        K_MERKLE: self.merkle_proof.blob,
        K_SIG: self.signature,
        K_ISSUED_AT: self.issued_at,
        K_COUNT: self.document_count,
    }
    minor = required_version(self.claims).minor
    if minor:
        out[K_MINOR] = minor
    return cbor2.dumps(out, canonical=True)


def old_for_qr(self: Proof) -> Proof:
    qr = object.__new__(Proof)
    for name in _NAMES:
        object.__setattr__(qr, name, getattr(self, name))
    for name in ("document_hash", "stamp", "original_length"):
        object.__setattr__(qr, name, None)
    object.__setattr__(qr, "version", required_version(self.claims))
    return qr


def old_build_proof(job: documents.StampJob, document: Digest32) -> Proof:
    return Proof(
        chain_id=job.chain_id,
        registry=job.registry,  # type: ignore[arg-type]
        root=job.root,  # type: ignore[arg-type]
        document=document,
        claims=Claims.from_json(job.claims_json),
        salt=job.salt,  # type: ignore[arg-type]
        merkle_proof=MerkleProof(job.siblings),
        issuer=job.issuer,  # type: ignore[arg-type]
        signature=job.signature,
        issued_at=job.issued_at,
        document_count=job.count,
    )


# --- strategies --------------------------------------------------------------------------------------------

_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S")) | st.sampled_from(" äöüßÄÉ€😀\"\\/<>&'"),
    min_size=1,
    max_size=40,
).map(lambda s: " ".join(s.split()))


def _text_or_skip(text: str) -> str:
    return text if text else "x"


addresses = st.binary(min_size=20, max_size=20).map(lambda raw: parse_address("0x" + raw.hex()))
digests = st.binary(min_size=32, max_size=32).map(Digest32)
signatures = st.builds(
    lambda r, s, v: r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v]),
    st.integers(1, _N - 1),
    st.integers(1, _N // 2),
    st.sampled_from((27, 28)),
)


@st.composite
def claims(draw: st.DrawFn) -> Claims:
    issued = draw(st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31)))
    labels = draw(st.lists(_TEXT.map(_text_or_skip), max_size=3, unique=True))
    facts = [(label, _text_or_skip(draw(_TEXT))) for label in labels]
    try:
        return Claims.create(
            doc_type=draw(st.from_regex(r"[a-z0-9-]{1,32}", fullmatch=True)),
            title=_text_or_skip(draw(_TEXT)),
            holder=_text_or_skip(draw(_TEXT)),
            issued_on=issued,
            valid_until=draw(st.none() | st.dates(issued, dt.date(2099, 12, 31))),
            issuer_ref=draw(st.none() | _TEXT),
            facts=facts,
        )
    except Exception:  # text the rules refuse (a lone combining mark, ...): plain claims instead
        return Claims("zeugnis", "Zeugnis", "Jörg Ößwald", issued)


stamps = st.builds(
    lambda version, x, y, size, caption, qr_version, ecl, mask, url: StampLayout(
        version, 0, x, y, size, caption, qr_version, ecl, mask, url if version == 2 else ""
    ),
    st.sampled_from((1, 2)),
    st.integers(0, 14400),
    st.integers(0, 14400),
    st.integers(36, 1440),
    st.sampled_from(("", "Digital geprüft", "Geprüft: https://verify.example", "€ – ‚x‘")),
    st.integers(1, 40),
    st.sampled_from("LMQH"),
    st.integers(0, 7),
    st.sampled_from(("https://verify.example/#", "http://127.0.0.1:8000/#", "https://a.b/c/#")),
)


@st.composite
def batches(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "chain_id": draw(st.integers(1, 2**53 - 1) | st.sampled_from((1, 23, 24, 255, 256, 31337, 65536))),
        "registry": draw(addresses),
        "root": draw(digests),
        "claims": draw(claims()),
        "issuer": draw(addresses),
        "signature": draw(signatures),
        "issued_at": draw(st.integers(0, 2**53 - 1) | st.sampled_from((0, 23, 24, 1_700_000_000))),
        "document_count": draw(st.integers(1, 2**24 - 1) | st.integers(1, 300)),
    }


@st.composite
def proofs_of(draw: st.DrawFn, batch: dict[str, Any]) -> Proof:
    low, high = proof_length_bounds(batch["document_count"])
    depth = draw(st.integers(low, high))
    siblings = draw(st.binary(min_size=32 * depth, max_size=32 * depth))
    pdf_form = draw(st.booleans())
    return Proof(
        **batch,
        salt=draw(st.binary(min_size=32, max_size=32)),  # type: ignore[arg-type]
        merkle_proof=MerkleProof(siblings),
        document=None if pdf_form else draw(digests),
        document_hash=draw(digests) if pdf_form else None,
        stamp=draw(stamps) if pdf_form else None,
        original_length=draw(st.none() | st.integers(1, 2**53 - 1)) if pdf_form else None,
    )


@st.composite
def proof_runs(draw: st.DrawFn) -> list[Proof]:
    """Proofs of a few batches, in an order that switches between them (and so between kept pieces)."""
    shared = draw(st.lists(batches(), min_size=1, max_size=3))
    return [draw(proofs_of(draw(st.sampled_from(shared)))) for _ in range(draw(st.integers(1, 6)))]


def _assert_same_proof(new: Proof, old: Proof) -> None:
    assert new == old
    for name in _NAMES:
        assert type(getattr(new, name)) is type(getattr(old, name)), name


# --- the encoders --------------------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(proof_runs())
def test_json_and_compact_bytes_are_the_whole_value_encoders(run: list[Proof]) -> None:
    for proof in run:
        assert proof.to_json() == old_to_json(proof)
        assert proof.to_compact() == old_to_compact(proof)
        qr = proof.for_qr()
        _assert_same_proof(qr, old_for_qr(proof))
        assert qr.to_json() == old_to_json(old_for_qr(proof))
        assert qr.to_compact() == old_to_compact(old_for_qr(proof))
        assert Proof.from_json(proof.to_json()) == proof
        # the claims digest remembered for the last claims object is that object's
        assert proof.leaf() == leaf_hash(proof.document_digest, proof.claims.digest(), proof.salt)


@settings(max_examples=200, deadline=None)
@given(batches(), st.data())
def test_for_leaf_and_with_stamp_copy_exactly(batch: dict[str, Any], data: st.DataObject) -> None:
    template = data.draw(proofs_of(batch)).for_qr()
    other = data.draw(proofs_of(batch))
    siblings = other.merkle_proof.blob
    document = other.document_digest
    made = template.for_leaf(document, bytes(other.salt), siblings)
    _assert_same_proof(made, replace(template, document=document, salt=other.salt, merkle_proof=MerkleProof(siblings)))
    stamp = data.draw(stamps)
    doc_hash = data.draw(digests)
    qr = replace(made, document=document_commitment(doc_hash, stamp.placement_digest()))
    full = qr.with_stamp(doc_hash, stamp, 1234)
    _assert_same_proof(full, replace(qr, document_hash=doc_hash, stamp=stamp, original_length=1234, version=None))
    assert full.to_json() == old_to_json(full)


def test_cbor_heads_are_cbor2s() -> None:
    for n in [*range(70_000), 2**32 - 1, 2**32, 2**53, 2**64 - 1]:
        assert _cbor.head(0, n) == cbor2.dumps(n, canonical=True)
    for n in [*range(1100), 65_535, 65_536]:
        assert _cbor.head(2, n) + bytes(n) == cbor2.dumps(bytes(n), canonical=True)
    for n in range(24):
        assert _cbor.head(5, n) + b"".join(bytes([k, 0]) for k in range(n)) == cbor2.dumps(
            dict.fromkeys(range(n), 0), canonical=True
        )


# --- build_proof: the batch checked once -----------------------------------------------------------------


def _job(batch: dict[str, Any], salt: bytes, siblings: bytes, changes: dict[str, Any]) -> documents.StampJob:
    job = documents.StampJob(
        doc_id=0, src="in.pdf", out="out.pdf", doc_hash=bytes(32), size=1, claims_json=batch["claims"].to_json(),
        salt=salt, siblings=siblings, root=bytes(batch["root"]), chain_id=batch["chain_id"],
        registry=batch["registry"].lower(), issuer=batch["issuer"], signature=batch["signature"],
        issued_at=batch["issued_at"], count=batch["document_count"], placement=documents.Placement("Geprüft"),
        sidecar=False,
    )  # fmt: skip
    return replace(job, **changes)


CORRUPTIONS: list[dict[str, Any]] = [
    {},
    {"salt": bytes(31)},
    {"salt": "00" * 32},
    {"salt": bytearray(32)},
    {"siblings": bytes(31)},
    {"siblings": bytes(32 * 33)},
    {"siblings": b""},
    {"siblings": bytes(32 * 30)},
    {"siblings": bytearray(32)},
    {"chain_id": 0},
    {"chain_id": True},
    {"chain_id": 1.0},
    {"count": 0},
    {"count": True},
    {"count": 2**24},
    {"issued_at": -1},
    {"issued_at": False},
    {"root": bytes(31)},
    {"registry": "0x1234"},
    {"issuer": "not an address"},
    {"signature": bytes(65)},
    {"signature": bytearray(65)},
    {"claims_json": b"{}"},
    {"claims_json": b"not json"},
]


@settings(max_examples=60, deadline=None)
@given(batches(), st.data())
def test_build_proof_is_the_whole_construction(batch: dict[str, Any], data: st.DataObject) -> None:
    low, high = proof_length_bounds(batch["document_count"])
    depth = data.draw(st.integers(low, high))
    siblings = data.draw(st.binary(min_size=32 * depth, max_size=32 * depth))
    salt = data.draw(st.binary(min_size=32, max_size=32))
    documents_ = [data.draw(digests), bytes(data.draw(digests)), b"short"]
    for changes in CORRUPTIONS:
        job = _job(batch, salt, siblings, changes)
        for document in documents_:
            _assert_same_outcome(job, document)  # type: ignore[arg-type]


def _assert_same_outcome(job: documents.StampJob, document: Digest32) -> None:
    try:
        expected: Proof | BaseException = old_build_proof(job, document)
    except Exception as exc:
        expected = exc
    try:
        got: Proof | BaseException = documents.build_proof(job, document)
    except Exception as exc:
        got = exc
    if isinstance(expected, BaseException):
        assert type(got) is type(expected) and str(got) == str(expected)
    else:
        assert isinstance(got, Proof)
        _assert_same_proof(got, expected)


def test_a_job_of_another_batch_is_checked_as_its_own() -> None:
    """Equal values of another type (True for 1) are another batch: the first one's checks do not carry over."""
    batch = {"chain_id": 1, "registry": parse_address("0x" + "11" * 20), "root": Digest32(bytes(range(32))),
             "claims": Claims("zeugnis", "Zeugnis", "Ä", dt.date(2025, 1, 1)),
             "issuer": parse_address("0x" + "22" * 20), "signature": (5).to_bytes(32, "big") * 2 + b"\x1b",
             "issued_at": 1, "document_count": 1}  # fmt: skip
    good = _job(batch, bytes(32), b"", {})
    assert documents.build_proof(good, Digest32(bytes(32))).chain_id == 1
    changed: list[dict[str, Any]] = [{"chain_id": True}, {"count": True}, {"issued_at": True}]
    for changes in changed:
        with pytest.raises(Exception) as raised:
            old_build_proof(replace(good, **changes), Digest32(bytes(32)))
        with pytest.raises(type(raised.value), match=re.escape(str(raised.value))):
            documents.build_proof(replace(good, **changes), Digest32(bytes(32)))


# --- real certificates -------------------------------------------------------------------------------------


def test_corpus_documents_encode_as_before(tmp_path: Path) -> None:
    from bench.corpus import corpus

    speed = importlib.import_module("bench.stamp_speed")  # its jobs: a real batch of the corpus, signed
    placement, jobs_of = speed.PLACEMENT, speed._jobs
    from notary.pdf.default_layout import page_size_of
    from notary.pdf.original_pdf import read_original

    files = sorted(corpus(200).rglob("*.pdf"))[:40]
    jobs, _ = jobs_of(files, tmp_path)
    for job, path in zip(jobs, files, strict=True):
        original = path.read_bytes()
        doc = read_original(original)
        width, height = page_size_of(doc)
        document = document_commitment(Digest32(job.doc_hash), documents._placement_digest(placement, width, height))
        proof = documents.build_proof(job, document)
        _assert_same_proof(proof, old_build_proof(job, document))
        assert proof.root_matches()
        qr_text = encode_qr_text(proof.for_qr(), placement.qr_url)
        assert qr_text == placement.qr_url + "NT1:" + b45encode(old_to_compact(old_for_qr(proof)))
        notarised, full = documents._notarise(original, Digest32(job.doc_hash), proof, placement, doc)
        assert full.to_json() == old_to_json(full)
        assert notarised.startswith(original)


@settings(max_examples=200, deadline=None)
@given(st.lists(stamps, min_size=1, max_size=8))
def test_kept_stamp_json_is_the_stamps_own(layouts: list[StampLayout]) -> None:
    # equal layouts of other field types (a float coordinate) must not share their JSON
    floats = [replace(la, x=float(la.x)) for la in layouts]  # type: ignore[arg-type]
    for layout in [*layouts, *floats, *layouts]:
        assert _stamp_json(layout) == old_json_dumps(layout.to_json_dict()).decode("utf-8")
