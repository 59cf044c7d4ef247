"""What the overlapped pipeline does when something breaks (review of the batch-ahead stamping): a document the
stamp step chokes on fails alone, and a run that dies while the next batch is anchored drops its queued work
instead of finishing it, and still puts the last batch's finished copies in place."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from notary.chain import Registry, connect
from notary.chain.devchain import dev_registry
from notary.errors import ChainError
from notary.issuance import Issuance, IssueOptions, Journal, documents, from_paths
from notary.issuance import run as run_module
from notary.issuance.workers import Workers
from notary.pdf.samples import make_certificates
from tests.integration.test_issuance_resume import DEFAULTS
from tests.issuing import verifier_for
from verifier.result import Verdict

pytestmark = pytest.mark.anvil


def _inputs(tmp_path: Path, count: int, seed: int) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(count, seed=seed)):
        (src / f"z{i:02d}.pdf").write_bytes(pdf)
    return src


def _issuance(anvil_url: str, dev: Any, tmp_path: Path, journal: Journal, **given: Any) -> Issuance:
    """The run as the tests here make it: batches of 2, read 2 at a time, output to tmp_path/out."""
    return Issuance(
        journal, Registry(connect(anvil_url), dev.registry.address), Account.from_key(dev.issuer.key),
        IssueOptions(out_dir=tmp_path / "out", batch_size=2, chunk=2, chain_wait=60, **given.pop("options", {})),
        **given,
    )  # fmt: skip


class _Pool(Workers):
    """The run's own worker processes, recording how the run shut them down."""

    cancelled: bool | None = None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if _Pool.cancelled is None:
            _Pool.cancelled = cancel_futures
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


def test_an_unexpected_error_while_stamping_fails_that_document_only(
    anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev = dev_registry(connect(anvil_url), "Realschule am Rhein")
    src = _inputs(tmp_path, 4, seed=83)
    real = documents._notarise

    def choking(original: bytes, *args: Any) -> Any:
        if original == (src / "z02.pdf").read_bytes():
            raise ValueError("a library's surprise")
        return real(original, *args)

    monkeypatch.setattr(documents, "_notarise", choking)
    journal = Journal(tmp_path / "j.sqlite")
    try:
        with ThreadPoolExecutor(2) as pool:
            summary = _issuance(anvil_url, dev, tmp_path, journal, executor=pool).issue(
                from_paths([src], DEFAULTS), spec="choke"
            )
    finally:
        journal.close()
    assert summary.counts == {"written": 3, "failed": 1}
    failed = [p for p in summary.problems if p.status == "failed"]
    assert [Path(p.src).name for p in failed] == ["z02.pdf"]
    assert "could not be stamped (ValueError: a library's surprise)" in failed[0].reason
    for name in ("z00.pdf", "z01.pdf", "z03.pdf"):
        result = verifier_for(dev.registry).verify_pdf((tmp_path / "out" / name).read_bytes())
        assert result.verdict is Verdict.VALID


def test_a_run_that_dies_anchoring_the_next_batch_drops_queued_work_and_keeps_the_last_copies(
    anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev = dev_registry(connect(anvil_url), "Realschule am Rhein")
    src = _inputs(tmp_path, 6, seed=84)
    real_anchor = Issuance._anchor
    anchored: list[int] = []

    def anchor_once(self: Issuance, batch: Any) -> None:
        if anchored:
            raise ChainError("the node went away")
        anchored.append(batch.id)
        real_anchor(self, batch)

    monkeypatch.setattr(Issuance, "_anchor", anchor_once)
    monkeypatch.setattr(run_module, "Workers", _Pool)
    _Pool.cancelled = None
    journal = Journal(tmp_path / "j.sqlite")
    try:
        with pytest.raises(ChainError, match="the node went away"):
            _issuance(anvil_url, dev, tmp_path, journal, options={"workers": 2}).issue(
                from_paths([src], DEFAULTS), spec="dies"
            )
        written = journal.db.execute("SELECT COUNT(*) FROM docs WHERE state = 'written'").fetchone()[0]
    finally:
        journal.close()
    assert _Pool.cancelled is True  # queued prepares were cancelled, not run to the end
    assert written == 2  # the first batch's copies, stamped while the second was anchored, are in place
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["z00.pdf", "z01.pdf"]
