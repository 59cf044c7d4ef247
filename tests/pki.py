"""A throw-away PKI for the seal tests: root CA -> intermediate -> seal certificates, a CRL, and a local
RFC 3161 timestamp service over HTTP (pyHanko's DummyTimeStamper behind http.server). No network.

Everything is made fresh per test session with ``cryptography`` (EC P-256 keys: fast), so no key material is
committed. ``Pki.write(dir)`` puts the files where a test (or ``pyhanko sign validate``) expects them.
"""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

P12_PASSWORD = b"seal-test"
CRL_URL = "http://crl.pki.test.invalid/intermediate.crl"


def _name(cn: str, org: str = "Testland PKI") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass
class Issued:
    key: Key
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _issue(
    subject: x509.Name,
    issuer: Issued | None,
    *,
    ca: bool,
    path_len: int | None = None,
    not_before: dt.datetime,
    not_after: dt.datetime,
    eku: list[x509.ObjectIdentifier] | None = None,
    crl: bool = False,
    rsa_key: bool = False,
    key: Key | None = None,
    serial: int | None = None,
) -> Issued:
    # pyHanko's DummyTimeStamper signs with RSA only; everything else uses P-256 (fast to make). A given key and
    # serial make the certificate reproducible (tests/vectors/seal/make_vectors.py)
    if key is None:
        key = rsa.generate_private_key(65537, 2048) if rsa_key else ec.generate_private_key(ec.SECP256R1())
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    if ca:
        usage = dict(digital_signature=False, content_commitment=False, key_cert_sign=True, crl_sign=True)
    else:
        usage = dict(digital_signature=True, content_commitment=True, key_cert_sign=False, crl_sign=False)
    builder = builder.add_extension(
        x509.KeyUsage(
            **usage, key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False,
        ),
        critical=True,
    )  # fmt: skip
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if crl:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return Issued(key, builder.sign(signing_key, hashes.SHA256()))


@dataclass
class Pki:
    """root -> intermediate -> {seal, stranger, expired, revoked}; root -> tsa. ``other_root`` is unrelated."""

    now: dt.datetime
    root: Issued
    intermediate: Issued
    seal: Issued
    stranger: Issued
    expired: Issued
    revoked: Issued
    tsa: Issued
    other_root: Issued
    crl_der: bytes = field(default=b"")

    @classmethod
    def build(cls, now: dt.datetime | None = None) -> Pki:
        now = now or dt.datetime.now(dt.UTC)
        long = dict(not_before=now - dt.timedelta(days=30), not_after=now + dt.timedelta(days=3650))
        root = _issue(_name("Testland Root CA"), None, ca=True, path_len=1, **long)
        inter = _issue(_name("Testland Seal CA"), root, ca=True, path_len=0, **long)

        def seal(cn: str, org: str, **validity: dt.datetime) -> Issued:
            return _issue(_name(cn, org), inter, ca=False, crl=True, **(validity or long))

        pki = cls(
            now=now,
            root=root,
            intermediate=inter,
            seal=seal("Stadt Musterstadt, Bürgeramt", "Stadt Musterstadt"),
            stranger=seal("Mallory GmbH", "Mallory GmbH"),
            expired=seal(
                "Stadt Musterstadt (abgelaufen)",
                "Stadt Musterstadt",
                not_before=now - dt.timedelta(days=400),
                not_after=now - dt.timedelta(days=35),
            ),
            revoked=seal("Stadt Musterstadt (gesperrt)", "Stadt Musterstadt"),
            tsa=_issue(
                _name("Testland TSA"), root, ca=False, eku=[ExtendedKeyUsageOID.TIME_STAMPING], rsa_key=True, **long
            ),
            other_root=_issue(_name("Elsewhere Root CA", "Elsewhere"), None, ca=True, path_len=1, **long),
        )
        pki.crl_der = pki.make_crl([pki.revoked])
        return pki

    def make_crl(self, revoked: list[Issued]) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.intermediate.cert.subject)
            .last_update(self.now - dt.timedelta(hours=1))
            .next_update(self.now + dt.timedelta(days=30))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.intermediate.key.public_key()), critical=False
            )
        )
        for item in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(item.cert.serial_number)
                .revocation_date(self.now - dt.timedelta(days=1))
                .build()
            )
        crl = builder.sign(self.intermediate.key, hashes.SHA256())
        return crl.public_bytes(serialization.Encoding.DER)

    def p12(self, holder: Issued, password: bytes = P12_PASSWORD) -> bytes:
        """The holder's key and certificate with the intermediate and root, as a city gets it from its CA."""
        return pkcs12.serialize_key_and_certificates(
            b"seal", holder.key, holder.cert, [self.intermediate.cert, self.root.cert],
            serialization.BestAvailableEncryption(password),
        )  # fmt: skip

    def p12_without_key(self, holder: Issued, password: bytes = b"nope") -> bytes:
        """Only the certificates (a file exported without its key), under the password the CLI test gives."""
        return pkcs12.serialize_key_and_certificates(
            b"seal", None, holder.cert, [self.intermediate.cert], serialization.BestAvailableEncryption(password)
        )

    def write(self, directory: Path) -> dict[str, Path]:
        """root.pem, other-root.pem, intermediate.crl and one .p12 per holder; returns the paths by name."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = {
            "root": directory / "root.pem",
            "other_root": directory / "other-root.pem",
            "crl": directory / "intermediate.crl",
        }
        paths["root"].write_bytes(self.root.pem)
        paths["other_root"].write_bytes(self.other_root.pem)
        paths["crl"].write_bytes(self.crl_der)
        for name in ("seal", "stranger", "expired", "revoked"):
            paths[name] = directory / f"{name}.p12"
            paths[name].write_bytes(self.p12(getattr(self, name)))
        return paths

    def dummy_timestamper(self) -> object:
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        return DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(self.tsa.der),
            tsa_key=asn1_keys.PrivateKeyInfo.load(
                self.tsa.key.private_bytes(
                    serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            ),
            certs_to_embed=[asn1_x509.Certificate.load(self.root.der)],
        )


@contextmanager
def timestamp_service(pki: Pki) -> Iterator[str]:
    """An RFC 3161 TSA on 127.0.0.1 (POST application/timestamp-query); yields its URL."""
    stamper = pki.dummy_timestamper()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()  # type: ignore[attr-defined]
                code = 200
            except Exception:
                answer, code = b"", 400
            self.send_response(code)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)
