"""Gas used by the registry's transactions, measured on the managed anvil.

Run: .venv/bin/python bench/gas.py   (or `make bench`). The last line is one JSON object.
For comparison: OpenAttestation's DocumentStore issue() costs 47,858 gas on the same anvil and stores a bool;
our anchor stores issuer, count, block and time in one slot. relay_anchor_gas: the same anchor relayed
(anchorSigned: the school signs, a relayer sends and pays; the signature recovery is most of the difference).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from notary import localchain
from notary.chain import Reason, State, connect
from notary.chain.devchain import dev_registry
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.hashing import Digest32
from notary.core.merkle import MerkleTree


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        chain = localchain.up(Path(tmp), port=localchain.free_port())
        try:
            figures = measure(chain.url)
        finally:
            localchain.down(Path(tmp))
    print("reproduce: .venv/bin/python bench/gas.py")
    print(json.dumps(figures))


def measure(url: str) -> dict[str, int]:
    dev = dev_registry(connect(url), "Realschule am Park, Mannheim")
    registry, issuer, deploy, add = dev.registry, dev.issuer, dev.deploy_tx, dev.add_issuer_tx
    # anchoring cost does not depend on the batch size: measure several random roots, report the median
    anchors = [registry.anchor(issuer, os.urandom(32), 1000).gas_used for _ in range(5)]
    domain = BatchDomain(registry.chain_id, registry.address)
    relayed = []
    for _ in range(5):
        root = os.urandom(32)
        signature = sign_batch(bytes(issuer.key), domain, Batch(Digest32(root), 1000, 1_790_000_000))
        relayed.append(registry.anchor_signed(dev.admin, root, 1000, 1_790_000_000, signature).gas_used)
    tree = MerkleTree.build([os.urandom(32) for _ in range(1000)])
    registry.anchor(issuer, bytes(tree.root), 1000)
    revoke_doc = registry.set_document_state(
        issuer,
        bytes(tree.root),
        bytes(tree.leaf(7)),
        [bytes(p) for p in tree.proof(7)],
        State.REVOKED,
        Reason.SUPERSEDED,
    )
    batch_root = os.urandom(32)
    registry.anchor(issuer, batch_root, 10)
    revoke_batch = registry.set_batch_state(issuer, batch_root, State.REVOKED, Reason.ISSUED_IN_ERROR)
    return {
        "deploy_gas": deploy.gas_used,
        "anchor_gas": int(statistics.median(anchors)),
        "relay_anchor_gas": int(statistics.median(relayed)),
        "openattestation_issue_gas": 47_858,
        "revoke_document_gas": revoke_doc.gas_used,
        "revoke_batch_gas": revoke_batch.gas_used,
        "add_issuer_gas": add.gas_used,
    }


if __name__ == "__main__":
    main()
