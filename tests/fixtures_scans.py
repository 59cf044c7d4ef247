"""Scans and photos of issued documents, as applicants send them (for any test: unit, integration, web, CLI).

All made from a real issued PDF: page 1 rendered with pypdfium2, as a scanner or a phone camera would see the
printout. Nothing here depends on the verifier's code.
"""

from __future__ import annotations

import io
import zlib

from PIL import Image, ImageFilter

BACKGROUND = (92, 80, 68)  # a wooden desk behind the photographed page


def render(pdf: bytes, dpi: int, page: int = 0) -> Image.Image:
    """One page as an RGB picture at ``dpi``."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[page].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def make_scanned_pdf(issued_pdf: bytes, dpi: int = 200, quality: int = 85) -> bytes:
    """A PDF whose only page content is a JPEG of the rendered page 1 (what a copier's scan-to-PDF makes)."""
    return pdf_of_pictures([render(issued_pdf, dpi)], dpi, quality)


def pdf_of_pictures(pictures: list[Image.Image], dpi: int = 200, quality: int = 85) -> bytes:
    """One page per picture, each a JPEG (DCTDecode) filling the page at ``dpi``."""
    out = io.BytesIO()
    first, *rest = pictures
    first.save(out, "PDF", resolution=float(dpi), save_all=True, append_images=rest, quality=quality)
    return out.getvalue()


def make_photo(
    issued_pdf: bytes,
    blur: bool = False,
    small: bool = False,
    *,
    angle: float = 3.0,
    long_side: int = 1600,
    desk: float = 1.15,
) -> bytes:
    """A phone photo of the whole printed page 1: 150 dpi, turned ``angle`` degrees, on a desk ``desk`` times
    the page's height (a wider margin: the page, and so its QR, is smaller in the photo), ``long_side`` pixels on
    the long side (500 when ``small``), JPEG quality 80; ``blur``: out of focus."""
    page = render(issued_pdf, 150)
    turned = page.rotate(angle, expand=True, fillcolor=BACKGROUND, resample=Image.Resampling.BICUBIC)
    canvas = Image.new("RGB", (round(turned.width * desk * 1.087), round(turned.height * desk)), BACKGROUND)
    canvas.paste(turned, ((canvas.width - turned.width) // 2, (canvas.height - turned.height) // 2))
    side = 500 if small else long_side
    scale = side / max(canvas.size)
    photo = canvas.resize((round(canvas.width * scale), round(canvas.height * scale)), Image.Resampling.LANCZOS)
    if blur:
        photo = photo.filter(ImageFilter.GaussianBlur(3 * side / 1600))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=80)
    return out.getvalue()


def pdf_with_images(count: int, width: int, height: int, *, data: bytes | None = None) -> bytes:
    """A one-page PDF drawing ``count`` grey images of the declared ``width`` x ``height`` (hostile inputs: 10,000
    tiny images, or one image declaring 30,000 x 30,000 pixels with only a few bytes of data)."""
    pixels = data if data is not None else zlib.compress(bytes(width * height))
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages = add(b"")
    image_ids = []
    for _ in range(count if data is None else 1):
        image_ids.append(
            add(
                b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
                % (width, height, len(pixels))
                + pixels
                + b"\nendstream"
            )
        )
    while len(image_ids) < count:  # the same stream under many names: a big dictionary, a small file
        image_ids.append(image_ids[0])
    names = b" ".join(b"/Im%d %d 0 R" % (i, ref) for i, ref in enumerate(image_ids))
    draw = b"".join(b"q 1 0 0 1 %d %d cm /Im%d Do Q " % (i % 100 * 5, i // 100 * 5, i) for i in range(count))
    content = zlib.compress(draw)
    content_id = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream")
    page = add(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /XObject << %s >> >> "
        b"/Contents %d 0 R >>" % (pages, names, content_id)
    )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    objects[pages - 1] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref))
    return out.getvalue()


def pdf_with_content(content: bytes) -> bytes:
    """A one-page PDF whose page draws ``content`` (stored uncompressed), e.g. megabytes of line operators."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
