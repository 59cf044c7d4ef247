"""Issue 13 on the contract: a stolen key cannot erase the past, roots per issuer, relayed anchoring, reason codes,
the two-step admin hand-over. Every test runs on eth-tester and on a real anvil node."""

from __future__ import annotations

import os

import pytest
from eth_account import Account
from eth_utils import keccak

from notary.chain import Reason, Registry, State
from notary.chain.registry import ADMIN_ROLE, DEFAULT_ADMIN_DELAY
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.hashing import Digest32
from notary.errors import ChainRefusal, ContractRevert
from tests.chaintools import advance_time
from tests.conftest import Actors


def _pair_tree() -> tuple[bytes, bytes, bytes]:
    a, b = os.urandom(32), os.urandom(32)
    return a, b, keccak(b"".join(sorted((a, b))))


def _refused(name: str, fn: object, *args: object, **kwargs: object) -> None:
    with pytest.raises(ContractRevert) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert info.value.name == name, str(info.value)


def _now(actors: Actors) -> int:
    return actors.registry.block_timestamp(actors.registry.block_number())


def _sign(key: bytes, registry: Registry, root: bytes, count: int, issued_at: int = 1_790_000_000) -> bytes:
    return sign_batch(key, BatchDomain(registry.chain_id, registry.address), Batch(Digest32(root), count, issued_at))


# ---------------------------------------------------------------- the past is safe


def test_a_thiefs_statuses_stop_counting_once_the_key_is_marked_compromised(actors: Actors) -> None:
    reg, school = actors.registry, actors.issuer
    a, b, root = _pair_tree()
    reg.anchor(school, root, 2)
    reg.set_document_state(school, root, b, [a], State.SUSPENDED, Reason.WITHDRAWN)  # the school's own, genuine
    advance_time(actors.w3, 3600)
    stolen_at = _now(actors) + 1
    advance_time(actors.w3, 60)
    # the thief, holding the school's key before anyone noticed, revokes the batch and one document
    reg.set_batch_state(school, root, State.REVOKED, Reason.FRAUD)
    reg.set_document_state(school, root, a, [b], State.REVOKED, Reason.FRAUD)
    assert reg.document(root, a, [b], school.address).batch_status.state is State.REVOKED  # counts, for now
    reg.mark_compromised(actors.admin, school.address, stolen_at)
    view = reg.document(root, a, [b], school.address)
    assert view.batch_status.state is State.ACTIVE and view.batch_status.ignored
    assert (view.batch_status.ignored_state, view.batch_status.ignored_reason) == (State.REVOKED, Reason.FRAUD)
    assert view.document_status.state is State.ACTIVE and view.document_status.ignored
    genuine = reg.document(root, b, [a], school.address).document_status
    assert genuine.state is State.SUSPENDED and not genuine.ignored  # set before stolen_at: it still counts
    _, batch_status = reg.batch(root, school.address)
    assert batch_status.state is State.ACTIVE and batch_status.ignored
    # what happened stays readable: the history lists the thief's changes
    history = reg.status_history(root, a, issuer=school.address)
    assert [(e.state, e.by) for e in history] == [(State.REVOKED, school.address)] * 2


def test_the_authority_restates_the_true_status_over_a_thiefs(actors: Actors) -> None:
    reg, school = actors.registry, actors.issuer
    a, b, root = _pair_tree()
    reg.anchor(school, root, 2)
    reg.set_batch_state(school, root, State.SUSPENDED, Reason.ISSUED_IN_ERROR)  # genuine suspension
    advance_time(actors.w3, 600)
    stolen_at = _now(actors) + 1
    advance_time(actors.w3, 60)
    reg.set_batch_state(school, root, State.ACTIVE)  # the thief lifts it...
    reg.set_document_state(school, root, a, [b], State.SUSPENDED, Reason.FRAUD)  # ...and suspends a document
    reg.mark_compromised(actors.admin, school.address, stolen_at)
    # the genuine suspension was overwritten by the thief: the views show ACTIVE, the authority says the truth
    assert reg.batch(root, school.address)[1].ignored
    reg.set_batch_state(actors.revoker, root, State.SUSPENDED, Reason.ISSUED_IN_ERROR, issuer=school.address)
    restated = reg.batch(root, school.address)[1]
    assert restated.state is State.SUSPENDED and restated.by_authority and not restated.ignored
    # a revoker or the admin may clear a status that does not count, so the record reads plainly again
    reg.set_document_state(actors.admin, root, a, [b], State.ACTIVE, issuer=school.address)
    cleared = reg.document(root, a, [b], school.address).document_status
    assert cleared.state is State.ACTIVE and not cleared.ignored and cleared.by_authority
    # the thief cannot act once the key is marked
    _refused("NotAllowedToChangeStatus", reg.set_document_state, school, root, b, [a], State.REVOKED, 3)


def test_a_thiefs_revocation_can_be_overruled_but_a_counted_revocation_is_final(actors: Actors) -> None:
    reg, school = actors.registry, actors.issuer
    genuine, stolen = os.urandom(32), os.urandom(32)
    reg.anchor(school, genuine, 1)
    reg.anchor(school, stolen, 1)
    reg.set_batch_state(school, genuine, State.REVOKED, Reason.SUPERSEDED)  # before the theft: counts
    advance_time(actors.w3, 600)
    stolen_at = _now(actors) + 1
    advance_time(actors.w3, 60)
    reg.set_batch_state(school, stolen, State.REVOKED, Reason.FRAUD)
    reg.mark_compromised(actors.admin, school.address, stolen_at)
    assert reg.batch(genuine, school.address)[1].state is State.REVOKED
    _refused("AlreadyRevoked", reg.set_batch_state, actors.admin, genuine, State.ACTIVE, 0, issuer=school.address)
    _refused("AlreadyRevoked", reg.set_batch_state, actors.revoker, genuine, State.SUSPENDED, 1, issuer=school.address)
    # the thief's revocation does not count: the authority may clear it, and may revoke for real
    reg.set_batch_state(actors.revoker, stolen, State.ACTIVE, issuer=school.address)
    assert reg.batch(stolen, school.address)[1].state is State.ACTIVE
    reg.set_batch_state(actors.admin, stolen, State.REVOKED, Reason.KEY_COMPROMISE, issuer=school.address)
    _refused("AlreadyRevoked", reg.set_batch_state, actors.revoker, stolen, State.ACTIVE, 0, issuer=school.address)


def test_an_issuer_can_neither_lift_nor_escalate_an_authority_suspension(actors: Actors) -> None:
    reg, school = actors.registry, actors.issuer
    a, b, root = _pair_tree()
    reg.anchor(school, root, 2)
    reg.set_batch_state(actors.revoker, root, State.SUSPENDED, Reason.FRAUD)
    _refused("NotAllowedToChangeStatus", reg.set_batch_state, school, root, State.REVOKED, Reason.WITHDRAWN)
    _refused("NotAllowedToChangeStatus", reg.set_batch_state, school, root, State.ACTIVE)
    reg.set_document_state(actors.admin, root, a, [b], State.SUSPENDED, Reason.FRAUD)
    _refused("NotAllowedToChangeStatus", reg.set_document_state, school, root, a, [b], State.REVOKED, 1)
    _refused("NotAllowedToChangeStatus", reg.set_document_state, school, root, a, [b], State.ACTIVE)
    # the school's own other document is still the school's to revoke
    reg.set_document_state(school, root, b, [a], State.REVOKED, Reason.WITHDRAWN)
    # once the authority lifts its suspension, the school may act again
    reg.set_batch_state(actors.revoker, root, State.ACTIVE)
    reg.set_batch_state(school, root, State.REVOKED, Reason.WITHDRAWN)
    assert reg.batch(root)[1].state is State.REVOKED


def test_an_authority_takes_over_an_issuers_suspension(actors: Actors) -> None:
    reg, school = actors.registry, actors.issuer
    root = os.urandom(32)
    reg.anchor(school, root, 1)
    reg.set_batch_state(school, root, State.SUSPENDED, Reason.WITHDRAWN)
    reg.set_batch_state(actors.revoker, root, State.SUSPENDED, Reason.FRAUD)  # now the authority's suspension
    status = reg.batch(root, school.address)[1]
    assert status.state is State.SUSPENDED and status.by_authority and status.reason == Reason.FRAUD
    _refused("NotAllowedToChangeStatus", reg.set_batch_state, school, root, State.ACTIVE)
    _refused("AlreadySuspended", reg.set_batch_state, actors.admin, root, State.SUSPENDED, Reason.FRAUD)


def test_reason_codes_are_range_checked(actors: Actors) -> None:
    reg, school = actors.registry, actors.issuer
    a, b, root = _pair_tree()
    reg.anchor(school, root, 2)
    for bad in (6, 255):
        _refused("InvalidReason", reg.set_batch_state, school, root, State.SUSPENDED, bad)
        _refused("InvalidReason", reg.set_document_state, actors.revoker, root, a, [b], State.REVOKED, bad)
    reg.set_batch_state(school, root, State.SUSPENDED, max(Reason))
    assert reg.batch(root)[1].reason == Reason.KEY_COMPROMISE


# ---------------------------------------------------------------- one namespace per issuer


def test_another_issuer_anchoring_the_school_s_root_first_changes_nothing_for_the_school(actors: Actors) -> None:
    reg, school, other = actors.registry, actors.issuer, actors.issuer2
    a, b, root = _pair_tree()
    first = reg.anchor(other, root, 2)  # e.g. copied from the mempool
    mine = reg.anchor(school, root, 2)
    record, _ = reg.batch(root, school.address)
    assert record.issuer == school.address and record.block_number == mine.block_number
    assert reg.batch(root, other.address)[0].block_number == first.block_number
    assert not reg.batch(root, actors.outsider.address)[0].anchored
    # a status in the other namespace does not touch the school's documents
    reg.set_document_state(other, root, a, [b], State.REVOKED, Reason.FRAUD)
    reg.set_batch_state(other, root, State.SUSPENDED, Reason.FRAUD)
    view = reg.document(root, a, [b], school.address)
    assert view.batch.issuer == school.address
    assert view.document_status.state is State.ACTIVE and view.batch_status.state is State.ACTIVE
    assert reg.anchor_tx(root, mine.block_number, school.address) == mine.tx_hash
    assert reg.anchor_tx(root, first.block_number, other.address) == first.tx_hash
    assert sorted(reg.issuer_of(root)) == sorted([school.address, other.address])
    with pytest.raises(ChainRefusal, match="several issuers"):
        reg.set_batch_state(actors.revoker, root, State.SUSPENDED, 1)  # which one? it must be named
    listed = {(e.issuer, e.root, e.tx_hash) for e in reg.anchors()}
    assert {(other.address, root, first.tx_hash), (school.address, root, mine.tx_hash)} <= listed
    assert [e.tx_hash for e in reg.anchors(school.address, from_block=mine.block_number)] == [mine.tx_hash]


# ---------------------------------------------------------------- relayed anchoring


def test_a_relayer_pays_and_the_signing_school_is_the_issuer(actors: Actors) -> None:
    reg = actors.registry
    school = Account.create()  # never funded: the school holds no ether
    reg.add_issuer(actors.admin, school.address, "Grundschule ohne Wallet")
    relayer = actors.outsider  # anyone may relay; the city's relay key in practice
    root, count = os.urandom(32), 17
    signature = _sign(bytes(school.key), reg, root, count)
    tx = reg.anchor_signed(relayer, root, count, 1_790_000_000, signature)
    record, _ = reg.batch(root, school.address)
    assert record.issuer == school.address and record.document_count == count
    assert reg.w3.eth.get_balance(school.address) == 0
    assert not reg.batch(root, relayer.address)[0].anchored
    assert reg.anchor_tx(root, tx.block_number, school.address) == tx.tx_hash
    # replayed: refused; altered count or time: the signature names another key, which is no issuer
    _refused("RootAlreadyAnchored", reg.anchor_signed, relayer, root, count, 1_790_000_000, signature)
    other_root = os.urandom(32)
    other_signature = _sign(bytes(school.key), reg, other_root, count)
    _refused("IssuerNotAuthorised", reg.anchor_signed, relayer, other_root, count + 1, 1_790_000_000, other_signature)
    _refused("IssuerNotAuthorised", reg.anchor_signed, relayer, other_root, count, 1_790_000_001, other_signature)
    _refused("InvalidSignature", reg.anchor_signed, relayer, other_root, count, 1_790_000_000, b"\x01" * 65)
    high_s = bytearray(other_signature)  # the mirror signature (s -> n - s) is refused as malleable
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s[32:64] = (n - int.from_bytes(other_signature[32:64], "big")).to_bytes(32, "big")
    high_s[64] = 55 - other_signature[64]
    _refused("InvalidSignature", reg.anchor_signed, relayer, other_root, count, 1_790_000_000, bytes(high_s))
    assert tx.gas_used < 80_000


def test_a_signed_batch_cannot_be_replayed_on_another_registry(actors: Actors) -> None:
    reg = actors.registry
    other, _ = Registry.deploy(actors.w3, actors.admin)
    other.add_issuer(actors.admin, actors.issuer.address, "Realschule am Park, Mannheim")
    root = os.urandom(32)
    signature = _sign(bytes(actors.issuer.key), reg, root, 3)
    _refused("IssuerNotAuthorised", other.anchor_signed, actors.outsider, root, 3, 1_790_000_000, signature)
    reg.anchor_signed(actors.outsider, root, 3, 1_790_000_000, signature)
    assert reg.batch(root, actors.issuer.address)[0].anchored
    assert not other.batch(root, actors.issuer.address)[0].anchored


def test_a_retired_issuers_signature_is_not_relayed(actors: Actors) -> None:
    reg, root = actors.registry, os.urandom(32)
    signature = _sign(bytes(actors.issuer2.key), reg, root, 1)
    reg.retire_issuer(actors.admin, actors.issuer2.address)
    _refused("IssuerNotAuthorised", reg.anchor_signed, actors.outsider, root, 1, 1_790_000_000, signature)


# ---------------------------------------------------------------- admin hand-over


def test_the_admin_is_handed_over_in_two_steps_after_a_delay(actors: Actors) -> None:
    reg, old = actors.registry, actors.admin
    new = Account.create()
    from notary.chain import fund_dev_account

    fund_dev_account(actors.w3, new.address)
    state = reg.admin_state()
    assert state.admin == old.address and state.pending is None and state.delay == DEFAULT_ADMIN_DELAY
    _refused("AccessControlUnauthorizedAccount", reg.begin_admin_transfer, actors.issuer, new.address)
    reg.begin_admin_transfer(old, new.address)
    pending = reg.admin_state()
    assert pending.pending == new.address and pending.accept_after >= _now(actors) + DEFAULT_ADMIN_DELAY - 1
    _refused("AccessControlEnforcedDefaultAdminDelay", reg.accept_admin_transfer, new)
    # a hand-over that was not meant can be cancelled during the delay
    reg.cancel_admin_transfer(old)
    assert reg.admin_state().pending is None
    reg.begin_admin_transfer(old, new.address)
    advance_time(actors.w3, DEFAULT_ADMIN_DELAY + 60)
    _refused("AccessControlInvalidDefaultAdmin", reg.accept_admin_transfer, actors.outsider)
    reg.accept_admin_transfer(new)
    assert reg.admin_state().admin == new.address
    assert reg.has_role(ADMIN_ROLE, new.address) and not reg.has_role(ADMIN_ROLE, old.address)
    _refused("AccessControlUnauthorizedAccount", reg.add_issuer, old, Account.create().address, "Alt")
    reg.add_issuer(new, Account.create().address, "Neu")


def test_the_last_admin_cannot_renounce_or_be_granted_away_at_once(actors: Actors) -> None:
    reg, admin = actors.registry, actors.admin
    renounce = reg.encode("renounceRole", [ADMIN_ROLE, admin.address])
    with pytest.raises(ContractRevert) as info:
        reg._send(admin, reg.address, renounce, 100_000, "renouncing")
    assert info.value.name == "AccessControlEnforcedDefaultAdminDelay"
    grant = reg.encode("grantRole", [ADMIN_ROLE, actors.outsider.address])
    with pytest.raises(ContractRevert) as info:
        reg._send(admin, reg.address, grant, 100_000, "granting")
    assert info.value.name == "AccessControlEnforcedDefaultAdminRules"
    assert reg.admin_state().admin == admin.address
