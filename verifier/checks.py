"""The named checks. Each receives data (bytes, the parsed proof, facts read from the chain) and returns a
typed result; none of them fetches anything."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from notary.chain import DocumentView, IssuerRecord, State
from notary.chain import Reason as StatusReason
from notary.core import Proof
from notary.core.format_errors import error_code
from notary.core.qr_payload import stamp_qr_text
from notary.errors import FormatError, PdfError
from notary.pdf import check_notarisation_update
from notary.pdf.update_check import UpdateVerdict
from verifier.messages import format_date, texts
from verifier.result import CheckResult, Reason, Status
from verifier.trust import TrustedEntry, TrustList

STAMP_MARKER = b"%notary-stamp-v1"


@dataclass(frozen=True, slots=True)
class ChainFacts:
    """What the chain says about one document, read by the chain adapter in a few calls."""

    node_chain_id: int
    view: DocumentView
    issuer: IssuerRecord | None
    anchor_tx: str | None


def result(name: str, status: Status, reason: Reason, detail_de: str = "", detail_en: str = "") -> CheckResult:
    de, en = texts(name, reason)
    return CheckResult(name, status, reason, f"{de} {detail_de}".strip(), f"{en} {detail_en}".strip())


def ok(name: str) -> CheckResult:
    return result(name, Status.VALID, Reason.OK)


def skipped(name: str, reason: Reason = Reason.NOT_APPLICABLE) -> CheckResult:
    return result(name, Status.SKIPPED, reason)


def invalid(name: str, reason: Reason, detail_de: str = "", detail_en: str = "") -> CheckResult:
    return result(name, Status.INVALID, reason, detail_de, detail_en)


def format_reason(exc: FormatError, default: Reason) -> Reason:
    """The reason code for a proof that does not parse: the rule it broke (docs/proof-format.md §13), or
    ``default`` for a plain malformed input."""
    code = error_code(exc)
    return Reason(code) if code in _FORMAT_CODES else default


_FORMAT_CODES = frozenset(
    r.value
    for r in (
        Reason.UNKNOWN_FIELD,
        Reason.NON_CANONICAL,
        Reason.DISALLOWED_TEXT,
        Reason.UNSUPPORTED_VERSION,
        Reason.NOT_A_NOTARY_QR,
    )
)


def check_registry(proof: Proof, trust: TrustList) -> tuple[CheckResult, TrustedEntry | None]:
    entry = trust.lookup(proof.chain_id, proof.registry)
    if entry is None:
        where = (
            f"(Kette {proof.chain_id}, Register {proof.registry})",
            f"(chain {proof.chain_id}, registry {proof.registry})",
        )
        return invalid("registry", Reason.UNTRUSTED_REGISTRY, *where), None
    return result("registry", Status.VALID, Reason.OK, f"„{entry.name}“", f"“{entry.name}”"), entry


def check_integrity_notarised(pdf: bytes, proof: Proof) -> CheckResult:
    """The first ``original_length`` bytes are exactly the anchored original."""
    length = proof.original_length
    assert length is not None and proof.document_hash is not None
    if len(pdf) <= length:
        return invalid("integrity", Reason.LENGTH_MISMATCH)
    if hashlib.sha256(memoryview(pdf)[:length]).digest() == proof.document_hash:
        return ok("integrity")
    after = pdf[length : length + 1 + len(STAMP_MARKER)]
    # S§9: the marker right after the original, or after the one LF of S§4 step 1 — nowhere else
    if not (after.startswith(STAMP_MARKER) or after.startswith(b"\n" + STAMP_MARKER)):
        return invalid("integrity", Reason.FILE_REWRITTEN)
    return invalid("integrity", Reason.HASH_MISMATCH)


def check_integrity_original(pdf: bytes, proof: Proof) -> CheckResult:
    """An un-stamped original given with a separate proof file must be the anchored bytes, all of them."""
    if proof.original_length is not None and len(pdf) != proof.original_length:
        return invalid("integrity", Reason.LENGTH_MISMATCH)
    if proof.document_hash is None or hashlib.sha256(pdf).digest() != proof.document_hash:
        return invalid("integrity", Reason.HASH_MISMATCH)
    return ok("integrity")


def check_update(pdf: bytes, proof: Proof, proof_json: bytes) -> CheckResult:
    """What follows the original is exactly the notarisation update, regenerated from the embedded proof."""
    assert proof.original_length is not None
    if proof.stamp is None:
        return invalid("notarisation-update", Reason.UPDATE_MISMATCH)
    try:
        outcome = check_notarisation_update(pdf, proof.original_length, proof_json, stamp_qr_text(proof), proof.stamp)
    except PdfError:
        return invalid("notarisation-update", Reason.UPDATE_MISMATCH)
    if outcome.ok:
        return ok("notarisation-update")
    if outcome.verdict is UpdateVerdict.EXTRA_BYTES:
        return invalid("notarisation-update", Reason.EXTRA_CONTENT)
    return invalid("notarisation-update", Reason.UPDATE_MISMATCH)


def check_inclusion(proof: Proof) -> CheckResult:
    return ok("inclusion") if proof.root_matches() else invalid("inclusion", Reason.NOT_IN_BATCH)


def check_anchor(proof: Proof, facts: ChainFacts) -> CheckResult:
    batch = facts.view.batch
    if not batch.anchored:
        return invalid("anchor", Reason.NOT_ANCHORED)
    if not facts.view.included:
        return invalid("anchor", Reason.NOT_IN_BATCH)
    if batch.document_count != proof.document_count:
        return invalid("anchor", Reason.COUNT_MISMATCH)
    return ok("anchor")


def check_issuer(proof: Proof, facts: ChainFacts) -> CheckResult:
    batch, record = facts.view.batch, facts.issuer
    if batch.issuer != proof.issuer:
        return invalid("issuer", Reason.ISSUER_MISMATCH)
    if record is None or not record.authorised_at_block:
        return invalid("issuer", Reason.ISSUER_NOT_AUTHORISED)
    if not record.trusted_at_time:
        return invalid("issuer", Reason.ISSUER_COMPROMISED)
    return result("issuer", Status.VALID, Reason.OK, f"({record.name})", f"({record.name})")


def check_signer(proof: Proof) -> CheckResult:
    """The signature recovers to the proof's own ``issuer`` (docs/proof-format.md §13). Needs no chain, so a
    signature that is not the stated issuer's is INVALID even when the chain cannot be read."""
    try:
        signer = proof.recover_signer()
    except FormatError:  # recovers to no key
        return invalid("signature", Reason.BAD_SIGNATURE)
    return ok("signature") if signer == proof.issuer else invalid("signature", Reason.BAD_SIGNATURE)


def check_signature(proof: Proof, facts: ChainFacts) -> CheckResult:
    try:
        signer = proof.recover_signer()
    except Exception:
        return invalid("signature", Reason.BAD_SIGNATURE)
    return ok("signature") if signer == facts.view.batch.issuer else invalid("signature", Reason.BAD_SIGNATURE)


def check_status(facts: ChainFacts) -> CheckResult:
    for status in (facts.view.document_status, facts.view.batch_status):
        if status.state is State.REVOKED:
            de, en = _reason_words(status.reason)
            return invalid("status", Reason.REVOKED, de, en)
    for status in (facts.view.document_status, facts.view.batch_status):
        if status.state is State.SUSPENDED:
            de, en = _reason_words(status.reason)
            return invalid("status", Reason.SUSPENDED, de, en)
    return ok("status")


_REASON_WORDS = {
    StatusReason.SUPERSEDED: ("Grund: ersetzt durch ein neues Dokument.", "Reason: superseded by a new document."),
    StatusReason.ISSUED_IN_ERROR: ("Grund: irrtümlich ausgestellt.", "Reason: issued in error."),
    StatusReason.FRAUD: ("Grund: Betrug.", "Reason: fraud."),
    StatusReason.WITHDRAWN: ("Grund: zurückgezogen.", "Reason: withdrawn."),
    StatusReason.KEY_COMPROMISE: ("Grund: Schlüssel kompromittiert.", "Reason: key compromise."),
}


def _reason_words(code: int) -> tuple[str, str]:
    try:
        return _REASON_WORDS[StatusReason(code)]
    except (ValueError, KeyError):
        return ("", "")


def check_expiry(proof: Proof, today: dt.date) -> CheckResult:
    until = proof.claims.valid_until
    if until is None:
        return skipped("expiry")
    if today > until:
        de, en = f"(gültig bis {format_date(until, 'de')})", f"(valid until {format_date(until, 'en')})"
        return invalid("expiry", Reason.EXPIRED, de, en)
    return ok("expiry")
