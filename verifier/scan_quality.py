"""Why no QR code could be read from a photo or a scanned page, and how to take a better one.

Only asked when the search found nothing: a picture that decodes needs no judging. The judgement works on the
picture the QR search saw (grey levels, at most a few megapixels) with Pillow alone:

- too small: the whole picture is small (a whole A4 page with the 40 mm QR needs about 1,000 pixels on the long
  side before zxing-cpp reads it reliably, and below ``MIN_LONG_SIDE`` it cannot), or a QR-like symbol was
  seen but spans too few pixels for its modules. Between the two, with nothing QR-like seen, the picture may
  simply hold no QR: "no QR code", whose advice asks for the same retake;
- blurred: the 99th percentile of the Laplacian's magnitude. Text and QR modules give many steep edges (the
  percentile saturates for a sharp page); a blur of 1.5 px or more flattens them below ``BLUR_EDGE``. A
  percentile, not the variance, so a page that is mostly white paper is not mistaken for a blurred one;
- unreadable: a QR-like symbol was seen, big and sharp enough, yet did not decode (glare, a fold, cut off).
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter

MIN_LONG_SIDE = 700  # pixels on the long side below which a whole page's 40 mm QR has < 1.6 px per module
MIN_QR_SIDE = 160  # pixels across a seen-but-unread symbol: ~2.5 px per module for the notary QR's ~60 modules
BLUR_EDGE = 40  # 99th percentile of |Laplacian| (0..255) below which the picture is too blurred
MIN_CONTRAST = 40  # grey levels between the 1st and 99th percentile: below, there is nothing to see at all

TOO_SMALL = "image-too-small"
BLURRED = "image-blurred"
UNREADABLE = "image-unreadable"
NO_QR = "no-qr-code"
SCAN_WITHOUT_QR = "scan-without-qr"
NO_PROOF = "no-proof"

_LAPLACE = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)

_RETAKE_DE = (
    "Bitte das ganze Blatt bei gutem Licht, scharf und formatfüllend fotografieren, mindestens 1600 Pixel an der "
    "langen Seite, oder mit mindestens 200 dpi scannen."
)
_RETAKE_EN = (
    "Please photograph the whole page in good light, in focus and filling the frame, at least 1600 pixels on the "
    "long side, or scan it at 200 dpi or more."
)
ADVICE: dict[str, tuple[str, str]] = {
    TOO_SMALL: (
        "Das Bild ist zu klein, um den QR-Code zu lesen. " + _RETAKE_DE,
        "The image is too small to read the QR code. " + _RETAKE_EN,
    ),
    BLURRED: (
        "Das Bild ist unscharf. Bitte die Kamera ruhig halten und scharf stellen. " + _RETAKE_DE,
        "The image is blurred. Please hold the camera still and let it focus. " + _RETAKE_EN,
    ),
    UNREADABLE: (
        "Ein QR-Code ist zu sehen, aber nicht lesbar (Spiegelung, Knick oder abgeschnitten). " + _RETAKE_DE,
        "A QR code is visible but cannot be read (glare, a fold, or cut off). " + _RETAKE_EN,
    ),
    NO_QR: (
        "Im Bild wurde kein QR-Code gefunden. Der QR-Code muss vollständig zu sehen sein. " + _RETAKE_DE,
        "No QR code was found in the image. The whole QR code must be visible. " + _RETAKE_EN,
    ),
    SCAN_WITHOUT_QR: (
        "Die PDF-Datei ist ein Scan ohne lesbaren QR-Code. Bitte die Seite mit dem QR-Code mit mindestens 200 dpi "
        "scannen, oder die Original-PDF vom Aussteller verwenden.",
        "The PDF is a scan without a readable QR code. Please scan the page with the QR code at 200 dpi or more, "
        "or use the original PDF from the issuer.",
    ),
    NO_PROOF: (
        "Die PDF-Datei enthält keinen Nachweis und keinen QR-Code. Bitte die Original-PDF vom Aussteller verwenden "
        "oder den QR-Code auf dem Papier prüfen.",
        "The PDF holds no proof and no QR code. Please use the original PDF from the issuer or check the QR code "
        "on the paper.",
    ),
}


@dataclass(frozen=True)
class QrSearch:
    """What a search for QR codes found: the texts, or why there were none and how to do better."""

    texts: tuple[str, ...] = ()
    reason: str | None = None  # None when texts were found; else one of the reason codes above
    quality: str | None = None  # for a scan without a QR: TOO_SMALL or BLURRED when the pages tell
    detail: str = ""  # technical, English

    @property
    def found(self) -> bool:
        return bool(self.texts)

    @property
    def advice_de(self) -> str:
        return ADVICE[self.quality or self.reason][0] if self.reason else ""

    @property
    def advice_en(self) -> str:
        return ADVICE[self.quality or self.reason][1] if self.reason else ""


def judge(picture: Image.Image, unread_sides: list[int], long_side: int) -> str:
    """The reason no QR was read from ``picture`` (grey, as searched). ``unread_sides``: pixel sizes of QR-like
    symbols seen but not decoded; ``long_side``: the long side of the image as it was taken (before reducing)."""
    if long_side < MIN_LONG_SIDE:
        return TOO_SMALL
    if unread_sides and max(unread_sides) < MIN_QR_SIDE:
        return TOO_SMALL
    low, high = _percentiles(picture.histogram(), 0.01, 0.99)
    if high - low < MIN_CONTRAST:
        return UNREADABLE
    if edge_strength(picture) < BLUR_EDGE:
        return BLURRED
    return UNREADABLE if unread_sides else NO_QR


def edge_strength(picture: Image.Image) -> int:
    """The 99th percentile of the Laplacian's magnitude (0..255) of a grey picture."""
    laplace = picture.filter(_LAPLACE)
    magnitude = ImageChops.difference(laplace, Image.new("L", laplace.size, 128))
    return _percentiles(magnitude.histogram(), 0.99)[0]


def _percentiles(histogram: list[int], *fractions: float) -> list[int]:
    total = sum(histogram)
    out = []
    for fraction in fractions:
        seen, wanted = 0, fraction * total
        for value, count in enumerate(histogram):
            seen += count
            if seen >= wanted:
                out.append(value)
                break
        else:
            out.append(len(histogram) - 1)
    return out
