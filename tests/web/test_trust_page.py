"""GET /trust: the operator's trust list on a page (issue 15, item 4), linked from every page's footer."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from notary.config import Settings, TrustedRegistry
from tests.web.conftest import relaxed
from verifier.pipeline import Verifier
from verifier.trust import TrustedEntry, TrustList
from verifier.web import create_app

CITY = "0x" + "ab" * 20
SCHOOL = "0x" + "cd" * 20
SECRET = "https://mainnet.example/v3/SECRET-API-KEY"


def _client(*entries: TrustedEntry) -> TestClient:
    return TestClient(create_app(verifier=Verifier(TrustList(entries)), web=relaxed()))


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_trust_list_page_names_every_registry_with_chain_address_kind_and_witnesses() -> None:
    client = _client(
        TrustedEntry("Schulversuch <Test>", 31337, SCHOOL, "http://127.0.0.1:1", False),
        TrustedEntry(
            "Stadt Mannheim",
            100,
            CITY,
            SECRET,
            True,
            rpc_urls=(SECRET, "https://b.example", "https://c.example"),
        ),
    )
    de = client.get("/trust")
    assert de.status_code == 200 and '<html lang="de">' in de.text
    text = _text(de.text)
    assert "Vertrauensliste dieser Prüfstelle" in text
    # production first, then test systems; each with chain id, address, kind and witnesses
    assert text.index("Stadt Mannheim") < text.index("Schulversuch")
    assert "Chain-ID) 100 " in text and CITY in text and "Produktivsystem" in text
    assert "3, davon müssen 2 übereinstimmen" in text
    assert "Chain-ID) 31337 " in text and SCHOOL in text and "Testsystem" in text
    assert "1 (ein einzelner Knoten)" in text
    assert "Schulversuch &lt;Test&gt;" in de.text  # escaped, as every name on the page
    # endpoint URLs may carry API keys: never shown
    assert "SECRET" not in de.text and "example" not in de.text and "127.0.0.1" not in de.text
    en = _text(client.get("/trust?lang=en").text)
    assert "This verifier's trust list" in en and "Production system" in en and "3, of which 2 must agree" in en
    assert "never “Valid”" in en


def test_every_page_links_to_the_trust_list_in_its_footer() -> None:
    client = _client(TrustedEntry("Stadt Mannheim", 100, CITY, "http://127.0.0.1:1", True))
    for path in ("/", "/docs", "/trust", "/nope"):
        page = client.get(path).text
        footer = page[page.index('<footer class="site__footer">') :]
        assert 'href="/trust?lang=de"' in footer, path
    assert 'href="/trust?lang=en"' in client.get("/?lang=en").text
    # the language switch on the trust page leads back to it
    assert 'href="/trust?lang=en"' in client.get("/trust").text.split("<main", 1)[0]


def test_the_page_shows_the_list_built_from_the_operators_configuration() -> None:
    settings = Settings(
        trusted=[
            TrustedRegistry(
                name="Stadt Mannheim", chain_id=100, address=CITY, production=True,
                rpc_urls=["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3", "http://127.0.0.1:4"],
                quorum=4,
            )
        ]
    )  # fmt: skip
    with TestClient(create_app(settings, web=relaxed())) as client:
        text = _text(client.get("/trust?lang=en").text)
    assert "Stadt Mannheim" in text and "4, of which 4 must agree" in text


def test_the_trust_page_keeps_the_page_rules() -> None:
    """No inline script, style or handler (the CSP forbids them); the same security headers as every page."""
    reply = _client(TrustedEntry("Stadt Mannheim", 100, CITY, "http://127.0.0.1:1", True)).get("/trust")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", reply.text)
    assert "<style" not in reply.text and " style=" not in reply.text
    assert not re.search(r"\son[a-z]+=", reply.text)
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
    assert reply.headers["cache-control"] == "no-store"
