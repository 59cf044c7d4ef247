"""The page in a real browser (the system Chromium, headless, through Playwright): verdicts, QR photo, language
switch, keyboard-only use, camera scanning with a fake camera, and an axe-core accessibility audit.

Screenshots (desktop and phone) go to test-artifacts/. Needs the Debian package ``chromium``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tests.web.browsing import ARGS, CHROMIUM, PHONE, shoot, upload, verdict, verdict_box
from tests.web.conftest import World

pytestmark = pytest.mark.browser


def test_genuine_pdf_is_valid(page: Any, live_url: str, world: World) -> None:
    upload(page, live_url + "/", world.files["genuine.pdf"])
    assert "Gültig" in verdict(page)
    assert page.evaluate("document.activeElement.id") == "verdict"  # focus moved to the verdict
    assert page.is_visible("#not-production")
    assert "Realschule am Park, Mannheim" in page.inner_text("main")
    shoot(page, "result-valid-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "result-valid-phone")


def test_tampered_pdf_is_invalid(page: Any, live_url: str, world: World) -> None:
    upload(page, live_url + "/", world.files["tampered.pdf"])
    assert "Ungültig" in verdict(page)
    assert not page.is_visible(".checks")  # the single checks sit under "Technische Details", closed
    page.click("summary:has-text('Technische Details')")
    assert "nicht bestanden" in page.inner_text(".checks")
    shoot(page, "result-invalid-desktop")


def test_qr_photo_shows_claims(page: Any, live_url: str, world: World) -> None:
    upload(page, live_url + "/", world.files["qr.png"])
    assert "Angaben bestätigt" in verdict(page)
    box = verdict_box(page)
    assert world.holder in box and "Abschlusszeugnis" in box
    assert "mit dem Papier" in box
    page.set_viewport_size(PHONE)
    shoot(page, "result-qr-phone")


def test_english_switch(page: Any, live_url: str, world: World) -> None:
    page.goto(live_url + "/")
    page.click("text=English")
    assert page.get_attribute("html", "lang") == "en"
    assert "Verify documents" in page.inner_text("h1")
    page.set_input_files("#file", str(world.files["genuine.pdf"]))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert "Valid" in verdict(page)
    assert "not a production chain" in page.inner_text("main")


def test_keyboard_only(page: Any, live_url: str, world: World) -> None:
    # answer the file dialog that the keyboard opens (registered before any navigation: no race)
    page.on("filechooser", lambda chooser: chooser.set_files(str(world.files["genuine.pdf"])))
    page.goto(live_url + "/")
    focused: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if focused[-1] == "file":
            break
    assert focused[-1] == "file", focused
    assert focused[0] == "A"  # the skip link comes first
    page.keyboard.press("Space")
    for _ in range(100):  # (wait_for_function evaluates a string, which the page's CSP forbids)
        if page.evaluate("() => document.getElementById('file').files.length") == 1:
            break
        page.wait_for_timeout(50)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Prüfen"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.press("Enter")
    page.wait_for_selector("#verdict")
    assert "Gültig" in verdict(page)


def test_demo_downloads_on_their_own_page(page: Any, live_url: str) -> None:
    page.goto(live_url + "/")
    assert page.locator("a[href^='/demo/']").count() == 0  # no samples on the start page
    page.click("footer >> text=Beispieldokumente zum Ausprobieren")
    page.wait_for_selector("h1")
    assert page.is_visible("a[href='/demo/echt.pdf']") and page.is_visible("a[href='/demo/manipuliert.pdf']")
    shoot(page, "demo-desktop")


def _fake_camera_file(world: World, folder: Path) -> Path:
    """An MJPEG 'camera' that films the printed page's QR code (cropped, as a phone would hold it)."""
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(world.qr_png)).convert("RGB")
    position = zxingcpp.read_barcodes(image)[0].position
    xs = [p.x for p in (position.top_left, position.top_right, position.bottom_left, position.bottom_right)]
    ys = [p.y for p in (position.top_left, position.top_right, position.bottom_left, position.bottom_right)]
    margin = 60
    crop = image.crop((min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin))
    frame = Image.new("RGB", (640, 480), "white")
    crop.thumbnail((440, 440))
    frame.paste(crop, ((640 - crop.width) // 2, (480 - crop.height) // 2))
    buffer = io.BytesIO()
    frame.save(buffer, format="JPEG", quality=95)
    path = folder / "camera.mjpeg"
    path.write_bytes(buffer.getvalue() * 30)
    return path


def test_camera_scan_with_jsqr(playwright: Any, live_url: str, world: World, tmp_path: Path) -> None:
    camera = _fake_camera_file(world, tmp_path)
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={camera}"],
    )  # fmt: skip
    try:
        context = browser.new_context(viewport=PHONE, locale="de-DE")
        context.grant_permissions(["camera"], origin=live_url)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_url + "/")
        assert page.is_visible("#scan-start")
        page.click("#scan-start")
        page.wait_for_selector("#verdict", timeout=20_000)
        assert "Angaben bestätigt" in verdict(page)
        assert world.holder in page.inner_text("main")
        assert not errors, errors
    finally:
        browser.close()


def test_qr_link_fragment_checks_at_once(page: Any, live_url: str, world: World) -> None:
    """A QR code holding the verifier's address with the payload after '#' opens straight to the verdict."""
    page.goto(f"{live_url}/#{world.qr_text}")
    page.wait_for_selector("#verdict")
    assert "Angaben bestätigt" in verdict(page) and world.holder in verdict_box(page)
    page.click("#technical summary")
    drawn = (verdict_box(page), page.locator("#technical dt").all_inner_texts(), page.inner_text("#technical"))
    assert "Testregister" in drawn[2] and "Uhr (" in drawn[2] and "Transaktion" in drawn[2], drawn[2]
    # the same verdict from the server-rendered page: the script draws the same box and details
    page.goto(live_url + "/")
    page.fill("#payload", world.qr_text)
    page.click("#paste-form button[type=submit]")
    page.wait_for_selector("#verdict")
    page.click("#technical summary")
    assert drawn[0] == verdict_box(page)
    assert drawn[1] == page.locator("#technical dt").all_inner_texts()
    assert drawn[2] == page.inner_text("#technical")  # the same rows, dates and checks, to the letter
