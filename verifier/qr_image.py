"""Find QR codes in a photo or scan (PNG/JPEG), bounded in size so a crafted image cannot exhaust memory."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, UnidentifiedImageError

from notary.errors import FormatError

MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is downscaled first by any sane client; this is the bound


def qr_texts(image: bytes) -> list[str]:
    """The texts of all QR codes found in the image (possibly none); FormatError if it is not an image."""
    try:
        with Image.open(io.BytesIO(image)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise FormatError(f"the image is too large ({width}x{height} pixels); scan at a lower resolution")
            probe.load()
            picture = probe.convert("L")
    except FormatError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise FormatError(f"not a readable PNG or JPEG image ({type(exc).__name__})") from None
    found = zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return [code.text for code in found if code.valid and code.text]
