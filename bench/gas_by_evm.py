"""Gas of the registry's main transactions for each EVM build, each on anvil forced to its hardfork.

Run: .venv/bin/python bench/gas_by_evm.py   The last line is one JSON object: per hardfork, the build deploy
picked by probing and the gas of deploy, add-issuer, anchor, relayed anchor, and revoking a batch and a document.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notary import localchain
from notary.chain import State, connect
from notary.chain.devchain import dev_registry
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.hashing import Digest32
from notary.core.merkle import MerkleTree

HARDFORKS = ("london", "paris", "shanghai", "cancun")


def measure(url: str) -> dict[str, object]:
    dev = dev_registry(connect(url), "Schule")
    registry, issuer = dev.registry, dev.issuer
    leaves = [os.urandom(32) for _ in range(1000)]
    tree = MerkleTree.build(leaves)
    anchored = registry.anchor(issuer, bytes(tree.root), len(leaves))
    root = os.urandom(32)
    signature = sign_batch(
        bytes(issuer.key), BatchDomain(registry.chain_id, registry.address), Batch(Digest32(root), 1000, 1)
    )
    relayed = registry.anchor_signed(dev.admin, root, 1000, 1, signature)
    proof = [bytes(p) for p in tree.proof(7)]
    document = registry.set_document_state(issuer, bytes(tree.root), leaves[7], proof, State.REVOKED, 1)
    batch = registry.set_batch_state(issuer, bytes(tree.root), State.REVOKED, 1)
    return {
        "build": registry.deployed_build(),
        "deploy": dev.deploy_tx.gas_used,
        "add_issuer": dev.add_issuer_tx.gas_used,
        "anchor": anchored.gas_used,
        "relay_anchor": relayed.gas_used,
        "revoke_document_of_1000": document.gas_used,
        "revoke_batch": batch.gas_used,
    }


def main() -> None:
    figures: dict[str, object] = {}
    for hardfork in HARDFORKS:
        with tempfile.TemporaryDirectory() as tmp:
            chain = localchain.up(Path(tmp), port=localchain.free_port(), hardfork=hardfork)
            try:
                figures[hardfork] = measure(chain.url)
            finally:
                localchain.down(Path(tmp))
        print(hardfork, figures[hardfork], file=sys.stderr)
    print(json.dumps({"gas_by_hardfork": figures}))


if __name__ == "__main__":
    main()
