"""Per-document work, run in worker processes: check and hash an original; build its proof and write its
notarised copy. Top-level functions with plain arguments, so they pickle cheaply.

Each original is parsed once per run: ``prepare`` reads what stamping needs (``read_original``) from the very
bytes it hashes and hands it back pickled; the issuance keeps it until the document's batch is anchored and
passes it to ``stamp``, which uses it only when the file it reads again has the hash it was prepared with
(otherwise, e.g. after a resume, it parses the file again). The stamp is the same either way: a pure function
of the original's bytes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from notary.core import Claims, Proof, StampLayout, encode_qr_text
from notary.errors import NotaryError, PdfError
from notary.pdf import default_layout
from notary.pdf.default_layout import page_size_of
from notary.pdf.original_pdf import OriginalPdf, read_original
from notary.pdf.stamping import stamp_read_original

MAX_PDF_BYTES = 100 * 1024 * 1024
PROOF_SUFFIX = ".proof.json"


@dataclass(frozen=True, slots=True)
class Prepared:
    src: str
    doc_hash: bytes | None
    size: int
    error: str | None
    parsed: bytes | None = None
    """The pickled ``read_original`` of the bytes hashed (None when the document failed)."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the stamp goes and how big the QR is (policy; the result is recorded in each proof)."""

    caption: str
    corner: str = "bottom-right"
    size_mm: float = 40.0

    def __post_init__(self) -> None:
        # checked before anything is anchored: a caption the stamp cannot draw would fail every document after it
        try:
            self.caption.encode("cp1252")
        except UnicodeEncodeError:
            raise PdfError(f"the caption {self.caption!r} has characters the stamp font cannot draw") from None
        default_layout(595, 842, "NT1:0", self.caption, corner=self.corner, size_mm=self.size_mm)

    def layout(self, width: float, height: float, qr_text: str) -> StampLayout:
        return default_layout(width, height, qr_text, self.caption, corner=self.corner, size_mm=self.size_mm)


def prepare(src: str, placement: Placement) -> Prepared:
    """Read, check and hash one original. Any problem fails only this document, with a reason."""
    try:
        size = os.stat(src).st_size
        if size > MAX_PDF_BYTES:
            return Prepared(src, None, size, f"larger than {MAX_PDF_BYTES // 2**20} MB")
        with open(src, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return Prepared(src, None, 0, "file not found")
    except OSError as exc:
        return Prepared(src, None, 0, f"unreadable ({exc.strerror})")
    if b"%PDF-" not in data[:1024]:
        return Prepared(src, None, len(data), "not a PDF")
    try:
        doc = read_original(data)
        width, height = page_size_of(doc)
        _check_fits(placement, width, height)
        parsed = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
    except NotaryError as exc:
        return Prepared(src, None, len(data), str(exc))
    except Exception as exc:  # a hostile PDF must fail the document, never the run
        return Prepared(src, None, len(data), f"unreadable PDF ({type(exc).__name__})")
    return Prepared(src, hashlib.sha256(data).digest(), len(data), None, parsed)


@lru_cache(maxsize=256)
def _check_fits(placement: Placement, width: float, height: float) -> None:
    """The stamp must fit page 1 (a layout for a tiny QR text; raises NotaryError). Cached: a run's pages
    mostly share a few sizes."""
    placement.layout(width, height, "NT1:0")


@dataclass(frozen=True, slots=True)
class StampJob:
    doc_id: int
    src: str
    out: str
    doc_hash: bytes
    size: int
    claims_json: bytes
    salt: bytes
    siblings: tuple[bytes, ...]
    root: bytes
    chain_id: int
    registry: str
    issuer: str
    signature: bytes
    issued_at: int
    count: int
    placement: Placement
    sidecar: bool
    parsed: bytes | None = None
    """``Prepared.parsed`` of the same original, when the issuance still holds it."""


@dataclass(frozen=True, slots=True)
class Stamped:
    doc_id: int
    out: str | None
    error: str | None


def build_proof(job: StampJob) -> Proof:
    return Proof(
        chain_id=job.chain_id,
        registry=job.registry,  # type: ignore[arg-type]  # parsed and checksummed by Proof
        root=job.root,  # type: ignore[arg-type]
        document_hash=job.doc_hash,  # type: ignore[arg-type]
        claims=Claims.from_json(job.claims_json),
        salt=job.salt,  # type: ignore[arg-type]
        merkle_proof=job.siblings,  # type: ignore[arg-type]
        issuer=job.issuer,  # type: ignore[arg-type]
        signature=job.signature,
        issued_at=job.issued_at,
        document_count=job.count,
        original_length=job.size,
    )


def notarise(
    original: bytes, proof: Proof, placement: Placement, doc: OriginalPdf | None = None
) -> tuple[bytes, Proof]:
    """The notarised PDF and the full proof it carries (with the stamp layout).

    ``doc``, when given, must be ``read_original(original)``; it saves parsing the original again.
    """
    qr_text = encode_qr_text(proof.for_qr())
    if doc is None:
        doc = read_original(original)  # once, for the page size and the stamp
    width, height = page_size_of(doc)
    layout = placement.layout(width, height, qr_text)
    full = replace(proof, stamp=layout)
    notarised = stamp_read_original(original, doc, proof_json=full.to_json(), qr_text=qr_text, layout=layout)
    return notarised, full


def stamp(job: StampJob) -> Stamped:
    """Write one notarised copy (atomically; an identical existing copy is fine, a different one is not)."""
    try:
        with open(job.src, "rb") as handle:
            original = handle.read()
        if hashlib.sha256(original).digest() != job.doc_hash:
            return Stamped(job.doc_id, None, "the original changed after it was hashed; it was not stamped")
        proof = build_proof(job)
        if not proof.root_matches():
            return Stamped(job.doc_id, None, "internal error: the Merkle proof does not lead to the batch root")
        doc = pickle.loads(job.parsed) if job.parsed is not None else None  # from prepare, same hash
        notarised, full = notarise(original, proof, job.placement, doc)
        out = Path(job.out)
        _write_once(out, notarised)
        if job.sidecar:
            _write_once(out.with_name(out.name + PROOF_SUFFIX), full.to_json())
        return Stamped(job.doc_id, job.out, None)
    except NotaryError as exc:
        return Stamped(job.doc_id, None, str(exc))
    except OSError as exc:
        return Stamped(job.doc_id, None, f"cannot write {job.out}: {exc.strerror}")


def _write_once(path: Path, data: bytes) -> None:
    if path.exists():
        if path.read_bytes() == data:
            return  # written before a crash: the same bytes, nothing to do
        raise NotaryError(f"{path} exists with other content; remove it or choose another output folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
    os.replace(temp, path)
