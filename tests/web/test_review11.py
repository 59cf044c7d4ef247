"""Findings of the hostile review of issue 11 (HR clerk, school secretary, attacker), each pinned by a test."""

from __future__ import annotations

from fastapi.testclient import TestClient

from verifier.web.markdown import builtin, to_html


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
