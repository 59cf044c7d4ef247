"""Key facts (format 1.1) are shown on the result page in the issuer's order, as "compare with the paper" rows,
and only when the verdict confirms them."""

from __future__ import annotations

import datetime as dt

from notary.core.claims import Claims
from verifier.result import Verdict, VerificationResult
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
