"""Certificates from a batch of 1,000 end to end on the managed anvil: stamping, then verifying the PDF, its QR
text and a 150 dpi image of its page 1 (with the chain reads a verifier makes). Every timed call gets a
different document (ROUNDS of them; images: IMAGE_ROUNDS), so no cache of a previous call answers it.

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
IMAGE_ROUNDS = 20


def median_ms(fn: Callable[[int], object], rounds: int = ROUNDS) -> float:
    """Median time of ``fn(i)`` for i in range(rounds): a different document each call."""
    times = []
    for i in range(rounds):
        started = time.perf_counter()
        fn(i)
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
    # disjoint documents per measurement: the stamp and the PDF check get 0..99, the QR text 100..199, the
    # images 200..219; 220..229 are checked VALID untimed
    wanted = 2 * ROUNDS + IMAGE_ROUNDS + 10
    proofs = [issued.proof(i) for i in range(wanted)]
    originals = [issued.originals[i].read_bytes() for i in range(ROUNDS)]
    pdfs = [issued.notarised[i].read_bytes() for i in range(wanted)]
    proof, original, pdf = proofs[0], originals[0], pdfs[0]
    assert proof.stamp is not None
    placement = Placement(proof.stamp.caption)
    bare = [p.for_qr() for p in proofs]
    stamp_ms = median_ms(lambda i: notarise(originals[i], bare[i], placement))

    verifier = Verifier(TrustList([TrustedEntry("bench", registry.chain_id, registry.address, url, False)]))
    qr_texts = [encode_qr_text(p) for p in bare]
    images = []
    for i in range(2 * ROUNDS, 2 * ROUNDS + IMAGE_ROUNDS):
        image = io.BytesIO()
        render_page(pdfs[i], 150).save(image, format="PNG")
        images.append(image.getvalue())
    untimed = range(wanted - 10, wanted)
    verdicts = {verifier.verify_pdf(pdfs[i]).verdict for i in untimed}
    verdicts |= {verifier.verify_payload(qr_texts[i]).verdict for i in untimed}
    assert verdicts == {Verdict.VALID}, verdicts
    results: list[Verdict] = []
    pdf_ms = median_ms(lambda i: results.append(verifier.verify_pdf(pdfs[i]).verdict))
    qr_ms = median_ms(lambda i: results.append(verifier.verify_payload(qr_texts[ROUNDS + i]).verdict))
    image_ms = median_ms(lambda i: results.append(verifier.verify_image(images[i]).verdict), IMAGE_ROUNDS)
    assert set(results) == {Verdict.VALID}, set(results)
    qr_text = qr_texts[0]
    return {
        "stamp_ms_p50": stamp_ms,
        "verify_pdf_ms_p50": pdf_ms,
        "verify_qr_ms_p50": qr_ms,
        "verify_qr_image_ms_p50": image_ms,
        "distinct_documents": ROUNDS,
        "qr_version": proof.stamp.qr_version,
        "qr_chars": len(qr_text),
        "original_bytes": len(original),
        "pdf_growth_bytes": len(pdf) - len(original),
        "batch_size": 1000,
    }


if __name__ == "__main__":
    main()
