"""Generate the sealed-PDF test vectors (docs/seal.md) in tests/vectors/seal/.

    .venv/bin/python tests/vectors/seal/make_vectors.py          # rewrite vectors.json, root.pem and *.pdf
    .venv/bin/python tests/vectors/seal/make_vectors.py --check  # exit 1 if a fresh run differs by one byte

Every vector seals the notarised file of the PDF vectors' `classic` case (tests/vectors/pdf/, whose proof and
issuer key are given in pdf_vectors.json), so the notarisation update, the proof and the chain side are those of
that case; only what follows the notarisation update differs. The seal is made by our own sealer
(notary.pdf.seal.Sealer) with a test PKI built here from tests/pki.py.

Reproducible byte for byte: the keys are derived from a fixed seed (P-256, except the test TSA's RSA key and the
weak vector's 1024-bit one), ECDSA signatures use RFC 6979 nonces (RSA PKCS#1 v1.5 is deterministic anyway), the
serial numbers and validity dates are fixed, and while sealing the clock pyHanko reads is frozen at SIGNING_TIME
and os.urandom (trailer /ID, timestamp nonce and serial) is a seeded stream. Nothing here is secret: these keys
exist only for the vectors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Any
from unittest import mock

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent
REPO = VECTORS.parents[1]
if str(REPO) not in sys.path:  # run as a script: tests.pki lives in the repository, not in the package
    sys.path.insert(0, str(REPO))

from asn1crypto import keys as asn1_keys  # noqa: E402
from asn1crypto import x509 as asn1_x509  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID  # noqa: E402

from notary.core.eip712 import BatchDomain  # noqa: E402
from notary.core.hashing import keccak256  # noqa: E402
from tests.pki import P12_PASSWORD, Issued, _issue, _name  # noqa: E402

INDEX = HERE / "vectors.json"
ROOT_PEM = HERE / "root.pem"
SEED = b"notary seal test vectors 1"
SIGNING_TIME = dt.datetime(2025, 7, 15, 9, 30, tzinfo=dt.UTC)
TIMESTAMP_TIME = dt.datetime(2025, 7, 15, 9, 30, 5, tzinfo=dt.UTC)
LONG = {"not_before": dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "not_after": dt.datetime(2099, 12, 31, tzinfo=dt.UTC)}
EXPIRED = {"not_before": dt.datetime(2020, 1, 1, tzinfo=dt.UTC), "not_after": dt.datetime(2021, 1, 1, tzinfo=dt.UTC)}
CITY = ("Stadt Musterstadt, Bürgeramt", "Stadt Musterstadt")
BASE_CASE = "classic"


# ---------------------------------------------------------------------- reproducible keys and randomness


def _stream(label: str) -> Callable[[int], bytes]:
    """A seeded byte stream (SHAKE-256 in counter mode): the same label gives the same bytes on every machine."""
    counter = 0

    def take(n: int) -> bytes:
        nonlocal counter
        out = b""
        while len(out) < n:
            out += hashlib.shake_256(SEED + label.encode() + counter.to_bytes(8, "big")).digest(64)
            counter += 1
        return out[:n]

    return take


_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]
_E = 65537


def _probably_prime(n: int) -> bool:
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41):  # candidates are random: error < 4^-13
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(take: Callable[[int], bytes], bits: int) -> int:
    while True:
        n = int.from_bytes(take(bits // 8), "big") | (3 << (bits - 2)) | 1  # two top bits: p*q has 2*bits bits
        if any(n % p == 0 for p in _SMALL_PRIMES) or n % _E == 1:
            continue
        if _probably_prime(n):
            return n


def ec_key(label: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key derived from SEED and ``label`` (its signatures are made deterministic by :func:`frozen`)."""
    scalar = int.from_bytes(_stream("ec:" + label)(40), "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def rsa_key(label: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    """An RSA key derived from SEED and ``label`` (cryptography cannot seed its own key generation)."""
    take = _stream("rsa:" + label)
    p = _prime(take, bits // 2)
    q = _prime(take, bits // 2)
    while q == p:
        q = _prime(take, bits // 2)
    lam = (p - 1) * (q - 1) // gcd(p - 1, q - 1)
    d = pow(_E, -1, lam)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), rsa.RSAPublicNumbers(_E, p * q)
    )
    return numbers.private_key()


@contextmanager
def deterministic_ecdsa() -> Iterator[None]:
    """ECDSA signatures by RFC 6979 (nonce derived from key and message) in certificates and in the CMS: standard
    ECDSA signatures for any verifier, but the same bytes on every run."""
    import pyhanko.sign.signers.pdf_cms as pdf_cms

    sign_certificate = x509.CertificateBuilder.sign

    def certificate(builder: x509.CertificateBuilder, key: Any, algorithm: Any, *args: Any, **kw: Any) -> Any:
        if isinstance(key, ec.EllipticCurvePrivateKey):
            kw["ecdsa_deterministic"] = True
        return sign_certificate(builder, key, algorithm, *args, **kw)

    def ecdsa(algorithm: Any) -> ec.ECDSA:
        return ec.ECDSA(algorithm, deterministic_signing=True)

    with mock.patch.object(x509.CertificateBuilder, "sign", certificate), mock.patch.object(pdf_cms, "ECDSA", ecdsa):
        yield


@contextmanager
def frozen(label: str) -> Iterator[None]:
    """pyHanko's clock at SIGNING_TIME (whatever the machine's time zone) and os.urandom seeded, while sealing."""
    import pyhanko.pdf_utils.metadata.info as info
    import pyhanko.pdf_utils.metadata.xmp_xml as xmp
    import pyhanko.sign.signers.functions as functions
    import pyhanko.sign.signers.pdf_cms as pdf_cms
    import pyhanko.sign.signers.pdf_signer as pdf_signer

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Any:  # always UTC: same bytes in every time zone
            return SIGNING_TIME

    with ExitStack() as stack:
        for module in (info, xmp, functions, pdf_cms, pdf_signer):
            if getattr(module, "datetime", None) is dt.datetime:
                stack.enter_context(mock.patch.object(module, "datetime", Clock))
        stack.enter_context(mock.patch("os.urandom", _stream("urandom:" + label)))
        stack.enter_context(deterministic_ecdsa())
        yield


# ---------------------------------------------------------------------- the test PKI (fixed)


@dataclass
class VectorPki:
    root: Issued
    intermediate: Issued
    city: Issued
    stranger: Issued
    expired: Issued
    weak: Issued
    tsa: Issued
    other_root: Issued
    other_city: Issued

    @classmethod
    def build(cls) -> VectorPki:
        def cert(
            label: str, serial: int, name: x509.Name, issuer: Issued | None, rsa_bits: int = 0, **kw: Any
        ) -> Issued:
            key = rsa_key(label, rsa_bits) if rsa_bits else ec_key(label)
            with deterministic_ecdsa():
                return _issue(name, issuer, key=key, serial=serial, **{**LONG, **kw})

        root = cert("root", 1, _name("Testland Root CA"), None, ca=True, path_len=1)
        inter = cert("intermediate", 2, _name("Testland Seal CA"), root, ca=True, path_len=0)
        other_root = cert("other-root", 3, _name("Elsewhere Root CA", "Elsewhere"), None, ca=True, path_len=1)
        return cls(
            root=root,
            intermediate=inter,
            city=cert("city", 10, _name(*CITY), inter, ca=False, crl=True),
            stranger=cert("stranger", 11, _name("Mallory GmbH", "Mallory GmbH"), inter, ca=False, crl=True),
            expired=cert(
                "expired", 12, _name("Stadt Musterstadt (abgelaufen)", CITY[1]), inter, ca=False, crl=True, **EXPIRED
            ),
            weak=cert("weak", 13, _name("Stadt Musterstadt (RSA 1024)", CITY[1]), inter, 1024, ca=False, crl=True),
            # pyHanko's test TSA signs with RSA only
            tsa=cert("tsa", 20, _name("Testland TSA"), root, 2048, ca=False, eku=[ExtendedKeyUsageOID.TIME_STAMPING]),
            other_root=other_root,
            other_city=cert("other-city", 30, _name(*CITY), other_root, ca=False),
        )

    def chain_of(self, holder: Issued) -> list[x509.Certificate]:
        if holder is self.other_city:
            return [self.other_root.cert]
        return [self.intermediate.cert, self.root.cert]

    def crl(self, serial: int = 99) -> bytes:
        """The intermediate's CRL listing ``serial``: B-LTA embeds it in the DSS (99: a serial no vector uses);
        seal-revoked's lists the city's seal certificate."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.intermediate.cert.subject)
            .last_update(dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
            .next_update(LONG["not_after"])
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
                .build()
            )
        )
        crl = builder.sign(self.intermediate.key, hashes.SHA256(), ecdsa_deterministic=True)  # type: ignore[arg-type]
        return crl.public_bytes(serialization.Encoding.DER)

    def timestamper(self) -> Any:
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        key = self.tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(self.tsa.der),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key),
            certs_to_embed=[asn1_x509.Certificate.load(self.root.der)],
            fixed_dt=TIMESTAMP_TIME,
        )


# ---------------------------------------------------------------------- sealing


@dataclass(frozen=True)
class Base:
    """The notarised PDF every vector starts from, with its proof and the issuer key that binds seals to it."""

    notarised: bytes
    entry: dict[str, Any]
    proof: Any
    issuer_key: bytes


def load_base() -> Base:
    from notary.core.proof import Proof

    index = json.loads((VECTORS / "pdf_vectors.json").read_text(encoding="utf-8"))
    case = next(c for c in index["valid"] if c["name"] == BASE_CASE)
    notarised = (VECTORS / case["notarised"]["file"]).read_bytes()
    proof = Proof.from_json(case["proof_json"].encode("utf-8"))
    return Base(notarised, case, proof, bytes(keccak256(index["private_key_seed"].encode())))


def _binding(base: Base, holder: Issued) -> bytes:
    from notary.pdf.seal import key_signer, sign_seal_binding

    domain = BatchDomain(base.proof.chain_id, base.proof.registry)
    fingerprint = hashlib.sha256(holder.der).digest()
    return sign_seal_binding(key_signer(base.issuer_key), domain, bytes(base.proof.root), fingerprint)


def seal(
    pki: VectorPki,
    pdf: bytes,
    holder: Issued,
    binding: bytes,
    label: str,
    *,
    tsa: bool = False,
    crl: bytes | None = None,
    field_name: str | None = None,
    md_algorithm: str = "sha256",
) -> bytes:
    """``pdf`` sealed by ``holder`` through our Sealer (PKCS#12 as a city gets it), reproducibly."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from notary.pdf.seal import SEAL_FIELD, Sealer, SealOptions, _NotaryBuildProps

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "seal.p12"
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"seal", holder.key, holder.cert, pki.chain_of(holder),  # type: ignore[arg-type]
                serialization.BestAvailableEncryption(P12_PASSWORD),
            )
        )  # fmt: skip
        crls: tuple[Path, ...] = ()
        if crl is not None:
            crls = (Path(tmp) / "intermediate.crl",)
            crls[0].write_bytes(crl)
        sealer = Sealer(SealOptions(path, P12_PASSWORD, crls=crls, field_name=field_name or SEAL_FIELD))
    if tsa:
        sealer._timestamper = pki.timestamper()  # the test TSA in process: no server, a fixed time
    with frozen(label):
        if md_algorithm == "sha256":
            return sealer.seal(pdf, binding)
        # a weak hash: the Sealer never makes one, so the same metadata by hand
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD, md_algorithm=md_algorithm, subfilter=fields.SigSeedSubFilter.PADES,
            app_build_props=_NotaryBuildProps(binding),
        )  # fmt: skip
        out = io.BytesIO()
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        signers.sign_pdf(writer, meta, signer=sealer.signer, output=out)
        return out.getvalue()


_OVERLAY = b"q 1 1 1 rg 60 740 300 40 re f Q BT /F1 18 Tf 72 760 Td (Note: 1,0) Tj ET\n"


def change_page(pdf: bytes, label: str) -> bytes:
    """A further incremental update that paints a white box and new text over page 1: content, not a seal."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with frozen(label):
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        page_ref = writer.root["/Pages"].raw_get("/Kids")[0]
        page = page_ref.get_object()
        overlay = writer.add_object(generic.StreamObject(stream_data=_OVERLAY))
        old = page.raw_get("/Contents")
        items = list(old.get_object()) if isinstance(old.get_object(), generic.ArrayObject) else [old]
        page[generic.pdf_name("/Contents")] = generic.ArrayObject([*items, overlay])
        writer.update_container(page)
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def break_seal(sealed: bytes) -> bytes:
    """One byte of the seal revision's /Producer changed (inside the ByteRange; §4 allows /Producer to change)."""
    old = b"/Producer (notary vectors"
    at = sealed.rindex(old)
    return sealed[:at] + b"/Producer (notary vectorz" + sealed[at + len(old) :]


def unreadable(sealed: bytes) -> bytes:
    """The seal's /Contents hex digits all zero: no CMS to read."""
    a, b = _last_byte_range(sealed)[1:3]
    return sealed[: a + 1] + b"0" * (b - a - 2) + sealed[b - 1 :]


def _last_byte_range(pdf: bytes) -> list[int]:
    import re

    *_, found = re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return [int(found[i]) for i in range(1, 5)]


def not_covering(pki: VectorPki, sealed: bytes, holder: Issued, label: str, cut: int = 20) -> bytes:
    """The holder's own CMS, correct, but over a ByteRange that stops ``cut`` bytes before the revision's end
    (its trailer and %%EOF unsigned): rule B broken by the signer itself."""
    import asyncio
    import re

    from asn1crypto import keys as asn1_keys
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    found = list(re.finditer(rb"/ByteRange\s*\[[^\]]*\][ ]*", sealed))[-1]
    start, a, b, c = _last_byte_range(sealed)
    text = b"/ByteRange [%d %d %d %d]" % (start, a, b, c - cut)
    text += b" " * (found.end() - found.start() - len(text))
    pdf = sealed[: found.start()] + text + sealed[found.end() :]
    key = holder.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = [asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)) for cert in pki.chain_of(holder)]
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(holder.der), signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )  # fmt: skip
    digest = hashlib.sha256(pdf[start:a] + pdf[b : b + c - cut]).digest()
    with frozen(label):
        cms = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True)).dump().hex().encode()
    assert len(cms) <= b - a - 2
    return pdf[: a + 1] + cms.ljust(b - a - 2, b"0") + pdf[b - 1 :]


def with_crl(sealed: bytes, crl: bytes, label: str) -> bytes:
    """An unsigned revision adding a DSS with ``crl`` (as pyHanko writes one for B-LT)."""
    from asn1crypto import crl as asn1_crl
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    out = io.BytesIO(sealed)
    with frozen(label):
        DocumentSecurityStore.add_dss(
            out, None, crls=[asn1_crl.CertificateList.load(crl)], strict=False, force_write=True
        )
    return out.getvalue()


# ---------------------------------------------------------------------- the cases


NOTARISED_OK = {
    "format": "ok", "registry": "ok", "integrity": "ok", "notarisation-update": "ok", "inclusion": "ok",
    "signature": "ok",
}  # fmt: skip


def _case(
    name: str,
    description: str,
    pdf: bytes,
    holder: Issued | None,
    *,
    seal_reason: str | None,
    level: str | None = None,
    bound: bool | None = None,
    update: str = "ok",
    subject: str | None = None,
) -> tuple[dict[str, Any], bytes]:
    checks = dict(NOTARISED_OK)
    checks["notarisation-update"] = update
    seal_json: dict[str, Any] | None = None
    if seal_reason is not None and update == "ok":
        checks["seal"] = seal_reason
        assert holder is not None
        names = holder.cert.subject
        seal_json = {
            "status": "VALID" if seal_reason == "ok" else "INVALID",
            "reason": seal_reason,
            "subject": subject or names.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value,
        }
        if subject is None:  # a second signer is named alone: the check stops at it (docs/seal.md §5)
            seal_json.update(
                organisation=names.get_attributes_for_oid(x509.oid.NameOID.ORGANIZATION_NAME)[0].value,
                fingerprint_sha256=hashlib.sha256(holder.der).hexdigest(),
                level=level,
                bound=bound,
                signed_at=_z(SIGNING_TIME),
            )
    document_ok = update == "ok"
    required = "VALID" if document_ok and seal_reason == "ok" else "INVALID"
    entry = {
        "name": name,
        "description": description,
        "file": f"{name}.pdf",
        "bytes": len(pdf),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "expected": {
            "checks": checks,
            "seal": seal_json,
            "verdict_without_chain": "VALID" if document_ok else "INVALID",
            "verdict_without_chain_if_seal_required": required,
        },
    }
    return entry, pdf


def build() -> tuple[dict[str, Any], dict[str, bytes]]:
    """(vectors.json, {file name: bytes}) of a fresh run."""
    base = load_base()
    pki = VectorPki.build()
    notarised = base.notarised
    city_binding = _binding(base, pki.city)
    b_b = seal(pki, notarised, pki.city, city_binding, "b-b")
    cases = [
        _case("b-b", "PAdES B-B seal by the city, bound by the batch's issuer", b_b, pki.city,
              seal_reason="ok", level="B-B", bound=True),
        _case("b-t", "PAdES B-T: the same seal with a signature timestamp of the test TSA (root -> TSA)",
              seal(pki, notarised, pki.city, city_binding, "b-t", tsa=True), pki.city,
              seal_reason="ok", level="B-T", bound=True),
        _case("b-lta", "PAdES B-LTA: B-T plus a DSS revision (chain and the intermediate's CRL) and a document "
              "timestamp", seal(pki, notarised, pki.city, city_binding, "b-lta", tsa=True, crl=pki.crl()), pki.city,
              seal_reason="ok", level="B-LTA", bound=True),
        _case("second-signature", "the city's seal, then a stranger's signature (no binding) in a further revision",
              seal(pki, b_b, pki.stranger, b"", "second-signature", field_name="Mallory"), pki.city,
              seal_reason="seal-extra-signature", level="B-B", bound=True, subject="Mallory GmbH"),
        _case("content-after-seal", "the city's seal, then a revision that paints a white box and text on page 1",
              change_page(b_b, "content-after-seal"), None, seal_reason=None, update="extra-content"),
        _case("seal-stripped", "the B-B vector cut back to the end of the notarisation update (= the notarised file)",
              notarised, None, seal_reason=None),
        _case("not-bound", "a stranger's seal (same trusted CA) carrying the city's binding copied from b-b",
              seal(pki, notarised, pki.stranger, city_binding, "not-bound"), pki.stranger,
              seal_reason="seal-not-bound", level="B-B", bound=False),
        _case("untrusted-ca", "a seal in the city's name whose certificate another root (Elsewhere Root CA) issued "
              "directly; the CMS carries the seal certificate and that root only; bound",
              seal(pki, notarised, pki.other_city, _binding(base, pki.other_city), "untrusted-ca"), pki.other_city,
              seal_reason="seal-untrusted", level="B-B", bound=True),
        _case("expired", "the city's seal with a certificate valid 2020-01-01 to 2021-01-01, bound",
              seal(pki, notarised, pki.expired, _binding(base, pki.expired), "expired"), pki.expired,
              seal_reason="seal-expired", level="B-B", bound=True),
        _case("weak-rsa1024", "the city's seal with a 1024-bit RSA key, bound",
              seal(pki, notarised, pki.weak, _binding(base, pki.weak), "weak-rsa1024"), pki.weak,
              seal_reason="seal-weak-algorithm", level="B-B", bound=True),
        _case("weak-sha1", "the city's seal (its own certificate) with SHA-1 as the CMS digest, bound",
              seal(pki, notarised, pki.city, city_binding, "weak-sha1", md_algorithm="sha1"), pki.city,
              seal_reason="seal-weak-algorithm", level="B-B", bound=True),
        _case("seal-broken", "b-b with one byte of the seal revision's /Producer changed (inside the ByteRange)",
              break_seal(b_b), pki.city, seal_reason="seal-broken", level="B-B", bound=True),
        _case("seal-not-covering", "the city's seal re-signed by the city over a ByteRange that leaves the last "
              "20 bytes of its revision (trailer, %%EOF) out", not_covering(pki, b_b, pki.city, "seal-not-covering"),
              pki.city, seal_reason="seal-not-covering", level="B-B", bound=True),
        _case("seal-revoked", "b-b plus an unsigned DSS revision with the Seal CA's CRL listing the city's seal "
              "certificate (serial 10, revoked 2025-06-01)", with_crl(b_b, pki.crl(serial=10), "seal-revoked"),
              pki.city, seal_reason="seal-revoked", level="B-LT", bound=True),
        _case("seal-unreadable", "b-b with the seal's /Contents all zero (no CMS)", unreadable(b_b), pki.city,
              seal_reason="seal-unreadable"),
    ]  # fmt: skip
    # unreadable: nothing about the signer can be said (docs/seal.md §5)
    broken = next(entry for entry, _ in cases if entry["name"] == "seal-unreadable")
    broken["expected"]["seal"] = {"status": "INVALID", "reason": "seal-unreadable", "subject": None}
    # a stripped seal without require_seal: no seal check at all (docs/seal.md §5); with it: seal-missing
    stripped = next(entry for entry, _ in cases if entry["name"] == "seal-stripped")
    stripped["expected"]["seal_check_if_seal_required"] = "seal-missing"
    files = {entry["file"]: pdf for entry, pdf in cases}
    files[ROOT_PEM.name] = pki.root.pem
    index = {
        "description": (
            "Sealed-PDF vectors (docs/seal.md). Every file is the notarised file of the PDF vectors' "
            f"'{BASE_CASE}' case (tests/vectors/pdf_vectors.json: its proof, issuer and chain) followed by what the "
            "case names. Judge the seal with root.pem as the registry's only seal_roots anchor and no CRLs, at a "
            "verification time within validation_time. 'checks' are the reason codes of the checks that need no "
            "chain (docs/proof-format.md §13); the chain checks (anchor, issuer, status) are those of the base case "
            "and are taken as passing for verdict_without_chain. 'seal' is the seal JSON member's facts "
            "(docs/seal.md §5), null when there is none; verdict_without_chain_if_seal_required is the verdict "
            "when the registry's [[trusted]] entry sets require_seal = true. seal_root_sha256 is the SHA-256 of "
            "root.pem's certificate in DER (not of the PEM file)."
        ),
        "base_case": BASE_CASE,
        "notarised": {key: base.entry["notarised"][key] for key in ("file", "bytes", "sha256")},
        "proof_json": base.entry["proof_json"],
        "chain_id": base.proof.chain_id,
        "registry": base.proof.registry,
        "issuer": base.proof.issuer,
        "seal_roots": [ROOT_PEM.name],
        "seal_root_sha256": hashlib.sha256(pki.root.der).hexdigest(),
        "validation_time": {"from": SIGNING_TIME.isoformat(), "until": LONG["not_after"].isoformat()},
        "signing_time": SIGNING_TIME.isoformat(),
        "vectors": [entry for entry, _ in cases],
    }
    for timestamped in (entry for entry in index["vectors"] if entry["name"] in ("b-t", "b-lta")):
        timestamped["expected"]["seal"]["timestamped_at"] = _z(TIMESTAMP_TIME)
    return index, files


def _z(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _serialise(index: dict[str, Any]) -> bytes:
    return (json.dumps(index, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def main(argv: list[str]) -> int:
    index, files = build()
    files[INDEX.name] = _serialise(index)
    if "--check" in argv:
        stale = sorted(n for n, data in files.items() if not (HERE / n).exists() or (HERE / n).read_bytes() != data)
        if stale:
            print(f"stale seal vectors: {', '.join(stale)} (run tests/vectors/seal/make_vectors.py)", file=sys.stderr)
            return 1
        return 0
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(files)} files to {HERE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
