"""One certificate (from a batch of 1,000) end to end on the managed anvil: stamping, then verifying the PDF,
its QR text and a 150 dpi image of its page 1 (with the chain reads a verifier makes).

Run: .venv/bin/python bench/issue_verify.py   (or `make bench`). The last line is one JSON object.
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from notary import localchain
from notary.chain import connect
from notary.chain.devchain import dev_registry
from notary.core import encode_qr_text
from notary.demo import render_page
from notary.issuance.documents import Placement, notarise
from tests.issuing import issue_samples
from verifier.pipeline import Verifier
from verifier.result import Verdict
from verifier.trust import TrustedEntry, TrustList

ROUNDS = 100


def median_ms(fn: Callable[[], object], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        chain = localchain.up(work / "chain", port=localchain.free_port())
        try:
            figures = measure(chain.url, work)
        finally:
            localchain.down(work / "chain")
    print("reproduce: .venv/bin/python bench/issue_verify.py")
    print(json.dumps(figures))


def measure(url: str, work: Path) -> dict[str, float | int]:
    dev = dev_registry(connect(url), "Realschule am Park, Mannheim")
    registry, issuer = dev.registry, dev.issuer
    issued = issue_samples(registry, issuer, work, count=1000, batch_size=1000)
    proof = issued.proof(0)
    original = issued.originals[0].read_bytes()
    pdf = issued.notarised[0].read_bytes()
    assert proof.stamp is not None
    caption = proof.stamp.caption
    bare = proof.for_qr()
    placement = Placement(caption)
    stamp_ms = median_ms(lambda: notarise(original, bare, placement))

    verifier = Verifier(TrustList([TrustedEntry("bench", registry.chain_id, registry.address, url, False)]))
    assert verifier.verify_pdf(pdf).verdict is Verdict.VALID
    qr_text = encode_qr_text(proof.for_qr())
    assert verifier.verify_payload(qr_text).verdict is Verdict.VALID
    image = io.BytesIO()
    render_page(pdf, 150).save(image, format="PNG")
    assert verifier.verify_image(image.getvalue()).verdict is Verdict.VALID
    return {
        "stamp_ms_p50": stamp_ms,
        "verify_pdf_ms_p50": median_ms(lambda: verifier.verify_pdf(pdf)),
        "verify_qr_ms_p50": median_ms(lambda: verifier.verify_payload(qr_text)),
        "verify_qr_image_ms_p50": median_ms(lambda: verifier.verify_image(image.getvalue()), rounds=20),
        "qr_version": proof.stamp.qr_version,
        "qr_chars": len(qr_text),
        "original_bytes": len(original),
        "pdf_growth_bytes": len(pdf) - len(original),
        "batch_size": 1000,
    }


if __name__ == "__main__":
    main()
