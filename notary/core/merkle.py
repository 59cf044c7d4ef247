"""Merkle batches, laid out exactly like OpenZeppelin's ``StandardMerkleTree.of(..., {sortLeaves: false})``.
FORMAT-CRITICAL.

Why this layout: the registry verifies with OpenZeppelin's ``MerkleProof.verify`` and the JavaScript package
``@openzeppelin/merkle-tree`` is an independent implementation to test against; matching its layout makes
our roots *and* proofs byte-identical to theirs (tests/unit/test_core_merkle_oz.py).

Layout (for ``n >= 1`` leaves, which are already leaf hashes):

1. Keep the leaves in input order (OZ's ``sortLeaves: false``: sorting them would cost n log n and buys
   nothing here — inner nodes are sorted pairs, so proofs verify whatever the leaf order).
2. Use an array ``T`` of ``2n - 1`` nodes; leaf ``k`` goes to ``T[2n - 2 - k]`` (so the leaves fill the tail
   of the array in *reverse* input order).
3. For ``i = n - 2`` down to ``0``: ``T[i] = node_hash(T[2i + 1], T[2i + 2])``. The root is ``T[0]``.
4. The proof of the leaf at ``T[j]``: while ``j > 0``, append ``T[j + 1]`` if ``j`` is odd else ``T[j - 1]``,
   then ``j = (j - 1) // 2``.

``node_hash(a, b) = keccak256(min(a, b) || max(a, b))`` (OZ ``Hashes.commutativeKeccak256``), so a proof
is just the list of siblings, without left/right flags. The tree is a complete binary tree, so a leaf's proof
has ``floor(log2 n)`` or ``floor(log2(2n - 1))`` siblings.

Cost: ``n - 1`` keccak calls to build; a proof is a walk over stored nodes, no hashing. A proof is carried
as one byte string of ``32 * depth`` bytes (:class:`MerkleProof`), not a list of objects: producing millions
of them is then mostly ``memcpy`` instead of reference counting.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from notary.core.hashing import Digest32, new_keccak256, raw_keccak256
from notary.errors import FormatError

__all__ = [
    "MAX_PROOF_DEPTH",
    "MerkleProof",
    "MerkleTree",
    "node_hash",
    "process_proof",
    "proof_length_bounds",
    "verify_proof",
]

MAX_PROOF_DEPTH = 32
"""Longest proof any reader must accept (2**32 leaves); the registry caps batches far lower."""

# bytes.__new__ on the subclass skips Digest32's checks: used only where the length is known to be 32.
_wrap = bytes.__new__


@dataclass(frozen=True, slots=True)
class MerkleProof(Sequence[Digest32]):
    """The siblings from a leaf up to the root, as one byte string of ``32 * len(self)`` bytes.

    It is a ``Sequence[Digest32]`` (``len``, indexing, iteration give the sibling digests in order); ``blob``
    is the concatenation, which is also the compact (CBOR) encoding of a proof.
    """

    blob: bytes

    def __post_init__(self) -> None:
        if type(self.blob) is not bytes:
            raise FormatError(f"a Merkle proof must be bytes, not {type(self.blob).__name__}")
        if len(self.blob) % 32:
            raise FormatError(f"a Merkle proof must be a multiple of 32 bytes long, got {len(self.blob)}")
        if len(self.blob) > 32 * MAX_PROOF_DEPTH:
            raise FormatError(f"Merkle proof too deep: {len(self.blob) // 32} siblings (limit {MAX_PROOF_DEPTH})")

    @classmethod
    def from_siblings(cls, siblings: Iterable[bytes]) -> MerkleProof:
        # plain 32-byte strings (what a tree or a decoder hands over) are taken as they are
        return cls(
            b"".join(
                [s if (type(s) is bytes or type(s) is Digest32) and len(s) == 32 else bytes(Digest32(s))
                 for s in siblings]
            )
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.blob) >> 5

    @overload
    def __getitem__(self, index: int) -> Digest32: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Digest32, ...]: ...
    def __getitem__(self, index: int | slice) -> Digest32 | tuple[Digest32, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("Merkle proof index out of range")
        return _wrap(Digest32, self.blob[32 * index : 32 * index + 32])

    def __iter__(self) -> Iterator[Digest32]:
        blob = self.blob
        for offset in range(0, len(blob), 32):
            yield _wrap(Digest32, blob[offset : offset + 32])

    def hex_list(self) -> list[str]:
        """The siblings as ``0x``-hex strings, the JSON (and OZ / ethers) form."""
        text = self.blob.hex()
        return ["0x" + text[i : i + 64] for i in range(0, len(text), 64)]

    def __repr__(self) -> str:
        return f"MerkleProof({self.hex_list()!r})"


def _make_proof(blob: bytes) -> MerkleProof:
    # Internal fast path for proofs the tree builds itself (length known good): skips __post_init__.
    proof = object.__new__(MerkleProof)
    object.__setattr__(proof, "blob", blob)
    return proof


def node_hash(a: bytes, b: bytes) -> Digest32:
    """OZ ``commutativeKeccak256``: keccak256 of the two children, smaller first."""
    return _wrap(Digest32, raw_keccak256(a + b if a <= b else b + a))


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> Digest32:
    """The root that ``proof`` leads to from ``leaf`` (OZ ``MerkleProof.processProof``)."""
    node = bytes(leaf if type(leaf) is Digest32 else Digest32(leaf))
    siblings = proof if isinstance(proof, MerkleProof) else MerkleProof.from_siblings(proof)
    blob = siblings.blob
    new = new_keccak256
    for offset in range(0, len(blob), 32):
        s = blob[offset : offset + 32]
        node = new(node + s if node <= s else s + node).digest()
    return _wrap(Digest32, node)


def verify_proof(leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """True if ``proof`` leads from ``leaf`` to ``root`` (OZ ``MerkleProof.verify``)."""
    return process_proof(leaf, proof) == Digest32(root)


def proof_length_bounds(leaf_count: int) -> tuple[int, int]:
    """(shortest, longest) proof length in an OZ-layout tree of ``leaf_count`` leaves.

    Node ``j`` sits at depth ``floor(log2(j + 1))`` and the leaves occupy ``n - 1 .. 2n - 2``.
    """
    if leaf_count < 1:
        raise FormatError("a Merkle tree has at least one leaf")
    return (leaf_count.bit_length() - 1, (2 * leaf_count - 1).bit_length() - 1)


class MerkleTree:
    """A built tree over ``n`` leaf hashes, indexed by the leaves' *input* positions.

    Build with :meth:`build`. All ``2n - 1`` nodes are kept (~65 bytes each in CPython), so a proof is a
    walk without hashing: :meth:`proof` serves any one leaf (the issuance pipeline stamps one PDF after
    another); :meth:`iter_proofs` yields all of them in node order, which touches memory sequentially and is
    several times faster for large batches than asking leaf by leaf.

    Proofs share their upper part: on first use the tree stores, for each of the top ``~n/16`` nodes, the
    sibling bytes from that node to the root; a leaf's proof is its few lowest siblings plus that string.
    """

    __slots__ = ("_n", "_nodes", "_order", "_tree_index", "_upper", "_upper_limit")

    def __init__(self, nodes: list[bytes], order: list[int]) -> None:
        # Private: use build().
        self._n = len(order)
        self._nodes = nodes
        self._order = order
        self._tree_index: list[int] | None = None
        self._upper: list[bytes] | None = None
        self._upper_limit = 0

    @classmethod
    def build(cls, leaves: Sequence[bytes]) -> MerkleTree:
        """Build the OZ-layout tree over ``leaves`` (32-byte leaf hashes, in input order)."""
        n = len(leaves)
        if n == 0:
            raise FormatError("a Merkle tree needs at least one leaf")
        # C-level checks: a per-leaf Python loop would cost a good share of the hashing time.
        if set(map(len, leaves)) != {32} or not all(issubclass(t, bytes) for t in set(map(type, leaves))):
            raise FormatError("every Merkle leaf must be 32 bytes")
        values = leaves if isinstance(leaves, list) else list(leaves)
        order = list(range(n))  # input order (OZ sortLeaves: false); kept as a table for the proof walks
        # Fresh copies of the leaves, allocated in node order: hashing and proof walks then read memory
        # sequentially instead of chasing the caller's objects around the heap (~10% faster at 1M leaves).
        packed = b"".join(map(values.__getitem__, reversed(order)))
        nodes: list[bytes] = [b""] * (n - 1)
        nodes += [packed[k : k + 32] for k in range(0, 32 * n, 32)]
        del packed
        new = new_keccak256
        j = 2 * n - 3
        for i in range(n - 2, -1, -1):
            a = nodes[j]
            b = nodes[j + 1]
            nodes[i] = new(a + b if a <= b else b + a).digest()
            j -= 2
        return cls(nodes, order)

    def __len__(self) -> int:
        return self._n

    @property
    def root(self) -> Digest32:
        return _wrap(Digest32, self._nodes[0])

    def leaf(self, index: int) -> Digest32:
        """The leaf hash given as ``leaves[index]`` to :meth:`build`."""
        return _wrap(Digest32, self._nodes[self.tree_index(index)])

    def tree_index(self, index: int) -> int:
        """Position of input leaf ``index`` in the OZ node array (OZ ``values[index].treeIndex``)."""
        if not 0 <= index < self._n:
            raise IndexError(f"leaf index {index} out of range for a tree of {self._n} leaves")
        tree_index = self._tree_index
        if tree_index is None:
            tree_index = self._tree_index = [0] * self._n
            last = 2 * self._n - 2
            for k, value_index in enumerate(self._order):
                tree_index[value_index] = last - k
        return tree_index[index]

    def _upper_paths(self) -> tuple[list[bytes], int]:
        upper = self._upper
        if upper is None:
            nodes = self._nodes
            limit = max(1, self._n >> 4)
            upper = [b""]
            append = upper.append
            for j in range(1, limit):
                append((nodes[j + 1] if j & 1 else nodes[j - 1]) + upper[(j - 1) >> 1])
            self._upper = upper
            self._upper_limit = limit
        return upper, self._upper_limit

    def proof(self, index: int) -> MerkleProof:
        """Siblings from leaf ``index`` (input order) up to the root; equal to OZ ``tree.getProof(index)``."""
        j = self.tree_index(index)
        upper, limit = self._upper_paths()
        nodes = self._nodes
        parts = []
        while j >= limit:
            parts.append(nodes[j + 1] if j & 1 else nodes[j - 1])
            j = (j - 1) >> 1
        parts.append(upper[j])
        return _make_proof(b"".join(parts))

    def iter_proofs(self) -> Iterator[tuple[int, MerkleProof]]:
        """Every ``(input index, proof)`` pair, in node order (not input order): the fast way to get all."""
        upper, limit = self._upper_paths()
        nodes = self._nodes
        order = self._order
        join = b"".join
        n = self._n
        last = 2 * n - 2
        for k in range(n):
            j = last - k
            parts = []
            while j >= limit:
                parts.append(nodes[j + 1] if j & 1 else nodes[j - 1])
                j = (j - 1) >> 1
            parts.append(upper[j])
            yield order[k], _make_proof(join(parts))

    def nodes(self) -> tuple[Digest32, ...]:
        """The whole OZ node array (``tree`` in OZ's ``dump()``), root first."""
        return tuple(_wrap(Digest32, node) for node in self._nodes)
