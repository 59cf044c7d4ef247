"""Issue 11 items 1 and 5 without a browser: the operator's identity and legal pages from the config, registry
names in the page language, the CSP that lets only a result page with a preview show a data: image."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from notary.pdf.samples import SAMPLE_PUPILS, make_certificate
from tests.web.conftest import World, relaxed
from verifier.web import create_app
from verifier.web.config import Operator, WebConfig


def _csp_img(reply: object) -> str:
    csp = reply.headers["content-security-policy"]  # type: ignore[attr-defined]
    return next(part for part in csp.split("; ") if part.startswith("img-src"))


def test_web_table_of_the_operators_file_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    impressum = tmp_path / "impressum.md"
    impressum.write_text("Stadt Mannheim")
    config = tmp_path / "notary.toml"
    config.write_text(
        f"""
rpc_url = "http://127.0.0.1:8545"

[web]
rate_limit_per_minute = 30

[web.operator]
name = "Stadt Mannheim"
impressum = "{impressum}"
privacy = "https://www.mannheim.example/datenschutz"

[web.registry_names.Schulregister]
de = "Schulregister Baden-Württemberg"
en = "School registry of Baden-Württemberg"
"""
    )
    monkeypatch.setenv("NOTARY_CONFIG", str(config))
    web = WebConfig()
    assert web.operator.name == "Stadt Mannheim" and web.rate_limit_per_minute == 30
    assert web.registry_names["Schulregister"]["en"] == "School registry of Baden-Württemberg"
    monkeypatch.setenv("NOTARY_WEB_OPERATOR__NAME", "Stadt Heidelberg")
    assert WebConfig().operator.name == "Stadt Heidelberg"  # the environment wins
    monkeypatch.delenv("NOTARY_CONFIG")
    monkeypatch.delenv("NOTARY_WEB_OPERATOR__NAME")
    assert WebConfig().operator == Operator()  # nothing configured: an unnamed instance, as before


def test_a_legal_page_must_be_a_url_or_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither an https:// URL nor an existing file"):
        Operator(name="X", impressum=str(tmp_path / "missing.md"))
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    with pytest.raises(ValueError, match=r"must be a \.png"):
        Operator(name="X", logo=str(tmp_path / "logo.gif"))


@pytest.fixture(scope="module")
def operator_client(world: World, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("op")
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>')
    (folder / "impressum.md").write_text("## Anbieter\n\nStadt Mannheim <script>alert(1)</script>\n")
    operator = Operator(
        name="Stadt Mannheim",
        name_en="City of Mannheim",
        logo=str(folder / "logo.svg"),
        contact="Rathaus, E 5",
        impressum=str(folder / "impressum.md"),
        accessibility="https://www.mannheim.example/barrierefreiheit",
    )
    web = relaxed(operator=operator, registry_names={"Testregister": {"de": "Testregister", "en": "Test registry"}})
    return TestClient(create_app(verifier=world.verifier(), web=web))


def test_operator_in_header_and_footer_of_every_page(operator_client: TestClient) -> None:
    for path in ("/", "/docs", "/trust", "/impressum", "/datenschutz", "/nope"):
        page = operator_client.get(path).text
        assert "Stadt Mannheim" in page and "Rathaus, E 5" in page, path
        assert 'src="/operator/logo"' in page, path
        assert 'href="/impressum?lang=de"' in page and 'href="/datenschutz?lang=de"' in page, path
        assert 'href="https://www.mannheim.example/barrierefreiheit"' in page, path
    assert "City of Mannheim" in operator_client.get("/?lang=en").text


def test_legal_pages(operator_client: TestClient, client: TestClient) -> None:
    impressum = operator_client.get("/impressum")
    assert "<h2>Anbieter</h2>" in impressum.text
    assert "<script>alert" not in impressum.text and "&lt;script&gt;" in impressum.text  # raw HTML is text
    assert operator_client.get("/datenschutz").status_code == 200  # the software's default text
    redirect = operator_client.get("/barrierefreiheit", follow_redirects=False)
    assert (
        redirect.status_code == 303 and redirect.headers["location"] == "https://www.mannheim.example/barrierefreiheit"
    )
    logo = operator_client.get("/operator/logo")
    assert (
        logo.headers["content-type"].startswith("image/svg+xml")
        and "sandbox" in logo.headers["content-security-policy"]
    )
    # an instance without an operator says so instead of pretending
    assert "kein Impressum hinterlegt" in client.get("/impressum").text
    assert "kein Betreiber eingetragen" in client.get("/").text
    assert client.get("/operator/logo").status_code == 404
    assert "WCAG 2.1" in client.get("/barrierefreiheit").text


def test_registry_name_in_the_page_language(operator_client: TestClient, world: World) -> None:
    files = {"file": ("z.pdf", world.genuine, "application/pdf")}
    english = operator_client.post("/verify?lang=en", files=files).text
    german = operator_client.post("/verify?lang=de", files=files).text
    assert "Test registry" in english
    assert "Test registry" not in german and "Testregister" in german


def test_only_a_result_with_a_preview_may_show_data_images(client: TestClient, world: World) -> None:
    assert _csp_img(client.get("/")) == "img-src 'self'"
    pdf = client.post("/verify", files={"file": ("z.pdf", world.genuine, "application/pdf")})
    assert 'src="data:image/png;base64,' in pdf.text and _csp_img(pdf) == "img-src 'self' data:"
    qr = client.post("/verify", files={"payload": (None, world.qr_text)})
    assert "data:image" not in qr.text and _csp_img(qr) == "img-src 'self'"


def test_the_result_page_in_plain_words(client: TestClient, world: World) -> None:
    page = client.post("/verify", files={"file": ("Zeugnis Müller.pdf", world.genuine, "application/pdf")}).text
    verdict_box = page[page.index('<section class="verdict') : page.index("</section>")]
    assert "Zeugnis Müller.pdf" in verdict_box and "Realschule am Park, Mannheim" in verdict_box
    assert "0x" not in verdict_box  # addresses, block and transaction wait under "Technische Details"
    details = page[page.index('<details class="card tech"') :]
    assert "Transaktion" in details and "0x" in details
    assert "Technische Details" in details


ENGLISH = re.compile(r"\b(VALID|INVALID|SKIPPED|ERROR|passed|failed|Registry|Transaction|Check|Issuer|Valid|Invalid|"
                     r"doc_type|holder|issued_on|block|tx|chain id|Request|Response|Examples)\b")  # fmt: skip


def _visible_text(html: str) -> str:
    html = re.sub(r'<a class="site__lang"[^>]*>[^<]*</a>', "", html)  # the switch names the other language
    # code in the API docs is an identifier (VALID, /api/v1/verify), not prose
    html = re.sub(r"<(script|style|title|code)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_german_pages_hold_no_english(operator_client: TestClient, world: World) -> None:
    """Review finding: the German page mixed in VALID/INVALID/SKIPPED, field keys and English registry names."""
    plain = make_certificate(SAMPLE_PUPILS[4])
    pages = {
        "start": operator_client.get("/").text,
        "docs": operator_client.get("/docs").text,
        "trust": operator_client.get("/trust").text,
        "datenschutz": operator_client.get("/datenschutz").text,
        "qr": operator_client.post("/verify", files={"payload": (None, world.qr_text)}).text,
    }
    for name, pdf in (("genuine", world.genuine), ("tampered", world.tampered), ("plain", plain)):
        pages[name] = operator_client.post("/verify", files={"file": ("z.pdf", pdf, "application/pdf")}).text
    found = {name: ENGLISH.findall(_visible_text(html)) for name, html in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}
    assert "Test registry" not in pages["trust"] and "Testregister" in pages["trust"]
    assert "Test registry" in operator_client.get("/trust?lang=en").text


GERMAN = re.compile(r"\b(Gültig|Ungültig|bestanden|entfällt|Aussteller|Prüfung|Nachweis|Datei|Angaben|Uhr|Seite)\b")


def test_english_pages_hold_no_german(operator_client: TestClient, world: World) -> None:
    plain = make_certificate(SAMPLE_PUPILS[4])
    pages = {
        "start": operator_client.get("/?lang=en").text,
        "docs": operator_client.get("/docs?lang=en").text,
        "trust": operator_client.get("/trust?lang=en").text,
        "qr": operator_client.post("/verify?lang=en", files={"payload": (None, world.qr_text)}).text,
    }
    for name, pdf in (("genuine", world.genuine), ("tampered", world.tampered), ("plain", plain)):
        pages[name] = operator_client.post("/verify?lang=en", files={"file": ("z.pdf", pdf, "application/pdf")}).text
    found = {name: GERMAN.findall(_visible_text(html)) for name, html in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_a_logo_on_another_host_is_allowed_by_the_csp_and_nothing_else(world: World) -> None:
    operator = Operator(name="Stadt", logo="https://cdn.stadt.example/wappen.svg")
    with TestClient(create_app(verifier=world.verifier(), web=relaxed(operator=operator))) as client:
        start = client.get("/")
        result = client.post("/verify", files={"file": ("z.pdf", world.genuine, "application/pdf")})
        assert client.get("/operator/logo").status_code == 404
    assert 'src="https://cdn.stadt.example/wappen.svg"' in start.text
    assert _csp_img(start) == "img-src 'self' https://cdn.stadt.example"
    assert _csp_img(result) == "img-src 'self' https://cdn.stadt.example data:"
