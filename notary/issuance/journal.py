"""The issuance journal: SQLite in WAL mode in the data dir, ``synchronous=FULL`` so that every committed record
is on disk before the action it announces starts (a power cut cannot roll the journal back past an intent).

Documents are keyed by content: a row is one version of one input (its bytes' SHA-256 and its claims). An input
whose bytes or claims changed after it was issued gets a new row; the earlier row becomes ``replaced`` (still
issued on chain, its notarised copy kept).

States — documents: prepared -> batched -> written, or failed / duplicate / replaced; batches: signed ->
sending -> anchored, or refused (the registry reverted its anchoring: nothing of it is on chain). A batch's
documents and its signature are written in one SQLite transaction; its anchoring transaction is recorded (raw,
signed) before it is sent, and the chain is the judge on resume. Each written output's SHA-256 is recorded, so
a resume can tell a complete output from one a power cut damaged.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notary.errors import NotaryError

SCHEMA_VERSION = 2
DOCS = """
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    src TEXT NOT NULL,
    rel_out TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    doc_hash BLOB,
    size INTEGER,
    claims TEXT,
    salt BLOB,
    leaf BLOB,
    batch_id INTEGER REFERENCES batches(id),
    out_path TEXT,
    out_sha256 BLOB,
    note TEXT
)"""
DOC_COLUMNS = "id, run_id, seq, src, rel_out, state, reason, doc_hash, size, claims, salt, leaf, batch_id, out_path"
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    chain_id INTEGER NOT NULL,
    registry TEXT NOT NULL,
    issuer TEXT NOT NULL,
    out_dir TEXT NOT NULL,
    spec TEXT NOT NULL,
    options TEXT NOT NULL,
    created REAL NOT NULL,
    finished REAL
)""",
    """CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    root BLOB NOT NULL UNIQUE,
    count INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    signature BLOB NOT NULL,
    state TEXT NOT NULL,
    tx_hash TEXT,
    raw_tx BLOB,
    block INTEGER,
    timestamp INTEGER,
    reason TEXT
)""",
    DOCS,
    "CREATE INDEX IF NOT EXISTS docs_hash ON docs(doc_hash)",
    "CREATE INDEX IF NOT EXISTS docs_batch ON docs(batch_id)",
    "CREATE INDEX IF NOT EXISTS docs_run_state ON docs(run_id, state)",
    "CREATE INDEX IF NOT EXISTS docs_run_src ON docs(run_id, src)",
]
ISSUED = "('written', 'batched', 'failed', 'replaced')"
"""Document states that may have a leaf on chain (with their batch anchored or being sent)."""


CLAIMS_CHANGED = "the claims asked for changed"
"""How the reason of a version set aside for changed claims begins."""


class JournalError(NotaryError):
    pass


@dataclass(frozen=True)
class Run:
    id: int
    key: str
    chain_id: int
    registry: str
    issuer: str
    out_dir: str
    options: dict[str, Any]
    created: float
    finished: float | None
    resumed: bool


@dataclass(frozen=True)
class BatchRow:
    id: int
    root: bytes
    count: int
    issued_at: int
    signature: bytes
    state: str
    tx_hash: str | None
    raw_tx: bytes | None
    block: int | None
    timestamp: int | None


BATCH_COLUMNS = "id, root, count, issued_at, signature, state, tx_hash, raw_tx, block, timestamp"


class Journal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # FULL: each commit is on disk before the next step runs; NORMAL may lose the last ones on power loss,
            # and with them the intent of a transaction already sent. A run commits a few times per batch.
            self.db.execute("PRAGMA synchronous=FULL")
            self._migrate()
            self.db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"cannot open the journal {path}: {exc}") from None
        self.path = path

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version >= SCHEMA_VERSION:
            return
        with self._tx():
            old = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'docs'").fetchone()
            if old is not None:
                # version 1 keyed documents by source path (UNIQUE run_id, src): one version of an input per run
                for index in ("docs_hash", "docs_batch", "docs_run_state"):
                    self.db.execute(f"DROP INDEX IF EXISTS {index}")
                self.db.execute("ALTER TABLE docs RENAME TO docs_v1")
            for statement in SCHEMA:
                self.db.execute(statement)
            if old is not None:
                self.db.execute(f"INSERT INTO docs ({DOC_COLUMNS}) SELECT {DOC_COLUMNS} FROM docs_v1")
                self.db.execute("DROP TABLE docs_v1")
                columns = {r[1] for r in self.db.execute("PRAGMA table_info(batches)")}
                if "reason" not in columns:
                    self.db.execute("ALTER TABLE batches ADD COLUMN reason TEXT")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ runs

    def open_run(
        self, key: str, *, chain_id: int, registry: str, issuer: str, out_dir: str, spec: str, options: dict[str, Any]
    ) -> Run:
        """The unfinished or finished run with this key (resume), or a new one."""
        row = self.db.execute("SELECT id FROM runs WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO runs (key, chain_id, registry, issuer, out_dir, spec, options, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, chain_id, registry, issuer, out_dir, spec, json.dumps(options, sort_keys=True), time.time()),
            )
            return self.run_by_key(key, resumed=False)
        return self.run_by_key(key, resumed=True)

    def run_by_key(self, key: str, *, resumed: bool = True) -> Run:
        row = self.db.execute(
            "SELECT id, key, chain_id, registry, issuer, out_dir, options, created, finished FROM runs WHERE key = ?",
            (key,),
        ).fetchone()
        return Run(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7], row[8], resumed)

    def finish_run(self, run_id: int) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (time.time(), run_id))

    def reopen_run(self, run_id: int) -> None:
        self.db.execute("UPDATE runs SET finished = NULL WHERE id = ?", (run_id,))

    def runs(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT r.id, r.created, r.finished, r.out_dir, r.registry, r.chain_id, "
            " SUM(d.state = 'written'), SUM(d.state = 'failed'), SUM(d.state = 'duplicate'), "
            " SUM(d.state = 'replaced'), SUM(d.state != 'replaced'), "
            " (SELECT COUNT(*) FROM batches b WHERE b.run_id = r.id AND b.state = 'anchored'), "
            " (SELECT COUNT(*) FROM batches b WHERE b.run_id = r.id) "
            "FROM runs r LEFT JOIN docs d ON d.run_id = r.id GROUP BY r.id ORDER BY r.id"
        ).fetchall()
        keys = (
            "id", "created", "finished", "out_dir", "registry", "chain_id", "written", "failed", "duplicates",
            "replaced", "documents", "batches_anchored", "batches",
        )  # fmt: skip
        return [dict(zip(keys, (v if v is not None else 0 if i >= 6 else None for i, v in enumerate(r)), strict=True))
                for r in rows]  # fmt: skip

    def run_ids(self) -> list[int]:
        return [int(r[0]) for r in self.db.execute("SELECT id FROM runs ORDER BY id")]

    # ------------------------------------------------------------------ documents

    def known_sources(self, run_id: int) -> set[str]:
        """Inputs this run has a current outcome for (an input whose content changed has none until it is
        prepared again)."""
        rows = self.db.execute("SELECT src FROM docs WHERE run_id = ? AND state != 'replaced'", (run_id,))
        return {row[0] for row in rows}

    def issued_claims(self, run_id: int) -> dict[str, tuple[int, str, bytes, str, str | None]]:
        """src -> (id, state, claims JSON, rel_out, out_path) of each input's current version that has claims:
        what a run again compares with the claims now asked for."""
        rows = self.db.execute(
            "SELECT src, id, state, claims, rel_out, out_path FROM docs WHERE run_id = ? AND claims IS NOT NULL "
            "AND state IN ('prepared', 'batched', 'written')",
            (run_id,),
        )
        return {
            str(src): (int(doc_id), str(state), claims.encode() if isinstance(claims, str) else bytes(claims),
                       str(rel), out)
            for src, doc_id, state, claims, rel, out in rows
        }  # fmt: skip

    def current_versions(self, run_id: int) -> list[tuple[int, str, str, bytes, str | None]]:
        """(id, src, state, doc_hash, out_path) of the documents whose content is, or is becoming, issued."""
        rows = self.db.execute(
            "SELECT id, src, state, doc_hash, out_path FROM docs WHERE run_id = ? AND doc_hash IS NOT NULL "
            "AND state IN ('prepared', 'batched', 'written') ORDER BY seq",
            (run_id,),
        )
        return [(int(r[0]), str(r[1]), str(r[2]), bytes(r[3]), r[4]) for r in rows]

    def replaced_outputs(self, run_id: int) -> dict[str, list[str]]:
        """src -> the output names its earlier, replaced versions have in this run."""
        found: dict[str, list[str]] = {}
        for src, rel in self.db.execute(
            "SELECT src, rel_out FROM docs WHERE run_id = ? AND state = 'replaced' ORDER BY seq", (run_id,)
        ):
            found.setdefault(str(src), []).append(str(rel))
        return found

    def replaced_for_claims(self, run_id: int) -> set[str]:
        """Inputs whose latest replaced version in this run was set aside because the claims asked for changed."""
        rows = self.db.execute(
            "SELECT src, reason FROM docs WHERE run_id = ? AND state = 'replaced' ORDER BY seq", (run_id,)
        )
        latest = {str(src): str(reason or "") for src, reason in rows}
        return {src for src, reason in latest.items() if reason.startswith(CLAIMS_CHANGED)}

    def replace(self, items: Sequence[tuple[int, str]]) -> None:
        """Documents whose input changed: unanchored ones are forgotten (never issued), the others kept as
        ``replaced`` with the reason."""
        with self._tx():
            for doc_id, reason in items:
                self.db.execute("DELETE FROM docs WHERE id = ? AND state = 'prepared'", (doc_id,))
                self.db.execute("UPDATE docs SET state = 'replaced', reason = ? WHERE id = ?", (reason, doc_id))

    def next_seq(self, run_id: int) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM docs WHERE run_id = ?", (run_id,)).fetchone()
        return int(row[0])

    def add_docs(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """(run_id, seq, src, rel_out, state, reason, doc_hash, size, claims, salt, leaf, note) rows, one
        transaction."""
        with self._tx():
            self.db.executemany(
                "INSERT INTO docs (run_id, seq, src, rel_out, state, reason, doc_hash, size, claims, salt, leaf, "
                "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def issued_elsewhere(
        self, chain_id: int, registry: str, doc_hash: bytes, besides: tuple[int, str, bytes] | None = None
    ) -> str | None:
        """Where this exact content is already issued in this registry, if anywhere.

        ``besides`` (run id, src, claims JSON): the versions of that input in that run with other claims do not
        count — the same bytes asked for with corrected claims are a new document, not a duplicate.

        Only a leaf in an anchored batch (or one whose transaction was sent, which may be mined) counts: an
        attempt that never anchored — refused by the registry, or stopped before sending — issued nothing. A
        document that was anchored but whose file could not be written counts: its leaf is on chain, and
        re-running its own command writes the file; issuing it again elsewhere would anchor it a second time."""
        row = self.db.execute(
            "SELECT r.id, d.src, d.state, b.state, d.out_path FROM docs d JOIN runs r ON r.id = d.run_id "
            "JOIN batches b ON b.id = d.batch_id "
            "WHERE d.doc_hash = ? AND r.chain_id = ? AND lower(r.registry) = lower(?) "
            f"AND d.state IN {ISSUED} AND b.state IN ('anchored', 'sending') "
            "AND NOT (d.run_id IS ? AND d.src IS ? AND d.claims IS NOT ?) "
            "ORDER BY d.state != 'written', b.state != 'anchored' LIMIT 1",
            (doc_hash, chain_id, registry, *(besides or (None, None, None))),
        ).fetchone()
        if row is None:
            return None
        run_id, src, state, batch_state, out_path = row
        if batch_state == "sending":
            note = "; its anchoring was sent but not confirmed: run that command again to finish it"
        elif state == "written":
            note = f" -> {out_path}"
        elif state == "replaced":
            note = "; that input has changed since"
        else:
            note = "; anchored, not written: run that command again to write it"
        return f"run {run_id} ({src}{note})"

    def issued_hashes(self, chain_id: int, registry: str, doc_hashes: Sequence[bytes]) -> set[bytes]:
        """Which of ``doc_hashes`` :meth:`issued_elsewhere` could find anywhere (before its ``besides`` rule): one
        query per few hundred contents, so that the exact per-document look-up is left for the rare hits."""
        found: set[bytes] = set()
        for start in range(0, len(doc_hashes), 500):
            part = doc_hashes[start : start + 500]
            rows = self.db.execute(
                "SELECT DISTINCT d.doc_hash FROM docs d JOIN runs r ON r.id = d.run_id "
                "JOIN batches b ON b.id = d.batch_id "
                f"WHERE d.doc_hash IN ({', '.join('?' * len(part))}) AND r.chain_id = ? "
                f"AND lower(r.registry) = lower(?) AND d.state IN {ISSUED} AND b.state IN ('anchored', 'sending')",
                (*part, chain_id, registry),
            )
            found.update(bytes(row[0]) for row in rows)
        return found

    def unbatched(self, run_id: int, limit: int) -> list[tuple[int, bytes, bytes, str, bytes]]:
        """(id, leaf, doc_hash, src, claims JSON) of the first ``limit`` prepared documents, in input order."""
        return [
            (int(r[0]), bytes(r[1]), bytes(r[2]), str(r[3]), r[4].encode() if isinstance(r[4], str) else bytes(r[4]))
            for r in self.db.execute(
                "SELECT id, leaf, doc_hash, src, claims FROM docs WHERE run_id = ? AND state = 'prepared' "
                "ORDER BY seq LIMIT ?",
                (run_id, limit),
            )
        ]

    def count_unbatched(self, run_id: int) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM docs WHERE run_id = ? AND state = 'prepared'", (run_id,))
        return int(row.fetchone()[0])

    def batch_docs(self, batch_id: int) -> list[dict[str, Any]]:
        """The batch's documents in leaf order (the order the tree was built in)."""
        cols = ("id", "src", "rel_out", "state", "doc_hash", "size", "claims", "salt", "leaf", "out_path")
        rows = self.db.execute(
            f"SELECT {', '.join(cols)} FROM docs WHERE batch_id = ? ORDER BY seq", (batch_id,)
        ).fetchall()
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def mark_written(self, items: Sequence[tuple[int, str, bytes | None]]) -> None:
        """(doc id, output path, the output's SHA-256) — called once the outputs are durable."""
        with self._tx():
            self.db.executemany(
                "UPDATE docs SET state = 'written', out_path = ?, out_sha256 = ? WHERE id = ?",
                [(p, h, i) for i, p, h in items],
            )

    def mark_duplicates(self, items: Sequence[tuple[int, str]]) -> None:
        with self._tx():
            self.db.executemany(
                "UPDATE docs SET state = 'duplicate', reason = ? WHERE id = ? AND state = 'prepared'",
                [(r, i) for i, r in items],
            )

    def mark_failed(self, items: Sequence[tuple[int, str]]) -> None:
        with self._tx():
            self.db.executemany("UPDATE docs SET state = 'failed', reason = ? WHERE id = ?", [(r, i) for i, r in items])

    def mark_unwritten(self, doc_ids: Sequence[int]) -> None:
        with self._tx():
            self.db.executemany(
                "UPDATE docs SET state = 'batched', out_path = NULL, out_sha256 = NULL WHERE id = ?",
                [(i,) for i in doc_ids],
            )

    def retry_failures(self, run_id: int) -> int:
        """On resume, try again what did not succeed: unanchored failures and skips from scratch (the file may
        have been fixed, the earlier issue may have been of other content), anchored-but-unwritten documents by
        stamping them again."""
        with self._tx():
            forgotten = self.db.execute(
                "DELETE FROM docs WHERE run_id = ? AND (state = 'duplicate' OR (state = 'failed' AND (batch_id IS "
                "NULL OR batch_id IN (SELECT id FROM batches WHERE state = 'refused'))))",
                (run_id,),
            ).rowcount
            # a refused batch anchored nothing: its documents come back with the same leaves (derived salts), so
            # its root must be free to be cut again
            self.db.execute(
                "DELETE FROM batches WHERE run_id = ? AND state = 'refused' AND id NOT IN "
                "(SELECT batch_id FROM docs WHERE batch_id IS NOT NULL)",
                (run_id,),
            )
            restamp = self.db.execute(
                "UPDATE docs SET state = 'batched', reason = NULL WHERE run_id = ? AND state = 'failed' "
                "AND batch_id IS NOT NULL",
                (run_id,),
            ).rowcount
        return int(forgotten) + int(restamp)

    def written_docs(self, run_id: int) -> Iterator[tuple[int, str, bytes | None]]:
        for doc_id, path, digest in self.db.execute(
            "SELECT id, out_path, out_sha256 FROM docs WHERE run_id = ? AND state = 'written'", (run_id,)
        ):
            yield int(doc_id), str(path), None if digest is None else bytes(digest)

    def report_rows(self, run_id: int) -> Iterator[dict[str, Any]]:
        cols = ("src", "out_path", "state", "reason", "leaf", "root", "tx_hash", "block", "batch_id", "note",
                "batch_state", "batch_reason", "rel_out")  # fmt: skip
        for row in self.db.execute(
            "SELECT d.src, d.out_path, d.state, d.reason, d.leaf, b.root, b.tx_hash, b.block, d.batch_id, d.note, "
            "b.state, b.reason, d.rel_out FROM docs d LEFT JOIN batches b ON b.id = d.batch_id WHERE d.run_id = ? "
            "ORDER BY d.seq",
            (run_id,),
        ):
            yield dict(zip(cols, row, strict=True))

    def state_counts(self, run_id: int) -> dict[str, int]:
        rows = self.db.execute("SELECT state, COUNT(*) FROM docs WHERE run_id = ? GROUP BY state", (run_id,))
        return {str(s): int(n) for s, n in rows}

    def noted(self, run_id: int) -> int:
        """How many documents carry a note (a warning, a changed input written beside its earlier copy)."""
        row = self.db.execute("SELECT COUNT(*) FROM docs WHERE run_id = ? AND note IS NOT NULL", (run_id,))
        return int(row.fetchone()[0])

    # ------------------------------------------------------------------ batches

    def create_batch(
        self, run_id: int, root: bytes, count: int, issued_at: int, signature: bytes, doc_ids: Sequence[int]
    ) -> int:
        """The batch and its membership, atomically: a crash leaves either both or neither."""
        with self._tx():
            cursor = self.db.execute(
                "INSERT INTO batches (run_id, root, count, issued_at, signature, state) "
                "VALUES (?, ?, ?, ?, ?, 'signed')",
                (run_id, root, count, issued_at, signature),
            )
            batch_id = int(cursor.lastrowid or 0)
            self.db.executemany(
                "UPDATE docs SET state = 'batched', batch_id = ? WHERE id = ? AND state = 'prepared'",
                [(batch_id, d) for d in doc_ids],
            )
        return batch_id

    def batches(self, run_id: int, states: Sequence[str]) -> list[BatchRow]:
        marks = ", ".join("?" for _ in states)
        rows = self.db.execute(
            f"SELECT {BATCH_COLUMNS} FROM batches WHERE run_id = ? AND state IN ({marks}) ORDER BY id",
            (run_id, *states),
        ).fetchall()
        return [BatchRow(*r) for r in rows]

    def record_sending(self, batch_id: int, tx_hash: str, raw_tx: bytes) -> None:
        self.db.execute(
            "UPDATE batches SET state = 'sending', tx_hash = ?, raw_tx = ? WHERE id = ?", (tx_hash, raw_tx, batch_id)
        )

    def mark_anchored(self, batch_id: int, tx_hash: str | None, block: int, timestamp: int) -> None:
        self.db.execute(
            "UPDATE batches SET state = 'anchored', tx_hash = COALESCE(?, tx_hash), block = ?, timestamp = ? "
            "WHERE id = ?",
            (tx_hash, block, timestamp, batch_id),
        )

    def mark_refused(self, batch_id: int, reason: str) -> None:
        """The registry refused to anchor this batch: none of its documents is issued. They fail with the reason
        and are prepared afresh (new batch) when the command runs again."""
        with self._tx():
            self.db.execute("UPDATE batches SET state = 'refused', reason = ? WHERE id = ?", (reason, batch_id))
            self.db.execute(
                "UPDATE docs SET state = 'failed', reason = ? WHERE batch_id = ? AND state = 'batched'",
                (f"not anchored: {reason}", batch_id),
            )

    def mark_unanchored(self, batch_id: int) -> None:
        """The chain does not have this batch (any more): back to sending its recorded transaction (or to
        signed, to sign one afresh) so that it is anchored again."""
        self.db.execute(
            "UPDATE batches SET state = CASE WHEN raw_tx IS NULL OR tx_hash IS NULL THEN 'signed' ELSE 'sending' END, "
            "block = NULL, timestamp = NULL WHERE id = ? AND state = 'anchored'",
            (batch_id,),
        )

    def batches_with_unwritten_docs(self, run_id: int) -> list[BatchRow]:
        columns = ", ".join(f"b.{c.strip()}" for c in BATCH_COLUMNS.split(","))
        rows = self.db.execute(
            f"SELECT DISTINCT {columns} FROM batches b JOIN docs d ON d.batch_id = b.id "
            "WHERE b.run_id = ? AND b.state = 'anchored' AND d.state = 'batched' ORDER BY b.id",
            (run_id,),
        ).fetchall()
        return [BatchRow(*r) for r in rows]

    # ------------------------------------------------------------------ plumbing

    def _tx(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
