"""Load benchmark of the public verifier: uvicorn with 2 workers against a managed anvil, driven over loopback.

Set-up: a fresh anvil (notary.localchain) in a temporary data dir, a registry, one issuer, DISTINCT (default
1,200) realistic certificates (~57 KB originals) issued through the real issuance pipeline in several batches;
a notary.toml that trusts the registry; the server started as `notary serve --workers 2` (here
`python -m cli.main serve`), rate limit off, no access log. The load generator is this process: threads with
one keep-alive connection each and pre-built request bodies (http.client), so the client costs little CPU on a
2-core machine it shares with the server and the node.

Phases: sequential requests (latency: p50, p99), then CONCURRENCY parallel clients for a fixed time
(throughput) — for one PDF sent again and again (what a per-block cache answers best), for the QR text, and
for the distinct PDFs (each one sent once sequentially, then cycled through under load) while a thread mines a
new block every BLOCK_EVERY seconds, so that cached chain facts keep going stale as on a live chain. Every answer
must be HTTP 200 and VALID. The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.served import percentile, start_serve, stop_serve  # noqa: E402

SEQUENTIAL = int(os.environ.get("BENCH_SEQUENTIAL", "300"))
CONCURRENCY = 8
LOAD_SECONDS = 6.0
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DISTINCT = int(os.environ.get("BENCH_DISTINCT", "1200"))
BATCH_SIZE = 300  # several batches: proofs of different lengths, several roots to look up
BLOCK_EVERY = 0.5
FAILURES: list[str] = []  # the first few answers that were not 200 + VALID, shown on stderr


def prepare(work: Path) -> tuple[str, list[bytes], str, Path]:
    """Chain, registry, DISTINCT issued certificates and a notary.toml; returns (chain url, notarised pdfs,
    qr text of the first, config)."""

    from bench.corpus import corpus
    from notary import localchain
    from notary.chain import connect
    from notary.chain.devchain import dev_registry
    from notary.config import write_config
    from notary.core import Proof, encode_qr_text
    from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, from_paths
    from notary.pdf import read_attached_proof

    chain = localchain.up(work / "data", port=localchain.free_port())
    dev = dev_registry(connect(chain.url), "Staatliche Realschule am Lindenhain (Bench)")
    registry, issuer = dev.registry, dev.issuer
    src = work / "src"
    src.mkdir()
    for i, path in enumerate(sorted(corpus(max(DISTINCT, 2000), seed=11).rglob("*.pdf"))[:DISTINCT]):
        shutil.copyfile(path, src / f"zeugnis-{i:05d}.pdf")
    journal = Journal(work / "journal.sqlite")
    try:
        Issuance(journal, registry, issuer, IssueOptions(out_dir=work / "out", batch_size=BATCH_SIZE)).issue(
            from_paths([src], ClaimDefaults("zeugnis", "Abschlusszeugnis", "Lena Müller")), spec="bench"
        )
    finally:
        journal.close()
    pdfs = [path.read_bytes() for path in sorted((work / "out").glob("zeugnis-*.pdf"))]
    if len(pdfs) != DISTINCT:
        raise SystemExit(f"only {len(pdfs)} of {DISTINCT} certificates were issued")
    raw = read_attached_proof(pdfs[0])
    assert raw is not None
    qr_text = encode_qr_text(Proof.from_json(raw).for_qr())
    config = work / "notary.toml"
    write_config(
        config,
        {
            "data_dir": str(work / "data"),
            "trusted": [
                {
                    "name": "Bench registry (local anvil)",
                    "chain_id": registry.chain_id,
                    "address": registry.address,
                    "rpc_url": chain.url,
                    "production": False,
                }
            ],
        },
    )
    return chain.url, pdfs, qr_text, config


class Miner(threading.Thread):
    """Mines an empty block every BLOCK_EVERY seconds (anvil's evm_mine), like a live chain does."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.blocks, self.running = url, 0, True

    def run(self) -> None:
        import httpx

        while self.running:
            reply = httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "evm_mine", "params": []})
            self.blocks += "result" in reply.json()
            time.sleep(BLOCK_EVERY)


def multipart(pdf: bytes) -> tuple[bytes, str]:
    boundary = "benchboundary7MA4YWxkTrZu0gW"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="zeugnis.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + pdf + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Client:
    """One keep-alive connection; ``post`` returns (seconds, ok).

    TCP_NODELAY as browsers set it: http.client writes headers and body separately, and without it Nagle's
    algorithm plus the server's delayed ACK add 40 ms to every request (a client artefact, not server time).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.connect()
        assert conn.sock is not None
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def post(self, body: bytes, content_type: str) -> tuple[float, bool]:
        started = time.perf_counter()
        try:
            self.conn.request(
                "POST", "/api/v1/verify?lang=en", body=body,
                headers={"Content-Type": content_type, "Content-Length": str(len(body))},
            )  # fmt: skip
            reply = self.conn.getresponse()
            data = reply.read()
            ok = reply.status == 200 and b'"verdict":"VALID"' in data
            if not ok and len(FAILURES) < 5:
                FAILURES.append(f"HTTP {reply.status}: {data[:300]!r}")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = self._connect()
            ok = False
        return time.perf_counter() - started, ok


def sequential(
    port: int, bodies: list[bytes], content_type: str, count: int, warm_up: int = 20
) -> tuple[list[float], int]:
    """``count`` requests one after another, going round ``bodies`` (after a warm-up with the first)."""
    client = Client(port)
    for _ in range(warm_up):  # imports, first chain read, connection
        client.post(bodies[0], content_type)
    times, errors = [], 0
    for i in range(count):
        took, ok = client.post(bodies[i % len(bodies)], content_type)
        times.append(took)
        errors += not ok
    return times, errors


def load(port: int, bodies: list[bytes], content_type: str, seconds: float) -> tuple[float, int, list[float]]:
    """CONCURRENCY clients for ``seconds``, taking turns through ``bodies`` (each body once before repeats)."""
    stop = time.perf_counter() + seconds
    lock = threading.Lock()
    counts = {"done": 0, "errors": 0, "next": 0}
    times: list[float] = []

    def run() -> None:
        client = Client(port)
        while time.perf_counter() < stop:
            with lock:
                body = bodies[counts["next"] % len(bodies)]
                counts["next"] += 1
            took, ok = client.post(body, content_type)
            with lock:
                counts["done"] += 1
                counts["errors"] += not ok
                times.append(took)

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for _ in range(CONCURRENCY):
            pool.submit(run)
    elapsed = time.perf_counter() - started
    return counts["done"] / elapsed, counts["errors"], times


def main() -> None:
    from notary import localchain
    from notary.localchain import free_port

    work = Path(tempfile.mkdtemp(prefix="notary-bench-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        url, pdfs, qr_text, config = prepare(work)
        pdf = pdfs[0]
        port = free_port()
        env = {
            **os.environ,
            "NOTARY_CONFIG": str(config),
            "NOTARY_WEB_RATE_LIMIT_PER_MINUTE": "0",  # one client IP here; the limits are for the public
            "NOTARY_WEB_MAX_UPLOADS_PER_CLIENT": str(4 * CONCURRENCY),
        }
        server = start_serve(port, env, work / "server.log", WORKERS)

        pdf_body, pdf_type = multipart(pdf)
        qr_body, qr_type = json.dumps({"payload": qr_text}).encode(), "application/json"
        pdf_times, pdf_seq_errors = sequential(port, [pdf_body], pdf_type, SEQUENTIAL)
        qr_times, qr_seq_errors = sequential(port, [qr_body], qr_type, SEQUENTIAL)
        rps_pdf, pdf_load_errors, pdf_load_times = load(port, [pdf_body], pdf_type, LOAD_SECONDS)
        rps_qr, qr_load_errors, _ = load(port, [qr_body], qr_type, LOAD_SECONDS)
        distinct_bodies = [multipart(p)[0] for p in pdfs[1:]]  # the first was sent above: would hit a cache
        miner = Miner(url)
        miner.start()
        try:
            distinct_times, distinct_seq_errors = sequential(
                port, distinct_bodies, pdf_type, len(distinct_bodies), warm_up=0
            )
            rps_distinct, distinct_load_errors, _ = load(port, distinct_bodies, pdf_type, LOAD_SECONDS)
        finally:
            miner.running = False
            miner.join()
        print(
            f"certificate {len(pdf)} bytes; sequential n={SEQUENTIAL}; load {CONCURRENCY} clients x "
            f"{LOAD_SECONDS:.0f} s; {WORKERS} workers; pdf p50 under load "
            f"{percentile(pdf_load_times, 0.5) * 1000:.1f} ms, p99 {percentile(pdf_load_times, 0.99) * 1000:.1f} ms"
        )
        figures = {
            "distinct_pdf_p50_ms": round(statistics.median(distinct_times) * 1000, 2),
            "distinct_pdf_p99_ms": round(percentile(distinct_times, 0.99) * 1000, 2),
            "distinct_rps_pdf": round(rps_distinct, 1),
            "distinct_documents": len(pdfs),
            "distinct_batches": -(-len(pdfs) // BATCH_SIZE),
            "blocks_mined_meanwhile": miner.blocks,
            "pdf_p50_ms": round(statistics.median(pdf_times) * 1000, 2),
            "pdf_p99_ms": round(percentile(pdf_times, 0.99) * 1000, 2),
            "qr_p50_ms": round(statistics.median(qr_times) * 1000, 2),
            "rps_pdf": round(rps_pdf, 1),
            "rps_qr": round(rps_qr, 1),
            "errors": pdf_seq_errors + qr_seq_errors + pdf_load_errors + qr_load_errors,
            "distinct_errors": distinct_seq_errors + distinct_load_errors,
        }
        for failure in FAILURES:
            print(f"not VALID: {failure}", file=sys.stderr)
        print(json.dumps(figures))
        if figures["errors"] or figures["distinct_errors"]:
            raise SystemExit(1)
    finally:
        if server is not None:
            stop_serve(server)
        localchain.down(work / "data")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
