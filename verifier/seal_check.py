"""Judge the city's seal on a notarised PDF (docs/seal.md, docs/proof-format.md P§13.5).

The notarisation-update check has already proved that the file is the notarised file followed only by
signature and validation-data revisions (notary.pdf.seal.review_later_updates). Here we judge those
signatures: exactly one PAdES seal after the notarisation update, cryptographically intact, covering the file
up to its own revision, its certificate valid now, not revoked (CRLs from the file's DSS or from the operator),
chaining to a ``seal_roots`` anchor of the registry, and bound by the batch's issuer key to this batch.

Runs in the parse stage (untrusted bytes, inside the worker process), so it must never raise: every failure is a
:class:`SealReport` with a stable reason code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import io
import itertools
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from notary.core import Proof
from notary.core.eip712 import BatchDomain
from verifier.result import CheckResult, Reason, Status
from verifier.trust import TrustList


class SealReason(enum.StrEnum):
    """Stable codes of the seal check (the value is the public identifier)."""

    OK = "ok"
    NO_SEAL = "no-seal"  # none present and the registry does not require one
    SEAL_MISSING = "seal-missing"  # none present, but the registry requires one (or it was stripped)
    BROKEN = "seal-broken"  # the CMS signature does not verify over its byte range
    NOT_COVERING = "seal-not-covering"  # the signature does not cover the file up to its own revision
    UNTRUSTED = "seal-untrusted"  # no chain to a seal root of the registry (or none configured)
    WEAK_ALGORITHM = "seal-weak-algorithm"  # a hash or key the seal or its CA certificates use is too weak
    EXPIRED = "seal-expired"
    REVOKED = "seal-revoked"
    NOT_BOUND = "seal-not-bound"  # the issuer of the batch did not bind this certificate to it
    EXTRA_SIGNATURE = "seal-extra-signature"  # a further signature (not a document timestamp) after the seal
    UNREADABLE = "seal-unreadable"


MESSAGES: dict[SealReason, tuple[str, str]] = {
    SealReason.OK: ("Gesiegelt von: {subject}", "Sealed by: {subject}"),
    SealReason.NO_SEAL: ("Das Dokument trägt kein elektronisches Siegel.", "The document carries no electronic seal."),
    SealReason.SEAL_MISSING: (
        "Das Register verlangt ein elektronisches Siegel; das Dokument trägt keines.",
        "The registry requires an electronic seal; the document carries none.",
    ),
    SealReason.BROKEN: (
        "Das Siegel von {subject} ist beschädigt: die Signatur passt nicht zum Dokument.",
        "The seal of {subject} is broken: the signature does not match the document.",
    ),
    SealReason.NOT_COVERING: (
        "Das Siegel von {subject} deckt das Dokument nicht vollständig ab.",
        "The seal of {subject} does not cover the whole document.",
    ),
    SealReason.UNTRUSTED: (
        "Das Siegelzertifikat von {subject} stammt nicht von einer für dieses Register vertrauenswürdigen Stelle.",
        "The seal certificate of {subject} does not chain to an authority trusted for this registry.",
    ),
    SealReason.WEAK_ALGORITHM: (
        "Das Siegel von {subject} verwendet ein zu schwaches Verfahren ({detail}).",
        "The seal of {subject} uses an algorithm that is too weak ({detail}).",
    ),
    SealReason.EXPIRED: (
        "Das Siegelzertifikat von {subject} ist abgelaufen oder noch nicht gültig.",
        "The seal certificate of {subject} has expired or is not yet valid.",
    ),
    SealReason.REVOKED: (
        "Das Siegelzertifikat von {subject} ist gesperrt.",
        "The seal certificate of {subject} has been revoked.",
    ),
    SealReason.NOT_BOUND: (
        "Das Siegel von {subject} gehört nicht zum Aussteller dieses Dokuments.",
        "The seal of {subject} does not belong to the issuer of this document.",
    ),
    SealReason.EXTRA_SIGNATURE: (
        "Nach dem Siegel hat jemand weiter signiert ({subject}).",
        "Someone signed after the seal ({subject}).",
    ),
    SealReason.UNREADABLE: ("Das Siegel ist nicht lesbar.", "The seal cannot be read."),
}


def _later_revisions_possible(pdf: bytes, original_length: int) -> bool:
    """The notarisation update ends in the one %%EOF it writes; any later revision (a seal) ends in another.
    (A name like /ByteRange can be spelled with #-escapes, so it is no reliable mark of a signature.)"""
    return pdf.count(b"%%EOF", original_length) >= 2


@dataclass(frozen=True, slots=True)
class SealReport:
    """What the seal check found; ``status`` is VALID, INVALID, SKIPPED (no seal, none required) or ERROR."""

    status: str
    reason: SealReason
    subject: str | None = None
    organisation: str | None = None
    fingerprint_sha256: str | None = None
    signed_at: str | None = None
    timestamped_at: str | None = None
    level: str | None = None
    bound: bool | None = None
    certificate_issuer: str | None = None
    detail: str = ""

    def message(self, lang: str = "en") -> str:
        de, en = MESSAGES[self.reason]
        text = de if lang == "de" else en
        return text.format(subject=self.subject or "?", detail=self.detail)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The ``seal`` member of the verification JSON (CLI --json, API, web page)."""
        return {
            "status": self.status,
            "reason": self.reason.value,
            "message": self.message(lang),
            "message_de": self.message("de"),
            "message_en": self.message("en"),
            "subject": self.subject,
            "organisation": self.organisation,
            "fingerprint_sha256": self.fingerprint_sha256,
            "signed_at": self.signed_at,
            "timestamped_at": self.timestamped_at,
            "level": self.level,
            "bound": self.bound,
            "certificate_issuer": self.certificate_issuer,
        }


def seal_stage(
    trust: TrustList, source: str, pdf: bytes | None, proof: Proof, out: dict[str, CheckResult]
) -> dict[str, Any] | None:
    """The parse stage's seal step (verifier/pipeline.py): for a notarised PDF whose notarisation update held,
    judge the seal under the proof's registry, add the "seal" check to ``out`` when a seal is present or
    required, and return the ``seal`` JSON member (None when there is nothing to show)."""
    update = out.get("notarisation-update")
    if source != "pdf" or pdf is None or update is None or update.status is not Status.VALID:
        return None
    entry = trust.lookup(proof.chain_id, proof.registry)
    if entry is None:
        return None
    report = check_seal(pdf, proof, roots=entry.seal_roots, crls=entry.seal_crls, require_seal=entry.require_seal)
    if report.reason is SealReason.NO_SEAL:
        return None
    out["seal"] = CheckResult(
        "seal", Status(report.status), Reason(report.reason.value), report.message("de"), report.message("en")
    )
    return report.to_json()


def load_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM bundle or one DER certificate (the operator's seal_roots files)."""
    if pem.detect(data):
        return [
            asn1_x509.Certificate.load(der)
            for kind, _, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"
        ]
    return [asn1_x509.Certificate.load(data)]


def _der_crl(data: bytes) -> bytes:
    return bytes(pem.unarmor(data)[2]) if pem.detect(data) else data


def check_seal(
    pdf: bytes,
    proof: Proof,
    *,
    roots: Sequence[bytes] = (),
    crls: Sequence[bytes] = (),
    require_seal: bool = False,
    now: dt.datetime | None = None,
) -> SealReport:
    """Judge the seal revisions of ``pdf``, a file whose notarisation update was found exact (with allowed later
    signature revisions). ``roots`` and ``crls`` are file contents (PEM or DER) from the operator's trust list."""
    try:
        return _check(pdf, proof, roots, crls, require_seal, now)
    except Exception as exc:  # pyHanko and asn1crypto raise many kinds on crafted input
        return SealReport("INVALID", SealReason.UNREADABLE, detail=f"{type(exc).__name__}: {exc}")


def _check(
    pdf: bytes,
    proof: Proof,
    roots: Sequence[bytes],
    crls: Sequence[bytes],
    require_seal: bool,
    now: dt.datetime | None,
) -> SealReport:
    # pyHanko loads only when a file has a signature after its original (seconds of import on a busy machine)
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import ValidationContext

    from notary.pdf.seal import _STREAM_BODY, MAX_LATER_SYNTAX, read_binding, recover_seal_binder

    assert proof.original_length is not None
    if not _later_revisions_possible(pdf, proof.original_length):  # the notarised file alone: pyHanko not needed
        if require_seal:
            return SealReport("INVALID", SealReason.SEAL_MISSING)
        return SealReport("SKIPPED", SealReason.NO_SEAL)
    notarised_end = pdf.find(b"%%EOF", proof.original_length)  # the notarisation update writes exactly one
    if len(_STREAM_BODY.sub(b"", pdf[notarised_end:])) > MAX_LATER_SYNTAX:  # pyHanko would crawl through it
        return SealReport("INVALID", SealReason.UNREADABLE, detail="too much PDF syntax after the original")
    original_revisions = PdfFileReader(io.BytesIO(pdf[: proof.original_length]), strict=False).xrefs.total_revisions
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    # revision indices count from 0: the original's last is original_revisions - 1, the notarisation update the next
    later = [s for s in reader.embedded_regular_signatures if s.signed_revision > original_revisions]
    if not later:
        if require_seal:
            return SealReport("INVALID", SealReason.SEAL_MISSING)
        return SealReport("SKIPPED", SealReason.NO_SEAL)
    seal = later[0]
    cert: asn1_x509.Certificate = seal.signer_cert
    facts = _describe(cert)
    if len(later) > 1:
        extra = _describe(later[1].signer_cert)
        return SealReport("INVALID", SealReason.EXTRA_SIGNATURE, **{**facts, "subject": extra["subject"]})

    trust_roots = [c for data in roots for c in load_certificates(data)]
    dss_certs, dss_crls = _dss_contents(reader, DocumentSecurityStore)
    # pyHanko sees no CRL: a CRL it cannot validate (anyone can append one in a DSS revision) made it call a
    # genuine seal untrusted; revocation is judged below, by the one rule of docs/seal.md §5 for every CRL
    context = ValidationContext(
        trust_roots=trust_roots, other_certs=dss_certs, allow_fetching=False, revocation_mode="soft-fail", moment=now
    )
    with _quiet_pyhanko():
        status = validate_pdf_signature(seal, signer_validation_context=context, ts_validation_context=context)
    facts["signed_at"] = _iso(status.signer_reported_dt)
    ts = status.timestamp_validity
    # a timestamp counts (B-T, timestamped_at) only when its token verifies and its TSA chains to a seal root
    # at verification time: an untrusted token says nothing about when the seal existed
    trusted_ts = ts is not None and ts.intact and ts.valid and ts.trusted
    if ts is not None and trusted_ts:
        facts["timestamped_at"] = _iso(ts.timestamp)
    facts["level"] = _level(reader, trusted_ts, bool(dss_certs or dss_crls))
    binding = read_binding(seal.sig_object)
    fingerprint = bytes.fromhex(str(facts["fingerprint_sha256"]))
    bound = False
    if binding is not None:
        try:
            domain = BatchDomain(proof.chain_id, proof.registry)
            bound = recover_seal_binder(domain, bytes(proof.root), fingerprint, binding) == proof.issuer
        except ValueError:
            bound = False
    facts["bound"] = bound

    weak = _weak_algorithm(seal.signer_info, [cert, *_issuers(cert, list(seal.other_embedded_certs))])
    if weak:
        return SealReport("INVALID", SealReason.WEAK_ALGORITHM, detail=weak, **facts)
    if not (status.intact and status.valid):
        return SealReport("INVALID", SealReason.BROKEN, **facts)
    if not _covers_own_revision(pdf, seal.sig_object):
        return SealReport("INVALID", SealReason.NOT_COVERING, **facts)
    if status.trusted and _listed_in_a_crl(status.validation_path, [*(_der_crl(c) for c in crls), *dss_crls], now):
        return SealReport("INVALID", SealReason.REVOKED, **facts)
    if not status.trusted:
        indication = str(status.trust_problem_indic or "")
        chain = _issuers(cert, list(seal.other_embedded_certs))
        expired = any(_expired(c, now) for c in [cert, *chain]) or "EXPIRED" in indication
        reason = SealReason.EXPIRED if expired else SealReason.UNTRUSTED
        return SealReport("INVALID", reason, detail=indication, **facts)
    if not bound:
        return SealReport("INVALID", SealReason.NOT_BOUND, **facts)
    return SealReport("VALID", SealReason.OK, **facts)


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a refused algorithm (a weak seal) as a warning with its traceback, which would reach a CLI
    user's terminal; what it found is in the status we report, so its log is silenced while it judges."""
    logger = logging.getLogger("pyhanko")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _dss_contents(reader: Any, dss_class: Any) -> tuple[list[asn1_x509.Certificate], list[bytes]]:
    """The certificates and CRLs (DER) of the file's DSS. Nothing signs a DSS revision, so what cannot be read
    is skipped rather than failing the seal: a forger could otherwise make any genuine seal unreadable."""
    if "/DSS" not in reader.root:
        return [], []
    try:
        dss = dss_class.read_dss(reader)
        cert_refs, crl_refs = list(dss.certs.values()), list(dss.crls)
    except Exception:  # a malformed DSS dictionary holds no validation data
        return [], []
    certs: list[asn1_x509.Certificate] = []
    crls: list[bytes] = []
    for ref in cert_refs:
        with contextlib.suppress(Exception):
            cert = asn1_x509.Certificate.load(bytes(ref.get_object().data))
            _ = cert.native  # asn1crypto parses lazily: fail here, not inside pyHanko
            certs.append(cert)
    for ref in crl_refs:
        with contextlib.suppress(Exception):  # parsed where judged (_listed_in_a_crl)
            crls.append(bytes(ref.get_object().data))
    return certs, crls


def _listed_in_a_crl(path: Any, crls: Sequence[bytes], now: dt.datetime | None) -> bool:
    """Does a CRL (the operator's or from the file's DSS) that counts list a certificate of the validated path?

    A CRL counts only when it names the issuer of the listed certificate in that path, its signature verifies
    with that issuer's key, and its thisUpdate is not after the verification time (docs/seal.md §5): a CRL
    anyone appends in a DSS revision cannot revoke a genuine seal. A listed entry revokes when its revocation
    date is not after that time and its reason is not removeFromCRL; a certificateHold entry only while the CRL
    is current (nextUpdate absent or not before the time), a revocation for good also from an older CRL (the CA
    signed it; a stale CRL must not bring a revoked seal back).

    Not pyHanko's: its soft-fail mode consults CRLs only for certificates that declare a CRL distribution point
    (an intermediate CA without one stayed VALID although the root's CRL lists it), and it called a seal
    untrusted when a CRL it was given failed its checks."""
    from cryptography import x509

    if path is None or not crls:
        return False
    moment = now or dt.datetime.now(dt.UTC)
    chain = [x509.load_der_x509_certificate(c.dump()) for c in path.iter_certs(include_root=True)]
    lists = []
    for data in crls:
        try:
            lists.append(x509.load_der_x509_crl(data))
        except ValueError:
            continue
    for issuer, cert in itertools.pairwise(chain):  # root first, leaf last
        for crl in lists:
            try:
                if crl.issuer != issuer.subject or crl.last_update_utc > moment:
                    continue
                if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
                    continue
                entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
                if entry is None or entry.revocation_date_utc > moment:
                    continue
                reason = _reason(entry)
                current = crl.next_update_utc is None or moment <= crl.next_update_utc
            except (TypeError, ValueError):  # an unparseable CRL (or entry) counts as none
                continue
            if reason is x509.ReasonFlags.remove_from_crl:
                continue
            if reason is not x509.ReasonFlags.certificate_hold or current:
                return True
    return False


def _reason(entry: Any) -> Any:
    from cryptography import x509

    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None


def _covers_own_revision(pdf: bytes, sig_object: Any) -> bool:
    """docs/seal.md §5: /ByteRange is [0 a b c] where pdf[a:b] is exactly the hex string written as /Contents
    and b + c is the end of the signature's own revision: the first %%EOF after that string, with the end of
    line that follows it (§4 rule 2 makes that %%EOF the revision's own)."""
    try:
        start, a, b, c = (int(v) for v in sig_object["/ByteRange"])
        contents = bytes(sig_object["/Contents"])
    except (KeyError, TypeError, ValueError):
        return False
    if start != 0 or not 0 < a < b <= len(pdf) or c < 0:
        return False
    hex_digits = pdf[a + 1 : b - 1]
    if pdf[a : a + 1] != b"<" or pdf[b - 1 : b] != b">" or not _HEX.fullmatch(hex_digits):
        return False
    if bytes.fromhex(hex_digits.decode("ascii")) != contents:
        return False
    eof = pdf.find(b"%%EOF", b)
    if eof < 0:
        return False
    end = eof + 5
    end += 2 if pdf[end : end + 2] == b"\r\n" else 1 if pdf[end : end + 1] in (b"\r", b"\n") else 0
    return b + c == end


_HEX = re.compile(rb"(?:[0-9A-Fa-f]{2})+")
_STRONG_HASHES = frozenset({"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"})
_MIN_RSA_BITS = 2048
_MIN_EC_BITS = 256


def _weak_algorithm(signer_info: Any, certificates: Sequence[asn1_x509.Certificate]) -> str | None:
    """docs/seal.md §5 rule: the seal's digest and signature, and every certificate from the seal's up to (not
    including) the trust anchor, use SHA-2/SHA-3 hashes and RSA >= 2048 bits, EC >= 256 bits or EdDSA keys.
    Names the first weak one (e.g. "sha1", "RSA 1024 bits"), or None."""
    digest = signer_info["digest_algorithm"]["algorithm"].native
    if digest not in _STRONG_HASHES:
        return str(digest)
    signed_with = _hash_of(signer_info["signature_algorithm"])
    if signed_with is not None and signed_with not in _STRONG_HASHES:
        return signed_with
    for cert in certificates:
        weak_key = _weak_key(cert.public_key)
        if weak_key:
            return weak_key
        hashed = _hash_of(cert["signature_algorithm"])
        if hashed is not None and hashed not in _STRONG_HASHES:
            return f"{hashed} in the certificate of {cert.subject.human_friendly}"
    return None


def _hash_of(algorithm: Any) -> str | None:
    """The hash a signature algorithm names (None for EdDSA and plain RSA/ECDSA identifiers without one)."""
    try:
        return str(algorithm.hash_algo)
    except ValueError:
        return None


def _weak_key(key: Any) -> str | None:
    kind = key.algorithm
    if kind == "rsa" and key.bit_size < _MIN_RSA_BITS:
        return f"RSA {key.bit_size} bits"
    if kind == "ec" and key.bit_size < _MIN_EC_BITS:
        return f"EC {key.bit_size} bits"
    if kind not in ("rsa", "ec", "ed25519", "ed448"):
        return f"{kind} key"
    return None


def _issuers(cert: asn1_x509.Certificate, others: list[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    """The CA certificates above ``cert`` among those the CMS carries, by name (an expired intermediate makes
    the seal "expired", not "untrusted": the operator then knows the CA must be renewed, not the root)."""
    out: list[asn1_x509.Certificate] = []
    current = cert
    for _ in range(8):
        parent = next((c for c in others if c.subject == current.issuer and c not in out and c != current), None)
        if parent is None or parent.self_signed in ("maybe", "yes"):
            break
        out.append(parent)
        current = parent
    return out


def _expired(cert: asn1_x509.Certificate, now: dt.datetime | None) -> bool:
    moment = now or dt.datetime.now(dt.UTC)
    validity = cert["tbs_certificate"]["validity"]
    return not validity["not_before"].native <= moment <= validity["not_after"].native


def _level(reader: Any, timestamped: bool, has_dss: bool) -> str:
    """What the file carries (docs/seal.md §5): ``has_dss`` only for a DSS with a readable certificate or CRL, so
    an empty DSS anyone can append does not make a seal look long-term."""
    has_doc_ts = bool(reader.embedded_timestamp_signatures)
    if has_dss and has_doc_ts:
        return "B-LTA"
    if has_dss:
        return "B-LT"
    return "B-T" if timestamped else "B-B"


def _describe(cert: asn1_x509.Certificate) -> dict[str, Any]:
    subject = cert.subject.native
    return {
        "subject": subject.get("common_name") or cert.subject.human_friendly,
        "organisation": subject.get("organization_name"),
        "fingerprint_sha256": hashlib.sha256(cert.dump()).hexdigest(),
        "certificate_issuer": cert.issuer.native.get("common_name") or cert.issuer.human_friendly,
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None
