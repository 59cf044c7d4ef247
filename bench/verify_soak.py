"""Soak test of the public verifier under attack (issue 15): genuine checks must keep working, the whole time.

Set-up as bench/verify_load.py: a fresh anvil, a registry, a few genuine certificates issued through the real
pipeline, a notary.toml that trusts the registry, and `notary serve --workers 2` (here `python -m cli.main
serve`) with its default limits, over loopback only. Clients are told apart by X-Forwarded-For (the server
trusts it from 127.0.0.1), as behind a load balancer: ATTACKER_IPS addresses for the attackers, and the
well-behaved client as many citizens (one address per request, so the per-client rate limit does not throttle
the measurement itself).

For ``--seconds``, attacker threads send the hostile inputs of the report in parallel: crafted nested-dict PDFs
(the freeze), a 16 MB hex-string PDF, a 19 MB PDF of spaces, a progressive-JPEG scan bomb, a WebP memory bomb,
TIFF/BMP/GIF images, random bytes, and uploads that stall mid-body. Meanwhile one client verifies genuine PDFs
one after the other, and a prober asks /healthz every PROBE_EVERY seconds. A freeze is a /healthz or genuine
request without an answer within FREEZE_SECONDS.

Last line: {"seconds", "genuine_requests", "genuine_ok", "genuine_p99_ms", "server_restarts", "freezes",
"errors_5xx", ...}; exit status 1 when a genuine check failed, the server froze, answered 5xx to a genuine
request or 500 to anyone, or restarted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.served import percentile, start_serve, stop_serve  # noqa: E402

DOCUMENTS = 20
ATTACKER_THREADS = 6
ATTACKER_IPS = [f"198.51.100.{i}" for i in range(1, 5)]
PROBE_EVERY = 0.5
FREEZE_SECONDS = 30.0
WORKERS = 2


def prepare(work: Path) -> tuple[list[bytes], Path]:
    """Chain, registry, DOCUMENTS issued certificates and a notary.toml trusting the registry."""
    from bench.corpus import corpus
    from notary import localchain
    from notary.chain import connect
    from notary.chain.devchain import dev_registry
    from notary.config import write_config
    from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, from_paths

    chain = localchain.up(work / "data", port=localchain.free_port())
    dev = dev_registry(connect(chain.url), "Staatliche Realschule am Lindenhain (Soak)")
    src = work / "src"
    src.mkdir()
    for i, path in enumerate(sorted(corpus(DOCUMENTS, seed=15).rglob("*.pdf"))[:DOCUMENTS]):
        shutil.copyfile(path, src / f"zeugnis-{i:03d}.pdf")
    journal = Journal(work / "journal.sqlite")
    try:
        Issuance(journal, dev.registry, dev.issuer, IssueOptions(out_dir=work / "out")).issue(
            from_paths([src], ClaimDefaults("zeugnis", "Abschlusszeugnis", "Lena Müller")), spec="soak"
        )
    finally:
        journal.close()
    pdfs = [path.read_bytes() for path in sorted((work / "out").glob("zeugnis-*.pdf"))]
    config = work / "notary.toml"
    trusted = {
        "name": "Soak registry (local anvil)",
        "chain_id": dev.registry.chain_id,
        "address": dev.registry.address,
        "rpc_url": chain.url,
        "production": False,
    }
    write_config(config, {"data_dir": str(work / "data"), "trusted": [trusted]})
    return pdfs, config


def hostile_inputs() -> list[tuple[str, bytes, str, str]]:
    """(name, bytes, filename, content type) of every hostile upload."""
    from tests.web import hostile

    rng = random.Random(15)
    spaces = b"%PDF-1.7\n" + b" " * (19 * 1024 * 1024) + hostile.PDF_TAIL
    return [
        ("nested-dicts", hostile.nested_dicts_pdf(), "x.pdf", "application/pdf"),
        ("hex-string", hostile.hex_string_pdf(16), "x.pdf", "application/pdf"),
        ("spaces", spaces, "x.pdf", "application/pdf"),
        ("jpeg-scan-bomb", hostile.jpeg_scan_bomb(), "qr.jpg", "image/jpeg"),
        ("webp-memory-bomb", hostile.webp_memory_bomb(), "qr.webp", "image/webp"),
        ("tiff", hostile.foreign_image("TIFF"), "qr.png", "image/png"),
        ("bmp", hostile.foreign_image("BMP"), "qr.png", "image/png"),
        ("gif", hostile.foreign_image("GIF"), "qr.gif", "image/gif"),
        ("random", rng.randbytes(200_000), "x.pdf", "application/pdf"),
    ]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.genuine_times: list[float] = []
        self.genuine_ok = 0
        self.genuine_requests = 0
        self.genuine_failures: Counter[str] = Counter()
        self.attacks: Counter[str] = Counter()
        self.errors_5xx = 0
        self.freezes = 0
        self.probes = 0


def genuine_client(url: str, pdfs: list[bytes], tally: Tally, stop: threading.Event) -> None:
    citizens = (f"10.{i // 250}.{i % 250}.1" for i in itertools.count())
    with httpx.Client(timeout=FREEZE_SECONDS) as client:
        for pdf in itertools.cycle(pdfs):
            if stop.is_set():
                return
            started = time.perf_counter()
            try:
                reply = client.post(
                    f"{url}/api/v1/verify",
                    files={"file": ("zeugnis.pdf", pdf, "application/pdf")},
                    headers={"X-Forwarded-For": next(citizens)},
                )
                outcome = str(reply.status_code) if reply.status_code != 200 else reply.json()["verdict"]
            except httpx.TimeoutException:
                outcome = "freeze"
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            took = time.perf_counter() - started
            with tally.lock:
                tally.genuine_requests += 1
                tally.genuine_times.append(took)
                if outcome == "VALID":
                    tally.genuine_ok += 1
                else:
                    tally.genuine_failures[outcome] += 1
                if outcome == "freeze":
                    tally.freezes += 1
                if outcome.startswith("5"):
                    tally.errors_5xx += 1


def attacker(
    url: str, seed: int, inputs: list[tuple[str, bytes, str, str]], tally: Tally, stop: threading.Event
) -> None:
    rng = random.Random(seed)
    with httpx.Client(timeout=FREEZE_SECONDS * 2) as client:
        while not stop.is_set():
            ip = rng.choice(ATTACKER_IPS)
            if rng.random() < 0.15:
                outcome = stall(url, ip)
                name = "stalled-upload"
            else:
                name, data, filename, kind = rng.choice(inputs)
                try:
                    reply = client.post(
                        f"{url}/api/v1/verify",
                        files={"file": (filename, data, kind)},
                        headers={"X-Forwarded-For": ip},
                    )
                    outcome = str(reply.status_code)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
            with tally.lock:
                tally.attacks[f"{name}:{outcome}"] += 1
                if outcome in ("500", "502", "504"):
                    tally.errors_5xx += 1
            if outcome == "429":
                time.sleep(0.2)  # told to wait: a real attacker would switch address; ours has only a few


def stall(url: str, ip: str) -> str:
    """An upload that announces 4 MB, sends 64 KiB and then nothing: what status ends it?"""
    host, port = url.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=FREEZE_SECONDS * 2) as sock:
            head = (
                f"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: {ip}\r\n"
                "Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 4194304\r\n\r\n"
            ).encode()
            part = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7\n'
            sock.sendall(head + part + b"0" * 65536)
            answer = sock.recv(64)
    except OSError as exc:
        return type(exc).__name__
    return answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/1.1 ") else "closed"


def prober(url: str, tally: Tally, stop: threading.Event) -> None:
    with httpx.Client(timeout=FREEZE_SECONDS) as client:
        while not stop.is_set():
            try:
                reply = client.get(f"{url}/healthz")
                frozen = reply.status_code >= 500 and reply.status_code != 503  # 503: the chain, not a freeze
            except httpx.HTTPError:
                frozen = True
            with tally.lock:
                tally.probes += 1
                tally.freezes += frozen
            stop.wait(PROBE_EVERY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="how long the attack lasts (default 300)")
    args = parser.parse_args()

    from notary import localchain
    from notary.localchain import free_port

    work = Path(tempfile.mkdtemp(prefix="notary-soak-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        pdfs, config = prepare(work)
        inputs = hostile_inputs()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = work / "server.log"
        env = {**os.environ, "NOTARY_CONFIG": str(config)}
        server = start_serve(port, env, log_path, WORKERS, ("--forwarded-allow-ips", "127.0.0.1"))

        tally = Tally()
        stop = threading.Event()
        threads = [threading.Thread(target=genuine_client, args=(url, pdfs, tally, stop), daemon=True)]
        threads.append(threading.Thread(target=prober, args=(url, tally, stop), daemon=True))
        threads += [
            threading.Thread(target=attacker, args=(url, seed, inputs, tally, stop), daemon=True)
            for seed in range(ATTACKER_THREADS)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(FREEZE_SECONDS * 3)
        elapsed = time.monotonic() - started
        alive = server.poll() is None
        log = log_path.read_text(errors="replace")
        restarts = log.count("died") + (0 if alive else 1)
        print(f"attacks: {dict(sorted(tally.attacks.items()))}", file=sys.stderr)
        if restarts or os.environ.get("SOAK_SERVER_LOG"):
            print("server log (tail):\n" + log[-6000:], file=sys.stderr)
        if tally.genuine_failures:
            print(f"genuine failures: {dict(tally.genuine_failures)}", file=sys.stderr)
        figures = {
            "seconds": round(elapsed, 1),
            "genuine_requests": tally.genuine_requests,
            "genuine_ok": tally.genuine_ok,
            "genuine_p50_ms": round(percentile(tally.genuine_times, 0.5) * 1000, 1),
            "genuine_p99_ms": round(percentile(tally.genuine_times, 0.99) * 1000, 1),
            "attack_requests": sum(tally.attacks.values()),
            "healthz_probes": tally.probes,
            "server_restarts": restarts,
            "freezes": tally.freezes,
            "errors_5xx": tally.errors_5xx,
        }
        print(json.dumps(figures))
        failed = (
            tally.genuine_ok != tally.genuine_requests
            or tally.genuine_requests == 0
            or tally.freezes
            or tally.errors_5xx
            or restarts
        )
        sys.exit(1 if failed else 0)
    finally:
        if server is not None:
            stop_serve(server)
        localchain.down(work / "data")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
