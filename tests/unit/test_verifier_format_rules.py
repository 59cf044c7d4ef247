"""The verifier turns every broken format rule into a verdict with a stable reason code (docs/proof-format.md
§13): unknown keys and second spellings are INVALID, an unknown version is ERROR (could not check)."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import base45
import pytest

from notary.core import _cbor
from notary.core.proof import Proof
from notary.core.qr_payload import encode_qr_text
from notary.pdf import default_layout, page_size, stamp_pdf
from notary.pdf.samples import SAMPLE_PUPILS, make_certificate
from verifier.pipeline import prepare_payload, prepare_pdf, prepare_pdf_with_proof
from verifier.result import Reason, Status, Verdict
from verifier.trust import TrustedEntry, TrustList


@pytest.fixture(scope="module")
def genuine(vector_generator: ModuleType) -> Proof:
    proof: Proof = vector_generator.build_proof(vector_generator.SPECS[1])
    return proof


@pytest.fixture(scope="module")
def trust(genuine: Proof) -> TrustList:
    return TrustList([TrustedEntry("Vector registry", genuine.chain_id, genuine.registry, "memory", False)])


def _qr_with(proof: Proof, key: int, value: Any) -> str:
    obj = proof.to_compact_obj()
    obj[key] = value
    return "NT1:" + base45.b45encode(_cbor.dumps(obj)).decode()


def test_genuine_qr_passes_the_parse_stage(genuine: Proof, trust: TrustList) -> None:
    prepared = prepare_payload(trust, encode_qr_text(genuine.for_qr()))
    assert prepared.failure is None
    assert all(c.status in (Status.VALID, Status.SKIPPED) for c in prepared.checks.values())


def test_cbor_key_11_makes_a_genuine_qr_invalid(genuine: Proof, trust: TrustList) -> None:
    """The issue's forgery: 'Gefälscht: Note 1,0' under an unknown key used to verify VALID."""
    prepared = prepare_payload(trust, _qr_with(genuine.for_qr(), 11, "Gefälscht: Note 1,0"))
    assert prepared.failure is not None
    assert prepared.failure.verdict is Verdict.INVALID
    assert prepared.failure.check("format").reason is Reason.UNKNOWN_FIELD


def test_a_newer_minor_version_is_could_not_check(genuine: Proof, trust: TrustList) -> None:
    for text in (_qr_with(genuine.for_qr(), 10, 3), "NT2:" + encode_qr_text(genuine.for_qr())[4:]):
        prepared = prepare_payload(trust, text)
        assert prepared.failure is not None
        assert prepared.failure.verdict is Verdict.NOT_CHECKABLE
        assert prepared.failure.check("format").reason is Reason.UNSUPPORTED_VERSION


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(grade="1,0"), Reason.UNKNOWN_FIELD),
        (lambda d: d["claims"].update(note="Gefälscht: Note 1,0"), Reason.UNKNOWN_FIELD),
        (lambda d: d.update(issuer=d["issuer"].lower()), Reason.NON_CANONICAL),
        (lambda d: d["claims"].update(holder="Björn\u200bGroß"), Reason.DISALLOWED_TEXT),
        (lambda d: d["claims"].update(title="Geburtsurkunde" + "\u0336" * 3), Reason.DISALLOWED_TEXT),
        (lambda d: d["stamp"].update(caption="Digital\u3164geprüft"), Reason.DISALLOWED_TEXT),
        (lambda d: d.update(version="1.3"), Reason.UNSUPPORTED_VERSION),
    ],
)
def test_sidecar_proof_rules(genuine: Proof, trust: TrustList, change: Any, reason: Reason) -> None:
    d = json.loads(genuine.to_json())
    change(d)
    prepared = prepare_pdf_with_proof(trust, b"%PDF-1.7\n", json.dumps(d, ensure_ascii=False).encode())
    assert prepared.failure is not None
    assert prepared.failure.check("format").reason is reason


@pytest.fixture(scope="module")
def original() -> bytes:
    return make_certificate(SAMPLE_PUPILS[0])


def test_unknown_member_in_the_pdf_attachment(genuine: Proof, trust: TrustList, original: bytes) -> None:
    """Even a canonical-looking attachment with one extra member is refused, with its own reason code."""
    d = json.loads(genuine.to_json())
    d["zusatz"] = "Gefälscht: Note 1,0"
    forged_json = json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    qr = encode_qr_text(genuine.for_qr())
    layout = default_layout(*page_size(original), qr, "Digital geprüft")
    pdf = stamp_pdf(original, proof_json=forged_json, qr_text=qr, layout=layout)
    prepared = prepare_pdf(trust, pdf)
    assert prepared.failure is not None and prepared.failure.verdict is Verdict.INVALID
    assert prepared.failure.check("format").reason is Reason.UNKNOWN_FIELD


def test_a_re_spelled_pdf_attachment_is_non_canonical(genuine: Proof, trust: TrustList, original: bytes) -> None:
    pretty = json.dumps(json.loads(genuine.to_json()), indent=1, ensure_ascii=False).encode()
    qr = encode_qr_text(genuine.for_qr())
    layout = default_layout(*page_size(original), qr, "Digital geprüft")
    pdf = stamp_pdf(original, proof_json=pretty, qr_text=qr, layout=layout)
    prepared = prepare_pdf(trust, pdf)
    assert prepared.failure is not None and prepared.failure.check("format").reason is Reason.NON_CANONICAL
