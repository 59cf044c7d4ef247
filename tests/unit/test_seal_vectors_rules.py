"""docs/seal.md §4 rule 3, one rule at a time: revisions written by hand (classic cross-reference tables, no
PDF library) after the `b-b` sealed vector, each allowed or refused exactly as the text says. What a signature
library would write is in the vectors; these are the cases a forger writes."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from notary.pdf.seal import review_later_updates
from verifier.pipeline import prepare_pdf
from verifier.trust import TrustedEntry, TrustList

SEAL_VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "seal"
NOTARISED_LENGTH = 20324  # tests/vectors/pdf/classic.notarised.pdf, the prefix of every seal vector

# b-b.pdf: catalog 2, info 1, pages 3, page 4 (contents 7 5 8, fonts 6 9), form 14, the seal's field+widget 15
PAGE = (
    b"<</Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources <</Font <</F1 6 0 R /NotaryHelv 9 0 R>>>> "
    b"/Contents [7 0 R 5 0 R 8 0 R] /Annots [%s]>>"
)
FORM = b"<</Fields [%s] /SigFlags 3>>"
FIELD = b"<</FT /Sig /Type /Annot /Subtype /Widget /T (Extra) /P 4 0 R /F 132 /Rect [%s]%s>>"


@cache
def _sealed() -> bytes:
    return (SEAL_VECTORS / "b-b.pdf").read_bytes()


def _latest(pdf: bytes, number: int) -> bytes:
    """The body of object ``number`` as the last revision wrote it."""
    *_, found = re.finditer(rb"(?<![0-9])%d 0 obj\s*(.*?)\s*endobj" % number, pdf, re.DOTALL)
    return found[1]


def _append(
    pdf: bytes,
    objects: dict[int, bytes],
    *,
    generation: int = 0,
    free: tuple[int, ...] = (),
    size: int | None = None,
    root: int = 2,
) -> bytes:
    """``pdf`` plus one revision: the objects, a classic xref table (one subsection per entry) and a trailer."""
    prev = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    old_size = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    body = b""
    offsets: dict[int, int] = {}
    for number, text in sorted(objects.items()):
        offsets[number] = len(pdf) + len(body)
        body += b"%d %d obj\n%s\nendobj\n" % (number, generation, text)
    xref = b"xref\n"
    for number in sorted(set(offsets) | set(free)):
        if number in free:
            xref += b"%d 1\n0000000000 00001 f \n" % number
        else:
            xref += b"%d 1\n%010d %05d n \n" % (number, offsets[number], generation)
    highest = max([old_size - 1, *objects])
    trailer = b"trailer\n<</Size %d /Root %d 0 R /Info 1 0 R /Prev %d>>\n" % (size or highest + 1, root, prev)
    return pdf + body + xref + trailer + b"startxref\n%d\n%%%%EOF\n" % (len(pdf) + len(body))


def _extra_field(rect: bytes = b"0 0 0 0", extra: bytes = b"", page_annots: bytes = b"15 0 R 18 0 R") -> bytes:
    return _append(
        _sealed(),
        {4: PAGE % page_annots, 14: FORM % b"15 0 R 18 0 R", 18: FIELD % (rect, extra)},
    )


def _allowed(pdf: bytes) -> bool:
    return review_later_updates(pdf, NOTARISED_LENGTH).allowed


def test_the_base_is_the_sealed_vector() -> None:
    """PAGE and FORM below are the seal revision's page and form, rewritten in our own spelling."""
    assert _allowed(_sealed())
    page = b" ".join(_latest(_sealed(), 4).split())
    for part in (b"/Type /Page", b"/Parent 3 0 R", b"/Contents [ 7 0 R 5 0 R 8 0 R ]", b"/Annots [ 15 0 R ]"):
        assert part in page, page
    assert b" ".join(_latest(_sealed(), 14).split()) == b"<< /Fields [ 15 0 R ] /SigFlags 3 >>"
    # our spelling of the same page and form is no change
    assert _allowed(_append(_sealed(), {4: PAGE % b"15 0 R", 14: FORM % b"15 0 R"}))


def test_an_appended_invisible_signature_field_is_allowed() -> None:
    """Rules 3.3-3.5: the page gains one zero-area /FT /Sig widget in /Annots, the form the same in /Fields."""
    assert _allowed(_extra_field())
    # rewriting the catalog or the form without a change is no change (keys compared, not bytes)
    assert _allowed(_append(_sealed(), {2: _latest(_sealed(), 2), 14: FORM % b"15 0 R"}))
    # the seal revision's own XMP packet (number >= /Size of the notarised file) may be rewritten
    metadata = int(re.search(rb"/Metadata (\d+) 0 R", _latest(_sealed(), 2))[1])  # type: ignore[index]
    assert metadata >= 13
    assert _allowed(_append(_sealed(), {metadata: b"<</Type /Metadata /Subtype /XML /Length 0>>\nstream\n\nendstream"}))


@pytest.mark.parametrize(
    ("forged", "rule"),
    [
        (lambda: _extra_field(rect=b"0 0 595 842"), "3.4: a widget with an area paints over the page"),
        (lambda: _extra_field(extra=b" /AA <</PO 19 0 R>>"), "3.4: an action on the widget"),
        (lambda: _extra_field(page_annots=b"18 0 R"), "3.4: the seal's widget removed from /Annots"),
        (
            lambda: _append(
                _sealed(),
                {
                    4: PAGE % b"15 0 R 18 0 R",
                    18: b"<</Type /Annot /Subtype /FreeText /Rect [0 0 595 842] /Contents (Note: 1,0)>>",
                },
            ),
            "3.4: no signature field",
        ),
        (lambda: _append(_sealed(), {8: b"<</Length 0>>\nstream\n\nendstream"}), "3.3: a content stream changed"),
        (lambda: _append(_sealed(), {6: b"<</Type /Font /Subtype /Type1 /BaseFont /Courier>>"}), "3.3: a font"),
        (lambda: _append(_sealed(), {1: b"<</Title (Zeugnis: sehr gut) /Producer (x)>>"}), "3.3: /Title in /Info"),
        (
            lambda: _append(_sealed(), {2: _latest(_sealed(), 2).replace(b"<<", b"<</OpenAction [4 0 R /Fit] ", 1)}),
            "3.3: /OpenAction in the catalog",
        ),
        (
            lambda: _append(_sealed(), {14: b"<</Fields [15 0 R] /SigFlags 3 /NeedAppearances true>>"}),
            "3.5: /NeedAppearances",
        ),
        (lambda: _append(_sealed(), {}, free=(8,)), "3.2: an object freed"),
        (lambda: _append(_sealed(), {8: b"<</Length 0>>\nstream\n\nendstream"}, generation=1), "3.2: generation 1"),
        (lambda: _append(_sealed(), {18: b"<</Foo 1>>"}, generation=1), "3.2: a new object at generation 1"),
        (lambda: _append(_sealed(), {18: b"<</Type /Catalog /Pages 3 0 R>>"}, root=18), "3.1: another catalog"),
        (lambda: _append(_sealed(), {18: b"<</Foo 1>>"}, size=10), "3.1: /Size lowered"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_forged_revision_is_refused(forged: object, rule: str) -> None:
    pdf = forged()  # type: ignore[operator]
    outcome = review_later_updates(pdf, NOTARISED_LENGTH)
    assert not outcome.allowed, (rule, outcome.detail)


STRUCTURES = ("xref-stream", "object-streams", "incremental-original", "linearised", "tree-strings",
              "existing-attachment", "inherited-resources")  # fmt: skip


def test_a_genuine_seal_passes_on_every_kind_of_notarised_file() -> None:
    """No false refusals: our Sealer's revision over notarised PDF vectors of other structures (xref streams,
    object streams, an incremental or linearised original, objects at generation 1 ...) keeps to the rules.
    (hybrid-xref is left out: pyHanko cannot sign it at all, an AssertionError in its writer.)"""
    import json

    from tests.unit.test_seal_vectors import _generator

    make = _generator()
    pki = make.VectorPki.build()
    index = json.loads((SEAL_VECTORS.parent / "pdf_vectors.json").read_text(encoding="utf-8"))
    cases = {case["name"]: case for case in index["valid"]}
    for name in STRUCTURES:
        notarised = (SEAL_VECTORS.parent / cases[name]["notarised"]["file"]).read_bytes()
        sealed = make.seal(pki, notarised, pki.city, b"", name)
        outcome = review_later_updates(sealed, len(notarised))
        assert outcome.allowed, (name, outcome.detail)


def test_a_refused_revision_makes_the_document_invalid() -> None:
    trust = TrustList(
        [TrustedEntry("Seal vectors", 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", "memory", False)]
    )
    prepared = prepare_pdf(trust, _append(_sealed(), {5: b"<</Length 0>>\nstream\n\nendstream"}))  # the original's text
    assert prepared.checks["notarisation-update"].reason.value == "extra-content"
    assert "seal" not in prepared.checks
