"""Issue 11 review in a real Chromium: a second QR link opened in the same tab shows its own verdict."""

from __future__ import annotations

from typing import Any

import pytest

from notary.core import encode_qr_text
from tests.web.browsing import verdict, verdict_box
from tests.web.conftest import World, proof_of

pytestmark = pytest.mark.browser


def test_a_second_qr_link_in_the_same_tab_replaces_the_first_verdict(page: Any, live_url: str, world: World) -> None:
    """Camera apps open a QR's URL in the tab already showing the verifier; when only the fragment differs, the
    browser does not reload the page. The first document's verdict must not stay on screen for the second."""
    page.goto(f"{live_url}/#{world.qr_text}")
    page.wait_for_selector("#verdict")
    assert "Angaben bestätigt" in verdict(page) and world.holder in verdict_box(page)
    revoked = encode_qr_text(proof_of(world.revoked).for_qr())
    page.goto(f"{live_url}/#{revoked}")  # same document, new fragment: a hashchange, no load
    page.wait_for_function("() => /Widerrufen/.test(document.getElementById('arrival-result').innerText)")
    assert page.locator(".verdict").count() == 1 and page.locator("#verdict").count() == 1
    assert "Widerrufen" in verdict(page) and "Angaben bestätigt" not in verdict(page)
    assert "#" not in page.url  # the second payload left the address bar as well
    assert page.title().count("Ergebnis") == 1
