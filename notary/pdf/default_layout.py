"""Where the stamp goes by default, and how big the QR is — policy, not format.

The layout chosen here is recorded in the proof, so changing these defaults never breaks old proofs.

Size: the default QR edge is 40 mm including the 4-module quiet zone. For the ~900-character payload
(version 19-20 at level M, 101-105 modules with quiet zone) that is ~0.39 mm per module. Measured with a
page rendered by pypdfium2 and decoded by zxing-cpp: 40 mm decodes from 90 dpi up, 30 mm only from 120 dpi
up, so at 150 dpi 40 mm leaves room for what printing, scanning and phone cameras lose.
Smaller payloads keep 40 mm and simply get bigger modules.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from notary.core.hashing import Digest32
from notary.core.layout import STAMP_VERSION, URL_STAMP_VERSION, StampLayout, placement_digest
from notary.errors import PdfError
from notary.pdf.original_pdf import OriginalPdf, pdf_errors, read_original
from notary.pdf.qr_symbol import choose_qr_params, symbol_size
from notary.pdf.stamp_drawing import CAPTION_FONT_SIZE, CAPTION_GAP, QUIET_ZONE, displayed_size

MM = Fraction(720, 254)
"""Points per millimetre."""
MARGIN_MM = 15
QR_SIZE_MM = 40
CAPTION_ROOM = 7
"""Points kept free under the QR box for the caption (baseline at CAPTION_GAP below, descenders)."""
DEFAULT_ECL = "M"


def page_size(original: bytes) -> tuple[float, float]:
    """(width, height) in points of page 1's visible box as displayed (/Rotate applied)."""
    return page_size_of(read_original(original))


def page_size_of(doc: OriginalPdf) -> tuple[float, float]:
    """:func:`page_size` of an original already read (``read_original``)."""
    box = doc.visible_box
    if not all(isinstance(v, Fraction | int) for v in box):
        width, height = displayed_size(box, doc.rotate)
        return float(width), float(height)
    return _page_size(*(n for v in box for n in (v.numerator, v.denominator)), doc.rotate)


@lru_cache(maxsize=256)
def _page_size(*key: int) -> tuple[float, float]:
    """:func:`page_size_of` by the box's numerators and denominators and the rotation (cheap to hash, unlike
    fractions): a run's pages share a few sizes."""
    n = key
    box = (Fraction(n[0], n[1]), Fraction(n[2], n[3]), Fraction(n[4], n[5]), Fraction(n[6], n[7]))
    width, height = displayed_size(box, n[8])
    return float(width), float(height)


@lru_cache(maxsize=64)
def caption_width(caption: str) -> float:
    """Width in points of the caption in Helvetica at the caption size (standard AFM metrics)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    with pdf_errors("cannot measure the caption"):
        return float(stringWidth(caption, "Helvetica", float(CAPTION_FONT_SIZE)))


CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")
MIN_QR_SIZE_MM = 30


def stamp_geometry(
    page_width: float,
    page_height: float,
    caption: str,
    *,
    corner: str = "bottom-right",
    size_mm: float = QR_SIZE_MM,
    margin_mm: float = MARGIN_MM,
) -> tuple[int, int, int]:
    """(x, y, size) in points: the QR in a corner (default bottom-right, 15 mm margins, 40 mm), the caption under
    it (the block shifted inwards if the caption is long). Sizes below 30 mm are refused: they stop decoding
    from ordinary scans.

    Independent of the QR version on purpose: the placement is bound into the leaf before the proof (and so
    the QR text and its version) exists. The caption's room is reckoned with the widest quiet zone (version 1).
    """
    if corner not in CORNERS:
        raise PdfError(f"unknown stamp corner {corner!r}; use one of {', '.join(CORNERS)}")
    if not MIN_QR_SIZE_MM <= size_mm <= 120:
        raise PdfError(f"the QR size must be between {MIN_QR_SIZE_MM} and 120 mm")
    if not 0 <= margin_mm <= 100:
        raise PdfError("the stamp margin must be between 0 and 100 mm")
    margin = round(margin_mm * MM)
    size = round(size_mm * MM)
    if page_width < size + 2 * margin or page_height < size + 2 * margin + CAPTION_ROOM:
        raise PdfError(f"the page ({page_width:.0f} x {page_height:.0f} pt) is too small for the stamp")
    widest_module = size / (symbol_size(1) + 2 * QUIET_ZONE)
    text_end = QUIET_ZONE * widest_module + (caption_width(caption) if caption else 0.0)
    block = max(size, int(text_end) + 1)
    x = max(int(page_width) - margin - block, margin) if corner.endswith("right") else margin
    y = margin + CAPTION_ROOM if corner.startswith("bottom") else int(page_height) - margin - size
    assert CAPTION_GAP < CAPTION_ROOM
    return x, y, size


def stamp_version_for(qr_url: str) -> int:
    """Stamp version 2 when the QR starts with a verifier URL, else 1 (so stamps without one stay byte for byte
    what they were)."""
    return URL_STAMP_VERSION if qr_url else STAMP_VERSION


def stamp_placement_digest(
    page_width: float, page_height: float, caption: str, *, ecl: str = DEFAULT_ECL, corner: str = "bottom-right",
    size_mm: float = QR_SIZE_MM, margin_mm: float = MARGIN_MM, qr_url: str = "",
) -> Digest32:  # fmt: skip
    """What the leaf binds of the stamp that :func:`default_layout` will produce for this page."""
    x, y, size = stamp_geometry(page_width, page_height, caption, corner=corner, size_mm=size_mm, margin_mm=margin_mm)
    return placement_digest(stamp_version_for(qr_url), 0, x, y, size, caption, ecl, qr_url)


def default_layout(
    page_width: float,
    page_height: float,
    qr_text: str,
    caption: str,
    *,
    ecl: str = DEFAULT_ECL,
    corner: str = "bottom-right",
    size_mm: float = QR_SIZE_MM,
    margin_mm: float = MARGIN_MM,
    qr_url: str = "",
) -> StampLayout:
    """:func:`stamp_geometry` plus the QR version and mask for ``qr_text``.

    ``qr_url`` (stamp version 2, docs/proof-format.md §9): the verifier URL ending in ``#`` that ``qr_text``
    starts with (``encode_qr_text(proof, qr_url)``); empty for a QR holding the payload alone (version 1).
    """
    if qr_url and not qr_text.startswith(qr_url):
        raise PdfError("the QR text must start with the stamp's verifier URL")
    x, y, size = _geometry(page_width, page_height, caption, corner, size_mm, margin_mm)
    version, mask = choose_qr_params(qr_text, ecl)
    return _layout(stamp_version_for(qr_url), x, y, size, caption, version, ecl, mask, qr_url)


@lru_cache(maxsize=256)
def _geometry(
    page_width: float, page_height: float, caption: str, corner: str, size_mm: float, margin_mm: float
) -> tuple[int, int, int]:
    """:func:`stamp_geometry`, cached: a run's pages share a few sizes (a refusal is raised each time)."""
    return stamp_geometry(page_width, page_height, caption, corner=corner, size_mm=size_mm, margin_mm=margin_mm)


@lru_cache(maxsize=1024)
def _layout(
    stamp_version: int, x: int, y: int, size: int, caption: str, version: int, ecl: str, mask: int, qr_url: str
) -> StampLayout:
    """The (immutable) layout, made and checked once per combination: a run's documents share a few page
    sizes, QR versions and masks, and checking the caption's text rules for every document found nothing new."""
    return StampLayout(stamp_version=stamp_version, page=0, x=x, y=y, size=size, caption=caption,
                       qr_version=version, qr_ecl=ecl, qr_mask=mask, qr_url=qr_url)  # fmt: skip
