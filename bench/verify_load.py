"""Load benchmark of the public verifier: uvicorn with 2 workers against a managed anvil, driven over loopback.

Set-up: a fresh anvil (notary.localchain) in a temporary data dir, a registry, one issuer, one sample
certificate (~55 KB original) issued through the real issuance pipeline; a notary.toml that trusts the
registry; the server started as `notary serve --workers 2` (here `python -m cli.main serve`: uvicorn, two
worker processes), rate limit off, no access log. The load generator is this process: threads with one
keep-alive connection each and pre-built request bodies (http.client), so the client costs little CPU on a
2-core machine it shares with the server and the node.

Phases: sequential requests (latency: p50, p99), then CONCURRENCY parallel clients for a fixed time
(throughput), for the PDF upload and for the QR text (JSON). Every answer must be HTTP 200 and VALID.
The last line printed is one JSON object with the figures.
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

SEQUENTIAL = int(os.environ.get("BENCH_SEQUENTIAL", "300"))
CONCURRENCY = 8
LOAD_SECONDS = 6.0
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def prepare(work: Path) -> tuple[str, bytes, str, Path]:
    """Chain, registry, one issued certificate and a notary.toml; returns (chain url, pdf, qr text, config)."""

    from notary import localchain
    from notary.chain import connect
    from notary.chain.devchain import dev_registry
    from notary.config import write_config
    from notary.core import Proof, encode_qr_text
    from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, from_paths
    from notary.pdf import read_attached_proof
    from notary.pdf.samples import SAMPLE_PUPILS, make_certificate

    chain = localchain.up(work / "data", port=localchain.free_port())
    dev = dev_registry(connect(chain.url), "Staatliche Realschule am Lindenhain (Bench)")
    registry, issuer = dev.registry, dev.issuer
    src = work / "src"
    src.mkdir()
    (src / "zeugnis.pdf").write_bytes(make_certificate(SAMPLE_PUPILS[0]))
    journal = Journal(work / "journal.sqlite")
    try:
        Issuance(journal, registry, issuer, IssueOptions(out_dir=work / "out", workers=1)).issue(
            from_paths([src], ClaimDefaults("zeugnis", "Abschlusszeugnis", "Lena Müller")), spec="bench"
        )
    finally:
        journal.close()
    pdf = (work / "out" / "zeugnis.pdf").read_bytes()
    raw = read_attached_proof(pdf)
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
    return chain.url, pdf, qr_text, config


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
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = self._connect()
            ok = False
        return time.perf_counter() - started, ok


def sequential(port: int, body: bytes, content_type: str, count: int) -> tuple[list[float], int]:
    client = Client(port)
    for _ in range(20):  # warm-up: imports, first chain read, connection
        client.post(body, content_type)
    times, errors = [], 0
    for _ in range(count):
        took, ok = client.post(body, content_type)
        times.append(took)
        errors += not ok
    return times, errors


def load(port: int, body: bytes, content_type: str, seconds: float) -> tuple[float, int, list[float]]:
    stop = time.perf_counter() + seconds
    lock = threading.Lock()
    counts = {"done": 0, "errors": 0}
    times: list[float] = []

    def run() -> None:
        client = Client(port)
        while time.perf_counter() < stop:
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    from notary import localchain
    from notary.localchain import free_port

    work = Path(tempfile.mkdtemp(prefix="notary-bench-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        _, pdf, qr_text, config = prepare(work)
        port = free_port()
        log = (work / "server.log").open("wb")
        env = {
            **os.environ,
            "NOTARY_CONFIG": str(config),
            "NOTARY_WEB_RATE_LIMIT_PER_MINUTE": "0",  # one client IP here; the limit is for the public
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(WORKERS), "--no-access-log"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                log.flush()
                tail = (work / "server.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"the server did not become healthy:\n{tail}")
            time.sleep(0.2)

        pdf_body, pdf_type = multipart(pdf)
        qr_body, qr_type = json.dumps({"payload": qr_text}).encode(), "application/json"
        pdf_times, pdf_seq_errors = sequential(port, pdf_body, pdf_type, SEQUENTIAL)
        qr_times, qr_seq_errors = sequential(port, qr_body, qr_type, SEQUENTIAL)
        rps_pdf, pdf_load_errors, pdf_load_times = load(port, pdf_body, pdf_type, LOAD_SECONDS)
        rps_qr, qr_load_errors, _ = load(port, qr_body, qr_type, LOAD_SECONDS)
        print(
            f"certificate {len(pdf)} bytes; sequential n={SEQUENTIAL}; load {CONCURRENCY} clients x "
            f"{LOAD_SECONDS:.0f} s; {WORKERS} workers; pdf p50 under load "
            f"{percentile(pdf_load_times, 0.5) * 1000:.1f} ms, p99 {percentile(pdf_load_times, 0.99) * 1000:.1f} ms"
        )
        figures = {
            "pdf_p50_ms": round(statistics.median(pdf_times) * 1000, 2),
            "pdf_p99_ms": round(percentile(pdf_times, 0.99) * 1000, 2),
            "qr_p50_ms": round(statistics.median(qr_times) * 1000, 2),
            "rps_pdf": round(rps_pdf, 1),
            "rps_qr": round(rps_qr, 1),
            "errors": pdf_seq_errors + qr_seq_errors + pdf_load_errors + qr_load_errors,
        }
        print(json.dumps(figures))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
        localchain.down(work / "data")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
