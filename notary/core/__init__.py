"""The pure, FORMAT-CRITICAL core: hashes, Merkle batches, the proof format, EIP-712 batch signatures and
the QR payload codec.

Bytes in, values out: no file or network I/O, no web3 provider, no web framework, no global state. Every
change here must keep proofs issued by earlier versions verifying; the test vectors under tests/vectors/
pin the formats byte for byte.
"""

from notary.core.claims import Claims, claims_digest
from notary.core.eip712 import (
    Batch,
    BatchDomain,
    batch_digest,
    batch_struct_hash,
    domain_separator,
    recover_batch_signer,
    sign_batch,
)
from notary.core.hashing import Digest32, Salt, document_hash, document_hash_stream, keccak256
from notary.core.layout import StampLayout
from notary.core.leaves import leaf_for_claims, leaf_hash, random_salt
from notary.core.merkle import MerkleProof, MerkleTree, process_proof, verify_proof
from notary.core.proof import FormatVersion, Proof
from notary.core.qr_payload import QR_PREFIX, decode_qr_text, encode_qr_text

__all__ = [
    "QR_PREFIX",
    "Batch",
    "BatchDomain",
    "Claims",
    "Digest32",
    "FormatVersion",
    "MerkleProof",
    "MerkleTree",
    "Proof",
    "Salt",
    "StampLayout",
    "batch_digest",
    "batch_struct_hash",
    "claims_digest",
    "decode_qr_text",
    "document_hash",
    "document_hash_stream",
    "domain_separator",
    "encode_qr_text",
    "keccak256",
    "leaf_for_claims",
    "leaf_hash",
    "process_proof",
    "random_salt",
    "recover_batch_signer",
    "sign_batch",
    "verify_proof",
]
