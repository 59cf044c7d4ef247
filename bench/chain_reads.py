"""What one distinct verification costs in chain reads: ``read_facts`` for DOCS distinct documents from several
batches on a managed anvil, through the lean JSON-RPC batch path (notary/chain/batch_rpc.py) and through web3's
contract layer, side by side; plus each facts object compared between the two (they must be equal).

Prints one JSON object: ``{"lean_p50_ms", "lean_p99_ms", "web3_p50_ms", "web3_p99_ms", "speedup_p50",
"documents", "batches", "equal"}``. Times are per document, first reads included (anchoring transaction and
batch anchor not yet remembered for the first document of each batch).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DOCS = int(os.environ.get("BENCH_DOCS", "400"))
BATCH_SIZE = 100


def main() -> None:
    from notary import localchain
    from notary.chain import Registry, connect
    from notary.chain.devchain import dev_registry
    from notary.core import Proof
    from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, from_paths
    from notary.pdf import read_attached_proof
    from notary.pdf.samples import make_certificates
    from verifier.pipeline import read_facts

    work = Path(tempfile.mkdtemp(prefix="notary-chain-reads-"))
    try:
        chain = localchain.up(work / "data", port=localchain.free_port())
        dev = dev_registry(connect(chain.url), "Realschule am Park (Bench)")
        src = work / "src"
        src.mkdir()
        for i, pdf in enumerate(make_certificates(DOCS, seed=5)):
            (src / f"doc-{i:05d}.pdf").write_bytes(pdf)
        journal = Journal(work / "journal.sqlite")
        try:
            Issuance(
                journal, dev.registry, dev.issuer, IssueOptions(out_dir=work / "out", batch_size=BATCH_SIZE)
            ).issue(from_paths([src], ClaimDefaults("zeugnis", "Abschlusszeugnis", "Lena Müller")), spec="bench")
        finally:
            journal.close()
        proofs = []
        for path in sorted((work / "out").glob("doc-*.pdf")):
            raw = read_attached_proof(path.read_bytes())
            assert raw is not None
            proofs.append(Proof.from_json(raw))
        lean = Registry(connect(chain.url, timeout=5), dev.registry.address)
        plain = Registry(connect(chain.url, timeout=5), dev.registry.address, lean_reads=False)
        times: dict[str, list[float]] = {"lean": [], "web3": []}
        facts: dict[str, list[object]] = {"lean": [], "web3": []}
        for name, registry in (("web3", plain), ("lean", lean)):
            _ = registry.chain_id  # read once per registry object, as the verifier does
            for proof in proofs:
                started = time.perf_counter()
                facts[name].append(read_facts(registry, proof))
                times[name].append(time.perf_counter() - started)

        def pct(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

        figures = {
            "lean_p50_ms": round(statistics.median(times["lean"]) * 1000, 2),
            "lean_p99_ms": pct(times["lean"], 0.99),
            "web3_p50_ms": round(statistics.median(times["web3"]) * 1000, 2),
            "web3_p99_ms": pct(times["web3"], 0.99),
            "speedup_p50": round(statistics.median(times["web3"]) / statistics.median(times["lean"]), 1),
            "documents": len(proofs),
            "batches": -(-len(proofs) // BATCH_SIZE),
            "equal": facts["lean"] == facts["web3"],
        }
        print(json.dumps(figures))
        if not figures["equal"]:
            raise SystemExit(1)
    finally:
        localchain.down(work / "data")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
