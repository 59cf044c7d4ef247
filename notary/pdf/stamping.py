"""``stamp_pdf``: the notarisation update as a pure, deterministic function — FORMAT-CRITICAL (v1).

Normative text: docs/stamp-format.md S§4 (the update) and S§5 (its objects); this module follows it.

Why deterministic: the verifier proves that what follows the anchored original is exactly the notarisation
update by regenerating it from (original prefix, embedded proof, QR text, layout) and comparing bytes
(guarantee 1 of DESIGN.md). So nothing here may depend on time, randomness, dictionary iteration of a
library, or zlib.

The update (object numbers from the original's /Size = S upwards, in this order):

- S+0 a content stream ``q`` put in front of the page's own content;
- S+1 the stamp content stream (:mod:`notary.pdf.stamp_drawing`) put after it;
- S+2 the Helvetica font (standard 14, /WinAnsiEncoding);
- S+3 the proof as an embedded file stream (unfiltered, /Subtype /application#2Fjson, /Params /Size);
- S+4 its file specification ``notary-proof.json`` (/AFRelationship /Data);
- S+5 a new /EmbeddedFiles name tree root holding the original's attachments plus ours, sorted by key;
- page 1 re-emitted under its own number: its entries unchanged except /Contents (wrapped) and /Resources
  (the effective resources, inherited ones made explicit, with our font added under a fresh name);
- the catalog re-emitted: /Names gets the new /EmbeddedFiles (other name trees kept), /AF gets our file
  specification appended.
"""

from __future__ import annotations

from notary.core.layout import StampLayout
from notary.errors import PdfError
from notary.pdf.incremental_update import UpdateObject, write_update
from notary.pdf.original_pdf import OriginalPdf, pdf_errors, read_original
from notary.pdf.pdf_objects import Name, PdfValue, Ref, name, serialise_name
from notary.pdf.qr_symbol import qr_modules
from notary.pdf.stamp_drawing import stamp_content

PROOF_FILE_NAME = b"notary-proof.json"
MAX_PROOF_BYTES = 1024 * 1024
_FONT_NAME = b"NotaryHelv"


def _font_resource_name(fonts: dict[Name, PdfValue]) -> Name:
    """``NotaryHelv``, or ``NotaryHelv1``, ``NotaryHelv2`` ... : the first name the page does not use."""
    candidate = Name(_FONT_NAME)
    counter = 0
    while candidate in fonts:
        counter += 1
        candidate = Name(_FONT_NAME + b"%d" % counter)
    return candidate


def _build_objects(doc: OriginalPdf, proof_json: bytes, qr_text: str, layout: StampLayout) -> list[UpdateObject]:
    first = doc.size
    q_ref, stamp_ref, font_ref, file_ref, spec_ref, tree_ref = (Ref(first + i) for i in range(6))
    font_key = _font_resource_name(doc.fonts)

    symbol = qr_modules(qr_text, layout.qr_version, layout.qr_ecl, layout.qr_mask)
    content = stamp_content(symbol, layout, doc.visible_box, doc.rotate, serialise_name(font_key))

    fonts = dict(doc.fonts)
    fonts[font_key] = font_ref
    resources = dict(doc.resources)
    resources[name("Font")] = fonts
    page = dict(doc.page)
    page[name("Contents")] = [q_ref, *doc.contents, stamp_ref]
    page[name("Resources")] = resources

    if any(key == PROOF_FILE_NAME for key, _ in doc.embedded_files):
        raise PdfError("cannot stamp the PDF: it already carries notary-proof.json (stamp the original)")
    attachments = sorted([*doc.embedded_files, (PROOF_FILE_NAME, spec_ref)], key=lambda item: item[0])
    tree: dict[Name, PdfValue] = {name("Names"): [value for pair in attachments for value in pair]}

    catalog = dict(doc.catalog)
    names = dict(doc.names)
    names[name("EmbeddedFiles")] = tree_ref
    catalog[name("Names")] = names
    catalog[name("AF")] = [*doc.associated_files, spec_ref]

    spec_body = (b"%d %d R" % (file_ref.num, file_ref.gen)).join(_SPEC_PARTS)
    return [
        UpdateObject(q_ref, {}, b"q", _Q_BODY),
        UpdateObject(stamp_ref, {}, content),
        UpdateObject(font_ref, _FONT, body=_FONT_BODY),
        UpdateObject(
            file_ref,
            {
                name("Type"): name("EmbeddedFile"),
                name("Subtype"): Name(b"application/json"),
                name("Params"): {name("Size"): len(proof_json)},
            },
            proof_json,
        ),
        UpdateObject(spec_ref, _filespec(file_ref), body=spec_body),
        UpdateObject(tree_ref, tree),
        UpdateObject(doc.page_ref, page),
        UpdateObject(doc.root, catalog),
    ]


_FONT: dict[Name, PdfValue] = {
    name("Type"): name("Font"),
    name("Subtype"): name("Type1"),
    name("BaseFont"): name("Helvetica"),
    name("Encoding"): name("WinAnsiEncoding"),
}


def _filespec(file_ref: Ref) -> dict[Name, PdfValue]:
    return {
        name("Type"): name("Filespec"),
        name("F"): PROOF_FILE_NAME,
        name("UF"): PROOF_FILE_NAME,
        name("Desc"): b"Notarisation proof",
        name("AFRelationship"): name("Data"),
        name("EF"): {name("F"): file_ref, name("UF"): file_ref},
    }


def _body(obj: UpdateObject) -> bytes:
    whole = obj.to_bytes()
    return whole[whole.index(b"\n") + 1 :]


# The objects that are the same in every update but for their numbers, serialised once by the same rules:
# the filespec is cut where its references to the embedded file stand (a placeholder number no other byte of it
# can contain), and they are put back in.
_PLACEHOLDER = Ref(987_654_321)
_Q_BODY = _body(UpdateObject(_PLACEHOLDER, {}, b"q"))
_FONT_BODY = _body(UpdateObject(_PLACEHOLDER, _FONT))
_SPEC_PARTS = _body(UpdateObject(_PLACEHOLDER, _filespec(_PLACEHOLDER))).split(b"987654321 0 R")
assert len(_SPEC_PARTS) == 3


def stamp_pdf(original: bytes, *, proof_json: bytes, qr_text: str, layout: StampLayout) -> bytes:
    """``original`` unchanged, followed by exactly one incremental update: QR stamp on page 1 + proof.

    Deterministic: equal inputs give equal bytes, today and in decades (stamp format v1).
    Raises PdfError when the original cannot be stamped (damaged, encrypted, already stamped, ...).
    """
    if not isinstance(original, bytes | bytearray) or not isinstance(proof_json, bytes | bytearray):
        raise PdfError("stamp_pdf needs the original and the proof as bytes")
    original = bytes(original)
    if len(proof_json) > MAX_PROOF_BYTES:
        raise PdfError(f"the proof is larger than {MAX_PROOF_BYTES} bytes")
    return stamp_read_original(original, read_original(original), proof_json=proof_json, qr_text=qr_text,
                               layout=layout)  # fmt: skip


def stamp_read_original(
    original: bytes, doc: OriginalPdf, *, proof_json: bytes, qr_text: str, layout: StampLayout
) -> bytes:
    """:func:`stamp_pdf` for an original already read with ``read_original(original)`` (bulk issuance reads
    each original once: for its page size, then for the stamp). ``doc`` must come from exactly these bytes."""
    if not isinstance(original, bytes) or not isinstance(proof_json, bytes | bytearray):
        raise PdfError("stamp_pdf needs the original and the proof as bytes")
    if len(proof_json) > MAX_PROOF_BYTES:
        raise PdfError(f"the proof is larger than {MAX_PROOF_BYTES} bytes")
    if doc.page_ref == doc.root:
        raise PdfError("cannot stamp the PDF: page 1 and the catalog are the same object")
    with pdf_errors("cannot stamp the PDF"):
        objects = _build_objects(doc, bytes(proof_json), qr_text, layout)
    trailer: dict[Name, PdfValue] = {name("Root"): doc.root}
    if doc.info is not None:
        trailer[name("Info")] = doc.info
    if doc.file_id is not None:
        trailer[name("ID")] = doc.file_id
    update = write_update(
        original, objects, size=doc.size, prev=doc.startxref, trailer=trailer, xref_stream=doc.xref_is_stream
    )
    return original + update
