"""Pin the public surface of notary.core: additions are deliberate, removals are breaking."""

from __future__ import annotations

import notary.core

EXPECTED = {
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
}


def test_exported_members() -> None:
    assert set(notary.core.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(notary.core, name) is not None


def test_core_does_no_io_imports() -> None:
    """The core must stay pure: no web3, no HTTP, no web framework, no PDF library."""
    import sys

    forbidden = ("web3", "httpx", "fastapi", "requests", "pypdf", "sqlite3")
    for name, module in list(sys.modules.items()):
        if name.startswith("notary.core") and module is not None:
            source = getattr(module, "__file__", "") or ""
            if source.endswith(".py"):
                with open(source, encoding="utf-8") as f:
                    text = f.read()
                for bad in forbidden:
                    assert f"import {bad}" not in text and f"from {bad}" not in text, (name, bad)
