"""docs/seal.md §5 (revocation): nothing signs a DSS revision, so anyone can append one to a genuinely sealed
file. A CRL found there (or given by the operator) counts only when the issuer of the certificate it lists
signed it and its thisUpdate is not after the verification time; a forged, garbled or future CRL leaves the
city's seal VALID, a genuine one makes it `seal-revoked`. Over the `b-b` seal vector with its test PKI."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from typing import Any

import pytest
from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign.validation.dss import DocumentSecurityStore

from notary.pdf.seal import review_later_updates
from tests.unit.test_seal_vectors import SEAL_VECTORS, _generator, _index, _trust
from verifier.pipeline import prepare_pdf

CITY_SERIAL = 10  # the seal certificate of the vectors (make_vectors.py)
JULY = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
FAR = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)


@cache
def _pki() -> Any:
    return _generator().VectorPki.build()


def _crl(
    key: Any,
    issuer: x509.Name,
    *,
    serial: int = CITY_SERIAL,
    this_update: dt.datetime = JULY,
    next_update: dt.datetime = FAR,
    reason: x509.ReasonFlags | None = None,
) -> bytes:
    entry = (
        x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    )
    if reason is not None:
        entry = entry.add_extension(x509.CRLReason(reason), critical=False)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(7), critical=False)
        .add_revoked_certificate(entry.build())
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _with_dss(pdf: bytes, crls: list[bytes]) -> bytes:
    """``pdf`` plus one unsigned revision adding a DSS with ``crls`` (as pyHanko writes one)."""
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(
        out, None, crls=[asn1_crl.CertificateList.load(c) for c in crls], strict=False, force_write=True
    )
    return out.getvalue()


def _garbled_dss(pdf: bytes) -> bytes:
    """A DSS revision whose one CRL stream holds no DER at all."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    crl = writer.add_object(generic.StreamObject(stream_data=b"not a CRL"))
    writer.root[pdf_name("/DSS")] = writer.add_object(
        generic.DictionaryObject({pdf_name("/CRLs"): generic.ArrayObject([crl])})
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _seal(pdf: bytes) -> tuple[str, str]:
    prepared = prepare_pdf(_trust(require_seal=True), pdf)
    return prepared.checks["notarisation-update"].reason.value, prepared.checks["seal"].reason.value


def _sealed() -> bytes:
    return (SEAL_VECTORS / "b-b.pdf").read_bytes()


def test_a_dss_revision_is_allowed_after_the_seal() -> None:
    pdf = _with_dss(_sealed(), [_crl(ec.generate_private_key(ec.SECP256R1()), _pki().intermediate.cert.subject)])
    assert review_later_updates(pdf, _index()["notarised"]["bytes"]).allowed


@pytest.mark.parametrize(
    ("crls", "expected"),
    [
        # a stranger's key under the CA's name: the DoS the review found (pyHanko said seal-untrusted)
        (lambda p: [_crl(ec.generate_private_key(ec.SECP256R1()), p.intermediate.cert.subject)], "ok"),
        # the root signs a CRL listing serial 10: the root is not the city certificate's issuer
        (lambda p: [_crl(p.root.key, p.root.cert.subject)], "ok"),
        # the right key, but another name: not the issuer's CRL
        (lambda p: [_crl(p.intermediate.key, p.root.cert.subject)], "ok"),
        # thisUpdate after the verification time: not yet a statement
        (lambda p: [_crl(p.intermediate.key, p.intermediate.cert.subject, this_update=FAR - dt.timedelta(days=9))],
         "ok"),
        # a hold that is no longer current, and an entry taken back (removeFromCRL)
        (lambda p: [_crl(p.intermediate.key, p.intermediate.cert.subject, next_update=JULY + dt.timedelta(days=9),
                         reason=x509.ReasonFlags.certificate_hold)], "ok"),
        (lambda p: [_crl(p.intermediate.key, p.intermediate.cert.subject, reason=x509.ReasonFlags.remove_from_crl)],
         "ok"),
        # the issuer's own CRL listing the city: revoked, also when it is stale (a stale list must not undo it)
        (lambda p: [_crl(p.intermediate.key, p.intermediate.cert.subject)], "seal-revoked"),
        (lambda p: [_crl(p.intermediate.key, p.intermediate.cert.subject, next_update=JULY + dt.timedelta(days=9),
                         reason=x509.ReasonFlags.key_compromise)], "seal-revoked"),
        (lambda p: [_crl(p.intermediate.key, p.intermediate.cert.subject, reason=x509.ReasonFlags.certificate_hold)],
         "seal-revoked"),
        # a forged CRL beside the genuine one changes nothing
        (lambda p: [_crl(ec.generate_private_key(ec.SECP256R1()), p.intermediate.cert.subject, serial=11),
                    _crl(p.intermediate.key, p.intermediate.cert.subject)], "seal-revoked"),
    ],
    ids=["forged-key", "root-not-issuer", "wrong-name", "future", "stale-hold", "removed", "genuine", "genuine-stale",
         "current-hold", "forged-beside-genuine"],
)  # fmt: skip
def test_a_dss_crl_counts_only_when_the_issuer_signed_it(crls: Any, expected: str) -> None:
    assert _seal(_with_dss(_sealed(), crls(_pki()))) == ("ok", expected)


def test_an_unreadable_dss_crl_is_ignored() -> None:
    assert _seal(_garbled_dss(_sealed())) == ("ok", "ok")


def test_the_same_rule_for_the_operators_crls() -> None:
    """The operator's seal_crls are judged by the same rule (a wrong file in the trust list revokes nothing)."""
    from verifier.seal_check import check_seal
    from verifier.trust import TrustList

    pki = _pki()
    trust: TrustList = _trust(require_seal=True)
    prepared = prepare_pdf(trust, _sealed())
    roots = [(SEAL_VECTORS / "root.pem").read_bytes()]
    forged = _crl(ec.generate_private_key(ec.SECP256R1()), pki.intermediate.cert.subject)
    genuine = _crl(pki.intermediate.key, pki.intermediate.cert.subject)
    proof = prepared.proof
    assert check_seal(_sealed(), proof, roots=roots, crls=[forged]).reason.value == "ok"
    assert check_seal(_sealed(), proof, roots=roots, crls=[b"not a CRL"]).reason.value == "ok"
    assert check_seal(_sealed(), proof, roots=roots, crls=[forged, genuine]).reason.value == "seal-revoked"


def test_an_empty_dss_makes_no_long_term_seal() -> None:
    """The level counts a DSS only with validation data in it (anyone can append an empty one)."""
    empty = _seal(_with_dss(_sealed(), []))
    assert empty == ("ok", "ok")
    assert prepare_pdf(_trust(require_seal=True), _with_dss(_sealed(), [])).seal["level"] == "B-B"  # type: ignore[index]
    genuine = _with_dss(_sealed(), [_crl(_pki().intermediate.key, _pki().intermediate.cert.subject, serial=99)])
    assert prepare_pdf(_trust(require_seal=True), genuine).seal["level"] == "B-LT"  # type: ignore[index]
