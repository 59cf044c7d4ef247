"""The verification pipeline: parse the input, read the chain facts once, run the named checks, add up the
verdict. The CLI, the JSON API and the web page all call this and render its result."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from notary.chain import Registry, connect
from notary.core import Proof, decode_qr_text
from notary.errors import ChainError, FormatError, PdfError
from notary.pdf import read_attached_proof
from notary.pdf.incremental_update import MAGIC_COMMENT
from verifier import checks
from verifier.checks import ChainFacts, invalid, result, skipped
from verifier.page_images import find_in_pdf
from verifier.qr_image import search as search_image
from verifier.result import NOT_CHECKABLE_REASONS, CheckResult, Reason, Status, Verdict, VerificationResult
from verifier.seal_check import seal_stage
from verifier.trust import TrustedEntry, TrustList
from verifier.witnesses import WitnessError, Witnesses

ORDER = (
    "format", "registry", "integrity", "notarisation-update", "inclusion",
    "anchor", "issuer", "signature", "status", "expiry",
)  # fmt: skip
LOCAL_TIME = ZoneInfo("Europe/Berlin")


def read_facts(registry: Registry, proof: Proof) -> ChainFacts:
    """Everything the chain checks need, read by the chain adapter. What can change (document and batch status,
    the issuer's standing) is read as of the latest block on every call, in one JSON-RPC round trip once the
    batch is known; only the anchoring transaction, fixed for a root and its block, is read once."""
    root = bytes(proof.root)
    # roots are per issuer on chain: the batch is read in the namespace of the issuer the proof names (its signer)
    leaf, path = bytes(proof.leaf()), [bytes(p) for p in proof.merkle_proof]
    view, issuer = registry.document_and_issuer(root, leaf, path, proof.issuer)
    tx = registry.anchor_tx(root, view.batch.block_number, proof.issuer) if view.batch.anchored else None
    return ChainFacts(registry.chain_id, view, issuer, tx)


class Verifier:
    """Verifies documents against the trusted registries. Stateless apart from connection reuse."""

    def __init__(
        self,
        trust: TrustList,
        *,
        facts_reader: Callable[[TrustedEntry, Proof], ChainFacts] | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.trust = trust
        self._now = now
        self._registries: dict[tuple[int, str], Registry] = {}
        self._lock = threading.Lock()
        self.witnesses = Witnesses()
        self._read_facts = facts_reader or self._read_facts_from_chain

    def registry_for(self, entry: TrustedEntry) -> Registry:
        key = (entry.chain_id, entry.address.lower())
        with self._lock:
            if key not in self._registries:
                self._registries[key] = Registry(connect(entry.rpc_url), entry.address)
            return self._registries[key]

    def _read_facts_from_chain(self, entry: TrustedEntry, proof: Proof) -> ChainFacts:
        return self.witnesses.facts(entry, proof)  # every endpoint of the entry, agreeing (verifier/witnesses.py)

    # ------------------------------------------------------------------ inputs (in-process: parse, then chain)

    def verify_pdf(self, pdf: bytes) -> VerificationResult:
        """A notarised PDF: the proof is read from its attachment."""
        return self.finish(prepare_pdf(self.trust, pdf))

    def verify_pdf_with_proof(self, pdf: bytes, proof_json: bytes) -> VerificationResult:
        """An original (un-stamped) PDF with its proof in a separate file."""
        return self.finish(prepare_pdf_with_proof(self.trust, pdf, proof_json))

    def verify_payload(self, text: str) -> VerificationResult:
        """The text of a QR code (as a scanner app shows it)."""
        return self.finish(prepare_payload(self.trust, text))

    def verify_image(self, image: bytes) -> VerificationResult:
        """A photo or scan containing the QR code."""
        return self.finish(prepare_image(self.trust, image))

    # ------------------------------------------------------------------ the chain stage

    def finish(self, prepared: Prepared) -> VerificationResult:
        """The chain checks and the verdict for what the parse stage found. Touches no uploaded bytes: only the
        parsed proof and the parse stage's check results (so it may run where untrusted input must not)."""
        if prepared.failure is not None:
            return replace(prepared.failure, preview_png=prepared.preview_png)
        proof = prepared.proof
        assert proof is not None
        out = dict(prepared.checks)
        # judged again here: the chain is read for this process's trust list, whatever the parse stage said
        out["registry"], entry = _guard("registry", lambda: checks.check_registry(proof, self.trust))
        out["expiry"] = checks.check_expiry(proof, self._now().astimezone(LOCAL_TIME).date())
        facts = self._chain_checks(proof, entry, out)
        offline_signature = prepared.checks.get("signature")
        if offline_signature is not None and offline_signature.status is Status.INVALID:
            out["signature"] = offline_signature  # decided without the chain: stays, whatever the chain said
        ordered = tuple(out[name] for name in (*ORDER, "seal") if name in out)
        return VerificationResult(
            verdict=verdict(ordered, require_seal=bool(entry and entry.require_seal)),
            checks=ordered,
            issuer=_issuer_json(proof, facts),
            anchor=_anchor_json(proof, facts),
            claims=proof.claims.to_json_dict(),
            source=prepared.source,
            registry_name=entry.name if entry else None,
            production=entry.production if entry else None,
            preview_png=prepared.preview_png,
            seal=prepared.seal,
        )

    def _chain_checks(self, proof: Proof, entry: TrustedEntry | None, out: dict[str, CheckResult]) -> ChainFacts | None:
        """Read the facts once, then judge anchor, issuer, signature and status (in ``out``)."""
        chain_checks = ("anchor", "issuer", "signature", "status")
        if entry is None:
            out.update({name: skipped(name, Reason.NOT_REACHED) for name in chain_checks})
            return None
        try:
            facts = self._read_facts(entry, proof)
        except WitnessError as exc:
            detail = f"({exc})"
            # the exception's words are technical and English: the English text only, never the German one
            out.update({n: result(n, Status.ERROR, exc.reason, "", detail) for n in chain_checks})
            return None
        except ChainError as exc:
            detail = f"({exc})"
            out.update({n: result(n, Status.ERROR, Reason.CHAIN_UNREACHABLE, "", detail) for n in chain_checks})
            return None
        if facts.node_chain_id != entry.chain_id:
            out.update({name: result(name, Status.ERROR, Reason.WRONG_CHAIN) for name in chain_checks})
            return None
        out["anchor"] = _guard1("anchor", lambda: checks.check_anchor(proof, facts))
        anchored = out["anchor"].status is Status.VALID
        judged: dict[str, Callable[[], CheckResult]] = {
            "issuer": lambda: checks.check_issuer(proof, facts),
            "signature": lambda: checks.check_signature(proof, facts),
            "status": lambda: checks.check_status(facts),
        }
        for name, judge in judged.items():
            out[name] = _guard1(name, judge) if anchored else skipped(name, Reason.NOT_REACHED)
        return facts


# ---------------------------------------------------------------------- the parse stage (untrusted bytes)


@dataclass(frozen=True)
class Prepared:
    """What the parse stage found in the input: a final result when it failed before a usable proof was read,
    else the proof and the checks that need no chain (format, registry, integrity, notarisation-update,
    inclusion, and signature against the proof's own issuer). Plain data, so it can come back from an isolated
    worker process (verifier/isolation.py)."""

    source: str
    proof: Proof | None = None
    checks: dict[str, CheckResult] = field(default_factory=dict)
    failure: VerificationResult | None = None
    preview_png: bytes | None = None  # page 1 of a PDF input, when asked for (the web page shows it)
    seal: dict[str, object] | None = None  # the city's seal as shown (verifier/seal_check.py), None: none


def prepare_pdf(trust: TrustList, pdf: bytes) -> Prepared:
    """A notarised PDF: the proof is read from its attachment."""
    try:
        proof_json = read_attached_proof(pdf)
    except PdfError:
        return _failed("pdf", Reason.UNREADABLE_PDF)
    if proof_json is None:
        if MAGIC_COMMENT in pdf:
            # notarised, then a later change removed the proof: the QR still drawn on the page must not turn
            # this file into "paper" whose details are confirmed
            return _failed("pdf", Reason.EXTRA_CONTENT, "a change after the notarisation update removed the proof")
        return search_page_images(trust, pdf)
    try:
        proof = Proof.from_json(proof_json)
    except FormatError as exc:
        return _failed("pdf", checks.format_reason(exc, Reason.MALFORMED_PROOF), str(exc))
    if proof.original_length is None or proof.stamp is None:
        return _failed("pdf", Reason.MALFORMED_PROOF, "no original length or stamp layout")
    if proof.to_json() != proof_json:
        # the attachment is shown by any PDF viewer: extra members or another spelling would be unsigned text
        return _failed("pdf", Reason.NON_CANONICAL, "the embedded proof is not in canonical form")
    return _prepare(trust, "pdf", proof, pdf=pdf, proof_json=proof_json)


def search_page_images(trust: TrustList, pdf: bytes) -> Prepared:
    """A PDF without an embedded proof may be a scan of the paper: the QR is searched for in its page images and,
    if found, verified as paper (source "scan", scope claims). Nothing found: no-proof for a PDF that is not a
    scan, scan-without-qr for one whose pages are images."""
    found = find_in_pdf(pdf)
    if not found.texts:
        detail = f"the scanned pages look {found.quality.removeprefix('image-')}" if found.quality else found.detail
        return _failed("pdf", Reason(found.reason or Reason.NO_PROOF), detail)
    return _first_notary_qr(trust, list(found.texts), "scan", _failed("pdf", Reason.SCAN_WITHOUT_QR))


def prepare_pdf_with_proof(trust: TrustList, pdf: bytes, proof_json: bytes) -> Prepared:
    """An original (un-stamped) PDF with its proof in a separate file."""
    try:
        proof = Proof.from_json(proof_json)
    except FormatError as exc:
        return _failed("pdf+proof", checks.format_reason(exc, Reason.MALFORMED_PROOF), str(exc))
    if proof.document_hash is None:
        return _failed("pdf+proof", Reason.MALFORMED_PROOF, "the proof does not name the PDF's hash")
    return _prepare(trust, "pdf+proof", proof, pdf=pdf)


def prepare_payload(trust: TrustList, text: str) -> Prepared:
    """The text of a QR code (as a scanner app shows it)."""
    try:
        proof = decode_qr_text(text)
    except FormatError as exc:
        # a broken proof in NT1 base45 text is malformed-proof; not NT1 base45 at all raises not-a-notary-qr (§8)
        return _failed("qr", checks.format_reason(exc, Reason.MALFORMED_PROOF), str(exc))
    return _prepare(trust, "qr", proof)


def prepare_image(trust: TrustList, image: bytes) -> Prepared:
    """A photo or scan: the first QR code in it that is a notary QR."""
    found = search_image(image)  # no QR: image-too-small, image-blurred, image-unreadable or no-qr-code
    if not found.texts:
        return _failed("photo", Reason(found.reason or Reason.NO_QR_CODE), found.detail)
    return _first_notary_qr(trust, list(found.texts), "photo", _failed("photo", Reason.NO_QR_CODE))


def _first_notary_qr(trust: TrustList, texts: list[str], source: str, nothing: Prepared) -> Prepared:
    """The first of ``texts`` that holds a readable proof, as from ``source``; else the last failure (or
    ``nothing`` when there was no text at all)."""
    last = nothing
    for text in texts:
        last = replace(prepare_payload(trust, text), source=source)
        if last.failure is not None:
            last = replace(last, failure=replace(last.failure, source=source))
        else:
            return last
    return last


def _prepare(
    trust: TrustList, source: str, proof: Proof, *, pdf: bytes | None = None, proof_json: bytes | None = None
) -> Prepared:
    out: dict[str, CheckResult] = {"format": checks.ok("format")}
    out["registry"], _ = _guard("registry", lambda: checks.check_registry(proof, trust))
    if source == "pdf":
        assert pdf is not None and proof_json is not None
        out["integrity"] = _guard1("integrity", lambda: checks.check_integrity_notarised(pdf, proof))
        # Regenerating the update parses the original prefix: only for a prefix that is what a proof naming
        # a trusted registry says was anchored, so a crafted file cannot make us parse whatever it likes.
        if out["integrity"].status is Status.VALID and out["registry"].status is Status.VALID:
            out["notarisation-update"] = _guard1(
                "notarisation-update", lambda: checks.check_update(pdf, proof, proof_json)
            )
        else:
            out["notarisation-update"] = skipped("notarisation-update", Reason.NOT_REACHED)
    elif source == "pdf+proof":
        assert pdf is not None
        out["integrity"] = _guard1("integrity", lambda: checks.check_integrity_original(pdf, proof))
        out["notarisation-update"] = skipped("notarisation-update")
    else:
        out["integrity"] = skipped("integrity")
        out["notarisation-update"] = skipped("notarisation-update")
    out["inclusion"] = _guard1("inclusion", lambda: checks.check_inclusion(proof))
    out["signature"] = _guard1("signature", lambda: checks.check_signer(proof))
    seal = seal_stage(trust, source, pdf, proof, out)  # adds the "seal" check when a seal is present or required
    return Prepared(source, proof, out, seal=seal)


def _failed(source: str, reason: Reason, detail: str = "") -> Prepared:
    return Prepared(source, failure=format_failure(source, reason, detail))


def verdict(results: tuple[CheckResult, ...], *, require_seal: bool = False) -> Verdict:
    """INVALID beats NOT_CHECKABLE (a forgery is decidable even when the chain is down); then status, then
    expiry. The seal counts only where the registry requires one (docs/seal.md): otherwise a broken seal is
    shown as such beside a verdict about the anchored document, which the seal cannot change."""
    results = tuple(c for c in results if c.name != "seal" or require_seal)
    by_name = {c.name: c for c in results}
    hard = [c for c in results if c.status is Status.INVALID and c.name not in ("status", "expiry")]
    if hard:
        return Verdict.INVALID
    if any(c.status is Status.ERROR for c in results):
        return Verdict.NOT_CHECKABLE
    status, expiry = by_name.get("status"), by_name.get("expiry")
    if status is not None and status.reason is Reason.REVOKED:
        return Verdict.REVOKED
    if status is not None and status.reason is Reason.SUSPENDED:
        return Verdict.SUSPENDED
    if expiry is not None and expiry.status is Status.INVALID:
        return Verdict.EXPIRED
    needed = ("format", "registry", "inclusion", "anchor", "issuer", "signature", "status")
    if all(by_name[n].status is Status.VALID for n in needed if n in by_name) and all(n in by_name for n in needed):
        return Verdict.VALID
    return Verdict.INVALID


def _guard(
    name: str, fn: Callable[[], tuple[CheckResult, TrustedEntry | None]]
) -> tuple[CheckResult, TrustedEntry | None]:
    try:
        return fn()
    except Exception:
        return result(name, Status.ERROR, Reason.INTERNAL_ERROR), None


def _guard1(name: str, fn: Callable[[], CheckResult]) -> CheckResult:
    """An unexpected exception inside a check is that check's ERROR, never a crash of the whole verification."""
    try:
        return fn()
    except Exception:
        return result(name, Status.ERROR, Reason.INTERNAL_ERROR)


def format_failure(source: str, reason: Reason, detail: str = "") -> VerificationResult:
    """The result for an input whose proof could not be read: NOT_CHECKABLE when nothing speaks against the
    document (no proof, no QR, an unreadable file, a newer format …), INVALID for a proof that is there but
    broken or forged. ``detail`` is technical (English only, under the technical details)."""
    rest = tuple(skipped(name, Reason.NOT_REACHED) for name in ORDER[1:])
    extra = f"({detail})" if detail else ""
    if reason in NOT_CHECKABLE_REASONS:
        first = result("format", Status.ERROR, reason, "", extra)
        return VerificationResult(verdict=Verdict.NOT_CHECKABLE, checks=(first, *rest), source=source)
    first = invalid("format", reason, "", extra)
    return VerificationResult(verdict=Verdict.INVALID, checks=(first, *rest), source=source)


def _issuer_json(proof: Proof, facts: ChainFacts | None) -> dict[str, object]:
    data: dict[str, object] = {"address": proof.issuer}
    if facts is not None and facts.issuer is not None:
        record = facts.issuer
        data.update(
            address=record.address,
            name=record.name,
            authorised_from_block=record.authorised_from_block,
            retired_at_block=record.retired_at_block or None,
            compromised_from=record.compromised_from or None,
        )
    return data


def _anchor_json(proof: Proof, facts: ChainFacts | None) -> dict[str, object]:
    data: dict[str, object] = {"chain_id": proof.chain_id, "registry": proof.registry, "root": proof.root.to_hex()}
    if facts is not None and facts.view.batch.anchored:
        batch = facts.view.batch
        data.update(block=batch.block_number, timestamp=batch.timestamp, tx=facts.anchor_tx)
    return data
