"""read_attached_proof on hostile, damaged and ordinary input: a value, None, or one clean PdfError."""

from __future__ import annotations

import io
import random

import pytest
from pypdf import PdfWriter

from notary.errors import PdfError
from notary.pdf import default_layout, page_size, read_attached_proof, stamp_pdf
from notary.pdf.samples import SAMPLE_PUPILS, make_certificate

QR = "NT1:ABC123"
PROOF = b'{"v":1}'


@pytest.fixture(scope="module")
def original() -> bytes:
    return make_certificate(SAMPLE_PUPILS[2])


@pytest.fixture(scope="module")
def stamped(original: bytes) -> bytes:
    layout = default_layout(*page_size(original), QR, "Digital geprüft")
    return stamp_pdf(original, proof_json=PROOF, qr_text=QR, layout=layout)


def test_reads_proof(stamped: bytes) -> None:
    assert read_attached_proof(stamped) == PROOF


def test_none_without_attachment(original: bytes) -> None:
    assert read_attached_proof(original) is None
    writer = PdfWriter(clone_from=io.BytesIO(original))
    writer.add_attachment("other.json", b"{}")
    buf = io.BytesIO()
    writer.write(buf)
    assert read_attached_proof(buf.getvalue()) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"%PDF-1.7\n", b"%PDF-1.7\n" + b"\x00" * 1000, b"GIF89a" + b"\x00" * 100,
     b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF"],
    ids=["empty", "text", "header-only", "zeros", "gif", "self-referencing"],
)  # fmt: skip
def test_garbage(data: bytes) -> None:
    try:
        assert read_attached_proof(data) is None
    except PdfError as exc:
        assert str(exc)


def test_truncated_and_corrupted(stamped: bytes, original: bytes) -> None:
    rng = random.Random(0)
    for cut in (len(stamped) // 4, len(stamped) // 2, len(original) + 100, len(stamped) - 30):
        try:
            read_attached_proof(stamped[:cut])
        except PdfError as exc:
            assert "cannot read the proof" in str(exc)
    for _ in range(30):
        data = bytearray(stamped)
        for _ in range(20):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            result = read_attached_proof(bytes(data))
        except PdfError:
            continue
        assert result is None or isinstance(result, bytes)


def test_too_large() -> None:
    with pytest.raises(PdfError, match="larger than"):
        read_attached_proof(b"%PDF-1.7\n" + b" " * (51 * 1024 * 1024))


def test_compressed_proof_is_refused(stamped: bytes) -> None:
    """A proof the stamp did not write (filtered) is refused rather than decompressed."""
    writer = PdfWriter(clone_from=io.BytesIO(make_certificate(SAMPLE_PUPILS[3])))
    writer.add_attachment("notary-proof.json", b'{"v":1}' * 100)
    writer.compress_identical_objects()
    for page in writer.pages:
        page.compress_content_streams()
    buf = io.BytesIO()
    writer.write(buf)
    data = buf.getvalue()
    try:
        assert read_attached_proof(data) == b'{"v":1}' * 100
    except PdfError as exc:
        assert "compressed" in str(exc)


def _pdf(objects: dict[int, bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_cyclic_name_tree_and_deep_nesting() -> None:
    cyclic = _pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Kids [3 0 R 3 0 R] >>",
    })  # fmt: skip
    with pytest.raises(PdfError, match="implausibly"):
        read_attached_proof(cyclic)
    deep = _pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Names [(notary-proof.json) " + b"[" * 5000 + b"]" * 5000 + b"] >>",
    })  # fmt: skip
    with pytest.raises(PdfError):
        read_attached_proof(deep)
    inline_spec = _pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(notary-proof.json) 3 0 R] >> >> >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Type /Filespec /F (notary-proof.json) /EF << /F 4 0 R >> >>",
        4: b"<< /Length 7 >>\nstream\n{\"v\":2}\nendstream",
    })  # fmt: skip
    assert read_attached_proof(inline_spec) == b'{"v":2}'
