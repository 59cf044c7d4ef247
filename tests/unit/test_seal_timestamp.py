"""docs/seal.md §5 (level, timestamped_at): a signature timestamp counts only when its token verifies and its TSA
chains to a seal root of the registry; a token from a TSA under another root leaves the seal B-B without a
timestamped_at (the seal itself stays VALID: the timestamp is not required)."""

from __future__ import annotations

import datetime as dt

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.pki import _issue, _name
from tests.unit.test_seal_vectors import _generator, _trust
from verifier.pipeline import prepare_pdf


def test_a_timestamp_from_an_untrusted_tsa_is_not_reported() -> None:
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    make = _generator()
    pki = make.VectorPki.build()
    base = make.load_base()
    tsa = _issue(
        _name("Elsewhere TSA"), pki.other_root, ca=False, rsa_key=True, eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        not_before=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), not_after=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    key = tsa.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pki.timestamper = lambda: DummyTimeStamper(  # type: ignore[method-assign]
        tsa_cert=asn1_x509.Certificate.load(tsa.der),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key),
        certs_to_embed=[asn1_x509.Certificate.load(pki.other_root.der)],
        fixed_dt=make.TIMESTAMP_TIME,
    )
    sealed = make.seal(pki, base.notarised, pki.city, make._binding(base, pki.city), "untrusted tsa", tsa=True)
    prepared = prepare_pdf(_trust(require_seal=True), sealed)
    assert prepared.checks["seal"].reason.value == "ok"
    assert prepared.seal is not None
    assert (prepared.seal["level"], prepared.seal["timestamped_at"]) == ("B-B", None), prepared.seal

    trusted = make.seal(
        make.VectorPki.build(), base.notarised, pki.city, make._binding(base, pki.city), "tsa", tsa=True
    )
    seal = prepare_pdf(_trust(require_seal=True), trusted).seal
    assert seal is not None and seal["level"] == "B-T" and seal["timestamped_at"] == "2025-07-15T09:30:05Z"
