"""Issue 13 end to end: real issuance, real verification. A thief's statuses stop making genuine documents REVOKED
once the key is marked compromised; another issuer taking a school's pending root does not break the school's run;
a school that holds no ether has its batches relayed. On eth-tester and anvil."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary.chain import Reason, Registry, State
from notary.chain.registry import SignedTx
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.hashing import Digest32
from tests.chaintools import advance_time
from tests.conftest import Actors
from tests.issuing import issue_samples, verifier_for
from verifier.result import Verdict


def _now(registry: Registry) -> int:
    return registry.block_timestamp(registry.block_number())


def test_a_thiefs_revocations_stop_counting_once_the_key_is_marked(actors: Actors, tmp_path: Path) -> None:
    reg = actors.registry
    issued = issue_samples(reg, actors.issuer, tmp_path, count=2)
    verifier = verifier_for(reg)
    first, second = issued.proof(0), issued.proof(1)
    advance_time(actors.w3, 3600)
    stolen_at = _now(reg) + 1
    advance_time(actors.w3, 60)
    # the thief holds the school's key and revokes what the school issued, before anyone has noticed
    reg.set_document_state(actors.issuer, bytes(first.root), bytes(first.leaf()),
                           [bytes(p) for p in first.merkle_proof], State.REVOKED, Reason.FRAUD)  # fmt: skip
    reg.set_batch_state(actors.issuer, bytes(second.root), State.SUSPENDED, Reason.FRAUD)
    assert verifier.verify_pdf(issued.notarised[0].read_bytes()).verdict is Verdict.REVOKED
    assert verifier.verify_pdf(issued.notarised[1].read_bytes()).verdict is Verdict.SUSPENDED
    reg.mark_compromised(actors.admin, actors.issuer.address, stolen_at)
    # anchored before stolen_at, the documents are genuine; the thief's statuses do not count
    for path in issued.notarised:
        result = verifier.verify_pdf(path.read_bytes())
        assert result.verdict is Verdict.VALID, result.to_json()
    # the authority can still say the truth, and that counts
    reg.set_batch_state(actors.revoker, bytes(second.root), State.REVOKED, Reason.SUPERSEDED,
                        issuer=actors.issuer.address)  # fmt: skip
    assert verifier.verify_pdf(issued.notarised[1].read_bytes()).verdict is Verdict.REVOKED


class _FrontRunning(Registry):
    """Another authorised issuer sees each pending root (as in a public mempool) and anchors it first."""

    def __init__(self, registry: Registry, other: LocalAccount) -> None:
        super().__init__(registry.w3, registry.address)
        self.other = other
        self.taken: list[bytes] = []

    def sign_anchor(self, issuer: LocalAccount, root: bytes, document_count: int) -> SignedTx:
        Registry(self.w3, self.address).anchor(self.other, root, document_count)
        self.taken.append(bytes(root))
        return super().sign_anchor(issuer, root, document_count)


def test_another_issuer_anchoring_the_pending_root_first_does_not_break_the_run(actors: Actors, tmp_path: Path) -> None:
    front = _FrontRunning(actors.registry, actors.issuer2)
    issued = issue_samples(front, actors.issuer, tmp_path, count=3, batch_size=2)
    assert issued.summary.counts == {"written": 3}
    assert len(front.taken) == 2
    verifier = verifier_for(actors.registry)
    for i, path in enumerate(issued.notarised):
        result = verifier.verify_pdf(path.read_bytes())
        assert result.verdict is Verdict.VALID, result.to_json()
        assert issued.proof(i).issuer == actors.issuer.address
    for root in front.taken:
        assert actors.registry.batch(root, actors.issuer.address)[0].issuer == actors.issuer.address
        assert actors.registry.batch(root, actors.issuer2.address)[0].issuer == actors.issuer2.address


def test_a_relayed_batch_verifies_with_the_school_as_issuer(actors: Actors, tmp_path: Path) -> None:
    """The contract half of relaying: a root signed by a school with no ether, anchored by a relayer, reads as the
    school's in the views a verifier calls."""
    reg, school = actors.registry, Account.create()
    reg.add_issuer(actors.admin, school.address, "Grundschule ohne Wallet")
    leaves = [os.urandom(32), os.urandom(32)]
    root = _root(leaves)
    signature = sign_batch(bytes(school.key), BatchDomain(reg.chain_id, reg.address), Batch(Digest32(root), 2, 1))
    tx = reg.anchor_signed(actors.outsider, root, 2, 1, signature)
    view, issuer = reg.document_and_issuer(root, leaves[0], [leaves[1]], school.address)
    assert view.included and view.batch.issuer == school.address and issuer is not None
    assert issuer.authorised_at_block and issuer.trusted_at_time and issuer.name == "Grundschule ohne Wallet"
    assert reg.anchor_tx(root, tx.block_number, school.address) == tx.tx_hash
    assert reg.w3.eth.get_balance(school.address) == 0


def _root(leaves: Sequence[bytes]) -> bytes:
    from eth_utils import keccak

    a, b = sorted(leaves)
    return bytes(keccak(a + b))
