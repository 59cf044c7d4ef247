"""Bulk issuance end to end on the managed anvil: N one-page certificates, hashed, batched, signed, anchored,
stamped and written, exactly as `notary issue DIR` does it.

Run: .venv/bin/python bench/issue_bulk.py --docs 10000   (the corpus is generated once and cached in /tmp)
Prints the hash-only floor (read + SHA-256 of the same files) and, as the last line, one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.corpus import corpus
from notary import localchain
from notary.chain import connect
from notary.chain.devchain import dev_registry
from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, from_paths


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(stat[1]), []).append(int(entry))
            except OSError:
                continue
    todo = [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class PeakSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))
            time.sleep(0.2)


def hash_floor(folder: Path) -> float:
    started = time.perf_counter()
    for path in sorted(folder.rglob("*.pdf")):
        hashlib.sha256(path.read_bytes()).digest()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=1024)
    args = parser.parse_args()
    src = corpus(args.docs)
    floor = hash_floor(src)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        chain = localchain.up(work / "data", port=localchain.free_port())
        try:
            dev = dev_registry(connect(chain.url), "Stadt Mannheim – Bürgerservice")
            registry, issuer = dev.registry, dev.issuer
            journal = Journal(work / "data" / "journal.sqlite")
            sampler = PeakSampler()
            sampler.start()
            started = time.perf_counter()
            summary = Issuance(
                journal, registry, issuer, IssueOptions(out_dir=work / "out", batch_size=args.batch_size)
            ).issue(
                from_paths([src], ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder="Schülerin")),
                spec=f"bench:{src}",
            )
            seconds = time.perf_counter() - started
            sampler.running = False
            sampler.join()
            journal.close()
        finally:
            localchain.down(work / "data")
            shutil.rmtree(work / "out", ignore_errors=True)
    issued = summary.counts.get("written", 0)
    if issued != args.docs:
        raise SystemExit(f"only {issued} of {args.docs} issued: {summary.counts}")
    print(f"hash-only floor (read + SHA-256): {floor:.2f} s = {args.docs / floor:,.0f} docs/s")
    print(f"reproduce: .venv/bin/python bench/issue_bulk.py --docs {args.docs}")
    print(json.dumps({
        "docs": args.docs, "seconds": round(seconds, 2), "docs_per_s": round(args.docs / seconds, 1),
        "peak_rss_mb": round(sampler.peak, 1), "batches": summary.batches,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
