from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notary.core.hashing import Digest32, Salt, keccak256
from notary.core.leaves import leaf_hash, leaf_preimage, random_salt
from notary.core.merkle import MerkleProof, MerkleTree, node_hash, process_proof, proof_length_bounds, verify_proof
from notary.errors import FormatError


def _leaves(n: int, tag: str = "leaf") -> list[Digest32]:
    return [keccak256(f"{tag} {i}".encode()) for i in range(n)]


def _reference_tree(leaves: list[bytes]) -> tuple[bytes, list[list[bytes]]]:
    """A literal transcription of OZ core.js makeMerkleTree/getProof with sortLeaves: false (slow, obviously
    right)."""
    hashed = list(enumerate(leaves))
    size = 2 * len(leaves) - 1
    tree: list[bytes] = [b""] * size
    tree_index = {}
    for k, (value_index, leaf) in enumerate(hashed):
        tree[size - 1 - k] = leaf
        tree_index[value_index] = size - 1 - k
    for i in range(size - 1 - len(leaves), -1, -1):
        a, b = tree[2 * i + 1], tree[2 * i + 2]
        tree[i] = keccak256(min(a, b) + max(a, b))
    proofs = []
    for value_index in range(len(leaves)):
        j, proof = tree_index[value_index], []
        while j > 0:
            proof.append(tree[j - (-1) ** (j % 2)])
            j = (j - 1) // 2
        proofs.append(proof)
    return tree[0], proofs


@given(st.integers(min_value=1, max_value=300), st.integers(min_value=0, max_value=2))
def test_tree_matches_reference_and_proofs_verify(n: int, duplicates: int) -> None:
    leaves: list[bytes] = list(_leaves(n))
    leaves += leaves[:duplicates]  # equal leaves are fine: each keeps its own place
    tree = MerkleTree.build(leaves)
    root, proofs = _reference_tree(leaves)
    assert tree.root == root
    low, high = proof_length_bounds(len(leaves))
    for i, leaf in enumerate(leaves):
        proof = tree.proof(i)
        assert list(proof) == proofs[i]
        assert low <= len(proof) <= high
        assert tree.leaf(i) == leaf
        assert verify_proof(leaf, proof, tree.root)
        assert process_proof(leaf, list(proof)) == tree.root
    assert dict(tree.iter_proofs()) == {i: tree.proof(i) for i in range(len(leaves))}


def test_single_leaf_tree_is_its_leaf() -> None:
    leaf = keccak256(b"only")
    tree = MerkleTree.build([leaf])
    assert tree.root == leaf and len(tree.proof(0)) == 0


def test_proof_bounds() -> None:
    for n in range(1, 2000):
        low, high = proof_length_bounds(n)
        assert low == math.floor(math.log2(n)) and high <= low + 1


def test_node_hash_is_commutative() -> None:
    a, b = keccak256(b"a"), keccak256(b"b")
    assert node_hash(a, b) == node_hash(b, a) == keccak256(min(a, b) + max(a, b))


def test_wrong_proof_fails() -> None:
    leaves = _leaves(9)
    tree = MerkleTree.build(leaves)
    assert not verify_proof(leaves[0], tree.proof(1), tree.root)
    assert not verify_proof(leaves[0], tree.proof(0)[:-1], tree.root)


def test_build_rejects() -> None:
    with pytest.raises(FormatError, match="at least one leaf"):
        MerkleTree.build([])
    with pytest.raises(FormatError, match="32 bytes"):
        MerkleTree.build([b"\x00" * 31])
    with pytest.raises(FormatError, match="32 bytes"):
        MerkleTree.build(["a" * 32])  # type: ignore[list-item]
    with pytest.raises(IndexError):
        MerkleTree.build(_leaves(3)).proof(3)


def test_merkle_proof_type() -> None:
    siblings = _leaves(3)
    proof = MerkleProof.from_siblings(siblings)
    assert len(proof) == 3 and list(proof) == siblings and proof[-1] == siblings[2]
    assert proof[1:] == tuple(siblings[1:])
    assert proof.blob == b"".join(siblings)
    assert proof.hex_list() == [s.to_hex() for s in siblings]
    with pytest.raises(FormatError, match="multiple of 32"):
        MerkleProof(b"\x00" * 33)
    with pytest.raises(FormatError, match="too deep"):
        MerkleProof(b"\x00" * 32 * 33)
    with pytest.raises(FormatError, match="must be bytes"):
        MerkleProof(bytearray(32))  # type: ignore[arg-type]


def test_leaf_is_oz_double_hash() -> None:
    d, c, s = keccak256(b"d"), keccak256(b"c"), Salt(keccak256(b"s"))
    assert leaf_preimage(d, c, s) == d + c + s
    assert leaf_hash(d, c, s) == keccak256(keccak256(d + c + s))


def test_leaf_preimage_equals_eth_abi() -> None:
    from eth_abi import encode

    d, c, s = keccak256(b"d"), keccak256(b"c"), Salt(keccak256(b"s"))
    assert leaf_preimage(d, c, s) == encode(["bytes32", "bytes32", "bytes32"], [d, c, s])


def test_random_salt_uses_the_seam() -> None:
    assert random_salt(lambda n: b"\x07" * n) == b"\x07" * 32
    assert random_salt() != random_salt()
