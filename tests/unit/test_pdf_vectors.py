"""The notarised-PDF vectors (tests/vectors/pdf_vectors.json, docs/stamp-format.md): the project's verifier
passes every valid one and gives the expected reason code for every forgery; the stamp reproduces the committed
notarised bytes from the original and the proof alone (stamp format 1 is pinned byte for byte)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from notary.core.proof import Proof
from notary.core.qr_payload import stamp_qr_text
from notary.pdf import check_notarisation_update, read_attached_proof, stamp_pdf
from verifier.pipeline import prepare_pdf
from verifier.result import Status
from verifier.trust import TrustedEntry, TrustList

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


@cache
def _index() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / "pdf_vectors.json").read_text(encoding="utf-8"))
    return data


def _bytes(entry: dict[str, Any]) -> bytes:
    data = (VECTORS / entry["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    return data


@pytest.fixture(scope="module")
def trust() -> TrustList:
    index = _index()
    return TrustList([TrustedEntry("PDF vectors", index["chain_id"], index["registry"], "memory", False)])


VALID = _index()["valid"]
INVALID = _index()["invalid"]
UNREADABLE = _index()["unreadable"]
EXPIRY = _index()["expiry"]


def test_the_vectors_cover_the_cases_of_issue_12() -> None:
    names = {case["name"] for case in VALID} | {case["name"] for case in INVALID}
    assert {"classic", "xref-stream", "object-streams", "inherited-resources", "rotate-90", "rotate-180",
            "rotate-270", "cropbox", "existing-attachment", "taken-font-name", "no-final-eol", "linearised",
            "overlay-update", "extra-object", "changed-caption", "moved-stamp", "appended-bytes",
            "hybrid-xref", "attachment-after", "cr-end-no-contents", "tree-strings",
            "length-past-end", "facts", "valid-until"} <= names  # fmt: skip
    assert {c["name"] for c in EXPIRY} == {"valid-until last day", "valid-until expired"}
    assert {c["name"] for c in UNREADABLE} == {"no-proof", "unreadable-pdf", "non-canonical-attachment"}
    total = sum(p.stat().st_size for p in (VECTORS / "pdf").iterdir())
    assert total < 700 * 1024  # 2 PDFs of ~20 KB per added case: keep the repository small


@pytest.mark.parametrize("case", VALID, ids=[c["name"] for c in VALID])
def test_valid_vector(case: dict[str, Any], trust: TrustList) -> None:
    original, notarised = _bytes(case["original"]), _bytes(case["notarised"])
    assert notarised.startswith(original)
    proof_json = case["proof_json"].encode("utf-8")
    assert read_attached_proof(notarised) == proof_json
    proof = Proof.from_json(proof_json)
    assert proof.stamp is not None and proof.original_length == len(original)
    assert stamp_qr_text(proof) == case["qr_text"]  # qr_url (stamp version 2) + the QR form's payload
    # the stamp is a pure function of (original, proof): the committed bytes come back exactly
    assert stamp_pdf(original, proof_json=proof_json, qr_text=case["qr_text"], layout=proof.stamp) == notarised
    assert check_notarisation_update(notarised, len(original), proof_json, case["qr_text"], proof.stamp).ok
    prepared = prepare_pdf(trust, notarised)
    assert prepared.failure is None
    got = {name: check.reason.value for name, check in prepared.checks.items()}
    assert got == case["expected"]["checks"]
    assert all(check.status is Status.VALID for check in prepared.checks.values())


@pytest.mark.parametrize("case", EXPIRY, ids=[c["name"] for c in EXPIRY])
def test_expiry_vector(case: dict[str, Any], trust: TrustList) -> None:
    """A notarised PDF with valid_until, judged on the vector's day (docs/proof-format.md §13, Expiry)."""
    import datetime as dt

    from verifier import checks, pipeline

    prepared = prepare_pdf(trust, _bytes(case["notarised"]))
    assert prepared.failure is None and prepared.proof is not None
    found = dict(prepared.checks)
    found["expiry"] = checks.check_expiry(prepared.proof, dt.date.fromisoformat(case["today"]))
    assert {name: check.reason.value for name, check in found.items()} == case["expected"]["checks"]
    for name in ("anchor", "issuer", "status"):  # what the chain confirms for verdict_without_chain (§13)
        found[name] = checks.ok(name)
    ordered = tuple(found[name] for name in pipeline.ORDER)
    assert pipeline.verdict(ordered).value == case["expected"]["verdict_without_chain"]


@pytest.mark.parametrize("case", INVALID, ids=[c["name"] for c in INVALID])
def test_forged_vector(case: dict[str, Any], trust: TrustList) -> None:
    forged = _bytes(case["forged"])
    prepared = prepare_pdf(trust, forged)
    assert prepared.failure is None  # the proof itself is genuine: what fails is the file around it
    for name, reason in case["expected"]["checks"].items():
        assert prepared.checks[name].status is Status.INVALID
        assert prepared.checks[name].reason.value == reason
    unexpected = {n for n, c in prepared.checks.items() if c.status is Status.INVALID} - set(case["expected"]["checks"])
    assert not unexpected


@pytest.mark.parametrize("case", UNREADABLE, ids=[c["name"] for c in UNREADABLE])
def test_unreadable_vector(case: dict[str, Any], trust: TrustList) -> None:
    given = case["input"]
    data = _bytes(given) if "file" in given else given["text"].encode("utf-8")
    failure = prepare_pdf(trust, data).failure
    assert failure is not None and failure.verdict.value == case["expected"]["verdict_without_chain"]
    assert failure.checks[0].name == "format" and failure.checks[0].reason.value == case["expected"]["format"]


@pytest.mark.parametrize(("inserted", "reason"), [(b"", "hash-mismatch"), (b"\n", "hash-mismatch"),
                                                (b"\n\n", "file-rewritten"), (b"\r\n", "file-rewritten")])  # fmt: skip
def test_integrity_marker_rule(inserted: bytes, reason: str, trust: TrustList) -> None:
    """S§9 step 3: after a hash mismatch, the marker counts only right after the original or after one LF."""
    case = next(c for c in INVALID if c["name"] == "changed-original")
    forged = _bytes(case["forged"])
    length = Proof.from_json(read_attached_proof(forged) or b"").original_length
    assert length is not None
    prepared = prepare_pdf(trust, forged[:length] + inserted + forged[length:])
    assert prepared.checks["integrity"].reason.value == reason


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notary_pdf_vectors_generate", VECTORS / "generate_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_pdf_vectors_are_up_to_date() -> None:
    """A fresh generation gives the committed files (what qpdf or pypdf wrote is reused, not remade)."""
    files, index = _generator().render()
    assert index == (VECTORS / "pdf_vectors.json").read_text(encoding="utf-8")
    for name, data in files.items():
        assert (VECTORS / "pdf" / name).read_bytes() == data, name
