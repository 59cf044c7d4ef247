"""Generate the notarised-PDF test vectors (docs/stamp-format.md) in tests/vectors/pdf/.

    .venv/bin/python tests/vectors/generate_pdf.py          # rewrite pdf_vectors.json and tests/vectors/pdf/*
    .venv/bin/python tests/vectors/generate_pdf.py --check  # exit 1 if a fresh run differs
    .venv/bin/python tests/vectors/generate_pdf.py --remake-tool-outputs  # also remake what qpdf/pypdf wrote

Every original is built here byte by byte (a few hundred bytes of hand-written PDF each, so the cases are
exactly the structures they are named after), except the linearised one, which is qpdf's linearisation of
the classic original (made once with qpdf 11.3 and committed; qpdf is needed only to remake it). All originals
form one batch, signed with the test-vector key of generate.py; each is notarised with the layout the issuer
would choose. The invalid cases are forgeries of the `classic` case.

pdf_vectors.json lists, per case: the files (with their SHA-256), the inputs to recompute everything (the
proof JSON is the attachment; the QR text and layout follow from it), and the expected result of the checks
that need no chain (docs/proof-format.md §13) as reason codes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account

from notary.core.claims import Claims
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.hashing import Digest32, Salt, keccak256
from notary.core.layout import StampLayout
from notary.core.leaves import document_commitment, leaf_hash
from notary.core.merkle import MerkleTree
from notary.core.proof import Proof
from notary.core.qr_payload import encode_qr_text, stamp_qr_text
from notary.pdf import choose_qr_params, default_layout, stamp_pdf
from notary.pdf.default_layout import page_size, stamp_placement_digest
from notary.pdf.incremental_update import UpdateObject, write_update
from notary.pdf.original_pdf import read_original
from notary.pdf.pdf_objects import Ref, name
from notary.pdf.stamping import _build_objects

HERE = Path(__file__).parent
PDF_DIR = HERE / "pdf"
INDEX = HERE / "pdf_vectors.json"
KEY_SEED = "notary test vector key 1"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN_ID = 31337
ISSUED_AT = 1752570100
ISSUED_AT_2 = 1752570200
ISSUED_AT_3 = 1752570300
ISSUED_AT_4 = 1752570400
QR_URL = "https://verify.example/#"
"""The verifier URL of the third batch's stamps (stamp version 2, format 1.2)."""
CAPTION = "Digital geprüft: verify.example"

# --- hand-written originals ------------------------------------------------------------------------------

A4 = b"[0 0 595 842]"


def _content(text: str, font: bytes = b"/F1") -> bytes:
    data = b"BT %s 18 Tf 72 760 Td (%s) Tj ET\n0 0 1 RG 72 700 451 2 re S\n" % (font, text.encode("ascii"))
    return b"<</Length %d>>\nstream\n%s\nendstream" % (len(data), data)


FONT = b"<</Type /Font /Subtype /Type1 /BaseFont /Times-Roman>>"


def _classic(
    objects: dict[int, bytes],
    root: int,
    *,
    eol: bool = True,
    extra_trailer: bytes = b"",
    gens: dict[int, int] | None = None,
) -> bytes:
    """A PDF 1.7 file with a classic xref table (generation 0 unless ``gens`` says otherwise)."""
    gens = gens or {}
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d %d obj\n%s\nendobj\n" % (num, gens.get(num, 0), objects[num])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d %05d n \n" % (offsets[num], gens.get(num, 0)) if num in offsets else b"0000000000 00001 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF" % (size, root, extra_trailer, xref)
    return bytes(out + (b"\n" if eol else b""))


def _with_xref_stream(objects: dict[int, bytes], root: int, *, in_objstm: tuple[int, ...] = ()) -> bytes:
    """A PDF 1.7 file whose only cross-reference section is an unfiltered xref stream; the objects in
    ``in_objstm`` live in one unfiltered object stream (type-2 entries)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries: dict[int, tuple[int, int, int]] = {}
    stm_num = max(objects) + 1 if in_objstm else 0
    for num in sorted(objects):
        if num in in_objstm:
            continue
        entries[num] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    if in_objstm:
        head, body = bytearray(), bytearray()
        for index, num in enumerate(in_objstm):
            head += b"%d %d " % (num, len(body))
            body += objects[num] + b"\n"
            entries[num] = (2, stm_num, index)
        data = bytes(head) + bytes(body)
        entries[stm_num] = (1, len(out), 0)
        out += b"%d 0 obj\n<</Type /ObjStm /N %d /First %d /Length %d>>\nstream\n%s\nendstream\nendobj\n" % (
            stm_num, len(in_objstm), len(head), len(data), data)  # fmt: skip
    xref_num = max(entries) + 1
    entries[xref_num] = (1, len(out), 0)
    size = xref_num + 1
    rows = b"".join(
        bytes([entries[n][0]]) + entries[n][1].to_bytes(4, "big") + entries[n][2].to_bytes(2, "big")
        if n in entries else b"\x00" + bytes(4) + b"\xff\xff"
        for n in range(size)
    )  # fmt: skip
    xref = len(out)
    out += b"%d 0 obj\n<</Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d>>\nstream\n%s\nendstream\nendobj\n" % (
        xref_num, size, root, len(rows), rows)  # fmt: skip
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _simple(text: str, page_extra: bytes = b"", *, font_key: bytes = b"/F1") -> dict[int, bytes]:
    """1 info, 2 catalog, 3 pages, 4 page, 5 content, 6 font."""
    return {
        1: b"<</Title (Testdokument) /Producer (notary vectors)>>",
        2: b"<</Type /Catalog /Pages 3 0 R>>",
        3: b"<</Type /Pages /Kids [4 0 R] /Count 1>>",
        4: b"<</Type /Page /Parent 3 0 R /MediaBox %s /Resources <</Font <<%s 6 0 R>>>> /Contents 5 0 R%s>>"
        % (A4, font_key, page_extra),
        5: _content(text, font_key),
        6: FONT,
    }


def original_classic() -> bytes:
    return _classic(_simple("Abschlusszeugnis - classic xref"), 2, extra_trailer=b" /Info 1 0 R")


def original_xref_stream() -> bytes:
    return _with_xref_stream(_simple("Abschlusszeugnis - xref stream"), 2)


def original_object_streams() -> bytes:
    objects = _simple("Abschlusszeugnis - object streams")
    return _with_xref_stream(objects, 2, in_objstm=(2, 3, 4, 6))


def original_inherited_resources() -> bytes:
    objects = _simple("Abschlusszeugnis - inherited resources")
    objects[3] = b"<</Type /Pages /Kids [4 0 R] /Count 1 /MediaBox %s /Resources 7 0 R /Rotate 0>>" % A4
    objects[4] = b"<</Type /Page /Parent 3 0 R /Contents 5 0 R>>"
    objects[7] = b"<</Font 8 0 R /ProcSet [/PDF /Text]>>"
    objects[8] = b"<</F1 6 0 R>>"
    return _classic(objects, 2, extra_trailer=b" /Info 1 0 R")


def original_rotated(angle: int, label: str = "rotated") -> Callable[[], bytes]:
    def build() -> bytes:
        return _classic(_simple(f"Urkunde - {label} {angle}", b" /Rotate %d" % angle), 2)

    return build


def original_cropbox() -> bytes:
    extra = b" /CropBox [30.5 40.25 580 800.125]"
    return _classic(_simple("Gewerbeauskunft - CropBox inside MediaBox", extra), 2)


def original_existing_attachment() -> bytes:
    objects = _simple("Familienpass - with an attachment")
    data = b"Anlage: Bescheid vom 1. Juli 2025\n"
    objects[2] = b"<</Type /Catalog /Pages 3 0 R /Names <</EmbeddedFiles 7 0 R>> /AF [8 0 R]>>"
    objects[7] = b"<</Names [(anlage.txt) 8 0 R]>>"
    objects[8] = b"<</Type /Filespec /F (anlage.txt) /UF (anlage.txt) /AFRelationship /Supplement /EF <</F 9 0 R>>>>"
    objects[9] = b"<</Type /EmbeddedFile /Length %d>>\nstream\n%s\nendstream" % (len(data), data)
    return _classic(objects, 2)


def original_taken_font_name() -> bytes:
    objects = _simple("Zeugnis - font named NotaryHelv", font_key=b"/NotaryHelv")
    return _classic(objects, 2)


def original_no_final_eol() -> bytes:
    return _classic(_simple("Zeugnis - no end-of-line after %%EOF"), 2, eol=False)


def original_incremental() -> bytes:
    """An original that already carries an incremental update of its own (a corrected page)."""
    base = original_classic()
    objects = _simple("Abschlusszeugnis - corrected in an update")
    body = objects[5]
    update = bytearray(b"5 0 obj\n%s\nendobj\n" % body)
    offset = len(base)
    xref = len(base) + len(update)
    prev = int(base.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    update += b"xref\n5 1\n%010d 00000 n \ntrailer\n<< /Size 7 /Root 2 0 R /Info 1 0 R /Prev %d >>\n" % (offset, prev)
    update += b"startxref\n%d\n%%%%EOF\n" % xref
    return base + bytes(update)


def original_hybrid_xref() -> bytes:
    """A hybrid-reference file (ISO 32000-1 §7.5.8.4): a classic table whose trailer points with /XRefStm to a
    cross-reference stream that alone lists pages, page and font, which live in an object stream (the table
    marks them free), as PDF 1.5 writers do for readers that predate object streams."""
    objects = _simple("Zeugnis - hybrid-reference file")
    packed = (3, 4, 6)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in (1, 2, 5):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    head, body = bytearray(), bytearray()
    for num in packed:
        head += b"%d %d " % (num, len(body))
        body += objects[num] + b"\n"
    data = bytes(head) + bytes(body)
    offsets[7] = len(out)
    out += b"7 0 obj\n<</Type /ObjStm /N %d /First %d /Length %d>>\nstream\n%s\nendstream\nendobj\n" % (
        len(packed), len(head), len(data), data)  # fmt: skip
    rows = b"".join(b"\x02" + (7).to_bytes(4, "big") + i.to_bytes(2, "big") for i in range(len(packed)))
    offsets[8] = len(out)
    stream_dict = b"<</Type /XRef /Size 9 /W [1 4 2] /Index [3 2 6 1] /Length %d>>" % len(rows)
    out += b"8 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (stream_dict, rows)
    xref = len(out)
    out += b"xref\n0 9\n0000000000 65535 f \n"
    for num in range(1, 9):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 00001 f \n"
    out += b"trailer\n<< /Size 9 /Root 2 0 R /Info 1 0 R /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (offsets[8], xref)
    return bytes(out)


def original_attachment_after() -> bytes:
    """An existing attachment whose name sorts after notary-proof.json, in a name tree with /Kids and /Limits."""
    objects = _simple("Zeugnis - attachment named after the proof")
    data = b"Zusatz: Praktikumsbescheinigung\n"
    objects[2] = b"<</Type /Catalog /Pages 3 0 R /Names <</EmbeddedFiles 7 0 R>>>>"
    objects[7] = b"<</Kids [10 0 R]>>"
    objects[8] = b"<</Type /Filespec /F (zusatz.txt) /UF (zusatz.txt) /EF <</F 9 0 R>>>>"
    objects[9] = b"<</Type /EmbeddedFile /Length %d>>\nstream\n%s\nendstream" % (len(data), data)
    objects[10] = b"<</Limits [(zusatz.txt) (zusatz.txt)] /Names [(zusatz.txt) 8 0 R]>>"
    return _classic(objects, 2)


def original_cr_end_no_contents() -> bytes:
    """Ends with %%EOF CR (so no LF is added before the marker); page 1 has no /Contents; the attachments' name
    tree has two kids whose names are out of order (flattened in tree order, then sorted)."""
    objects = _simple("unused")
    del objects[5]
    objects[4] = b"<</Type /Page /Parent 3 0 R /MediaBox %s>>" % A4
    objects[2] = b"<</Type /Catalog /Pages 3 0 R /Names <</EmbeddedFiles 7 0 R>>>>"
    objects[7] = b"<</Kids [8 0 R 9 0 R]>>"
    objects[8] = b"<</Limits [(zeta.txt) (zeta.txt)] /Names [(zeta.txt) 10 0 R]>>"
    objects[9] = b"<</Limits [(alpha.txt) (alpha.txt)] /Names [(alpha.txt) 10 0 R]>>"
    objects[10] = b"<</Type /Filespec /F (a.txt) /EF <</F 11 0 R>>>>"
    objects[11] = b"<</Type /EmbeddedFile /Length 2>>\nstream\nA\n\nendstream"
    return _classic(objects, 2, eol=False) + b"\r"


def original_tree_strings() -> bytes:
    """Page 1 two levels down, past an empty /Pages kid, with generation 3 and /Contents an indirect array of two
    streams; #-escaped and non-ASCII font names; strings in the catalog written as hex and with a byte above
    0x7E; a real spelled 1.50; a trailer /ID."""
    objects = {
        1: b"<</Title (Testdokument)>>",
        2: b"<</Type /Catalog /Pages 3 0 R /Lang <64652d4445> /PageLabels <</Nums [0 <</P (S\\351ite \\(a\\) )>>]>>>>",
        3: b"<</Type /Pages /Kids [7 0 R 8 0 R] /Count 1 /MediaBox %s>>" % A4,
        4: b"<</Type /Page /Parent 8 0 R /Contents 9 0 R /PZ 1.50 /Resources <</Font <</F#231 6 0 R /F#C3#A4 6 0 R>>"
           b" /ProcSet [/PDF /Text]>>>>",
        5: _content("Zeugnis - page tree, generation 3", b"/F#231"),
        6: FONT,
        7: b"<</Type /Pages /Kids [] /Count 0 /Parent 3 0 R>>",
        8: b"<</Type /Pages /Kids [4 3 R] /Count 1 /Parent 3 0 R>>",
        9: b"[5 0 R 10 0 R]",
        10: b"<</Length 24>>\nstream\n0 0 1 rg 72 650 9 9 re f\nendstream",
    }  # fmt: skip
    file_id = b" /Info 1 0 R /ID [<0123456789abcdef0123456789abcdef> <fedcba9876543210fedcba9876543210>]"
    return _classic(objects, 2, extra_trailer=file_id, gens={4: 3})


REMAKE_TOOL_OUTPUTS = "--remake-tool-outputs" in sys.argv
"""Files written by other programs (qpdf's linearisation, pypdf's overlay and rewrite) depend on their versions:
the committed ones are reused unless this flag asks for new ones."""


def original_linearised() -> bytes:
    """qpdf's linearisation of the classic original. The committed file is reused (qpdf versions differ in
    their output); ``--remake-tool-outputs`` makes it anew with the qpdf on PATH."""
    committed = PDF_DIR / "linearised.original.pdf"
    qpdf = shutil.which("qpdf")
    if (committed.is_file() and not REMAKE_TOOL_OUTPUTS) or qpdf is None:
        return committed.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(original_classic())
        subprocess.run([qpdf, "--linearize", "--deterministic-id", "--compress-streams=n", str(src), str(dst)],
                       check=True)  # fmt: skip
        return dst.read_bytes()


ORIGINALS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "classic": ("classic xref table, own resources, /Info and no /ID", original_classic),
    "xref-stream": ("cross-reference stream (PDF 1.5+), no /Info", original_xref_stream),
    "object-streams": ("catalog, pages, page and font inside an object stream", original_object_streams),
    "inherited-resources": (
        "/Resources (indirect, with an indirect /Font), /MediaBox and /Rotate inherited from /Pages",
        original_inherited_resources,
    ),
    "rotate-90": ("page /Rotate 90", original_rotated(90)),
    "rotate-180": ("page /Rotate 180", original_rotated(180)),
    "rotate-270": ("page /Rotate 270", original_rotated(270)),
    "cropbox": ("CropBox inside the MediaBox, with real coordinates", original_cropbox),
    "existing-attachment": ("an attachment in /EmbeddedFiles and /AF already", original_existing_attachment),
    "taken-font-name": ("the page already uses the font name /NotaryHelv", original_taken_font_name),
    "no-final-eol": ("the original ends with %%EOF and no end-of-line", original_no_final_eol),
    "incremental-original": ("the original already has an incremental update", original_incremental),
    "linearised": ("a linearised original (two startxref; qpdf output)", original_linearised),
}

ORIGINALS_2: dict[str, tuple[str, Callable[[], bytes]]] = {
    "hybrid-xref": ("a hybrid-reference file: table + /XRefStm stream, page and font in an object stream",
                    original_hybrid_xref),
    "attachment-after": ("an existing attachment named after notary-proof.json, in a name tree with /Kids",
                         original_attachment_after),
    "cr-end-no-contents": ("ends with %%EOF CR, page without /Contents, name tree kids out of order",
                           original_cr_end_no_contents),
    "tree-strings": ("page two levels down (generation 3, /Contents an indirect array), escaped and non-ASCII "
                     "names, hex and non-ASCII strings, a real 1.50, a trailer /ID", original_tree_strings),
}  # fmt: skip
"""Added later, as a second batch (issued_at ISSUED_AT_2)."""

ORIGINALS_3: dict[str, tuple[str, Callable[[], bytes]]] = {
    "url-stamp": ("stamp version 2: the QR starts with the verifier URL (a byte segment, then the payload)",
                  lambda: _classic(_simple("Abschlusszeugnis - url stamp"), 2, extra_trailer=b" /Info 1 0 R")),
    "url-rotate-90": ("stamp version 2 on a page with /Rotate 90", original_rotated(90, "url stamp")),
}  # fmt: skip
"""Stamp version 2, a third batch (issued_at ISSUED_AT_3, every stamp with QR_URL)."""

ORIGINALS_4: dict[str, tuple[str, Callable[[], bytes]]] = {
    "facts": ("a format-1.1 proof: claims with three key facts",
              lambda: _classic(_simple("Abschlusszeugnis - key facts"), 2, extra_trailer=b" /Info 1 0 R")),
    "valid-until": ("claims with valid_until 2099-12-31 (the expiry vectors judge it on given days)",
                    lambda: _classic(_simple("Gewerbeauskunft - valid until"), 2, extra_trailer=b" /Info 1 0 R")),
}  # fmt: skip
"""A fourth batch (issued_at ISSUED_AT_4, stamp version 1): claims other than _claims' (see _claims_4)."""

VALID_UNTIL = dt.date(2099, 12, 31)
"""Far ahead, so that the valid case stays VALID on a verifier's real clock; the expiry list sets the day."""
EXPIRY: dict[str, tuple[str, str, dict[str, str], str]] = {
    "valid-until last day": ("valid_until is inclusive (Europe/Berlin date)", "2099-12-31", {"expiry": "ok"},
                             "VALID"),
    "valid-until expired": ("the day after valid_until", "2100-01-01", {"expiry": "expired"}, "EXPIRED"),
}  # fmt: skip
"""(description, today, expected checks, verdict_without_chain) for the notarised file of case valid-until."""

# --- the batch -------------------------------------------------------------------------------------------


def private_key() -> bytes:
    return bytes(keccak256(KEY_SEED.encode()))


def _claims(i: int, case: str) -> Claims:
    return Claims.create(doc_type="zeugnis", title="Abschlusszeugnis der Realschule", holder=f"Lena Müller {i}",
                         issued_on=dt.date(2025, 7, 15), issuer_ref=f"PDF-{case}")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Notarised:
    case: str
    original: bytes
    proof: Proof
    qr_text: str
    layout: StampLayout
    pdf: bytes


def notarise_all() -> dict[str, Notarised]:
    """Both batches: the first 13 cases, pinned since the first release of the vectors, and the cases added
    later in a batch of their own (so the first batch's proofs and files stay byte for byte what they were)."""
    return {
        **_notarise_batch(ORIGINALS, ISSUED_AT),
        **_notarise_batch(ORIGINALS_2, ISSUED_AT_2),
        **_notarise_batch(ORIGINALS_3, ISSUED_AT_3, QR_URL),
        **_notarise_batch(ORIGINALS_4, ISSUED_AT_4, claims_for=_claims_4),
    }


def _claims_4(i: int, case: str) -> Claims:
    if case == "facts":
        facts = (("Abschluss", "Mittlerer Schulabschluss"), ("Durchschnittsnote", "1,7"), ("Klasse", "10b"))
        return dataclasses.replace(_claims(i, case), facts=facts)
    return Claims.create(doc_type="gewerbeauskunft", title="Gewerbeauskunft nach § 14 GewO", holder=f"Lena Müller {i}",
                         issued_on=dt.date(2025, 7, 15), valid_until=VALID_UNTIL, issuer_ref=f"PDF-{case}")  # fmt: skip


def _notarise_batch(
    table: dict[str, tuple[str, Callable[[], bytes]]],
    issued_at: int,
    qr_url: str = "",
    claims_for: Callable[[int, str], Claims] = _claims,
) -> dict[str, Notarised]:
    """Issue the originals in one batch, as the issuer does: placement bound first, QR chosen last."""
    originals = {case: build() for case, (_, build) in table.items()}
    cases = list(originals)
    claims = [claims_for(i, case) for i, case in enumerate(cases)]
    salts = [Salt(keccak256(f"salt pdf {case}".encode())) for case in cases]
    sizes = [page_size(originals[case]) for case in cases]
    placements = [stamp_placement_digest(w, h, CAPTION, qr_url=qr_url) for w, h in sizes]
    documents = [
        document_commitment(Digest32(hashlib.sha256(originals[case]).digest()), placement)
        for case, placement in zip(cases, placements, strict=True)
    ]
    tree = MerkleTree.build([leaf_hash(d, c.digest(), s) for d, c, s in zip(documents, claims, salts, strict=True)])
    domain = BatchDomain(CHAIN_ID, REGISTRY)
    batch = Batch(tree.root, len(cases), issued_at)
    signature = sign_batch(private_key(), domain, batch)
    issuer = Account.from_key(private_key()).address
    out: dict[str, Notarised] = {}
    for i, case in enumerate(cases):
        common = {
            "chain_id": CHAIN_ID, "registry": REGISTRY, "root": tree.root, "claims": claims[i], "salt": salts[i],
            "merkle_proof": tree.proof(i), "issuer": issuer, "signature": signature, "issued_at": issued_at,
            "document_count": len(cases),
        }  # fmt: skip
        qr_text = encode_qr_text(Proof(document=documents[i], **common), qr_url or None)
        layout = default_layout(*sizes[i], qr_text, CAPTION, qr_url=qr_url)
        original = originals[case]
        proof = Proof(document_hash=Digest32(hashlib.sha256(original).digest()), stamp=layout,
                      original_length=len(original), **common)  # fmt: skip
        assert proof.document_digest == documents[i] and stamp_qr_text(proof) == qr_text
        pdf = stamp_pdf(original, proof_json=proof.to_json(), qr_text=qr_text, layout=layout)
        out[case] = Notarised(case, original, proof, qr_text, layout, pdf)
    return out


# --- forgeries of the classic case -----------------------------------------------------------------------


def _overlay_update(genuine: Notarised) -> bytes:
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText

    writer = PdfWriter(io.BytesIO(genuine.pdf), incremental=True)
    writer.add_annotation(0, FreeText(text="Mathematik: sehr gut (1)", rect=(300, 500, 500, 520)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _extra_object(genuine: Notarised) -> bytes:
    """The genuine update plus one more content stream (a white box) on page 1, all in the one update."""
    doc = read_original(genuine.original)
    objects = _build_objects(doc, genuine.proof.to_json(), genuine.qr_text, genuine.layout)
    extra = Ref(doc.size + 6)
    patched = []
    for obj in objects:
        if obj.ref == doc.page_ref:
            assert isinstance(obj.value, dict)
            page = dict(obj.value)
            contents = page[name("Contents")]
            assert isinstance(contents, list)
            page[name("Contents")] = [*contents, extra]
            obj = UpdateObject(obj.ref, page)
        patched.append(obj)
    patched.append(UpdateObject(extra, {}, b"q 1 g 72 690 451 90 re f Q"))
    trailer = {name("Root"): doc.root}
    if doc.info is not None:
        trailer[name("Info")] = doc.info
    if doc.file_id is not None:
        trailer[name("ID")] = doc.file_id
    update = write_update(genuine.original, patched, size=doc.size, prev=doc.startxref, trailer=trailer,
                          xref_stream=doc.xref_is_stream)  # fmt: skip
    return genuine.original + update


def _restamped(genuine: Notarised, **change: Any) -> bytes:
    layout = dataclasses.replace(genuine.layout, **change)
    return stamp_pdf(genuine.original, proof_json=genuine.proof.to_json(), qr_text=genuine.qr_text, layout=layout)


def _rewritten(genuine: Notarised) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(genuine.pdf)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _changed_original(genuine: Notarised) -> bytes:
    return genuine.pdf.replace(b"Abschlusszeugnis - classic xref", b"Abschlusszeugnis - CLASSIC xref", 1)


def _claims_longer_original(genuine: Notarised) -> bytes:
    """A genuine proof whose unsigned-looking original_length is raised past the file's end: the prefix it
    names cannot be hashed, which is length-mismatch, not hash-mismatch."""
    proof = dataclasses.replace(genuine.proof, original_length=len(genuine.pdf) + 1000)
    return stamp_pdf(genuine.original, proof_json=proof.to_json(), qr_text=genuine.qr_text, layout=genuine.layout)


def _non_canonical_attachment(genuine: Notarised) -> bytes:
    """The genuine proof embedded with a space after every ':' and ',' (the same values, another spelling)."""
    spelled = json.dumps(genuine.proof.to_json_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    assert spelled != genuine.proof.to_json() and Proof.from_json(spelled) == genuine.proof
    return stamp_pdf(genuine.original, proof_json=spelled, qr_text=genuine.qr_text, layout=genuine.layout)


FORGERIES: dict[str, tuple[str, Callable[[Notarised], bytes], dict[str, str]]] = {
    "overlay-update": ("a second incremental update overlaying text (FreeText annotation)", _overlay_update,
                       {"notarisation-update": "extra-content"}),
    "appended-bytes": ("one comment line appended after the notarisation update",
                       lambda g: g.pdf + b"% nachgetragen\n", {"notarisation-update": "extra-content"}),
    "extra-object": ("one more object (a white box) inside the notarisation update", _extra_object,
                     {"notarisation-update": "update-mismatch"}),
    "changed-caption": ("the stamp drawn with another caption than the proof's", lambda g: _restamped(
        g, caption="Echt und geprüft"), {"notarisation-update": "update-mismatch"}),
    "moved-stamp": ("the stamp drawn 10 pt further left than the proof says",
                    lambda g: _restamped(g, x=g.layout.x - 10), {"notarisation-update": "update-mismatch"}),
    "changed-original": ("one word of the original changed (same length)", _changed_original,
                         {"integrity": "hash-mismatch"}),
    "rewritten": ("the notarised file re-saved by another program (pypdf)", _rewritten,
                  {"integrity": "file-rewritten"}),
    "length-past-end": ("original_length raised past the end of the file", _claims_longer_original,
                        {"integrity": "length-mismatch"}),
}  # fmt: skip


def _url_removed(genuine: Notarised) -> bytes:
    """The stamp-version-2 proof kept, the QR drawn without its URL (as a version-1 stamp would draw it)."""
    bare = genuine.qr_text.rsplit("#", 1)[1]
    version, mask = choose_qr_params(bare, genuine.layout.qr_ecl)
    layout = dataclasses.replace(genuine.layout, qr_version=version, qr_mask=mask)
    return stamp_pdf(genuine.original, proof_json=genuine.proof.to_json(), qr_text=bare, layout=layout)


def _url_replaced(genuine: Notarised) -> bytes:
    """A consistent re-stamp whose QR opens another page: proof, QR and drawing agree, but the URL is bound into
    the leaf, so the document is no longer the one in the batch."""
    other = "https://verify-example.example/#"
    moved = dataclasses.replace(genuine.proof, stamp=dataclasses.replace(genuine.layout, qr_url=other), document=None)
    text = stamp_qr_text(moved)
    version, mask = choose_qr_params(text, genuine.layout.qr_ecl)
    layout = dataclasses.replace(genuine.layout, qr_url=other, qr_version=version, qr_mask=mask)
    proof = dataclasses.replace(moved, stamp=layout, document=None)
    return stamp_pdf(genuine.original, proof_json=proof.to_json(), qr_text=text, layout=layout)


URL_FORGERIES: dict[str, tuple[str, Callable[[Notarised], bytes], dict[str, str]]] = {
    "url-removed": ("url-stamp with its QR drawn without the verifier URL", _url_removed,
                    {"notarisation-update": "update-mismatch"}),
    "url-replaced": ("url-stamp re-stamped (proof, QR and drawing consistent) with another verifier URL",
                     _url_replaced, {"inclusion": "not-in-batch"}),
}  # fmt: skip
"""Forgeries of the stamp-version-2 case url-stamp."""

UNREADABLE: dict[str, tuple[str, dict[str, str], str]] = {
    "no-proof": ("an original without the notarisation update", {"file": "pdf/classic.original.pdf"}, "no-proof"),
    "unreadable-pdf": ("a %PDF- header and nothing a reader can use", {"text": "%PDF-1.7\nnot really a pdf\n"},
                       "unreadable-pdf"),
    "non-canonical-attachment": ("the genuine proof embedded with spaces after ':' and ','",
                                 {"file": "pdf/non-canonical-attachment.forged.pdf"}, "non-canonical"),
}  # fmt: skip
"""Inputs whose proof cannot be read as the format demands (S§8): the format check's code, nothing else runs."""

VALID_CHECKS = {"format": "ok", "registry": "ok", "integrity": "ok", "notarisation-update": "ok", "inclusion": "ok",
                "signature": "ok"}  # fmt: skip

# --- output ----------------------------------------------------------------------------------------------


def _file(name_: str, data: bytes) -> dict[str, Any]:
    return {"file": f"pdf/{name_}", "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def render() -> tuple[dict[str, bytes], str]:
    """(files under tests/vectors/pdf/, the text of pdf_vectors.json)."""
    notarised = notarise_all()
    files: dict[str, bytes] = {}
    valid = []
    for case, item in notarised.items():
        files[f"{case}.original.pdf"] = item.original
        files[f"{case}.notarised.pdf"] = item.pdf
        valid.append({
            "name": case,
            "description": {**ORIGINALS, **ORIGINALS_2, **ORIGINALS_3, **ORIGINALS_4}[case][0],
            "original": _file(f"{case}.original.pdf", item.original),
            "notarised": _file(f"{case}.notarised.pdf", item.pdf),
            "proof_json": item.proof.to_json().decode("utf-8"),
            "qr_text": item.qr_text,
            "update_bytes": len(item.pdf) - len(item.original),
            "expected": {"checks": VALID_CHECKS, "verdict_without_chain": "VALID"},
        })  # fmt: skip
    invalid = []
    genuine = notarised["classic"]
    for case, (description, forge, failing) in FORGERIES.items():
        committed = PDF_DIR / f"{case}.forged.pdf"
        by_tool = case in ("overlay-update", "rewritten")
        reuse = by_tool and committed.is_file() and not REMAKE_TOOL_OUTPUTS
        data = committed.read_bytes() if reuse else forge(genuine)
        assert data != genuine.pdf
        files[f"{case}.forged.pdf"] = data
        invalid.append({
            "name": case,
            "description": description,
            "forgery_of": "classic",
            "forged": _file(f"{case}.forged.pdf", data),
            "expected": {"checks": failing, "verdict_without_chain": "INVALID"},
        })  # fmt: skip
    for case, (description, forge, failing) in URL_FORGERIES.items():
        data = forge(notarised["url-stamp"])
        files[f"{case}.forged.pdf"] = data
        invalid.append({
            "name": case,
            "description": description,
            "forgery_of": "url-stamp",
            "forged": _file(f"{case}.forged.pdf", data),
            "expected": {"checks": failing, "verdict_without_chain": "INVALID"},
        })  # fmt: skip
    files["non-canonical-attachment.forged.pdf"] = _non_canonical_attachment(genuine)
    unreadable = [
        {"name": case, "description": description, "input": given,
         "expected": {"format": code,
                      "verdict_without_chain": "INVALID" if code == "non-canonical" else "NOT_CHECKABLE"}}
        for case, (description, given, code) in UNREADABLE.items()
    ]  # fmt: skip
    expiry = [
        {"name": case, "description": description, "notarised": _file("valid-until.notarised.pdf",
                                                                      notarised["valid-until"].pdf),
         "today": today, "expected": {"checks": {**VALID_CHECKS, **checks}, "verdict_without_chain": verdict}}
        for case, (description, today, checks, verdict) in EXPIRY.items()
    ]  # fmt: skip
    for case in unreadable:
        if "file" in case["input"]:
            case["input"] = _file(case["input"]["file"][4:], files[case["input"]["file"][4:]])
    index = {
        "description": (
            "Notarised-PDF vectors (docs/stamp-format.md). The valid cases are three batches (the first 13 cases, "
            "then four more, then url-stamp and url-rotate-90 of stamp version 2, then facts (format 1.1) and "
            "valid-until), signed with the test key of "
            "generate.py (private_key_seed) for chain 31337 and the registry below. expected.checks: the reason "
            "code each listed check of docs/proof-format.md §13 must give without the chain; every check not "
            "listed for an invalid case is not INVALID. The proof JSON is the attachment; the QR text is "
            "the stamp's qr_url (stamp version 2 only) + NT1: + base45 of the compact form; the layout is its stamp. "
            "unreadable: inputs (a file, or text as UTF-8 bytes) whose proof cannot be read; expected.format is the "
            "format check's code. expiry: the notarised file of valid-until judged on the Europe/Berlin date today; "
            "expected.checks then includes expiry (docs/proof-format.md §13)."
        ),
        "private_key_seed": KEY_SEED,
        "chain_id": CHAIN_ID,
        "registry": REGISTRY,
        "caption": CAPTION,
        "valid": valid,
        "invalid": invalid,
        "unreadable": unreadable,
        "expiry": expiry,
    }
    return files, json.dumps(index, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    files, index = render()
    if "--check" in argv:
        stale = [n for n, data in files.items() if not (PDF_DIR / n).is_file() or (PDF_DIR / n).read_bytes() != data]
        if not INDEX.is_file() or INDEX.read_text(encoding="utf-8") != index:
            stale.append(INDEX.name)
        if stale:
            print("stale PDF vectors:", ", ".join(stale))
            return 1
        return 0
    PDF_DIR.mkdir(exist_ok=True)
    for old in PDF_DIR.glob("*.pdf"):
        if old.name not in files:
            old.unlink()
    for n, data in files.items():
        (PDF_DIR / n).write_bytes(data)
    INDEX.write_text(index, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
