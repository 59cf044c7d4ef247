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

from functools import lru_cache

from notary.core.layout import StampLayout
from notary.errors import PdfError
from notary.pdf.incremental_update import UpdateObject, update_chunks
from notary.pdf.original_pdf import OriginalPdf, pdf_errors, read_original
from notary.pdf.pdf_objects import Name, PdfValue, Ref, name, serialise, serialise_name
from notary.pdf.qr_symbol import qr_modules
from notary.pdf.stamp_drawing import stamp_content

PROOF_FILE_NAME = b"notary-proof.json"
MAX_PROOF_BYTES = 1024 * 1024
_FONT_NAME = b"NotaryHelv"


def _font_resource_name(fonts: dict[Name, PdfValue]) -> Name:
    """``NotaryHelv``, or ``NotaryHelv1``, ``NotaryHelv2`` ... : the first name the page does not use."""
    candidate = _FIRST_FONT_KEY
    counter = 0
    while candidate in fonts:
        counter += 1
        candidate = Name(_FONT_NAME + b"%d" % counter)
    return candidate


def _build_objects(doc: OriginalPdf, proof_json: bytes, qr_text: str, layout: StampLayout) -> list[UpdateObject]:
    q_ref, stamp_ref, font_ref, file_ref, spec_ref, tree_ref = _new_refs(doc.size)
    font_key = _font_resource_name(doc.fonts)

    symbol = qr_modules(qr_text, layout.qr_version, layout.qr_ecl, layout.qr_mask)
    content = stamp_content(symbol, layout, doc.visible_box, doc.rotate, serialise_name(font_key))

    fonts = dict(doc.fonts)
    fonts[font_key] = font_ref
    resources = dict(doc.resources)
    resources[_FONT_KEY] = fonts
    page = dict(doc.page)
    page[_CONTENTS] = [q_ref, *doc.contents, stamp_ref]
    page[_RESOURCES] = resources

    if any(key == PROOF_FILE_NAME for key, _ in doc.embedded_files):
        raise PdfError("cannot stamp the PDF: it already carries notary-proof.json (stamp the original)")
    attachments = sorted([*doc.embedded_files, (PROOF_FILE_NAME, spec_ref)], key=lambda item: item[0])
    tree: dict[Name, PdfValue] = {_NAMES: [value for pair in attachments for value in pair]}
    spec_text = b"%d %d R" % (spec_ref.num, spec_ref.gen)
    # the usual original has no attachments: its tree is our one entry, from the template
    tree_body = None if doc.embedded_files else spec_text.join(_TREE_PARTS)

    catalog = dict(doc.catalog)
    names = dict(doc.names)
    names[_EMBEDDED_FILES] = tree_ref
    catalog[_NAMES] = names
    catalog[_AF] = [*doc.associated_files, spec_ref]

    page_body, catalog_body = _page_and_catalog_bodies(doc, page, catalog)
    spec_body = (b"%d %d R" % (file_ref.num, file_ref.gen)).join(_SPEC_PARTS)
    proof_length = b"%d" % len(proof_json)
    return [
        UpdateObject(q_ref, {}, b"q", _Q_BODY),
        UpdateObject(stamp_ref, {}, content, head=(b"%d" % len(content)).join(_EMPTY_STREAM_HEAD_PARTS)),
        UpdateObject(font_ref, _FONT, body=_FONT_BODY),
        UpdateObject(file_ref, _embedded_file(len(proof_json)), proof_json, head=proof_length.join(_FILE_HEAD_PARTS)),
        UpdateObject(spec_ref, _filespec(file_ref), body=spec_body),
        UpdateObject(tree_ref, tree, body=tree_body),
        UpdateObject(doc.page_ref, page, body=page_body),
        UpdateObject(doc.root, catalog, body=catalog_body),
    ]


_Bodies = tuple[bytes, bytes]
_BODIES: dict[object, _Bodies] = {}
"""(texts the original's entries were read from, /Size, /Root, page 1's number) -> the serialised page 1 and
catalog of its update: a run's originals from one template share them. Bounded by _BODIES_MAX entries (each of
at most ~16 KB of texts: plain_reader._TEXTS_MAX), whatever the files; holds only bytes (immutable)."""
_BODIES_MAX = 64


def _page_and_catalog_bodies(doc: OriginalPdf, page: dict[Name, PdfValue], catalog: dict[Name, PdfValue]) -> _Bodies:
    """The bodies of the update's page 1 and catalog (``page``, ``catalog``: what :func:`_build_objects` made of
    ``doc``), made once per distinct source. Everything they are made of is a function of the key: the entries
    of ``doc`` they copy are of its source texts (with /Size and /Root), our object numbers of /Size, the font
    resource name of the fonts."""
    if doc.source is None:
        return _bodies(page, catalog)
    key = (doc.source, doc.size, doc.root, doc.page_ref)
    bodies = _BODIES.get(key)
    if bodies is None:
        bodies = _bodies(page, catalog)
        if len(_BODIES) >= _BODIES_MAX:
            _BODIES.clear()
        _BODIES[key] = bodies
    return bodies


def _bodies(page: dict[Name, PdfValue], catalog: dict[Name, PdfValue]) -> _Bodies:
    return serialise(page) + b"\nendobj\n", serialise(catalog) + b"\nendobj\n"


@lru_cache(maxsize=256)
def _new_refs(size: int) -> tuple[Ref, Ref, Ref, Ref, Ref, Ref]:
    """The update's six new object numbers, from the original's /Size up (a run's originals share a few)."""
    q_ref, stamp_ref, font_ref, file_ref, spec_ref, tree_ref = (Ref(size + i) for i in range(6))
    return q_ref, stamp_ref, font_ref, file_ref, spec_ref, tree_ref


# the names every update writes, made once (a Name is immutable)
_FIRST_FONT_KEY = Name(_FONT_NAME)
(_FONT_KEY, _CONTENTS, _RESOURCES, _NAMES, _EMBEDDED_FILES, _AF, _TYPE, _SUBTYPE, _PARAMS, _SIZE, _EMBEDDED_FILE,
 _FILESPEC, _F, _UF, _DESC, _AF_RELATIONSHIP, _DATA, _EF) = (
    name(text) for text in ("Font", "Contents", "Resources", "Names", "EmbeddedFiles", "AF", "Type", "Subtype",
                            "Params", "Size", "EmbeddedFile", "Filespec", "F", "UF", "Desc", "AFRelationship", "Data",
                            "EF"))  # fmt: skip
_APPLICATION_JSON = Name(b"application/json")


def _embedded_file(size: int) -> dict[Name, PdfValue]:
    return {_TYPE: _EMBEDDED_FILE, _SUBTYPE: _APPLICATION_JSON, _PARAMS: {_SIZE: size}}


def _tree(spec_ref: Ref) -> dict[Name, PdfValue]:
    """The /EmbeddedFiles name tree of an original without attachments: our one entry."""
    return {_NAMES: [PROOF_FILE_NAME, spec_ref]}


_FONT: dict[Name, PdfValue] = {
    name("Type"): name("Font"),
    name("Subtype"): name("Type1"),
    name("BaseFont"): name("Helvetica"),
    name("Encoding"): name("WinAnsiEncoding"),
}


def _filespec(file_ref: Ref) -> dict[Name, PdfValue]:
    return {
        _TYPE: _FILESPEC,
        _F: PROOF_FILE_NAME,
        _UF: PROOF_FILE_NAME,
        _DESC: b"Notarisation proof",
        _AF_RELATIONSHIP: _DATA,
        _EF: {_F: file_ref, _UF: file_ref},
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
_TREE_PARTS = _body(UpdateObject(_PLACEHOLDER, _tree(_PLACEHOLDER))).split(b"987654321 0 R")
assert len(_TREE_PARTS) == 2


def _stream_head(entries: dict[Name, PdfValue]) -> list[bytes]:
    """A stream's dictionary with its /Length (as UpdateObject writes it), cut where the placeholder lengths
    stand: the data's length goes back in (twice for the proof, whose /Params /Size is its length too)."""
    return serialise({**entries, name("Length"): _PLACEHOLDER.num}).split(b"987654321")


_EMPTY_STREAM_HEAD_PARTS = _stream_head({})
assert len(_EMPTY_STREAM_HEAD_PARTS) == 2
_FILE_HEAD_PARTS = _stream_head(_embedded_file(987_654_321))
assert len(_FILE_HEAD_PARTS) == 3


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
    chunks = update_chunks(
        original, objects, size=doc.size, prev=doc.startxref, trailer=trailer, xref_stream=doc.xref_is_stream
    )
    return b"".join([original, *chunks])  # one copy of each piece
