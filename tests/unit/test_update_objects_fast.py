"""The faster update (templated fixed objects, pieces joined once, page 1 and catalog made once per template)
gives exactly what the committed implementation gives (stamp format v1 is format-critical: docs/stamp-format.md
S§3-S§5).

``_frozen_build_objects`` / ``_frozen_write_update`` / ``_frozen_stamp`` are verbatim copies of the implementation
these replaced (only renamed), kept here only as the reference. Originals: hand-made files whose template entries
are drawn from small sets (so that many share one template and differ in one input the update copies), the
vectors, and the benchmark corpus; each read by the plain reader and by pypdf.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notary.core.layout import StampLayout
from notary.errors import PdfError
from notary.pdf import original_pdf, plain_reader, stamping
from notary.pdf.incremental_update import MAGIC_COMMENT, UpdateObject, write_update
from notary.pdf.original_pdf import OriginalPdf, pdf_errors, read_original_plain, read_original_pypdf
from notary.pdf.pdf_objects import Name, PdfValue, Ref, name, serialise, serialise_name
from notary.pdf.qr_symbol import qr_modules
from notary.pdf.stamp_drawing import stamp_content
from tests.unit.test_pdf_plain_reader import pdf_file

LAYOUT = StampLayout(1, 0, 450, 50, 113, "Digital geprüft: (test) \\ €", 5, "M", 3)
QR = "NT1:PINNED STAMP VECTOR 2060"
VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "pdf"


# --- frozen copy of the committed implementation (do not edit) ---------------------------------------------
def indirect_object(ref: Ref, value: PdfValue) -> bytes:
    return b"%d %d obj\n%s\nendobj\n" % (ref.num, ref.gen, serialise(value))


def stream_object(ref: Ref, entries: dict[Name, PdfValue], data: bytes) -> bytes:
    head = dict(entries)
    head[name("Length")] = len(data)
    return b"%d %d obj\n%s\nstream\n%s\nendstream\nendobj\n" % (ref.num, ref.gen, serialise(head), data)


def _frozen_to_bytes(obj: UpdateObject) -> bytes:
    if obj.body is not None:
        return b"%d %d obj\n" % (obj.ref.num, obj.ref.gen) + obj.body
    if obj.stream_data is None:
        return indirect_object(obj.ref, obj.value)
    assert isinstance(obj.value, dict)
    return stream_object(obj.ref, obj.value, obj.stream_data)


def _frozen_runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for num in numbers:
        if runs and runs[-1][0] + runs[-1][1] == num:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((num, 1))
    return runs


def _frozen_write_update(
    original: bytes,
    objects: list[UpdateObject],
    *,
    size: int,
    prev: int,
    trailer: dict[Name, PdfValue],
    xref_stream: bool,
) -> bytes:
    out = bytearray()
    if not original.endswith((b"\n", b"\r")):
        out += b"\n"
    out += MAGIC_COMMENT
    base = len(original)
    ordered = sorted(objects, key=lambda obj: obj.ref.num)
    offsets: dict[int, tuple[int, int]] = {}
    for obj in ordered:
        offsets[obj.ref.num] = (base + len(out), obj.ref.gen)
        out += _frozen_to_bytes(obj)
    highest = max([size - 1, *offsets])
    entries: dict[Name, PdfValue] = dict(trailer)
    entries[name("Prev")] = prev
    if not xref_stream:
        entries[name("Size")] = highest + 1
        xref_offset = base + len(out)
        out += b"xref\n"
        numbers = sorted(offsets)
        for first, count in _frozen_runs(numbers):
            out += b"%d %d\n" % (first, count)
            for num in range(first, first + count):
                offset, gen = offsets[num]
                out += b"%010d %05d n \n" % (offset, gen)
        out += b"trailer\n" + serialise(entries) + b"\n"
    else:
        xref_ref = Ref(highest + 1, 0)
        xref_offset = base + len(out)
        offsets[xref_ref.num] = (xref_offset, 0)
        numbers = sorted(offsets)
        runs = _frozen_runs(numbers)
        rows = bytearray()
        for num in numbers:
            offset, gen = offsets[num]
            rows += b"\x01" + offset.to_bytes(4, "big") + gen.to_bytes(2, "big")
        entries[name("Size")] = xref_ref.num + 1
        entries[name("Type")] = name("XRef")
        entries[name("W")] = [1, 4, 2]
        entries[name("Index")] = [value for run in runs for value in run]
        out += _frozen_to_bytes(UpdateObject(xref_ref, entries, bytes(rows)))
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def _frozen_build_objects(doc: OriginalPdf, proof_json: bytes, qr_text: str, layout: StampLayout) -> list[UpdateObject]:
    first = doc.size
    q_ref, stamp_ref, font_ref, file_ref, spec_ref, tree_ref = (Ref(first + i) for i in range(6))
    font_key = stamping._font_resource_name(doc.fonts)

    symbol = qr_modules(qr_text, layout.qr_version, layout.qr_ecl, layout.qr_mask)
    content = stamp_content(symbol, layout, doc.visible_box, doc.rotate, serialise_name(font_key))

    fonts = dict(doc.fonts)
    fonts[font_key] = font_ref
    resources = dict(doc.resources)
    resources[name("Font")] = fonts
    page = dict(doc.page)
    page[name("Contents")] = [q_ref, *doc.contents, stamp_ref]
    page[name("Resources")] = resources

    if any(key == stamping.PROOF_FILE_NAME for key, _ in doc.embedded_files):
        raise PdfError("cannot stamp the PDF: it already carries notary-proof.json (stamp the original)")
    attachments = sorted([*doc.embedded_files, (stamping.PROOF_FILE_NAME, spec_ref)], key=lambda item: item[0])
    tree: dict[Name, PdfValue] = {name("Names"): [value for pair in attachments for value in pair]}

    catalog = dict(doc.catalog)
    names = dict(doc.names)
    names[name("EmbeddedFiles")] = tree_ref
    catalog[name("Names")] = names
    catalog[name("AF")] = [*doc.associated_files, spec_ref]

    spec_body = (b"%d %d R" % (file_ref.num, file_ref.gen)).join(stamping._SPEC_PARTS)
    return [
        UpdateObject(q_ref, {}, b"q", stamping._Q_BODY),
        UpdateObject(stamp_ref, {}, content),
        UpdateObject(font_ref, stamping._FONT, body=stamping._FONT_BODY),
        UpdateObject(
            file_ref,
            {
                name("Type"): name("EmbeddedFile"),
                name("Subtype"): Name(b"application/json"),
                name("Params"): {name("Size"): len(proof_json)},
            },
            proof_json,
        ),
        UpdateObject(spec_ref, stamping._filespec(file_ref), body=spec_body),
        UpdateObject(tree_ref, tree),
        UpdateObject(doc.page_ref, page),
        UpdateObject(doc.root, catalog),
    ]


def _frozen_stamp(original: bytes, doc: OriginalPdf, *, proof_json: bytes, qr_text: str, layout: StampLayout) -> bytes:
    if not isinstance(original, bytes) or not isinstance(proof_json, bytes | bytearray):
        raise PdfError("stamp_pdf needs the original and the proof as bytes")
    if len(proof_json) > stamping.MAX_PROOF_BYTES:
        raise PdfError(f"the proof is larger than {stamping.MAX_PROOF_BYTES} bytes")
    if doc.page_ref == doc.root:
        raise PdfError("cannot stamp the PDF: page 1 and the catalog are the same object")
    with pdf_errors("cannot stamp the PDF"):
        objects = _frozen_build_objects(doc, bytes(proof_json), qr_text, layout)
    trailer: dict[Name, PdfValue] = {name("Root"): doc.root}
    if doc.info is not None:
        trailer[name("Info")] = doc.info
    if doc.file_id is not None:
        trailer[name("ID")] = doc.file_id
    update = _frozen_write_update(
        original, objects, size=doc.size, prev=doc.startxref, trailer=trailer, xref_stream=doc.xref_is_stream
    )
    return original + update


# --- comparison ------------------------------------------------------------------------------------------


def _outcome(function: object, *args: object, **kwargs: object) -> object:
    try:
        return function(*args, **kwargs)  # type: ignore[operator]
    except PdfError as exc:
        return ("refused", str(exc))


def assert_same_stamp(original: bytes, proof_json: bytes = b'{"v":1}') -> int:
    """The new and the frozen stamp of ``original`` are equal, read by each reader; how many readings stamped."""
    readings = [read_original_plain(original)]
    with contextlib.suppress(PdfError):  # a file pypdf refuses: only the plain reading, if any
        readings.append(read_original_pypdf(original))
    stamped = 0
    for doc in readings:
        if doc is None:
            continue
        args = {"proof_json": proof_json, "qr_text": QR, "layout": LAYOUT}
        new = _outcome(stamping.stamp_read_original, original, doc, **args)
        assert new == _outcome(_frozen_stamp, original, doc, **args)
        stamped += isinstance(new, bytes)
    return stamped


def _pdf_file(objects: list[bytes], trailer: bytes, eol: bytes = b"\n") -> bytes:
    """``pdf_file`` (a classic-xref file, the catalog first) ending in ``eol`` after its ``%%EOF``."""
    return pdf_file(objects, trailer).removesuffix(b"\n") + eol


_FONTS = [b"", b"/F1 9 0 R", b"/F1 9 0 R /NotaryHelv 9 0 R", b"/NotaryHelv 9 0 R /NotaryHelv1 9 0 R", b"/A#20b 9 0 R"]
_EXTRAS = [b"", b"/Rotate 90", b"/Rotate 0 /Trans << >>", b"/Annots [] /Group << /S /Transparency >>",
           b"/CropBox [10 10 500.5 700.25]", b"/UserUnit 1.5 /Tabs /S"]  # fmt: skip
_CATALOG_EXTRAS = [b"", b"/PageMode /UseNone", b"/AF [11 0 R]", b"/Names << /Dests 9 0 R >>", b"/Names 10 0 R",
                   b"/Lang (de-DE) /AF 12 0 R"]  # fmt: skip
_NAMES = [b"<< >>", b"<< /EmbeddedFiles << /Names [(a.txt) 11 0 R] >> >>",
          b"<< /EmbeddedFiles << /Names [(z) 11 0 R (b) 11 0 R] >> /JavaScript << /Names [] >> >>"]  # fmt: skip


@st.composite
def originals(draw: st.DrawFn) -> bytes:
    """A one-page original whose copied entries come from small sets, often the same as another's."""
    fonts = draw(st.sampled_from(_FONTS))
    inherited = draw(st.booleans())
    resources = b"<< /Font << %s >> /ProcSet [/PDF /Text] >>" % fonts
    contents = draw(st.sampled_from([b"/Contents 4 0 R", b"/Contents [4 0 R 4 0 R]", b"/Contents 13 0 R", b""]))
    page = b"<< /Type /Page /Parent 2 0 R %s %s %s >>" % (
        contents,
        b"" if inherited else b"/Resources 6 0 R",
        draw(st.sampled_from(_EXTRAS)),
    )
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595.2756 841.8898] %s >>" % (
        b"/Resources 6 0 R" if inherited else b""
    )
    catalog = b"<< /Type /Catalog /Pages 2 0 R %s >>" % draw(st.sampled_from(_CATALOG_EXTRAS))
    content = draw(st.sampled_from([b"BT ET", b"0 g 10 10 m 20 20 l S"]))  # another /Length, the same template
    objects = [
        catalog,
        pages,
        page,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Producer (x) >>",
        resources,
        b"<< >>",
        b"<< >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        draw(st.sampled_from(_NAMES)),
        b"<< /Type /Filespec /F (a.txt) >>",
        b"[11 0 R]",
        b"[4 0 R]",
    ]
    objects += [b"<< >>"] * draw(st.integers(0, 3))  # another /Size, the same texts
    trailer = draw(st.sampled_from([b"", b"/Info 5 0 R", b"/ID [<0a0b> <0c0d>]", b"/Info 5 0 R /ID [(a) (b)]"]))
    return _pdf_file(objects, trailer, draw(st.sampled_from([b"\n", b"\r\n", b""])))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(originals(), min_size=1, max_size=4), st.binary(max_size=40))
def test_hand_made_originals_stamp_as_before(files: list[bytes], proof: bytes) -> None:
    """Files stamped one after the other (the page and catalog made once per template are reused between them)
    give the frozen bytes, whichever reader read them."""
    for original in files:
        assert_same_stamp(original, proof)


def test_vectors_stamp_as_before() -> None:
    originals = sorted(VECTORS.glob("*.pdf"))
    assert originals
    stamped = sum(assert_same_stamp(path.read_bytes()) for path in originals)
    assert stamped > 20


def test_corpus_stamps_as_before() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.corpus import corpus

    files = sorted(corpus(200).rglob("*.pdf"))
    for path in files:
        assert assert_same_stamp(path.read_bytes(), path.name.encode() * 30) == 2


def test_pieces_join_to_write_update() -> None:
    original = _pdf_file([b"<< /Type /Catalog >>"], b"")
    objects = [
        UpdateObject(Ref(5), {name("A"): [1, Ref(2)]}),
        UpdateObject(Ref(3, 2), {name("B"): b"x"}, b"data"),
        UpdateObject(Ref(4), {}, b"q", body=b"<<>>\nendobj\n"),
    ]
    trailer: dict[Name, PdfValue] = {name("Root"): Ref(1)}
    for xref_stream in (False, True):
        for size in (2, 9):
            args = {"size": size, "prev": 17, "trailer": trailer, "xref_stream": xref_stream}
            assert write_update(original, objects, **args) == _frozen_write_update(original, objects, **args)  # type: ignore[arg-type]


def test_the_source_is_the_texts_read() -> None:
    """A plain reading keeps the texts of the objects it read; pypdf's reading and large texts keep none."""
    original = _pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids 4 0 R /Count 1 /MediaBox [0 0 600 800] >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>",
            b"[3 0 R]",
            b"<< /Length 2 >>\nstream\nq\n\nendstream",
        ],
        b"",
    )
    doc = read_original_plain(original)
    assert doc is not None and doc.source is not None
    assert doc.source[:2] == (
        (1, 0, b"<< /Type /Catalog /Pages 2 0 R >>\nendobj"),
        (2, 0, b"<< /Type /Pages /Kids 4 0 R /Count 1 /MediaBox [0 0 600 800] >>\nendobj"),
    )
    assert (4, 0, b"[3 0 R]\nendobj") in doc.source
    assert (5, 0, b"stream") in doc.source  # not its dictionary: nothing is read of it
    again = read_original_plain(original.replace(b"q\n", b"Q\n"))
    assert again is not None and again.source is doc.source  # one template, one source held
    assert read_original_pypdf(original).source is None
    assert doc == read_original_pypdf(original)  # the source takes no part in comparing readings
    pad = b"/Pad [%s]" % b" ".join([b"1"] * (plain_reader._TEXTS_MAX // 2))
    padded = _pdf_file(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 600 800] >>",
         b"<< /Type /Page /Parent 2 0 R %s >>" % pad],
        b"",
    )  # fmt: skip
    padded_doc = read_original_plain(padded)
    assert padded_doc is not None and padded_doc.source is None
    assert assert_same_stamp(padded) == 2


def test_the_made_bodies_are_bounded_and_keyed_on_every_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stamping, "_BODIES", {})
    base = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] >>"]  # fmt: skip
    seen = set()
    for extra in range(stamping._BODIES_MAX * 2 + 3):
        original = _pdf_file(base + [b"<< >>"] * extra, b"")  # the same texts, another /Size each time
        assert assert_same_stamp(original) == 2
        seen.add(stamping.stamp_pdf(original, proof_json=b"{}", qr_text=QR, layout=LAYOUT)[len(original) :])
        assert 0 < len(stamping._BODIES) <= stamping._BODIES_MAX
    assert len(seen) == stamping._BODIES_MAX * 2 + 3


def test_a_refusal_is_as_before() -> None:
    attached = _pdf_file(
        [b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(notary-proof.json) 4 0 R] >> >> >>",
         b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] >>",
         b"<< >>"],
        b"",
    )  # fmt: skip
    doc = original_pdf.read_original(attached)
    args = {"proof_json": b"{}", "qr_text": QR, "layout": LAYOUT}
    new = _outcome(stamping.stamp_read_original, attached, doc, **args)
    assert new == _outcome(_frozen_stamp, attached, doc, **args)
    assert isinstance(new, tuple) and "already carries" in new[1]
