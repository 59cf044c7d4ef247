"""The plain reader gives exactly pypdf's reading or declines: the stamp stays a function of the bytes alone."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from notary.errors import PdfError
from notary.pdf import original_pdf
from notary.pdf.original_pdf import OriginalPdf, read_original, read_original_plain, read_original_pypdf
from notary.pdf.samples import make_certificate, sample_certificates

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "pdf"


def simple_pdf(extra_page_entry: bytes = b"") -> bytes:
    """A one-page PDF with a classic xref table, its page carrying ``extra_page_entry``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        + extra_page_entry + b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length 40 >>\nstream\nBT /F1 12 Tf 72 720 Td (Zeugnis) Tj ET  \nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]  # fmt: skip
    return pdf_file(objects)


def pdf_file(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A file with a classic xref table holding ``objects`` (numbered from 1, the catalog first) and ``trailer``
    in its trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for num, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def _pypdf(data: bytes) -> OriginalPdf | str:
    try:
        return read_original_pypdf(data)
    except PdfError as exc:
        return f"refused: {exc}"


def _inputs() -> list[tuple[str, bytes]]:
    found = [(path.name, path.read_bytes()) for path in sorted(VECTORS.glob("*.pdf"))]
    found += [(f"certificate-{i}", make_certificate(c.pupil, c.school, c.grades))
              for i, c in enumerate(sample_certificates(3, seed=5))]  # fmt: skip
    found.append(("simple", simple_pdf()))
    return found


INPUTS = _inputs()


@pytest.mark.parametrize(("label", "data"), INPUTS, ids=[label for label, _ in INPUTS])
def test_plain_reading_equals_pypdf_or_declines(label: str, data: bytes) -> None:
    plain = read_original_plain(data)
    if plain is not None:
        assert plain == _pypdf(data), label
        assert repr(plain) == repr(_pypdf(data))  # the same types all the way down (Fraction, Real, Name ...)
    assert read_original(data) == _pypdf(data) or isinstance(_pypdf(data), str)


def test_the_common_originals_take_the_plain_path() -> None:
    """The generated certificates (the bench corpus) and the plain vectors are read without pypdf."""
    plain = {label for label, data in INPUTS if read_original_plain(data) is not None}
    assert {"certificate-0", "certificate-1", "certificate-2", "simple", "classic.original.pdf"} <= plain
    # updated files (a /Prev), xref streams and hybrids are pypdf's
    assert "classic.notarised.pdf" not in plain
    assert "hybrid-xref.original.pdf" not in plain


def test_damaged_variants_never_read_otherwise_than_pypdf() -> None:
    """Bytes changed, inserted or removed where the reader looks (the structure at either end): whenever the
    plain reader accepts the result, pypdf reads exactly the same (and refuses nothing it accepts)."""
    rng = random.Random(20261130)
    bases = [data for _, data in INPUTS if read_original_plain(data) is not None]
    alphabet = b" \t\r\n\x00\x0c\x0b()<>[]{}/%#0123456789.+-RnulltrefaobjxsPageKids\\\xfe\xff"
    accepted = 0
    for _ in range(1500):
        data = bytearray(rng.choice(bases))
        near_end = rng.random() < 0.5
        pos = rng.randrange(max(0, len(data) - 700), len(data)) if near_end else rng.randrange(min(len(data), 1500))
        byte, how = rng.choice(alphabet), rng.random()
        if how < 0.6:
            data[pos] = byte  # offsets unchanged: the reader goes on past the change
        elif how < 0.8:
            data.insert(pos, byte)
        else:
            del data[pos]
        mutated = bytes(data)
        plain = read_original_plain(mutated)
        if plain is not None:
            accepted += 1
            assert plain == _pypdf(mutated), (pos, mutated[max(0, pos - 30) : pos + 30])
    assert accepted > 200  # the property was exercised, not only declined


@pytest.mark.parametrize(
    "text",
    [
        b"(a\\(b\\)c)", b"(nested (parens) ok)", b"(tab\\tnew\\nline)", b"<48656c6c6f>", b"(\\101)", b"<4 8>",
        b"(line\\\ncontinued)", b"<feff0041>", b"(caf\xe9)", b"[1 2.5 -.5 +3 5.]", b"/A#20B", b"[true false null]",
    ],
)  # fmt: skip
def test_values_in_the_page_read_as_pypdf_reads_them(text: bytes) -> None:
    """A page entry holding each kind of token: read as pypdf reads it, or left to pypdf."""
    data = simple_pdf(extra_page_entry=b"/Probe " + text)
    plain = read_original_plain(data)
    if plain is not None:
        assert plain == read_original_pypdf(data)


def test_the_fallback_is_pypdf(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (VECTORS / "classic.notarised.pdf").read_bytes()
    monkeypatch.setattr(original_pdf, "read_original_pypdf", lambda raw: "pypdf")
    assert read_original(data) == "pypdf"


@pytest.mark.parametrize("extra", [b"/Big " + b"7" * 5000, b"/Big [ " + b"7" * 5000 + b" ]"])
def test_a_number_longer_than_int_takes_is_a_pdf_error_not_a_crash(extra: bytes) -> None:
    """int() refuses more than 4,300 digits with ValueError: that file goes to pypdf, which refuses it cleanly."""
    assert read_original(simple_pdf(b"/Small 12")).page_ref is not None
    assert read_original_plain(simple_pdf(extra)) is None
    with pytest.raises(PdfError):
        read_original(simple_pdf(extra))
