"""A batch is stamped while the next one is signed and anchored (the workers keep busy while the chain mines),
never under --strict, and a failure while the next batch is anchored still leaves this one's copies written."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eth_account import Account

from notary.chain import MEMORY, Registry, connect, fund_dev_account
from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, Summary, from_paths
from notary.pdf.samples import make_certificates
from tests.issuing import verifier_for
from verifier.result import Verdict

DEFAULTS = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder="Lena Müller")


class Boom(Exception):
    pass


@pytest.fixture(scope="module")
def chain() -> tuple[Registry, bytes]:
    w3 = connect(MEMORY)
    admin, issuer = Account.create(), Account.create()
    for account in (admin, issuer):
        fund_dev_account(w3, account.address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, issuer.address, "Bürgeramt Mannheim")
    return registry, bytes(issuer.key)


def _issue(chain: tuple[Registry, bytes], work: Path, seed: int, events: list[str], **options: object) -> Summary:
    registry, key = chain
    (work / "in").mkdir(parents=True, exist_ok=True)
    for i, pdf in enumerate(make_certificates(6, seed=seed)):
        (work / "in" / f"z{i}.pdf").write_bytes(pdf)
    fail_at = options.pop("fail_at", None)

    def checkpoint(stage: str) -> None:
        events.append(stage)
        if stage == fail_at and events.count(stage) == 2:
            raise Boom(stage)

    journal = Journal(work / "journal.sqlite")
    with ThreadPoolExecutor(2) as pool:
        try:
            run = Issuance(
                journal, registry, Account.from_key(key), IssueOptions(out_dir=work / "out", batch_size=2, chunk=2,
                **options),  # type: ignore[arg-type]
                executor=pool, checkpoint=checkpoint,
            )  # fmt: skip
            return run.issue(from_paths([work / "in"], DEFAULTS), spec=f"test:{work}")
        finally:
            journal.close()


def _steps(events: list[str]) -> list[str]:
    return [e for e in events if e in ("anchored", "stamped-part")]


def test_a_batch_is_stamped_while_the_next_is_anchored(chain: tuple[Registry, bytes], tmp_path: Path) -> None:
    events: list[str] = []
    summary = _issue(chain, tmp_path, 21, events)
    assert summary.counts == {"written": 6}
    # batch 2 anchored before batch 1's copies are put in place, batch 3 before batch 2's
    assert _steps(events) == ["anchored", "anchored", "stamped-part", "anchored", "stamped-part", "stamped-part"]
    verifier = verifier_for(chain[0])
    for path in sorted((tmp_path / "out").glob("*.pdf")):
        assert verifier.verify_pdf(path.read_bytes()).verdict is Verdict.VALID, path


def test_strict_stamps_each_batch_before_spending_on_the_next(chain: tuple[Registry, bytes], tmp_path: Path) -> None:
    events: list[str] = []
    summary = _issue(chain, tmp_path, 22, events, strict=True)
    assert summary.counts == {"written": 6}
    assert _steps(events) == ["anchored", "stamped-part"] * 3


def test_a_failure_while_the_next_batch_is_anchored_keeps_this_ones_copies(
    chain: tuple[Registry, bytes], tmp_path: Path
) -> None:
    events: list[str] = []
    with pytest.raises(Boom):
        _issue(chain, tmp_path, 23, events, fail_at="tx-sent")  # the second batch's transaction
    assert _steps(events) == ["anchored", "stamped-part"]  # batch 1's copies written and journaled all the same
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 2 and not list((tmp_path / "out").glob(".*.tmp"))
    summary = _issue(chain, tmp_path, 23, [])  # the same command finishes the rest
    assert summary.resumed and summary.counts == {"written": 6}
