"""Issue 15 in a real Chromium: claims text that paints outside its box (item 5), and the trust-list page (item 4).

A title with stacked combining marks ("zalgo") must not paint over the verdict's heading and summary, the
test-system banner or the note above the claims (since issue 11 the claims to compare sit inside the verdict box).

The issuer and verifier now refuse such titles, so no genuine result can carry one; the page must hold anyway
(an older proof, a mark the rules allow in another script). The result page is therefore rendered from a view
made here, with the real template and the real stylesheet, and compared pixel for pixel with the same page
carrying a plain title: every protected region must be identical.

The trust-list page is served by uvicorn and reached from the footer link, keyboard-free, and audited with axe.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.conftest import ROOT
from tests.web.conftest import free_port, relaxed, served_in_thread
from verifier.pipeline import Verifier
from verifier.trust import TrustedEntry, TrustList
from verifier.web import create_app
from verifier.web.render import environment
from verifier.web.view import CheckRow, ResultView

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("NOTARY_CHROMIUM", "/usr/bin/chromium"))
CSS = ROOT / "verifier" / "web" / "static" / "app.css"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# marks the browser's fonts stack on each other (mark-to-mark), so each column reaches far above and below
ABOVE, BELOW = "\u030d", "\u0329"  # vertical line above / below
PLAIN = "Abschlusszeugnis"


def zalgo(text: str, depth: int = 150) -> str:
    return "".join(ch + ABOVE * depth + BELOW * depth for ch in text)


def _view(title: str, holder: str) -> ResultView:
    return ResultView(
        verdict="valid",
        label="Gültig",
        summary="Das Dokument ist echt und unverändert.",
        source="Geprüft: QR-Code",
        qr=True,
        production_warning=True,
        details=[("Eingetragener Name", "Realschule am Park, Mannheim")],
        anchor=[],
        claims=[("Art", "Zeugnis"), ("Titel", title), ("Inhaber/in", holder)],
        claims_note="Wichtig: Der QR-Code bestätigt nur diese Angaben.",
        checks=[CheckRow("Nachweis lesbar", "valid", "bestanden", "Der Nachweis ist lesbar.")],
    )


def _html(view: ResultView) -> str:
    page = (
        environment()
        .get_template("result.html")
        .render(
            lang="de",
            other_lang="en",
            switch_href="/?lang=en",
            t=lambda key: key,
            demo_names=[],
            max_upload_mb=20,
            view=view,
        )
    )
    # the stylesheet inline and no script: the page is loaded from a string, not from a server
    page = re.sub(r'<link rel="stylesheet"[^>]*>', lambda _: f"<style>{CSS.read_text()}</style>", page)
    return re.sub(r"<script[^>]*></script>", "", page)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


def _regions(browser: Any, view: ResultView, width: int) -> dict[str, Any]:
    """Screenshots of the protected regions, and the claim value boxes."""
    context = browser.new_context(viewport={"width": width, "height": 1400}, java_script_enabled=True)
    try:
        page = context.new_page()
        page.set_content(_html(view))
        shots = {
            name: page.locator(selector).screenshot(animations="disabled")
            for name, selector in (
                ("verdict", ".verdict__label"),
                ("summary", ".verdict__summary"),
                ("banner", "#not-production"),
                ("note", ".note"),
            )
        }
        shots["boxes"] = page.evaluate(
            """() => ['.note', '#not-production', '.facts dd'].map(s =>
                 [...document.querySelectorAll(s)].map(e => { const r = e.getBoundingClientRect();
                   return [r.top, r.bottom]; }))"""
        )
        return shots
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_zalgo_claims_do_not_paint_over_the_verdict_or_the_banner(browser: Any, width: int) -> None:
    plain = _regions(browser, _view(PLAIN, "Lena Müller"), width)
    hostile = _regions(browser, _view(zalgo(PLAIN), zalgo("Lena Müller")), width)
    for region in ("verdict", "summary", "banner", "note"):
        assert hostile[region] == plain[region], f"{region} was painted over at width {width}"
    note_box, banner_box, values = hostile["boxes"]
    # each value keeps a bounded box (the marks do not make it grow) below the note, which is below the banner
    plain_values = plain["boxes"][2]
    for (top, bottom), (plain_top, plain_bottom) in zip(values, plain_values, strict=True):
        assert top >= note_box[0][1] >= banner_box[0][1]
        assert bottom - top <= (plain_bottom - plain_top) * 1.5 + 2


@pytest.fixture(scope="module")
def trust_url() -> Iterator[str]:
    """A verifier trusting a production registry with three witnesses and a test registry, served by uvicorn."""
    trust = TrustList(
        [
            TrustedEntry("Stadt Mannheim", 100, "0x" + "ab" * 20, "http://127.0.0.1:1", True,
                         rpc_urls=("http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3")),
            TrustedEntry("Schulversuch", 31337, "0x" + "cd" * 20, "http://127.0.0.1:1", False),
        ]
    )  # fmt: skip
    app = create_app(verifier=Verifier(trust), web=relaxed())
    with served_in_thread(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")) as url:
        yield url


def test_the_trust_list_is_one_click_from_the_start_page_and_accessible(browser: Any, trust_url: str) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is in package.json)")
    # our CSP rightly blocks the injected axe script; this context alone ignores the CSP
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(trust_url + "/")
        page.click("footer >> text=Welchen Registern diese Prüfstelle vertraut")
        page.wait_for_selector("h1")
        assert page.url.endswith("/trust?lang=de")
        main = page.inner_text("main")
        assert "Stadt Mannheim" in main and "Produktivsystem" in main and "3, davon müssen 2 übereinstimmen" in main
        assert "Schulversuch" in main and "Testsystem" in main
        assert "127.0.0.1" not in page.content()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == []
        page.click("text=English")
        assert page.get_attribute("html", "lang") == "en" and "This verifier's trust list" in page.inner_text("h1")
    finally:
        context.close()
