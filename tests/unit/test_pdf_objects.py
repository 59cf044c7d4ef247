"""The stamp-format-v1 object serialiser: every rule pinned by exact bytes."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from notary.errors import PdfError
from notary.pdf.pdf_objects import Name, Real, Ref, from_pypdf, name, serialise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, b"null"),
        (True, b"true"),
        (False, b"false"),
        (0, b"0"),
        (-17, b"-17"),
        (Real(Decimal("1.500")), b"1.5"),
        (Real(Decimal("-0.0")), b"0"),
        (Real(Decimal("1E+3")), b"1000"),
        (Real.from_float(1e-7), b"0.0000001"),
        (Real.rounded(Fraction(113, 101), 6), b"1.118812"),
        (Real.rounded(Fraction(5, 2), 0), b"2"),
        (Real.rounded(Fraction(7, 2), 0), b"4"),
        (b"notary-proof.json", b"(notary-proof.json)"),
        (b"a(b)c\\", b"(a\\(b\\)c\\\\)"),
        (b"\xfe\xff\x00A", b"<feff0041>"),
        (b"", b"()"),
        (name("Type"), b"/Type"),
        (Name(b"application/json"), b"/application#2Fjson"),
        (Name(b"A B#\xfc"), b"/A#20B#23#FC"),
        (Ref(12, 3), b"12 3 R"),
        ([1, name("X"), [Ref(1)]], b"[1 /X [1 0 R]]"),
        ([], b"[]"),
        ({name("Type"): name("Page"), name("A"): 1, Name(b"Ab"): {}}, b"<</A 1 /Ab <<>> /Type /Page>>"),
    ],
)
def test_serialise(value: object, expected: bytes) -> None:
    assert serialise(value) == expected  # type: ignore[arg-type]


def test_from_pypdf_keeps_references_and_raw_bytes() -> None:
    text = TextStringObject("Zeugnis")
    text._original_bytes = b"\xfe\xff\x00Z"
    value = DictionaryObject({
        NameObject("/Ref"): IndirectObject(7, 0, None),
        NameObject("/Arr"): ArrayObject([NumberObject(1), FloatObject("0.5"), BooleanObject(True), NullObject()]),
        NameObject("/T"): text,
        NameObject("/B"): ByteStringObject(b"\x00\x01"),
    })  # fmt: skip
    assert from_pypdf(value) == {
        name("Ref"): Ref(7, 0),
        name("Arr"): [1, Real(Decimal("0.5")), True, None],
        name("T"): b"\xfe\xff\x00Z",
        name("B"): b"\x00\x01",
    }


def test_from_pypdf_refuses_inline_streams_and_deep_nesting() -> None:
    with pytest.raises(PdfError):
        from_pypdf(StreamObject())
    deep: ArrayObject = ArrayObject()
    for _ in range(100):
        deep = ArrayObject([deep])
    with pytest.raises(PdfError, match="deeply"):
        from_pypdf(deep)


def test_public_surface_is_pinned() -> None:
    import notary.pdf

    assert sorted(notary.pdf.__all__) == [
        "PROOF_FILE_NAME",
        "UpdateCheck",
        "UpdateVerdict",
        "check_notarisation_update",
        "choose_qr_params",
        "default_layout",
        "page_size",
        "qr_matrix",
        "read_attached_proof",
        "stamp_pdf",
    ]
