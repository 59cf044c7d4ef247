"""Sealing inside the issuance pipeline (issue 14): every notarised copy of a batch gets the city's seal with the
batch's binding; a second run keeps the sealed copies (a seal differs per attempt, so it is recognised, not
compared byte for byte); a seal key that cannot be opened stops the run before anything is anchored."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from notary.errors import NotaryError
from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, Summary, from_paths
from notary.issuance.run import Checkpoint
from notary.pdf.samples import make_certificates
from notary.pdf.seal import SealOptions
from tests.conftest import Actors
from tests.pki import P12_PASSWORD, Pki
from verifier.pipeline import Verifier, read_facts
from verifier.result import Status, Verdict
from verifier.trust import TrustedEntry, TrustList


def _issue(actors: Actors, workdir: Path, seal: SealOptions, checkpoint: Checkpoint | None = None) -> Summary:
    src, out = workdir / "in", workdir / "out"
    if not src.exists():
        src.mkdir(parents=True)
        for i, pdf in enumerate(make_certificates(3, seed=7)):
            (src / f"urkunde-{i}.pdf").write_bytes(pdf)
    defaults = ClaimDefaults(doc_type="urkunde", title="Meldebescheinigung", holder="Jonas Weber")
    journal = Journal(workdir / "journal.sqlite")
    try:
        with ThreadPoolExecutor(2) as pool:
            options = IssueOptions(out, seal=seal)
            issuance = Issuance(journal, actors.registry, actors.issuer, options, executor=pool, checkpoint=checkpoint)
            return issuance.issue(from_paths([src], defaults), spec=f"test:{src}")
    finally:
        journal.close()


def test_issuance_seals_every_copy_and_a_second_run_keeps_them(tmp_path: Path) -> None:
    actors = Actors("memory")
    pki = Pki.build()
    paths = pki.write(tmp_path / "pki")
    seal = SealOptions(paths["seal"], P12_PASSWORD)
    _issue(actors, tmp_path, seal)
    outputs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(outputs) == 3
    registry = actors.registry
    entry = TrustedEntry(
        "Stadt", registry.chain_id, registry.address, "unused", False, seal_roots=(paths["root"].read_bytes(),)
    )
    verifier = Verifier(TrustList([entry]), facts_reader=lambda _e, proof: read_facts(registry, proof))
    for path in outputs:
        result = verifier.verify_pdf(path.read_bytes())
        assert result.verdict is Verdict.VALID, result.to_json()
        assert result.check("seal").status is Status.VALID and result.seal and result.seal["bound"] is True
    before = {p.name: hashlib.sha256(p.read_bytes()).digest() for p in outputs}
    again = _issue(actors, tmp_path, seal)
    assert not again.counts.get("issued"), again.counts
    assert {p.name: hashlib.sha256(p.read_bytes()).digest() for p in outputs} == before


def test_sealed_copies_from_an_attempt_the_journal_lost_are_kept(tmp_path: Path) -> None:
    """A power cut after the sealed copies reached the disk but before the journal said so: the next run finds
    them, sees the notarised file plus only signature revisions, and keeps them (a fresh seal would differ)."""
    actors = Actors("memory")
    paths = Pki.build().write(tmp_path / "pki")
    seal = SealOptions(paths["seal"], P12_PASSWORD)
    journal, durable = tmp_path / "journal.sqlite", tmp_path / "durable.sqlite"

    def snapshot(stage: str) -> None:
        if stage == "anchored" and not durable.exists():
            source, target = sqlite3.connect(journal), sqlite3.connect(durable)
            source.backup(target)
            target.close()
            source.close()

    _issue(actors, tmp_path, seal, checkpoint=snapshot)
    written = {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.pdf")}
    for suffix in ("-wal", "-shm"):
        Path(f"{journal}{suffix}").unlink(missing_ok=True)
    shutil.copy(durable, journal)  # anchored, nothing journaled as written
    summary = _issue(actors, tmp_path, seal)
    assert summary.counts == {"written": 3}, summary.counts
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.pdf")} == written


def test_a_seal_key_that_cannot_be_opened_stops_before_anchoring(tmp_path: Path) -> None:
    actors = Actors("memory")
    paths = Pki.build().write(tmp_path / "pki")
    with pytest.raises(NotaryError, match="password"):
        _issue(actors, tmp_path, SealOptions(paths["seal"], b"wrong"))
    assert not list((tmp_path / "out").glob("*.pdf")) if (tmp_path / "out").exists() else True
