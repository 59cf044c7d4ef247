"""Review findings on anchoring: a chain that loses anchors after their proofs were handed out (a managed anvil
SIGKILLed before it wrote its state), and the confirmations an anchor needs before its proofs are handed out.

The loss tests run their own anvil (it is killed); the confirmation test uses the session's.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eth_account import Account

from notary import localchain
from notary.chain import Registry, connect
from notary.issuance import Issuance, IssueOptions, Journal, Summary, from_paths
from tests.integration.test_issuance_resume import DEFAULTS, _anchors_by, _die_at, _fresh_registry, _make_inputs
from tests.issuing import verifier_for
from verifier.result import Verdict

pytestmark = pytest.mark.anvil


class Said:
    """A Progress that keeps what it is told (and can act on a message)."""

    def __init__(self, on_say: Callable[[str], None] | None = None) -> None:
        self.messages: list[str] = []
        self.on_say = on_say

    def start(self, total: int | None) -> None: ...
    def advance(self, done: int) -> None: ...
    def say(self, message: str) -> None:
        self.messages.append(message)
        if self.on_say is not None:
            self.on_say(message)


def _run(
    registry: Registry, key: bytes, src: Path, out: Path, journal_path: Path, *, progress: Said | None = None,
    checkpoint: Callable[[str], None] | None = None, persist: Callable[[], None] | None = None,
) -> Summary:  # fmt: skip
    journal = Journal(journal_path)
    try:
        with ThreadPoolExecutor(2) as pool:
            return Issuance(
                journal, registry, Account.from_key(key),
                IssueOptions(out_dir=out, batch_size=5, chunk=4, chain_wait=60), progress, pool, checkpoint, persist,
            ).issue(from_paths([src], DEFAULTS), spec=f"test:{src}")  # fmt: skip
    finally:
        journal.close()


def _kill(data_dir: Path) -> localchain.LocalChain:
    """SIGKILL the managed anvil (no chance to write its state) and reap it."""
    chain = localchain.running(data_dir)
    assert chain is not None
    os.kill(chain.pid, signal.SIGKILL)
    os.waitpid(chain.pid, 0)
    return chain


def _verdicts(registry: Registry, out: Path) -> list[Verdict]:
    verifier = verifier_for(registry)
    return [verifier.verify_pdf(p.read_bytes()).verdict for p in sorted(out.rglob("z*.pdf"))]


@pytest.mark.parametrize("nonce_used_meanwhile", [False, True])
def test_anchors_lost_by_a_killed_node_are_anchored_again_by_the_same_command(
    tmp_path: Path, nonce_used_meanwhile: bool
) -> None:
    data_dir = tmp_path / "chain"
    chain = localchain.up(data_dir, port=localchain.free_port())
    try:
        registry, key = _fresh_registry(chain.url)
        # what the node has on disk before the run: its last interval dump may predate the whole run, so the
        # loss is made certain by putting exactly that state back (a timer can't be raced reliably in a test)
        before_run = localchain.dump_state(chain.url)
        assert before_run is not None
        src, out, journal = tmp_path / "in", tmp_path / "out", tmp_path / "journal.sqlite"
        _make_inputs(src, 12, seed=41)
        first = _run(registry, key, src, out, journal)
        assert first.counts == {"written": 12} and first.batches == 3
        assert set(_verdicts(registry, out)) == {Verdict.VALID}

        killed = _kill(data_dir)  # right after the run, well within anvil's one-second state interval
        localchain.write_state(killed.state_file, before_run)
        chain = localchain.up(data_dir, port=killed.port)
        restarted = Registry(connect(chain.url), registry.address)
        assert set(_verdicts(restarted, out)) == {Verdict.INVALID}  # the handed-out proofs fail: anchors lost
        issuer = Account.from_key(key)
        if nonce_used_meanwhile:  # the recorded transactions' nonces are taken: they must be signed afresh
            restarted.anchor(issuer, os.urandom(32), 1)

        progress = Said()
        again = _run(Registry(connect(chain.url), registry.address), key, src, out, journal, progress=progress)
        assert again.resumed and again.counts == {"written": 12} and again.batches == 3
        assert sum("no longer on the chain" in m for m in progress.messages) == 3, progress.messages
        assert set(_verdicts(restarted, out)) == {Verdict.VALID}  # every handed-out file verifies again
        roots = _anchors_by(restarted, issuer.address)
        assert len(roots) == len(set(roots)) == 3 + (1 if nonce_used_meanwhile else 0)
        # and a further run has nothing left to repair
        quiet = Said()
        _run(Registry(connect(chain.url), registry.address), key, src, out, journal, progress=quiet)
        assert not any("no longer on the chain" in m for m in quiet.messages)
    finally:
        localchain.down(data_dir)


def test_the_managed_chain_writes_each_anchor_before_its_proofs_are_handed_out(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    chain = localchain.up(data_dir, port=localchain.free_port())
    try:
        registry, key = _fresh_registry(chain.url)
        time.sleep(localchain.STATE_INTERVAL + 0.5)  # the registry itself is on disk (it predates the run)
        src, out = tmp_path / "in", tmp_path / "out"
        _make_inputs(src, 7, seed=43)
        persisted: list[bool] = []
        stamped_after_persist: list[bool] = []

        def persist() -> None:
            persisted.append(localchain.persist(data_dir))

        def checkpoint(stage: str) -> None:
            if stage == "stamped-part":
                stamped_after_persist.append(len(persisted) > 0)

        summary = _run(registry, key, src, out, tmp_path / "j.sqlite", checkpoint=checkpoint, persist=persist)
        assert summary.counts == {"written": 7} and persisted == [True, True] and all(stamped_after_persist)
        killed = _kill(data_dir)  # before anvil's own interval could write the last anchor
        chain = localchain.up(data_dir, port=killed.port)
        assert set(_verdicts(Registry(connect(chain.url), registry.address), out)) == {Verdict.VALID}
    finally:
        localchain.down(data_dir)


def test_an_anchor_found_on_resume_waits_for_its_confirmations(anvil_url: str, tmp_path: Path) -> None:
    registry, key = _fresh_registry(anvil_url)
    src, out, journal = tmp_path / "in", tmp_path / "out", tmp_path / "journal.sqlite"
    _make_inputs(src, 5, seed=45)  # one batch
    child = multiprocessing.get_context("fork").Process(
        target=_run, args=(registry, key, src, out, journal), kwargs={"checkpoint": _die_at("tx-sent", 1)}
    )
    child.start()
    child.join(120)
    assert child.exitcode == 9  # killed after sending: anvil mined it, the journal says 'sending'

    w3 = connect(anvil_url)
    confirmed = Registry(w3, registry.address, confirmations=3)
    mined_for_us: list[int] = []

    def mine_when_asked(message: str) -> None:  # blocks come only when the pipeline says it waits for them
        if "confirmations" in message:
            for _ in range(3):
                w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            mined_for_us.append(3)

    seen: list[tuple[int, int]] = []

    def checkpoint(stage: str) -> None:
        if stage == "anchored":
            record, _ = confirmed.batch(_anchored_root(journal))
            seen.append((record.block_number, confirmed.block_number()))

    progress = Said(mine_when_asked)
    summary = _run(confirmed, key, src, out, journal, progress=progress, checkpoint=checkpoint)
    assert summary.resumed and summary.counts == {"written": 5}
    assert mined_for_us and seen, progress.messages
    anchored_in, head_when_stamped = seen[0]
    assert head_when_stamped >= anchored_in + 3  # 3 confirmations: three blocks on top of the one it was mined in
    assert set(_verdicts(confirmed, out)) == {Verdict.VALID}


def _anchored_root(journal_path: Path) -> bytes:
    journal = Journal(journal_path)
    try:
        row = journal.db.execute("SELECT root FROM batches ORDER BY id DESC LIMIT 1").fetchone()
        return bytes(row[0])
    finally:
        journal.close()


def test_a_node_killed_between_mined_and_persist_loses_no_handed_out_proof(tmp_path: Path) -> None:
    """Issue 10: the node dies after the anchor was mined but before it was persisted; the restarted node lacks
    the anchor, so the run must anchor it again before stamping, not stamp and carry on."""
    data_dir = tmp_path / "chain"
    chain = localchain.up(data_dir, port=localchain.free_port())
    try:
        registry, key = _fresh_registry(chain.url)
        src, out = tmp_path / "in", tmp_path / "out"
        _make_inputs(src, 12, seed=47)
        before_anchor: list[bytes | None] = []
        kills: list[int] = []

        def checkpoint(stage: str) -> None:
            if stage == "tx-recorded" and not kills:  # the state as it is before this batch's anchor
                before_anchor.append(localchain.dump_state(localchain.running(data_dir).url))  # type: ignore[union-attr]

        def persist() -> None:
            if kills or not before_anchor:
                localchain.persist(data_dir)
                return
            killed = _kill(data_dir)  # the persist never happens: the node comes back from its older state
            state = before_anchor[0]
            assert state is not None
            localchain.write_state(killed.state_file, state)
            localchain.up(data_dir, port=killed.port)
            kills.append(1)

        progress = Said()
        summary = _run(registry, key, src, out, tmp_path / "j.sqlite", progress=progress, checkpoint=checkpoint,
                       persist=persist)  # fmt: skip
        assert kills == [1] and summary.counts == {"written": 12} and summary.batches == 3
        assert any("lost by the restarted node" in m for m in progress.messages), progress.messages
        chain = localchain.running(data_dir)  # type: ignore[assignment]
        assert chain is not None
        restarted = Registry(connect(chain.url), registry.address)
        assert set(_verdicts(restarted, out)) == {Verdict.VALID}
        roots = _anchors_by(restarted, Account.from_key(key).address)
        assert len(roots) == len(set(roots)) == 3
    finally:
        localchain.down(data_dir)
