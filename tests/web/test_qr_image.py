"""Reading QR codes from uploaded images: bounded work for crafted images, scans still read, clean exit."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import segno
import zxingcpp
from PIL import Image

from tests.web.conftest import World
from verifier import qr_image
from verifier.qr_image import MAX_DECODE_PIXELS, qr_texts

ROOT = Path(__file__).resolve().parents[2]


def tiled_small_codes(side: int) -> bytes:
    """The review's attack image: ``side`` x ``side`` pixels of tiny QR codes (3 pixels per module)."""
    buffer = io.BytesIO()
    segno.make_qr("HELLO", error="L").save(buffer, kind="png", scale=3, border=2)
    tile = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    image = Image.new("L", (side, side), 255)
    for y in range(0, side - tile.height, tile.height):
        for x in range(0, side - tile.width, tile.width):
            image.paste(tile, (x, y))
    out = io.BytesIO()
    image.convert("1").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def searched_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    sizes: list[tuple[int, int]] = []
    real = zxingcpp.read_barcodes

    def spy(image: Any, **kwargs: Any) -> Any:
        sizes.append(image.size)
        return real(image, **kwargs)

    monkeypatch.setattr(zxingcpp, "read_barcodes", spy)
    return sizes


def page(world: World, dpi: int, fmt: str = "PNG") -> bytes:
    from notary.demo import render_page

    out = io.BytesIO()
    render_page(world.genuine, dpi).convert("RGB").save(out, fmt)
    return out.getvalue()


def test_tiled_small_codes_are_searched_downscaled_and_quickly(searched_sizes: list[tuple[int, int]]) -> None:
    """Review finding: 6300 x 6300 pixels of tiled tiny QR codes (110 KB of PNG) took 4.1 s of C time."""
    attack = tiled_small_codes(6300)
    started = time.monotonic()
    qr_texts(attack)
    elapsed = time.monotonic() - started
    (width, height), *_ = searched_sizes
    assert width * height <= MAX_DECODE_PIXELS and width == height
    assert elapsed < 2.0  # about 0.25 s here; 4.3 s before


def test_a_150_dpi_scan_is_searched_as_it_is(world: World, searched_sizes: list[tuple[int, int]]) -> None:
    scan = page(world, 150)
    assert qr_texts(scan) == [world.qr_text]
    assert searched_sizes == [Image.open(io.BytesIO(scan)).size]  # A4: 1241 x 1754


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_300_dpi_scan_is_downscaled_and_still_read(
    world: World, searched_sizes: list[tuple[int, int]], fmt: str
) -> None:
    assert qr_texts(page(world, 300, fmt)) == [world.qr_text]
    (width, height), *_ = searched_sizes
    assert width * height <= MAX_DECODE_PIXELS and width >= 1200  # about 150 dpi again


def test_big_jpeg_is_decoded_at_reduced_size(searched_sizes: list[tuple[int, int]]) -> None:
    big = io.BytesIO()
    Image.new("L", (6000, 4000), 200).save(big, "JPEG")
    assert qr_texts(big.getvalue()) == []
    (width, height), *_ = searched_sizes
    assert width * height <= MAX_DECODE_PIXELS and abs(width / height - 1.5) < 0.01


def test_no_search_starts_once_the_interpreter_exits() -> None:
    searches = qr_image._Searches()
    with searches:
        assert searches.running == 1
        assert searches.close(wait=0.05) is False  # still running: the exit hook waits (bounded)
    assert searches.close(wait=0.05) is True
    with pytest.raises(Exception, match="shutting down"), searches:
        pass


def test_exit_during_qr_searches_does_not_abort(tmp_path: Path) -> None:
    """Review finding: a thread inside zxing (C++, GIL released) while the interpreter finalises was torn
    down with "terminate called without an active exception" (SIGABRT)."""
    image = tmp_path / "tiles.png"
    Image.open(io.BytesIO(tiled_small_codes(6300))).crop((0, 0, 1500, 1500)).save(image, "PNG")
    script = textwrap.dedent(
        f"""
        import io, sys, threading, time
        sys.path.insert(0, {str(ROOT)!r})
        from verifier.qr_image import qr_texts
        from notary.errors import FormatError
        image = open({str(image)!r}, "rb").read()

        def loop():
            while True:
                try:
                    qr_texts(image)
                except FormatError:
                    return

        for _ in range(4):
            threading.Thread(target=loop, daemon=True).start()
        time.sleep(0.3)
        print("exiting", flush=True)
        """
    )
    for _ in range(2):  # before the fix: 4 runs in 5 aborted
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert "exiting" in run.stdout
        assert run.returncode == 0, run.stderr[-2000:]
        assert "terminate called" not in run.stderr
