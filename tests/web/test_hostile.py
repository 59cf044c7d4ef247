"""The attacker's report (issue 15) as regression tests: each attack against a real server (uvicorn on loopback,
the limits `notary serve` sets) or the real CLI, and what must hold afterwards.

Robust on a loaded 2-core machine: no assertion on how long anything took. Where a test needs a cut-off it sets
a tiny time limit (the crafted files need seconds); where it needs an answer it waits generously.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import World, free_port, relaxed, served_in_thread
from tests.web.hostile import (
    animated_png,
    foreign_image,
    hex_string_pdf,
    jpeg_scan_bomb,
    nested_dicts_pdf,
    webp_memory_bomb,
)
from verifier.isolation import Limits
from verifier.web import create_app
from verifier.web.config import MIB
from verifier.web.serving import bounded_config

ROOT = Path(__file__).resolve().parents[2]
GENEROUS = 120.0


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` under uvicorn with the limits of `notary serve`, X-Forwarded-For trusted from loopback (so a test
    can play several clients)."""
    port = free_port()
    config = bounded_config(
        app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=True, forwarded_allow_ips="127.0.0.1"
    )
    with served_in_thread(config) as url:
        yield url


def post_file(
    url: str, data: bytes, name: str = "x.pdf", kind: str = "application/pdf", client: str = ""
) -> httpx.Response:
    headers = {"X-Forwarded-For": client} if client else {}
    return httpx.post(f"{url}/api/v1/verify", files={"file": (name, data, kind)}, headers=headers, timeout=GENEROUS)


def test_crafted_pdfs_at_once_cannot_freeze_the_server(world: World) -> None:
    """The freeze: several nested-dict PDFs hit the cut-off at the same moment (pypdf logging one warning per
    level). Each is answered, and afterwards /healthz and a genuine verification still answer."""
    app = create_app(
        verifier=world.verifier(), web=relaxed(verify_timeout_seconds=0.05, verify_workers=2, max_uploads_per_client=64)
    )
    crafted = nested_dicts_pdf()
    with serving(app) as url:
        for _ in range(2):
            replies: list[httpx.Response] = []

            def attack(into: list[httpx.Response] = replies) -> None:
                into.append(post_file(url, crafted))

            threads = [threading.Thread(target=attack) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(GENEROUS)
            assert len(replies) == 6
            assert all(r.status_code == 200 and r.json()["verdict"] in ("NOT_CHECKABLE", "INVALID") for r in replies)
        assert app.state.notary.pool.replaced >= 1
        app.state.notary.pool.limits = Limits(timeout=GENEROUS)
        health = httpx.get(f"{url}/healthz", timeout=GENEROUS)
        assert health.status_code in (200, 503) and "registries" in health.json()
        assert post_file(url, world.genuine).json()["verdict"] == "VALID"


def test_a_client_sending_crafted_files_is_held_back(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing capacity is what a crafted file spends: after one overrun its sender waits (429) while others
    are served as usual. Whether an overrun was the file's doing or the machine's load is judged by the worker's
    CPU time (tests/web/test_verification_outcomes.py injects both outcomes); here it counts as the file's,
    whatever the load."""
    monkeypatch.setattr("verifier.isolation._process_cpu", lambda pid: None)
    app = create_app(verifier=world.verifier(), web=relaxed(verify_timeout_seconds=0.05, overrun_penalty_seconds=600))
    with serving(app) as url:
        first = post_file(url, nested_dicts_pdf(), client="203.0.113.9")
        again = post_file(url, nested_dicts_pdf(), client="203.0.113.9")
        app.state.notary.pool.limits = Limits(timeout=GENEROUS)
        other = post_file(url, world.genuine, client="203.0.113.10")
    assert first.status_code == 200 and first.json()["verdict"] == "NOT_CHECKABLE"
    assert again.status_code == 429 and int(again.headers["retry-after"]) > 0
    assert other.status_code == 200 and other.json()["verdict"] == "VALID"


def _stall(url: str, client: str, sent: int, declared: int) -> socket.socket:
    """An upload that announces ``declared`` bytes, sends ``sent`` and then nothing more."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=GENEROUS)
    head = (
        f"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: {client}\r\n"
        f"Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: {declared}\r\n\r\n"
    ).encode()
    part = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7\n'
    sock.sendall(head + part + b"0" * (sent - len(part)))
    return sock


def _status_of(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0


def test_stalled_uploads_do_not_deny_other_clients(world: World) -> None:
    """13 uploads that stop mid-body used to fill the upload budget: every other upload got 503 for as long as
    the sockets stayed open. Now one client holds at most its share, and a stalled body is cut off (408)."""
    config = relaxed(
        body_idle_seconds=3.0,
        max_uploads_per_client=4,
        max_buffered_bytes=2 * MIB,
        max_upload_bytes=2 * MIB,
    )
    app = create_app(verifier=world.verifier(), web=config)
    with serving(app) as url:
        stalled = [_stall(url, "10.0.0.66", 256 * 1024, 2 * MIB) for _ in range(13)]
        genuine = post_file(url, world.genuine, client="10.0.0.7")
        payload = httpx.post(
            f"{url}/api/v1/verify", json={"payload": world.qr_text}, headers={"X-Forwarded-For": "10.0.0.8"}
        )
        statuses = [_status_of(sock) for sock in stalled]
        state = app.state.notary
        deadline = time.monotonic() + GENEROUS
        while (state.budget.used or state.uploads.open) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert genuine.status_code == 200 and genuine.json()["verdict"] == "VALID"
    assert payload.status_code == 200 and payload.json()["verdict"] == "VALID"
    # the client's first four are cut off once they stall (408), the others refused at once (429); on a slow
    # machine a later one may find a place freed by a cut-off and be cut off in turn
    assert set(statuses) <= {408, 429} and 429 in statuses and statuses.count(408) >= 4
    assert state.budget.used == 0 and state.uploads.open == 0  # nothing left held


def test_slow_request_head_is_closed(world: World) -> None:
    """A client that never finishes its request line and headers (slowloris) loses the connection."""
    import verifier.web.serving as serving_module

    app = create_app(verifier=world.verifier(), web=relaxed())
    original = serving_module.HEADER_TIMEOUT_SECONDS
    serving_module.HEADER_TIMEOUT_SECONDS = 0.5
    try:
        with serving(app) as url:
            host, port = url.removeprefix("http://").split(":")
            sock = socket.create_connection((host, int(port)), timeout=GENEROUS)
            sock.sendall(b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            assert sock.recv(4096) == b""  # closed by the server, not by this test's timeout
            sock.close()
            assert httpx.get(f"{url}/", timeout=GENEROUS).status_code == 200
    finally:
        serving_module.HEADER_TIMEOUT_SECONDS = original


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(verifier=world.verifier(), web=relaxed())) as test_client:
        yield test_client


def _first_check(reply: httpx.Response) -> dict[str, str]:
    assert reply.status_code == 200
    body = reply.json()
    assert body["verdict"] == "NOT_CHECKABLE" and body["checks"][0]["reason"] == "image-unreadable"
    check: dict[str, str] = body["checks"][0]
    return check


def test_progressive_jpeg_scan_bomb_is_refused_before_decoding(client: TestClient) -> None:
    bomb = jpeg_scan_bomb()
    reply = client.post("/api/v1/verify", files={"file": ("qr.jpg", bomb, "image/jpeg")})
    assert "too many scans" in _first_check(reply)["message_en"]


def test_webp_memory_bomb_is_refused_by_its_decoded_size(client: TestClient) -> None:
    bomb = webp_memory_bomb()
    assert len(bomb) < 2000  # a few hundred bytes declaring 6320 x 6320 RGBA pixels
    reply = client.post("/api/v1/verify", files={"file": ("qr.webp", bomb, "image/webp")})
    assert "too large to decode" in _first_check(reply)["message_en"]


@pytest.mark.parametrize("fmt", ["TIFF", "BMP", "GIF"])
def test_foreign_image_formats_are_refused_with_a_reason(client: TestClient, fmt: str) -> None:
    image = foreign_image(fmt)
    mislabelled = client.post("/api/v1/verify", files={"file": ("qr.png", image, "image/png")})
    assert f"{fmt} images are not accepted" in _first_check(mislabelled)["message_en"]
    declared = client.post("/api/v1/verify", files={"file": (f"qr.{fmt.lower()}", image, f"image/{fmt.lower()}")})
    assert declared.status_code == 415 and "WebP" in declared.json()["message_en"]


def test_animated_image_is_refused(client: TestClient) -> None:
    reply = client.post("/api/v1/verify", files={"file": ("qr.png", animated_png(), "image/png")})
    assert "animated" in _first_check(reply)["message_en"]


# ---------------------------------------------------------------------- the CLI


@pytest.fixture(scope="module")
def big_hex_pdf(world: World, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("cli-limits")
    pdf = base / "big.pdf"
    pdf.write_bytes(hex_string_pdf(16))
    config = base / "notary.toml"
    config.write_text(
        f'[[trusted]]\nname = "Testregister"\nchain_id = {world.entry.chain_id}\naddress = "{world.entry.address}"\n'
        'rpc_url = "http://127.0.0.1:1"\n',
        encoding="utf-8",
    )
    return pdf, config


def notary_verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "verify", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "NOTARY_VERIFY_TIMEOUT": "5"},
    )


def test_cli_refuses_a_file_over_the_size_limit(big_hex_pdf: tuple[Path, Path]) -> None:
    pdf, config = big_hex_pdf
    done = notary_verify(str(pdf), "--config", str(config), "--max-size", "1")
    assert done.returncode == 4
    assert done.stderr.strip().count("\n") == 0 and "--max-size" in done.stderr
    as_json = notary_verify(str(pdf), "--config", str(config), "--max-size", "1", "--json")
    assert as_json.returncode == 4
    body = json.loads(as_json.stdout)
    assert body["verdict"] == "NOT_CHECKABLE" and "--max-size" in body["error"]


def test_cli_stops_a_file_past_the_time_limit(big_hex_pdf: tuple[Path, Path]) -> None:
    """The 16 MB hex-string PDF took 29 s; a tiny limit cuts it off whatever the machine's speed."""
    pdf, config = big_hex_pdf
    done = notary_verify(str(pdf), "--config", str(config), "--timeout", "0.1")
    assert done.returncode == 4
    assert done.stderr.strip().count("\n") == 0 and "--timeout" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    as_json = notary_verify(str(pdf), "--config", str(config), "--json", "--timeout", "0.1")
    assert as_json.returncode == 4 and json.loads(as_json.stdout)["verdict"] == "NOT_CHECKABLE"


def test_served_app_still_answers_and_stops_after_crafted_pdfs(world: World, tmp_path: Path) -> None:
    """`notary serve` itself: after crafted PDFs hit the cut-off at once, /healthz answers and SIGTERM ends it (the
    freeze left a process that ignored SIGTERM)."""
    config = tmp_path / "notary.toml"
    config.write_text(
        f'[[trusted]]\nname = "Testregister"\nchain_id = {world.entry.chain_id}\naddress = "{world.entry.address}"\n'
        'rpc_url = "http://127.0.0.1:1"\n',
        encoding="utf-8",
    )
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "NOTARY_CONFIG": str(config),
        "NOTARY_WEB_VERIFY_TIMEOUT_SECONDS": "0.05",
        "NOTARY_WEB_OVERRUN_PENALTY_SECONDS": "0",
        "NOTARY_WEB_MAX_UPLOADS_PER_CLIENT": "64",  # all clients of this test are one address
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2", "--rate-limit", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + GENEROUS
        while True:
            try:
                httpx.get(f"{url}/", timeout=5)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "notary serve did not start"
                time.sleep(0.2)
        crafted = nested_dicts_pdf()
        replies: list[httpx.Response] = []

        def attack() -> None:
            replies.append(post_file(url, crafted))

        threads = [threading.Thread(target=attack) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(GENEROUS)
        assert [r.status_code for r in replies] == [200] * 6
        assert httpx.get(f"{url}/healthz", timeout=GENEROUS).status_code in (200, 503)  # answered (chain is down)
        server.terminate()
        server.wait(GENEROUS)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode is not None
    assert b"Traceback" not in (server.stderr.read() if server.stderr else b"")
