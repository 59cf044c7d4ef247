"""Per-document work, run in worker processes: check and hash an original; build its proof and write its
notarised copy. Top-level functions with plain arguments, so they pickle cheaply.

A plain original (``read_original_plain``) is parsed again where it is needed: that is cheaper than carrying
the parse between processes. Any other is parsed by pypdf once per run: ``prepare`` reads what stamping needs
from the very bytes it hashes and hands it back pickled; the issuance keeps it until the document's batch is
anchored and passes it to ``stamp``, which uses it only when the file it reads again has the hash it was
prepared with (otherwise, e.g. after a resume, it parses the file again). The stamp is the same either way: a
pure function of the original's bytes.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from functools import lru_cache, partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from notary.core import Claims, Digest32, Proof, StampLayout, document_hash, encode_qr_text
from notary.core.leaves import document_commitment
from notary.core.merkle import MerkleProof
from notary.errors import NotaryError, PdfError
from notary.localchain import process_alive
from notary.pdf import default_layout
from notary.pdf.default_layout import page_size_of, stamp_placement_digest
from notary.pdf.original_pdf import OriginalPdf, read_original, read_original_plain, read_original_pypdf
from notary.pdf.pdf_objects import Name, Real, Ref
from notary.pdf.proof_attachment import read_attached_proof
from notary.pdf.stamping import PROOF_FILE_NAME, stamp_read_original

if TYPE_CHECKING:
    from notary.pdf.seal import SealOptions

MAX_PDF_BYTES = 100 * 1024 * 1024
PROOF_SUFFIX = ".proof.json"

_D = TypeVar("_D")


def _pickled_by_constructor(cls: type[_D]) -> type[_D]:
    """Pickle a frozen slotted dataclass as a call of its constructor with every field. Dataclasses' own
    ``__getstate__``/``__setstate__`` look up ``fields()`` and set each slot through ``object.__setattr__`` for
    every object: more than a job's own bytes cost, ~20,000 times a run in the issuing process alone."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    if not all(f.init for f in fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument")
    values = attrgetter(*names)

    def reduce(self: _D) -> tuple[type[_D], tuple[Any, ...]]:
        return cls, values(self)

    setattr(cls, "__reduce__", reduce)  # noqa: B010
    return cls


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Prepared:
    src: str
    doc_hash: bytes | None
    size: int
    error: str | None
    parsed: bytes | None = None
    """The pickled ``read_original`` of the bytes hashed, for a file that is not plain (None otherwise)."""
    placement: bytes | None = None
    """Digest of where the stamp will go on this document's page 1 (bound into its leaf)."""

    def document(self) -> Digest32:
        """The leaf's ``document``: the original's SHA-256 bound to its stamp placement."""
        assert self.doc_hash is not None and self.placement is not None
        return document_commitment(Digest32(self.doc_hash), Digest32(self.placement))


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the stamp goes and how big the QR is (policy; the result is recorded in each proof)."""

    caption: str
    corner: str = "bottom-right"
    size_mm: float = 40.0
    qr_url: str = ""
    """The verifier URL the QR starts with (stamp version 2, ``Settings.stamp_qr_url``); "" for none."""

    def __post_init__(self) -> None:
        # checked before anything is anchored: a caption the stamp cannot draw would fail every document after it
        try:
            self.caption.encode("cp1252")
        except UnicodeEncodeError:
            raise PdfError(f"the caption {self.caption!r} has characters the stamp font cannot draw") from None
        default_layout(
            595, 842, self.qr_url + "NT1:0", self.caption, corner=self.corner, size_mm=self.size_mm, qr_url=self.qr_url
        )

    def layout(self, width: float, height: float, qr_text: str) -> StampLayout:
        return default_layout(
            width, height, qr_text, self.caption, corner=self.corner, size_mm=self.size_mm, qr_url=self.qr_url
        )

    def digest(self, width: float, height: float) -> Digest32:
        """What the leaf binds of the stamp :meth:`layout` will give on a page of this size."""
        return stamp_placement_digest(
            width, height, self.caption, corner=self.corner, size_mm=self.size_mm, qr_url=self.qr_url
        )


def prepare(src: str, placement: Placement) -> Prepared:
    """Read, check and hash one original. Any problem fails only this document, with a reason.

    What was read is also held in this process (:class:`_Held`) for :func:`stamp_staged`, which then neither
    reads, hashes nor parses the file again when it is unchanged."""
    try:
        with open(src, "rb") as handle:
            seen = os.fstat(handle.fileno())
            if seen.st_size > MAX_PDF_BYTES:
                return Prepared(src, None, seen.st_size, f"larger than {MAX_PDF_BYTES // 2**20} MB")
            data = handle.read()
    except FileNotFoundError:
        return Prepared(src, None, 0, "file not found")
    except OSError as exc:
        return Prepared(src, None, 0, f"unreadable ({exc.strerror})")
    if b"%PDF-" not in data[:1024]:
        return Prepared(src, None, len(data), "not a PDF")
    try:
        doc = read_original_plain(data)
        parsed = None  # a plain file is read again in stamp, for less than pickling it here costs
        if doc is None:
            doc = read_original_pypdf(data)
            parsed = _pickle_parsed(doc)
        if any(key == PROOF_FILE_NAME for key, _ in doc.embedded_files):
            # refused here, before anything is spent: stamping it after anchoring would fail anyway
            reason = "already notarised (it carries notary-proof.json): issue the original"
            return Prepared(src, None, len(data), reason)
        width, height = page_size_of(doc)
        _check_fits(placement, width, height)
        bound = _placement_digest(placement, width, height)
    except NotaryError as exc:
        return Prepared(src, None, len(data), str(exc))
    except Exception as exc:  # a hostile PDF must fail the document, never the run
        return Prepared(src, None, len(data), f"unreadable PDF ({type(exc).__name__})")
    hasher = hashlib.sha256(data)
    _HELD.put(src, hasher.copy(), _identity(seen), doc, data)
    return Prepared(src, hasher.digest(), len(data), None, parsed, bytes(bound))


@dataclass(frozen=True, slots=True)
class _Held:
    """An original as :func:`prepare` read it, kept in the process that read it until it is stamped."""

    doc_hash: bytes
    identity: tuple[int, ...]
    """:func:`_identity` of the file when it was read: unchanged, the file still has these bytes."""
    doc: OriginalPdf
    data: bytes | None
    """The bytes, while the bytes held stay within their limit (else read again, and their hash checked)."""
    hasher: Any
    """SHA-256 over the bytes, to be continued over the update (the output's hash)."""


def _identity(seen: os.stat_result) -> tuple[int, ...]:
    # any write to the file changes its ctime (and mtime), a replacement its inode: then it is read again
    return (seen.st_dev, seen.st_ino, seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns)


class _HeldOriginals:
    """The originals this process prepared and has not stamped yet: their parse (small) for up to ``entries``
    of them, oldest forgotten first, and their bytes while those stay within ``limit`` (the parse saves the
    most; holding bytes beyond a few batches would only cost memory). A cache only: every entry is checked
    against the job's hash and the file's identity before it is used. Shared by threads (a thread pool)."""

    def __init__(self, limit: int, entries: int = 16_384) -> None:
        self.limit, self.entries, self.size = limit, entries, 0
        self._entries: dict[str, _Held] = {}
        self._lock = threading.Lock()

    def put(self, src: str, hasher: Any, identity: tuple[int, ...], doc: OriginalPdf, data: bytes) -> None:
        """Hold ``data`` (and ``doc``, its parse) read from ``src``; ``hasher`` has hashed exactly ``data``."""
        with self._lock:
            self._forget(src)
            keep = self.size + len(data) <= self.limit
            self._entries[src] = _Held(hasher.digest(), identity, doc, data if keep else None, hasher)
            self.size += len(data) if keep else 0
            while len(self._entries) > self.entries:
                self._forget(next(iter(self._entries)))

    def take(self, src: str, doc_hash: bytes) -> _Held | None:
        """The original held for ``src`` if it has ``doc_hash`` and the file is unchanged since; forgotten."""
        with self._lock:
            held = self._forget(src)
        if held is None or held.doc_hash != doc_hash:
            return None
        try:
            if _identity(os.stat(src)) != held.identity:
                return None
        except OSError:
            return None
        return held

    def _forget(self, src: str) -> _Held | None:
        held = self._entries.pop(src, None)
        if held is not None and held.data is not None:
            self.size -= len(held.data)
        return held


HELD_BYTES = 48 * 2**20
"""Per worker process: about a batch of typical certificates (~57 KB)."""
_HELD = _HeldOriginals(HELD_BYTES)


def read_ahead(paths: Iterable[str]) -> None:
    """Ask the kernel to start reading these files now (``POSIX_FADV_WILLNEED``, asynchronous): a worker that
    reaches one finds it read instead of waiting for the disk while its CPU idles. Only advice: a file that
    cannot be opened is passed over here and fails in :func:`prepare` as before."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def file_sha256(path: str) -> bytes | None:
    """The SHA-256 of a file's bytes now, or None when it cannot be read (gone, unreadable)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError:
        return None
    return digest.digest()


@lru_cache(maxsize=256)
def _check_fits(placement: Placement, width: float, height: float) -> None:
    """The stamp must fit page 1 (a layout for a tiny QR text; raises NotaryError). Cached: a run's pages
    mostly share a few sizes."""
    placement.layout(width, height, placement.qr_url + "NT1:0")


@lru_cache(maxsize=256)
def _placement_digest(placement: Placement, width: float, height: float) -> Digest32:
    """``placement.digest(width, height)``, cached like :func:`_check_fits`."""
    return placement.digest(width, height)


def _constructor_args(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = tuple(f.name for f in fields(cls))
    return lambda value: (cls, tuple(getattr(value, name) for name in names))


_PARSED_REDUCERS: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    cls: _constructor_args(cls)
    for cls in (OriginalPdf, Name, Ref, Real)
    if all(f.init for f in fields(cls))  # rebuilt by calling the class with every field
}
_PARSED_REDUCERS[Fraction] = lambda value: (Fraction, (value.numerator, value.denominator))


def _pickle_parsed(doc: OriginalPdf) -> bytes:
    """``pickle.dumps(doc)``, with the frozen dataclasses and fractions of a parsed original rebuilt by their
    constructors: read back (plain ``pickle.loads``) in a third of the time of the generic way."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _PARSED_REDUCERS
    pickler.dump(doc)
    return buffer.getvalue()


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class StampJob:
    doc_id: int
    src: str
    out: str
    doc_hash: bytes
    size: int
    claims_json: bytes
    salt: bytes
    siblings: bytes
    """The Merkle proof: the 32-byte siblings from the leaf up, one after another (``MerkleProof.blob``)."""
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
    seal: SealOptions | None = None
    """The city's seal, added after the notarisation update (docs/seal.md); ``seal_binding`` is the batch's."""
    seal_binding: bytes = b""


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Stamped:
    doc_id: int
    out: str | None
    error: str | None
    sha256: bytes | None = None
    """Of the notarised PDF as it is (to be) on disk: written now, or found complete from an earlier attempt."""
    staged: tuple[tuple[str, str], ...] = ()
    """(temp file, final name) pairs written but not yet in place: :func:`publish` moves them."""


def build_proof(job: StampJob, document: Digest32) -> Proof:
    """The document's proof before stamping: in QR form, with its ``document`` commitment.

    The batch's values (all but the document, salt and Merkle proof) are checked once per batch, by the
    constructor of a proof of its own (:func:`_batch_proof`); each document's come from it by
    :meth:`Proof.for_leaf`. When the batch's values fail a check, the proof is made as a whole, for its error."""
    batch = _batch_proof(job)
    if batch is not None:
        return batch.for_leaf(document, job.salt, job.siblings)
    return Proof(
        chain_id=job.chain_id,
        registry=job.registry,  # type: ignore[arg-type]  # parsed and checksummed by Proof
        root=job.root,  # type: ignore[arg-type]
        document=document,
        claims=_claims_of(job.claims_json),
        salt=job.salt,  # type: ignore[arg-type]
        merkle_proof=MerkleProof(job.siblings),
        issuer=job.issuer,  # type: ignore[arg-type]
        signature=job.signature,
        issued_at=job.issued_at,
        document_count=job.count,
    )


def _batch_proof(job: StampJob) -> Proof | None:
    """A checked proof of the job's batch (of a stand-in document), or None when a batch value fails a check."""
    values = (
        job.chain_id, job.registry, job.root, job.claims_json, job.issuer, job.signature, job.issued_at, job.count,
    )  # fmt: skip
    try:
        # with the values' types: equal values of other types (1 and True) are not the same job data
        return _checked_batch_proof(values, tuple(map(type, values)))
    except Exception:
        return None


@lru_cache(maxsize=16)
def _checked_batch_proof(values: tuple[Any, ...], types: tuple[type, ...]) -> Proof:
    chain_id, registry, root, claims_json, issuer, signature, issued_at, count = values
    return Proof(
        chain_id=chain_id,
        registry=registry,
        root=root,
        document=Digest32(bytes(32)),
        claims=_claims_of(claims_json),
        salt=bytes(32),  # type: ignore[arg-type]
        merkle_proof=MerkleProof(bytes(32 * (count.bit_length() - 1))),  # the shortest proof a batch this size has
        issuer=issuer,
        signature=signature,
        issued_at=issued_at,
        document_count=count,
    )


@lru_cache(maxsize=256)
def _claims_of(claims_json: bytes) -> Claims:
    """``Claims.from_json``, once per distinct claims (a run's documents mostly share theirs; Claims is frozen)."""
    return Claims.from_json(claims_json)


def notarise(
    original: bytes, proof: Proof, placement: Placement, doc: OriginalPdf | None = None
) -> tuple[bytes, Proof]:
    """The notarised PDF and the full proof it carries (the original's hash and length, the stamp layout).

    ``proof`` is the document's proof in QR form; its ``document`` must commit to this original and to where
    ``placement`` puts the stamp on it (FormatError otherwise). ``doc``, when given, must be
    ``read_original(original)``; it saves parsing the original again.
    """
    return _notarise(original, document_hash(original), proof, placement, doc)


def _notarise(
    original: bytes, original_hash: Digest32, proof: Proof, placement: Placement, doc: OriginalPdf | None
) -> tuple[bytes, Proof]:
    """:func:`notarise` for a caller that has just checked ``original_hash``, the original's SHA-256."""
    qr_proof = proof.for_qr()
    qr_text = encode_qr_text(qr_proof, placement.qr_url or None)
    if doc is None:
        doc = read_original(original)  # once, for the page size and the stamp
    width, height = page_size_of(doc)
    layout = placement.layout(width, height, qr_text)
    full = qr_proof.with_stamp(original_hash, layout, len(original))
    notarised = stamp_read_original(original, doc, proof_json=full.to_json(), qr_text=qr_text, layout=layout)
    return notarised, full


def stamp(job: StampJob) -> Stamped:
    """Write one notarised copy (and its sidecar) in place, durably: :func:`stamp_staged` and :func:`publish`."""
    result = stamp_staged(job)
    try:
        publish(result.staged, Path(job.out).parent)
    except OSError as exc:
        return Stamped(job.doc_id, None, f"cannot write {job.out}: {exc.strerror}")
    return replace(result, staged=())


def stamp_staged(job: StampJob) -> Stamped:
    """Write one notarised copy to a temp file beside its output; the caller puts a whole part's files in place
    durably and atomically with :func:`publish` before it journals them as written.

    An existing file at the output is kept when it is this very issue (the same bytes, or the same document
    in the same anchored batch with the signature of an earlier attempt whose journal record a power cut
    lost); it is overwritten when it is a truncated copy of what would be written; anything else fails."""
    try:
        held = _HELD.take(job.src, job.doc_hash)
        if held is not None and held.data is not None:
            original, doc, hasher = held.data, held.doc, held.hasher
        else:
            try:
                with open(job.src, "rb") as handle:
                    original = handle.read()
            except OSError as exc:
                return Stamped(job.doc_id, None, f"the original cannot be read any more ({exc.strerror})")
            hasher = hashlib.sha256(original)  # continued below over the update: the output's hash for the journal
            if hasher.digest() != job.doc_hash:
                return Stamped(job.doc_id, None, "the original changed after it was hashed; it was not stamped")
            if held is not None:
                doc = held.doc  # parsed from bytes with this very hash
            elif job.parsed is not None:
                doc = pickle.loads(job.parsed)  # the same
            else:
                doc = read_original(original)
        width, height = page_size_of(doc)
        original_hash = Digest32(job.doc_hash)
        proof = build_proof(job, document_commitment(original_hash, _placement_digest(job.placement, width, height)))
        if not proof.root_matches():
            return Stamped(job.doc_id, None, "internal error: the Merkle proof does not lead to the batch root")
        notarised, full = _notarise(original, original_hash, proof, job.placement, doc)
        if job.seal is not None:
            from notary.pdf.seal import sealer_for  # pyHanko loads only for sealing runs

            notarised = sealer_for(job.seal).seal(notarised, job.seal_binding)
        kept, staged = _stage(job.out, notarised, partial(_earlier_attempt, job, original, original_hash, doc))
        if kept is not None:
            notarised, full = kept, Proof.from_json(read_attached_proof(kept) or b"")
        if job.sidecar:
            _, sidecar = _stage(job.out + PROOF_SUFFIX, full.to_json(), lambda existing: False)
            staged += sidecar
        if kept is None and notarised.startswith(original):
            hasher.update(memoryview(notarised)[len(original) :])
            digest = hasher.digest()
        else:
            digest = hashlib.sha256(notarised).digest()
        return Stamped(job.doc_id, job.out, None, digest, staged)
    except NotaryError as exc:
        return Stamped(job.doc_id, None, str(exc))
    except OSError as exc:
        return Stamped(job.doc_id, None, f"cannot write {job.out}: {exc.strerror}")
    except Exception as exc:  # e.g. the seal library on an odd file: this document fails, never the whole run
        return Stamped(job.doc_id, None, f"could not be stamped ({type(exc).__name__}: {exc})"[:300])


def _earlier_attempt(
    job: StampJob, original: bytes, original_hash: Digest32, doc: OriginalPdf, existing: bytes
) -> bool:
    """Whether ``existing`` is this document notarised in this batch by an earlier attempt (same root, salt and
    claims; the batch signature and time of that attempt), byte for byte what stamping gives."""
    try:
        raw = read_attached_proof(existing)
        if raw is None:
            return False
        earlier = Proof.from_json(raw)
        if (earlier.root, earlier.salt, earlier.document_hash) != (job.root, job.salt, job.doc_hash):
            return False
        again = replace(job, signature=earlier.signature, issued_at=earlier.issued_at)
        width, height = page_size_of(doc)
        document = document_commitment(original_hash, _placement_digest(job.placement, width, height))
        notarised, _ = _notarise(original, original_hash, build_proof(again, document), job.placement, doc)
    except Exception:  # whatever is there, it is not ours
        return False
    if job.seal is not None:  # a seal differs per attempt (signing time): an earlier one that only seals is ours
        from notary.pdf.seal import review_later_updates

        return existing.startswith(notarised) and review_later_updates(existing, len(notarised)).allowed
    return notarised == existing


def _stage(
    path: str, data: bytes, earlier: Callable[[bytes], bool]
) -> tuple[bytes | None, tuple[tuple[str, str], ...]]:
    """Write ``data`` to a temp file beside ``path``: ((), ((temp, path),)) to be published. Nothing to write
    when ``path`` already has these bytes, or bytes ``earlier`` accepts as an equivalent earlier result (then
    returned). A file there that is a truncated copy of ``data`` is replaced; anything else is an error.

    ``path`` is a (normalised) str and handled with ``os.path``: pathlib's objects cost more than the rest
    of this, once or twice per document."""
    existing = _read_if_there(path)
    if existing is not None:
        if existing == data:
            return None, ()  # written before a crash: the same bytes, nothing to do
        if earlier(existing):
            return existing, ()
        if len(existing) >= len(data) or not data.startswith(existing):
            raise NotaryError(f"{path} exists with other content; remove it or choose another output folder")
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        handle = open(temp, "wb")  # noqa: SIM115
    except FileNotFoundError:  # the folder is not there yet
        os.makedirs(folder or ".", exist_ok=True)
        handle = open(temp, "wb")  # noqa: SIM115
    with handle:
        handle.write(data)
    return None, ((temp, path),)


def _read_if_there(path: str) -> bytes | None:
    """The bytes of the file at ``path``, None when there is none. Usually there is none: ``os.access`` says
    so without the FileNotFoundError that opening it would raise and this would catch (which costs more).
    Anything else that keeps it from being read raises OSError, there or when the temp file is written. A link
    is opened whatever ``os.access`` says: it says "not there" for a loop as for a dangling link, but only the
    dangling one is not there (a loop is an error, never silently replaced)."""
    if not os.access(path, os.F_OK) and not os.path.islink(path):
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:  # removed in between
        return None


def publish(staged: Sequence[tuple[str, str]], top: Path) -> None:
    """Put staged files in place, atomically and durably: their data on disk, then the renames, then the
    folders. One flush of the file system (``syncfs``) before and one after the renames for a whole part of a
    batch, instead of an fsync per file and folder (which is the fallback where syncfs is missing): a final
    name only ever holds a complete file, and it is on disk before the journal says it is written."""
    if not staged:
        return
    _flush([temp for temp, _ in staged], top, folders=False)
    for temp, final in staged:
        os.replace(temp, final)
    _flush([final for _, final in staged], top, folders=True)


def _flush(paths: Sequence[str], top: Path, *, folders: bool) -> None:
    syncfs = _syncfs()
    if syncfs is not None:
        fd = os.open(top, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    if folders:
        sync_folders(paths, top)
        return
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@lru_cache(maxsize=1)
def _syncfs() -> Callable[[int], int] | None:
    try:
        function: Callable[[int], int] = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):
        return None
    return function


def remove_stale_temps(out_dir: Path) -> int:
    """Remove the temp files (``.NAME.PID.tmp``) a killed writer left in ``out_dir``; those of a live process
    are its writes in progress and stay."""
    removed = 0
    if not out_dir.is_dir():
        return 0
    for temp in out_dir.rglob(".*.tmp"):
        pid = temp.name.rsplit(".", 2)[-2]
        if not pid.isdigit() or process_alive(int(pid)):
            continue
        temp.unlink(missing_ok=True)
        removed += 1
    return removed


def sync_folders(paths: Iterable[str], top: Path) -> None:
    """fsync the folders holding ``paths`` and those between them and ``top`` (made by this run, maybe):
    a rename is durable once its folder is. One call per batch part, not per file."""
    folders: set[Path] = set()
    for path in paths:
        folder = Path(path).parent
        while folder not in folders:
            folders.add(folder)
            if folder == top or top not in folder.parents:
                break
            folder = folder.parent
    if folders:
        folders.add(top.parent)  # the output folder itself may be new
    for folder in sorted(folders):
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
