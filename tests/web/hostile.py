"""Hostile inputs from the attacker's report (issue 15), built small and fast: shared by the tests and
bench/verify_soak.py."""

from __future__ import annotations

import io
import struct

from PIL import Image

PDF_TAIL = b"\ntrailer\n<< /Root 1 0 R /Size 5 >>\nstartxref\n9\n%%EOF\n"


def nested_dicts_pdf(levels: int = 200_000) -> bytes:
    """pypdf logs a warning per nesting level and chews on it for seconds: the file that froze the thread runner."""
    return b"%PDF-1.7\n1 0 obj\n" + b"<< /A " * levels + b">>" * levels + b"\nendobj\n" + PDF_TAIL


def hex_string_pdf(megabytes: int = 16) -> bytes:
    """One huge hex string: ~30 s of pypdf in the CLI before it had a time limit."""
    return b"%PDF-1.7\n1 0 obj\n<" + b"41" * (megabytes * 512 * 1024) + b">\nendobj\n" + PDF_TAIL


def jpeg_scan_bomb(side: int = 2000, scans: int = 3000) -> bytes:
    """A progressive JPEG whose last scan is repeated ``scans`` times: every scan is a pass over the whole image
    inside libjpeg (the report's file: 6000x6000, 3,000 scans, 238 KB, ~8 s per 64 KiB)."""
    out = io.BytesIO()
    Image.new("L", (side, side), 128).save(out, "JPEG", progressive=True, quality=50)
    data = out.getvalue()
    assert data.endswith(b"\xff\xd9")
    last = data[data.rindex(b"\xff\xda") : -2]
    return data[:-2] + last * scans + b"\xff\xd9"


def webp_memory_bomb(side: int = 6320) -> bytes:
    """A lossless WebP of a few hundred bytes whose header declares ``side`` x ``side`` RGBA pixels (the report:
    1.7 KB files of 6320x6320, 1.7 GB for eight of them)."""
    out = io.BytesIO()
    Image.new("RGBA", (64, 64), (255, 255, 255, 0)).save(out, "WEBP", lossless=True)
    data = bytearray(out.getvalue())
    at = data.index(b"VP8L") + 8
    assert data[at] == 0x2F
    bits = struct.unpack_from("<I", data, at + 1)[0]
    bits = (bits & ~0x0FFFFFFF) | (side - 1) | ((side - 1) << 14)
    struct.pack_into("<I", data, at + 1, bits)
    if data[12:16] == b"VP8X":  # the extended header repeats the canvas size (24 bits each, minus one)
        data[24:27] = (side - 1).to_bytes(3, "little")
        data[27:30] = (side - 1).to_bytes(3, "little")
    return bytes(data)


def foreign_image(fmt: str) -> bytes:
    """A small, valid image in a format the verifier does not decode (TIFF, BMP, GIF ...)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 255, 255)).save(out, fmt)
    return out.getvalue()


def animated_png() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("L", (64, 64), shade) for shade in (0, 255)]
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    return out.getvalue()
