// Independent reference for notary/core/merkle.py: builds OpenZeppelin StandardMerkleTree.of() (leaves in input
// order, sortLeaves: false) over the
// given leaf values and prints its root, leaf hashes, node array and every proof.
// stdin:  {"values": [["0x<documentHash>", "0x<claimsDigest>", "0x<salt>"], ...]}
// stdout: {"root": "0x..", "leaves": ["0x..", ...], "tree": [...], "proofs": [["0x..", ...], ...]}
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { values } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const tree = StandardMerkleTree.of(values, ["bytes32", "bytes32", "bytes32"], { sortLeaves: false });
const dump = tree.dump();
const out = {
  root: tree.root,
  leaves: dump.values.map((v) => dump.tree[v.treeIndex]),
  tree: dump.tree,
  proofs: values.map((_, i) => tree.getProof(i)),
};
process.stdout.write(JSON.stringify(out));
