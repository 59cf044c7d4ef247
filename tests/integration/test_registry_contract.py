"""The NotaryRegistry's rules, on eth-tester and on a real anvil node (every test runs on both)."""

from __future__ import annotations

import os

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from notary.chain import Reason, Registry, State
from notary.chain.registry import ISSUER_ROLE, REVOKER_ROLE
from notary.errors import ContractRevert
from tests.chaintools import advance_time
from tests.conftest import Actors


def _root() -> bytes:
    return os.urandom(32)


def _pair_tree() -> tuple[bytes, bytes, bytes]:
    """Two leaves and their root (sorted-pair keccak, as OpenZeppelin's MerkleProof expects)."""
    a, b = os.urandom(32), os.urandom(32)
    return a, b, keccak(b"".join(sorted((a, b))))


def _refused(name: str, fn: object, *args: object) -> None:
    with pytest.raises(ContractRevert) as info:
        fn(*args)  # type: ignore[operator]
    assert info.value.name == name, str(info.value)


# ---------------------------------------------------------------- anchoring


def test_issuer_anchors_and_the_record_is_complete(actors: Actors) -> None:
    root = _root()
    tx = actors.registry.anchor(actors.issuer, root, 1234)
    record, status = actors.registry.batch(root)
    assert record.anchored
    assert record.issuer == actors.issuer.address
    assert record.document_count == 1234
    assert record.block_number == tx.block_number
    assert record.timestamp == actors.registry.block_timestamp(tx.block_number)
    assert status.state is State.ACTIVE
    assert tx.gas_used < 47_858  # OpenAttestation's issue(), which stores one bool


def test_anchor_with_metadata_is_recorded(actors: Actors) -> None:
    root = _root()
    actors.registry.anchor(actors.issuer, root, 3, metadata_hash=b"\x01" * 32, metadata_uri="urn:run:42")
    assert actors.registry.batch(root)[0].document_count == 3


def test_unknown_root_is_not_anchored(actors: Actors) -> None:
    record, _ = actors.registry.batch(_root())
    assert not record.anchored


def test_non_issuer_cannot_anchor(actors: Actors) -> None:
    _refused("IssuerNotAuthorised", actors.registry.anchor, actors.outsider, _root(), 1)
    _refused("IssuerNotAuthorised", actors.registry.anchor, actors.revoker, _root(), 1)
    _refused("IssuerNotAuthorised", actors.registry.anchor, actors.admin, _root(), 1)


def test_duplicate_zero_and_bad_counts_are_refused(actors: Actors) -> None:
    root = _root()
    actors.registry.anchor(actors.issuer, root, 1)
    _refused("RootAlreadyAnchored", actors.registry.anchor, actors.issuer, root, 1)
    _refused("ZeroRoot", actors.registry.anchor, actors.issuer, b"\x00" * 32, 1)
    _refused("EmptyBatch", actors.registry.anchor, actors.issuer, _root(), 0)
    _refused("BatchTooLarge", actors.registry.anchor, actors.issuer, _root(), 2**24)
    actors.registry.anchor(actors.issuer, _root(), 2**24 - 1)


# ---------------------------------------------------------------- issuer registry


def test_only_admin_manages_issuers(actors: Actors) -> None:
    reg, newcomer = actors.registry, Account.create().address
    _refused("AccessControlUnauthorizedAccount", reg.add_issuer, actors.outsider, newcomer, "Fake Stadt")
    _refused("AccessControlUnauthorizedAccount", reg.add_issuer, actors.issuer, newcomer, "Fake Stadt")
    _refused("AccessControlUnauthorizedAccount", reg.retire_issuer, actors.issuer, actors.issuer2.address)
    _refused("AccessControlUnauthorizedAccount", reg.mark_compromised, actors.revoker, actors.issuer.address, 0)
    _refused("AccessControlUnauthorizedAccount", reg.rename_issuer, actors.issuer, actors.issuer.address, "Mine")
    _refused("AccessControlUnauthorizedAccount", reg.grant_revoker, actors.issuer, actors.outsider.address)


def test_issuer_role_is_managed_only_through_the_registry(actors: Actors) -> None:
    reg = actors.registry
    assert reg.has_role(ISSUER_ROLE, actors.issuer.address)
    assert not reg.has_role(ISSUER_ROLE, actors.outsider.address)
    assert reg.has_role(REVOKER_ROLE, actors.revoker.address)
    data = reg.encode("grantRole", [ISSUER_ROLE, actors.outsider.address])
    with pytest.raises(ContractRevert) as info:
        reg._send(actors.admin, reg.address, data, 100_000, "granting")
    assert info.value.name == "UseIssuerRegistry"


def test_names_and_duplicates(actors: Actors) -> None:
    reg = actors.registry
    _refused("IssuerAlreadyRegistered", reg.add_issuer, actors.admin, actors.issuer.address, "Again")
    _refused("InvalidName", reg.add_issuer, actors.admin, Account.create().address, "")
    _refused("ZeroAddress", reg.add_issuer, actors.admin, "0x" + "00" * 20, "Nobody")
    _refused("UnknownIssuer", reg.retire_issuer, actors.admin, actors.outsider.address)
    reg.rename_issuer(actors.admin, actors.issuer.address, "Realschule am Schlosspark")
    assert reg.issuer(actors.issuer.address).name == "Realschule am Schlosspark"


def test_retired_issuer_cannot_anchor_but_its_past_anchors_stay_valid(actors: Actors) -> None:
    reg, root = actors.registry, _root()
    anchored = reg.anchor(actors.issuer, root, 10)
    retired = reg.retire_issuer(actors.admin, actors.issuer.address)
    _refused("IssuerNotAuthorised", reg.anchor, actors.issuer, _root(), 1)
    _refused("IssuerAlreadyRetired", reg.retire_issuer, actors.admin, actors.issuer.address)
    _refused("IssuerAlreadyRegistered", reg.add_issuer, actors.admin, actors.issuer.address, "Back again")
    record, _ = reg.batch(root)
    then = reg.issuer_at(actors.issuer.address, record.block_number, record.timestamp)
    assert then.authorised_at_block and then.trusted_at_time
    assert then.retired_at_block == retired.block_number
    # an anchor in the retirement's own block came before it (later anchors revert), so it was authorised
    assert reg.issuer_at(actors.issuer.address, retired.block_number, record.timestamp).authorised_at_block
    now = reg.issuer_at(actors.issuer.address, retired.block_number + 1, record.timestamp)
    assert not now.authorised_at_block
    assert anchored.block_number < retired.block_number
    assert not reg.has_role(ISSUER_ROLE, actors.issuer.address)


def test_compromised_key_invalidates_what_it_anchored_from_then_on(actors: Actors) -> None:
    reg, before, after = actors.registry, _root(), _root()
    reg.anchor(actors.issuer, before, 1)
    advance_time(actors.w3, 3600)
    reg.anchor(actors.issuer, after, 1)
    after_record, _ = reg.batch(after)
    before_record, _ = reg.batch(before)
    reg.mark_compromised(actors.admin, actors.issuer.address, after_record.timestamp)
    judged_before = reg.issuer_at(actors.issuer.address, before_record.block_number, before_record.timestamp)
    judged_after = reg.issuer_at(actors.issuer.address, after_record.block_number, after_record.timestamp)
    assert judged_before.authorised_at_block and judged_before.trusted_at_time
    assert judged_after.authorised_at_block and not judged_after.trusted_at_time
    assert judged_after.compromised_from == after_record.timestamp
    _refused("IssuerNotAuthorised", reg.anchor, actors.issuer, _root(), 1)
    _refused("IssuerAlreadyCompromised", reg.mark_compromised, actors.admin, actors.issuer.address, 0)
    # a thief holding the key cannot revoke or unsuspend the key's earlier, valid documents either
    _refused("NotAllowedToChangeStatus", reg.set_batch_state, actors.issuer, before, State.REVOKED, 3)


def test_compromise_cannot_be_dated_in_the_future(actors: Actors) -> None:
    future = actors.registry.block_timestamp(actors.registry.block_number()) + 86_400
    _refused("CompromiseInFuture", actors.registry.mark_compromised, actors.admin, actors.issuer.address, future)


# ---------------------------------------------------------------- status


def test_document_revocation_needs_a_valid_proof_and_a_right(actors: Actors) -> None:
    reg = actors.registry
    a, b, root = _pair_tree()
    reg.anchor(actors.issuer, root, 2)
    _refused("InvalidMerkleProof", reg.set_document_state, actors.issuer, root, a, [a], State.REVOKED, 1)
    _refused("NotAllowedToChangeStatus", reg.set_document_state, actors.outsider, root, a, [b], State.REVOKED, 1)
    _refused("NotAllowedToChangeStatus", reg.set_document_state, actors.issuer2, root, a, [b], State.REVOKED, 1)
    _refused("BatchNotAnchored", reg.set_document_state, actors.issuer, _root(), a, [b], State.REVOKED, 1)
    reg.set_document_state(actors.issuer, root, a, [b], State.REVOKED, Reason.SUPERSEDED)
    view = reg.document(root, a, [b])
    assert view.included and view.batch.issuer == actors.issuer.address
    assert view.document_status.state is State.REVOKED
    assert view.document_status.reason == Reason.SUPERSEDED
    assert view.batch_status.state is State.ACTIVE
    other = reg.document(root, b, [a])
    assert other.included and other.document_status.state is State.ACTIVE
    assert not reg.document(root, a, [a]).included
    _refused("AlreadyRevoked", reg.set_document_state, actors.issuer, root, a, [b], State.SUSPENDED, 1)
    _refused("AlreadyRevoked", reg.set_document_state, actors.admin, root, a, [b], State.ACTIVE, 0)
    history = reg.status_history(root, a)
    assert [(e.state, e.reason, e.by) for e in history] == [(State.REVOKED, 1, actors.issuer.address)]


def test_a_leaf_copied_into_another_batch_is_another_document(actors: Actors) -> None:
    reg = actors.registry
    a, b, root = _pair_tree()
    reg.anchor(actors.issuer, root, 2)
    c = os.urandom(32)
    rogue_root = keccak(b"".join(sorted((a, c))))
    reg.anchor(actors.issuer2, rogue_root, 2)
    # issuer2 "revokes" a in its own batch: the genuine document in issuer's batch is untouched
    reg.set_document_state(actors.issuer2, rogue_root, a, [c], State.REVOKED, Reason.FRAUD)
    assert reg.document(root, a, [b]).document_status.state is State.ACTIVE


def test_suspension_can_be_lifted_and_revoker_and_admin_may_act(actors: Actors) -> None:
    reg = actors.registry
    a, b, root = _pair_tree()
    reg.anchor(actors.issuer, root, 2)
    _refused("NotSuspended", reg.set_document_state, actors.issuer, root, a, [b], State.ACTIVE, 0)
    reg.set_document_state(actors.revoker, root, a, [b], State.SUSPENDED, Reason.WITHDRAWN)
    assert reg.document(root, a, [b]).document_status.state is State.SUSPENDED
    # the issuer may not touch a suspension a revoker set (test_registry_keys: nor escalate it)
    _refused("NotAllowedToChangeStatus", reg.set_document_state, actors.issuer, root, a, [b], State.SUSPENDED, 1)
    _refused("AlreadySuspended", reg.set_document_state, actors.admin, root, a, [b], State.SUSPENDED, 1)
    reg.set_document_state(actors.admin, root, a, [b], State.ACTIVE)
    assert reg.document(root, a, [b]).document_status.state is State.ACTIVE
    states = [e.state for e in reg.status_history(root, a)]
    assert states == [State.SUSPENDED, State.ACTIVE]


def test_an_issuer_cannot_lift_a_suspension_set_by_a_revoker_or_the_admin(actors: Actors) -> None:
    reg = actors.registry
    a, b, root = _pair_tree()
    reg.anchor(actors.issuer, root, 2)
    reg.set_document_state(actors.revoker, root, a, [b], State.SUSPENDED, Reason.FRAUD)
    assert reg.document(root, a, [b]).document_status.by_authority
    _refused("NotAllowedToChangeStatus", reg.set_document_state, actors.issuer, root, a, [b], State.ACTIVE, 0)
    reg.set_batch_state(actors.admin, root, State.SUSPENDED, Reason.FRAUD)
    _refused("NotAllowedToChangeStatus", reg.set_batch_state, actors.issuer, root, State.ACTIVE, 0)
    reg.retire_issuer(actors.admin, actors.issuer.address)
    _refused("NotAllowedToChangeStatus", reg.set_batch_state, actors.issuer, root, State.ACTIVE, 0)
    reg.set_batch_state(actors.revoker, root, State.ACTIVE)
    reg.set_document_state(actors.admin, root, a, [b], State.ACTIVE)
    # the issuer's own suspension is the issuer's to lift
    reg.set_document_state(actors.issuer, root, b, [a], State.SUSPENDED, Reason.WITHDRAWN)
    assert not reg.document(root, b, [a]).document_status.by_authority
    reg.set_document_state(actors.issuer, root, b, [a], State.ACTIVE)
    assert reg.document(root, b, [a]).document_status.state is State.ACTIVE


def test_batch_status(actors: Actors) -> None:
    reg, root = actors.registry, _root()
    reg.anchor(actors.issuer, root, 5)
    _refused("NotAllowedToChangeStatus", reg.set_batch_state, actors.outsider, root, State.REVOKED, 1)
    _refused("BatchNotAnchored", reg.set_batch_state, actors.issuer, _root(), State.REVOKED, 1)
    reg.set_batch_state(actors.issuer, root, State.SUSPENDED, Reason.ISSUED_IN_ERROR)
    reg.set_batch_state(actors.issuer, root, State.ACTIVE)
    reg.set_batch_state(actors.revoker, root, State.REVOKED, Reason.ISSUED_IN_ERROR)
    _, status = reg.batch(root)
    assert status.state is State.REVOKED and status.reason == Reason.ISSUED_IN_ERROR
    _refused("AlreadyRevoked", reg.set_batch_state, actors.admin, root, State.ACTIVE, 0)
    # a retired (not compromised) issuer may still revoke what it issued
    reg2 = _root()
    reg.anchor(actors.issuer2, reg2, 1)
    reg.retire_issuer(actors.admin, actors.issuer2.address)
    reg.set_batch_state(actors.issuer2, reg2, State.REVOKED, Reason.WITHDRAWN)


# ---------------------------------------------------------------- signatures


def test_batch_signature_recovers_on_chain_only_for_its_own_domain(actors: Actors) -> None:
    reg = actors.registry
    root, count, issued_at = _root(), 42, 1_790_000_000
    message = {
        "domain": {
            "name": "NotaryRegistry",
            "version": "1",
            "chainId": reg.chain_id,
            "verifyingContract": reg.address,
        },
        "types": {
            "Batch": [
                {"name": "root", "type": "bytes32"},
                {"name": "documentCount", "type": "uint32"},
                {"name": "issuedAt", "type": "uint64"},
            ]
        },
        "primaryType": "Batch",
        "message": {"root": root, "documentCount": count, "issuedAt": issued_at},
    }
    signed = actors.issuer.sign_message(encode_typed_data(full_message=message))
    assert reg.recover_batch_signer(root, count, issued_at, signed.signature) == actors.issuer.address
    assert reg.recover_batch_signer(root, count + 1, issued_at, signed.signature) != actors.issuer.address
    other, _ = Registry.deploy(actors.w3, actors.admin)
    assert other.recover_batch_signer(root, count, issued_at, signed.signature) != actors.issuer.address
    assert reg.recover_batch_signer(root, count, issued_at, b"\x00" * 65) == "0x" + "00" * 20
