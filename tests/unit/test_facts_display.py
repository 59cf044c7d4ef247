"""Key facts (format 1.1) are shown on the result page in the issuer's order, as "compare with the paper" rows,
and only when the verdict confirms them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from notary.chain import BatchRecord, DocumentView, IssuerRecord, State, StatusRecord
from notary.core.claims import Claims
from notary.core.proof import Proof
from notary.core.qr_payload import encode_qr_text
from verifier.checks import ChainFacts
from verifier.pipeline import Verifier
from verifier.result import Verdict, VerificationResult
from verifier.trust import TrustedEntry, TrustList
from verifier.web.view import result_view

FACTS = (("Abschluss", "Mittlerer Schulabschluss"), ("Durchschnittsnote", "1,7"))
CLAIMS = Claims("zeugnis", "Abschlusszeugnis", "Lena Müller", dt.date(2025, 7, 15), facts=FACTS).to_json_dict()


def test_facts_follow_the_other_claims_in_order() -> None:
    view = result_view(VerificationResult(Verdict.VALID, (), claims=CLAIMS, source="qr"), "de")
    assert view.claims[-2:] == [("Abschluss", "Mittlerer Schulabschluss"), ("Durchschnittsnote", "1,7")]


def test_facts_of_an_unconfirmed_proof_are_not_shown() -> None:
    view = result_view(VerificationResult(Verdict.INVALID, (), claims=CLAIMS, source="qr"), "en")
    assert view.claims == []


def test_claims_without_facts_are_unchanged() -> None:
    plain = {k: v for k, v in CLAIMS.items() if k != "facts"}
    rows = result_view(VerificationResult(Verdict.VALID, (), claims=plain, source="pdf"), "en").claims
    assert all(label not in ("Abschluss", "Durchschnittsnote") for label, _ in rows)


def test_a_qr_with_facts_verifies_and_reports_them(vector_generator: Any) -> None:
    """The whole pipeline on a 1.1 proof, with the chain's answers given (the facts vector's batch, anchored by
    the vector key, which was authorised): VALID, and the facts are in the result every renderer shows."""
    spec = next(s for s in vector_generator.SPECS if s["name"] == "facts")
    proof: Proof = vector_generator.build_proof(spec)
    entry = TrustedEntry("Vector registry", proof.chain_id, proof.registry, "memory", False)

    def facts(_: TrustedEntry, p: Proof) -> ChainFacts:
        active = StatusRecord(State.ACTIVE, 0, 0, 0)
        batch = BatchRecord(bytes(p.root), p.issuer, p.document_count, 100, p.issued_at)
        issuer = IssuerRecord(p.issuer, "Realschule am Park", 1, 0, 0, True, True, True)
        return ChainFacts(p.chain_id, DocumentView(True, batch, active, active), issuer, "0x" + "ab" * 32)

    verifier = Verifier(TrustList([entry]), facts_reader=facts, now=lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    result = verifier.verify_payload(encode_qr_text(proof.for_qr(), "HTTPS://VERIFY.EXAMPLE/#"))
    assert result.verdict is Verdict.VALID, [c.to_json() for c in result.checks]
    assert result.claims is not None and result.claims["facts"] == [list(f) for f in proof.claims.facts]
    rows = result_view(result, "de").claims
    assert ("Durchschnittsnote", "1,7") in rows
