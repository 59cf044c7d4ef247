"""The issuance pipeline: stream documents -> leaves -> batches -> sign -> anchor -> stamp -> journal.

Every step is journaled before it has effects, and the chain is the judge of what was anchored, so running the
same command again after a crash or power cut at any point finishes the job: every input — as its bytes are
now — issued exactly once, no anchored batch without its outputs, no output whose batch is not anchored.

Running a command again resumes its run (same inputs, output folder, registry and key): it finishes what was
started and re-checks what was done. An input whose bytes changed since it was issued, or whose claims as now
asked for (manifest row, claim options, facts) differ from those it was issued with, is a new document: it is
issued again, and its notarised copy goes beside the earlier one as ``NAME.v2.pdf`` (``v3``, …); the earlier
copy is kept (it stays valid on chain; revoke it if it must no longer be accepted) and the report says so. An
issue date left to default to "today" is compared as the one recorded: running again on a later day is no change.
Outputs are checked against the SHA-256 the journal recorded: a missing, truncated or otherwise damaged output
is written again. Failures and skips are tried again on every run.

Everything that can be refused without the chain is refused before anything is spent: unreadable, not a PDF,
encrypted, already notarised, claims missing or invalid, a caption the stamp cannot draw; the key must be an
active issuer of the registry before the run starts. An already past ``valid_until`` is issued with a warning.

Pipelined for speed, with the same durable steps in the same order per batch: the workers read, hash and parse
the next batch's inputs ahead (no effects), and stamp a batch while this process signs and anchors the next one;
each document is stamped by the worker that prepared it, from the original it still holds (``documents``,
``workers``). A run keeps the options it started with, the QR URL included (its leaves bind the placement).

Stage trace (for crash benchmarks): when the environment variable ``NOTARY_STAGE_TRACE`` names a file, the run
appends one line ``"<stage> <batch-index> <detail>\n"`` to it (append mode, flushed, not fsynced) whenever it
enters a stage: ``prepare`` (inputs handed to the workers to read and hash), ``journal`` (prepared documents
being journaled), ``sign`` (a batch being signed, detail ``batch``; or its anchoring transaction, detail
``tx``), ``send`` (the transaction being broadcast), ``mined`` (the chain has the batch; being recorded),
``stamp`` (notarised copies being made and written), ``write`` (written copies being made durable and
journaled). ``<batch-index>`` is the journal's id of the batch concerned; for ``prepare``, ``journal`` and the
signing of a batch not yet cut (``sign … batch``) it is the number of batches the run has cut so far. Unset,
the trace costs nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from eth_account.signers.local import LocalAccount

from notary.chain import Registry
from notary.chain.records import IssuerRecord
from notary.chain.registry import GAS, SignedTx
from notary.core import Batch, BatchDomain, Claims, Digest32, MerkleTree, Salt, leaf_hash
from notary.errors import ChainError, ChainRefusal, ContractRevert, FormatError, NotaryError
from notary.issuance import documents
from notary.issuance.inputs import InputDoc, parse_claims
from notary.issuance.journal import CLAIMS_CHANGED, BatchRow, Journal, Run
from notary.issuance.workers import Workers
from notary.signing import Signer, as_sender, as_signer, sign_batch

if TYPE_CHECKING:
    from notary.pdf.seal import SealOptions

T = TypeVar("T")
DEFAULT_BATCH_SIZE = 1024
CHUNK = 256
STAMP_DEPTH = 8
"""Stamp chunks (of 16) in flight per worker: it stays busy while this process writes and journals a part."""
MAX_AHEAD_CHUNKS = 8
"""Chunks prepared ahead of journaling at most (a batch ahead, but bounded whatever --batch-size says)."""
MAX_HELD_PARSES = 65_536
"""At most this many parsed originals (~1 KB each) are held between prepare and stamp; beyond, stamp re-parses."""


class Progress(Protocol):
    def start(self, total: int | None) -> None: ...
    def advance(self, done: int) -> None: ...
    def say(self, message: str) -> None: ...


class _Quiet:
    def start(self, total: int | None) -> None:
        pass

    def advance(self, done: int) -> None:
        pass

    def say(self, message: str) -> None:
        pass


@dataclass
class IssueOptions:
    out_dir: Path
    batch_size: int = DEFAULT_BATCH_SIZE
    caption: str = "Digital geprüft"
    qr_corner: str = "bottom-right"
    qr_size_mm: float = 40.0
    qr_url: str = ""  # the verifier URL the stamp's QR starts with (stamp version 2); "" for the proof alone
    sidecar: bool = False
    allow_reissue: bool = False
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    chain_wait: float = 600.0  # how long to keep retrying an unreachable chain before giving up
    today: dt.date | None = None
    chunk: int = CHUNK  # documents read, and results journaled, per step
    strict: bool = False  # stop at the first document that fails, before anything more is spent
    seal: SealOptions | None = None  # the city's PAdES seal after the notarisation update (docs/seal.md)


Persist = Callable[[], None]
"""Called once a batch is anchored (and confirmed), before any proof of it is handed out: asks a node that writes
its state lazily (the managed anvil) to write it now, so that killing the node cannot lose the anchor."""

Checkpoint = Callable[[str], None]
"""Called at each durable step ("prepared", "batch-signed", "tx-recorded", "tx-sent", "tx-mined", "anchored",
"stamped-part"): a seam for the crash tests, which kill the process there."""


@dataclass(frozen=True)
class Problem:
    """One document that failed, was skipped, or carries a note, as the screen shows it."""

    src: str
    status: str
    reason: str


@dataclass(frozen=True)
class Summary:
    run_id: int
    resumed: bool
    counts: dict[str, int]
    batches: int
    seconds: float
    report_csv: Path
    report_json: Path
    problems: list[Problem] = field(default_factory=list)
    """The first MAX_PROBLEMS failures, skips and notes, in input order."""
    problem_count: int = 0
    stopped: str | None = None
    """Why a --strict run stopped early (the run is unfinished; the same command resumes it)."""


MAX_PROBLEMS = 20

# `notary issue` exit codes beyond the common ones (0 ok, 1 failed, 2 usage, 78 config): documented in its help
EXIT_SKIPPED = 3
EXIT_NOT_ISSUER = 4


class StoppedEarly(NotaryError):
    """--strict: a document failed; nothing more is spent."""


class NotAnIssuer(NotaryError):
    """The key may not anchor in this registry: refused before the run starts, nothing journaled or spent."""

    exit_code = EXIT_NOT_ISSUER


class StageTrace:
    """``NOTARY_STAGE_TRACE``: see the module docstring."""

    def __init__(self) -> None:
        path = os.environ.get("NOTARY_STAGE_TRACE")
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    def __call__(self, stage: str, batch: int, detail: object = "") -> None:
        if self._file is not None:
            self._file.write(f"{stage} {batch} {detail}\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def run_key(registry: Registry, issuer: str, out_dir: Path, spec: str) -> str:
    text = f"{registry.chain_id}|{registry.address.lower()}|{issuer.lower()}|{out_dir.resolve()}|{spec}"
    return hashlib.sha256(text.encode()).hexdigest()


class Issuance:
    """One run of ``notary issue`` (new or resumed)."""

    def __init__(
        self,
        journal: Journal,
        registry: Registry,
        issuer: LocalAccount | Signer,
        options: IssueOptions,
        progress: Progress | None = None,
        executor: Executor | None = None,
        checkpoint: Checkpoint | None = None,
        persist: Persist | None = None,
    ) -> None:
        if not 1 <= options.batch_size <= 2**24 - 1:
            raise FormatError("the batch size must be between 1 and 16,777,215")
        self.journal = journal
        self.registry = registry
        self.issuer = as_signer(issuer)
        self.options = options
        self.progress = progress or _Quiet()
        self.executor = executor
        self.checkpoint = checkpoint or (lambda stage: None)
        self.persist = persist
        self.domain = BatchDomain(registry.chain_id, registry.address)
        self.run: Run | None = None
        self._done = 0
        self._cut = 0  # batches this run has cut, for the stage trace
        self._versions: dict[str, list[str]] = {}  # src -> output names of its replaced versions
        self._reclaimed: dict[str, tuple[int, str, str, str]] = {}  # src -> (id, state, rel_out, reason): see _fresh
        self._new_claims: set[str] = set()  # inputs issued again because their claims changed (for the note)
        self.trace = StageTrace()
        self._salt_key = self.issuer.salt_key()  # no private key with an HSM or remote signer: notary/signing
        self._parsed: dict[str, tuple[bytes, bytes]] = {}  # src -> (doc_hash, pickled read_original)
        self._stamping: tuple[BatchRow, list[dict[str, Any]], Iterator[documents.Stamped]] | None = None
        """A batch being stamped while the next is anchored: see :meth:`_stamp`."""
        self._claims_seen: dict[tuple[object, ...], tuple[Claims, bytes, Digest32] | FormatError] = {}

    # ------------------------------------------------------------------ entry point

    def issue(self, inputs: Iterable[InputDoc], *, spec: str, total: int | None = None) -> Summary:
        try:
            return self._issue(inputs, spec=spec, total=total)
        finally:
            self.trace.close()

    def _issue(self, inputs: Iterable[InputDoc], *, spec: str, total: int | None) -> Summary:
        started = time.monotonic()
        self._placement()  # a caption or placement the stamp cannot draw fails now, before anything is anchored
        if self.options.seal is not None:  # so does a seal key that cannot be opened
            from notary.pdf.seal import sealer_for

            sealer_for(self.options.seal)
        self._check_issuer()  # a key the registry would refuse: before anything is journaled or spent
        out_dir = self.options.out_dir.resolve()
        run = self.journal.open_run(
            run_key(self.registry, self.issuer.address, out_dir, spec),
            chain_id=self.registry.chain_id,
            registry=self.registry.address,
            issuer=self.issuer.address,
            out_dir=str(out_dir),
            spec=spec,
            options={
                "batch_size": self.options.batch_size, "caption": self.options.caption,
                "qr_corner": self.options.qr_corner, "qr_size_mm": self.options.qr_size_mm,
                "sidecar": self.options.sidecar, "allow_reissue": self.options.allow_reissue,
                "qr_url": self.options.qr_url,
            },
        )  # fmt: skip
        self.run = run
        if run.resumed:
            # the options of the run that is being resumed stay in force: its batches are already cut
            self.options.batch_size = int(run.options["batch_size"])
            self.options.caption = str(run.options["caption"])
            self.options.qr_corner = str(run.options.get("qr_corner", "bottom-right"))
            self.options.qr_size_mm = float(run.options.get("qr_size_mm", 40.0))
            self.options.sidecar = bool(run.options["sidecar"])
            self._keep_recorded_qr_url(run)
            self.progress.say(f"resuming run {run.id}")
            self.journal.reopen_run(run.id)
        own = self.executor is None
        executor = self.executor or Workers(self.options.workers)
        stopped: str | None = None
        failed = False
        try:
            self.progress.start(total)
            self._cut = len(self.journal.batches(run.id, ["signed", "sending", "anchored", "refused"]))
            self._resume(executor)
            known = self.journal.known_sources(run.id)
            self._versions = self.journal.replaced_outputs(run.id)
            self._new_claims = self.journal.replaced_for_claims(run.id)
            self._done = len(known)
            self.progress.advance(self._done)
            fresh = self._fresh(_listed(inputs), known)
            # A batch ahead: the workers read and hash the next batch's documents while this process journals,
            # cuts, signs and anchors this one (the CPUs would idle while the chain mines) and before they stamp
            # it. Preparing has no effects, so this changes nothing for a crash.
            ahead: deque[tuple[list[_Item], Iterator[documents.Prepared]]] = deque()
            depth = min(-(-self.options.batch_size // max(1, self.options.chunk)), MAX_AHEAD_CHUNKS)
            for chunk in _chunks(fresh, self.options.chunk):
                ahead.append((chunk, self._submit_prepare(chunk, executor)))
                if len(ahead) > depth:
                    self._prepare(*ahead.popleft(), executor)
            while ahead:
                self._prepare(*ahead.popleft(), executor)
            while self.journal.count_unbatched(run.id) > 0:
                self._batch_anchor_stamp(executor)
            self.finish_stamping()
        except StoppedEarly as exc:
            stopped = str(exc)
        except BaseException:
            failed = True  # an error or an interrupt: queued work is dropped, not finished, on the way out
            raise
        finally:
            try:
                if self._stamping is not None:  # a failure while the next batch was anchored: keep this one's copies
                    self._finish_after_failure()
            finally:
                if own:
                    executor.shutdown(cancel_futures=stopped is not None or failed)
        if stopped is None:
            self.journal.finish_run(run.id)
        csv_path, json_path = write_reports(self.journal, run.id, out_dir)
        problems, count = problems_of(self.journal, run.id)
        return Summary(
            run.id, run.resumed, self.journal.state_counts(run.id),
            len(self.journal.batches(run.id, ["anchored"])), time.monotonic() - started, csv_path, json_path,
            problems, count, stopped,
        )  # fmt: skip

    def _keep_recorded_qr_url(self, run: Run) -> None:
        """A resumed run keeps the QR URL it started with, as it keeps its caption and placement: the leaves it
        has prepared, signed and maybe anchored bind that URL (it is part of the stamp placement), so stamping
        them with another would give proofs that fail. Changing it is said in one line; a new output folder
        starts a new run with the new URL. (A journal from before the URL was recorded keeps the URL given.)"""
        recorded = run.options.get("qr_url")
        if recorded is None or recorded == self.options.qr_url:
            return
        self.progress.say(
            f"run {run.id} was started with the QR URL {_shown_url(str(recorded))} and finishes with it; the QR URL "
            f"now configured ({_shown_url(self.options.qr_url)}) applies to a new run (another --out folder)"
        )
        self.options.qr_url = str(recorded)

    def _salt(self, doc_hash: bytes, claims_digest: bytes) -> Salt:
        """The document's salt: secret and unpredictable to anyone without the issuer key (the leaf stays
        unguessable), yet the same whenever this run prepares this content with these claims again. A journal
        that lost the record of a prepared document (rolled back past it) thus rebuilds the very leaves, and
        batches, that may already be anchored, and the chain recognises them instead of anchoring them twice."""
        assert self.run is not None
        message = b"|".join((self.run.key.encode(), doc_hash, claims_digest))
        return Salt(hmac.digest(self._salt_key, message, "sha256"))  # one-shot: OpenSSL without the HMAC object

    def _check_issuer(self) -> None:
        """Refuse a key the registry would not let anchor now, before the run starts."""
        address = self.issuer.address
        record = self._retrying("reading the issuer", partial(self.registry.issuer, address))
        why = _not_active(record)
        if why is not None:
            raise NotAnIssuer(
                f"the key {address} {why} in the registry {self.registry.address} (chain {self.registry.chain_id}): "
                "nothing was issued or spent; use an issuer key, or ask the registry admin to add this one"
            )

    # ------------------------------------------------------------------ stages

    def _resume(self, executor: Executor) -> None:
        """Finish what a killed run left: anchor its signed batches, stamp its anchored ones, redo lost files,
        and anchor again any batch the chain lost (a node killed before it wrote its state)."""
        assert self.run is not None
        self._recheck_anchored()
        retried = self.journal.retry_failures(self.run.id)
        if retried:
            self.progress.say(f"trying {retried} failed or skipped documents again")
        self._follow_content(executor)
        self._check_outputs(executor)
        documents.remove_stale_temps(Path(self.run.out_dir))
        for batch in self.journal.batches(self.run.id, ["signed", "sending"]):
            self._anchor(batch)
        for batch in self.journal.batches_with_unwritten_docs(self.run.id):
            self._stamp(batch, executor)

    def _follow_content(self, executor: Executor) -> None:
        """Inputs whose bytes changed since this run took them are new documents: their earlier version is set
        aside (forgotten if never anchored, else kept as replaced), so that the input is prepared afresh."""
        assert self.run is not None
        rows = self.journal.current_versions(self.run.id)
        now = executor.map(documents.file_sha256, [src for _, src, _, _, _ in rows], chunksize=32)
        changed: list[tuple[int, str]] = []
        for (doc_id, _src, state, doc_hash, out_path), digest in zip(rows, now, strict=True):
            if digest is None or digest == doc_hash:
                continue  # unchanged, or gone: what was issued stays issued
            if state == "written":
                reason = (
                    f"the input changed after it was issued; its notarised copy {out_path} is kept and stays valid: "
                    f"revoke it (notary revoke --document {out_path} --reason superseded) if it must not be accepted"
                )
            else:
                reason = "the input changed before its notarised copy was written (its batch anchors the old bytes)"
            changed.append((doc_id, reason))
        if changed:
            self.progress.say(f"{len(changed)} inputs changed since this command took them: issuing their new content")
            self.journal.replace(changed)

    def _fresh(self, items: Iterable[_Item], known: set[str]) -> Iterator[_Item]:
        """The inputs this run has no current outcome for, and those whose claims as now asked (manifest row,
        claim options, facts) differ from the claims journaled for them: like changed bytes, changed claims are
        a new document (a corrected holder's name must not be skipped as "already done"). An issue date left to
        default to "today" is compared as the recorded one, so resuming on a later day changes nothing."""
        assert self.run is not None
        issued = self.journal.issued_claims(self.run.id) if known else {}
        invalid: list[str] = []
        for item in items:
            doc, preset = item
            src = str(doc.src)
            if src not in known:
                yield item
                continue
            current = issued.get(src)
            if preset is not None or current is None:
                continue
            doc_id, state, recorded_json, rel_out, out_path = current
            try:
                recorded = Claims.from_json(recorded_json)
            except FormatError:
                continue  # a journal of an earlier format: nothing to compare with
            try:
                asked = parse_claims(doc.fields, recorded.issued_on)
            except FormatError as exc:
                invalid.append(f"{src}: {exc}")
                continue
            if asked == recorded:
                continue
            changes = _claim_changes(recorded, asked)
            if state == "written":
                reason = (
                    f"{CLAIMS_CHANGED} after it was issued ({changes}); its notarised copy {out_path} "
                    f"is kept and stays valid: revoke it (notary revoke --document {out_path} --reason superseded) "
                    "if it must not be accepted"
                )
            else:
                reason = f"{CLAIMS_CHANGED} before its notarised copy was written ({changes})"
            self._reclaimed[src] = (doc_id, state, rel_out, reason)
            yield item
        if invalid:
            self.progress.say(
                f"{len(invalid)} issued inputs now ask for claims that are not valid; their earlier issue stands "
                f"(first: {invalid[0]})"
            )

    def _take_reclaimed(self, chunk: list[_Item]) -> None:
        """Set aside the earlier versions of this chunk's inputs whose claims changed, before their new versions
        are journaled (a crash between the two leaves the input without a current version: prepared afresh)."""
        taken = [(str(d.src), self._reclaimed.pop(str(d.src))) for d, _ in chunk if str(d.src) in self._reclaimed]
        if not taken:
            return
        self.journal.replace([(doc_id, reason) for _, (doc_id, _, _, reason) in taken])
        self._done -= len(taken)  # counted as done when listed; counted again once prepared
        for src, (_, state, rel_out, _) in taken:
            if state != "prepared":  # a prepared version was never anchored: forgotten, not a version
                self._versions.setdefault(src, []).append(rel_out)
                self._new_claims.add(src)
        self.progress.say(f"{len(taken)} inputs are asked for with other claims: issuing them again")

    def _check_outputs(self, executor: Executor) -> None:
        """Every output the journal has as written must be there with the bytes it recorded; a missing or
        damaged one (a power cut, a deleted folder) is removed and written again from the same anchor."""
        assert self.run is not None
        rows = list(self.journal.written_docs(self.run.id))
        now = executor.map(documents.file_sha256, [path for _, path, _ in rows], chunksize=32)
        redo: list[int] = []
        damaged = 0
        for (doc_id, path, recorded), digest in zip(rows, now, strict=True):
            if digest is not None and (recorded is None or digest == recorded):
                continue
            if digest is not None:
                damaged += 1
                Path(path).unlink(missing_ok=True)
            redo.append(doc_id)
        if redo:
            self.progress.say(
                f"{len(redo) - damaged} written files are missing and {damaged} damaged; writing them again"
            )
            self.journal.mark_unwritten(redo)

    def _recheck_anchored(self) -> None:
        """The chain is the judge, also of batches the journal has as anchored: a node that lost its latest
        state (killed before writing it) no longer has them, and every proof handed out for them fails. Such a
        batch goes back to sending, so that _anchor broadcasts its recorded transaction again (or signs afresh
        when that nonce was used meanwhile); the files already written stay valid, as the root is the same."""
        assert self.run is not None
        for batch in self.journal.batches(self.run.id, ["anchored"]):
            record, _ = self._retrying(
                "checking an anchored batch", partial(self.registry.batch, batch.root, self.issuer.address)
            )
            if not record.anchored:
                self.progress.say(
                    f"batch {batch.id} (root 0x{batch.root.hex()[:16]}…) is no longer on the chain (the node lost "
                    "it); anchoring it again"
                )
                self.journal.mark_unanchored(batch.id)
            elif (
                record.issuer != self.issuer.address
                or record.block_number != batch.block
                or not self._confirmed(record.block_number)
            ):
                self._anchor(batch)  # raises for a foreign anchor; else waits for confirmations, updates the block

    def _submit_prepare(self, chunk: list[_Item], executor: Executor) -> Iterator[documents.Prepared]:
        self.trace("prepare", self._cut, f"docs={len(chunk)}")
        workers = max(1, self.options.workers)
        paths = [str(d.src) for d, preset in chunk if preset is None]  # a preset outcome: the file is never read
        documents.read_ahead(paths)
        prepare = partial(documents.prepare, placement=self._placement())
        chunksize = max(1, min(32, len(chunk) // (4 * workers)))
        if isinstance(executor, Workers):  # the process that prepares a document keeps it for stamping it
            return executor.map_keyed(prepare, paths, paths, chunksize=chunksize, depth=None, remember=True)
        return executor.map(prepare, paths, chunksize=chunksize)

    def _prepare(self, chunk: list[_Item], prepared: Iterator[documents.Prepared], executor: Executor) -> None:
        """Journal one prepared chunk, then cut, anchor and stamp every batch that is full."""
        assert self.run is not None
        run_id = self.run.id
        seq = self.journal.next_seq(run_id)
        today = self.options.today or dt.date.today()
        seen: set[bytes] = set()
        parsed: dict[str, tuple[bytes, bytes]] = {}
        rows: list[tuple[object, ...]] = []
        done = list(prepared)
        # one query for the chunk: which of its contents has any issued record at all (almost always none);
        # only those are looked up one by one, with the exact rules of Journal.issued_elsewhere
        issued_somewhere = (
            set()
            if self.options.allow_reissue
            else self.journal.issued_hashes(
                self.registry.chain_id, self.registry.address, [r.doc_hash for r in done if r.doc_hash]
            )
        )
        results = iter(done)
        self._take_reclaimed(chunk)
        for offset, (doc, preset) in enumerate(chunk):
            base = (run_id, seq + offset, str(doc.src), doc.rel_out)
            if preset is not None:
                rows.append((*base, preset, doc.error, None, None, None, None, None, None))
                continue
            result = next(results)
            if result.error is not None:
                rows.append((*base, "failed", result.error, None, result.size, None, None, None, None))
                continue
            assert result.doc_hash is not None
            parsed_claims = self._claims(doc.fields, today)
            claims, claims_json, claims_digest = parsed_claims if isinstance(parsed_claims, tuple) else (None,) * 3
            failure = "" if claims is not None else f"claims: {parsed_claims}"
            besides = None if claims_json is None else (run_id, str(doc.src), claims_json)
            where = None
            if not self.options.allow_reissue and (result.doc_hash in seen or result.doc_hash in issued_somewhere):
                where = self._issued(result.doc_hash, seen, besides)
            if where is not None:
                rows.append((*base, "duplicate", f"same content already issued: {where}", result.doc_hash,
                             result.size, None, None, None, None))  # fmt: skip
                continue
            if claims is None:
                rows.append((*base, "failed", failure, result.doc_hash, result.size, None, None, None, None))
                continue
            note = None
            if claims.valid_until is not None and claims.valid_until < today:
                note = f"warning: valid_until {claims.valid_until.isoformat()} has passed; it verifies as EXPIRED"
            earlier = self._versions.get(str(doc.src))
            if earlier:
                rel = _versioned(doc.rel_out, len(earlier) + 1)
                base = (*base[:3], rel)
                what = "its claims" if str(doc.src) in self._new_claims else "the input"
                note = _join(note, f"{what} changed since it was issued as {earlier[-1]}; this content is "
                                   f"issued as {rel}, the earlier copy is kept")  # fmt: skip
            assert claims_digest is not None
            salt = self._salt(result.doc_hash, bytes(claims_digest))
            leaf = leaf_hash(result.document(), claims_digest, salt)  # binds the hash and the stamp placement
            seen.add(result.doc_hash)
            rows.append((*base, "prepared", None, result.doc_hash, result.size, claims_json, bytes(salt),
                         bytes(leaf), note))  # fmt: skip
            if result.parsed is not None:
                parsed[result.src] = (result.doc_hash, result.parsed)
        if next(results, None) is not None:
            raise NotaryError("internal error: more prepared documents than inputs")
        self.trace("journal", self._cut, f"docs={len(rows)}")
        self.journal.add_docs(rows)
        self.checkpoint("prepared")
        if self.options.strict:
            failed = next((r for r in rows if r[4] == "failed"), None)
            if failed is not None:
                raise StoppedEarly(f"{failed[2]}: {failed[5]}")
        if len(self._parsed) + len(parsed) <= MAX_HELD_PARSES:
            self._parsed.update(parsed)
        self._done += sum(1 for r in rows if r[4] in ("failed", "duplicate"))
        self.progress.advance(self._done)
        while self.journal.count_unbatched(run_id) >= self.options.batch_size:
            self._batch_anchor_stamp(executor)

    def _claims(self, fields: dict[str, str], today: dt.date) -> tuple[Claims, bytes, Digest32] | FormatError:
        """``parse_claims`` with its JSON and digest, or its error: once per distinct set of fields (a run's
        documents mostly share their claim options; a manifest's rows differ in the holder)."""
        key = (tuple(sorted(fields.items())), today)
        found = self._claims_seen.get(key)
        if found is None:
            try:
                claims = parse_claims(fields, today)
                found = (claims, claims.to_json(), claims.digest())
            except FormatError as exc:
                found = exc
            if len(self._claims_seen) >= MAX_HELD_PARSES:
                self._claims_seen.clear()
            self._claims_seen[key] = found
        return found

    def _issued(self, doc_hash: bytes, seen: set[bytes], besides: tuple[int, str, bytes] | None) -> str | None:
        if doc_hash in seen:
            return "an identical file earlier in this run"
        return self.journal.issued_elsewhere(self.registry.chain_id, self.registry.address, doc_hash, besides)

    def _batch_anchor_stamp(self, executor: Executor) -> None:
        assert self.run is not None
        members = self._members()
        if not members:
            return
        self.trace("sign", self._cut, "batch")
        tree = MerkleTree.build([leaf for _, leaf in members])
        issued_at = int(time.time())
        signature = sign_batch(self.issuer, self.domain, Batch(tree.root, len(members), issued_at))
        batch_id = self.journal.create_batch(
            self.run.id, bytes(tree.root), len(members), issued_at, signature, [doc_id for doc_id, _ in members]
        )
        self._cut += 1
        self.checkpoint("batch-signed")
        batch = next(b for b in self.journal.batches(self.run.id, ["signed"]) if b.id == batch_id)
        self._anchor(batch)
        anchored = [b for b in self.journal.batches(self.run.id, ["anchored"]) if b.id == batch_id]
        if anchored:  # else a sign-only run left it to a relayer (notary/signing/sign_only.py)
            # stamped while the next batch is journaled and anchored (never with --strict: a failure found
            # later could not stop what that next batch spends)
            self._stamp(anchored[0], executor, defer=not self.options.strict)

    def _members(self) -> list[tuple[int, bytes]]:
        """The next batch's documents, (id, leaf). Content that another run anchored since it was prepared here
        (an unfinished run resumed after another one issued the same files) is skipped as a duplicate now,
        before it is anchored a second time."""
        assert self.run is not None
        while True:
            members = self.journal.unbatched(self.run.id, self.options.batch_size)
            if self.options.allow_reissue:
                return [(doc_id, leaf) for doc_id, leaf, *_ in members]
            registry, run_id = self.registry, self.run.id
            somewhere = self.journal.issued_hashes(registry.chain_id, registry.address, [m[2] for m in members])
            issued = [
                (doc_id, f"same content already issued: {where}")
                for doc_id, _, doc_hash, src, claims in members
                if doc_hash in somewhere
                and (
                    where := self.journal.issued_elsewhere(
                        registry.chain_id, registry.address, doc_hash, (run_id, src, claims)
                    )
                )
            ]
            if not issued:
                return [(doc_id, leaf) for doc_id, leaf, *_ in members]
            self.journal.mark_duplicates(issued)
            self._done += len(issued)

    def _anchor(self, batch: BatchRow) -> None:
        """Anchor once, whatever happened before: the chain says whether the root is already there."""
        registry, issuer = self.registry, as_sender(self.issuer)
        read_batch = partial(registry.batch, batch.root, issuer.address)  # roots are per issuer on chain
        raw, tx_hash = batch.raw_tx, batch.tx_hash
        waiting_since: float | None = None
        while True:
            record, _ = self._retrying("reading the batch", read_batch)
            if record.anchored:
                if record.issuer != issuer.address:
                    raise NotaryError(f"batch root 0x{batch.root.hex()} was anchored by {record.issuer}, not by us")
                if not self._confirmed(record.block_number):
                    # however it was found anchored (fresh send, resume, a send before a crash): no proof is
                    # handed out before the anchor has its confirmations; re-reading it each time sees a reorg
                    if waiting_since is None:
                        waiting_since = time.monotonic()
                        self.progress.say(
                            f"batch {batch.id} anchored in block {record.block_number}; waiting for "
                            f"{registry.confirmations} confirmations"
                        )
                    elif time.monotonic() - waiting_since > self.options.chain_wait:
                        raise ChainError(
                            f"batch root 0x{batch.root.hex()} (block {record.block_number}) did not get "
                            f"{registry.confirmations} confirmations within {self.options.chain_wait:.0f} s"
                        )
                    time.sleep(max(registry.poll_interval, 0.2))
                    continue
                self.trace("mined", batch.id, record.block_number)
                if self.persist is not None:
                    self.persist()
                    # a node killed before it persisted comes back without this anchor: no proof may be handed
                    # out for it, so read the chain again and, if it is gone, send the recorded transaction anew
                    # (its nonce is free again on the restarted node, so our cached nonce is stale too)
                    again, _ = self._retrying("re-reading the batch", read_batch)
                    if not again.anchored:
                        self.progress.say(f"batch {batch.id} was lost by the restarted node; anchoring it again")
                        registry._forget_nonce(issuer.address)
                        waiting_since = None
                        continue
                tx = tx_hash or self._retrying(
                    "reading the anchoring event",
                    partial(registry.anchor_tx, batch.root, record.block_number, issuer.address),
                )
                self.journal.mark_anchored(batch.id, tx, record.block_number, record.timestamp)
                self.checkpoint("anchored")
                return
            try:
                if raw is None or tx_hash is None:
                    self.trace("sign", batch.id, "tx")
                    signed = self._retrying("signing", lambda: registry.sign_anchor(issuer, batch.root, batch.count))
                    self.journal.record_sending(batch.id, signed.tx_hash, signed.raw)  # intent before sending
                    self.checkpoint("tx-recorded")
                    raw, tx_hash = signed.raw, signed.tx_hash
                signed = SignedTx(
                    issuer.address, registry.address, registry.encode("anchor", [batch.root, batch.count]),
                    GAS["anchor"], -1, raw, tx_hash,
                )  # fmt: skip
                self.trace("send", batch.id, tx_hash)
                self._retrying("sending the anchoring transaction", partial(registry.broadcast, signed))
                self.checkpoint("tx-sent")
                self._retrying("waiting for the anchoring transaction", partial(registry.wait_mined, signed))
                self.checkpoint("tx-mined")
            except ContractRevert as exc:
                if exc.name == "RootAlreadyAnchored":
                    continue  # mined meanwhile (e.g. sent before a crash): the chain read above settles it
                record, _ = self._retrying("reading the batch", read_batch)
                if record.anchored:
                    continue  # an earlier send of it was mined after all: the loop settles it
                # reverted, nothing anchored: its documents were not issued and must not block a later attempt
                self.journal.mark_refused(batch.id, str(exc))
                raise NotaryError(
                    f"the registry refused to anchor batch {batch.id}: {exc}; none of its {batch.count} documents "
                    "was issued"
                ) from None
            except ChainError as exc:
                if "nonce" in str(exc).lower():
                    # our stored transaction's nonce was used by another: re-read the chain, then sign afresh
                    registry._forget_nonce(issuer.address)
                    raw = tx_hash = None
                    continue
                raise

    def _stamp(self, batch: BatchRow, executor: Executor, *, defer: bool = False) -> None:
        """Stamp the batch's unwritten documents and make them durable. ``defer``: hand the jobs to the workers
        and return; their copies are put in place and journaled when the next batch is stamped, or at the end
        (a crash meanwhile leaves them to the resume, as any crash during stamping does)."""
        assert self.run is not None and batch.state == "anchored"
        docs = self.journal.batch_docs(batch.id)
        tree = MerkleTree.build([bytes(d["leaf"]) for d in docs])
        if bytes(tree.root) != batch.root:
            raise NotaryError(f"journal damaged: batch {batch.id}'s documents do not give its root")
        out_dir = Path(self.run.out_dir)
        placement = self._placement()
        held = self._parsed
        binding = self._seal_binding(batch.root)
        jobs = [
            documents.StampJob(
                doc_id=d["id"],
                src=d["src"],
                out=str(out_dir / d["rel_out"]),
                doc_hash=bytes(d["doc_hash"]),
                size=int(d["size"]),
                claims_json=d["claims"].encode() if isinstance(d["claims"], str) else d["claims"],
                salt=bytes(d["salt"]),
                siblings=tree.proof(i).blob,
                root=batch.root,
                chain_id=self.registry.chain_id,
                registry=self.registry.address,
                issuer=self.issuer.address,
                signature=bytes(batch.signature),
                issued_at=batch.issued_at,
                count=batch.count,
                placement=placement,
                sidecar=self.options.sidecar,
                parsed=_held_parse(held, d["src"], bytes(d["doc_hash"])),
                seal=self.options.seal,
                seal_binding=binding,
            )
            for i, d in enumerate(docs)
            if d["state"] == "batched"
        ]
        self.trace("stamp", batch.id, f"docs={len(jobs)}")
        # big enough chunks that the pool's own work per job stays small, small enough to keep both busy
        chunksize = max(1, min(64, len(jobs) // (4 * max(1, self.options.workers))))
        if isinstance(executor, Workers):  # each job to the process holding its original, while it has work
            keys = [job.src for job in jobs]  # small chunks: a process that runs out takes over little at a time
            stamped = executor.map_keyed(documents.stamp_staged, jobs, keys, chunksize=16, depth=STAMP_DEPTH)
        else:
            stamped = executor.map(documents.stamp_staged, jobs, chunksize=chunksize)
        self.finish_stamping()  # the batch before, whose jobs the workers finish first
        if defer:
            self._stamping = (batch, docs, stamped)
            return
        self._write(batch, docs, stamped)

    def _finish_after_failure(self) -> None:
        """Put the deferred batch's copies in place after another error; if that fails too, say so (the error
        on its way out is the one the user sees) — the same command finishes them."""
        assert self._stamping is not None
        batch = self._stamping[0]
        try:
            self.finish_stamping()
        except Exception as exc:
            again = "run the same command again"
            self.progress.say(f"the copies of batch {batch.id} were not all put in place ({exc}); {again}")

    def finish_stamping(self) -> None:
        """Put the copies of a batch whose stamping was deferred in place and journal them."""
        if self._stamping is not None:
            batch, docs, stamped = self._stamping
            self._stamping = None
            self._write(batch, docs, stamped)

    def _write(self, batch: BatchRow, docs: list[dict[str, Any]], stamped: Iterator[documents.Stamped]) -> None:
        assert self.run is not None
        out_dir = Path(self.run.out_dir)
        failure: documents.Stamped | None = None
        for part in _chunks(stamped, self.options.chunk):
            self.trace("write", batch.id, f"docs={len(part)}")
            written = [(r.doc_id, r.out, r.sha256) for r in part if r.out is not None]
            try:
                documents.publish([pair for r in part for pair in r.staged], out_dir)  # on disk before journaled
            except OSError as exc:  # the disk, not the document: the same command finishes it later
                raise NotaryError(f"cannot put the notarised copies in place in {out_dir}: {exc}") from None
            self.journal.mark_written(written)
            self.journal.mark_failed([(r.doc_id, r.error or "failed") for r in part if r.out is None])
            self.checkpoint("stamped-part")
            self._done += len(part)
            self.progress.advance(self._done)
            failure = failure or next((r for r in part if r.out is None), None)
            self.trace("stamp", batch.id, "next part")  # waiting for the workers again
        if failure is not None and self.options.strict:
            src = next(d["src"] for d in docs if d["id"] == failure.doc_id)
            raise StoppedEarly(f"{src}: {failure.error}")

    def _seal_binding(self, root: bytes) -> bytes:
        """The issuer key's statement that the seal certificate belongs to this batch (docs/seal.md)."""
        if self.options.seal is None:
            return b""
        from notary.pdf.seal import sealer_for, sign_seal_binding

        certificate = sealer_for(self.options.seal).certificate_sha256
        return sign_seal_binding(self.issuer.sign_typed_data, self.domain, root, certificate)

    def _confirmed(self, block_number: int) -> bool:
        """Whether an anchor in ``block_number`` has the registry's confirmations: blocks on top of the mined
        one, the same count as a fresh send waits for (Registry.confirmed)."""
        return self._retrying("reading the block number", lambda: self.registry.confirmed(block_number))

    def _placement(self) -> documents.Placement:
        return documents.Placement(
            self.options.caption, self.options.qr_corner, self.options.qr_size_mm, self.options.qr_url
        )

    def _retrying(self, what: str, fn: Callable[[], T]) -> T:
        """Retry chain faults with backoff (the node may restart mid-run), saying what we wait for."""
        deadline = time.monotonic() + self.options.chain_wait
        delay = 0.5
        while True:
            try:
                return fn()
            except (ContractRevert, ChainRefusal):
                raise  # the chain's final answer (a refusal, no gas money, another chain): waiting changes nothing
            except ChainError as exc:
                if "nonce" in str(exc).lower() or time.monotonic() + delay > deadline:
                    raise
                self.progress.say(f"waiting for the chain ({what}): {exc}; retrying in {delay:.0f} s")
                time.sleep(delay)
                delay = min(delay * 2, 15.0)


_Item = tuple[InputDoc, str | None]
"""An input and its outcome when that is known without reading it ('failed': unusable path; 'duplicate': the
same file listed again), else None."""


def _listed(inputs: Iterable[InputDoc]) -> Iterator[_Item]:
    """The inputs, each with its preset outcome. A file listed more than once (a manifest's repeated row, a file
    named beside its folder) is issued once; its later listings are duplicates, journaled under a name of their
    own (the journal keys documents by source), the same on every run of the command."""
    listed: set[str] = set()
    repeats: dict[str, int] = {}
    for doc in inputs:
        if doc.error is not None:
            yield doc, "failed"
            continue
        src = str(doc.src)
        if src not in listed:
            listed.add(src)
            yield doc, None
            continue
        repeats[src] = repeats.get(src, 1) + 1
        reason = "listed more than once: issued once, under its first listing"
        yield InputDoc(Path(f"{src} (listing {repeats[src]})"), doc.rel_out, doc.fields, reason), "duplicate"


def _shown_url(url: str) -> str:
    return repr(url) if url else "none (the QR carries the proof alone)"


def _not_active(record: IssuerRecord) -> str | None:
    """Why this issuer key may not anchor now, or None when it may."""
    if not record.registered:
        return "is not an issuer"
    if record.retired_at_block:
        return f"was retired at block {record.retired_at_block}"
    if not record.trusted_at_time:
        return "is marked compromised"
    if not record.authorised_at_block:
        return "is not an active issuer"
    return None


def _versioned(rel: str, version: int) -> str:
    """``a/x.pdf`` -> ``a/x.v2.pdf``: where a changed input's new notarised copy goes, beside the earlier one."""
    path = PurePosixPath(rel)
    return str(path.with_name(f"{path.stem}.v{version}{path.suffix}"))


def _claim_changes(before: Claims, now: Claims) -> str:
    """What differs, as ``holder 'Lena Mülller' -> 'Lena Müller'``."""
    old, new = before.to_json_dict(), now.to_json_dict()
    keys = ("doc_type", "title", "holder", "issued_on", "valid_until", "issuer_ref", "facts")
    return ", ".join(f"{key} {old.get(key)!r} -> {new.get(key)!r}" for key in keys if old.get(key) != new.get(key))


def _join(first: str | None, second: str) -> str:
    return second if first is None else f"{first}; {second}"


def problems_of(journal: Journal, run_id: int, limit: int = MAX_PROBLEMS) -> tuple[list[Problem], int]:
    """The run's failures, skips and notes for the screen: the first ``limit`` and how many there are."""
    found: list[Problem] = []
    count = 0
    for row in journal.report_rows(run_id):
        status, reason = _status_reason(row)
        if row["state"] not in ("failed", "duplicate", "replaced") and not row["note"]:
            continue  # issued, or (a --strict stop) waiting for the command to run again
        count += 1
        if len(found) < limit:
            found.append(Problem(row["src"], status, reason or row["note"] or ""))
    return found, count


STATUS_NAMES = {"written": "issued", "duplicate": "skipped-duplicate", "failed": "failed", "replaced": "replaced"}


def _status_reason(row: dict[str, object]) -> tuple[str, str | None]:
    """A report row's status and reason, as the report and the screen give them."""
    state, reason = str(row["state"]), row["reason"]
    if state == "failed" and row["batch_id"] is not None and row["batch_state"] == "anchored":
        # its leaf is on chain: re-running this command writes it, and it counts as issued elsewhere
        reason = f"anchored, not written: {reason}"
    elif state in ("prepared", "batched"):
        reason = "not finished: run the same command again" if reason is None else reason
    return STATUS_NAMES.get(state, state), None if reason is None else str(reason)


def _held_parse(held: dict[str, tuple[bytes, bytes]], src: str, doc_hash: bytes) -> bytes | None:
    """The parse that prepare made of ``src``, when it was of the content with ``doc_hash`` (and forget it)."""
    entry = held.pop(src, None)
    return entry[1] if entry is not None and entry[0] == doc_hash else None


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def write_reports(journal: Journal, run_id: int, out_dir: Path) -> tuple[Path, Path]:
    """notary-report.csv and .json in the output folder: every input with its outcome."""
    import csv
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out_dir / "notary-report.csv", out_dir / "notary-report.json"
    columns = ("input", "output", "status", "reason", "leaf", "root", "tx", "block", "note")
    with csv_path.open("w", newline="", encoding="utf-8") as c, json_path.open("w", encoding="utf-8") as j:
        writer = csv.writer(c)
        writer.writerow(columns)
        j.write(f'{{"run": {run_id}, "documents": [\n')
        first = True
        for row in journal.report_rows(run_id):
            status, reason = _status_reason(row)
            anchored = row["batch_state"] == "anchored"
            values = (
                row["src"], row["out_path"], status, reason,
                "0x" + bytes(row["leaf"]).hex() if row["leaf"] else None,
                "0x" + bytes(row["root"]).hex() if row["root"] and anchored else None,
                row["tx_hash"] if anchored else None, row["block"], row["note"],
            )  # fmt: skip
            writer.writerow(["" if v is None else v for v in values])
            j.write(("" if first else ",\n") + json.dumps(dict(zip(columns, values, strict=True)), ensure_ascii=False))
            first = False
        j.write("\n]}\n")
    return csv_path, json_path
