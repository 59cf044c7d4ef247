"""Benchmark: build an OZ-layout Merkle tree AND produce every proof, for 10k, 100k and 1M leaves.

    .venv/bin/python bench/merkle.py [--runs N]

Prints details, the command line, and as its LAST line one JSON object with median seconds:
{"leaves_10k_s": S, "leaves_100k_s": S, "leaves_1m_s": S}
Timed: MerkleTree.build(leaves) + materialising all n proofs via tree.iter_proofs() (node order, the fast
bulk path). Also reported (not in the JSON): proofs fetched one by one in input order (tree.proof(i)), and
computing leaves from (document hash, claims digest, salt), which the issuance pipeline does first.
Leaf values are random 32-byte strings created before timing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time

from notary.core.hashing import Digest32, Salt, new_keccak256
from notary.core.leaves import leaf_hash
from notary.core.merkle import MerkleTree

SIZES = {"leaves_10k_s": 10_000, "leaves_100k_s": 100_000, "leaves_1m_s": 1_000_000}


def random_leaves(n: int) -> list[bytes]:
    blob = os.urandom(32 * n)
    return [blob[i : i + 32] for i in range(0, 32 * n, 32)]


def build_and_prove(leaves: list[bytes]) -> float:
    gc.collect()
    start = time.perf_counter()
    tree = MerkleTree.build(leaves)
    depth_total = 0
    for _index, proof in tree.iter_proofs():
        depth_total += len(proof)
    elapsed = time.perf_counter() - start
    assert depth_total > 0 or len(leaves) == 1
    return elapsed


def input_order_proofs(leaves: list[bytes]) -> float:
    tree = MerkleTree.build(leaves)
    start = time.perf_counter()
    for i in range(len(leaves)):
        tree.proof(i)
    return time.perf_counter() - start


def leaf_hashing(n: int) -> float:
    d, c, s = Digest32(os.urandom(32)), Digest32(os.urandom(32)), Salt(os.urandom(32))
    start = time.perf_counter()
    for _ in range(n):
        leaf_hash(d, c, s)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per size (1M uses at most 3)")
    args = parser.parse_args()
    backend = getattr(new_keccak256, "__module__", "?")
    print(f"keccak backend: {backend}; python {sys.version.split()[0]}; cpus: {os.cpu_count()}")
    results: dict[str, float] = {}
    for key, n in SIZES.items():
        leaves = random_leaves(n)
        runs = args.runs if n < 1_000_000 else min(args.runs, 3)
        times = [build_and_prove(leaves) for _ in range(runs)]
        results[key] = round(statistics.median(times), 4)
        extra = input_order_proofs(leaves)
        print(
            f"n={n:>9,}: build+all proofs median {results[key]:.3f} s over {runs} runs "
            f"(min {min(times):.3f}, max {max(times):.3f}); "
            f"all proofs one by one in input order {extra:.3f} s (after build)"
        )
        del leaves
    n = 100_000
    print(f"leaf hashing (2 keccak per leaf): {n:,} leaves in {leaf_hashing(n):.3f} s")
    ratio = results["leaves_1m_s"] / results["leaves_100k_s"]
    print(f"growth 100k -> 1M: {ratio:.1f}x (target <= 11x); 100k target <= 3 s")
    print("reproduce: .venv/bin/python bench/merkle.py --runs", args.runs)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
