"""The city's relayer: anchors schools' signed batches (``anchorSigned``) and pays the gas.

Each batch file is checked before anything is spent: it parses, its signature recovers to the issuer it names,
it is signed for this very registry and chain, and that issuer is an active issuer now. The chain records the
signer as the batch's issuer, so the relayer can neither change root, count or time nor claim the batch.

Journaled like the issuance (``relay.sqlite`` in the data dir): the signed transaction is recorded before it is
sent, and on a later run the chain is the judge — a batch already anchored is skipped, a recorded transaction is
sent again (or signed afresh when its nonce went to another), so running the command again after any crash
anchors every batch exactly once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from notary.chain import Registry
from notary.chain.records import BatchRecord
from notary.chain.registry import GAS, SignedTx
from notary.errors import ChainError, ContractRevert, FormatError, NotaryError
from notary.signing.base import Signer, as_sender
from notary.signing.signed_batch import SignedBatch, read_signed_batch

ANCHOR_SIGNED = "anchorSigned"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS relayed (
    chain_id INTEGER NOT NULL,
    registry TEXT NOT NULL,
    issuer TEXT NOT NULL,
    root BLOB NOT NULL,
    file TEXT NOT NULL,
    state TEXT NOT NULL,          -- sending, anchored, refused
    tx_hash TEXT,
    raw_tx BLOB,
    block INTEGER,
    reason TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (chain_id, registry, issuer, root)
);
"""


@dataclass(frozen=True)
class Outcome:
    file: str
    status: str
    """'anchored' (by this run), 'already-anchored', 'refused' (nothing spent) or 'failed' (see reason)."""
    reason: str = ""
    root: str = ""
    issuer: str = ""
    tx_hash: str | None = None
    block: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("anchored", "already-anchored")


class RelayJournal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a recorded transaction must survive a power cut
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def recorded(self, key: tuple[int, str, str, bytes]) -> tuple[str, str | None, bytes | None] | None:
        row = self.db.execute(
            "SELECT state, tx_hash, raw_tx FROM relayed WHERE chain_id=? AND registry=? AND issuer=? AND root=?", key
        ).fetchone()
        return None if row is None else (str(row[0]), row[1], row[2])

    def record(
        self,
        key: tuple[int, str, str, bytes],
        file: str,
        state: str,
        *,
        tx_hash: str | None = None,
        raw_tx: bytes | None = None,
        block: int | None = None,
        reason: str | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO relayed (chain_id, registry, issuer, root, file, state, tx_hash, raw_tx, block, reason, "
            "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chain_id, registry, issuer, root) DO "
            "UPDATE SET file=excluded.file, state=excluded.state, tx_hash=COALESCE(excluded.tx_hash, tx_hash), "
            "raw_tx=COALESCE(excluded.raw_tx, raw_tx), block=excluded.block, reason=excluded.reason, "
            "updated=excluded.updated",
            (*key, file, state, tx_hash, raw_tx, block, reason, time.time()),
        )


def batch_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.is_file() and not p.name.startswith("."))


class Relayer:
    def __init__(self, registry: Registry, relayer: Signer, journal: RelayJournal) -> None:
        self.registry = registry
        self.relayer = relayer
        self.journal = journal

    def relay_folder(self, folder: Path, on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        outcomes = []
        for outcome in self._each(batch_files(folder)):
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        return outcomes

    def _each(self, files: list[Path]) -> Iterator[Outcome]:
        for path in files:
            try:
                signed = read_signed_batch(path)
            except FormatError as exc:
                yield Outcome(path.name, "refused", f"not a valid signed batch: {exc}")
                continue
            try:
                yield self.relay(path.name, signed)
            except ContractRevert as exc:
                yield self._named(path.name, signed, "refused", f"the registry refused it: {exc}")
            except ChainError as exc:  # unreachable node, no gas money: the file stays; the same command retries
                yield self._named(path.name, signed, "failed", str(exc))

    def _named(self, file: str, signed: SignedBatch, status: str, reason: str) -> Outcome:
        return Outcome(file, status, reason, "0x" + signed.root.hex(), signed.issuer)

    def relay(self, file: str, signed: SignedBatch) -> Outcome:
        """Anchor one signed batch once, whatever happened before."""
        registry = self.registry
        if (signed.domain.chain_id, signed.domain.registry) != (registry.chain_id, registry.address):
            return self._named(
                file, signed, "refused",
                f"signed for registry {signed.domain.registry} on chain {signed.domain.chain_id}, not for this "
                f"registry {registry.address} on chain {registry.chain_id}",
            )  # fmt: skip
        key = (registry.chain_id, registry.address, signed.issuer, signed.root)
        recorded = self.journal.recorded(key)
        done = self._on_chain(file, signed, key)
        if done is not None:
            return done
        why = _not_active(registry, signed.issuer)
        if why is not None:
            self.journal.record(key, file, "refused", reason=why)
            return self._named(file, signed, "refused", why)
        if not any(item.get("name") == ANCHOR_SIGNED for item in registry.contract.abi):
            raise NotaryError(
                f"this notary's registry contract has no {ANCHOR_SIGNED}: relayed anchoring needs the contract of "
                "issue 13 (update notary and deploy its registry)"
            )
        sender = as_sender(self.relayer)
        args = (signed.root, signed.batch.document_count, signed.batch.issued_at, signed.signature)
        if recorded is not None and recorded[0] == "sending" and recorded[1] and recorded[2]:
            data = registry.encode(ANCHOR_SIGNED, list(args))
            tx = SignedTx(sender.address, registry.address, data, GAS[ANCHOR_SIGNED], -1, recorded[2], recorded[1])
        else:
            tx = registry.sign_anchor_signed(sender, *args)  # simulated first: a refusal costs nothing
            self.journal.record(key, file, "sending", tx_hash=tx.tx_hash, raw_tx=tx.raw)  # intent before sending
        try:
            registry.broadcast(tx, "relaying a signed batch")
        except ChainError as exc:
            if "nonce" not in str(exc).lower():
                raise
            # the recorded transaction's nonce went to another: the chain may have the batch by now; else anew
            registry._forget_nonce(sender.address)
            done = self._on_chain(file, signed, key)
            if done is not None:
                return done
            tx = registry.sign_anchor_signed(sender, *args)
            self.journal.record(key, file, "sending", tx_hash=tx.tx_hash, raw_tx=tx.raw)
            registry.broadcast(tx, "relaying a signed batch")
        try:
            result, _ = registry.wait_mined(tx, "waiting for the relayed anchor")
        except ContractRevert:
            done = self._on_chain(file, signed, key)  # anchored meanwhile by another relayer: not a failure
            if done is not None:
                return done
            raise
        self.journal.record(key, file, "anchored", tx_hash=tx.tx_hash, block=result.block_number)
        return Outcome(file, "anchored", "", "0x" + signed.root.hex(), signed.issuer, tx.tx_hash, result.block_number)

    def _on_chain(self, file: str, signed: SignedBatch, key: tuple[int, str, str, bytes]) -> Outcome | None:
        record = batch_record(self.registry, signed)
        if not record.anchored:
            return None
        if record.issuer != signed.issuer:
            reason = f"its root is anchored by {record.issuer}, not by the signer {signed.issuer}"
            self.journal.record(key, file, "refused", reason=reason)
            return self._named(file, signed, "refused", reason)
        self.journal.record(key, file, "anchored", block=record.block_number)
        return Outcome(file, "already-anchored", "", "0x" + signed.root.hex(), signed.issuer, None, record.block_number)


def batch_record(registry: Registry, signed: SignedBatch) -> BatchRecord:
    return registry.batch(signed.root, signed.issuer)[0]  # roots are per issuer on chain


def _not_active(registry: Registry, issuer: str) -> str | None:
    from notary.issuance.run import _not_active as why_not

    why = why_not(registry.issuer(issuer))
    if why is None:
        return None
    return f"the signer {issuer} {why} in this registry: nothing was sent (ask the registry admin)"
