"""Test helper: issue real sample certificates through the real pipeline on a test chain."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount

from notary.chain import Registry
from notary.core import Proof
from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, Summary, from_paths
from notary.pdf import read_attached_proof
from notary.pdf.samples import make_certificates
from verifier.pipeline import Verifier, read_facts
from verifier.trust import TrustedEntry, TrustList


@dataclass
class Issued:
    originals: list[Path]
    notarised: list[Path]
    summary: Summary
    registry: Registry

    def proof(self, index: int) -> Proof:
        raw = read_attached_proof(self.notarised[index].read_bytes())
        assert raw is not None
        return Proof.from_json(raw)


def issue_samples(
    registry: Registry, issuer: LocalAccount, workdir: Path, count: int = 3, *, seed: int = 1,
    defaults: ClaimDefaults | None = None, batch_size: int = 1024, executor: Executor | None = None,
    today: dt.date | None = None, qr_corner: str = "bottom-right", qr_size_mm: float = 40.0,
) -> Issued:  # fmt: skip
    src, out = workdir / "in", workdir / "out"
    src.mkdir(parents=True, exist_ok=True)
    originals = []
    for i, pdf in enumerate(make_certificates(count, seed=seed)):
        path = src / f"zeugnis-{i:03d}.pdf"
        path.write_bytes(pdf)
        originals.append(path)
    defaults = defaults or ClaimDefaults(
        doc_type="zeugnis", title="Abschlusszeugnis der Realschule", holder="Lena Müller"
    )
    journal = Journal(workdir / "journal.sqlite")
    pool = executor or ThreadPoolExecutor(2)
    try:
        summary = Issuance(
            journal,
            registry,
            issuer,
            IssueOptions(out_dir=out, batch_size=batch_size, today=today, qr_corner=qr_corner, qr_size_mm=qr_size_mm),
            executor=pool,
        ).issue(from_paths([src], defaults), spec=f"test:{src}")
    finally:
        journal.close()
        if executor is None:
            pool.shutdown()
    return Issued(originals, [out / p.name for p in originals], summary, registry)


def verifier_for(*registries: Registry, now: dt.datetime | None = None) -> Verifier:
    """A verifier trusting exactly these registries, reading through their own connections (works for memory)."""
    by_key = {(r.chain_id, r.address.lower()): r for r in registries}
    trust = TrustList(TrustedEntry(f"Test registry {i}", r.chain_id, r.address, "unused", False)
                      for i, r in enumerate(registries))  # fmt: skip

    def facts(entry: TrustedEntry, proof: Proof):  # type: ignore[no-untyped-def]
        return read_facts(by_key[(entry.chain_id, entry.address.lower())], proof)

    if now is None:
        return Verifier(trust, facts_reader=facts)
    return Verifier(trust, facts_reader=facts, now=lambda: now)
