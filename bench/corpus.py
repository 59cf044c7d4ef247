"""Benchmark corpora of realistic one-page certificates (~57 KB: text, a vector logo, a grade table, embedded
fonts), generated once per size and cached, so benchmarks time issuance rather than PDF generation."""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notary.pdf.samples import make_certificate, sample_certificates

PER_FOLDER = 500


def _write_range(folder: str, start: int, stop: int, seed: int) -> int:
    wanted = itertools.islice(sample_certificates(stop, seed), start, stop)
    for i, cert in enumerate(wanted, start):
        path = Path(folder) / f"klasse-{i // PER_FOLDER:03d}" / f"zeugnis-{i:06d}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make_certificate(cert.pupil, cert.school, cert.grades))
    return stop - start


def corpus(count: int, seed: int = 7) -> Path:
    """A folder tree with ``count`` distinct certificates (cached under the temp dir)."""
    folder = Path(tempfile.gettempdir()) / f"notary-bench-corpus-{count}-{seed}"
    done = folder / ".complete"
    if done.exists():
        return folder
    workers = os.cpu_count() or 1
    step = -(-count // workers)
    with ProcessPoolExecutor(workers) as pool:
        ranges = [(str(folder), s, min(s + step, count), seed) for s in range(0, count, step)]
        sum(pool.map(_write_range, *zip(*ranges, strict=True)))
    done.write_text("ok")
    return folder
