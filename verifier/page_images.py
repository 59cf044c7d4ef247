"""The QR code on a scanned or re-saved PDF: a PDF without an embedded proof is searched for QR codes on its pages.

Applicants mostly send scans of the paper, and a PDF printed again ("Microsoft Print to PDF") loses the attached
proof but keeps the QR. Either way the QR's claims can be checked like a photo of the paper. Two passes:

1. the page images as stored (pypdf): a scanner's JPEG or fax image at its own resolution, often 300 dpi, better
   than any rendering of it;
2. if none holds a readable QR, the first pages rendered (pypdfium2, about 200 dpi): a vector QR, images in
   formats not decoded in pass 1 (JBIG2, JPEG 2000), a QR drawn over an image.

Bounds, all checked before a pixel is decoded (this runs in the verifier's worker processes, whose memory and
CPU limits are only the backstop): the first ``MAX_PAGES`` pages; at most ``MAX_XOBJECTS`` XObject entries
looked at in all (a crafted page may list 10,000); images smaller than ``MIN_IMAGE_SIDE`` are never decoded (no
readable QR fits); at most ``MAX_IMAGES`` images and ``PIXEL_BUDGET`` declared pixels decoded, each JPEG within
verifier/qr_image.py's bounds and each other image within ``MAX_RAW_PIXELS``; a page is rendered only when what
it draws is known to be bounded (no image over ``MAX_RENDER_IMAGE_PIXELS``, no more than ``MAX_XOBJECTS``
objects, at most ``MAX_RENDER_CONTENT_BYTES`` of content streams) and at most ``MAX_RENDER_PIXELS``. No new
picture is searched after ``SEARCH_SECONDS``.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pypdfium2
from PIL import Image

from verifier.qr_image import MAX_PIXELS, find, load, reduced, sides, work_clock
from verifier.scan_quality import BLURRED, NO_PROOF, SCAN_WITHOUT_QR, TOO_SMALL, QrSearch, judge

MAX_PAGES = 3  # pages whose images are searched (the stamp's QR is on page 1)
MAX_RENDER_PAGES = 2
MAX_XOBJECTS = 256  # XObject entries looked at, in all pages and forms together
MAX_FORM_DEPTH = 3
MIN_IMAGE_SIDE = 150  # pixels: a smaller image cannot hold a readable notary QR
MAX_IMAGES = 6  # images decoded, largest first
MAX_RAW_PIXELS = 16_000_000  # a non-JPEG image is decoded in full by pypdf (a 300-dpi A4 page is 8.7 megapixels)
PIXEL_BUDGET = 60_000_000  # declared pixels of all decoded images together
SCAN_PIXELS = 500_000  # a page image this big makes the PDF a scan (a logo or a signature is smaller) ...
SCAN_PAGE_PIXELS = 100_000  # ... and so does a smaller one shaped like its page (a 40-dpi A4 scan is 155,000)
RENDER_DPI = 200
MAX_RENDER_PIXELS = 4_000_000  # an A4 page at 200 dpi is 3.9 megapixels
MAX_RENDER_IMAGE_PIXELS = MAX_PIXELS  # pdfium decodes every image it draws, in full
MAX_RENDER_CONTENT_BYTES = 4 * 1024 * 1024  # compressed drawing operators of a page (a certificate has ~10 KB)
SEARCH_SECONDS = 1.0  # CPU seconds of this thread (qr_image.work_clock); the worker's job limit is 1.5 s

log = logging.getLogger(__name__)


@dataclass
class _PageImage:
    page: int
    stream: Any  # pypdf StreamObject
    width: int
    height: int
    filters: tuple[str, ...]
    page_aspect: float  # the page's height / width
    key: object  # the same stream drawn under many names is decoded once

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def page_shaped(self) -> bool:
        """Within 10 % of the page's proportions, either way up."""
        if self.page_aspect <= 0:
            return False
        image, page = self.height / self.width, self.page_aspect
        image, page = min(image, 1 / image), min(page, 1 / page)
        return image / 1.1 <= page <= image * 1.1


@dataclass
class _Survey:
    """What the first pages hold, learnt from their dictionaries alone."""

    images: list[_PageImage] = field(default_factory=list)
    renderable: list[bool] = field(default_factory=list)  # per page
    looked_at: int = 0

    @property
    def scanned(self) -> bool:
        return any(
            image.pixels >= SCAN_PIXELS or (image.pixels >= SCAN_PAGE_PIXELS and image.page_shaped)
            for image in self.images
        )


def find_in_pdf(pdf: bytes) -> QrSearch:
    """The QR texts on the first pages of a PDF that has no embedded proof, or why there are none: no-proof
    (nothing that looks like a scan) or scan-without-qr (with ``quality`` too small or blurred when the pages
    tell)."""
    deadline = work_clock() + SEARCH_SECONDS
    survey = _survey(pdf)
    judged: tuple[Image.Image, list[int], int] | None = None  # the biggest picture searched, to judge
    for image in _decodable(survey.images):
        if work_clock() > deadline:
            break
        picture = _decode(image)
        if picture is None:
            continue
        texts, unread = find(picture, deadline=deadline)
        if texts:
            return QrSearch(tuple(texts))
        if judged is None:
            judged = (picture, sides(unread), max(image.width, image.height))
    for picture in _rendered(pdf, survey):
        if work_clock() > deadline:
            break
        texts, unread = find(picture, deadline=deadline)
        if texts:
            return QrSearch(tuple(texts))
    if not survey.scanned:
        return QrSearch(reason=NO_PROOF)
    quality = judge(*judged) if judged is not None else None
    return QrSearch(reason=SCAN_WITHOUT_QR, quality=quality if quality in (TOO_SMALL, BLURRED) else None)


def page_one_bounded(pdf: bytes) -> bool:
    """Whether page 1 may be rendered: what it draws is known and bounded (see the module's bounds)."""
    renderable = _survey(pdf, pages=1).renderable
    return bool(renderable) and renderable[0]


# ---------------------------------------------------------------------- pass 1: the stored images


def _survey(pdf: bytes, pages: int = MAX_PAGES) -> _Survey:
    survey = _Survey()
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        for number, page in enumerate(_first_pages(reader, pages)):
            before = len(survey.images)
            complete = _collect(survey, number, _aspect(page), page.get("/Resources"), 0)
            drawn = survey.images[before:]
            bounded = all(i.pixels <= MAX_RENDER_IMAGE_PIXELS for i in drawn)
            survey.renderable.append(complete and bounded and _content_bytes(page) <= MAX_RENDER_CONTENT_BYTES)
    except Exception as exc:  # a PDF pypdf cannot walk: whatever was learnt so far stands
        log.debug("page survey stopped: %s", type(exc).__name__)
    return survey


def _first_pages(reader: Any, count: int) -> Iterator[Any]:
    for number, page in enumerate(reader.pages):
        if number >= count:
            return
        yield page


def _content_bytes(page: Any) -> int:
    """The stored length of the page's content streams (each drawing operator in them is work for pdfium). pypdf
    drops /Length once it has read a stream; its stored bytes (``_data``, still encoded) are what counts."""
    contents = _resolved(page.get("/Contents"))
    streams = contents if isinstance(contents, list) else [contents]
    if len(streams) > MAX_XOBJECTS:
        return MAX_RENDER_CONTENT_BYTES + 1
    return sum(len(getattr(stream, "_data", b"") or b"") for stream in map(_resolved, streams))


def _aspect(page: Any) -> float:
    try:
        box = page.mediabox
        return abs(float(box.height) / float(box.width))
    except Exception:  # no usable /MediaBox: no page is shaped like it
        return 0.0


def _collect(survey: _Survey, page: int, aspect: float, resources: Any, depth: int) -> bool:
    """Add the images of ``resources`` (and of the forms it holds) to the survey; False when a bound was hit
    before all were seen."""
    resources = _resolved(resources)
    xobjects = _resolved(resources.get("/XObject")) if isinstance(resources, dict) else None
    if not isinstance(xobjects, dict):
        return True
    for value in xobjects.values():
        survey.looked_at += 1
        if survey.looked_at > MAX_XOBJECTS:
            return False
        stream = _resolved(value)
        if not isinstance(stream, dict):
            continue
        subtype = stream.get("/Subtype")
        if subtype == "/Image":
            width, height = _int(stream.get("/Width")), _int(stream.get("/Height"))
            if width <= 0 or height <= 0:
                continue
            filters = _filters(stream.get("/Filter"))
            key = (value.idnum, value.generation) if hasattr(value, "idnum") else id(stream)
            survey.images.append(_PageImage(page, stream, width, height, filters, aspect, key))
        elif subtype == "/Form" and (
            depth >= MAX_FORM_DEPTH or not _collect(survey, page, aspect, stream.get("/Resources"), depth + 1)
        ):
            return False
    return True


def _decodable(images: list[_PageImage]) -> Iterator[_PageImage]:
    """The images worth decoding, largest first, within the image count and pixel budget."""
    budget, count = PIXEL_BUDGET, 0
    seen: set[object] = set()
    for image in sorted(images, key=lambda i: -i.pixels):
        if count >= MAX_IMAGES:
            return
        if image.key in seen or min(image.width, image.height) < MIN_IMAGE_SIDE:
            continue
        seen.add(image.key)
        last = image.filters[-1] if image.filters else None
        if last in ("/JPXDecode", "/JBIG2Decode") or image.pixels > budget:
            continue  # left to the rendering pass (pdfium reads them)
        if last != "/DCTDecode" and image.pixels > MAX_RAW_PIXELS:
            continue
        budget -= image.pixels
        count += 1
        yield image


def _decode(image: _PageImage) -> Image.Image | None:
    """The image in grey levels, reduced for the QR search; None when it cannot be decoded."""
    try:
        if image.filters and image.filters[-1] == "/DCTDecode":
            picture, _ = load(image.stream.get_data())  # the JPEG itself, under qr_image's bounds
            return picture
        decoded = image.stream.decode_as_image()
        if decoded is None:
            return None
        if decoded.width * decoded.height > MAX_RAW_PIXELS:  # not what the dictionary said
            return None
        return reduced(decoded.convert("L"))
    except Exception as exc:  # FormatError from qr_image's bounds, and whatever a crafted stream raises
        log.debug("page image not decoded: %s", type(exc).__name__)
        return None


# ---------------------------------------------------------------------- pass 2: the rendered pages


def _rendered(pdf: bytes, survey: _Survey) -> Iterator[Image.Image]:
    """The first pages as grey pictures at about ``RENDER_DPI``, those whose drawing is known to be bounded."""
    try:
        document = pypdfium2.PdfDocument(pdf)
    except Exception:
        return
    try:
        for number in range(min(MAX_RENDER_PAGES, len(document), len(survey.renderable))):
            if not survey.renderable[number]:
                continue
            picture = None
            with contextlib.suppress(Exception):
                picture = render_grey(document[number], RENDER_DPI, MAX_RENDER_PIXELS)
            if picture is not None:
                yield picture
    finally:
        document.close()


def render_grey(page: Any, dpi: float, max_pixels: int) -> Image.Image:
    """A pypdfium2 page in grey levels at ``dpi``, or less where that would exceed ``max_pixels``."""
    width, height = page.get_size()  # PDF units (1/72 inch), with the page's user unit applied
    scale = dpi / 72
    area = max(1.0, width * height)
    if area * scale * scale > max_pixels:
        scale = (max_pixels / area) ** 0.5
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        picture: Image.Image = bitmap.to_pil().convert("L")
    finally:
        bitmap.close()
    return picture


# ---------------------------------------------------------------------- small pypdf helpers


def _resolved(value: Any) -> Any:
    if hasattr(value, "get_object"):
        with contextlib.suppress(Exception):
            return value.get_object()
    return value


def _int(value: Any) -> int:
    try:
        return int(_resolved(value))
    except (TypeError, ValueError):
        return 0


def _filters(value: Any) -> tuple[str, ...]:
    value = _resolved(value)
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(_resolved(v)) for v in value)
    return (str(value),)
