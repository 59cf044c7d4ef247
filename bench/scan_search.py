"""What the scan and photo search costs per input, the work a verifier worker does before any chain read:
``page_images.find_in_pdf`` for PDFs without a proof, ``qr_image.search`` for photos, ``preview.render_preview``.

Inputs are made from one certificate issued on an in-process chain (tests/fixtures_scans.py): scans at 300 and
200 dpi, the stamped PDF re-printed without its proof (vector QR), a plain text PDF, a scan without a QR, whole-page
photos (1600 px; 4000 px with the page a third of the frame), blurred and small photos, and the hostile PDFs
(10,000 tiny images, an image declaring 30,000 x 30,000 pixels).

Prints one JSON object: per case ``{"found", "reason", "cpu_ms_p50", "wall_ms_p50", "cpu_ms_max"}`` (median and
worst of RUNS runs, CPU of this thread; the worker's job limits are 5 s of CPU and 1.5 s of wall time).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def main() -> None:
    from pypdf import PdfReader, PdfWriter

    from tests.conftest import Actors
    from tests.fixtures_scans import make_photo, make_scanned_pdf, pdf_with_images
    from tests.issuing import issue_samples
    from verifier.page_images import find_in_pdf
    from verifier.preview import render_preview
    from verifier.qr_image import search

    actors = Actors("memory")
    with tempfile.TemporaryDirectory() as work:
        issued = issue_samples(actors.registry, actors.issuer, Path(work), count=1)
        genuine, plain = issued.notarised[0].read_bytes(), issued.originals[0].read_bytes()

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(genuine)).pages:
        writer.add_page(page)
    reprinted = io.BytesIO()
    writer.write(reprinted)

    pdfs = {
        "scan_300dpi": make_scanned_pdf(genuine, dpi=300),
        "scan_200dpi": make_scanned_pdf(genuine, dpi=200),
        "reprinted_vector_qr": reprinted.getvalue(),
        "plain_text_pdf": plain,
        "scan_without_qr": make_scanned_pdf(plain),
        "hostile_10000_tiny_images": pdf_with_images(10_000, 4, 4),
        "hostile_30000px_square": pdf_with_images(1, 30_000, 30_000, data=b"x" * 100),
    }
    photos = {
        "photo_1600px": make_photo(genuine),
        "photo_4000px_page_a_third": make_photo(genuine, long_side=4000, desk=2.5),
        "photo_blurred": make_photo(genuine, blur=True),
        "photo_small": make_photo(genuine, small=True),
    }
    report: dict[str, object] = {"runs": RUNS}
    for name, pdf in pdfs.items():
        report[name] = _measure(lambda pdf=pdf: find_in_pdf(pdf))  # type: ignore[misc]
    for name, photo in photos.items():
        report[name] = _measure(lambda photo=photo: search(photo))  # type: ignore[misc]
    report["preview_genuine"] = _measure(lambda: render_preview(genuine))
    report["preview_scan_200dpi"] = _measure(lambda: render_preview(pdfs["scan_200dpi"]))
    print(json.dumps(report, indent=1))


def _measure(run: Callable[[], object]) -> dict[str, object]:
    cpu, wall = [], []
    outcome: object = None
    for _ in range(RUNS):
        c0, w0 = time.thread_time(), time.perf_counter()
        outcome = run()
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    row: dict[str, object] = {
        "cpu_ms_p50": round(statistics.median(cpu), 1),
        "wall_ms_p50": round(statistics.median(wall), 1),
        "cpu_ms_max": round(max(cpu), 1),
    }
    if isinstance(outcome, bytes) or outcome is None:
        row["png_bytes"] = len(outcome) if outcome else None
    else:
        row["found"] = bool(getattr(outcome, "texts", ()))
        row["reason"] = getattr(outcome, "reason", None)
    return row


if __name__ == "__main__":
    main()
