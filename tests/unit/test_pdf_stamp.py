"""Stamping: prefix kept, one valid incremental update, QR decodes from the rendered page, deterministic,
for PDFs of several producers and structures (classic xref, xref streams, linearized, rotated, inherited
resources, existing attachments)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import random
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject, RectangleObject

from notary.core.layout import StampLayout
from notary.errors import PdfError
from notary.pdf import (
    check_notarisation_update,
    default_layout,
    page_size,
    read_attached_proof,
    stamp_pdf,
)
from notary.pdf.incremental_update import MAGIC_COMMENT
from notary.pdf.qr_symbol import ALPHANUMERIC_CHARSET
from notary.pdf.samples import SAMPLE_PUPILS, make_certificate

QPDF = shutil.which("qpdf")
CAPTION = "Digital geprüft: https://verify.example.de"
PROOF = json.dumps({"v": 1, "note": "fictional proof", "pad": "x" * 1500}, sort_keys=True).encode()


def qr_text(seed: int = 1, length: int = 896) -> str:
    rng = random.Random(seed)
    return "NT1:" + "".join(rng.choice(ALPHANUMERIC_CHARSET) for _ in range(length))


QR = qr_text()


def build_pdf(objects: dict[int, bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A hand-written classic-xref PDF from object bodies (for structures producers rarely write)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 00000 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer_extra, xref)
    return bytes(out)


def stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def inherited_resources_pdf() -> bytes:
    """Resources and MediaBox on the Pages node, /Contents an array of two streams, nested page tree."""
    return build_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /Font << /F1 4 0 R >> >> "
           b"/MediaBox [0 0 612 792] >>",
        3: b"<< /Type /Pages /Parent 2 0 R /Kids [5 0 R] /Count 1 >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
        5: b"<< /Type /Page /Parent 3 0 R /Contents [6 0 R 7 0 R] >>",
        # an unbalanced transform that would move the stamp without the q/Q wrapping
        6: stream(b"0.5 0 0 0.5 300 300 cm 1 0 0 rg"),
        7: stream(b"BT /F1 24 Tf 72 700 Td (Letter page, inherited resources) Tj ET"),
    })  # fmt: skip


def certificate() -> bytes:
    return make_certificate(SAMPLE_PUPILS[0])


def layout_for(pdf: bytes, text: str = QR) -> StampLayout:
    width, height = page_size(pdf)
    return default_layout(width, height, text, CAPTION)


def stamp(pdf: bytes, text: str = QR, proof: bytes = PROOF) -> tuple[bytes, StampLayout]:
    layout = layout_for(pdf, text)
    return stamp_pdf(pdf, proof_json=proof, qr_text=text, layout=layout), layout


def qpdf(*args: str, data: bytes, tmp_path: Path) -> bytes:
    assert QPDF, "qpdf is needed: apt-get install -y qpdf"
    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(data)
    subprocess.run([QPDF, *args, str(src), str(dst)], check=True, capture_output=True)
    return dst.read_bytes()


def qpdf_check(data: bytes, tmp_path: Path) -> None:
    assert QPDF, "qpdf is needed: apt-get install -y qpdf"
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    result = subprocess.run([QPDF, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def decode_page(pdf: bytes, dpi: int = 150) -> list[zxingcpp.Barcode]:
    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=dpi / 72).to_pil()
    return [b for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]


def assert_stamp_ok(original: bytes, tmp_path: Path, text: str = QR) -> bytes:
    out, layout = stamp(original, text)
    assert out.startswith(original)
    assert out.count(MAGIC_COMMENT) == original.count(MAGIC_COMMENT) + 1
    qpdf_check(out, tmp_path)
    codes = decode_page(out)
    assert [c.text for c in codes] == [text]
    # the symbol sits in the bottom-right quarter of the page as displayed
    page = pdfium.PdfDocument(out)[0]
    width, height = page.get_size()
    pos = codes[0].position
    cx = (pos.top_left.x + pos.bottom_right.x) / 2 / (150 / 72)
    cy = (pos.top_left.y + pos.bottom_right.y) / 2 / (150 / 72)
    assert cx > width / 2 and cy > height / 2, (cx, cy, width, height)
    assert read_attached_proof(out) == PROOF
    assert check_notarisation_update(out, len(original), PROOF, text, layout).ok
    assert stamp_pdf(original, proof_json=PROOF, qr_text=text, layout=layout) == out
    return out


def test_reportlab_certificate(tmp_path: Path) -> None:
    original = certificate()
    assert 30_000 <= len(original) <= 60_000
    out = assert_stamp_ok(original, tmp_path)
    reader = PdfReader(io.BytesIO(out))
    assert reader.attachments == {"notary-proof.json": [PROOF]}
    assert "/AF" in reader.trailer["/Root"]
    assert "Digital geprüft" in reader.pages[0].extract_text()


def test_pypdf_written(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.append(io.BytesIO(certificate()))
    writer.add_metadata({"/Title": "rewritten by pypdf"})
    buf = io.BytesIO()
    writer.write(buf)
    assert_stamp_ok(buf.getvalue(), tmp_path)


def test_existing_attachments_are_kept(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(certificate()))
    writer.add_attachment("zeugnis.xml", b"<zeugnis/>")
    writer.add_attachment("anlage.txt", b"Anlage")
    buf = io.BytesIO()
    writer.write(buf)
    out = assert_stamp_ok(buf.getvalue(), tmp_path)
    attachments = PdfReader(io.BytesIO(out)).attachments
    assert attachments["zeugnis.xml"] == [b"<zeugnis/>"]
    assert attachments["anlage.txt"] == [b"Anlage"]
    assert attachments["notary-proof.json"] == [PROOF]


@pytest.mark.parametrize(
    "args",
    [("--object-streams=generate",), ("--linearize",), ("--linearize", "--object-streams=generate")],
    ids=["object-streams", "linearized", "linearized-object-streams"],
)
def test_xref_stream_and_linearized(tmp_path: Path, args: tuple[str, ...]) -> None:
    original = qpdf(*args, data=certificate(), tmp_path=tmp_path)
    out = assert_stamp_ok(original, tmp_path)
    update = out[len(original) :]
    if "--object-streams=generate" in args:
        assert b"/Type /XRef" in update and b"\nxref\n" not in update
    else:
        assert b"\nxref\n" in update


def test_rotated_page_with_offset_boxes(tmp_path: Path) -> None:
    for rotate in (90, 180, 270):
        writer = PdfWriter(clone_from=io.BytesIO(certificate()))
        page = writer.pages[0]
        page[NameObject("/MediaBox")] = RectangleObject([100, 50, 100 + 595.2756, 50 + 841.8898])
        page[NameObject("/CropBox")] = RectangleObject([110, 60, 100 + 585, 50 + 830])
        page[NameObject("/Rotate")] = NumberObject(rotate)
        buf = io.BytesIO()
        writer.write(buf)
        original = buf.getvalue()
        width, height = page_size(original)
        assert (width, height) == ((575.0, 820.0) if rotate == 180 else (820.0, 575.0))
        assert_stamp_ok(original, tmp_path)


def test_inherited_resources_and_contents_array(tmp_path: Path) -> None:
    original = inherited_resources_pdf()
    out = assert_stamp_ok(original, tmp_path)
    page = PdfReader(io.BytesIO(out)).pages[0]
    assert set(page["/Resources"]["/Font"]) == {"/F1", "/NotaryHelv"}
    assert len(page["/Contents"]) == 4


def test_font_name_clash_and_inline_names(tmp_path: Path) -> None:
    original = build_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /Dests 6 0 R >> /AF [7 0 R] /Lang (de-DE) >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R "
           b"/Resources << /Font << /NotaryHelv 5 0 R >> >> >>",
        4: stream(b"BT /NotaryHelv 12 Tf 72 720 Td (Clash) Tj ET"),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
        6: b"<< /Names [] >>",
        7: b"<< /Type /Filespec /F (other.txt) /AFRelationship /Unspecified >>",
    })  # fmt: skip
    out = assert_stamp_ok(original, tmp_path)
    reader = PdfReader(io.BytesIO(out))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de-DE" and "/Dests" in root["/Names"] and len(root["/AF"]) == 2
    assert set(reader.pages[0]["/Resources"]["/Font"]) == {"/NotaryHelv", "/NotaryHelv1"}


def test_deterministic_and_pinned() -> None:
    """The whole update for a fixed hand-written original is pinned: stamp format v1 never changes."""
    original = inherited_resources_pdf()
    layout = StampLayout(1, 0, 450, 50, 113, "Digital geprüft: (test) \\ €", 5, "M", 3)
    text = "NT1:PINNED STAMP VECTOR 2060"
    out = stamp_pdf(original, proof_json=b'{"v":1}', qr_text=text, layout=layout)
    assert out == stamp_pdf(original, proof_json=b'{"v":1}', qr_text=text, layout=layout)
    assert hashlib.sha256(out[len(original) :]).hexdigest() == PINNED_UPDATE_SHA256


PINNED_UPDATE_SHA256 = "ce1ac040865d6fd193e04b0933c2505fe31f7f7cb1a48b340d8422cecedeb7b3"


def test_refuses_to_stamp_twice_and_bad_input(tmp_path: Path) -> None:
    out, layout = stamp(certificate())
    with pytest.raises(PdfError, match="already carries"):
        stamp_pdf(out, proof_json=PROOF, qr_text=QR, layout=layout)
    with pytest.raises(PdfError):
        stamp_pdf(b"not a pdf", proof_json=PROOF, qr_text=QR, layout=layout)
    with pytest.raises(PdfError):
        stamp_pdf(certificate(), proof_json=PROOF, qr_text="lower case", layout=layout)
    bad_caption = dataclasses.replace(layout, caption="Prüfung ✓")
    with pytest.raises(PdfError, match="caption"):
        stamp_pdf(certificate(), proof_json=PROOF, qr_text=QR, layout=bad_caption)


def test_default_layout_geometry() -> None:
    layout = default_layout(595.2756, 841.8898, QR, CAPTION)
    assert (layout.qr_version, layout.qr_ecl, layout.size) == (19, "M", 113)
    assert layout.x + layout.size <= 595 - 42 and layout.y >= 42
    long_caption = default_layout(595.2756, 841.8898, QR, "Digital geprüft: " + "https://x.example/" * 6)
    assert long_caption.x < layout.x
    with pytest.raises(PdfError):
        default_layout(100, 100, QR, CAPTION)
