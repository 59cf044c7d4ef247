"""Every limit and error path: 413, 415, 429, 503, garbage, empty uploads, missing fields, huge JSON, timeouts."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import World, relaxed
from tests.web.hostile import nested_dicts_pdf
from verifier.isolation import Limits
from verifier.pipeline import Prepared
from verifier.result import VerificationResult
from verifier.web import create_app
from verifier.web.config import MIB, WebConfig


def test_upload_over_the_default_limit_is_413_before_reading(client: TestClient) -> None:
    big = b"%PDF-1.7\n" + b"0" * (20 * MIB + 1)
    for path in ("/api/v1/verify", "/verify"):
        reply = client.post(path, files={"file": ("big.pdf", big, "application/pdf")})
        assert reply.status_code == 413
    assert client.post("/api/v1/verify", files={"file": ("big.pdf", big, "application/pdf")}).json()["error"] == (
        "too-large"
    )


def test_streamed_upload_without_length_is_cut_at_the_limit(world: World) -> None:
    """Driven at the ASGI level, because TestClient buffers a streamed body before the app sees it."""
    app = create_app(verifier=world.verifier(), web=relaxed(max_upload_bytes=64 * 1024))
    received = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received == 0:
            chunk = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7\n'
        else:
            chunk = b"0" * 16 * 1024
        received += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": received < 160 * MIB}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/v1/verify", "raw_path": b"/api/v1/verify", "query_string": b"", "root_path": "",
        "headers": [(b"content-type", b"multipart/form-data; boundary=XX"), (b"host", b"test")],
        "client": ("127.0.0.1", 5000), "server": ("test", 80), "state": {},
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert received < 2 * MIB


def test_upload_just_under_a_small_limit_is_checked(world: World) -> None:
    with TestClient(create_app(verifier=world.verifier(), web=relaxed(max_upload_bytes=200 * 1024))) as client:
        assert client.post("/api/v1/verify", files={"file": ("a.pdf", world.genuine)}).json()["verdict"] == "VALID"
        padded = world.genuine + b"\n" * (200 * 1024 - len(world.genuine) + 1)
        assert client.post("/api/v1/verify", files={"file": ("a.pdf", padded)}).status_code == 413


def test_huge_json_is_413(client: TestClient) -> None:
    reply = client.post(
        "/api/v1/verify",
        content=b'{"payload": "' + b"A" * 200_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 413


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/plain", b"hello"), ("application/xml", b"<a/>"), ("", b"x"), ("application/x-www-form-urlencoded", b"a=b")],
)
def test_wrong_request_type_is_415_json(client: TestClient, content_type: str, body: bytes) -> None:
    reply = client.post("/api/v1/verify", content=body, headers={"content-type": content_type})
    assert reply.status_code == 415
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json()["error"] == "unsupported-type" and reply.json()["message_en"]


def test_unsupported_file_type_is_415(client: TestClient) -> None:
    reply = client.post("/api/v1/verify", files={"file": ("a.zip", b"PK\x03\x04" + os.urandom(100), "application/zip")})
    assert reply.status_code == 415
    page = client.post("/verify", files={"file": ("a.docx", b"PK\x03\x04", "application/msword")})
    assert page.status_code == 415 and page.headers["content-type"].startswith("text/html")
    assert "nicht unterstützt" in page.text


def test_garbage_declared_as_pdf_is_a_clear_invalid(client: TestClient) -> None:
    body = client.post("/api/v1/verify", files={"file": ("x.pdf", os.urandom(5000), "application/pdf")}).json()
    assert body["verdict"] == "NOT_CHECKABLE"
    assert body["checks"][0]["reason"] == "unreadable-pdf"


def test_garbage_declared_as_image_is_a_clear_invalid(client: TestClient) -> None:
    body = client.post("/api/v1/verify", files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + os.urandom(300))}).json()
    assert body["verdict"] == "NOT_CHECKABLE" and body["checks"][0]["reason"] == "image-unreadable"


def test_empty_upload_and_missing_fields(client: TestClient) -> None:
    empty = client.post("/api/v1/verify", files={"file": ("a.pdf", b"", "application/pdf")})
    assert empty.status_code == 400 and empty.json()["error"] == "empty-file"
    missing = client.post("/api/v1/verify", files={"other": ("a.pdf", b"%PDF-1.4", "application/pdf")})
    assert missing.status_code == 422 and missing.json()["error"] == "missing-input"
    assert client.post("/api/v1/verify", json={}).status_code == 422
    assert client.post("/api/v1/verify", json={"payload": ""}).status_code == 422
    assert client.post("/api/v1/verify", json={"payload": 5}).status_code == 422
    assert client.post("/api/v1/verify", json=["x"]).status_code == 422
    bad = client.post("/api/v1/verify", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"] == "bad-json"
    broken = client.post(
        "/api/v1/verify", content=b"--X\r\nfoo", headers={"content-type": "multipart/form-data; boundary=X"}
    )
    assert broken.status_code in (400, 422)
    # the page: nothing chosen re-shows the form with a message, an empty file is a 400 page
    nothing = client.post("/verify", files={"payload": (None, "")})
    assert nothing.status_code == 400 and "Bitte wählen Sie eine Datei" in nothing.text
    blank = client.post("/verify", files={"file": ("a.pdf", b"", "application/pdf")})
    assert blank.status_code == 400 and "leer" in blank.text


def test_not_a_notary_qr_text(client: TestClient) -> None:
    body = client.post("/api/v1/verify", json={"payload": "https://example.com/<script>alert(1)</script>"}).json()
    assert body["verdict"] == "NOT_CHECKABLE" and body["checks"][0]["reason"] == "not-a-notary-qr"
    page = client.post("/verify", files={"payload": (None, "<script>alert(1)</script>")})
    assert page.status_code == 200 and "<script>alert" not in page.text


def test_rate_limit_429_with_retry_after(world: World) -> None:
    config = relaxed(rate_limit_per_minute=6, rate_limit_burst=2)
    with TestClient(create_app(verifier=world.verifier(), web=config)) as client:
        codes = [client.post("/api/v1/verify", json={"payload": "NT1:AA"}).status_code for _ in range(3)]
        page = client.post("/verify", files={"payload": (None, "NT1:AA")})
        assert client.get("/").status_code == 200  # reading the page costs nothing
    assert codes == [200, 200, 429]
    assert page.status_code == 429 and int(page.headers["retry-after"]) >= 1
    assert "Zu viele Prüfungen" in page.text


def test_slow_parse_is_cut_off_and_its_worker_replaced(world: World) -> None:
    """A tiny time limit: the crafted file needs seconds of pypdf, so it is cut off whatever the machine's speed."""
    config = relaxed(verify_timeout_seconds=0.05, verify_workers=1)
    app = create_app(verifier=world.verifier(), web=config)
    with TestClient(app) as client:
        first = client.post("/api/v1/verify", files={"file": ("a.pdf", nested_dicts_pdf(), "application/pdf")})
        replaced = app.state.notary.pool.replaced
        app.state.notary.pool.limits = Limits(timeout=120.0)  # the genuine one may take its time
        second = client.post("/api/v1/verify", files={"file": ("a.pdf", world.genuine, "application/pdf")})
    assert first.status_code == second.status_code == 200
    assert first.json()["verdict"] == "NOT_CHECKABLE"
    assert "too long" in first.json()["checks"][0]["message_en"]
    assert replaced == 1
    assert second.json()["verdict"] == "VALID"  # the one worker was replaced, not lost


def test_unexpected_exception_in_verifier_is_error_not_500(world: World) -> None:
    class Broken:
        trust = world.verifier().trust

        def finish(self, prepared: Prepared) -> VerificationResult:
            raise RuntimeError("boom")

    with TestClient(create_app(verifier=Broken(), web=relaxed())) as client:  # type: ignore[arg-type]
        reply = client.post("/api/v1/verify", json={"payload": "NT1:AA"})
    assert reply.status_code == 200 and reply.json()["verdict"] == "NOT_CHECKABLE"
    assert "boom" not in reply.text


def test_unknown_pages_and_methods(client: TestClient) -> None:
    assert client.get("/nope").status_code == 404
    assert "text/html" in client.get("/nope").headers["content-type"]
    assert client.get("/api/v1/nope").json()["error"] == "not-found"
    assert client.get("/api/v1/verify").status_code == 405
    assert client.get("/demo/../../etc/passwd").status_code == 404


def test_web_config_refuses_unsafe_values() -> None:
    with pytest.raises(ValueError):
        WebConfig(max_upload_bytes=0)
    with pytest.raises(ValueError):
        WebConfig(verify_timeout_seconds=3600)
    with pytest.raises(ValueError):
        WebConfig(demo_files={"../x.pdf": Path("/etc/passwd")})


def test_upload_memory_budget_503_and_released(world: World) -> None:
    config = relaxed(max_buffered_bytes=1 * MIB, max_upload_bytes=2 * MIB)
    app = create_app(verifier=world.verifier(), web=config)
    with TestClient(app) as client:
        big = b"%PDF-1.7\n" + b"0" * (int(1.5 * MIB))
        reply = client.post("/api/v1/verify", files={"file": ("a.pdf", big, "application/pdf")})
        assert reply.status_code == 503 and "retry-after" in reply.headers
        assert app.state.notary.budget.used == 0  # given back after the request
        ok = client.post("/api/v1/verify", files={"file": ("a.pdf", world.genuine, "application/pdf")})
        assert ok.json()["verdict"] == "VALID"
        assert app.state.notary.budget.used == 0
