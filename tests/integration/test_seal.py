"""The city's seal (issue 14): a PAdES signature after the notarisation update, judged by pyHanko's own
validator, by poppler's pdfsig and by our verifier; and the attacks on it. Real PDFs from the real issuance
pipeline on the in-process chain, a fresh test PKI, a local RFC 3161 service; no network."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from pypdf import PdfWriter

from notary.core import BatchDomain, Proof
from notary.pdf.seal import (
    Sealer,
    SealError,
    SealOptions,
    key_signer,
    read_binding,
    review_later_updates,
    sign_seal_binding,
)
from tests.conftest import Actors
from tests.issuing import Issued, issue_samples
from tests.pki import P12_PASSWORD, Pki, timestamp_service
from verifier.isolation import decode_prepared, encode_prepared
from verifier.pipeline import Verifier, prepare_pdf, read_facts
from verifier.result import Reason, Status, Verdict
from verifier.seal_check import SealReason, check_seal
from verifier.trust import TrustedEntry, TrustList


@dataclasses.dataclass
class World:
    actors: Actors
    issued: Issued
    pki: Pki
    paths: dict[str, Path]
    tsa_url: str

    @property
    def notarised(self) -> bytes:
        return self.issued.notarised[0].read_bytes()

    @property
    def proof(self) -> Proof:
        return self.issued.proof(0)

    def sealer(self, holder: str = "seal", **options: object) -> Sealer:
        return Sealer(SealOptions(self.paths[holder], P12_PASSWORD, **options))  # type: ignore[arg-type]

    def binding(self, sealer: Sealer, key: bytes | None = None) -> bytes:
        proof = self.proof
        domain = BatchDomain(proof.chain_id, proof.registry)
        signer = key_signer(key or bytes(self.actors.issuer.key))
        return sign_seal_binding(signer, domain, bytes(proof.root), sealer.certificate_sha256)

    def seal(self, holder: str = "seal", pdf: bytes | None = None, **options: object) -> bytes:
        sealer = self.sealer(holder, **options)
        return sealer.seal(pdf if pdf is not None else self.notarised, self.binding(sealer))

    def judge(self, pdf: bytes, roots: tuple[str, ...] = ("root",), **kw: object) -> object:
        return check_seal(pdf, self.proof, roots=[self.paths[r].read_bytes() for r in roots], **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("seal")
    actors = Actors("memory")
    issued = issue_samples(actors.registry, actors.issuer, workdir, count=2)
    pki = Pki.build()
    with timestamp_service(pki) as url:
        yield World(actors, issued, pki, pki.write(workdir / "pki"), url)


def test_sealed_pdf_is_the_notarised_file_plus_signature_revisions(world: World) -> None:
    notarised = world.notarised
    sealed = world.seal()
    assert sealed.startswith(notarised)
    assert review_later_updates(sealed, len(notarised)).allowed
    report = world.judge(sealed)
    assert report.status == "VALID", report  # type: ignore[attr-defined]
    assert report.subject == "Stadt Musterstadt, Bürgeramt" and report.bound and report.level == "B-B"  # type: ignore[attr-defined]
    assert report.message("de") == "Gesiegelt von: Stadt Musterstadt, Bürgeramt"  # type: ignore[attr-defined]


def test_pyhanko_validates_the_seal_with_the_test_root(world: World) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from verifier.seal_check import load_certificates

    sealed = world.seal(tsa_url=world.tsa_url)
    reader = PdfFileReader(io.BytesIO(sealed))
    (signature,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=load_certificates(world.paths["root"].read_bytes()))
    status = validate_pdf_signature(signature, signer_validation_context=context, ts_validation_context=context)
    assert status.bottom_line, status.pretty_print_details()
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert world.judge(sealed).level == "B-T"  # type: ignore[attr-defined]


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils not installed (make setup)")
def test_pdfsig_reports_the_seal_valid(world: World, tmp_path: Path) -> None:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(world.seal(tsa_url=world.tsa_url))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=120).stdout
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Total document signed" in out, out
    assert "Stadt Musterstadt, Bürgeramt" in out
    # pdfsig trusts only its NSS database (no certutil here to add the test root): chain trust is pyHanko's test


def test_pyhanko_cli_validates_the_seal_with_the_test_root(world: World, tmp_path: Path) -> None:
    """The command a city's IT would run: `pyhanko sign validate --trust ROOT` (pyhanko-cli)."""
    pyhanko = Path(sys.executable).with_name("pyhanko")
    path = tmp_path / "sealed.pdf"
    path.write_bytes(world.seal(tsa_url=world.tsa_url))
    command = [str(pyhanko), "sign", "validate", "--trust-replace", "--trust", str(world.paths["root"])]
    command.append("--no-revocation-check")  # CRL URLs are not served: see test_revoked_certificate_with_an_offline_crl
    run = subprocess.run([*command, "--pretty-print", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    for said in ("The signature is judged VALID.", "The signature covers the entire file.", "is trusted."):
        assert said in run.stdout, run.stdout
    stranger = tmp_path / "stranger-root.pem"
    stranger.write_bytes(world.paths["other_root"].read_bytes())
    refused = [*command[:5], str(stranger), command[6], str(path)]
    assert subprocess.run(refused, capture_output=True, text=True, timeout=120).returncode != 0


def test_one_sealer_seals_many_documents(world: World) -> None:
    # the second seal reuses the /Contents size measured on the first (no dummy signature per document)
    sealer = world.sealer(tsa_url=world.tsa_url)
    first = sealer.seal(world.notarised, world.binding(sealer))
    second = sealer.seal(world.notarised, world.binding(sealer))
    assert first != second
    for sealed in (first, second):
        report = world.judge(sealed)
        assert report.status == "VALID" and report.level == "B-T", report  # type: ignore[attr-defined]


def test_long_term_seal_with_crl_and_document_timestamp(world: World) -> None:
    sealer = world.sealer(tsa_url=world.tsa_url, crls=(world.paths["crl"],))
    assert sealer.level == "B-LTA"
    sealed = sealer.seal(world.notarised, world.binding(sealer))
    assert review_later_updates(sealed, len(world.notarised)).allowed
    report = world.judge(sealed)
    assert report.status == "VALID" and report.level == "B-LTA", report  # type: ignore[attr-defined]
    assert report.timestamped_at  # type: ignore[attr-defined]


def test_untrusted_root_is_reported_not_hidden(world: World) -> None:
    sealed = world.seal()
    report = world.judge(sealed, roots=("other_root",))
    assert (report.status, report.reason) == ("INVALID", SealReason.UNTRUSTED)  # type: ignore[attr-defined]
    assert report.subject == "Stadt Musterstadt, Bürgeramt"  # type: ignore[attr-defined]
    assert world.judge(sealed, roots=()).reason is SealReason.UNTRUSTED  # type: ignore[attr-defined]


def test_second_signature_by_a_stranger(world: World) -> None:
    sealed = world.seal()
    stranger = world.sealer("stranger", field_name="Mallory")
    twice = stranger.seal(sealed, b"")
    # a signature revision changes no page: the notarised file is intact, but the seal is not accepted
    assert review_later_updates(twice, len(world.notarised)).allowed
    report = world.judge(twice)
    assert (report.status, report.reason, report.subject) == ("INVALID", SealReason.EXTRA_SIGNATURE, "Mallory GmbH")  # type: ignore[attr-defined]


def test_stranger_seal_over_a_genuine_notarised_pdf_is_not_bound(world: World) -> None:
    # chains to the same trusted CA, but the issuer never bound this certificate: neither a copied binding ...
    genuine = world.seal()
    from pyhanko.pdf_utils.reader import PdfFileReader

    copied = read_binding(PdfFileReader(io.BytesIO(genuine)).embedded_signatures[0].sig_object)
    assert copied is not None
    stranger = world.sealer("stranger")
    report = world.judge(stranger.seal(world.notarised, copied))
    assert (report.status, report.reason, report.bound) == ("INVALID", SealReason.NOT_BOUND, False)  # type: ignore[attr-defined]
    # ... nor one made by another key, nor none at all
    other_key = bytes(Account.create().key)
    assert (
        world.judge(stranger.seal(world.notarised, world.binding(stranger, other_key))).reason is SealReason.NOT_BOUND
    )  # type: ignore[attr-defined]
    assert world.judge(stranger.seal(world.notarised, b"")).reason is SealReason.NOT_BOUND  # type: ignore[attr-defined]


def test_content_changed_after_sealing_is_not_a_signature_update(world: World) -> None:
    sealed = world.seal()
    writer = PdfWriter(io.BytesIO(sealed), incremental=True)
    writer.pages[0].merge_page(_text_page("Note: 1,0"))
    out = io.BytesIO()
    writer.write(out)
    changed = out.getvalue()
    assert changed.startswith(sealed)
    outcome = review_later_updates(changed, len(world.notarised))
    assert not outcome.allowed, outcome


def test_bytes_inside_the_sealed_range_changed(world: World) -> None:
    sealed = bytearray(world.seal())
    # a byte of the notarised part: the prefix check fails anyway; the seal itself must also say broken
    at = sealed.index(b"/Producer")
    sealed[at + 1] = ord("Q")
    report = world.judge(bytes(sealed))
    assert (report.status, report.reason) == ("INVALID", SealReason.BROKEN)  # type: ignore[attr-defined]


def test_seal_stripped(world: World) -> None:
    notarised = world.notarised  # the seal revisions cut off: exactly the notarised file again
    assert world.judge(notarised).reason is SealReason.NO_SEAL  # type: ignore[attr-defined]
    assert world.judge(notarised).status == "SKIPPED"  # type: ignore[attr-defined]
    required = world.judge(notarised, require_seal=True)
    assert (required.status, required.reason) == ("INVALID", SealReason.SEAL_MISSING)  # type: ignore[attr-defined]


def test_expired_certificate(world: World) -> None:
    report = world.judge(world.seal("expired"))
    assert (report.status, report.reason) == ("INVALID", SealReason.EXPIRED), report  # type: ignore[attr-defined]


def test_revoked_certificate_with_an_offline_crl(world: World) -> None:
    sealed = world.seal("revoked")
    report = world.judge(sealed, crls=[world.paths["crl"].read_bytes()])
    assert (report.status, report.reason) == ("INVALID", SealReason.REVOKED), report  # type: ignore[attr-defined]
    # the same seal with the CRL in the file's DSS (B-LT): revoked without any operator CRL
    # (pyHanko refuses to embed validation data for a revoked certificate, so the DSS route is the operator's)


def test_unreadable_seal_options_are_one_line_errors(world: World, tmp_path: Path) -> None:
    with pytest.raises(SealError, match="cannot read"):
        Sealer(SealOptions(tmp_path / "missing.p12", P12_PASSWORD))
    with pytest.raises(SealError, match="password"):
        Sealer(SealOptions(world.paths["seal"], b"wrong"))


def _text_page(text: str) -> object:
    from pypdf import PdfReader
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(100, 700, text)
    c.save()
    return PdfReader(io.BytesIO(buf.getvalue())).pages[0]


_ = dt


# ---------------------------------------------------------------------- through the verifier (CLI, API, web path)


def _verifier(world: World, *, require_seal: bool = False, roots: tuple[str, ...] = ("root",)) -> Verifier:
    registry = world.issued.registry
    entry = TrustedEntry(
        "Stadt Musterstadt", registry.chain_id, registry.address, "unused", False,
        seal_roots=tuple(world.paths[r].read_bytes() for r in roots), require_seal=require_seal,
    )  # fmt: skip
    return Verifier(TrustList([entry]), facts_reader=lambda _entry, proof: read_facts(registry, proof))


def test_verifier_shows_a_valid_seal(world: World) -> None:
    result = _verifier(world).verify_pdf(world.seal(tsa_url=world.tsa_url))
    assert result.verdict is Verdict.VALID, result.to_json()
    assert result.check("notarisation-update").status is Status.VALID
    assert result.check("seal").status is Status.VALID
    seal = result.to_json("de")["seal"]
    assert seal["status"] == "VALID" and seal["subject"] == "Stadt Musterstadt, Bürgeramt" and seal["bound"] is True
    assert seal["message_de"] == "Gesiegelt von: Stadt Musterstadt, Bürgeramt"
    assert seal["level"] == "B-T" and seal["timestamped_at"]
    # an unsealed notarised PDF: no seal member, no seal check, as before
    plain = _verifier(world).verify_pdf(world.notarised)
    assert plain.verdict is Verdict.VALID and plain.seal is None
    assert "seal" not in [c.name for c in plain.checks]


def test_a_bad_seal_is_shown_but_decides_only_where_required(world: World) -> None:
    stranger = world.sealer("stranger").seal(world.notarised, b"")
    relaxed = _verifier(world).verify_pdf(stranger)
    assert relaxed.verdict is Verdict.VALID  # the anchored document is intact; the seal is reported, not hidden
    assert (relaxed.check("seal").status, relaxed.check("seal").reason) == (Status.INVALID, Reason.SEAL_NOT_BOUND)
    assert relaxed.seal is not None and relaxed.seal["subject"] == "Mallory GmbH"
    strict = _verifier(world, require_seal=True).verify_pdf(stranger)
    assert strict.verdict is Verdict.INVALID
    assert strict.decision.reason is Reason.SEAL_NOT_BOUND
    untrusted = _verifier(world, require_seal=True, roots=("other_root",)).verify_pdf(world.seal())
    assert (untrusted.verdict, untrusted.check("seal").reason) == (Verdict.INVALID, Reason.SEAL_UNTRUSTED)


def test_stripped_seal_is_invalid_only_where_required(world: World) -> None:
    stripped = world.notarised  # cutting the seal revisions off gives back exactly the notarised file
    assert _verifier(world).verify_pdf(stripped).verdict is Verdict.VALID
    strict = _verifier(world, require_seal=True).verify_pdf(stripped)
    assert (strict.verdict, strict.check("seal").reason) == (Verdict.INVALID, Reason.SEAL_MISSING)
    assert _verifier(world, require_seal=True).verify_pdf(world.seal()).verdict is Verdict.VALID


def test_content_after_sealing_makes_the_document_invalid(world: World) -> None:
    writer = PdfWriter(io.BytesIO(world.seal()), incremental=True)
    writer.pages[0].merge_page(_text_page("Note: 1,0"))
    out = io.BytesIO()
    writer.write(out)
    result = _verifier(world).verify_pdf(out.getvalue())
    assert result.verdict is Verdict.INVALID
    assert result.check("notarisation-update").reason is Reason.EXTRA_CONTENT


def test_seal_survives_the_worker_wire(world: World) -> None:
    verifier = _verifier(world)
    prepared = prepare_pdf(verifier.trust, world.seal())
    again = decode_prepared(json.loads(json.dumps(encode_prepared(prepared))))
    assert again.seal == prepared.seal and again.checks["seal"] == prepared.checks["seal"]
    assert verifier.finish(again).verdict is Verdict.VALID


def test_api_returns_the_seal(world: World) -> None:
    """The web API (uploads parsed in a worker process) carries the seal member to the page and to programs."""
    from fastapi.testclient import TestClient

    from tests.web.conftest import relaxed
    from verifier.web.main import create_app

    with TestClient(create_app(verifier=_verifier(world), web=relaxed())) as client:
        files = {"file": ("bescheid.pdf", world.seal(), "application/pdf")}
        reply = client.post("/api/v1/verify?lang=de", files=files).json()
    assert reply["verdict"] == "VALID", reply
    assert (
        reply["seal"]["status"] == "VALID" and reply["seal"]["message"] == "Gesiegelt von: Stadt Musterstadt, Bürgeramt"
    )
    assert next(c for c in reply["checks"] if c["name"] == "seal")["status"] == "VALID"
