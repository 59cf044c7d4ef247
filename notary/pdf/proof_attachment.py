"""Reading the embedded ``notary-proof.json`` back out of a (possibly hostile) PDF.

Normative text: docs/stamp-format.md S§8.

Why so defensive: this runs on the public verifier with uploads from anyone. Work is bounded (file size,
name tree size and depth, proof size), only UNFILTERED embedded streams are accepted (the stamp never
compresses, and refusing filters rules out decompression bombs), and every parser failure becomes a
:class:`PdfError` with a one-line message.
"""

from __future__ import annotations

from notary.errors import PdfError
from notary.pdf.original_pdf import is_dict, name_tree_entries, open_reader, pdf_errors, raw_get, resolve
from notary.pdf.pdf_objects import Budget, Ref
from notary.pdf.stamping import MAX_PROOF_BYTES, PROOF_FILE_NAME


def read_attached_proof(pdf: bytes) -> bytes | None:
    """The bytes of the embedded ``notary-proof.json`` as the LAST revision shows it, or None if absent.

    Raises PdfError when ``pdf`` is not a readable PDF or the attachment is malformed.
    """
    from pypdf.generic import IndirectObject, StreamObject

    what = "cannot read the proof from the PDF"
    if not isinstance(pdf, bytes | bytearray):
        raise PdfError(f"{what}: expected bytes")
    reader = open_reader(bytes(pdf), what)
    with pdf_errors(what):
        catalog = resolve(reader, raw_get(reader.trailer, "/Root"))
        if not is_dict(catalog):
            raise PdfError(f"{what}: the PDF has no catalog")
        names = resolve(reader, raw_get(catalog, "/Names"))
        if names is None:
            return None
        if not is_dict(names):
            raise PdfError(f"{what}: the catalog's /Names is not a dictionary")
        tree = raw_get(names, "/EmbeddedFiles")
        if tree is None:
            return None
        found = [value for key, value in name_tree_entries(reader, tree, Budget()) if key == PROOF_FILE_NAME]
        if not found:
            return None
        if len(found) > 1:
            raise PdfError(f"{what}: the PDF has more than one notary-proof.json")
        spec_value = found[0]
        if not isinstance(spec_value, Ref):
            raise PdfError(f"{what}: notary-proof.json is not attached the way the stamp attaches it")
        spec = resolve(reader, IndirectObject(spec_value.num, spec_value.gen, reader))
        if not is_dict(spec):
            raise PdfError(f"{what}: notary-proof.json has no valid file specification")
        ef = resolve(reader, raw_get(spec, "/EF"))
        if not is_dict(ef):
            raise PdfError(f"{what}: notary-proof.json has no embedded file")
        stream = resolve(reader, raw_get(ef, "/F") or raw_get(ef, "/UF"))
        if not isinstance(stream, StreamObject):
            raise PdfError(f"{what}: notary-proof.json is not an embedded file stream")
        if raw_get(stream, "/Filter") is not None or raw_get(stream, "/DecodeParms") is not None:
            raise PdfError(f"{what}: notary-proof.json is compressed, which the stamp never does")
        data = stream.get_data()
        if not isinstance(data, bytes):
            raise PdfError(f"{what}: notary-proof.json could not be read")
        if len(data) > MAX_PROOF_BYTES:
            raise PdfError(f"{what}: notary-proof.json is larger than {MAX_PROOF_BYTES} bytes")
        return data
