"""Micro-benchmark: CPU per document of the worker's steps of bulk issuance (prepare, stamp_staged) and of the
parts of stamping, on distinct certificates of the benchmark corpus in one batch.

CPU time (``time.process_time``), not wall time: the machine is shared, and these steps are CPU-bound. Each
figure is the median over ``--repeat`` passes of the mean µs per document of one pass over ``--docs``
documents. Prints ONE line of JSON.

    .venv/bin/python bench/stamp_speed.py [--docs 200] [--repeat 5] [--profile STEP]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import corpus
from notary.core import Batch, BatchDomain, Claims, MerkleTree, encode_qr_text, leaf_for_claims, sign_batch
from notary.issuance import documents
from notary.pdf.default_layout import page_size_of
from notary.pdf.original_pdf import read_original, read_original_plain
from notary.pdf.qr_symbol import qr_modules
from notary.pdf.stamp_drawing import stamp_content
from notary.pdf.stamping import stamp_read_original

CLAIMS = b'{"doc_type":"zeugnis","holder":"Sch\xc3\xbclerin","issued_on":"2025-07-01","title":"Abschlusszeugnis"}'
PLACEMENT = documents.Placement("Digital geprüft: http://127.0.0.1:8000", qr_url="http://127.0.0.1:8000/#")


def _jobs(files: list[Path], out: Path) -> tuple[list[documents.StampJob], list[documents.Prepared]]:
    from eth_account import Account

    prepared = [documents.prepare(str(f), PLACEMENT) for f in files]
    claims = Claims.from_json(CLAIMS)
    salts = [i.to_bytes(32, "big") for i in range(1, len(files) + 1)]
    leaves = [bytes(leaf_for_claims(p.document(), claims, s)) for p, s in zip(prepared, salts, strict=True)]
    tree = MerkleTree.build(leaves)
    account = Account.from_key(b"\x11" * 32)
    registry = "0x" + "22" * 20
    issued_at = 1_700_000_000
    signature = sign_batch(bytes(account.key), BatchDomain(31337, registry),  # type: ignore[arg-type]
                           Batch(tree.root, len(files), issued_at))  # fmt: skip
    jobs = [
        documents.StampJob(
            doc_id=i,
            src=p.src,
            out=str(out / f"{i}.pdf"),
            doc_hash=p.doc_hash or b"",
            size=p.size,
            claims_json=claims.to_json(),
            salt=salts[i],
            siblings=tree.proof(i).blob,
            root=bytes(tree.root),
            chain_id=31337,
            registry=registry,
            issuer=account.address,
            signature=signature,
            issued_at=issued_at,
            count=len(files),
            placement=PLACEMENT,
            sidecar=False,
            parsed=p.parsed,
        )
        for i, p in enumerate(prepared)
    ]
    return jobs, prepared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", default=None, help="cProfile one step and print its top functions instead")
    args = parser.parse_args()
    files = sorted(corpus(max(args.docs, 200)).rglob("*.pdf"))[: args.docs]
    originals = [f.read_bytes() for f in files]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        jobs, prepared = _jobs(files, out)
        docs = [read_original(o) for o in originals]
        proofs = [documents.build_proof(j, p.document()) for j, p in zip(jobs, prepared, strict=True)]
        qr_texts = [encode_qr_text(p.for_qr(), PLACEMENT.qr_url) for p in proofs]
        layouts = [PLACEMENT.layout(*page_size_of(d), t) for d, t in zip(docs, qr_texts, strict=True)]
        fulls = [documents._notarise(o, j.doc_hash, p, PLACEMENT, d)[1]  # type: ignore[arg-type]
                 for o, j, p, d in zip(originals, jobs, proofs, docs, strict=True)]  # fmt: skip
        proof_jsons = [f.to_json() for f in fulls]
        symbols = [qr_modules(t, la.qr_version, la.qr_ecl, la.qr_mask) for t, la in zip(qr_texts, layouts, strict=True)]

        def staged(i: int) -> None:
            result = documents.stamp_staged(jobs[i])
            assert result.error is None, result.error
            for temp, _ in result.staged:
                os.unlink(temp)

        steps: dict[str, Callable[[int], object]] = {
            "prepare": lambda i: documents.prepare(str(files[i]), PLACEMENT),
            "stamp_staged": staged,
            "read_original_plain": lambda i: read_original_plain(originals[i]),
            "build_proof_and_root_check": lambda i: (
                documents.build_proof(jobs[i], prepared[i].document()).root_matches()
            ),
            "notarise": lambda i: documents._notarise(originals[i], jobs[i].doc_hash, proofs[i], PLACEMENT, docs[i]),  # type: ignore[arg-type]
            "qr_text": lambda i: encode_qr_text(proofs[i].for_qr(), PLACEMENT.qr_url),
            "layout": lambda i: PLACEMENT.layout(*page_size_of(docs[i]), qr_texts[i]),
            "qr_modules": lambda i: qr_modules(
                qr_texts[i], layouts[i].qr_version, layouts[i].qr_ecl, layouts[i].qr_mask
            ),
            "stamp_content": lambda i: stamp_content(
                symbols[i], layouts[i], docs[i].visible_box, docs[i].rotate, b"/F"
            ),
            "stamp_read_original": lambda i: stamp_read_original(
                originals[i], docs[i], proof_json=proof_jsons[i], qr_text=qr_texts[i], layout=layouts[i]
            ),
            "full_proof_to_json": lambda i: replace(fulls[i]).to_json(),
        }  # fmt: skip
        n = len(files)
        if args.profile:
            step = steps[args.profile]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                for i in range(n):
                    step(i)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            return
        figures: dict[str, float] = {}
        for name, step in steps.items():
            for i in range(min(n, 5)):
                step(i)  # warm per-version caches
            passes = []
            for _ in range(args.repeat):
                start = time.process_time()
                for i in range(n):
                    step(i)
                passes.append((time.process_time() - start) / n * 1e6)
            figures[name] = round(statistics.median(passes), 1)
    print(json.dumps({"docs": n, "repeat": args.repeat, "cpu_us_per_doc": figures}))


if __name__ == "__main__":
    main()
