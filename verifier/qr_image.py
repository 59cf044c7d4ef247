"""Find QR codes in a photo or scan (PNG, JPEG or WebP), bounded in size so a crafted image cannot exhaust memory,
and in decoding work so it cannot keep a worker busy for seconds.

Bounds before any pixel is decoded: only the PNG, JPEG and WebP decoders are ever run (``Image.open(formats=...)``;
Pillow would otherwise decode TIFF, BMP, GIF, JPEG 2000, PCX, TGA, PPM, SGI, QOI ...), one frame only, the
pixel count from the header, the decoded size in memory (a 1.7 KB lossless WebP can declare 40 megapixels of
RGBA), and for JPEG the number of progressive scans. All of it runs in an isolated worker process anyway
(verifier/isolation.py) whose memory and CPU limits are the backstop.

Why downscale: the QR search (zxing-cpp, C++) cannot be interrupted, and its time grows with the pixel count
and the number of symbol-like shapes in the image: 40 megapixels of tiled tiny QR codes kept it busy for
4 s. A QR code that is readable at all stays readable at ``MAX_DECODE_PIXELS`` (a 150-dpi A4 page scan,
1240 x 1754, is decoded as it is; a 300-dpi scan or a phone photo is reduced to about the same), and there
the worst crafted image costs a fraction of a second. JPEGs are decoded at reduced size right away
(``Image.draft``, DCT scaling), others are reduced after loading (box filter). zxing-cpp 3.x's Python API
offers no bound on the number of symbols; the pixel bound is what bounds the work.

Interpreter exit: the C++ search runs without the GIL. A thread still inside it when the interpreter
finalises would be torn down on its way back (``terminate called without an active exception``, SIGABRT).
An exit hook therefore refuses new searches and waits for running ones (each bounded as above).
"""

from __future__ import annotations

import atexit
import io
import math
import threading
import time

import zxingcpp
from PIL import Image, UnidentifiedImageError

from notary.errors import FormatError

MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is downscaled first by any sane client; this is the bound
MAX_DECODED_BYTES = 128 * 1024 * 1024  # memory of the decoded picture (after JPEG's reduced-size decoding)
MAX_DECODE_PIXELS = 2_500_000  # what the QR search sees at most (a 150-dpi A4 page is 2.2 megapixels)
MAX_JPEG_SCANS = 32  # libjpeg's progressive mode writes 6-10 scans; a crafted file thousands, each a full pass
MAX_SCAN_PIXELS = 400_000_000  # scans x pixels: the decoding work a progressive JPEG may ask for
EXIT_WAIT_SECONDS = 10.0  # an exit waits at most this long for searches still running
ACCEPTED = ("PNG", "JPEG", "WEBP")  # the only decoders ever run on an upload (Image.open(formats=...))

_FORMATS = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_FOREIGN = (
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"), (b"GIF8", "GIF"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"), (b"\xffO\xffQ", "JPEG 2000"), (b"qoif", "QOI"),
    (b"\x0a\x05\x01", "PCX"), (b"P6", "PPM"), (b"P5", "PGM"), (b"\x01\xda", "SGI"), (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"), (b"%!PS", "PostScript"),
)  # fmt: skip


def qr_texts(image: bytes) -> list[str]:
    """The texts of all QR codes found in the image (possibly none); FormatError if it is not an image."""
    picture = _load(image)
    with _searches:
        found = zxingcpp.read_barcodes(picture, formats=_FORMATS)
    return [code.text for code in found if code.valid and code.text]


def _load(image: bytes) -> Image.Image:
    """The image in grey levels, at most ``MAX_DECODE_PIXELS``; every bound is checked before decoding."""
    _refuse_foreign(image)
    try:
        with Image.open(io.BytesIO(image), formats=ACCEPTED) as probe:
            if probe.format not in ACCEPTED:  # e.g. MPO, which Pillow's JPEG opener may hand back
                raise FormatError(f"{probe.format} images are not accepted; send a PNG, JPEG or WebP image")
            if getattr(probe, "n_frames", 1) != 1:
                raise FormatError("animated or multi-frame images are not accepted; send a single photo or scan")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise FormatError(f"the image is too large ({width}x{height} pixels); scan at a lower resolution")
            if probe.format == "JPEG":
                _bound_jpeg_work(image, width * height)
                probe.draft("L", _fitted(width, height))  # decodes at 1/2, 1/4 or 1/8 size, never below the request
            if _decoded_bytes(probe) > MAX_DECODED_BYTES:
                raise FormatError(f"the image is too large to decode ({width}x{height} pixels, {probe.mode})")
            probe.load()
            picture = probe.convert("L")
    except FormatError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise FormatError(f"not a readable PNG, JPEG or WebP image ({type(exc).__name__})") from None
    if picture.width * picture.height > MAX_DECODE_PIXELS:
        picture = picture.resize(_fitted(picture.width, picture.height), Image.Resampling.BOX, reducing_gap=2.0)
    return picture


def _refuse_foreign(image: bytes) -> None:
    """A clear reason for the formats people do send (a TIFF from a scanner, a GIF): never decoded."""
    for magic, name in _FOREIGN:
        if image.startswith(magic):
            raise FormatError(f"{name} images are not accepted; send a PNG, JPEG or WebP image")


def _bound_jpeg_work(image: bytes, pixels: int) -> None:
    """Each scan of a progressive JPEG is a pass over the whole image inside libjpeg, where no time limit
    reaches; count them first. 0xFF 0xDA cannot occur inside entropy-coded data (0xFF is stuffed there)."""
    scans = image.count(b"\xff\xda")
    if scans > MAX_JPEG_SCANS or scans * pixels > MAX_SCAN_PIXELS:
        raise FormatError(f"the JPEG has too many scans ({scans}) for its size; save it as a baseline JPEG")


def _decoded_bytes(probe: Image.Image) -> int:
    """Memory of the decoded picture (Pillow keeps 3-band modes in 4 bytes per pixel)."""
    bands = len(probe.getbands())
    per_pixel = 4 if bands >= 3 or probe.mode in ("I", "F") or probe.mode.startswith("I;") else bands
    return probe.size[0] * probe.size[1] * per_pixel


def _fitted(width: int, height: int) -> tuple[int, int]:
    """``width`` x ``height`` scaled down (never up) to at most ``MAX_DECODE_PIXELS``, aspect kept."""
    if width * height <= MAX_DECODE_PIXELS:
        return width, height
    scale = math.sqrt(MAX_DECODE_PIXELS / (width * height))
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


class _Searches:
    """Counts QR searches in flight; after :meth:`close` (at exit) no new one starts."""

    def __init__(self) -> None:
        self._idle = threading.Condition()
        self._running = 0
        self._closed = False

    def __enter__(self) -> None:
        with self._idle:
            if self._closed:
                raise FormatError("the verifier is shutting down")
            self._running += 1

    def __exit__(self, *_: object) -> None:
        with self._idle:
            self._running -= 1
            self._idle.notify_all()

    @property
    def running(self) -> int:
        return self._running

    def close(self, wait: float = EXIT_WAIT_SECONDS) -> bool:
        """Refuse new searches and wait up to ``wait`` seconds for running ones; True if none is left."""
        deadline = time.monotonic() + wait
        with self._idle:
            self._closed = True
            while self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True


_searches = _Searches()
atexit.register(_searches.close)  # atexit runs before finalisation, while other threads still take the GIL
