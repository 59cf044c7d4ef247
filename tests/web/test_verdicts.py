"""Every verdict through the JSON API and the page, with real notarised PDFs on the in-process chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import World, relaxed
from verifier.pipeline import Verifier
from verifier.result import VerificationResult
from verifier.trust import TrustedEntry, TrustList
from verifier.web import create_app


def post_pdf(client: TestClient, pdf: bytes, lang: str = "en") -> dict[str, Any]:
    reply = client.post(f"/api/v1/verify?lang={lang}", files={"file": ("doc.pdf", pdf, "application/pdf")})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


@pytest.mark.parametrize(
    ("name", "verdict", "failed"),
    [
        ("genuine", "VALID", None),
        ("tampered", "INVALID", "notarisation-update"),
        ("revoked", "REVOKED", "status"),
        ("suspended", "SUSPENDED", "status"),
        ("expired", "EXPIRED", "expiry"),
    ],
)
def test_api_verdicts(client: TestClient, world: World, name: str, verdict: str, failed: str | None) -> None:
    body = post_pdf(client, getattr(world, name))
    assert body["verdict"] == verdict
    assert body["source"] == "pdf"
    if failed:
        assert next(c for c in body["checks"] if c["name"] == failed)["status"] == "INVALID"
    else:
        assert all(c["status"] in ("VALID", "SKIPPED") for c in body["checks"])


def test_api_result_is_the_cli_result_model(client: TestClient, world: World) -> None:
    body = post_pdf(client, world.genuine, lang="de")
    expected = world.verifier().verify_pdf(world.genuine).to_json("de")
    assert body.pop("input") == {"name": "doc.pdf", "kind": "pdf"}  # the API names the upload; the CLI its path
    expected.pop("input")
    assert body == expected
    assert body["issuer"]["name"] == "Realschule am Park, Mannheim"
    assert body["production_chain"] is False
    assert body["anchor"]["block"] > 0


def test_api_qr_image_and_payload(client: TestClient, world: World) -> None:
    image = client.post("/api/v1/verify", files={"file": ("foto.png", world.qr_png, "image/png")}).json()
    assert image["verdict"] == "VALID" and image["source"] == "photo"
    assert image["claims"]["holder"] == world.holder
    text = client.post("/api/v1/verify", json={"payload": world.qr_text}).json()
    assert text["verdict"] == "VALID" and text["claims"] == image["claims"]


def test_api_error_when_chain_unreachable(world: World) -> None:
    dead = TrustedEntry("Testregister", world.entry.chain_id, world.entry.address, "http://127.0.0.1:1", False)
    with TestClient(create_app(verifier=Verifier(TrustList([dead])), web=relaxed())) as client:
        body = post_pdf(client, world.genuine)
        page = client.post("/verify", files={"file": ("doc.pdf", world.genuine, "application/pdf")})
        health = client.get("/healthz")
    assert body["verdict"] == "NOT_CHECKABLE"
    assert next(c for c in body["checks"] if c["name"] == "anchor")["reason"] == "chain-unreachable"
    assert page.status_code == 200 and "Nicht prüfbar" in page.text
    assert health.status_code == 503
    assert health.json()["registries"][0]["reachable"] is False


def test_tampered_still_invalid_when_chain_unreachable(world: World) -> None:
    """A forgery is decidable offline: INVALID beats ERROR."""
    dead = TrustedEntry("Testregister", world.entry.chain_id, world.entry.address, "http://127.0.0.1:1", False)
    with TestClient(create_app(verifier=Verifier(TrustList([dead])), web=relaxed())) as client:
        assert post_pdf(client, world.tampered)["verdict"] == "INVALID"


@pytest.mark.parametrize(
    ("name", "label_de", "label_en"),
    [
        ("genuine", "Gültig", "Valid"),
        ("tampered", "Ungültig", "Invalid"),
        ("revoked", "Widerrufen", "Revoked"),
        ("suspended", "Gesperrt", "Suspended"),
        ("expired", "Abgelaufen", "Expired"),
    ],
)
def test_page_verdicts(client: TestClient, world: World, name: str, label_de: str, label_en: str) -> None:
    pdf = getattr(world, name)
    de = client.post("/verify", files={"file": ("doc.pdf", pdf, "application/pdf")})
    en = client.post("/verify?lang=en", files={"file": ("doc.pdf", pdf, "application/pdf")})
    assert de.status_code == en.status_code == 200
    assert f'<span class="verdict__text">{label_de}</span>' in de.text
    assert f'<span class="verdict__text">{label_en}</span>' in en.text
    assert 'role="status"' in de.text
    assert "keine Produktiv-Blockchain" in de.text or name == "tampered"
    assert "not a production chain" in en.text or name == "tampered"


def test_page_valid_shows_issuer_anchor_and_checks(client: TestClient, world: World) -> None:
    page = client.post("/verify", files={"file": ("doc.pdf", world.genuine, "application/pdf")}).text
    assert "Realschule am Park, Mannheim" in page
    assert world.actors.issuer.address in page
    assert "Blockchain (Chain-ID)" in page and "Uhr (" in page
    assert "Dokument unverändert" in page and "bestanden" in page
    assert world.holder in page


def test_page_invalid_hides_unconfirmed_details(client: TestClient, world: World) -> None:
    page = client.post("/verify", files={"file": ("doc.pdf", world.tampered, "application/pdf")}).text
    assert "Ungültig" in page
    assert world.holder not in page  # a forged proof's claims must not lend it credit
    assert "nicht bestanden" in page


def test_page_qr_shows_claims_and_paper_warning(client: TestClient, world: World) -> None:
    page = client.post("/verify", files={"file": ("foto.png", world.qr_png, "image/png")}).text
    assert "Angaben bestätigt – bitte mit dem Papier vergleichen" in page
    assert world.holder in page and "Abschlusszeugnis" in page and "Noten" in page
    pasted = client.post("/verify?lang=en", files={"payload": (None, world.qr_text)}).text
    assert "Details confirmed – compare with the paper" in pasted and "grades" in pasted


def test_cached_reader_sees_a_revocation_in_the_next_block(world: World) -> None:
    """The per-block cache never answers from before the latest block."""
    import tempfile
    from pathlib import Path

    from notary.chain import State
    from notary.issuance import ClaimDefaults
    from notary.pdf.samples import SAMPLE_PUPILS, make_certificate
    from tests.web.conftest import _issue, proof_of

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        (src / "late.pdf").write_bytes(make_certificate(SAMPLE_PUPILS[4]))
        _issue(world.actors, src, out, Path(tmp) / "j.sqlite", ClaimDefaults("zeugnis", "Zeugnis", "Ängelina Weiß"))
        pdf = (out / "late.pdf").read_bytes()
    verifier = world.verifier(cached=True)
    assert verifier.verify_pdf(pdf).verdict.value == "VALID"
    assert verifier.verify_pdf(pdf).verdict.value == "VALID"
    proof = proof_of(pdf)
    world.actors.registry.set_document_state(
        world.actors.revoker, bytes(proof.root), bytes(proof.leaf()), [bytes(p) for p in proof.merkle_proof],
        State.REVOKED,
    )  # fmt: skip
    assert verifier.verify_pdf(pdf).verdict.value == "REVOKED"


def test_forged_merkle_path_does_not_poison_the_cache_for_the_genuine_document(world: World) -> None:
    """Review finding (HIGH): the cache key holds root and leaf but not the Merkle path. An upload with the
    genuine root and leaf but one sibling changed must not turn the genuine document INVALID in that block."""
    from dataclasses import replace

    from notary.core import Proof, encode_qr_text
    from notary.core.hashing import Digest32
    from notary.core.merkle import MerkleProof
    from notary.pdf.samples import SAMPLE_PUPILS, make_certificate
    from notary.pdf.stamping import stamp_pdf
    from tests.web.conftest import proof_of
    from verifier.checks import ChainFacts
    from verifier.pipeline import read_facts
    from verifier.web.facts_cache import BlockClock, CachedFacts

    registry = world.actors.registry

    def read(entry: TrustedEntry, proof: Proof) -> ChainFacts:
        return read_facts(registry, proof)

    cache = CachedFacts(read, BlockClock(lambda entry: registry.block_number(), 0))
    verifier = Verifier(TrustList([world.entry]), facts_reader=cache)
    genuine = proof_of(world.genuine)
    siblings = list(genuine.merkle_proof)
    siblings[0] = Digest32(bytes(31) + b"\x01")
    forged = replace(genuine, merkle_proof=MerkleProof.from_siblings(siblings))
    assert forged.root == genuine.root and forged.leaf() == genuine.leaf() and not forged.root_matches()
    assert forged.stamp is not None
    evil_pdf = stamp_pdf(
        make_certificate(SAMPLE_PUPILS[-1]), proof_json=forged.to_json(), qr_text=encode_qr_text(forged.for_qr()),
        layout=forged.stamp,
    )  # fmt: skip
    block = registry.block_number()
    attacks: list[Callable[[], VerificationResult]] = [  # (the QR form cannot: its root is derived from the path)
        lambda: verifier.verify_pdf(evil_pdf),
        lambda: verifier.verify_pdf_with_proof(world.genuine, forged.to_json()),
    ]
    for attack in attacks:
        outcome = attack()
        assert outcome.verdict.value == "INVALID"
        assert outcome.check("anchor").reason.value == "not-in-batch"  # the chain's own answer for the forged path
        assert verifier.verify_pdf(world.genuine).verdict.value == "VALID"
        assert verifier.verify_payload(world.qr_text).verdict.value == "VALID"
        assert attack().check("anchor").status.value == "INVALID"  # and a cached genuine read lends nothing back
    assert registry.block_number() == block  # all in one block: the genuine answers came from the cache
    assert cache.misses == 1 and cache.hits >= 7, (cache.misses, cache.hits)
