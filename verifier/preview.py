"""Page 1 of a PDF as a small PNG, shown beside the verdict so people see what they are trusting.

Rendered in the verifier's worker process (pypdfium2 parses the untrusted PDF), at most ``MAX_WIDTH`` pixels
wide and ``MAX_HEIGHT`` high whatever the page size says, and at most ``MAX_BYTES`` of PNG: a page that does not
fit is reduced to fewer colours, then to a smaller size. Never breaks a verdict: any failure gives None (no
preview), and a page drawing an unbounded amount (what verifier/page_images.py refuses to render) is not drawn.
"""

from __future__ import annotations

import io
import logging

import pypdfium2
from PIL import Image

from verifier.page_images import page_one_bounded

MAX_WIDTH = 700
MAX_HEIGHT = 1000
MAX_BYTES = 300 * 1024
COLOURS = 64  # a palette PNG of a document page: text, a logo, a stamp
MIN_WIDTH = 200  # below this a preview shows nothing worth seeing

log = logging.getLogger(__name__)


def render_preview(pdf: bytes) -> bytes | None:
    """Page 1 as PNG bytes (at most ``MAX_BYTES``), or None when it cannot be rendered."""
    try:
        picture = _page_one(pdf)
        return _fitting_png(picture) if picture is not None else None
    except Exception as exc:  # whatever a crafted PDF makes pdfium or Pillow raise: no preview, same verdict
        log.debug("no preview: %s", type(exc).__name__)
        return None


def _page_one(pdf: bytes) -> Image.Image | None:

    if not page_one_bounded(pdf):
        return None
    document = pypdfium2.PdfDocument(pdf)
    try:
        if len(document) == 0:
            return None
        page = document[0]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            return None
        scale = min((MAX_WIDTH - 1) / width, (MAX_HEIGHT - 1) / height)  # pdfium rounds the pixel size up
        bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
        try:
            picture: Image.Image = bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
        return picture
    finally:
        document.close()


def _fitting_png(picture: Image.Image) -> bytes | None:
    while picture.width >= MIN_WIDTH:
        for candidate in (picture, picture.quantize(COLOURS, method=Image.Quantize.MEDIANCUT)):
            out = io.BytesIO()
            candidate.save(out, "PNG", compress_level=6)
            if out.tell() <= MAX_BYTES:
                return out.getvalue()
        picture = picture.resize((picture.width * 3 // 4, picture.height * 3 // 4), Image.Resampling.LANCZOS)
    return None
