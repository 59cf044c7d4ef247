"""Scans and photos of issued documents through the verifier: in process and in the isolated worker processes
(real memory and CPU limits), on a real chain (eth-tester). A scan or photo of genuine paper confirms its claims
(source scan/photo, scope claims); one that cannot be read is NOT_CHECKABLE with the reason and advice, never
INVALID; hostile PDFs stay bounded."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from notary.chain import State
from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, from_paths
from notary.pdf.samples import make_certificates
from tests.conftest import Actors
from tests.fixtures_scans import make_photo, make_scanned_pdf, pdf_with_images
from tests.issuing import Issued, issue_samples, verifier_for
from verifier.isolation import Limits, WorkerPool
from verifier.pipeline import Verifier
from verifier.result import Reason, Verdict, VerificationResult

GENEROUS = 60.0  # seconds: a bound against hangs on a loaded machine, not a speed target


@dataclass(frozen=True)
class Desk:
    issued: Issued
    verifier: Verifier
    genuine: bytes
    revoked: bytes
    original: bytes


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    actors = Actors("memory")
    issued = issue_samples(actors.registry, actors.issuer, tmp_path_factory.mktemp("scans"), count=2)
    proof = issued.proof(1)
    actors.registry.set_document_state(
        actors.revoker, bytes(proof.root), bytes(proof.leaf()), [bytes(p) for p in proof.merkle_proof], State.REVOKED, 3
    )
    genuine, revoked = (path.read_bytes() for path in issued.notarised)
    return Desk(issued, verifier_for(actors.registry), genuine, revoked, issued.originals[0].read_bytes())


@pytest.fixture(scope="module")
def pool(desk: Desk) -> Iterator[WorkerPool]:
    workers = WorkerPool(desk.verifier.trust, 1, limits=Limits(timeout=GENEROUS), queue_wait=GENEROUS)
    yield workers
    workers.close()


def not_checkable(result: VerificationResult, reason: Reason) -> None:
    assert result.verdict is Verdict.NOT_CHECKABLE, result.to_json()
    assert result.check("format").reason is reason
    assert result.decision.reason is reason
    assert result.decision.advice_de and result.decision.advice_en


def without_attachments(pdf: bytes) -> bytes:
    """The stamped pages copied into a new file, as "print to PDF" does: the proof attachment is gone."""
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------- genuine paper: claims confirmed


def test_a_scanned_genuine_certificate_confirms_its_claims(desk: Desk) -> None:
    result = desk.verifier.verify_pdf(make_scanned_pdf(desk.genuine))
    assert result.verdict is Verdict.VALID, result.to_json()
    assert result.source == "scan" and result.scope == "claims" and result.kind == "pdf"
    assert result.claims == desk.issued.proof(0).claims.to_json_dict()
    assert result.check("integrity").reason is Reason.NOT_APPLICABLE  # the file's bytes are not what was anchored


def test_a_scan_of_a_revoked_certificate_is_revoked(desk: Desk) -> None:
    result = desk.verifier.verify_pdf(make_scanned_pdf(desk.revoked))
    assert result.verdict is Verdict.REVOKED and result.source == "scan"


def test_a_reprinted_pdf_is_checked_by_its_vector_qr(desk: Desk) -> None:
    reprinted = without_attachments(desk.genuine)
    result = desk.verifier.verify_pdf(reprinted)
    assert result.verdict is Verdict.VALID and result.source == "scan" and result.scope == "claims"


def test_a_photo_of_the_whole_page_confirms_its_claims(desk: Desk) -> None:
    photo = make_photo(desk.genuine)
    assert max(Image.open(io.BytesIO(photo)).size) == 1600
    result = desk.verifier.verify_image(photo)
    assert result.verdict is Verdict.VALID and result.source == "photo" and result.scope == "claims"


def test_scans_and_photos_of_a_stamp_with_the_verifier_url(tmp_path: Path) -> None:
    """Stamp version 2: the QR starts with the verifier URL (a bigger symbol, smaller modules at 40 mm)."""
    actors = Actors("memory")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "zeugnis.pdf").write_bytes(next(iter(make_certificates(1, seed=3))))
    journal = Journal(tmp_path / "journal.sqlite")
    with ThreadPoolExecutor(1) as pool:
        options = IssueOptions(out_dir=tmp_path / "out", qr_url="https://pruefen.mannheim.de/v#")
        defaults = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder="Lena Müller")
        Issuance(journal, actors.registry, actors.issuer, options, executor=pool).issue(
            from_paths([tmp_path / "in"], defaults), spec="test:url"
        )
    journal.close()
    pdf = (tmp_path / "out" / "zeugnis.pdf").read_bytes()
    verifier = verifier_for(actors.registry)
    scan = verifier.verify_pdf(make_scanned_pdf(pdf))
    assert scan.verdict is Verdict.VALID and scan.source == "scan"
    for angle in (3.0, -4.0):
        photo = verifier.verify_image(make_photo(pdf, angle=angle))
        assert photo.verdict is Verdict.VALID and photo.source == "photo"


# ---------------------------------------------------------------------- could not check: reason and advice


def test_a_blurred_photo_is_not_checkable_image_blurred(desk: Desk) -> None:
    not_checkable(desk.verifier.verify_image(make_photo(desk.genuine, blur=True)), Reason.IMAGE_BLURRED)


def test_a_small_photo_is_not_checkable_image_too_small(desk: Desk) -> None:
    not_checkable(desk.verifier.verify_image(make_photo(desk.genuine, small=True)), Reason.IMAGE_TOO_SMALL)


def test_a_plain_pdf_is_no_proof(desk: Desk) -> None:
    result = desk.verifier.verify_pdf(desk.original)
    not_checkable(result, Reason.NO_PROOF)
    assert result.source == "pdf" and result.scope is None


def test_an_image_only_pdf_without_a_qr_is_scan_without_qr(desk: Desk) -> None:
    not_checkable(desk.verifier.verify_pdf(make_scanned_pdf(desk.original)), Reason.SCAN_WITHOUT_QR)


# ---------------------------------------------------------------------- in the worker processes


def test_in_the_worker_a_scan_is_verified_with_a_preview(desk: Desk, pool: WorkerPool) -> None:
    prepared = pool.run("pdf", make_scanned_pdf(desk.genuine), preview=True)
    result = desk.verifier.finish(prepared)
    assert result.verdict is Verdict.VALID and result.source == "scan"
    assert result.preview_png is not None and result.preview_png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(result.preview_png)).width <= 700


def test_in_the_worker_photos_say_why_not(desk: Desk, pool: WorkerPool) -> None:
    for photo, reason in (
        (make_photo(desk.genuine, blur=True), Reason.IMAGE_BLURRED),
        (make_photo(desk.genuine, small=True), Reason.IMAGE_TOO_SMALL),
    ):
        not_checkable(desk.verifier.finish(pool.run("image", photo)), reason)
    assert desk.verifier.finish(pool.run("image", make_photo(desk.genuine))).verdict is Verdict.VALID


@pytest.mark.parametrize(
    ("name", "hostile", "reason"),
    [
        ("10,000 tiny images", pdf_with_images(10_000, 4, 4), Reason.NO_PROOF),
        ("30,000 x 30,000 declared", pdf_with_images(1, 30_000, 30_000, data=b"x" * 100), Reason.SCAN_WITHOUT_QR),
        ("30,000 x 30,000 of zeros", pdf_with_images(1, 30_000, 30_000, data=b"\x78\x9c" + b"\x00" * 50), None),
    ],
)
def test_hostile_pdfs_are_bounded_in_the_worker(
    desk: Desk, pool: WorkerPool, name: str, hostile: bytes, reason: Reason | None
) -> None:
    replaced = pool.replaced
    result = desk.verifier.finish(pool.run("pdf", hostile, preview=True))
    assert result.verdict is Verdict.NOT_CHECKABLE, name
    if reason is not None:
        assert result.check("format").reason is reason
    assert result.preview_png is None  # not drawn: what it draws is not bounded
    assert pool.replaced == replaced  # answered by the worker, which lives on


def test_hostile_pdfs_in_process_too(desk: Desk, tmp_path: Path) -> None:
    """The CLI verifies in process: the same bounds hold without a worker's limits."""
    hostile = pdf_with_images(10_000, 4, 4)
    not_checkable(desk.verifier.verify_pdf(hostile), Reason.NO_PROOF)
