"""A run keeps the QR URL it started with: the URL is bound into every leaf it prepared, so a `--sign-only` run
resumed (after the relayer anchored its batches) with another configured URL stamps with the recorded one, says
so in one line, and every output verifies."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary.chain import MEMORY, Registry, connect, fund_dev_account
from notary.chain.artifact import abi
from notary.core import Proof
from notary.issuance import ClaimDefaults, IssueOptions, Journal, Summary, from_paths
from notary.pdf import read_attached_proof
from notary.pdf.samples import make_certificates
from notary.signing import KeystoreSigner
from notary.signing.relay import Relayer, RelayJournal
from notary.signing.sign_only import SignOnlyIssuance
from tests.issuing import verifier_for
from verifier.result import Verdict

pytestmark = pytest.mark.skipif(
    not any(item.get("name") == "anchorSigned" for item in abi()), reason="the registry has no anchorSigned"
)
FIRST, LATER = "https://verify.example/#", "https://pruefen.example.de/#"
DEFAULTS = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder="Lena Müller")


class Said:
    def start(self, total: int | None) -> None:
        pass

    def advance(self, done: int) -> None:
        pass

    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, message: str) -> None:
        self.lines.append(message)


def _run(registry: Registry, school: LocalAccount, work: Path, out: Path, qr_url: str) -> tuple[Summary, Said]:
    said = Said()
    journal = Journal(work / "journal.sqlite")
    options = IssueOptions(out_dir=out, batch_size=2, qr_url=qr_url)
    with ThreadPoolExecutor(2) as pool:
        try:
            run = SignOnlyIssuance(journal, registry, school, options, said, executor=pool, outbox=work / "outbox")
            summary = run.issue(from_paths([work / "in"], DEFAULTS), spec=f"test:{work / 'in'}")
        finally:
            journal.close()
    return summary, said


def _qr_urls(out: Path) -> set[str | None]:
    urls = set()
    for path in sorted(out.glob("*.pdf")):
        raw = read_attached_proof(path.read_bytes())
        assert raw is not None
        stamp = Proof.from_json(raw).stamp
        urls.add(None if stamp is None else stamp.qr_url)
    return urls


def test_a_resume_with_another_qr_url_finishes_with_the_recorded_one(tmp_path: Path) -> None:
    w3 = connect(MEMORY)
    admin, relayer, school = Account.create(), Account.create(), Account.create()
    for account in (admin, relayer):
        fund_dev_account(w3, account.address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, school.address, "Realschule am Park, Mannheim")
    (tmp_path / "in").mkdir()
    for i, pdf in enumerate(make_certificates(3, seed=7)):
        (tmp_path / "in" / f"zeugnis-{i}.pdf").write_bytes(pdf)
    out = tmp_path / "out"

    signed, _ = _run(registry, school, tmp_path, out, FIRST)
    assert signed.counts == {"batched": 3} and not list(out.glob("*.pdf"))
    relay_journal = RelayJournal(tmp_path / "relay.sqlite")
    try:
        Relayer(registry, KeystoreSigner(relayer), relay_journal).relay_folder(tmp_path / "outbox")
    finally:
        relay_journal.close()

    resumed, said = _run(registry, school, tmp_path, out, LATER)
    assert resumed.resumed and resumed.counts == {"written": 3}, (resumed.counts, resumed.problems)
    (line,) = [text for text in said.lines if "QR URL" in text]
    assert FIRST in line and LATER in line and "\n" not in line
    assert _qr_urls(out) == {FIRST}
    verifier = verifier_for(registry)
    for path in sorted(out.glob("*.pdf")):
        assert verifier.verify_pdf(path.read_bytes()).verdict is Verdict.VALID, path
