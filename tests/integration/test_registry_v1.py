"""Proofs anchored in a version-1 registry (before issue 13) keep verifying, with rule 1 (a compromised key's
statuses do not count) applied by the reader; on eth-tester and anvil."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from notary.chain import Reason, Registry, State
from notary.chain.legacy import v1_abi, v1_artifact
from tests.chaintools import advance_time
from tests.conftest import Actors
from tests.issuing import issue_samples, verifier_for
from verifier.result import Verdict


def _send(registry: Registry, sender: LocalAccount, data: str) -> None:
    result, _ = registry._send(sender, registry.address, data, 300_000, "calling a v1 registry")
    assert result.block_number


def _deploy_v1(actors: Actors) -> tuple[Registry, Any]:
    factory = actors.w3.eth.contract(abi=v1_abi(), bytecode=v1_artifact()["builds"]["cancun"]["bytecode"])
    probe = Registry(actors.w3, actors.registry.address)
    data = factory.constructor(actors.admin.address).data_in_transaction
    _, receipt = probe._send(actors.admin, None, data, 4_000_000, "deploying a v1 registry")
    address = receipt["contractAddress"]
    v1 = actors.w3.eth.contract(address=address, abi=v1_abi())
    registry = Registry(actors.w3, address)
    _send(registry, actors.admin, v1.encode_abi("addIssuer", [actors.issuer.address, "Realschule am Park"]))
    return registry, v1


def test_documents_of_a_v1_registry_verify_and_a_thiefs_revocation_stops_counting(
    actors: Actors, tmp_path: Path
) -> None:
    registry, v1 = _deploy_v1(actors)
    issued = issue_samples(registry, actors.issuer, tmp_path, count=2)  # anchor() is the same call in v1
    verifier = verifier_for(registry)
    for path in issued.notarised:
        assert verifier.verify_pdf(path.read_bytes()).verdict is Verdict.VALID
    proof = issued.proof(0)
    root, leaf, path_ = bytes(proof.root), bytes(proof.leaf()), [bytes(p) for p in proof.merkle_proof]
    assert registry.document(root, leaf, path_, proof.issuer).batch.issuer == actors.issuer.address
    advance_time(actors.w3, 600)
    stolen_at = registry.block_timestamp(registry.block_number()) + 1
    advance_time(actors.w3, 60)
    thief = actors.issuer
    _send(registry, thief, v1.encode_abi("revokeDocument", [root, leaf, path_, Reason.FRAUD]))
    assert verifier.verify_pdf(issued.notarised[0].read_bytes()).verdict is Verdict.REVOKED
    _send(registry, actors.admin, v1.encode_abi("markCompromised", [actors.issuer.address, stolen_at]))
    fresh = verifier_for(Registry(actors.w3, registry.address))
    result = fresh.verify_pdf(issued.notarised[0].read_bytes())
    assert result.verdict is Verdict.VALID, result.to_json()
    status = registry.document(root, leaf, path_, proof.issuer).document_status
    assert status.state is State.ACTIVE and status.ignored and status.ignored_state is State.REVOKED
