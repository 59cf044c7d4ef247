"""Per-document work, run in worker processes: check and hash an original; build its proof and write its
notarised copy. Top-level functions with plain arguments, so they pickle cheaply."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from notary.core import Claims, Proof, StampLayout, encode_qr_text
from notary.errors import NotaryError
from notary.pdf import default_layout, page_size, stamp_pdf

MAX_PDF_BYTES = 100 * 1024 * 1024
PROOF_SUFFIX = ".proof.json"


@dataclass(frozen=True, slots=True)
class Prepared:
    src: str
    doc_hash: bytes | None
    size: int
    error: str | None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the stamp goes and how big the QR is (policy; the result is recorded in each proof)."""

    caption: str
    corner: str = "bottom-right"
    size_mm: float = 40.0

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
        width, height = page_size(data)
        placement.layout(width, height, "NT1:0")  # the stamp must fit page 1
    except NotaryError as exc:
        return Prepared(src, None, len(data), str(exc))
    except Exception as exc:  # a hostile PDF must fail the document, never the run
        return Prepared(src, None, len(data), f"unreadable PDF ({type(exc).__name__})")
    return Prepared(src, hashlib.sha256(data).digest(), len(data), None)


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


def notarise(original: bytes, proof: Proof, placement: Placement) -> tuple[bytes, Proof]:
    """The notarised PDF and the full proof it carries (with the stamp layout)."""
    qr_text = encode_qr_text(proof.for_qr())
    width, height = page_size(original)
    layout = placement.layout(width, height, qr_text)
    full = replace(proof, stamp=layout)
    return stamp_pdf(original, proof_json=full.to_json(), qr_text=qr_text, layout=layout), full


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
        notarised, full = notarise(original, proof, job.placement)
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
