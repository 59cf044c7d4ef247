"""The city's seal on the result page (issue 14): "Gesiegelt von …" beside the verdict, the certificate in the
technical details, a stranger's seal as a plain warning that leaves the verdict alone unless the registry
requires seals. Real notarised PDFs from the web tests' chain, sealed with the test PKI (tests/pki.py) and a
local RFC 3161 service; pages fetched over HTTP, no browser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from notary.core import BatchDomain
from notary.pdf.seal import Sealer, SealOptions, key_signer, sign_seal_binding
from tests.pki import P12_PASSWORD, Pki, _issue, _name, timestamp_service
from tests.web.browsing import NARROW, axe_audit, horizontal_overflow, shoot, upload
from tests.web.conftest import World, free_port, proof_of, relaxed, served_in_thread
from verifier.pipeline import Verifier, read_facts
from verifier.trust import TrustList
from verifier.web import create_app

SUBJECT = "Stadt Musterstadt, Bürgeramt"
# a certificate subject is whatever its maker wrote: markup and a right-to-left override must stay inert text
HOSTILE = "<script>alert('x')</script>Stadt \u202eTLIFAS"


@dataclasses.dataclass
class Sealed:
    valid: bytes  # the city's seal, B-T
    stranger: bytes  # Mallory GmbH's seal over the genuine notarised PDF, not bound to the issuer
    hostile: bytes  # a crafted subject, not bound either
    root: bytes
    fingerprint: str


@pytest.fixture(scope="module")
def sealed(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sealed]:
    pki = Pki.build()
    paths = pki.write(tmp_path_factory.mktemp("seal-pki"))
    now = dt.datetime.now(dt.UTC)
    crafted = _issue(
        _name(HOSTILE, "Evil <b>Org</b>"), pki.intermediate, ca=False, crl=True,
        not_before=now - dt.timedelta(days=1), not_after=now + dt.timedelta(days=365),
    )  # fmt: skip
    paths["hostile"] = paths["root"].parent / "hostile.p12"
    paths["hostile"].write_bytes(pki.p12(crafted))
    proof = proof_of(world.genuine)
    domain = BatchDomain(proof.chain_id, proof.registry)

    def seal(holder: str, bound: bool, **options: object) -> tuple[bytes, Sealer]:
        sealer = Sealer(SealOptions(paths[holder], P12_PASSWORD, **options))  # type: ignore[arg-type]
        binding = b""
        if bound:
            signer = key_signer(bytes(world.actors.issuer.key))
            binding = sign_seal_binding(signer, domain, bytes(proof.root), sealer.certificate_sha256)
        return sealer.seal(world.genuine, binding), sealer

    with timestamp_service(pki) as tsa_url:
        valid, city = seal("seal", True, tsa_url=tsa_url)
    fingerprint = city.certificate_sha256
    yield Sealed(
        valid=valid,
        stranger=seal("stranger", False)[0],
        hostile=seal("hostile", False)[0],
        root=paths["root"].read_bytes(),
        fingerprint=fingerprint.hex() if isinstance(fingerprint, bytes) else str(fingerprint),
    )


def _app(world: World, sealed: Sealed, *, require_seal: bool = False) -> Any:
    registry = world.actors.registry
    entry = dataclasses.replace(world.entry, seal_roots=(sealed.root,), require_seal=require_seal)
    verifier = Verifier(TrustList([entry]), facts_reader=lambda _entry, proof: read_facts(registry, proof))
    return create_app(verifier=verifier, web=relaxed())


def _client(world: World, sealed: Sealed, *, require_seal: bool = False) -> TestClient:
    return TestClient(_app(world, sealed, require_seal=require_seal))


@pytest.fixture(scope="module")
def seal_client(world: World, sealed: Sealed) -> Iterator[TestClient]:
    with _client(world, sealed) as client:
        yield client


def _page(client: TestClient, pdf: bytes, lang: str) -> str:
    reply = client.post(f"/verify?lang={lang}", files={"file": ("bescheid.pdf", pdf, "application/pdf")})
    assert reply.status_code == 200, reply.text
    return reply.text


def _block(page: str, start: str, end: str) -> str:
    match = re.search(re.escape(start) + r"(.*?)" + re.escape(end), page, re.S)
    assert match, f"{start!r} not in page"
    return match.group(1)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def test_city_seal_is_shown_beside_the_verdict_and_in_the_details(seal_client: TestClient, sealed: Sealed) -> None:
    for lang, line, level_label, sealed_at, status in (
        ("de", f"Gesiegelt von: {SUBJECT}", "Stufe (PAdES)", "Gesiegelt am", "bestanden"),
        ("en", f"Sealed by: {SUBJECT}", "Level (PAdES)", "Sealed at", "passed"),
    ):
        page = _page(seal_client, sealed.valid, lang)
        verdict = _block(page, '<section class="verdict verdict--valid"', "</section>")
        seal_box = _text(_block(verdict, '<div class="seal seal--valid" id="seal">', "</div>"))
        assert line in seal_box
        assert "seal__note" not in verdict  # a valid seal needs no explanation
        details = _text(_block(page, 'id="seal-details">', "</dl>"))
        assert sealed.fingerprint.lower() in details.lower()
        assert "Testland Seal CA" in details
        assert f"{level_label} B-T" in details
        assert sealed_at in details and status in details
        # a human date like the anchor's ("30. November 2026, 22:15 Uhr (CET)"), not the ISO string
        assert re.search(rf"{sealed_at} \d{{1,2}}\.? \w+ \d{{4}}, \d\d:\d\d", details), details


def test_unsealed_pdf_has_no_seal_line(seal_client: TestClient, world: World) -> None:
    page = _page(seal_client, world.genuine, "de")
    assert "Gesiegelt von" not in page and 'id="seal' not in page


def test_stranger_seal_is_a_warning_and_the_verdict_stays_valid(seal_client: TestClient, sealed: Sealed) -> None:
    for lang, line, words, note in (
        ("de", "Gesiegelt von: Mallory GmbH", "gehört nicht zum Aussteller", "bleibt davon unberührt"),
        ("en", "Sealed by: Mallory GmbH", "does not belong to the issuer", "is not changed by it"),
    ):
        page = _page(seal_client, sealed.stranger, lang)
        verdict = _block(page, '<section class="verdict verdict--valid"', "</section>")
        seal_box = _text(_block(verdict, '<div class="seal seal--invalid" id="seal">', "</div>"))
        assert line in seal_box and words in seal_box and note in seal_box
        details = _text(_block(page, 'id="seal-details">', "</dl>"))
        assert ("Nein" if lang == "de" else "No") in details


def test_required_seal_decides_and_says_so(world: World, sealed: Sealed) -> None:
    with _client(world, sealed, require_seal=True) as client:
        page = _page(client, sealed.stranger, "en")
        missing = _page(client, world.genuine, "de")
        hostile = _page(client, sealed.hostile, "en")
    assert "\u202e" not in hostile and "<script>alert" not in hostile  # the decision names the subject too
    verdict = _block(page, '<section class="verdict verdict--invalid"', "</section>")
    assert "This registry requires a valid seal" in _text(verdict)
    assert "Sealed by: Mallory GmbH" in _text(verdict)
    verdict_de = _text(_block(missing, '<section class="verdict verdict--invalid"', "</section>"))
    assert "Dieses Register verlangt ein gültiges Siegel" in verdict_de


def test_crafted_subject_is_inert_text(seal_client: TestClient, sealed: Sealed) -> None:
    page = _page(seal_client, sealed.hostile, "de")
    assert "<script>alert" not in page and "<b>Org</b>" not in page
    assert "&lt;script&gt;alert(" in page
    assert "\u202e" not in page  # shown as U+FFFD (box, details, check list): the name reads as it was written
    seal_box = _text(_block(page, '<div class="seal seal--invalid" id="seal">', "</div>"))
    assert "Gesiegelt von: <script>alert('x')</script>Stadt \ufffdTLIFAS (Evil <b>Org</b>)" in seal_box


def test_seal_view_survives_odd_json() -> None:
    from verifier.web.view import seal_view

    assert seal_view(None, "", "de") is None and seal_view("x", "", "en") is None
    odd = seal_view({"status": "INVALID", "signed_at": "not a date", "bound": "yes", "subject": 5}, "", "en")
    assert odd is not None and odd.status == "invalid" and odd.line == "Sealed by: 5"
    assert ("Sealed at", "not a date", False) in odd.rows
    assert not any(label == "Belongs to the issuer" for label, _v, _m in odd.rows)


@pytest.mark.browser
def test_seal_pages_pass_axe_on_a_phone(world: World, sealed: Sealed, browser: Any, tmp_path: Path) -> None:
    # sealed before the browser: pyHanko's asyncio.run cannot start inside Playwright's running loop
    config = uvicorn.Config(_app(world, sealed), host="127.0.0.1", port=free_port(), log_level="warning")
    files = {"valid": sealed.valid, "stranger": sealed.stranger, "hostile": sealed.hostile}
    with served_in_thread(config) as url:
        context = browser.new_context(viewport=NARROW, locale="de-DE", bypass_csp=True)
        try:
            page = context.new_page()
            found: dict[str, Any] = {}
            for name, pdf in files.items():
                path = tmp_path / f"{name}.pdf"
                path.write_bytes(pdf)
                upload(page, url, path)
                assert page.is_visible("#seal"), name
                found[name] = axe_audit(page)
                page.click("#technical summary")
                found[name + " details"] = axe_audit(page)
                found[name + " overflow"] = horizontal_overflow(page)  # a 64-hex fingerprint must wrap
                shoot(page, f"seal-{name}-phone")
            assert {k: v for k, v in found.items() if v} == {}
        finally:
            context.close()
