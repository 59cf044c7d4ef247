"""The committed test vectors (tests/vectors/*.json) pin the proof format byte for byte."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import base45
import pytest

from notary.chain.records import BatchRecord, DocumentView, IssuerRecord, State, StatusRecord
from notary.core.eip712 import batch_struct_hash, domain_separator
from notary.core.hashing import Digest32
from notary.core.merkle import MerkleTree
from notary.core.proof import Proof
from notary.core.qr_payload import decode_qr_text, encode_qr_text
from notary.errors import ChainError, FormatError
from verifier.checks import ChainFacts
from verifier.pipeline import Verifier, prepare_payload
from verifier.result import Status
from verifier.trust import TrustedEntry, TrustList


def test_valid_vector_parses_to_expected_values(valid_vector: dict[str, Any]) -> None:
    """What an independent verifier does: read the stored bytes, derive, compare with stored values."""
    e = valid_vector["expected"]
    from_json = Proof.from_json(e["proof_json"].encode("utf-8"))
    from_compact = Proof.from_compact(bytes.fromhex(e["compact"][2:]))
    from_qr = decode_qr_text(e["qr_text"])
    assert from_compact == from_qr == from_json.for_qr()
    assert from_json.document_hash is not None and from_json.document_hash.to_hex() == e["document_hash"]
    assert from_json.stamp is not None and from_json.stamp.placement_digest().to_hex() == e["placement_digest"]
    for p in (from_json, from_compact):
        assert p.document_digest.to_hex() == e["document"]
        assert "0x" + p.claims.canonical_bytes().hex() == e["claims_canonical"]
        assert p.claims_digest().to_hex() == e["claims_digest"]
        assert p.leaf().to_hex() == e["leaf"]
        assert p.computed_root().to_hex() == p.root.to_hex() == e["root"]
        assert p.merkle_proof.hex_list() == e["merkle_proof"]
        assert domain_separator(p.domain()).to_hex() == e["domain_separator"]
        assert batch_struct_hash(p.batch()).to_hex() == e["struct_hash"]
        assert p.signing_digest().to_hex() == e["signing_digest"]
        assert p.recover_signer() == p.issuer == e["signer"]


def test_valid_vector_inputs_are_enough(valid_vector: dict[str, Any]) -> None:
    """Gap 7 of issue 12: the file holds what a stranger needs to recompute the values without generate.py."""
    inputs, e = valid_vector["inputs"], valid_vector["expected"]
    assert hashlib.sha256(inputs["document_pdf"].encode("utf-8")).hexdigest() == e["document_hash"][2:]
    if "leaves" in inputs:
        tree = MerkleTree.build([Digest32.from_hex(h) for h in inputs["leaves"]])
        assert tree.root.to_hex() == e["root"]
        index = valid_vector["spec"]["index"]
        assert inputs["leaves"][index] == e["leaf"] and tree.proof(index).hex_list() == e["merkle_proof"]


def test_valid_vector_is_reproduced_byte_for_byte(valid_vector: dict[str, Any], vector_generator: ModuleType) -> None:
    """The encoders still produce exactly the pinned JSON bytes, compact bytes and QR text."""
    spec, e = valid_vector["spec"], valid_vector["expected"]
    proof = vector_generator.build_proof(spec)
    assert proof.to_json() == e["proof_json"].encode("utf-8")
    assert "0x" + proof.to_compact().hex() == e["compact"]
    assert encode_qr_text(proof, spec["url_prefix"]) == e["qr_text"]
    assert "0x" + proof.signature.hex() == e["signature"]  # RFC 6979 signatures are deterministic
    pdf = vector_generator.document_pdf(spec["name"], spec["index"])
    assert hashlib.sha256(pdf).hexdigest() == e["document_hash"][2:]


def test_invalid_json_vector(invalid_json_vector: dict[str, Any], vector_generator: ModuleType) -> None:
    with pytest.raises(FormatError) as info:
        Proof.from_json(invalid_json_vector["data"])
    assert invalid_json_vector["error"] in str(info.value)
    assert vector_generator.reason_code(info.value) == invalid_json_vector["code"]


def test_invalid_compact_vector(invalid_compact_vector: dict[str, Any], vector_generator: ModuleType) -> None:
    with pytest.raises(FormatError) as info:
        Proof.from_compact(invalid_compact_vector["data"])
    assert invalid_compact_vector["error"] in str(info.value)
    assert vector_generator.reason_code(info.value) == invalid_compact_vector["code"]


def test_invalid_qr_vector(invalid_qr_vector: dict[str, Any], vector_generator: ModuleType) -> None:
    with pytest.raises(FormatError) as info:
        decode_qr_text(invalid_qr_vector["data"])
    assert invalid_qr_vector["error"] in str(info.value)
    assert vector_generator.reason_code(info.value, qr=True) == invalid_qr_vector["code"]


def test_invalid_compact_vector_in_a_qr_code_gets_the_same_code(invalid_compact_vector: dict[str, Any]) -> None:
    """Gap 1 of the review: NT1 base45 text around a broken compact proof is reported with the compact vector's
    code by the verifier itself (not ``not-a-notary-qr``), whatever route the text takes."""
    text = "NT1:" + base45.b45encode(invalid_compact_vector["data"]).decode("ascii")
    failure = prepare_payload(TrustList([]), text).failure
    # §8: "NT1:" with nothing after it carries no proof at all, so it is someone else's text
    expected = "not-a-notary-qr" if not invalid_compact_vector["data"] else invalid_compact_vector["code"]
    assert failure is not None and failure.checks[0].reason.value == expected


def test_invalid_qr_vector_code_is_the_verifiers(invalid_qr_vector: dict[str, Any]) -> None:
    failure = prepare_payload(TrustList([]), invalid_qr_vector["data"]).failure
    assert failure is not None and failure.checks[0].reason.value == invalid_qr_vector["code"]


VERDICTS = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "verdicts.json").read_text("utf-8"))


@pytest.mark.parametrize("case", VERDICTS["cases"], ids=[c["name"] for c in VERDICTS["cases"]])
def test_verdict_vector(case: dict[str, Any]) -> None:
    """tests/vectors/verdicts.json: the checks that need no chain, and the verdict when the chain confirms what
    the proof states (docs/proof-format.md §13, verdict_without_chain), from a real Verifier."""
    given, expected = case["input"], case["expected"]
    entry = TrustedEntry("vectors", 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", "memory", False)
    trust = TrustList([entry] if given.get("trusted", True) else [])

    def confirming(_: TrustedEntry, proof: Proof) -> ChainFacts:  # the chain says what the proof says
        return _confirming_facts(proof)

    today = dt.date.fromisoformat(given["today"])
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=ZoneInfo("Europe/Berlin"))
    verifier = Verifier(trust, facts_reader=confirming, now=lambda: noon)
    if "qr_text" in given:
        got = verifier.verify_payload(given["qr_text"])
    else:
        got = verifier.verify_pdf_with_proof(given["pdf_text"].encode("utf-8"), given["proof_json"].encode("utf-8"))
    offline = ("format", "registry", "integrity", "notarisation-update", "inclusion", "signature", "expiry")
    failing = {c.name: c.reason.value for c in got.checks if c.status is Status.INVALID and c.name in offline}
    assert failing == expected["invalid_checks"]
    assert got.verdict.value == expected["verdict_without_chain"]


def test_signer_not_issuer_is_invalid_while_the_chain_is_down() -> None:
    """Review gap 3: a signature that is not the stated issuer's is decided without the chain (P§13), so it is
    INVALID, not ERROR, when no node answers."""
    case = next(c for c in VERDICTS["cases"] if c["name"] == "json signer is not issuer")
    entry = TrustedEntry("vectors", 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", "memory", False)

    def down(_: TrustedEntry, __: Proof) -> ChainFacts:
        raise ChainError("no node answers")

    got = Verifier(TrustList([entry]), facts_reader=down).verify_pdf_with_proof(
        case["input"]["pdf_text"].encode("utf-8"), case["input"]["proof_json"].encode("utf-8")
    )
    assert got.check("signature").status is Status.INVALID and got.check("signature").reason.value == "bad-signature"
    assert got.check("anchor").status is Status.ERROR and got.verdict.value == "INVALID"


def _confirming_facts(proof: Proof) -> ChainFacts:
    batch = BatchRecord(bytes(proof.root), proof.issuer, proof.document_count, 1, proof.issued_at)
    active = StatusRecord(State.ACTIVE, 0, 0, 0)
    issuer = IssuerRecord(proof.issuer, "Testschule", 1, 0, 0, True, True, True)
    return ChainFacts(31337, DocumentView(True, batch, active, active), issuer, None)


def test_reason_codes_are_the_verifiers() -> None:
    """Every code a vector names is a reason code the verifier reports (verifier/result.py)."""
    from verifier.result import Reason

    for code in ("malformed-proof", "not-a-notary-qr", "unknown-field", "non-canonical", "disallowed-text",
                 "unsupported-version"):  # fmt: skip
        assert Reason(code).value == code


def test_vector_files_are_up_to_date(vector_generator: ModuleType, vector_file: Any) -> None:
    for name, text in vector_generator.render().items():
        assert vector_file(name) is not None
        with open(vector_generator.HERE / name, encoding="utf-8") as f:
            assert f.read() == text, f"{name} differs from a fresh generation"


def test_pinned_vector_literal() -> None:
    """One full vector spelled out here, so a change to the files alone cannot hide a format change."""
    p = decode_qr_text(PINNED_QR)
    assert p.to_compact().hex() == PINNED_COMPACT_HEX
    assert p.leaf().to_hex() == PINNED_LEAF
    assert p.root.to_hex() == PINNED_ROOT
    assert p.issuer == PINNED_SIGNER


PINNED_QR = (
    "HTTPS://VERIFY.EXAMPLE/#NT1:5MLW50-C3ENL45L:TA7:NUA6PBFP-TD6DCJ6S08R:5Y13GRKF6B82H::C-DB9J3QKN.J"
    "2U8BWB7+J4GPAZXHCBF0LBHR1LQOFMGXP0U3D8$CI3D+EDG8F/B8JQE29D7%E.QE8$CI3D+EDC445$C*34X C/VDNPC0%E2$"
    "CCWOA/DDZC82BUGDB5K-Q6L/6*60120620IU0V74.7LTIRX36TITE5SNHN$VBU0S5%H 5GEL1VFVQ2WFSD:OV%+OFBBO48-:"
    "BQO2VA74EB06VX3SSP6NON:ZKLPBT4PA3IBNHBGT XB4E2TOIB1AWWIS*LT3IJ74%1V.3A4:DR7S:WD:$3A35PJP4WI.L9I/"
    "2D%MJDQ0*D8$U:3I686S*T/UHB8NAUULN7.U9MNBLLJQYOQ:DR/4J/V-V38W7U4S966NHBQV0XY8 %KV9QCAWA$87OECWR0C"
    "RUQ085Q1-G*NP4UT:U1L:UBXRY6WIXR7V5C+SCBJC8BU:8OAKAX71TK9TM55AEKVSREITL82V142%3ELVH9WLT-TA$7T67KL"
    "9H TRC5WD5 Y5K O NAH6OGM4JCKCY9*KU4LRTTHMAB1+38:BMXS2ZS0X6+WT6%LOXP2MF37OW9JEP8ZR4O96NRF:G1P020S"
    "UYC9VKGSPO3%K3MT35F%4VT84K5LY14ZVR%0I2.IX2WE VD3QM7HY$GE5SCECW91CMMC%3T29V8H:7HFYC*BG4OJB$NRE637"
    "B9NP9-K23N0YOAGFF-6*925SDPJB %8Y%HR3169E+DT5QM/PNN48YD3ZW9+P8U.PZOOJBTW.F.XPJXIRF9O1SA%TQ.3 +CGC"
    "IZI3AF3$-EZKID7375"
)
PINNED_COMPACT_HEX = (
    "aa0001011a00aa36a702545fbdb2315678afecb367f032d93f642f64180aa303582086db66d459751b1bb98d13535889"
    "396e2323538f8c6978a25ab40cb9c27f827d0486677a6575676e6973781f41627363686c7573737a6575676e69732064"
    "6572205265616c736368756c656fc3846e6e6520576569c39f203431371a0135005b0060055820fea782d8da301ee8ac"
    "de6bb9035c9bdd9a8d2c7f950ba8f7f9fd946bd0f99bc506590140145ee814243940597df645de2433f7ba3ea4875b7d"
    "c6928ef38a8fe8405cf4124c92b74f529422ad148f0620f2f58a4fcb6e95ded26ca11e68281ec93194064b0c1773b4c1"
    "d0066db0f3d78f1530e4ec5c8beab762f29e3b7f4ca15b249a11c3ec6eab274efcd91d573d07de4e308d5a17058d4563"
    "a506cf5efeee45d372fddb3fd7af04b0ce9385c6c9f3eaaf0d5bf51fdb6bfe50db722d07e490984658774722a00e3d36"
    "a34eb3285000f8c97399ab48f59910876f6b8c01abc6ecb73dea388a4af6ebca29c429f62dabc4405349bef72392a063"
    "4d37f0f9d9488baf58db1ec45ec7e35fe3a53543eb2dacd1cba67a87bf16980043bb248631237b7d0ae50febf23a496f"
    "8233c259a4e5e946778bf6112129a7121ff3db298e8895c6fd9bfb99ce3e87ca8533de6b616e099eb1f01e7547a88800"
    "87e064f580a69a87bc7b32075841c9d5a572b678c3d2798136ba118e6bc65a73461a8d49088b7059e7d6b29dba7f4013"
    "1a264cf443d5cd41c233e7677e29cbb8944249efddc1ec1d1f376618908e1b081a68761892091903e8"
)
PINNED_LEAF = "0x145a04d08e137da2ea0610d6d7f818f0afc7ff97711509bd6b43b60e1090ee60"
PINNED_ROOT = "0xacd8eba9cd0973165de80cfa32e60a1ba17a3083a6f0e8badd338e889b6cd24f"
PINNED_SIGNER = "0x49e43F1A3237012B1D411d2e04d708C219D033c8"
