"""Reading a version-1 registry (deployed before issue 13), so that the proofs it anchored keep verifying.

Proofs name their registry's address; a city that moved to version 2 deploys anew, and the old documents still
point at the old contract. Version 1 differs only in what a verifier reads: one global namespace of roots
(``documentStatus(root, leaf, proof)``, ``batch(root)``), statuses of five fields, and ``BatchAnchored(bytes32
indexed root, address indexed issuer, uint256 documentCount)``. It stores ``since`` and ``byAuthority`` with each
status but does not apply rule 1 of docs/contract.md (a status the issuer's key set at or after its
compromisedFrom does not count), so this reader applies it, from the same facts: the verdict is the same whichever
version holds the document. Issuing and status changes go to version 2 only.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from notary.chain.records import State, StatusRecord

V1_ARTIFACT = Path(__file__).resolve().parents[2] / "contracts" / "legacy" / "NotaryRegistry.v1.json"


@cache
def v1_artifact() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(V1_ARTIFACT.read_text(encoding="utf-8"))
    return data


def v1_abi() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = v1_artifact()["abi"]
    return result


def v1_status(answer: Any) -> StatusRecord:
    state, reason, since, block_number, by_authority = answer
    return StatusRecord(State(int(state)), int(reason), int(since), int(block_number), bool(by_authority))


def discounted(status: StatusRecord, compromised_from: int) -> StatusRecord:
    """Rule 1 for a version-1 record: set by the issuer's key (not by an authority) at or after its
    compromisedFrom, it does not count; it reads as ACTIVE with what the key did kept aside."""
    if status.block_number == 0 or status.by_authority or not compromised_from or status.since < compromised_from:
        return status
    return replace(
        status, state=State.ACTIVE, reason=0, ignored=True, ignored_state=status.state, ignored_reason=status.reason
    )
