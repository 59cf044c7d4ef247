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

Variants: a picture in which nothing decodes is searched again, a few cheap ways (:func:`find`), each bounded in
pixels like the first search, and none started after ``VARIANT_SECONDS``; a big photo (up to
``MAX_TILED_PIXELS``) whose reduced picture held nothing is then searched at full resolution in pieces of the
same bound, none started after ``TILE_SECONDS``. The budgets count this thread's CPU time (:func:`work_clock`):
what decodes must not depend on how loaded the machine is. When still nothing is read,
verifier/scan_quality.py says why (too small, blurred, unreadable) and how to take a better picture.

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
from collections.abc import Iterator

import zxingcpp
from PIL import Image, UnidentifiedImageError

from notary.errors import FormatError
from verifier.scan_quality import UNREADABLE, QrSearch, judge

MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is downscaled first by any sane client; this is the bound
MAX_DECODED_BYTES = 128 * 1024 * 1024  # memory of the decoded picture (after JPEG's reduced-size decoding)
MAX_DECODE_PIXELS = 2_500_000  # what the QR search sees at most (a 150-dpi A4 page is 2.2 megapixels)
MAX_JPEG_SCANS = 32  # libjpeg's progressive mode writes 6-10 scans; a crafted file thousands, each a full pass
MAX_SCAN_PIXELS = 400_000_000  # scans x pixels: the decoding work a progressive JPEG may ask for
EXIT_WAIT_SECONDS = 10.0  # an exit waits at most this long for searches still running
MAX_UNREAD = 3  # QR-like symbols seen but not decoded that are cut out and searched again, enlarged
CUT_SIDE = 900  # pixels a cut-out symbol is enlarged to (at most 3 times)
UPSCALE_BELOW = 1_000_000  # a picture up to this many pixels is also searched at twice its size
VARIANT_SECONDS = 0.6  # CPU seconds after which no new variant is searched (the worker's job limit is 1.5 s) ...
MAX_TILED_PIXELS = 16_000_000  # ... a photo up to this size is then searched at full resolution, in pieces ...
TILE_SECONDS = 0.9  # ... until this long after the search started
ACCEPTED = ("PNG", "JPEG", "WEBP")  # the only decoders ever run on an upload (Image.open(formats=...))

_FORMATS = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_LOCAL = zxingcpp.Binarizer.LocalAverage
Position = zxingcpp.Position
_FOREIGN = (
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"), (b"GIF8", "GIF"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"), (b"\xffO\xffQ", "JPEG 2000"), (b"qoif", "QOI"),
    (b"\x0a\x05\x01", "PCX"), (b"P6", "PPM"), (b"P5", "PGM"), (b"\x01\xda", "SGI"), (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"), (b"%!PS", "PostScript"),
)  # fmt: skip


def qr_texts(image: bytes) -> list[str]:
    """The texts of all QR codes found in the image (possibly none); FormatError if it is not an image."""
    picture, _ = load(image)
    return find(picture)[0]


def search(image: bytes) -> QrSearch:
    """A photo or scan: the QR texts in it, or why none could be read and how to take a better picture."""
    started = work_clock()
    try:
        picture, (width, height) = load(image)
    except FormatError as exc:
        return QrSearch(reason=UNREADABLE, detail=str(exc))
    texts, unread = find(picture, deadline=started + VARIANT_SECONDS)
    if not texts and picture.width < width and width * height <= MAX_TILED_PIXELS:
        texts = _find_in_tiles(image, picture, unread, started + TILE_SECONDS)
    if texts:
        return QrSearch(tuple(texts))
    return QrSearch(reason=judge(picture, sides(unread), max(width, height)))


def _find_in_tiles(image: bytes, reduced_picture: Image.Image, unread: list[Position], deadline: float) -> list[str]:
    """A big photo in which the page, and so the QR, is small: what reducing it lost is searched for at full
    resolution, piece by piece (each piece as big as one reduced search), unread symbols' places first."""
    try:
        full, _ = load(image, max_pixels=MAX_TILED_PIXELS)
    except FormatError:
        return []
    scale = full.width / reduced_picture.width
    boxes = [_around(position, scale, full.size) for position in unread] + _tiles(full.size)
    for box in boxes:
        if work_clock() > deadline:
            break
        texts = _texts(_read(full.crop(box)))
        if texts:
            return texts
    return []


def _around(position: Position, scale: float, size: tuple[int, int]) -> tuple[int, int, int, int]:
    corners = _corners(position)
    xs, ys = [x * scale for x, _ in corners], [y * scale for _, y in corners]
    margin = (max(xs) - min(xs)) / 3 + 16
    return (
        max(0, int(min(xs) - margin)), max(0, int(min(ys) - margin)),
        min(size[0], int(max(xs) + margin)), min(size[1], int(max(ys) + margin)),
    )  # fmt: skip


def _tiles(size: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """Overlapping squares of about ``MAX_DECODE_PIXELS`` covering the picture: a QR up to a quarter of a
    square's side lies wholly inside one of them."""
    side = int(math.sqrt(MAX_DECODE_PIXELS))
    step = side * 3 // 4
    width, height = size

    def starts(length: int) -> list[int]:
        if length <= side:
            return [0]
        return [*range(0, length - side, step), length - side]

    return [(x, y, min(width, x + side), min(height, y + side)) for y in starts(height) for x in starts(width)]


def find(picture: Image.Image, *, deadline: float | None = None) -> tuple[list[str], list[Position]]:
    """The QR texts in a grey picture, and where QR-like symbols were seen but not decoded.

    The picture as it is first (what nearly every readable scan needs); only when that finds nothing, cheap
    variants until one reads or ``deadline`` (work_clock()) passes: each unread symbol cut out and enlarged
    (a QR that is small in a big photo), another binariser (uneven light), the whole picture enlarged when it
    is small. Rotation and perspective are zxing-cpp's own work."""
    if deadline is None:
        deadline = work_clock() + VARIANT_SECONDS
    codes = _read(picture)
    texts = _texts(codes)
    unread = [code for code in codes if not code.valid][:MAX_UNREAD]
    places = [code.position for code in unread]
    if texts:
        return texts, places
    for variant, binarizer in _variants(picture, unread):
        if work_clock() > deadline:
            break
        texts = _texts(_read(variant, binarizer))
        if texts:
            return texts, places
    return [], places


def work_clock() -> float:
    """Seconds of CPU this thread has used: the budgets count work done, not time spent waiting for a core on a
    loaded machine, so what decodes does not depend on the load (the worker's own limits bound the wall time)."""
    return time.thread_time()


def _read(picture: Image.Image, binarizer: zxingcpp.Binarizer = _LOCAL) -> list[zxingcpp.Barcode]:
    with _searches:
        return list(zxingcpp.read_barcodes(picture, formats=_FORMATS, binarizer=binarizer, return_errors=True))


def _texts(codes: list[zxingcpp.Barcode]) -> list[str]:
    return [code.text for code in codes if code.valid and code.text]


def _variants(picture: Image.Image, unread: list[zxingcpp.Barcode]) -> Iterator[tuple[Image.Image, zxingcpp.Binarizer]]:
    for code in unread:
        yield _enlarged_cut(picture, code.position), _LOCAL
    yield picture, zxingcpp.Binarizer.GlobalHistogram
    if picture.width * picture.height <= UPSCALE_BELOW:
        size = (picture.width * 2, picture.height * 2)
        yield picture.resize(size, Image.Resampling.BICUBIC), _LOCAL


def _corners(position: Position) -> list[tuple[int, int]]:
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return [(int(point.x), int(point.y)) for point in corners]


def sides(places: list[Position]) -> list[int]:
    """The pixel size of each place (the longer of its bounding box's sides)."""
    return [_side(place) for place in places]


def _side(position: Position) -> int:
    corners = _corners(position)
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def _enlarged_cut(picture: Image.Image, position: Position) -> Image.Image:
    """The symbol with a quiet margin, enlarged to about ``CUT_SIDE`` pixels (never more)."""
    corners = _corners(position)
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    margin = max(8, _side(position) // 4)
    box = (
        max(0, min(xs) - margin), max(0, min(ys) - margin),
        min(picture.width, max(xs) + margin), min(picture.height, max(ys) + margin),
    )  # fmt: skip
    cut = picture.crop(box)
    scale = max(1.0, min(3.0, CUT_SIDE / max(1, cut.width, cut.height)))
    return cut.resize((max(1, round(cut.width * scale)), max(1, round(cut.height * scale))), Image.Resampling.BICUBIC)


def load(image: bytes, max_pixels: int = MAX_DECODE_PIXELS) -> tuple[Image.Image, tuple[int, int]]:
    """The image in grey levels, at most ``max_pixels``, and its size as stored; every bound is checked before
    decoding. FormatError for anything but a bounded PNG, JPEG or WebP image."""
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
                # decodes at 1/2, 1/4 or 1/8 size, never below the request
                probe.draft("L", _fitted(width, height, max_pixels))
            if _decoded_bytes(probe) > MAX_DECODED_BYTES:
                raise FormatError(f"the image is too large to decode ({width}x{height} pixels, {probe.mode})")
            probe.load()
            picture = probe.convert("L")
    except FormatError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise FormatError(f"not a readable PNG, JPEG or WebP image ({type(exc).__name__})") from None
    return reduced(picture, max_pixels), (width, height)


def reduced(picture: Image.Image, max_pixels: int = MAX_DECODE_PIXELS) -> Image.Image:
    """``picture`` reduced to at most ``max_pixels`` (box filter), as the QR search sees it."""
    if picture.width * picture.height > max_pixels:
        size = _fitted(picture.width, picture.height, max_pixels)
        picture = picture.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
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


def _fitted(width: int, height: int, max_pixels: int = MAX_DECODE_PIXELS) -> tuple[int, int]:
    """``width`` x ``height`` scaled down (never up) to at most ``max_pixels``, aspect kept."""
    if width * height <= max_pixels:
        return width, height
    scale = math.sqrt(max_pixels / (width * height))
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
