"""`notary revoke`, `suspend`, `unsuspend` and `status`: a document's or a batch's status on chain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.output import console, emit_json
from cli.settings_opts import ChainOpt, JsonOpt, KeyFileOpt, RegistryOpt, settings_from
from notary.chain import Reason, Registry, State
from notary.context import open_registry
from notary.core import MerkleTree, Proof
from notary.errors import ConfigError, FormatError
from notary.issuance import Journal
from notary.pdf import read_attached_proof
from notary.signing import as_sender
from notary.signing.opening import open_signer

REASONS = ", ".join(r.slug for r in Reason)
DocumentOpt = Annotated[Path | None, typer.Option("--document", help="A notarised PDF (or its .proof.json).")]
LeafOpt = Annotated[
    str | None, typer.Option("--leaf", help="Document leaf (0x...), with --root; looked up in the journal.")
]
RootOpt = Annotated[str | None, typer.Option("--root", help="Batch root (0x...) of --leaf.")]
BatchOpt = Annotated[str | None, typer.Option("--batch", help="Batch root (0x...): act on the whole batch.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help=f"Reason code: {REASONS}.")]


def _hex32(text: str, what: str) -> bytes:
    try:
        value = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise ConfigError(f"{what} must be 32 bytes in hex (0x + 64 hex digits)") from None
    if len(value) != 32:
        raise ConfigError(f"{what} must be 32 bytes in hex (0x + 64 hex digits)")
    return value


def _reason(slug: str) -> Reason:
    try:
        return Reason.from_slug(slug)
    except ValueError:
        raise ConfigError(f"unknown reason {slug!r}; use one of: {REASONS}") from None


def proof_of_document(path: Path) -> Proof:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    raw = data if data.lstrip()[:1] == b"{" else read_attached_proof(data)
    if raw is None:
        raise FormatError(f"{path} carries no notary proof")
    return Proof.from_json(raw)


def _journal_proof(data_dir: Path, root: bytes, leaf: bytes) -> list[bytes]:
    """A leaf's Merkle proof, rebuilt from the issuing journal (the chain stores only the root)."""
    journal = Journal(data_dir / "journal.sqlite")
    try:
        row = journal.db.execute("SELECT id FROM batches WHERE root = ?", (root,)).fetchone()
        if row is None:
            raise ConfigError("that batch is not in this data dir's journal: use --document with the notarised PDF")
        leaves = [bytes(d["leaf"]) for d in journal.batch_docs(int(row[0]))]
    finally:
        journal.close()
    if leaf not in leaves:
        raise ConfigError("that leaf is not in the batch (check --leaf and --root)")
    return [bytes(p) for p in MerkleTree.build(leaves).proof(leaves.index(leaf))]


def _target(
    registry: Registry, data_dir: Path, document: Path | None, leaf: str | None, root: str | None, batch: str | None
) -> tuple[bytes, bytes | None, list[bytes]]:
    """(root, leaf or None for a batch, proof)."""
    chosen = sum(x is not None for x in (document, leaf or root, batch))
    if chosen != 1:
        raise ConfigError("name exactly one target: --document PDF, --leaf HEX --root HEX, or --batch ROOT")
    if document is not None:
        proof = proof_of_document(document)
        if (proof.chain_id, proof.registry.lower()) != (registry.chain_id, registry.address.lower()):
            raise ConfigError(f"{document} was issued in registry {proof.registry} on chain {proof.chain_id}, "
                              f"not in the configured one ({registry.address})")  # fmt: skip
        return bytes(proof.root), bytes(proof.leaf()), [bytes(p) for p in proof.merkle_proof]
    if batch is not None:
        return _hex32(batch, "--batch"), None, []
    if leaf is None or root is None:
        raise ConfigError("--leaf and --root go together")
    root_b, leaf_b = _hex32(root, "--root"), _hex32(leaf, "--leaf")
    return root_b, leaf_b, _journal_proof(data_dir, root_b, leaf_b)


def _change(state: State, document: Path | None, leaf: str | None, root: str | None, batch: str | None,
            reason: Reason, chain: str | None, registry: str | None, key_file: Path | None) -> None:  # fmt: skip
    settings = settings_from(chain=chain, registry=registry, key_file=key_file)
    reg = open_registry(settings)
    target_root, target_leaf, proof = _target(reg, settings.data_path, document, leaf, root, batch)
    # roots are per issuer on chain: a document names its issuer; for a bare root the adapter finds it
    issuer = proof_of_document(document).issuer if document is not None else None
    signer = as_sender(open_signer(settings))  # the [signer]: keystore, PKCS#11 token or remote (docs/relay.md)
    if target_leaf is None:
        tx = reg.set_batch_state(signer, target_root, state, int(reason), issuer=issuer)
        what = f"batch 0x{target_root.hex()}"
    else:
        tx = reg.set_document_state(signer, target_root, target_leaf, proof, state, int(reason), issuer=issuer)
        what = f"document 0x{target_leaf.hex()}"
    verb = {State.REVOKED: "revoked", State.SUSPENDED: "suspended", State.ACTIVE: "unsuspended"}[state]
    console.print(f"{what} {verb} (block {tx.block_number}, tx {tx.tx_hash})")


def revoke(document: DocumentOpt = None, leaf: LeafOpt = None, root: RootOpt = None, batch: BatchOpt = None,
           reason: ReasonOpt = "withdrawn", chain: ChainOpt = None, registry: RegistryOpt = None,
           key_file: KeyFileOpt = None) -> None:  # fmt: skip
    """Revoke a document or a whole batch for good (the batch's issuer, a revoker or the admin)."""
    _change(State.REVOKED, document, leaf, root, batch, _reason(reason), chain, registry, key_file)


def suspend(document: DocumentOpt = None, leaf: LeafOpt = None, root: RootOpt = None, batch: BatchOpt = None,
            reason: ReasonOpt = "unspecified", chain: ChainOpt = None, registry: RegistryOpt = None,
            key_file: KeyFileOpt = None) -> None:  # fmt: skip
    """Suspend a document or a batch until it is unsuspended."""
    _change(State.SUSPENDED, document, leaf, root, batch, _reason(reason), chain, registry, key_file)


def unsuspend(document: DocumentOpt = None, leaf: LeafOpt = None, root: RootOpt = None, batch: BatchOpt = None,
              chain: ChainOpt = None, registry: RegistryOpt = None, key_file: KeyFileOpt = None) -> None:  # fmt: skip
    """Lift a suspension."""
    _change(State.ACTIVE, document, leaf, root, batch, Reason.UNSPECIFIED, chain, registry, key_file)


def status(
    document: Annotated[Path, typer.Argument(help="A notarised PDF (or its .proof.json).")],
    chain: ChainOpt = None, registry: RegistryOpt = None, json_out: JsonOpt = False,
) -> None:  # fmt: skip
    """Show a document's current status and its status history (its own and its batch's)."""
    settings = settings_from(chain=chain, registry=registry)
    reg = open_registry(settings)
    proof = proof_of_document(document)
    root, leaf = bytes(proof.root), bytes(proof.leaf())
    view = reg.document(root, leaf, [bytes(p) for p in proof.merkle_proof], proof.issuer)  # roots are per issuer
    history = reg.status_history(root, leaf, from_block=view.batch.block_number, issuer=proof.issuer)
    events = [
        {
            "scope": "document" if e.leaf is not None else "batch",
            "state": e.state.name.lower(),
            "reason": _reason_slug(e.reason),
            "by": e.by,
            "block": e.block_number,
            "time": _time(reg, e.block_number),
            "tx": e.tx_hash,
        }
        for e in history
    ]
    # statuses a compromised issuer key set at/after its compromisedFrom: on chain and shown, but not counted
    ignored = [scope for scope, st in (("document", view.document_status), ("batch", view.batch_status)) if st.ignored]
    data = {
        "anchored": view.batch.anchored, "root": "0x" + root.hex(), "leaf": "0x" + leaf.hex(),
        "document": view.document_status.state.name.lower(), "batch": view.batch_status.state.name.lower(),
        "history": events, "ignored": ignored,
    }  # fmt: skip
    if json_out:
        emit_json(data)
        return
    if not view.batch.anchored:
        console.print("this document's batch is not anchored in the configured registry", style="red")
        raise typer.Exit(1)
    console.print(f"document: {data['document']}, batch: {data['batch']} (anchored in block {view.batch.block_number})")
    for scope in ignored:
        console.print(f"  the {scope}'s last status was set by the issuer's key after it was compromised: not counted")
    for event in events:
        console.print(f"  {event['time']}  {event['scope']} {event['state']} ({event['reason']}) by {event['by']}")
    if not events:
        console.print("  no status changes since it was issued")


def _reason_slug(code: int) -> str:
    try:
        return Reason(code).slug
    except ValueError:
        return str(code)


def _time(reg: Registry, block: int) -> str:
    return dt.datetime.fromtimestamp(reg.block_timestamp(block), dt.UTC).isoformat(timespec="seconds")
