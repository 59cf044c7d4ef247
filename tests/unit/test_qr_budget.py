"""The key-facts QR size budget (docs/proof-format.md §12, "Key facts (format 1.1)"), measured on real stamps.

Vector ``facts`` (batch of 1,024, three key facts) is stamped onto a sample certificate with the issuer's own
stamping code, page 1 is rendered at 150 dpi with pypdfium2, and two independent decoders must return exactly
the QR text: zxing-cpp (what the CLI and the server use) and jsQR (what the web page's camera scan uses, run
in node with the options app.js passes). A synthetic raster is kinder than paper and a phone camera, so a
failure here means the budget is wrong, while a pass is only a lower bound. The same for stamp version 2, whose
QR starts with the verifier URL: with a typical URL and with the longest one the format allows (64 characters).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from notary.core import Proof, encode_qr_text
from notary.core.layout import MAX_QR_URL, URL_STAMP_VERSION, StampLayout
from notary.core.qr_payload import stamp_qr_text
from notary.pdf import default_layout, page_size, stamp_pdf
from notary.pdf.default_layout import QR_SIZE_MM
from notary.pdf.samples import SAMPLE_PUPILS, make_certificate

ROOT = Path(__file__).resolve().parents[2]
JSQR_SCRIPT = ROOT / "tests" / "node" / "jsqr_decode.mjs"
DPI = 150
URL_PREFIX = "HTTPS://VERIFY.EXAMPLE/#"

# jsQR 1.4 locates this version-21 symbol only from about 2.2 pixels per module (measured on these stamps:
# 37 mm and up decode, 36 mm and below do not), so at 150 dpi it reads the default 40 mm but not 35 or 30 mm,
# which the spec's sentence claims. zxing-cpp reads all three.
JSQR_BELOW_ITS_LIMIT = pytest.mark.xfail(
    reason="jsQR 1.4 needs about 2.2 px per module: at 150 dpi a 21-M stamp below ~37 mm is not found",
    strict=False,
)


@cache
def facts_vector() -> dict[str, Any]:
    cases = json.loads((ROOT / "tests" / "vectors" / "proofs_valid.json").read_text(encoding="utf-8"))["cases"]
    case: dict[str, Any] = next(c for c in cases if c["spec"]["name"] == "facts")
    return case


def stamp_text() -> str:
    """What the issuer puts in the stamp: the payload without the URL prefix (notary/issuance/documents.py)."""
    full: str = facts_vector()["expected"]["qr_text"]
    assert full.startswith(URL_PREFIX)
    return full[len(URL_PREFIX) :]


@cache
def stamped(size_mm: float) -> tuple[bytes, StampLayout]:
    proof_json = facts_vector()["expected"]["proof_json"].encode("utf-8")
    caption = json.loads(proof_json)["stamp"]["caption"]
    original = make_certificate(SAMPLE_PUPILS[0])
    width, height = page_size(original)
    layout = default_layout(width, height, stamp_text(), caption, size_mm=size_mm)
    return stamp_pdf(original, proof_json=proof_json, qr_text=stamp_text(), layout=layout), layout


def render_page(pdf: bytes) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        image: Image.Image = document[0].render(scale=DPI / 72).to_pil()
        return image
    finally:
        document.close()


def jsqr_decode(image: Image.Image, tmp_path: Path) -> str | None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js").is_file():
        pytest.skip("node and node_modules/jsqr are needed for the jsQR check (npm ci)")
    rgba = image.convert("RGBA")
    pixels = tmp_path / "page.rgba"
    pixels.write_bytes(rgba.tobytes())
    result = subprocess.run(
        [node, str(JSQR_SCRIPT), str(pixels), str(rgba.width), str(rgba.height)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    data: str | None = json.loads(result.stdout)["data"]
    return data


def test_facts_vector_is_version_21_m_at_the_default_40_mm() -> None:
    text = stamp_text()
    proof = Proof.from_json(facts_vector()["expected"]["proof_json"].encode("utf-8"))
    assert encode_qr_text(proof.for_qr()) == text
    assert (len(text), len(URL_PREFIX + text)) == (1015, 1039)
    _, layout = stamped(QR_SIZE_MM)
    assert (layout.qr_version, layout.qr_ecl) == (21, "M")
    assert layout.size == 113  # 40 mm in points
    assert proof.stamp is not None and (proof.stamp.qr_version, proof.stamp.size) == (21, 113)


@pytest.mark.parametrize("size_mm", [40, 35, 30])
def test_zxing_decodes_the_stamped_page_at_150_dpi(size_mm: int) -> None:
    pdf, layout = stamped(size_mm)
    assert layout.qr_version == 21
    found = [b.text for b in zxingcpp.read_barcodes(render_page(pdf)) if b.format == zxingcpp.BarcodeFormat.QRCode]
    assert found == [stamp_text()]


@pytest.mark.parametrize(
    "size_mm",
    [40, pytest.param(35, marks=JSQR_BELOW_ITS_LIMIT), pytest.param(30, marks=JSQR_BELOW_ITS_LIMIT)],
)
def test_jsqr_decodes_the_stamped_page_at_150_dpi(size_mm: int, tmp_path: Path) -> None:
    pdf, _ = stamped(size_mm)
    assert jsqr_decode(render_page(pdf), tmp_path) == stamp_text()


# --- stamp version 2: the verifier URL in the stamp's QR (P§8, P§12) -----------------------------------------

SHORT_URL = "https://verify.example/#"
LONGEST_URL = "https://" + "v" * (MAX_QR_URL - 10) + "/#"
"""The longest URL the format allows (MAX_QR_URL characters): the budget holds for every allowed URL."""


@cache
def stamped_with_url(url: str, size_mm: float) -> tuple[bytes, StampLayout, str]:
    facts = Proof.from_json(facts_vector()["expected"]["proof_json"].encode("utf-8"))
    assert facts.stamp is not None
    original = make_certificate(SAMPLE_PUPILS[0])
    width, height = page_size(original)
    placed = default_layout(width, height, "NT1:0", facts.stamp.caption, size_mm=size_mm)
    proof = dataclasses.replace(  # the facts vector as an issuer with a URL writes it: stamp version 2, format 1.2
        facts,
        document=None,
        version=None,
        stamp=dataclasses.replace(placed, stamp_version=URL_STAMP_VERSION, qr_url=url),
    )
    text = stamp_qr_text(proof)
    layout = default_layout(width, height, text, facts.stamp.caption, size_mm=size_mm, qr_url=url)
    proof = dataclasses.replace(proof, stamp=layout, document=None)
    assert str(proof.format_version) == "1.2" and stamp_qr_text(proof) == text
    return stamp_pdf(original, proof_json=proof.to_json(), qr_text=text, layout=layout), layout, text


@pytest.mark.parametrize("url", [SHORT_URL, LONGEST_URL])
def test_the_url_costs_one_version_at_most_64_characters(url: str) -> None:
    _, layout, text = stamped_with_url(url, QR_SIZE_MM)
    assert len(url) <= MAX_QR_URL and text.startswith(url + "NT1:")
    assert (layout.qr_version, layout.qr_ecl, layout.stamp_version) == (22, "M", URL_STAMP_VERSION)


@pytest.mark.parametrize("url", [SHORT_URL, LONGEST_URL])
def test_zxing_and_jsqr_decode_the_url_stamp_at_40_mm(url: str, tmp_path: Path) -> None:
    pdf, _, text = stamped_with_url(url, QR_SIZE_MM)
    page = render_page(pdf)
    found = [b.text for b in zxingcpp.read_barcodes(page) if b.format == zxingcpp.BarcodeFormat.QRCode]
    assert found == [text]
    assert jsqr_decode(page, tmp_path) == text
