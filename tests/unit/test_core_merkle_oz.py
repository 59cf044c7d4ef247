"""Byte-for-byte agreement with OpenZeppelin's @openzeppelin/merkle-tree (an independent implementation)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from notary.core.hashing import Salt, keccak256
from notary.core.leaves import leaf_hash
from notary.core.merkle import MerkleTree

SIZES = (1, 2, 3, 5, 8, 33, 100)


def _values(n: int) -> list[tuple[bytes, bytes, Salt]]:
    values = [
        (keccak256(b"doc %d" % i), keccak256(b"claims %d" % i), Salt(keccak256(b"salt %d" % i))) for i in range(n)
    ]
    if n >= 5:
        values[4] = values[1]  # a duplicate value: both implementations keep input order for equal leaves
    return values


@pytest.fixture(scope="module")
def oz_results(node_bin: str, node_scripts: Path) -> dict[int, dict[str, object]]:
    results = {}
    for n in SIZES:
        payload = {"values": [["0x" + bytes(x).hex() for x in v] for v in _values(n)]}
        out = subprocess.run(
            [node_bin, str(node_scripts / "oz_tree.mjs")],
            input=json.dumps(payload).encode(),
            capture_output=True,
            check=True,
            timeout=60,
        )
        results[n] = json.loads(out.stdout)
    return results


@pytest.mark.parametrize("n", SIZES)
def test_same_root_leaves_nodes_and_proofs_as_openzeppelin(n: int, oz_results: dict[int, dict[str, object]]) -> None:
    oz = oz_results[n]
    leaves = [leaf_hash(*v) for v in _values(n)]
    tree = MerkleTree.build(leaves)
    assert [lf.to_hex() for lf in leaves] == oz["leaves"]
    assert tree.root.to_hex() == oz["root"]
    assert [node.to_hex() for node in tree.nodes()] == oz["tree"]
    assert [tree.proof(i).hex_list() for i in range(n)] == oz["proofs"]
