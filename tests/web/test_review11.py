"""Findings of the hostile review of issue 11 (HR clerk, school secretary, attacker), each pinned by a test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from verifier.web.config import Operator
from verifier.web.markdown import builtin, to_html
from verifier.web.serving import REDACTED, redact
from verifier.web.view import shown_file_name


def test_an_operators_markdown_h1_does_not_make_a_second_h1() -> None:
    # an Impressum file naturally starts with "# Impressum"; the page template already has the page's h1
    html = to_html("# Impressum\n\n## Anbieter\n\nStadt Mannheim\n\n###### tief\n")
    assert "<h1>" not in html
    assert "<h2>Impressum</h2>" in html and "<h3>Anbieter</h3>" in html and "<h6>tief</h6>" in html


def test_texts_that_start_at_h2_keep_their_levels() -> None:
    for name in ("api", "datenschutz", "barrierefreiheit"):
        for lang in ("de", "en"):
            html = to_html(builtin(name, lang))
            assert "<h1>" not in html and "<h2>" in html, (name, lang)


def test_a_post_without_a_content_type_says_so_in_each_language(client: TestClient) -> None:
    reply = client.post("/api/v1/verify", content=b"x", headers={"content-type": ""})
    body = reply.json()
    assert reply.status_code == 415 and body["error"] == "unsupported-type"
    assert "ohne Angabe des Typs" in body["message_de"] and "no type given" in body["message_en"]
    assert "ohne" not in body["message_en"] and "none" not in body["message_de"]
    declared = client.post("/api/v1/verify", content=b"x", headers={"content-type": "text/plain"}).json()
    assert "(text/plain)" in declared["message_de"] and "(text/plain)" in declared["message_en"]


def test_an_upload_of_unknown_type_says_so_in_each_language(client: TestClient) -> None:
    reply = client.post("/api/v1/verify", files={"file": ("notiz", b"hello", "")})
    body = reply.json()
    assert reply.status_code == 415, body
    assert "unknown" not in body["message_de"] and "unbekannt" not in body["message_en"]


SECRET = "NT1: RLW50.93HCDXTAEA18EP85BNHD$892ZQKHB"  # the start of a real payload: a holder's claims follow
TRUSTED = (
    '[[trusted]]\nname = "X"\nchain_id = 1\naddress = "0x5FbDB2315678afecb367f032d315d8e9f2ba0aa3"\n'
    'rpc_url = "http://127.0.0.1:1"\n'
)


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/", "/"),
        ("/?lang=en", "/?lang=en"),
        ("/%23NT1%3A%20RLW50", "/#" + REDACTED),
        ("/?payload=nt1:abc", "/?payload=" + REDACTED),
        ("/x?p=NT1%253Aabc", "/x?p=" + REDACTED),
    ],
)
def test_redact(target: str, kept: str) -> None:
    assert redact(target) == kept


def test_a_real_serve_never_logs_a_qr_payload(tmp_path: Path) -> None:
    """`notary serve` with two workers: a QR reader that percent-encodes the `#`, a hand-made `?payload=` link
    and a bare path all reach the server; its access log names the request but not the holder's data."""
    config = tmp_path / "notary.toml"
    config.write_text(TRUSTED)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    env = {**os.environ, "NOTARY_CONFIG": str(config)}
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + "/", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
            encoded = quote(SECRET, safe="")
            for target in (f"/%23{encoded}", f"/?payload={encoded}", f"/{encoded}", f"/docs?x={quote(encoded)}"):
                httpx.get(base + target, timeout=30)
            time.sleep(1)  # the access log line is written after the response
        finally:
            server.terminate()
            server.wait(timeout=60)
    text = log.read_text()
    assert text.count(REDACTED) >= 4, text
    assert "RLW50" not in text and "NT1" not in text.upper(), text


def test_a_file_name_with_a_right_to_left_override_shows_its_trick(client: TestClient) -> None:
    page = client.post(
        "/verify?lang=de", files={"file": ("Zeugnis_\u202efdp.exe", b"%PDF-1.4 kaputt", "application/pdf")}
    ).text
    assert "\u202e" not in page and "Zeugnis_\ufffdfdp.exe" in page
    assert shown_file_name("a\u200bb\tc.pdf") == "a\ufffdb\ufffdc.pdf" and shown_file_name("Müller.pdf") == "Müller.pdf"


def test_a_result_address_opened_again_leads_to_the_start_page(client: TestClient) -> None:
    for lang in ("de", "en"):
        reply = client.get(f"/verify?lang={lang}", follow_redirects=False)
        assert reply.status_code == 303 and reply.headers["location"] == f"/?lang={lang}"
    assert client.get("/verify?lang=xx", follow_redirects=False).headers["location"] in ("/?lang=de", "/?lang=en")


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example; script-src * 'unsafe-inline'",  # would add a CSP directive
        "https://*",  # would allow images from anywhere
        "https://www.example/impressum\r\nSet-Cookie: a=b",  # would add a header to the redirect
        "http://www.example/impressum",  # visitors sent in clear
        "https://user:pw@www.example/x",
        'https://www.example/x"><script>alert(1)</script>',
    ],
)
def test_an_operator_url_that_would_break_out_is_refused(url: str) -> None:
    for field in ("logo", "impressum", "privacy", "accessibility"):
        with pytest.raises(ValueError, match="https:// URL with a plain host"):
            Operator(name="Stadt", **{field: url})


def test_ordinary_operator_urls_are_kept() -> None:
    operator = Operator(
        name="Stadt",
        logo="https://cdn.stadt.example:8443/wappen.svg",
        impressum="https://www.mannheim.de/impressum?x=1&y=%20#oben",
        privacy="https://www.mannheim.de/datenschutz",
    )
    assert operator.logo.startswith("https://cdn.stadt.example:8443/")
