"""Shared pieces of the browser tests: the system Chromium, axe-core, screenshots (fixtures: tests/web/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("NOTARY_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 375, "height": 812}


def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_audit(page: Any) -> list[dict[str, Any]]:
    """Serious or critical WCAG 2.1 A/AA violations (the page's context must bypass CSP to inject axe)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"][:120] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def upload(page: Any, url: str, path: Path) -> None:
    page.goto(url)
    page.set_input_files("#file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#verdict")


def verdict(page: Any) -> str:
    return " ".join(page.inner_text("#verdict").split())


def verdict_box(page: Any) -> str:
    return " ".join(page.inner_text(".verdict").split())


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0: nothing clipped or scrolled sideways)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))
