"""The issuance journal: SQLite in WAL mode in the data dir. Intent is written before every transaction and
every file, so a run killed at any moment resumes to a state where every input is issued exactly once.

States — documents: prepared -> batched -> written, or failed / duplicate; batches: signed -> sending ->
anchored. A batch's documents and its signature are written in one SQLite transaction; its anchoring
transaction is recorded (raw, signed) before it is sent, and the chain is the judge on resume.
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

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
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
);
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
    UNIQUE (run_id, src)
);
CREATE INDEX IF NOT EXISTS docs_hash ON docs(doc_hash);
CREATE INDEX IF NOT EXISTS docs_batch ON docs(batch_id);
CREATE INDEX IF NOT EXISTS docs_run_state ON docs(run_id, state);
CREATE TABLE IF NOT EXISTS batches (
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
    timestamp INTEGER
);
"""


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


class Journal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives any process crash (SIGKILL); only a power cut may lose the last commit
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"cannot open the journal {path}: {exc}") from None
        self.path = path

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
            " SUM(d.state = 'written'), SUM(d.state = 'failed'), SUM(d.state = 'duplicate'), COUNT(d.id), "
            " (SELECT COUNT(*) FROM batches b WHERE b.run_id = r.id AND b.state = 'anchored'), "
            " (SELECT COUNT(*) FROM batches b WHERE b.run_id = r.id) "
            "FROM runs r LEFT JOIN docs d ON d.run_id = r.id GROUP BY r.id ORDER BY r.id"
        ).fetchall()
        keys = (
            "id", "created", "finished", "out_dir", "registry", "chain_id", "written", "failed", "duplicates",
            "documents", "batches_anchored", "batches",
        )  # fmt: skip
        return [dict(zip(keys, (v if v is not None else 0 if i >= 6 else None for i, v in enumerate(r)), strict=True))
                for r in rows]  # fmt: skip

    # ------------------------------------------------------------------ documents

    def known_sources(self, run_id: int) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT src FROM docs WHERE run_id = ?", (run_id,))}

    def next_seq(self, run_id: int) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM docs WHERE run_id = ?", (run_id,)).fetchone()
        return int(row[0])

    def add_docs(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """(run_id, seq, src, rel_out, state, reason, doc_hash, size, claims, salt, leaf) rows, one transaction."""
        with self._tx():
            self.db.executemany(
                "INSERT INTO docs (run_id, seq, src, rel_out, state, reason, doc_hash, size, claims, salt, leaf) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def issued_elsewhere(self, chain_id: int, registry: str, doc_hash: bytes) -> str | None:
        """Where this exact content is already issued (or being issued) in this registry, if anywhere.

        A document that was anchored but whose file could not be written (failed, with a batch) counts as
        issued: its leaf is on chain, and re-running its own command writes the file; issuing it again
        elsewhere would anchor it a second time."""
        row = self.db.execute(
            "SELECT r.id, d.src, d.state FROM docs d JOIN runs r ON r.id = d.run_id "
            "WHERE d.doc_hash = ? AND r.chain_id = ? AND lower(r.registry) = lower(?) "
            "AND (d.state IN ('prepared', 'batched', 'written') OR (d.state = 'failed' AND d.batch_id IS NOT NULL)) "
            "ORDER BY d.state = 'failed' LIMIT 1",
            (doc_hash, chain_id, registry),
        ).fetchone()
        if row is None:
            return None
        note = "; anchored, not written: run that command again to write it" if row[2] == "failed" else ""
        return f"run {row[0]} ({row[1]}{note})"

    def unbatched(self, run_id: int, limit: int) -> list[tuple[int, bytes]]:
        return [
            (int(r[0]), bytes(r[1]))
            for r in self.db.execute(
                "SELECT id, leaf FROM docs WHERE run_id = ? AND state = 'prepared' ORDER BY seq LIMIT ?",
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

    def mark_written(self, items: Sequence[tuple[int, str]]) -> None:
        with self._tx():
            self.db.executemany(
                "UPDATE docs SET state = 'written', out_path = ? WHERE id = ?", [(p, i) for i, p in items]
            )

    def mark_failed(self, items: Sequence[tuple[int, str]]) -> None:
        with self._tx():
            self.db.executemany("UPDATE docs SET state = 'failed', reason = ? WHERE id = ?", [(r, i) for i, r in items])

    def mark_unwritten(self, doc_ids: Sequence[int]) -> None:
        with self._tx():
            self.db.executemany(
                "UPDATE docs SET state = 'batched', out_path = NULL WHERE id = ?", [(i,) for i in doc_ids]
            )

    def retry_failures(self, run_id: int) -> int:
        """On resume, try failed documents again: unbatched ones from scratch (the file may have been fixed),
        batched ones (anchored, but their file could not be written) by stamping them again."""
        with self._tx():
            forgotten = self.db.execute(
                "DELETE FROM docs WHERE run_id = ? AND state = 'failed' AND batch_id IS NULL", (run_id,)
            ).rowcount
            restamp = self.db.execute(
                "UPDATE docs SET state = 'batched', reason = NULL WHERE run_id = ? AND state = 'failed' "
                "AND batch_id IS NOT NULL",
                (run_id,),
            ).rowcount
        return int(forgotten) + int(restamp)

    def written_docs(self, run_id: int) -> Iterator[tuple[int, str]]:
        yield from self.db.execute("SELECT id, out_path FROM docs WHERE run_id = ? AND state = 'written'", (run_id,))

    def report_rows(self, run_id: int) -> Iterator[dict[str, Any]]:
        cols = ("src", "out_path", "state", "reason", "leaf", "root", "tx_hash", "block", "batch_id")
        for row in self.db.execute(
            "SELECT d.src, d.out_path, d.state, d.reason, d.leaf, b.root, b.tx_hash, b.block, d.batch_id "
            "FROM docs d LEFT JOIN batches b ON b.id = d.batch_id WHERE d.run_id = ? ORDER BY d.seq",
            (run_id,),
        ):
            yield dict(zip(cols, row, strict=True))

    def state_counts(self, run_id: int) -> dict[str, int]:
        rows = self.db.execute("SELECT state, COUNT(*) FROM docs WHERE run_id = ? GROUP BY state", (run_id,))
        return {str(s): int(n) for s, n in rows}

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
            "SELECT id, root, count, issued_at, signature, state, tx_hash, raw_tx, block, timestamp FROM batches "
            f"WHERE run_id = ? AND state IN ({marks}) ORDER BY id",
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

    def mark_unanchored(self, batch_id: int) -> None:
        """The chain does not have this batch (any more): back to sending its recorded transaction (or to
        signed, to sign one afresh) so that it is anchored again."""
        self.db.execute(
            "UPDATE batches SET state = CASE WHEN raw_tx IS NULL OR tx_hash IS NULL THEN 'signed' ELSE 'sending' END, "
            "block = NULL, timestamp = NULL WHERE id = ? AND state = 'anchored'",
            (batch_id,),
        )

    def batches_with_unwritten_docs(self, run_id: int) -> list[BatchRow]:
        rows = self.db.execute(
            "SELECT DISTINCT b.id, b.root, b.count, b.issued_at, b.signature, b.state, b.tx_hash, b.raw_tx, b.block, "
            "b.timestamp FROM batches b JOIN docs d ON d.batch_id = b.id "
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
