"""The page itself: language, security headers, no inline script/style, demo downloads, API docs, health."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import World, relaxed
from verifier.web import create_app


def test_german_by_default_english_by_switch_or_header(client: TestClient) -> None:
    de = client.get("/")
    assert '<html lang="de">' in de.text and "Dokumente prüfen" in de.text
    assert 'href="/?lang=en"' in de.text  # the visible switch
    en = client.get("/?lang=en")
    assert '<html lang="en">' in en.text and "Verify documents" in en.text
    assert client.get("/", headers={"accept-language": "en-GB,en;q=0.9,de;q=0.5"}).text.count('lang="en"') >= 1
    assert '<html lang="de">' in client.get("/", headers={"accept-language": "fr, de;q=0.8, en;q=0.7"}).text
    assert '<html lang="de">' in client.get("/?lang=xx", headers={"accept-language": "es"}).text


def test_privacy_note_and_forms_work_without_javascript(client: TestClient) -> None:
    page = client.get("/").text
    assert "nur im Arbeitsspeicher geprüft und nie gespeichert" in page
    forms = re.findall(r'<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*enctype="multipart/form-data"', page)
    assert forms == ["/verify?lang=de", "/verify?lang=de"]
    assert '<label for="file">' in page and '<label for="payload">' in page


def test_security_headers(client: TestClient) -> None:
    for reply in (client.get("/"), client.get("/healthz"), client.get("/static/app.css")):
        csp = reply.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["referrer-policy"] == "no-referrer"
        assert "camera=(self)" in reply.headers["permissions-policy"]
    assert client.get("/").headers["cache-control"] == "no-store"


def test_no_inline_script_or_style_in_any_page(client: TestClient, world: World) -> None:
    pages = [
        client.get("/").text,
        client.get("/docs").text,
        client.get("/nope").text,
        client.post("/verify", files={"file": ("a.pdf", world.genuine, "application/pdf")}).text,
    ]
    for page in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
        assert "<style" not in page and " style=" not in page
        assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers


def test_static_assets_and_vendored_jsqr(client: TestClient) -> None:
    script = client.get("/static/vendor/jsQR.js")
    assert script.status_code == 200 and "Apache License 2.0" in script.text[:400]
    assert "javascript" in script.headers["content-type"]
    assert client.get("/static/app.js").status_code == 200


def test_demo_files_are_offered_on_their_own_page_only(world: World, client: TestClient) -> None:
    app = create_app(
        verifier=world.verifier(), web=relaxed(), demo_files={"Zeugnis_Müller.pdf": world.files["genuine.pdf"]}
    )
    with TestClient(app) as demo_client:
        start = demo_client.get("/").text
        page = demo_client.get("/demo").text
        download = demo_client.get("/demo/Zeugnis_M%C3%BCller.pdf")
        assert demo_client.get("/demo/other.pdf").status_code == 404
    assert "/demo/Zeugnis" not in start and 'href="/demo?lang=de"' in start  # a footer link, no samples
    assert 'href="/demo/Zeugnis_M%C3%BCller.pdf"' in page
    assert download.status_code == 200 and download.content == world.genuine
    assert download.headers["content-disposition"].startswith("attachment;")
    assert client.get("/demo").status_code == 404  # not in demonstration mode
    assert 'href="/demo' not in client.get("/").text


def test_api_docs_and_openapi(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/v1/verify" in docs.text and "/healthz" in docs.text
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/v1/verify"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
    assert "/verify" not in schema["paths"]  # the form post is for browsers, not part of the API


def test_healthz_reports_block_per_registry(client: TestClient, world: World) -> None:
    reply = client.get("/healthz")
    assert reply.status_code == 200
    registry = reply.json()["registries"][0]
    assert registry["reachable"] is True and registry["chain_id_matches"] is True
    assert registry["address"] == world.entry.address and isinstance(registry["block"], int)


@pytest.mark.parametrize(
    "path",
    [
        "/%2F%2Fevil.example",
        "/%2F/evil.example",
        "/%5C%5Cevil.example",
        "/%5C/evil.example",
        "/%09/evil.example",
        "/%2F%09%2Fevil.example",
        "/https:%2F%2Fevil.example",
        "/demo/%2F%2Fevil.example",
        "/docs/%2F%2Fevil.example",
    ],
)
def test_language_switch_never_leaves_the_site(client: TestClient, path: str) -> None:
    """Review finding: GET /%2F%2Fevil.example rendered the switch as href="///evil.example?lang=en"."""
    page = client.get(path)
    assert page.status_code == 404
    switch = re.search(r'class="site__lang" href="([^"]*)"', page.text)
    assert switch is not None and switch.group(1) == "/?lang=en"
    assert "evil.example" not in page.text


def test_language_switch_keeps_our_own_pages(client: TestClient) -> None:
    for path in ("/", "/docs"):
        page = client.get(path + "?lang=de")
        assert f'class="site__lang" href="{path}?lang=en"' in page.text
