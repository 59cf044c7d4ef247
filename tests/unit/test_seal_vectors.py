"""The sealed-PDF vectors (tests/vectors/seal/vectors.json, docs/seal.md): our verifier gives exactly the stated
checks, seal facts and verdicts for every vector, with the committed root.pem as the registry's only seal root,
and a fresh run of make_vectors.py gives the committed files byte for byte."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from verifier import checks, pipeline
from verifier.pipeline import prepare_pdf
from verifier.result import CheckResult
from verifier.trust import TrustedEntry, TrustList

SEAL_VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "seal"


@cache
def _index() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEAL_VECTORS / "vectors.json").read_text(encoding="utf-8"))
    return data


def _file(entry: dict[str, Any], folder: Path = SEAL_VECTORS) -> bytes:
    data = (folder / entry["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"], entry["file"]
    return data


def _trust(require_seal: bool) -> TrustList:
    index = _index()
    roots = tuple((SEAL_VECTORS / name).read_bytes() for name in index["seal_roots"])
    entry = TrustedEntry(
        "Seal vectors", index["chain_id"], index["registry"], "memory", False, seal_roots=roots,
        require_seal=require_seal,
    )  # fmt: skip
    return TrustList([entry])


VECTORS = _index()["vectors"]


def test_the_vectors_cover_the_seal_cases() -> None:
    index = _index()
    assert {v["name"] for v in VECTORS} == {
        "b-b", "b-t", "b-lta", "second-signature", "content-after-seal", "seal-stripped", "not-bound", "untrusted-ca",
        "expired", "weak-rsa1024", "weak-sha1", "seal-broken", "seal-not-covering", "seal-revoked", "seal-unreadable",
    }  # fmt: skip
    notarised = _file(index["notarised"], SEAL_VECTORS.parent)
    for vector in VECTORS:
        assert _file(vector).startswith(notarised), vector["name"]  # only what follows the notarisation update differs
    root = (SEAL_VECTORS / "root.pem").read_bytes()
    from verifier.seal_check import load_certificates

    (certificate,) = load_certificates(root)
    assert hashlib.sha256(certificate.dump()).hexdigest() == index["seal_root_sha256"]
    now = dt.datetime.now(dt.UTC)  # the stated results hold for verification times in this window
    window = index["validation_time"]
    assert dt.datetime.fromisoformat(window["from"]) <= now <= dt.datetime.fromisoformat(window["until"])
    total = sum(p.stat().st_size for p in SEAL_VECTORS.iterdir() if p.suffix == ".pdf")
    assert total < 30 * 1024 * len(VECTORS)  # ~30 KB per case: keep the repository small


def _verdict(found: dict[str, CheckResult], require_seal: bool, proof: Any) -> str:
    found = dict(found)
    found["expiry"] = checks.check_expiry(proof, dt.date(2026, 1, 1))  # the base case has no valid_until
    for name in ("anchor", "issuer", "status"):  # what the chain confirms for verdict_without_chain (§13)
        found[name] = checks.ok(name)
    ordered = tuple(found[name] for name in (*pipeline.ORDER, "seal") if name in found)
    return pipeline.verdict(ordered, require_seal=require_seal).value


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_seal_vector(vector: dict[str, Any]) -> None:
    pdf = _file(vector)
    expected = vector["expected"]
    prepared = prepare_pdf(_trust(require_seal=False), pdf)
    assert prepared.failure is None and prepared.proof is not None
    assert {name: check.reason.value for name, check in prepared.checks.items()} == expected["checks"]
    if expected["seal"] is None:
        assert prepared.seal is None
    else:
        assert prepared.seal is not None
        assert {key: prepared.seal[key] for key in expected["seal"]} == expected["seal"], prepared.seal
    assert _verdict(prepared.checks, False, prepared.proof) == expected["verdict_without_chain"]

    required = prepare_pdf(_trust(require_seal=True), pdf)
    assert required.failure is None and required.proof is not None
    seal_check = required.checks.get("seal")
    stated = expected.get("seal_check_if_seal_required", expected["checks"].get("seal"))
    assert (seal_check.reason.value if seal_check else None) == stated
    assert _verdict(required.checks, True, required.proof) == expected["verdict_without_chain_if_seal_required"]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notary_seal_vectors_generate", SEAL_VECTORS / "make_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_seal_vectors_regenerate_byte_for_byte() -> None:
    """Keys from a seed, RFC 6979 ECDSA, a frozen clock and a seeded os.urandom while sealing: the same bytes."""
    generator = _generator()
    index, files = generator.build()
    assert generator._serialise(index) == (SEAL_VECTORS / "vectors.json").read_bytes()
    for name, data in files.items():
        assert (SEAL_VECTORS / name).read_bytes() == data, name
