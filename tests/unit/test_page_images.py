"""Finding the QR of an issued document in scans and photos, saying why when there is none, and the page-1
preview: real issued PDFs, rendered and photographed the way applicants do it; hostile PDFs stay bounded."""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageFilter

from tests.conftest import Actors
from tests.fixtures_scans import (
    make_photo,
    make_scanned_pdf,
    pdf_of_pictures,
    pdf_with_content,
    pdf_with_images,
    render,
)
from tests.issuing import issue_samples
from verifier import page_images, qr_image
from verifier.page_images import MAX_IMAGES, MAX_PAGES, MAX_XOBJECTS, find_in_pdf, page_one_bounded
from verifier.preview import MAX_BYTES, MAX_WIDTH, render_preview
from verifier.qr_image import search
from verifier.scan_quality import BLURRED, NO_PROOF, NO_QR, SCAN_WITHOUT_QR, TOO_SMALL, UNREADABLE


@dataclass(frozen=True)
class Papers:
    issued: bytes  # stamped with the 40 mm QR, proof attached
    original: bytes  # the school's PDF before stamping: text, no images, no QR
    qr_text: str


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Papers:
    actors = Actors("memory")
    issued = issue_samples(actors.registry, actors.issuer, tmp_path_factory.mktemp("scans"), count=1)
    pdf = issued.notarised[0].read_bytes()
    codes = [c for c in zxingcpp.read_barcodes(render(pdf, 150)) if c.valid]
    assert len(codes) == 1
    return Papers(pdf, issued.originals[0].read_bytes(), codes[0].text)


@pytest.fixture
def rendered_pages(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Pages page_images renders (pass 2), recorded."""
    pages: list[Any] = []
    real = page_images.render_grey

    def spy(page: Any, dpi: float, max_pixels: int) -> Image.Image:
        pages.append(page)
        return real(page, dpi, max_pixels)

    monkeypatch.setattr(page_images, "render_grey", spy)
    return pages


# ---------------------------------------------------------------------- scanned PDFs


@pytest.mark.parametrize("dpi", [300, 200, 100])
def test_a_scanned_pdf_of_the_paper_gives_the_qr_text(papers: Papers, dpi: int, rendered_pages: list[Any]) -> None:
    found = find_in_pdf(make_scanned_pdf(papers.issued, dpi=dpi))
    assert found.texts == (papers.qr_text,) and found.reason is None
    assert rendered_pages == []  # read from the stored JPEG, no rendering needed


def test_a_scan_of_a_second_page_is_found_too(papers: Papers) -> None:
    blank = Image.new("RGB", render(papers.original, 100).size, "white")
    scan = pdf_of_pictures([blank, render(papers.issued, 200).resize(blank.size)], dpi=100)
    assert find_in_pdf(scan).texts == (papers.qr_text,)


def test_a_pdf_printed_again_keeps_its_vector_qr(papers: Papers, rendered_pages: list[Any]) -> None:
    """No page images at all: the rendering pass reads the QR the stamp drew as vector graphics."""
    found = find_in_pdf(papers.issued)
    assert found.texts == (papers.qr_text,)
    assert len(rendered_pages) == 1


def test_a_text_pdf_without_proof_is_no_proof(papers: Papers) -> None:
    found = find_in_pdf(papers.original)
    assert found.texts == () and found.reason == NO_PROOF and found.quality is None
    assert "Original-PDF" in found.advice_de and "original PDF" in found.advice_en


def test_a_scan_without_a_qr_is_scan_without_qr(papers: Papers) -> None:
    found = find_in_pdf(make_scanned_pdf(papers.original))
    assert found.reason == SCAN_WITHOUT_QR and found.quality is None
    assert "200 dpi" in found.advice_de


def test_a_blurred_scan_says_so(papers: Papers) -> None:
    blurred = render(papers.issued, 150).filter(ImageFilter.GaussianBlur(3))
    found = find_in_pdf(pdf_of_pictures([blurred], dpi=150))
    assert found.reason == SCAN_WITHOUT_QR and found.quality == BLURRED
    assert "unscharf" in found.advice_de and "blurred" in found.advice_en


def test_a_tiny_scan_says_too_small(papers: Papers) -> None:
    found = find_in_pdf(pdf_of_pictures([render(papers.issued, 40)], dpi=40))
    assert found.reason == SCAN_WITHOUT_QR and found.quality == TOO_SMALL
    assert "mindestens 1600 Pixel" in found.advice_de


# ---------------------------------------------------------------------- photos


@pytest.mark.parametrize("angle", [3.0, -4.0, 0.0])
def test_a_photo_of_the_whole_page_decodes(papers: Papers, angle: float) -> None:
    photo = make_photo(papers.issued, angle=angle)
    assert max(Image.open(io.BytesIO(photo)).size) == 1600
    assert search(photo).texts == (papers.qr_text,)


def test_a_phone_photo_reduced_from_12_megapixels_decodes(papers: Papers) -> None:
    assert search(make_photo(papers.issued, long_side=4000)).texts == (papers.qr_text,)


@pytest.mark.parametrize("desk", [1.6, 2.5])
def test_a_page_small_in_a_big_photo_is_read_at_full_resolution(papers: Papers, desk: float) -> None:
    """12 megapixels, the page a third of it: the reduced search cannot read the QR, the full-resolution pieces
    can."""
    photo = make_photo(papers.issued, long_side=4000, desk=desk)
    assert search(photo).texts == (papers.qr_text,)


def test_small_photos_of_the_whole_page_are_read_more_often_with_variants(papers: Papers) -> None:
    """Between 750 and 900 px on the long side the QR has 1.5-2 px per module: the picture as it is reads some
    of them; enlarged cut-outs and the other variants read more (which ones depends on the payload's pattern)."""
    plain, searched = 0, 0
    for long_side in (750, 800, 850, 900):
        for angle in (3.0, -4.0, 0.0):
            photo = make_photo(papers.issued, long_side=long_side, angle=angle)
            as_it_is = [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(photo)).convert("L")) if c.valid]
            found = search(photo).texts
            assert found == (papers.qr_text,) or not as_it_is  # never worse than the picture as it is
            plain += bool(as_it_is)
            searched += bool(found)
    assert searched > plain, (plain, searched)


def test_a_blurred_photo_is_image_blurred_with_advice(papers: Papers) -> None:
    found = search(make_photo(papers.issued, blur=True))
    assert found.texts == () and found.reason == BLURRED
    assert "unscharf" in found.advice_de and "mindestens 1600 Pixel" in found.advice_de
    assert "blurred" in found.advice_en and "1600 pixels" in found.advice_en


def test_a_small_photo_is_image_too_small_with_advice(papers: Papers) -> None:
    found = search(make_photo(papers.issued, small=True))
    assert found.reason == TOO_SMALL
    assert "zu klein" in found.advice_de and "formatfüllend" in found.advice_de
    assert "too small" in found.advice_en


def test_a_sharp_photo_without_a_qr_is_no_qr_code(papers: Papers) -> None:
    found = search(make_photo(papers.original))
    assert found.reason == NO_QR and "kein QR-Code" in found.advice_de


def test_a_blank_or_broken_image_is_unreadable() -> None:
    blank = io.BytesIO()
    Image.new("L", (2000, 1500), 128).save(blank, "PNG")
    assert search(blank.getvalue()).reason == UNREADABLE
    broken = search(b"\x89PNG\r\n\x1a\nbroken")
    assert broken.reason == UNREADABLE and "PNG" in broken.detail


def test_existing_qr_texts_is_unchanged_for_a_clean_scan(papers: Papers) -> None:
    scan = io.BytesIO()
    render(papers.issued, 150).save(scan, "PNG")
    assert qr_image.qr_texts(scan.getvalue()) == [papers.qr_text]


# ---------------------------------------------------------------------- hostile PDFs: bounded, no crash


def test_ten_thousand_tiny_images_are_not_decoded_nor_rendered(
    monkeypatch: pytest.MonkeyPatch, rendered_pages: list[Any]
) -> None:
    decoded: list[Any] = []
    monkeypatch.setattr(page_images, "_decode", lambda image: decoded.append(image))
    hostile = pdf_with_images(10_000, 4, 4)
    survey = page_images._survey(hostile)
    assert survey.looked_at == MAX_XOBJECTS + 1 and survey.renderable == [False]
    found = find_in_pdf(hostile)
    assert found.reason == NO_PROOF
    assert decoded == [] and rendered_pages == []
    assert render_preview(hostile) is None and not page_one_bounded(hostile)


def test_a_30000_pixel_square_image_is_never_decoded(rendered_pages: list[Any]) -> None:
    hostile = pdf_with_images(1, 30_000, 30_000, data=b"x" * 100)
    found = find_in_pdf(hostile)
    assert found.reason == SCAN_WITHOUT_QR  # it claims to be a page-sized image; nothing readable in it
    assert rendered_pages == []
    assert render_preview(hostile) is None


def test_many_big_images_stay_within_the_image_count(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[Any] = []
    real = page_images._decode
    monkeypatch.setattr(page_images, "_decode", lambda image: decoded.append(image) or real(image))
    shared = pdf_with_images(50, 1000, 1000, data=zlib.compress(bytes(1000 * 1000)))
    assert find_in_pdf(shared).reason == SCAN_WITHOUT_QR
    assert len(decoded) == 1  # the same stream under 50 names is decoded once
    decoded.clear()
    assert find_in_pdf(pdf_with_images(50, 1000, 1000)).reason == SCAN_WITHOUT_QR
    assert len(decoded) == MAX_IMAGES
    distinct = pdf_of_pictures([Image.new("RGB", (800, 800), (i, i, i)) for i in range(0, 200, 20)], dpi=72)
    decoded.clear()
    assert find_in_pdf(distinct).reason == SCAN_WITHOUT_QR
    assert len(decoded) == MAX_PAGES  # one image on each of ten pages: the first pages only


def test_a_page_with_megabytes_of_drawing_is_not_rendered(rendered_pages: list[Any]) -> None:
    busy = pdf_with_content(b"0 0 m 595 842 l S\n" * 300_000)  # 5.4 MB of lines
    assert find_in_pdf(busy).reason == NO_PROOF
    assert rendered_pages == [] and render_preview(busy) is None
    light = pdf_with_content(b"0 0 m 595 842 l S\n" * 100)
    assert find_in_pdf(light).reason == NO_PROOF and len(rendered_pages) == 1
    assert render_preview(light) is not None


@pytest.mark.parametrize(
    "junk", [b"", b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"]
)
def test_junk_gives_no_proof_and_no_preview(junk: bytes) -> None:
    assert find_in_pdf(junk).reason == NO_PROOF
    assert render_preview(junk) is None


# ---------------------------------------------------------------------- preview


def test_the_preview_is_page_one_small(papers: Papers) -> None:
    png = render_preview(papers.issued)
    assert png is not None and len(png) <= MAX_BYTES
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG" and picture.width <= MAX_WIDTH
    assert abs(picture.height / picture.width - 297 / 210) < 0.01  # A4, upright
    # it is page 1 of this document: the QR in the corner is there (decodable once enlarged)
    enlarged = picture.convert("L").resize((picture.width * 3, picture.height * 3), Image.Resampling.LANCZOS)
    assert papers.qr_text in [c.text for c in zxingcpp.read_barcodes(enlarged) if c.valid]


def test_a_busy_page_preview_is_reduced_to_fit(tmp_path: Path) -> None:
    noise = Image.effect_noise((2480, 3508), 120).convert("RGB")  # a photo-like page that compresses badly
    png = render_preview(pdf_of_pictures([noise], dpi=300, quality=95))
    assert png is not None and len(png) <= MAX_BYTES
