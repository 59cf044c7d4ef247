"""Benchmark: stamping and the verifier's PDF path for a ~57 KB certificate with a ~900-character QR.

Prints a few human lines, then ONE line of JSON (the last line) with the figures:
median milliseconds of stamp_pdf, of default_layout (QR version and mask choice), of qr_matrix, of the
verifier path (read_attached_proof + check_notarisation_update), and the size growth in bytes.
Every round gets a QR text of its own (as every document of a batch does), so no per-text cache answers
(stamp_ms thus includes encoding the symbol, which bulk issuance gets from layout's QR choice just before).

    .venv/bin/python bench/stamp.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notary.pdf import (
    check_notarisation_update,
    default_layout,
    page_size,
    qr_matrix,
    read_attached_proof,
    stamp_pdf,
)
from notary.pdf.qr_symbol import ALPHANUMERIC_CHARSET
from notary.pdf.samples import SAMPLE_PUPILS, make_certificate

CAPTION = "Digital geprüft: https://verify.example.de"


def median_ms(fn: Callable[[int], object], rounds: int) -> float:
    """Median of ``fn(i)`` for i = 1 .. rounds, after ``fn(0)`` warmed what is per version (QR templates)."""
    fn(0)
    times = []
    for i in range(1, rounds + 1):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(2060)
    texts = ["NT1:" + "".join(rng.choice(ALPHANUMERIC_CHARSET) for _ in range(896)) for _ in range(args.rounds + 1)]
    proof = json.dumps({"v": 1, "leaf": "ab" * 32, "proof": ["cd" * 32] * 12, "pad": "x" * 600}).encode()
    original = make_certificate(SAMPLE_PUPILS[0])
    size = page_size(original)
    layouts = [default_layout(*size, text, CAPTION) for text in texts]
    qr_text, layout = texts[0], layouts[0]
    stamped = stamp_pdf(original, proof_json=proof, qr_text=qr_text, layout=layout)
    fresh = [t + "0" for t in texts]  # not yet seen by default_layout (ends differently, same length)

    def verify(_: int) -> None:
        embedded = read_attached_proof(stamped)
        assert embedded == proof
        assert check_notarisation_update(stamped, len(original), embedded, qr_text, layout).ok

    figures = {
        "original_bytes": len(original),
        "qr_chars": len(qr_text),
        "qr_version": layout.qr_version,
        "qr_ecl": layout.qr_ecl,
        "qr_size_pt": layout.size,
        "proof_bytes": len(proof),
        "growth_bytes": len(stamped) - len(original),
        "stamp_ms": median_ms(lambda i: stamp_pdf(original, proof_json=proof, qr_text=texts[i], layout=layouts[i]),
                              args.rounds),
        "layout_ms": median_ms(lambda i: default_layout(595.2756, 841.8898, fresh[i], CAPTION), args.rounds),
        "qr_matrix_ms": median_ms(lambda i: qr_matrix(fresh[i], layout.qr_version, "M", layout.qr_mask),
                                  args.rounds),
        "verify_ms": median_ms(verify, args.rounds),
        "rounds": args.rounds,
    }  # fmt: skip
    print(f"certificate {len(original)} B, QR {len(qr_text)} chars -> version {layout.qr_version}-M")
    print(f"stamp {figures['stamp_ms']} ms, verify {figures['verify_ms']} ms, +{figures['growth_bytes']} B")
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
