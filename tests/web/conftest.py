"""Fixtures for the web tests: real notarised PDFs issued once per session on the in-process chain.

Why "memory" and a facts_reader: a new "memory" connection is a new, empty chain, so the Verifier reads the
facts from the very registry the documents were issued on.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from notary.chain import State
from notary.core import Proof, encode_qr_text
from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, from_paths
from notary.pdf import read_attached_proof
from notary.pdf.samples import SAMPLE_PUPILS, make_certificate
from tests.conftest import Actors
from tests.web.browsing import ARGS, AXE, CHROMIUM, DESKTOP
from verifier.pipeline import Verifier, read_facts
from verifier.trust import TrustedEntry, TrustList
from verifier.web import create_app
from verifier.web.config import WebConfig
from verifier.web.facts_cache import BlockClock, CachedFacts

ISSUER_NAME = "Realschule am Park, Mannheim"


@dataclass
class World:
    actors: Actors
    entry: TrustedEntry
    genuine: bytes
    tampered: bytes
    revoked: bytes
    suspended: bytes
    expired: bytes
    qr_png: bytes
    qr_text: str
    holder: str
    files: dict[str, Path]

    def verifier(self, *, cached: bool = False) -> Verifier:
        registry = self.actors.registry

        def read(entry: TrustedEntry, proof: Proof):  # type: ignore[no-untyped-def]
            return read_facts(registry, proof)

        if cached:
            clock = BlockClock(lambda entry: registry.block_number(), poll_seconds=0)
            return Verifier(TrustList([self.entry]), facts_reader=CachedFacts(read, clock))
        return Verifier(TrustList([self.entry]), facts_reader=read)


def proof_of(pdf: bytes) -> Proof:
    raw = read_attached_proof(pdf)
    assert raw is not None
    return Proof.from_json(raw)


def _issue(actors: Actors, src: Path, out: Path, journal: Path, defaults: ClaimDefaults) -> None:
    Issuance(
        Journal(journal), actors.registry, actors.issuer, IssueOptions(out_dir=out, workers=1),
        executor=ThreadPoolExecutor(1),
    ).issue(from_paths([src], defaults), spec=f"web-tests:{src}")  # fmt: skip


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from notary.demo import overlay_text, render_page

    base = tmp_path_factory.mktemp("web")
    actors = Actors("memory")
    src, src_expired = base / "src", base / "src-expired"
    src.mkdir()
    src_expired.mkdir()
    for name, pupil in zip(("genuine", "revoked", "suspended"), SAMPLE_PUPILS, strict=False):
        (src / f"{name}.pdf").write_bytes(make_certificate(pupil))
    (src_expired / "expired.pdf").write_bytes(make_certificate(SAMPLE_PUPILS[3]))
    holder = "Lena Müller"
    out = base / "out"
    _issue(actors, src, out, base / "j1.sqlite", ClaimDefaults("zeugnis", "Abschlusszeugnis", holder))
    _issue(
        actors, src_expired, out, base / "j2.sqlite",
        ClaimDefaults("zeugnis", "Abschlusszeugnis", "Maximilian Groß-Übelhör", "2019-07-25", "2020-07-31"),
    )  # fmt: skip
    genuine = (out / "genuine.pdf").read_bytes()
    revoked = (out / "revoked.pdf").read_bytes()
    suspended = (out / "suspended.pdf").read_bytes()
    for pdf, state in ((revoked, State.REVOKED), (suspended, State.SUSPENDED)):
        proof = proof_of(pdf)
        actors.registry.set_document_state(
            actors.revoker, bytes(proof.root), bytes(proof.leaf()), [bytes(p) for p in proof.merkle_proof], state, 3
        )
    image = io.BytesIO()
    render_page(genuine, 150).save(image, format="PNG")
    tampered = overlay_text(genuine, "Mathematik: 1 (sehr gut)")
    files = {"genuine.pdf": out / "genuine.pdf", "tampered.pdf": base / "tampered.pdf", "qr.png": base / "qr.png"}
    files["tampered.pdf"].write_bytes(tampered)
    files["qr.png"].write_bytes(image.getvalue())
    entry = TrustedEntry("Testregister", actors.registry.chain_id, actors.registry.address, "memory", False)
    return World(
        actors=actors,
        entry=entry,
        genuine=genuine,
        tampered=tampered,
        revoked=revoked,
        suspended=suspended,
        expired=(out / "expired.pdf").read_bytes(),
        qr_png=image.getvalue(),
        qr_text=encode_qr_text(proof_of(genuine).for_qr()),
        holder=holder,
        files=files,
    )


def relaxed(**overrides: object) -> WebConfig:
    """Test config: no rate limit or penalty box, and time limits far beyond what a genuine check needs on a
    loaded machine, unless a test asks otherwise (a test of a cut-off sets a tiny limit instead)."""
    values: dict[str, object] = {
        "rate_limit_per_minute": 0,
        "overrun_penalty_seconds": 0,  # the tests play all clients from one address
        "verify_timeout_seconds": 30,
        "queue_wait_seconds": 60,
    }
    values.update(overrides)
    return WebConfig(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def app(world: World) -> FastAPI:
    return create_app(verifier=world.verifier(), web=relaxed())


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_url(world: World) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a background thread."""
    app = create_app(
        verifier=world.verifier(),
        web=relaxed(),
        demo_files={"echt.pdf": world.files["genuine.pdf"], "manipuliert.pdf": world.files["tampered.pdf"]},
    )
    with served_in_thread(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")) as url:
        yield url


@contextmanager
def served_in_thread(config: uvicorn.Config) -> Iterator[str]:
    """``config``'s app under uvicorn in a background thread; a generous start-up bound for a loaded machine."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(30)


# Browser fixtures (the system Chromium through Playwright); lazily started, only by the browser tests.


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package with `apt-get install -y chromium`")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is in package.json)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    yield page
    context.close()
    assert not problems, problems  # e.g. a CSP violation or a script error
